/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/core/core_error.c: the record keeps code, message and location. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/core_error.h"

static cmc_err fails_with_limit(void)
{
    CMC_ENSURE(1 == 2, CMC_ERR_LIMIT, "too many body parts: %d", 300);
    return CMC_OK;
}

static void test_error_set__records_code_and_message(void **state)
{
    cmc_error_clear();
    assert_int_equal(cmc_error_get_code(), CMC_OK);
    assert_int_equal(fails_with_limit(), CMC_ERR_LIMIT);
    assert_int_equal(cmc_error_get_code(), CMC_ERR_LIMIT);
    assert_non_null(strstr(cmc_error_get0_message(), "too many body parts: 300"));
    /* the location is kept for debug logs, beside the message, not in it (issue 9 #15) */
    assert_null(strstr(cmc_error_get0_message(), "test_core_error.c"));
    assert_null(strchr(cmc_error_get0_message(), '['));
    assert_non_null(strstr(cmc_error_get0_location(), "test_core_error.c:"));
    assert_string_equal(cmc_err_str(CMC_ERR_LIMIT), "CMC_ERR_LIMIT");
    assert_true(cmc_err_is_fatal(CMC_ERR_NOMEM));
    assert_false(cmc_err_is_fatal(CMC_ERR_DECODE));
    cmc_error_clear();
    assert_string_equal(cmc_error_get0_message(), "no error");
    assert_string_equal(cmc_error_get0_location(), "");
}

/* An OpenSSL error is named in the message, in parentheses, still with no location. */
static void test_error_set__openssl_text_without_location(void **state)
{
    cmc_error_clear();
    ERR_raise(ERR_LIB_EVP, EVP_R_UNSUPPORTED_ALGORITHM);
    assert_int_equal(cmci_fail_ossl(CMC_ERR_CRYPTO, "sign"), CMC_ERR_CRYPTO);
    assert_non_null(strstr(cmc_error_get0_message(), "sign (error:"));
    assert_int_equal(cmc_error_get0_message()[strlen(cmc_error_get0_message()) - 1], ')');
    assert_non_null(strstr(cmc_error_get0_location(), "test_core_error.c:"));
    cmc_error_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_set__records_code_and_message),
        cmocka_unit_test(test_error_set__openssl_text_without_location),
    };
    return cmocka_run_group_tests_name("core_error", tests, NULL, NULL);
}
