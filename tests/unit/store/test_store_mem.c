/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/store/store_mem.c, and for the location parsing and argument checks of
 * src/store/store.c that every backend shares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "store/store_local.h"

static const uint8_t der_a[] = {0x30, 0x03, 0x02, 0x01, 0x0A};
static const uint8_t der_b[] = {0x30, 0x03, 0x02, 0x01, 0x0B};

static struct cmc_cert_record make_rec(const char *serial, const uint8_t *der, size_t len)
{
    struct cmc_cert_record r = {
        .serial_hex = serial, .subject = "CN=test", .issuer = "CN=CA", .profile = "tls",
        .not_before = 1700000000, .not_after = 1800000000, .issued_at = 1700000000,
        .der = der, .der_len = len,
    };
    return r;
}

static int setup(void **state)
{
    struct cmc_store *st = NULL;

    if (cmc_store_open(&st, "mem:") != CMC_OK)
        return -1;
    *state = st;
    return 0;
}

static int teardown(void **state)
{
    cmc_store_free(*state);
    return 0;
}

static void expect_der(struct cmc_store *st, const char *serial, const uint8_t *want,
                       size_t want_len)
{
    uint8_t *der = NULL;
    size_t len = 0;

    assert_int_equal(cmc_store_cert_get_der(st, serial, &der, &len), CMC_OK);
    assert_int_equal(len, want_len);
    assert_memory_equal(der, want, want_len);
    OPENSSL_free(der);
}

static void test_open__bad_location_is_config_error(void **state)
{
    static const char *bad[] = {"", "mem", "mem:x", "MEM:", "sqlite:", "pg:db", "nocolon",
                                "sqlite::memory:", "sqlite:file:x.db"};
    struct cmc_store *st = (struct cmc_store *)1;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cmc_store_open(&st, bad[i]), CMC_ERR_CONFIG);
        assert_null(st);
    }
    assert_int_equal(cmc_store_open(&st, NULL), CMC_ERR_USAGE);
    assert_int_equal(cmc_store_open(NULL, "mem:"), CMC_ERR_USAGE);
}

/* cmc_store_free(NULL) does nothing, like free(NULL): in particular it leaves the thread's
 * error record alone, so a caller can clean up after a failed open and still report why. */
static void test_free__null_is_noop(void **state)
{
    struct cmc_store *st = NULL;
    char why[256];

    assert_int_equal(cmc_store_open(&st, "nosuchbackend:x"), CMC_ERR_CONFIG);
    assert_null(st);
    snprintf(why, sizeof(why), "%s", cmc_error_get0_message());
    assert_true(why[0] != '\0');
    cmc_store_free(st);
    assert_string_equal(cmc_error_get0_message(), why);
}

static void test_put_get_count__round_trip(void **state)
{
    struct cmc_store *st = *state;
    struct cmc_cert_record a = make_rec("0A", der_a, sizeof(der_a));
    struct cmc_cert_record b = make_rec("0B", der_b, sizeof(der_b));
    uint64_t n = 99;
    uint8_t *der = (uint8_t *)1;
    size_t len = 7;

    assert_int_equal(cmc_store_cert_count(st, &n), CMC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cmc_store_cert_put(st, &b), CMC_OK);
    assert_int_equal(cmc_store_cert_put(st, &a), CMC_OK);
    assert_int_equal(cmc_store_cert_count(st, &n), CMC_OK);
    assert_int_equal(n, 2);
    expect_der(st, "0A", der_a, sizeof(der_a));
    expect_der(st, "0B", der_b, sizeof(der_b));
    assert_int_equal(cmc_store_cert_get_der(st, "0C", &der, &len), CMC_ERR_NOT_FOUND);
    assert_null(der);
    assert_int_equal(len, 0);
}

