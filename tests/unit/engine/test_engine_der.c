/* SPDX-License-Identifier: Apache-2.0 */
/* The engine takes DER only (issue 9 item 3): a BER request body gets HTTP 400 with a
 * one-line reason, a BER PKIData badRequest; a request whose subject or requested
 * extension is malformed gets failed/badRequest naming the field, nothing issued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/x509v3.h>

#include <cmc/asn1.h>

#include "engine_fixture.h"

/* @p der (one SEQUENCE with a definite length) with its outer header rewritten: @p form 0
 * indefinite length (and end-of-contents appended), 1 a length in one octet more than
 * needed. The content, and so every signature inside, is unchanged. Ownership: new. */
static uint8_t *to_ber(const uint8_t *der, size_t len, int form, size_t *out_len)
{
    size_t hl = (der[1] & 0x80) ? 2 + (der[1] & 0x7fu) : 2, cl = len - hl;
    uint8_t *b = OPENSSL_malloc(len + 8), *w = b;

    assert_non_null(b);
    *w++ = der[0];
    if (form == 0) {
        *w++ = 0x80;
    } else {
        *w++ = 0x84; /* four length octets where at most three are needed */
        *w++ = (uint8_t)(cl >> 24);
        *w++ = (uint8_t)(cl >> 16);
        *w++ = (uint8_t)(cl >> 8);
        *w++ = (uint8_t)cl;
    }
    memcpy(w, der + hl, cl);
    w += cl;
    if (form == 0) {
        *w++ = 0;
        *w++ = 0;
    }
    *out_len = (size_t)(w - b);
    return b;
}

static void expect_400(struct ef_fixture *f, enum cmc_request_kind kind, const uint8_t *in,
                       size_t len, const char *needle)
{
    struct cmc_server_answer ans;

    assert_int_equal(cmc_server_process(f->srv, kind, in, len, &ans), CMC_OK);
    assert_int_equal(ans.http_status, 400);
    assert_null(ans.body);
    assert_null(strchr(ans.reason, '\n'));
    if (strstr(ans.reason, needle) == NULL)
        fail_msg("\"%s\" not in reason \"%s\"", needle, ans.reason);
    cmc_server_answer_clear(&ans);
}

/* The BER forms of a good Simple and a good Full request: 400 "request body is not DER",
 * nothing issued; the DER forms themselves are issued. */
static void test_engine_der__ber_body_is_400(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(key, "ber");
    CMC_PKIDATA *pd = ef_pkidata_new();
    size_t plen = 0, flen = 0, blen = 0;
    uint8_t *p10, *full, *ber;
    struct ef_resp r;

    assert_true(ef_add_tcr(pd, 1, req));
    p10 = ef_p10_der(req, &plen);
    full = ef_full_pop(pd, key, &flen);
    assert_non_null(p10);
    assert_non_null(full);
    for (int form = 0; form < 2; form++) {
        const char *why = form == 0 ? "request body is not DER: indefinite length at offset 0"
                                    : "request body is not DER: length not in the fewest";

        ber = to_ber(p10, plen, form, &blen);
        expect_400(f, CMC_REQUEST_SIMPLE, ber, blen, why);
        OPENSSL_free(ber);
        ber = to_ber(full, flen, form, &blen);
        expect_400(f, CMC_REQUEST_FULL, ber, blen, why);
        OPENSSL_free(ber);
    }
    assert_int_equal(ef_store_count(f), 0);
    /* the same requests in DER are good */
    assert_true(ef_run(f, CMC_REQUEST_SIMPLE, p10, plen, &r, NULL, 0));
    ef_resp_free(&r);
    assert_true(ef_run(f, CMC_REQUEST_FULL, full, flen, &r, NULL, 0));
    ef_resp_free(&r);
    assert_int_equal(ef_store_count(f), 2);
    OPENSSL_free(p10);
    OPENSSL_free(full);
    CMC_PKIDATA_free(pd);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
}

/* A DER ContentInfo whose signed PKIData is BER: failed/badRequest {0} naming it. */
static void test_engine_der__ber_pkidata_is_bad_request(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(key, "ber pkidata");
    CMC_PKIDATA *pd = ef_pkidata_new();
    size_t dlen = 0, blen = 0, flen = 0;
    uint8_t *der, *ber, *full;
    struct ef_resp r;

    assert_true(ef_add_tcr(pd, 1, req));
    der = ef_pkidata_der(pd, &dlen);
    ber = to_ber(der, dlen, 1, &blen);
    full = ef_sign_pop(ber, blen, cmc_oid_get0(CMC_OID_CCT_PKIDATA), key, &flen);
    assert_non_null(full);
    assert_true(ef_run(f, CMC_REQUEST_FULL, full, flen, &r, NULL, 0));
    assert_int_equal(r.n_st, 1);
    assert_int_equal(r.st[0].status, CMC_STATUS_FAILED);
    assert_int_equal(r.st[0].fail_info, CMC_FAIL_BAD_REQUEST);
    assert_int_equal(r.st[0].n_ids, 1);
    assert_int_equal(r.st[0].ids[0], 0);
    assert_non_null(strstr(r.st[0].text, "the PKIData is not DER"));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    OPENSSL_free(full);
    OPENSSL_free(ber);
    OPENSSL_free(der);
    CMC_PKIDATA_free(pd);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
}

