/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/engine/engine_controls.c through cmc_server_process: what every answer
 * echoes (transactionId, senderNonce as recipientNonce, dataReturn; rfc5272bis §6.4, §6.6),
 * for each kind of whole-message failure too, and the regInfo profile statement (§6.12). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/cms.h>
#include <openssl/err.h>

#include "engine_fixture.h"

#define CT_CMC_RESPONSE "application/pkcs7-mime; smime-type=CMC-response"

/* ---- helpers ------------------------------------------------------------------------- */

#define TID 31337
static const uint8_t nonce[] = "client-nonce-0123";
static const uint8_t dr1[] = "first dataReturn";
static const uint8_t dr2[] = {0x00, 0x01, 0xff}; /* opaque: any octets come back */

/* The three controls every answer must echo, as body parts 101..104. */
static void add_echo_controls(CMC_PKIDATA *pd)
{
    assert_true(ef_add_ctl_int(pd, 101, CMC_CTRL_TRANSACTION_ID, TID));
    assert_true(ef_add_ctl_octets(pd, 102, CMC_CTRL_SENDER_NONCE, nonce, sizeof(nonce)));
    assert_true(ef_add_ctl_octets(pd, 103, CMC_CTRL_DATA_RETURN, dr1, sizeof(dr1)));
    assert_true(ef_add_ctl_octets(pd, 104, CMC_CTRL_DATA_RETURN, dr2, sizeof(dr2)));
}

/* The response echoes exactly what add_echo_controls put in, dataReturns in order. */
static void check_echoed(const struct ef_resp *r)
{
    assert_non_null(r->tid);
    assert_int_equal(ASN1_INTEGER_get(r->tid), TID);
    assert_non_null(r->recipient_nonce);
    assert_int_equal(r->recipient_nonce->length, sizeof(nonce));
    assert_memory_equal(r->recipient_nonce->data, nonce, sizeof(nonce));
    assert_int_equal(r->n_data_return, 2);
    assert_int_equal(r->data_return[0]->length, sizeof(dr1));
    assert_memory_equal(r->data_return[0]->data, dr1, sizeof(dr1));
    assert_int_equal(r->data_return[1]->length, sizeof(dr2));
    assert_memory_equal(r->data_return[1]->data, dr2, sizeof(dr2));
    /* and our own fresh senderNonce, as on every Full PKI Response */
    assert_non_null(r->sender_nonce);
}

static void check_nothing_echoed(const struct ef_resp *r)
{
    assert_null(r->tid);
    assert_null(r->recipient_nonce);
    assert_int_equal(r->n_data_return, 0);
}

static CMC_PKIDATA *pd_with_tcr(EVP_PKEY *key, uint32_t id)
{
    CMC_PKIDATA *pd = ef_pkidata_new();
    X509_REQ *req = ef_p10(key, "client");

    assert_non_null(pd);
    assert_non_null(req);
    assert_true(ef_add_tcr(pd, id, req));
    X509_REQ_free(req);
    return pd;
}

static void add_null_control(CMC_PKIDATA *pd, uint32_t id, const ASN1_OBJECT *oid)
{
    ASN1_TYPE *t = ASN1_TYPE_new();

    assert_non_null(t);
    ASN1_TYPE_set(t, V_ASN1_NULL, NULL);
    assert_true(ef_add_control(pd, id, oid, t));
}

/* Run a Full PKI Request (@p der is consumed) that must get a parsable Full PKI Response. */
static void run_full(struct ef_fixture *f, uint8_t *der, size_t len, struct ef_resp *r)
{
    char ct[96];

    assert_non_null(der);
    assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, r, ct, sizeof(ct)));
    assert_string_equal(ct, CT_CMC_RESPONSE);
    OPENSSL_free(der);
}

/* A whole-message failure: one status, failed/@p fail_info, bodyList {0}, the statusString
 * holding @p why, nothing issued, and everything echoed. */
static void expect_whole_failure_echoed(struct ef_fixture *f, uint8_t *der, size_t len,
                                        long fail_info, const char *why)
{
    struct ef_resp r;
    long before = ef_store_count(f);

    run_full(f, der, len, &r);
    assert_int_equal(r.n_st, 1);
    assert_int_equal(r.st[0].status, 2);
    assert_int_equal(r.st[0].fail_info, fail_info);
    assert_int_equal(r.st[0].n_ids, 1);
    assert_int_equal(r.st[0].ids[0], 0);
    if (strstr(r.st[0].text, why) == NULL)
        fail_msg("statusString \"%s\" lacks \"%s\"", r.st[0].text, why);
    check_echoed(&r);
    assert_int_equal(ef_store_count(f), before);
    ef_resp_free(&r);
}