static void test_put__duplicate_serial_changes_nothing(void **state)
{
    struct cmc_store *st = *state;
    struct cmc_cert_record a = make_rec("0A", der_a, sizeof(der_a));
    struct cmc_cert_record again = make_rec("0A", der_b, sizeof(der_b));
    uint64_t n = 0;

    assert_int_equal(cmc_store_cert_put(st, &a), CMC_OK);
    assert_int_equal(cmc_store_cert_put(st, &again), CMC_ERR_STORE_DUP);
    assert_int_equal(cmc_error_get_code(), CMC_ERR_STORE_DUP);
    assert_int_equal(cmc_store_cert_count(st, &n), CMC_OK);
    assert_int_equal(n, 1);
    expect_der(st, "0A", der_a, sizeof(der_a));
}

static void test_put__bad_record_is_usage_error(void **state)
{
    struct cmc_store *st = *state;
    struct cmc_cert_record r = make_rec("0a", der_a, sizeof(der_a));
    uint8_t *der = NULL;
    size_t len = 0;
    uint64_t n = 1;

    assert_int_equal(cmc_store_cert_put(st, &r), CMC_ERR_USAGE); /* lower case */
    r.serial_hex = "";
    assert_int_equal(cmc_store_cert_put(st, &r), CMC_ERR_USAGE);
    r.serial_hex = NULL;
    assert_int_equal(cmc_store_cert_put(st, &r), CMC_ERR_USAGE);
    r.serial_hex = "0x0A";
    assert_int_equal(cmc_store_cert_put(st, &r), CMC_ERR_USAGE);
    r = make_rec("0A", der_a, 0);
    assert_int_equal(cmc_store_cert_put(st, &r), CMC_ERR_USAGE);
    r = make_rec("0A", der_a, CMCI_STORE_DER_MAX + 1);
    assert_int_equal(cmc_store_cert_put(st, &r), CMC_ERR_LIMIT);
    assert_int_equal(cmc_store_cert_put(st, NULL), CMC_ERR_USAGE);
    assert_int_equal(cmc_store_cert_put(NULL, &r), CMC_ERR_USAGE);
    assert_int_equal(cmc_store_cert_get_der(st, "0a", &der, &len), CMC_ERR_USAGE);
    assert_int_equal(cmc_store_cert_count(st, &n), CMC_OK);
    assert_int_equal(n, 0);
}

static void test_open__each_mem_store_is_separate(void **state)
{
    struct cmc_store *other = NULL;
    struct cmc_cert_record a = make_rec("0A", der_a, sizeof(der_a));
    uint64_t n = 1;

    assert_int_equal(cmc_store_cert_put(*state, &a), CMC_OK);
    assert_int_equal(cmc_store_open(&other, "mem:"), CMC_OK);
    assert_int_equal(cmc_store_cert_count(other, &n), CMC_OK);
    assert_int_equal(n, 0);
    cmc_store_free(other);
}

static void test_put__many_keep_order_and_lookup(void **state)
{
    struct cmc_store *st = *state;
    char serial[16];
    uint8_t der[4];
    struct cmc_cert_record r;
    uint64_t n = 0;
    int i;

    /* Descending inserts exercise the sorted insert at the front. */
    for (i = 999; i >= 0; i--) {
        snprintf(serial, sizeof(serial), "%04X", (unsigned)i);
        memcpy(der, &i, sizeof(der));
        r = make_rec(serial, der, sizeof(der));
        assert_int_equal(cmc_store_cert_put(st, &r), CMC_OK);
    }
    assert_int_equal(cmc_store_cert_count(st, &n), CMC_OK);
    assert_int_equal(n, 1000);
    for (i = 0; i < 1000; i++) {
        snprintf(serial, sizeof(serial), "%04X", (unsigned)i);
        memcpy(der, &i, sizeof(der));
        expect_der(st, serial, der, sizeof(der));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open__bad_location_is_config_error),
        cmocka_unit_test(test_free__null_is_noop),
        cmocka_unit_test_setup_teardown(test_put_get_count__round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put__duplicate_serial_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_put__bad_record_is_usage_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open__each_mem_store_is_separate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put__many_keep_order_and_lookup, setup, teardown),
    };
    return cmocka_run_group_tests_name("store_mem", tests, NULL, NULL);
}