/* A signed PKCS #10 for @p key with subject @p n and extensions @p exts. Ownership: new. */
static uint8_t *p10_with(EVP_PKEY *key, const X509_NAME *n, STACK_OF(X509_EXTENSION) *exts,
                         size_t *len)
{
    X509_REQ *req = X509_REQ_new();
    uint8_t *der;

    assert_int_equal(X509_REQ_set_subject_name(req, n), 1);
    assert_int_equal(X509_REQ_set_pubkey(req, key), 1);
    if (exts != NULL)
        assert_int_equal(X509_REQ_add_extensions(req, exts), 1);
    assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
    der = ef_p10_der(req, len);
    assert_non_null(der);
    X509_REQ_free(req);
    return der;
}

/* Simple request -> one failed/badRequest status for body part 1 with @p needle. */
static void expect_refused(struct ef_fixture *f, const uint8_t *der, size_t len,
                           const char *needle)
{
    struct ef_resp r;

    assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, NULL, 0));
    assert_int_equal(r.n_st, 1);
    assert_int_equal(r.st[0].status, CMC_STATUS_FAILED);
    assert_int_equal(r.st[0].fail_info, CMC_FAIL_BAD_REQUEST);
    assert_int_equal(r.st[0].ids[0], 1);
    if (strstr(r.st[0].text, needle) == NULL)
        fail_msg("\"%s\" not in statusString \"%s\"", needle, r.st[0].text);
    ef_resp_free(&r);
}

/* The shapes, end to end: a CN with a NUL byte, a 5000-character CN, a SAN whose
 * extnValue is garbage, a dNSName with a NUL. Each is badRequest naming the field, and
 * nothing is issued. */
static void test_engine_der__bad_subject_and_san_refused(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    char *big = OPENSSL_malloc(5001);
    static const unsigned char garbage[] = {0x04, 0x02, 0xde, 0xad};
    static const unsigned char nul_dns[] = {0x30, 0x07, 0x82, 0x05, 'a', 0x00, '.', 'e', 'x'};
    const unsigned char *vals[] = {garbage, nul_dns};
    const size_t vlens[] = {sizeof(garbage), sizeof(nul_dns)};
    const char *why[] = {"requested subjectAltName: extnValue does not decode",
                         "subjectAltName name 1 (dNSName)"};
    X509_NAME *n;
    uint8_t *der;
    size_t len = 0;

    memset(big, 'x', 5000);
    big[5000] = '\0';
    n = X509_NAME_new();
    X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_UTF8STRING,
                               (const unsigned char *)"a\0b", 3, -1, 0);
    der = p10_with(key, n, NULL, &len);
    expect_refused(f, der, len, "subject commonName: contains a control character");
    OPENSSL_free(der);
    X509_NAME_free(n);

    n = X509_NAME_new();
    X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_UTF8STRING, (const unsigned char *)big,
                               -1, -1, 0);
    der = p10_with(key, n, NULL, &len);
    expect_refused(f, der, len, "subject commonName: longer than 64 characters");
    OPENSSL_free(der);
    X509_NAME_free(n);

    for (int i = 0; i < 2; i++) {
        STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();

        ASN1_OCTET_STRING_set(os, vals[i], (int)vlens[i]);
        sk_X509_EXTENSION_push(exts, X509_EXTENSION_create_by_NID(NULL, NID_subject_alt_name,
                                                                  0, os));
        ASN1_OCTET_STRING_free(os);
        n = X509_NAME_new();
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"san", -1, -1,
                                   0);
        der = p10_with(key, n, exts, &len);
        expect_refused(f, der, len, why[i]);
        OPENSSL_free(der);
        X509_NAME_free(n);
        sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    }
    assert_int_equal(ef_store_count(f), 0);
    OPENSSL_free(big);
    EVP_PKEY_free(key);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, ef_state_setup_mem, ef_state_teardown)
    const struct CMUnitTest tests[] = {
        T(test_engine_der__ber_body_is_400),
        T(test_engine_der__ber_pkidata_is_bad_request),
        T(test_engine_der__bad_subject_and_san_refused),
    };
#undef T
    return cmocka_run_group_tests_name("engine_der", tests, NULL, NULL);
}
