/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/engine/engine_log.c: the lines cmcd's log gets for a request, captured
 * through the core_log sink. An issuance line names serial, subject, profile and who
 * authorised it; a refusal line carries the statusString; debug adds every status and the
 * source location of each request error; nothing secret is ever written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/cms.h>

#include "core/core_log.h"
#include "engine_fixture.h"

static char logbuf[65536];
static size_t n_lines;

static void sink(void *arg, enum cmc_log_level lvl, const char *line, size_t len)
{
    size_t used = strlen(logbuf);

    (void)arg;
    (void)lvl;
    /* every event is exactly one line */
    assert_true(len > 0 && line[len - 1] == '\n');
    assert_null(memchr(line, '\n', len - 1));
    if (used + len < sizeof(logbuf)) {
        memcpy(logbuf + used, line, len);
        logbuf[used + len] = '\0';
    }
    n_lines++;
}

static void reset_log(enum cmc_log_level lvl)
{
    logbuf[0] = '\0';
    n_lines = 0;
    cmci_log_set_level(lvl);
}

static void expect_in_log(const char *needle)
{
    if (strstr(logbuf, needle) == NULL)
        fail_msg("\"%s\" not in the log:\n%s", needle, logbuf);
}

static int setup(void **state)
{
    struct ef_fixture *f = calloc(1, sizeof(*f));

    if (f == NULL || !ef_setup(f, 0)) {
        free(f);
        return -1;
    }
    *state = f;
    cmci_log_set_sink(sink, NULL);
    reset_log(CMC_LOG_INFO); /* the fixture's cmcd.cnf says log_level = error */
    return 0;
}

static int teardown(void **state)
{
    struct ef_fixture *f = *state;

    cmci_log_set_sink(NULL, NULL);
    ef_teardown(f);
    free(f);
    return 0;
}

/* The serial of @p x as `openssl x509 -serial` prints it. */
static void serial_hex(X509 *x, char *out, size_t len)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *h = BN_bn2hex(bn);

    assert_non_null(h);
    snprintf(out, len, "%s", h);
    OPENSSL_free(h);
    BN_free(bn);
}

static CMC_PKIDATA *pd_with_tcr(EVP_PKEY *key, uint32_t id, const char *cn)
{
    CMC_PKIDATA *pd = ef_pkidata_new();
    X509_REQ *req = ef_p10(key, cn);

    assert_non_null(pd);
    assert_non_null(req);
    assert_true(ef_add_tcr(pd, id, req));
    X509_REQ_free(req);
    return pd;
}

/* Simple PKI Request: serial (hex, the certificate's), subject, profile, signer none; and
 * the challengePassword it carries is not in the log. */
static void test_log__simple_issuance_line(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(key, "log-simple");
    char want[300], hex[80];
    struct ef_resp r;
    uint8_t *der;
    size_t len = 0;

    assert_non_null(req);
    assert_int_equal(X509_REQ_add1_attr_by_NID(req, NID_pkcs9_challengePassword, MBSTRING_ASC,
                                               (const unsigned char *)"hunter2-secret", -1),
                     1);
    assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
    der = ef_p10_der(req, &len);
    assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, NULL, 0));
    serial_hex(ef_find_cert(f, &r, key), hex, sizeof(hex));
    snprintf(want, sizeof(want),
             " info issued serial=%s subject=\"CN=log-simple\" profile=default request=simple "
             "bodyPart=1 signer=none\n",
             hex);
    expect_in_log(want);
    assert_int_equal(n_lines, 1);
    assert_null(strstr(logbuf, "hunter2"));
    ef_resp_free(&r);
    OPENSSL_free(der);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
}

/* A subject with '"' and '\\' (RFC 2253 escapes them, the log's quoting escapes them again):
 * the issued line stays one parseable key="value" field. */
static void test_log__issuance_line_quotes_the_subject(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(key, "log \"q\" \\b");
    char want[300], hex[80];
    struct ef_resp r;
    uint8_t *der;
    size_t len = 0;

    assert_non_null(req);
    der = ef_p10_der(req, &len);
    assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, NULL, 0));
    serial_hex(ef_find_cert(f, &r, key), hex, sizeof(hex));
    snprintf(want, sizeof(want),
             " info issued serial=%s subject=\"%s\" profile=default request=simple "
             "bodyPart=1 signer=none\n",
             hex, "CN=log \\\\\\\"q\\\\\\\" \\\\\\\\b");
    expect_in_log(want);
    assert_int_equal(n_lines, 1);
    ef_resp_free(&r);
    OPENSSL_free(der);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
}