static uint8_t *full_pop(CMC_PKIDATA *pd, EVP_PKEY *key, size_t *len)
{
    uint8_t *der = ef_full_pop(pd, key, len);

    assert_non_null(der);
    return der;
}

/* ---- echo on every answer -------------------------------------------------------------- */

/* The defect: an unrecognised control failed the PKIData before the echo controls were
 * read, so the answer echoed nothing, while the same request with a recognised but
 * unsupported control echoed all three. Both now echo the same. */
static void test_echo__unrecognised_and_unsupported_control_alike(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *unknown = pd_with_tcr(key, 1), *unsupported = pd_with_tcr(key, 1);
    struct ef_resp a, b;
    size_t len = 0;
    uint8_t *der;

    add_echo_controls(unknown);
    add_null_control(unknown, 5, cmc_oid_get0_control(99));
    add_echo_controls(unsupported);
    assert_true(ef_add_ctl_octets(unsupported, 5, CMC_CTRL_IDENTITY_PROOF_V2, "w", 1));

    der = full_pop(unknown, key, &len);
    run_full(f, der, len, &a);
    der = full_pop(unsupported, key, &len);
    run_full(f, der, len, &b);
    /* unrecognised: failed/badRequest naming it; unsupported: noSupport */
    assert_int_equal(a.st[0].status, 2);
    assert_int_equal(a.st[0].fail_info, 2);
    assert_int_equal(a.st[0].ids[0], 5);
    assert_int_equal(b.st[0].status, 4);
    check_echoed(&a);
    check_echoed(&b);
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&a);
    ef_resp_free(&b);
    CMC_PKIDATA_free(unknown);
    CMC_PKIDATA_free(unsupported);
    EVP_PKEY_free(key);
}

/* rfc5272bis §3.2.1: duplicate bodyPartIDs and the reserved ID 0 fail the whole PKIData;
 * the PKIData decoded, so the answer echoes. */
static void test_echo__duplicate_and_reserved_body_part_ids(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 7);
    size_t len = 0;
    uint8_t *der;

    add_echo_controls(pd);
    assert_true(ef_add_ctl_octets(pd, 7, CMC_CTRL_RECIPIENT_NONCE, "r", 1));
    der = full_pop(pd, key, &len);
    expect_whole_failure_echoed(f, der, len, 2, "used more than once");
    CMC_PKIDATA_free(pd);

    pd = pd_with_tcr(key, 7);
    add_echo_controls(pd);
    assert_true(ef_add_ctl_octets(pd, 0, CMC_CTRL_RECIPIENT_NONCE, "r", 1));
    der = full_pop(pd, key, &len);
    expect_whole_failure_echoed(f, der, len, 2, "reserved");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* Over max_controls (8 in the fixture) and over max_body_parts (8). */
