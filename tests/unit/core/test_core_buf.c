/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/core/core_buf.c: the cap is enforced and never exceeded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "core/core_buf.h"

static void test_dynbuf_add__grows_within_cap(void **state)
{
    struct cmc_dynbuf b;
    uint8_t chunk[300];
    size_t len;
    uint8_t *p;

    memset(chunk, 0xAB, sizeof(chunk));
    cmci_dynbuf_init(&b, 4096);
    for (int i = 0; i < 13; i++)
        assert_int_equal(cmci_dynbuf_add(&b, chunk, sizeof(chunk)), CMC_OK);
    assert_int_equal(b.len, 3900);
    p = cmci_dynbuf_take(&b, &len);
    assert_non_null(p);
    assert_int_equal(len, 3900);
    assert_int_equal(p[3899], 0xAB);
    assert_null(b.ptr);
    OPENSSL_free(p);
    cmci_dynbuf_free(&b);
}

static void test_dynbuf_add__over_cap_fails_with_limit(void **state)
{
    struct cmc_dynbuf b;
    uint8_t chunk[100] = {0};

    cmci_dynbuf_init(&b, 250);
    assert_int_equal(cmci_dynbuf_add(&b, chunk, 100), CMC_OK);
    assert_int_equal(cmci_dynbuf_add(&b, chunk, 100), CMC_OK);
    assert_int_equal(cmci_dynbuf_add(&b, chunk, 100), CMC_ERR_LIMIT);
    assert_int_equal(b.len, 200);
    assert_true(b.alloc <= 250);
    assert_int_equal(cmci_dynbuf_add(&b, chunk, SIZE_MAX), CMC_ERR_LIMIT);
    cmci_dynbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dynbuf_add__grows_within_cap),
        cmocka_unit_test(test_dynbuf_add__over_cap_fails_with_limit),
    };
    return cmocka_run_group_tests_name("core_buf", tests, NULL, NULL);
}