/* Full PKI Requests: signed by the key being certified (signer=pop-key), and signed by an
 * operator under an operator-only profile (signer_subject and signer_serial of the
 * operator certificate). dataReturn bytes are never logged. */
static void test_log__full_issuance_names_the_signer(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 4, "log-full");
    char want[600], hex[80], ophex[80], opsubj[256];
    struct ef_resp r;
    uint8_t *der;
    size_t len = 0;

    assert_true(ef_add_ctl_octets(pd, 5, CMC_CTRL_DATA_RETURN, "opaque-data-return", 18));
    der = ef_full_pop(pd, key, &len);
    assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, NULL, 0));
    OPENSSL_free(der);
    serial_hex(ef_find_cert(f, &r, key), hex, sizeof(hex));
    snprintf(want, sizeof(want),
             "issued serial=%s subject=\"CN=log-full\" profile=default request=full "
             "bodyPart=4 signer=pop-key\n",
             hex);
    expect_in_log(want);
    ef_resp_free(&r);

    reset_log(CMC_LOG_INFO);
    assert_true(ef_add_profile(pd, 6, "signed_only"));
    der = ef_full_cert(pd, f->op_cert, f->op_key, &len);
    assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, NULL, 0));
    OPENSSL_free(der);
    serial_hex(ef_find_cert(f, &r, key), hex, sizeof(hex));
    serial_hex(f->op_cert, ophex, sizeof(ophex));
    X509_NAME_oneline(X509_get_subject_name(f->op_cert), opsubj, sizeof(opsubj));
    assert_true(opsubj[0] == '/' && strchr(opsubj + 1, '/') == NULL); /* one RDN: CN=... */
    snprintf(want, sizeof(want),
             "issued serial=%s subject=\"CN=log-full\" profile=signed_only request=full "
             "bodyPart=4 signer=operator signer_subject=\"%s\" signer_serial=%s\n",
             hex, opsubj + 1, ophex);
    expect_in_log(want);
    assert_null(strstr(logbuf, "opaque-data-return"));
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* A refused request: one info line with the first failure's body part, status, failInfo
 * and statusString (quotes escaped), and how many more failed. */
static void test_log__refusal_line_carries_the_reason(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1, "log-refused");
    struct ef_resp r;
    uint8_t *der;
    size_t len = 0;

    assert_true(ef_add_profile(pd, 2, "no-such-profile"));
    der = ef_full_pop(pd, key, &len);
    assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, NULL, 0));
    OPENSSL_free(der);
    expect_in_log(" info refused full request bodyPart=2 status=failed failInfo=badRequest "
                  "reason=\"regInfo: unknown profile \\\"no-such-profile\\\"\" issued=0 "
                  "other_failures=1\n");
    assert_int_equal(n_lines, 1);
    assert_null(strstr(logbuf, "issued serial="));
    /* the location is for debug logs only */
    assert_null(strstr(logbuf, ".c:"));
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* log_level=debug: every failed status gets its line, and each request error its whole
 * record with the source location. */
static void test_log__debug_adds_statuses_and_locations(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1, "log-debug");
    struct ef_resp r;
    uint8_t *der;
    size_t len = 0;

    reset_log(CMC_LOG_DEBUG);
    assert_true(ef_add_profile(pd, 2, "no-such-profile"));
    der = ef_full_pop(pd, key, &len);
    assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, NULL, 0));
    OPENSSL_free(der);
    expect_in_log(" debug request error: unknown profile \"no-such-profile\" [engine_controls.c:");
    expect_in_log(" debug status of full request bodyPart=2 status=failed failInfo=badRequest");
    expect_in_log(" debug status of full request bodyPart=1 status=failed failInfo=badRequest "
                  "reason=\"not processed: ");
    expect_in_log(" info refused full request bodyPart=2 ");
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_log__simple_issuance_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log__issuance_line_quotes_the_subject, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_log__full_issuance_names_the_signer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_log__refusal_line_carries_the_reason, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_log__debug_adds_statuses_and_locations, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("engine_log", tests, NULL, NULL);
}