static void test_echo__over_limits(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    size_t len = 0;
    uint8_t *der;

    add_echo_controls(pd);
    for (uint32_t id = 20; id < 25; id++) /* 4 + 5 = 9 controls */
        assert_true(ef_add_ctl_octets(pd, id, CMC_CTRL_RECIPIENT_NONCE, "r", 1));
    der = full_pop(pd, key, &len);
    expect_whole_failure_echoed(f, der, len, 2, "controls");
    CMC_PKIDATA_free(pd);

    pd = pd_with_tcr(key, 1);
    add_echo_controls(pd);
    for (uint32_t id = 2; id <= 9; id++) /* 1 + 8 = 9 body parts */
        assert_true(ef_add_other_msg(pd, id));
    der = full_pop(pd, key, &len);
    expect_whole_failure_echoed(f, der, len, 2, "body parts");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* A cmsSequence nested deeper than max_nesting (1 in the fixture): the outer PKIData
 * decoded, its values are echoed. */
static void test_echo__nesting_too_deep(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *inner = ef_pkidata_new(), *middle = ef_pkidata_new(), *pd;
    size_t ilen = 0, mlen = 0, len = 0;
    uint8_t *ider, *mder, *der;

    ider = ef_full_cert(inner, f->op_cert, f->op_key, &ilen);
    assert_non_null(ider);
    assert_true(ef_add_cms(middle, 1, ider, ilen));
    mder = ef_full_cert(middle, f->op_cert, f->op_key, &mlen);
    assert_non_null(mder);
    pd = pd_with_tcr(key, 1);
    add_echo_controls(pd);
    assert_true(ef_add_cms(pd, 2, mder, mlen));
    der = full_pop(pd, key, &len);
    expect_whole_failure_echoed(f, der, len, 2, "nested");
    OPENSSL_free(ider);
    OPENSSL_free(mder);
    CMC_PKIDATA_free(inner);
    CMC_PKIDATA_free(middle);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* A wrapper signature that does not verify (either verification path) and a signer that
 * does not chain to signer_trust: badMessageCheck, and the values are echoed anyway. The
 * choice (engine.c echo_on_whole_failure, docs/conformance.md): the PKIData decoded; the
 * echo lets the client match the failure to its request and asserts nothing about it. */
static void test_echo__signature_failures(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    size_t len = 0, tlen = 0;
    uint8_t *der, *bad;

    add_echo_controls(pd);
    der = full_pop(pd, key, &len);
    bad = ef_tamper_signature(der, len, &tlen);
    OPENSSL_free(der);
    expect_whole_failure_echoed(f, bad, tlen, 1, "does not verify");

    der = ef_full_cert(pd, f->op_cert, f->op_key, &len);
    assert_non_null(der);
    bad = ef_tamper_signature(der, len, &tlen);
    OPENSSL_free(der);
    expect_whole_failure_echoed(f, bad, tlen, 1, "does not verify");

    der = ef_full_cert(pd, f->rogue_cert, f->rogue_key, &len);
    assert_non_null(der);
    expect_whole_failure_echoed(f, der, len, 1, "signer trust list");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* A SignedData whose content does not decode as a PKIData: nothing could be read, so
 * nothing is echoed (and the failure still names body part 0). */
static void test_echo__undecodable_pkidata_echoes_nothing(void **state)
{
    struct ef_fixture *f = *state;
    static const uint8_t not_pkidata[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    EVP_PKEY *key = ef_key_ec("P-256");
    struct ef_resp r;
    size_t len = 0;
    uint8_t *der;

    der = ef_sign_pop(not_pkidata, sizeof(not_pkidata), cmc_oid_get0(CMC_OID_CCT_PKIDATA), key,
                      &len);
    run_full(f, der, len, &r);
    assert_int_equal(r.n_st, 1);
    assert_int_equal(r.st[0].status, 2);
    assert_int_equal(r.st[0].ids[0], 0);
    check_nothing_echoed(&r);
    ef_resp_free(&r);
    EVP_PKEY_free(key);
}

/* Malformed echo controls are never echoed, on a whole-message failure (duplicate IDs
 * here) as on a processed request, where each gets its own badRequest status. */
static void test_echo__malformed_values_not_echoed(void **state)
{
    struct ef_fixture *f = *state;
    uint8_t long_nonce[65];
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    struct ef_resp r;
    size_t len = 0;
    uint8_t *der;

    memset(long_nonce, 'n', sizeof(long_nonce));
    assert_true(ef_add_ctl_octets(pd, 2, CMC_CTRL_TRANSACTION_ID, "not an INTEGER", 14));
    assert_true(ef_add_ctl_octets(pd, 3, CMC_CTRL_SENDER_NONCE, long_nonce, sizeof(long_nonce)));
    assert_true(ef_add_ctl_int(pd, 4, CMC_CTRL_DATA_RETURN, 5));
    der = full_pop(pd, key, &len);
    run_full(f, der, len, &r);
    assert_int_equal(r.n_st, 4); /* three bad controls, the request not processed */
    check_nothing_echoed(&r);
    ef_resp_free(&r);

    assert_true(ef_add_ctl_octets(pd, 1, CMC_CTRL_RECIPIENT_NONCE, "r", 1)); /* ID 1 twice */
    der = full_pop(pd, key, &len);
    run_full(f, der, len, &r);
    assert_int_equal(r.n_st, 1);
    assert_int_equal(r.st[0].ids[0], 0);
    check_nothing_echoed(&r);
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* Two transactionIds: the first is echoed, the second is badRequest; likewise senderNonce. */
static void test_echo__second_transaction_id_refused_first_echoed(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    struct ef_resp r;
    size_t len = 0;
    uint8_t *der;
    int seen_tid = 0, seen_nonce = 0;

    add_echo_controls(pd);
    assert_true(ef_add_ctl_int(pd, 105, CMC_CTRL_TRANSACTION_ID, 1));
    assert_true(ef_add_ctl_octets(pd, 106, CMC_CTRL_SENDER_NONCE, "x", 1));
    der = full_pop(pd, key, &len);
    run_full(f, der, len, &r);
    check_echoed(&r);
    for (size_t i = 0; i < r.n_st; i++) {
        if (r.st[i].ids[0] == 105) {
            assert_non_null(strstr(r.st[i].text, "more than one transactionId"));
            seen_tid = 1;
        } else if (r.st[i].ids[0] == 106) {
            assert_non_null(strstr(r.st[i].text, "more than one senderNonce"));
            seen_nonce = 1;
        }
    }
    assert_true(seen_tid && seen_nonce);
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* ---- regInfo "profile=NAME" (rfc5272bis §6.12, our bilateral syntax) --------------------- */

/* A regInfo control with exactly these @p n octets. */
static void add_reg_info(CMC_PKIDATA *pd, uint32_t id, const char *text, size_t n)
{
    assert_true(ef_add_ctl_octets(pd, id, CMC_CTRL_REG_INFO, text, n));
}

/* The regInfo control @p id is failed/badRequest with @p why, the request (ID 1) is not
 * processed, and nothing is issued. */
static void expect_reg_info_refused(struct ef_fixture *f, CMC_PKIDATA *pd, EVP_PKEY *key,
                                    uint32_t id, const char *why)
{
    struct ef_resp r;
    size_t len = 0;
    uint8_t *der = full_pop(pd, key, &len);
    int seen = 0;

    run_full(f, der, len, &r);
    for (size_t i = 0; i < r.n_st; i++) {
        assert_int_equal(r.st[i].status, 2);
        assert_int_equal(r.st[i].fail_info, 2);
        if (r.st[i].ids[0] == id) {
            if (strstr(r.st[i].text, why) == NULL)
                fail_msg("statusString \"%s\" lacks \"%s\"", r.st[i].text, why);
            seen = 1;
        }
    }
    assert_true(seen);
    assert_null(ef_find_cert(f, &r, key));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
}

/* Issued: a Simple PKI Response (nothing to echo, nothing failed) with the certificate. */
static void expect_issued(struct ef_fixture *f, CMC_PKIDATA *pd, EVP_PKEY *key)
{
    struct ef_resp r;
    size_t len = 0;
    uint8_t *der = full_pop(pd, key, &len);

    assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, NULL, 0));
    OPENSSL_free(der);
    assert_true(r.certs_only);
    assert_non_null(ef_find_cert(f, &r, key));
    ef_resp_free(&r);
}

/* Two different profiles, in one regInfo or in two: badRequest naming both, not "last one
 * wins" (which issued under whichever came last). */
static void test_reg_info__conflicting_profiles(void **state)
{
    struct ef_fixture *f = *state;
    static const char both[] = "profile=signed_only&profile=default";
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);

    add_reg_info(pd, 2, both, strlen(both));
    expect_reg_info_refused(f, pd, key, 2, "conflicting profile names \"signed_only\" and \"default\"");
    CMC_PKIDATA_free(pd);

    pd = pd_with_tcr(key, 1);
    assert_true(ef_add_profile(pd, 2, "signed_only"));
    assert_true(ef_add_profile(pd, 3, "default"));
    expect_reg_info_refused(f, pd, key, 3, "conflicting profile names");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* "profile=" and a bare "profile": an empty name is badRequest, not the default profile. */
static void test_reg_info__empty_profile_name(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);

    add_reg_info(pd, 2, "profile=", 8);
    expect_reg_info_refused(f, pd, key, 2, "empty profile name");
    CMC_PKIDATA_free(pd);

    pd = pd_with_tcr(key, 1);
    add_reg_info(pd, 2, "x=1&profile\nother=2", 19);
    expect_reg_info_refused(f, pd, key, 2, "empty profile name");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* "profile=default\0junk": the NUL must not cut the name to "default". */
static void test_reg_info__profile_name_with_nul(void **state)
{
    struct ef_fixture *f = *state;
    static const char text[] = "profile=default\0junk";
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);

    add_reg_info(pd, 2, text, sizeof(text) - 1);
    expect_reg_info_refused(f, pd, key, 2, "NUL");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* The same profile named twice, in one regInfo or in two: accepted (nothing is ambiguous),
 * and the certificate is issued under it. */
static void test_reg_info__same_profile_twice_accepted(void **state)
{
    struct ef_fixture *f = *state;
    static const char twice[] = "profile=default\nprofile=default";
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);

    add_reg_info(pd, 2, twice, strlen(twice));
    expect_issued(f, pd, key);
    CMC_PKIDATA_free(pd);

    pd = pd_with_tcr(key, 1);
    assert_true(ef_add_profile(pd, 2, "default"));
    assert_true(ef_add_profile(pd, 3, "default"));
    expect_issued(f, pd, key);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

int main(void)
{
#define TM(fn) cmocka_unit_test_setup_teardown(fn, ef_state_setup_mem, ef_state_teardown)
    const struct CMUnitTest tests[] = {
        TM(test_echo__unrecognised_and_unsupported_control_alike),
        TM(test_echo__duplicate_and_reserved_body_part_ids),
        TM(test_echo__over_limits),
        TM(test_echo__nesting_too_deep),
        TM(test_echo__signature_failures),
        TM(test_echo__undecodable_pkidata_echoes_nothing),
        TM(test_echo__malformed_values_not_echoed),
        TM(test_echo__second_transaction_id_refused_first_echoed),
        TM(test_reg_info__conflicting_profiles),
        TM(test_reg_info__empty_profile_name),
        TM(test_reg_info__profile_name_with_nul),
        TM(test_reg_info__same_profile_twice_accepted),
    };
    return cmocka_run_group_tests_name("engine_controls", tests, NULL, NULL);
}
