/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for the server engine (src/engine/): Simple and Full PKI Requests end to end through
 * cmc_server_process, each asserting the exact CMCStatus, CMCFailInfo and bodyList. */
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

#include <cmc/client.h>
#include <cmc/store.h>

#include "engine_fixture.h"

#define CT_CERTS_ONLY "application/pkcs7-mime; smime-type=certs-only"
#define CT_CMC_RESPONSE "application/pkcs7-mime; smime-type=CMC-response"

/* ---- fixtures ------------------------------------------------------------------------ */

/* ---- helpers ------------------------------------------------------------------------- */

/* Assert that status @p s is exactly (status, failInfo, bodyList). failInfo -1 = absent. */
static void check_status(const struct ef_status *s, int status, long fail_info,
                         const uint32_t *ids, size_t n_ids)
{
    assert_non_null(s);
    if (s->status != status || s->fail_info != fail_info)
        print_error("status %d failInfo %ld text \"%s\"\n", s->status, s->fail_info, s->text);
    assert_int_equal(s->status, status);
    assert_int_equal(s->fail_info, fail_info);
    assert_int_equal(s->n_ids, n_ids);
    for (size_t i = 0; i < n_ids; i++)
        assert_int_equal(s->ids[i], ids[i]);
}

/* IDS(1, 2) expands to the two arguments (ids, n_ids) of check_status */
#define IDS(...)                                                                           \
    ((const uint32_t[]){__VA_ARGS__}),                                                     \
        (sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

/* The status whose bodyList names @p id, or NULL. */
static const struct ef_status *status_for(const struct ef_resp *r, uint32_t id)
{
    for (size_t i = 0; i < r->n_st; i++)
        for (size_t j = 0; j < r->st[i].n_ids; j++)
            if (r->st[i].ids[j] == id)
                return &r->st[i];
    return NULL;
}

/* Run a Full PKI Request that must produce a parsable Full PKI Response. */
/* @p len is read only after @p der was made: the builders set it as a side effect, and the
 * order in which a call's arguments are evaluated is unspecified. */
static void run_full(struct ef_fixture *f, uint8_t *der, const size_t *len, struct ef_resp *r)
{
    char ct[96];
    assert_non_null(der);
    assert_true(ef_run(f, CMC_REQUEST_FULL, der, *len, r, ct, sizeof(ct)));
    assert_string_equal(ct, CT_CMC_RESPONSE);
    assert_false(r->certs_only);
    OPENSSL_free(der);
}

/* The whole message failed: exactly one status, bodyList {0}, and nothing issued. */
static void check_whole_failure(struct ef_fixture *f, uint8_t *der, const size_t *len,
                                int status, long fail_info, const char *why)
{
    struct ef_resp r;
    long before = ef_store_count(f);

    run_full(f, der, len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], status, fail_info, IDS(0));
    if (strstr(r.st[0].text, why) == NULL)
        print_error("statusString \"%s\" lacks \"%s\"\n", r.st[0].text, why);
    assert_non_null(strstr(r.st[0].text, why));
    /* the statusString is for the client: no OpenSSL internals, no source locations */
    assert_null(strstr(r.st[0].text, "error:"));
    assert_null(strstr(r.st[0].text, ".c:"));
    /* What is echoed on a whole-message failure (rfc5272bis §6.4, §6.6: everything, when the
     * PKIData decoded) is asserted by test_engine_controls.c, failure kind by kind. */
    assert_int_equal(sk_X509_num(r.certs), 1); /* the CA certificate only */
    assert_int_equal(ef_store_count(f), before);
    ef_resp_free(&r);
}

/* A PKIData holding one PKCS #10 for @p key as body part @p id. */
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

/* A control with a NULL value, for controls whose value the engine never reads. */
static void add_null_control(CMC_PKIDATA *pd, uint32_t id, const ASN1_OBJECT *oid)
{
    ASN1_TYPE *t = ASN1_TYPE_new();
    assert_non_null(t);
    ASN1_TYPE_set(t, V_ASN1_NULL, NULL);
    assert_true(ef_add_control(pd, id, oid, t));
}

/* Process @p in and expect a 4xx answer with a reason and no body. */
static void expect_http(struct ef_fixture *f, enum cmc_request_kind kind, const uint8_t *in,
                        size_t len, int http_status)
{
    struct cmc_server_answer ans;

    assert_int_equal(cmc_server_process(f->srv, kind, in, len, &ans), CMC_OK);
    assert_int_equal(ans.http_status, http_status);
    assert_null(ans.body);
    assert_true(strlen(ans.reason) > 0);
    cmc_server_answer_clear(&ans);
}

/* ---- Simple PKI Requests ------------------------------------------------------------- */

/* rfc5272bis §3.1/§4.1: a good PKCS #10 gets a certs-only response holding a certificate
 * for the requested key, issued by the CA. */
static void test_simple_good(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(key, "simple client");
    size_t len = 0;
    uint8_t *der = ef_p10_der(req, &len);
    struct ef_resp r;
    char ct[96];
    X509 *cert;
    long before = ef_store_count(f);

    assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, ct, sizeof(ct)));
    assert_string_equal(ct, CT_CERTS_ONLY);
    assert_true(r.certs_only);
    assert_int_equal(r.n_st, 0);
    assert_non_null(cert = ef_find_cert(f, &r, key));
    assert_int_equal(X509_NAME_cmp(X509_get_subject_name(cert), X509_REQ_get_subject_name(req)), 0);
    assert_int_equal(ef_store_count(f), before + 1);
    ef_resp_free(&r);
    OPENSSL_free(der);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
}

/* The Simple PKI Response is written as DER by hand (engine_response.c); it must be the
 * exact bytes OpenSSL's own certs-only SignedData gives for the same certificates, which
 * also checks the DER SET OF order of `certificates`. CMS_DETACHED: RFC 5652 §5.2 says the
 * eContent of a SignedData without signers MUST be omitted (without the flag OpenSSL
 * writes an empty one). */
static void test_simple_response_der_matches_openssl(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(key, "der client");
    size_t len = 0;
    uint8_t *der = ef_p10_der(req, &len);
    struct cmc_server_answer ans;
    const unsigned char *p;
    CMS_ContentInfo *got, *want;
    STACK_OF(X509) *certs;
    unsigned char *wder = NULL;
    int wlen;

    assert_int_equal(cmc_server_process(f->srv, CMC_REQUEST_SIMPLE, der, len, &ans), CMC_OK);
    assert_int_equal(ans.http_status, 200);
    p = ans.body;
    got = d2i_CMS_ContentInfo(NULL, &p, (long)ans.body_len);
    assert_non_null(got);
    assert_ptr_equal(p, ans.body + ans.body_len);
    certs = CMS_get1_certs(got);
    assert_int_equal(sk_X509_num(certs), 2); /* the issued certificate and the CA */
    want = CMS_sign(NULL, NULL, certs, NULL, CMS_PARTIAL | CMS_DETACHED);
    assert_non_null(want);
    wlen = i2d_CMS_ContentInfo(want, &wder);
    assert_int_equal((size_t)wlen, ans.body_len);
    assert_memory_equal(wder, ans.body, ans.body_len);
    OPENSSL_free(wder);
    CMS_ContentInfo_free(want);
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(got);
    cmc_server_answer_clear(&ans);
    OPENSSL_free(der);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
}

/* rfc5272bis §3.1: an error about a Simple PKI Request is a Full PKI Response naming body
 * part 1; a broken self-signature is popFailed. */
static void test_simple_bad_pop(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(key, "simple client");
    size_t len = 0;
    uint8_t *der = ef_p10_der(req, &len);
    struct ef_resp r;
    char ct[96];

    der[len - 1] ^= 0x01; /* last byte of the ECDSA s value */
    assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, ct, sizeof(ct)));
    assert_string_equal(ct, CT_CMC_RESPONSE);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 2, 9, IDS(1)); /* failed / popFailed / {1} */
    assert_null(ef_find_cert(f, &r, key));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    OPENSSL_free(der);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
}

/* Bodies that are not CMC at all are an HTTP 400 with a reason, for both kinds. */
static void test_undecodable(void **state)
{
    struct ef_fixture *f = *state;
    static const uint8_t garbage[] = "this is not DER at all";
    EVP_PKEY *key = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(key, "client");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    size_t plen = 0, flen = 0;
    uint8_t *p10 = ef_p10_der(req, &plen);
    uint8_t *full = ef_full_pop(pd, key, &flen);
    uint8_t *p10x = OPENSSL_malloc(plen + 1), *fullx = OPENSSL_malloc(flen + 1);

    assert_non_null(p10);
    assert_non_null(full);
    memcpy(p10x, p10, plen);
    p10x[plen] = 0x00;
    memcpy(fullx, full, flen);
    fullx[flen] = 0x00;
    for (int k = CMC_REQUEST_SIMPLE; k <= CMC_REQUEST_FULL; k++) {
        expect_http(f, (enum cmc_request_kind)k, garbage, sizeof(garbage), 400);
        expect_http(f, (enum cmc_request_kind)k, garbage, 0, 400);
    }
    expect_http(f, CMC_REQUEST_SIMPLE, p10, plen - 7, 400);     /* truncated */
    expect_http(f, CMC_REQUEST_SIMPLE, p10x, plen + 1, 400);    /* trailing byte */
    expect_http(f, CMC_REQUEST_FULL, full, flen - 7, 400);
    expect_http(f, CMC_REQUEST_FULL, fullx, flen + 1, 400);
    expect_http(f, CMC_REQUEST_FULL, p10, plen, 400);           /* wrong kind */
    assert_int_equal(ef_store_count(f), 0);
    OPENSSL_free(p10);
    OPENSSL_free(p10x);
    OPENSSL_free(full);
    OPENSSL_free(fullx);
    CMC_PKIDATA_free(pd);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
}

/* ---- Full PKI Requests: success --------------------------------------------------------- */

/* rfc5272bis §3.2, §6.4, §6.6: PKCS #10 signed by the POP key; the response echoes the
 * transactionId, returns our senderNonce as recipientNonce with a fresh senderNonce of its
 * own, echoes dataReturn, and carries the certificate. */
static void test_full_tcr_pop_signed(void **state)
{
    struct ef_fixture *f = *state;
    static const uint8_t nonce[16] = "0123456789abcde";
    static const uint8_t dret[] = "echo me back";
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 4);
    struct ef_resp r;
    size_t len = 0;

    assert_true(ef_add_ctl_int(pd, 1, CMC_CTRL_TRANSACTION_ID, 424242));
    assert_true(ef_add_ctl_octets(pd, 2, CMC_CTRL_SENDER_NONCE, nonce, sizeof(nonce)));
    assert_true(ef_add_ctl_octets(pd, 3, CMC_CTRL_DATA_RETURN, dret, sizeof(dret)));
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 0, -1, IDS(4));
    assert_non_null(r.tid);
    assert_int_equal(ASN1_INTEGER_get(r.tid), 424242);
    assert_non_null(r.recipient_nonce);
    assert_memory_equal(r.recipient_nonce->data, nonce, sizeof(nonce));
    assert_int_equal(r.recipient_nonce->length, sizeof(nonce));
    assert_non_null(r.sender_nonce);
    assert_true(r.sender_nonce->length >= 8);
    assert_false(r.sender_nonce->length == (int)sizeof(nonce)
                 && memcmp(r.sender_nonce->data, nonce, sizeof(nonce)) == 0);
    assert_int_equal(r.n_data_return, 1);
    assert_int_equal(r.data_return[0]->length, sizeof(dret));
    assert_memory_equal(r.data_return[0]->data, dret, sizeof(dret));
    assert_non_null(ef_find_cert(f, &r, key));
    assert_int_equal(ef_store_count(f), 1);
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* Two Full requests with the same senderNonce get two different server senderNonces. */
static void test_full_sender_nonce_fresh(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    struct ef_resp a, b;
    size_t len = 0;

    assert_true(ef_add_ctl_octets(pd, 2, CMC_CTRL_SENDER_NONCE, "nonce", 5));
    run_full(f, ef_full_pop(pd, key, &len), &len, &a);
    run_full(f, ef_full_pop(pd, key, &len), &len, &b);
    assert_non_null(a.sender_nonce);
    assert_non_null(b.sender_nonce);
    assert_int_not_equal(ASN1_OCTET_STRING_cmp(a.sender_nonce, b.sender_nonce), 0);
    ef_resp_free(&a);
    ef_resp_free(&b);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* rfc5272bis §3.2.1.3.2: a CRMF request with a signature POP, signed by the POP key. */
static void test_full_crm_pop_signed(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = ef_pkidata_new();
    struct ef_resp r;
    size_t len = 0;
    uint8_t *der;
    char ct[96];
    X509 *cert;

    assert_true(ef_add_crm(pd, ef_crm(key, 7, "crmf client", EF_CRM_GOOD)));
    /* rfc5272bis §4.1: all issued and nothing to echo: the engine answers certs-only */
    der = ef_full_pop(pd, key, &len);
    assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, ct, sizeof(ct)));
    OPENSSL_free(der);
    assert_string_equal(ct, CT_CERTS_ONLY);
    assert_true(r.certs_only);
    assert_non_null(ef_find_cert(f, &r, key));
    ef_resp_free(&r);
    /* with a transactionId to echo, a Full PKI Response with one success status */
    assert_true(ef_add_ctl_int(pd, 1, CMC_CTRL_TRANSACTION_ID, 7));
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 0, -1, IDS(7));
    assert_non_null(cert = ef_find_cert(f, &r, key));
    assert_int_equal(ef_store_count(f), 2);
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* Assert that statusString @p text contains @p why (NULL: not checked). */
static void check_text(const char *text, const char *why)
{
    if (why == NULL)
        return;
    if (strstr(text, why) == NULL)
        print_error("statusString \"%s\" lacks \"%s\"\n", text, why);
    assert_non_null(strstr(text, why));
}

/* One CRMF request that must fail on its own, signed by the operator so the wrapper check
 * does not depend on the request; expect exactly one status for certReqId 9, whose
 * statusString contains @p why (NULL: not checked), and nothing issued. */
static void crm_expect_why(void **state, enum ef_crm_opt opt, int status, long fail_info,
                           const char *why)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = ef_pkidata_new();
    struct ef_resp r;
    size_t len = 0;

    assert_true(ef_add_crm(pd, ef_crm(key, 9, "crmf client", opt)));
    run_full(f, ef_full_cert(pd, f->op_cert, f->op_key, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], status, fail_info, IDS(9));
    check_text(r.st[0].text, why);
    assert_null(ef_find_cert(f, &r, key));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);

    /* the same request signed by its own key: identical verdict */
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], status, fail_info, IDS(9));
    check_text(r.st[0].text, why);
    assert_null(ef_find_cert(f, &r, key));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

static void crm_expect(void **state, enum ef_crm_opt opt, int status, long fail_info)
{
    crm_expect_why(state, opt, status, fail_info, NULL);
}

/* rfc5272bis §3.2.1.3.2: POPOSigningKeyInput MUST NOT be used -> badRequest. */
static void test_crm_poposk_input(void **state) { crm_expect(state, EF_CRM_POPOSK_INPUT, 2, 2); }
/* rfc5272bis §3.2.1.3.2: the CRMF regInfo field MUST NOT be used -> badRequest. */
static void test_crm_reginfo_field(void **state) { crm_expect(state, EF_CRM_REGINFO, 2, 2); }
/* No proof of possession at all -> failed / popRequired. */
static void test_crm_no_popo(void **state) { crm_expect(state, EF_CRM_NO_POPO, 2, 8); }
/* A POP signature that does not verify -> failed / popFailed. */
static void test_crm_bad_pop(void **state) { crm_expect(state, EF_CRM_BAD_SIG, 2, 9); }
/* rfc5272bis §3.2.1.2.2: the indirect POP method is not supported by CMC and encrCert in
 * SubsequentMessage MUST NOT be used -> failed / badRequest {9}, whether the POPOPrivKey sits
 * under keyEncipherment or keyAgreement; nothing issued. */
static void test_crm_indirect_pop(void **state)
{
    crm_expect_why(state, EF_CRM_ENCR_CERT, 2, 2, "encrCert");
    crm_expect_why(state, EF_CRM_ENCR_CERT_KA, 2, 2, "encrCert");
}

/* rfc5272bis §6.7: subsequentMessage challengeResp asks for the encrypted/decrypted POP round
 * trip, which this server does not implement -> noSupport (no failInfo) {9}; nothing issued
 * (docs/conformance.md). */
static void test_crm_challenge_resp_pop(void **state)
{
    crm_expect_why(state, EF_CRM_CHALLENGE, 4, -1, "not supported");
    /* the private key sent encrypted (thisMessage): also not built, also noSupport */
    crm_expect_why(state, EF_CRM_THIS_MESSAGE, 4, -1, "not supported");
}

/* A CRMF certTemplate field the CA fills in itself (RFC 4211 §5) is refused, badRequest
 * naming it, rather than silently replaced (attack item 6): serialNumber, signingAlg,
 * issuerUID, subjectUID, a version other than v3, an issuer other than this CA. The POP is
 * re-made over the changed template, so it is the field that is refused. An issuer equal
 * to this CA's name is what it writes anyway: issued. A validity is a suggestion the
 * profile overrides: issued with the profile's 30 days, not the 10 years asked for. */
enum tpl_field { TF_SERIAL, TF_SIGALG, TF_ISSUER_UID, TF_SUBJECT_UID, TF_VERSION, TF_ISSUER,
                 TF_VALIDITY, TF_OUR_ISSUER, TF_N };

static CMC_CERT_REQ_MSG *crm_with(struct ef_fixture *f, EVP_PKEY *key, enum tpl_field which)
{
    CMC_CERT_REQ_MSG *m = ef_crm(key, 9, "template client", EF_CRM_GOOD);
    CMC_CERT_TEMPLATE *tpl = m->certReq->certTemplate;
    CMC_POPO_SIGNING_KEY *sk = m->popo->value.signature;
    X509_NAME *other = NULL;

    switch (which) {
    case TF_SERIAL:
        tpl->serialNumber = ASN1_INTEGER_new();
        assert_int_equal(ASN1_INTEGER_set(tpl->serialNumber, 42), 1);
        break;
    case TF_SIGALG:
        tpl->signingAlg = X509_ALGOR_new();
        assert_int_equal(X509_ALGOR_set0(tpl->signingAlg, OBJ_nid2obj(NID_ecdsa_with_SHA256),
                                         V_ASN1_UNDEF, NULL),
                         1);
        break;
    case TF_ISSUER_UID:
    case TF_SUBJECT_UID: {
        ASN1_BIT_STRING *uid = ASN1_BIT_STRING_new();

        assert_int_equal(ASN1_BIT_STRING_set(uid, (unsigned char *)"\x01", 1), 1);
        if (which == TF_ISSUER_UID)
            tpl->issuerUID = uid;
        else
            tpl->subjectUID = uid;
        break;
    }
    case TF_VERSION:
        tpl->version = ASN1_INTEGER_new();
        assert_int_equal(ASN1_INTEGER_set(tpl->version, 0), 1);
        break;
    case TF_ISSUER:
        other = X509_NAME_new();
        assert_int_equal(X509_NAME_add_entry_by_txt(other, "CN", MBSTRING_UTF8,
                                                    (const unsigned char *)"Another CA", -1,
                                                    -1, 0),
                         1);
        tpl->issuer = other;
        break;
    case TF_VALIDITY:
        tpl->validity = CMC_OPTIONAL_VALIDITY_new();
        tpl->validity->notAfter = ASN1_TIME_set(NULL, time(NULL) + 86400L * 3650);
        assert_non_null(tpl->validity->notAfter);
        break;
    case TF_OUR_ISSUER:
        tpl->issuer = X509_NAME_dup(X509_get_subject_name(f->ca_cert));
        break;
    default:
        break;
    }
    assert_true(ASN1_item_sign(ASN1_ITEM_rptr(CMC_CERT_REQUEST), sk->algorithmIdentifier, NULL,
                               sk->signature, m->certReq, key, EVP_sha256())
                > 0);
    return m;
}

static void test_crm_template_fields_the_ca_sets(void **state)
{
    static const char *why[TF_N] = {
        "sets serialNumber, which the CA assigns", "sets signingAlg",
        "sets issuerUID", "sets subjectUID", "version must be v3",
        "another issuer than this CA", NULL, NULL};
    struct ef_fixture *f = *state;

    for (int which = 0; which < TF_N; which++) {
        EVP_PKEY *key = ef_key_ec("P-256");
        CMC_PKIDATA *pd = ef_pkidata_new();
        struct ef_resp r;
        size_t len = 0;
        long before = ef_store_count(f);

        assert_true(ef_add_crm(pd, crm_with(f, key, (enum tpl_field)which)));
        if (why[which] == NULL) {
            uint8_t *der = ef_full_pop(pd, key, &len);
            char ct[96];

            assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, ct, sizeof(ct)));
            assert_string_equal(ct, CT_CERTS_ONLY);
            assert_non_null(ef_find_cert(f, &r, key));
            assert_int_equal(ef_store_count(f), before + 1);
            if (which == TF_VALIDITY) {
                int days = 0, secs = 0;

                assert_int_equal(ASN1_TIME_diff(&days, &secs, NULL,
                                                X509_get0_notAfter(ef_find_cert(f, &r, key))),
                                 1);
                assert_true(days <= 30);
            }
            OPENSSL_free(der);
        } else {
            run_full(f, ef_full_pop(pd, key, &len), &len, &r);
            assert_int_equal(r.n_st, 1);
            check_status(&r.st[0], 2, 2, IDS(9));
            check_text(r.st[0].text, why[which]);
            assert_null(ef_find_cert(f, &r, key));
            assert_int_equal(ef_store_count(f), before);
        }
        ef_resp_free(&r);
        CMC_PKIDATA_free(pd);
        EVP_PKEY_free(key);
    }
}

/* rfc5272bis §6.3 and §6.8: a POP link witness or changeSubjectName inside a CRMF request
 * asks for a check this server does not make -> noSupport for that request, nothing issued;
 * any other CRMF control is not used in CMC (rfc5274bis §4) -> badRequest. */
static void test_crm_inner_controls(void **state)
{
    crm_expect_why(state, EF_CRM_CTL_POP_LINK, 4, -1, "POP link witness");
    crm_expect_why(state, EF_CRM_CTL_CHANGE_SUBJECT, 4, -1, "changeSubjectName");
    crm_expect_why(state, EF_CRM_CTL_OTHER, 2, 2, "CRMF controls");
}

/* A PKCS #10 request for @p key with one attribute of type @p obj added (an empty SEQUENCE
 * as its value), signed again. */
static X509_REQ *p10_with_attr(EVP_PKEY *key, const char *cn, const ASN1_OBJECT *obj)
{
    static const unsigned char empty_seq[] = {0x30, 0x00};
    X509_REQ *req = ef_p10(key, cn);

    assert_non_null(req);
    assert_int_equal(X509_REQ_add1_attr_by_OBJ(req, obj, V_ASN1_SEQUENCE, empty_seq,
                                               sizeof(empty_seq)),
                     1);
    assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
    return req;
}

/* The same controls as PKCS #10 attributes: noSupport for that request only, as a Simple
 * request (bodyList {1}) and as one tcr of two in a Full request (the other is issued). A
 * challengePassword attribute is not a control and changes nothing. */
static void test_p10_inner_controls(void **state)
{
    struct ef_fixture *f = *state;
    static const int ctl[] = {CMC_CTRL_POP_LINK_WITNESS, CMC_CTRL_POP_LINK_WITNESS_V2,
                              CMC_CTRL_CHANGE_SUBJECT_NAME};
    long issued = 0;

    for (size_t i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
        EVP_PKEY *key = ef_key_ec("P-256"), *good = ef_key_ec("P-256");
        X509_REQ *req = p10_with_attr(key, "linked", cmc_oid_get0_control(ctl[i]));
        X509_REQ *good_req = ef_p10(good, "plain");
        CMC_PKIDATA *pd = ef_pkidata_new();
        size_t len = 0;
        uint8_t *der = ef_p10_der(req, &len);
        const struct ef_status *st;
        struct ef_resp r;
        char ct[96];

        assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, ct, sizeof(ct)));
        assert_string_equal(ct, CT_CMC_RESPONSE);
        assert_int_equal(r.n_st, 1);
        check_status(&r.st[0], 4, -1, IDS(1));
        check_text(r.st[0].text, "not supported");
        assert_null(ef_find_cert(f, &r, key));
        ef_resp_free(&r);
        OPENSSL_free(der);

        assert_true(ef_add_tcr(pd, 1, req));
        assert_true(ef_add_tcr(pd, 2, good_req));
        run_full(f, ef_full_cert(pd, f->op_cert, f->op_key, &len), &len, &r);
        assert_int_equal(r.n_st, 2);
        assert_non_null(st = status_for(&r, 1));
        check_status(st, 4, -1, IDS(1));
        assert_non_null(st = status_for(&r, 2));
        check_status(st, 0, -1, IDS(2));
        assert_null(ef_find_cert(f, &r, key));
        assert_non_null(ef_find_cert(f, &r, good));
        assert_int_equal(ef_store_count(f), ++issued);
        ef_resp_free(&r);
        CMC_PKIDATA_free(pd);
        X509_REQ_free(good_req);
        X509_REQ_free(req);
        EVP_PKEY_free(good);
        EVP_PKEY_free(key);
    }
    {
        EVP_PKEY *key = ef_key_ec("P-256");
        X509_REQ *req = p10_with_attr(key, "password", OBJ_nid2obj(NID_pkcs9_challengePassword));
        size_t len = 0;
        uint8_t *der = ef_p10_der(req, &len);
        struct ef_resp r;
        char ct[96];

        assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, ct, sizeof(ct)));
        assert_string_equal(ct, CT_CERTS_ONLY);
        assert_non_null(ef_find_cert(f, &r, key));
        assert_int_equal(ef_store_count(f), ++issued);
        ef_resp_free(&r);
        OPENSSL_free(der);
        X509_REQ_free(req);
        EVP_PKEY_free(key);
    }
}

/* rfc5272bis §6.8: raVerified needs an RA POP Witness control, which this server does not
 * accept; a server that does not let an RA do the POP answers popFailed -> failed / popFailed
 * {9}, even when a trusted operator signed the request; nothing issued. */
static void test_crm_ra_verified_pop(void **state)
{
    crm_expect_why(state, EF_CRM_RA_VERIFIED, 2, 9, "raVerified");
}

/* ---- Full PKI Requests: structure ----------------------------------------------------- */

/* rfc5272bis §3.2.1: body part IDs are unique in one PKIData (a control and a request
 * sharing ID 3 here) -> failed / badRequest / {0}. */
static void test_duplicate_body_part_ids(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 3);
    size_t len = 0;

    assert_true(ef_add_ctl_int(pd, 3, CMC_CTRL_TRANSACTION_ID, 1));
    check_whole_failure(f, ef_full_pop(pd, key, &len), &len, 2, 2, "used more than once");
    CMC_PKIDATA_free(pd);

    /* two requests with the same ID */
    pd = pd_with_tcr(key, 5);
    {
        X509_REQ *req = ef_p10(key, "again");
        assert_true(ef_add_tcr(pd, 5, req));
        X509_REQ_free(req);
    }
    check_whole_failure(f, ef_full_pop(pd, key, &len), &len, 2, 2, "used more than once");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* rfc5272bis §3.2.1: bodyPartID 0 is reserved for "this PKIData" -> badRequest {0}. */
static void test_body_part_id_zero(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    size_t len = 0;

    assert_true(ef_add_ctl_int(pd, 0, CMC_CTRL_TRANSACTION_ID, 1));
    check_whole_failure(f, ef_full_pop(pd, key, &len), &len, 2, 2, "reserved");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* rfc5272bis §3.2.1.2: unrecognised controls (id-cmc 99 and a non-CMC OID) fail the
 * PKIData with badRequest and a bodyList naming exactly those controls; the request is
 * not issued. */
static void test_unknown_controls(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 4);
    ASN1_OBJECT *other = OBJ_txt2obj("1.2.3.4.5", 1);
    const struct ef_status *s;
    struct ef_resp r;
    size_t len = 0;

    assert_non_null(other);
    assert_true(ef_add_ctl_int(pd, 1, CMC_CTRL_TRANSACTION_ID, 77));
    add_null_control(pd, 2, cmc_oid_get0_control(99));
    add_null_control(pd, 3, other);
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_non_null(s = status_for(&r, 2));
    check_status(s, 2, 2, IDS(2, 3));
    /* the request: not processed, so not issued */
    assert_non_null(s = status_for(&r, 4));
    check_status(s, 2, 2, IDS(4));
    assert_non_null(strstr(s->text, "not processed"));
    assert_int_equal(r.n_st, 2);
    assert_null(ef_find_cert(f, &r, key));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    ASN1_OBJECT_free(other);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* Rewrites the fixture's max_controls and max_body_parts (8) and reloads the server. */
static void reload_with_limits(struct ef_fixture *f, unsigned limit)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd),
             "sed -i 's/^max_controls = .*/max_controls = %u/; "
             "s/^max_body_parts = .*/max_body_parts = %u/' '%s'",
             limit, limit, f->cnf);
    assert_int_equal(system(cmd), 0);
    cmc_server_ctx_free(f->srv);
    f->srv = NULL;
    assert_int_equal(cmc_server_ctx_new_from_config(&f->srv, f->cnf), CMC_OK);
}

/* More unrecognised controls than one status can list (16): every one of them is named,
 * in as many badRequest statuses as it takes, and nothing is issued. */
static void test_unknown_controls_all_named(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    ASN1_OBJECT *other = OBJ_txt2obj("1.2.3.4.5", 1);
    int named[40] = {0}, n_bad = 0;
    struct ef_resp r;
    size_t len = 0;

    assert_non_null(other);
    reload_with_limits(f, 40);
    for (uint32_t id = 10; id < 40; id++)
        add_null_control(pd, id, other);
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    for (size_t i = 0; i < r.n_st; i++) {
        if (r.st[i].n_ids == 1 && r.st[i].ids[0] == 1)
            continue; /* the request's "not processed" */
        assert_int_equal(r.st[i].status, 2);
        assert_int_equal(r.st[i].fail_info, 2);
        assert_true(r.st[i].n_ids <= 16);
        for (size_t k = 0; k < r.st[i].n_ids; k++) {
            assert_in_range(r.st[i].ids[k], 10, 39);
            named[r.st[i].ids[k]]++;
        }
        n_bad++;
    }
    assert_int_equal(n_bad, 2); /* 16 + 14 */
    for (int id = 10; id < 40; id++)
        assert_int_equal(named[id], 1);
    assert_null(ef_find_cert(f, &r, key));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    ASN1_OBJECT_free(other);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* A recognised control this server does not implement (identityProofV2, id-cmc 34) gets
 * noSupport, and the certification request is failed/badRequest "not processed". */
static void test_unsupported_control(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 2);
    const struct ef_status *s;
    struct ef_resp r;
    size_t len = 0;

    assert_true(ef_add_ctl_octets(pd, 6, CMC_CTRL_IDENTITY_PROOF_V2, "witness", 7));
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_int_equal(r.n_st, 2);
    check_status(status_for(&r, 6), 4, -1, IDS(6));
    assert_non_null(s = status_for(&r, 2));
    check_status(s, 2, 2, IDS(2));
    assert_non_null(strstr(s->text, "not processed"));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* rfc5272bis §3.2.1 (reqSequence): an externally defined request (orm) the server does not
 * understand gets noSupport, and no other certification request of that PKIData is
 * processed. The orm sits between two PKCS #10 requests: the one after it and the one before
 * it must both be failed / badRequest "not processed", and nothing is issued. */
static void test_orm_not_supported(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *k1 = ef_key_ec("P-256"), *k3 = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(k1, 1);
    X509_REQ *req = ef_p10(k3, "after the orm");
    const struct ef_status *s;
    struct ef_resp r;
    size_t len = 0;

    assert_non_null(req);
    assert_true(ef_add_orm(pd, 2));
    assert_true(ef_add_tcr(pd, 3, req));
    run_full(f, ef_full_cert(pd, f->op_cert, f->op_key, &len), &len, &r);
    assert_int_equal(r.n_st, 3);
    assert_non_null(s = status_for(&r, 2));
    check_status(s, 4, -1, IDS(2));
    /* the request after the orm */
    assert_non_null(s = status_for(&r, 3));
    check_status(s, 2, 2, IDS(3));
    check_text(s->text, "not processed");
    assert_null(ef_find_cert(f, &r, k3));
    /* the request before the orm: "no other certification requests are processed" */
    assert_non_null(s = status_for(&r, 1));
    check_status(s, 2, 2, IDS(1));
    check_text(s->text, "not processed");
    assert_null(ef_find_cert(f, &r, k1));
    assert_int_equal(sk_X509_num(r.certs), 1); /* the CA certificate only */
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    X509_REQ_free(req);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k3);
}

/* rfc5272bis §3.2.1.2.1/§3.2.1.2.2: the subject must be present but may be an empty Name, and
 * a CA that rejects such a request answers badRequest. This CA names every certificate, so a
 * PKCS #10 and a CRMF template with an empty subject (and no subjectAltName) each get
 * failed / badRequest for their own body part, in a Full and in a Simple PKI Request;
 * nothing is issued. */
static void test_empty_subject(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *k1 = ef_key_ec("P-256"), *k2 = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(k1, NULL);
    CMC_PKIDATA *pd = ef_pkidata_new();
    const struct ef_status *s;
    struct ef_resp r;
    size_t len = 0;
    uint8_t *der;
    char ct[96];

    assert_non_null(req);
    assert_non_null(pd);
    assert_int_equal(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 0);
    assert_true(ef_add_tcr(pd, 1, req));
    assert_true(ef_add_crm(pd, ef_crm(k2, 2, NULL, EF_CRM_GOOD)));
    run_full(f, ef_full_cert(pd, f->op_cert, f->op_key, &len), &len, &r);
    assert_int_equal(r.n_st, 2);
    assert_non_null(s = status_for(&r, 1));
    check_status(s, 2, 2, IDS(1));
    check_text(s->text, "empty subject");
    assert_non_null(s = status_for(&r, 2));
    check_status(s, 2, 2, IDS(2));
    check_text(s->text, "empty subject");
    assert_null(ef_find_cert(f, &r, k1));
    assert_null(ef_find_cert(f, &r, k2));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);

    /* the same PKCS #10 as a Simple PKI Request: a Full PKI Response naming body part 1 */
    der = ef_p10_der(req, &len);
    assert_non_null(der);
    assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, ct, sizeof(ct)));
    OPENSSL_free(der);
    assert_string_equal(ct, CT_CMC_RESPONSE);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 2, 2, IDS(1));
    check_text(r.st[0].text, "empty subject");
    assert_null(ef_find_cert(f, &r, k1));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    X509_REQ_free(req);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
}

/* responseBody (id-cmc 37) is only valid in a PKIResponse -> badRequest for it. */
static void test_response_only_control(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    const struct ef_status *s;
    struct ef_resp r;
    size_t len = 0;

    assert_true(ef_add_ctl_int(pd, 5, CMC_CTRL_RESPONSE_BODY, 1));
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_int_equal(r.n_st, 2);
    check_status(status_for(&r, 5), 2, 2, IDS(5));
    assert_non_null(s = status_for(&r, 1));
    check_status(s, 2, 2, IDS(1));
    assert_non_null(strstr(s->text, "not processed"));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* Every assigned control this server does not handle, each alone in a PKIData with one
 * PKCS #10 request, gets the verdict docs/conformance.md gives it: noSupport (status 4, no
 * failInfo) or badRequest (a response-only control, or one that belongs inside a request),
 * naming its body part; the request is then "not processed" and nothing is issued. */
static void test_every_unhandled_control(void **state)
{
    struct ef_fixture *f = *state;
    static const struct {
        int id;
        int no_support; /* 1: noSupport; 0: failed/badRequest */
    } ctl[] = {
        {1, 1},  {2, 1},  {3, 1},  {8, 1},  {9, 0},  {10, 1}, {11, 1}, {15, 1}, {16, 1},
        {17, 1}, {19, 0}, {21, 1}, {22, 1}, {23, 0}, {24, 1}, {25, 1}, {26, 0}, {27, 1},
        {28, 1}, {29, 0}, {30, 1}, {31, 1}, {32, 1}, {33, 0}, {34, 1}, {35, 1}, {36, 0},
        {37, 0},
    };
    EVP_PKEY *key = ef_key_ec("P-256");

    for (size_t i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
        CMC_PKIDATA *pd = pd_with_tcr(key, 1);
        const struct ef_status *s;
        struct ef_resp r;
        size_t len = 0;

        print_message("id-cmc %d\n", ctl[i].id);
        assert_true(ef_add_ctl_int(pd, 2, ctl[i].id, 1));
        run_full(f, ef_full_pop(pd, key, &len), &len, &r);
        assert_int_equal(r.n_st, 2);
        assert_non_null(s = status_for(&r, 2));
        if (ctl[i].no_support)
            check_status(s, 4, -1, IDS(2));
        else
            check_status(s, 2, 2, IDS(2));
        assert_non_null(s = status_for(&r, 1));
        check_status(s, 2, 2, IDS(1));
        assert_non_null(strstr(s->text, "not processed"));
        assert_null(ef_find_cert(f, &r, key));
        ef_resp_free(&r);
        CMC_PKIDATA_free(pd);
    }
    assert_int_equal(ef_store_count(f), 0);
    EVP_PKEY_free(key);
}

/* ---- Full PKI Requests: the wrapper signature ----------------------------------------- */

/* rfc5272bis §3.2.1: a SignedData whose signature does not verify -> badMessageCheck {0}. */
static void test_tampered_wrapper(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    size_t len = 0, tlen = 0;
    uint8_t *der, *bad;

    assert_true(ef_add_ctl_int(pd, 2, CMC_CTRL_TRANSACTION_ID, 5));
    der = ef_full_pop(pd, key, &len);
    bad = ef_tamper_signature(der, len, &tlen);
    check_whole_failure(f, bad, &tlen, 2, 1, "with the key being certified");
    OPENSSL_free(der);

    der = ef_full_cert(pd, f->op_cert, f->op_key, &len);
    bad = ef_tamper_signature(der, len, &tlen);
    check_whole_failure(f, bad, &tlen, 2, 1, "does not verify");
    OPENSSL_free(der);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* A Full request signed by the RSA key being certified with RSASSA-PSS: engine_signer.c
 * verify_direct takes only ECDSA and RSA PKCS #1 v1.5 (and EdDSA), so this SignerInfo goes
 * through the CMS_SignerInfo_verify fallback. (Relabelling an ECDSA SignerInfo's
 * signatureAlgorithm to another hash no longer gets there: ca_alg.c refuses that mismatch
 * as badAlg, test_alg_wrapper_sig_digest_mismatch.) */
static uint8_t *full_pop_pss(const CMC_PKIDATA *pd, EVP_PKEY *rsa, unsigned flags, size_t *len)
{
    size_t n = 0;
    uint8_t *body = ef_pkidata_der(pd, &n), *der;

    assert_non_null(body);
    der = ef_sign_pop_pss(body, n, cmc_oid_get0(CMC_OID_CCT_PKIDATA), rsa, flags, len);
    assert_non_null(der);
    OPENSSL_free(body);
    return der;
}

/* A POP-signed Full request the direct check does not take (RSASSA-PSS) is verified by
 * CMS_SignerInfo_verify with a key of its own (engine_signer.c verify_by_pop_key: the
 * SignerInfo keeps that key, so it must not be a leased one). It is issued for the right
 * key, a tampered one is badMessageCheck, and Simple requests in between are issued for
 * their own keys. Only EC keys are pooled, and an EC key can no longer reach this path
 * (ECDSA SignerInfos are all verified directly), so the pooled-key hazard this test was
 * written for cannot arise any more; what it still proves is that the fallback verifies,
 * refuses a bad signature, and leaves the neighbouring requests' keys alone. */
static void test_full_pop_signed_cms_verify_fallback(void **state)
{
    struct ef_fixture *f = *state;
    long issued = 0;

    for (int round = 0; round < 2; round++) {
        EVP_PKEY *key = EVP_RSA_gen(2048);
        EVP_PKEY *other = ef_key_ec(round % 2 ? "P-384" : "P-256");
        CMC_PKIDATA *pd = pd_with_tcr(key, 1);
        X509_REQ *req = ef_p10(other, "between");
        size_t len = 0, tlen = 0, plen = 0;
        uint8_t *der = full_pop_pss(pd, key, 0, &len), *bad, *p10;
        struct ef_resp r;
        char ct[96];

        bad = ef_tamper_signature(der, len, &tlen);
        assert_non_null(bad);
        check_whole_failure(f, bad, &tlen, 2, 1, "with the key being certified");
        /* everything succeeded and nothing needs echoing: a Simple PKI Response */
        assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, ct, sizeof(ct)));
        assert_string_equal(ct, CT_CERTS_ONLY);
        assert_non_null(ef_find_cert(f, &r, key));
        assert_null(ef_find_cert(f, &r, other));
        ef_resp_free(&r);
        OPENSSL_free(der);

        p10 = ef_p10_der(req, &plen);
        assert_non_null(p10);
        assert_true(ef_run(f, CMC_REQUEST_SIMPLE, p10, plen, &r, ct, sizeof(ct)));
        assert_string_equal(ct, CT_CERTS_ONLY);
        assert_non_null(ef_find_cert(f, &r, other));
        assert_null(ef_find_cert(f, &r, key));
        ef_resp_free(&r);
        issued += 2;
        assert_int_equal(ef_store_count(f), issued);
        OPENSSL_free(p10);
        X509_REQ_free(req);
        CMC_PKIDATA_free(pd);
        EVP_PKEY_free(other);
        EVP_PKEY_free(key);
    }
}

/* The SignerInfo checks done with the request's own key (engine_signer.c verify_direct):
 * RSA as well as EC keys are accepted; a changed eContent (messageDigest mismatch) and a
 * SignerInfo without signed attributes (RFC 5652 §5.3: required for PKIData) are
 * badMessageCheck {0}. */
static void test_pop_signer_info_checks(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *rsa = EVP_RSA_gen(2048), *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(rsa, 1);
    size_t len = 0, n = 0;
    uint8_t *der, *body;
    struct ef_resp r;
    char ct[96];

    /* RSA POP key: issued, Simple response */
    assert_true(ef_add_ctl_int(pd, 2, CMC_CTRL_TRANSACTION_ID, 77));
    der = ef_full_pop(pd, rsa, &len);
    assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, ct, sizeof(ct)));
    assert_non_null(ef_find_cert(f, &r, rsa));
    ef_resp_free(&r);
    /* the transactionId value 77 (02 01 4D) sits in the signed eContent: change it */
    for (size_t i = 0; i + 2 < len; i++)
        if (der[i] == 0x02 && der[i + 1] == 0x01 && der[i + 2] == 0x4D) {
            der[i + 2] = 0x4E;
            break;
        }
    check_whole_failure(f, der, &len, 2, 1, "message digest");
    CMC_PKIDATA_free(pd);

    pd = pd_with_tcr(key, 1);
    body = ef_pkidata_der(pd, &n);
    der = ef_sign_pop_flags(body, n, cmc_oid_get0(CMC_OID_CCT_PKIDATA), key, CMS_NOATTR, &len);
    assert_non_null(der);
    check_whole_failure(f, der, &len, 2, 1, "no signed attributes");
    OPENSSL_free(body);
    CMC_PKIDATA_free(pd);
    /* the same through the CMS_SignerInfo_verify fallback (RSASSA-PSS), which alone would
     * accept it */
    pd = pd_with_tcr(rsa, 1);
    der = full_pop_pss(pd, rsa, CMS_NOATTR, &len);
    check_whole_failure(f, der, &len, 2, 1, "no signed attributes");
    /* and with signed attributes but a changed eContent: message digest mismatch */
    assert_true(ef_add_ctl_int(pd, 2, CMC_CTRL_TRANSACTION_ID, 77));
    der = full_pop_pss(pd, rsa, 0, &len);
    for (size_t i = 0; i + 2 < len; i++)
        if (der[i] == 0x02 && der[i + 1] == 0x01 && der[i + 2] == 0x4D) {
            der[i + 2] = 0x4E;
            break;
        }
    check_whole_failure(f, der, &len, 2, 1, "message digest");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
    EVP_PKEY_free(rsa);
}

/* Signed by an operator whose CA is not in signer_trust -> badMessageCheck {0}. */
static void test_untrusted_operator(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    size_t len = 0;

    check_whole_failure(f, ef_full_cert(pd, f->rogue_cert, f->rogue_key, &len), &len, 2, 1,
                        "does not chain");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* ---- Full PKI Requests: signed attributes, signer certificates, EdDSA (issue 9) ------ */

/* RFC 5652 §11.1: the contentType signed attribute must equal eContentType, on every path.
 * Bytes an operator signed as id-data, relabelled id-cct-PKIData, must not be issued under
 * an operator-only profile (CMS_verify does not compare the two); nor may a POP signature
 * made over id-data count, on the direct path or the CMS_SignerInfo_verify fallback. */
static void test_signed_content_type_must_match(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256"), *rsa = EVP_RSA_gen(2048);
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    size_t plen = 0, len = 0, rlen = 0;
    uint8_t *body, *der, *bad;

    assert_true(ef_add_profile(pd, 2, "signed_only"));
    body = ef_pkidata_der(pd, &plen);
    assert_non_null(body);
    /* operator / RA path */
    der = ef_sign_cert(body, plen, OBJ_nid2obj(NID_pkcs7_data), f->op_cert, f->op_key, &len);
    assert_non_null(der);
    bad = ef_relabel(der, len, cmc_oid_get0(CMC_OID_CCT_PKIDATA), &rlen);
    assert_non_null(bad);
    check_whole_failure(f, bad, &rlen, 2, 1, "is not the eContentType");
    OPENSSL_free(der);
    /* POP key, direct check */
    der = ef_sign_pop(body, plen, OBJ_nid2obj(NID_pkcs7_data), key, &len);
    assert_non_null(der);
    bad = ef_relabel(der, len, cmc_oid_get0(CMC_OID_CCT_PKIDATA), &rlen);
    assert_non_null(bad);
    check_whole_failure(f, bad, &rlen, 2, 1, "is not the eContentType");
    OPENSSL_free(der);
    OPENSSL_free(body);
    CMC_PKIDATA_free(pd);
    /* POP key, CMS_SignerInfo_verify fallback (RSASSA-PSS, which verify_direct does not
     * take) */
    pd = pd_with_tcr(rsa, 1);
    body = ef_pkidata_der(pd, &plen);
    assert_non_null(body);
    der = ef_sign_pop_pss(body, plen, OBJ_nid2obj(NID_pkcs7_data), rsa, 0, &len);
    assert_non_null(der);
    bad = ef_relabel(der, len, cmc_oid_get0(CMC_OID_CCT_PKIDATA), &rlen);
    assert_non_null(bad);
    check_whole_failure(f, bad, &rlen, 2, 1, "is not the eContentType");
    OPENSSL_free(der);
    assert_int_equal(ef_store_count(f), 0);
    OPENSSL_free(body);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(key);
}

/* A Full request for a new key under @p profile, signed by @p cert / @p ckey, with a
 * transactionId so the answer is a Full PKI Response. */
static uint8_t *op_signed(EVP_PKEY *key, const char *profile, X509 *cert, EVP_PKEY *ckey,
                          size_t *len)
{
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    uint8_t *der;

    assert_true(ef_add_profile(pd, 2, profile));
    assert_true(ef_add_ctl_int(pd, 3, CMC_CTRL_TRANSACTION_ID, 9));
    der = ef_full_cert(pd, cert, ckey, len);
    CMC_PKIDATA_free(pd);
    return der;
}

/* The request signed by @p cert under @p profile is issued (@p fail_info < 0) or its body
 * part fails with @p fail_info and a statusString holding @p why. */
static void expect_signer(struct ef_fixture *f, const char *profile, X509 *cert, EVP_PKEY *ckey,
                          long fail_info, const char *why)
{
    EVP_PKEY *key = ef_key_ec("P-256");
    struct ef_resp r;
    size_t len = 0;

    run_full(f, op_signed(key, profile, cert, ckey, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    if (fail_info < 0) {
        check_status(&r.st[0], 0, -1, IDS(1));
        assert_non_null(ef_find_cert(f, &r, key));
    } else {
        check_status(&r.st[0], 2, fail_info, IDS(1));
        if (strstr(r.st[0].text, why) == NULL)
            print_error("statusString \"%s\" lacks \"%s\"\n", r.st[0].text, why);
        assert_non_null(strstr(r.st[0].text, why));
        assert_null(ef_find_cert(f, &r, key));
    }
    ef_resp_free(&r);
    EVP_PKEY_free(key);
}

/* Who may sign as operator or RA: a certificate chaining to signer_trust with
 * digitalSignature where keyUsage is present (else badMessageCheck {0}) and an
 * extendedKeyUsage the profile's signer_eku lists (else badIdentity for the request);
 * default signer_eku = cmcRA (RFC 6402 §2.10); a certificate without EKU only under
 * signer_eku = any. */
static void test_signer_key_usage_and_eku(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *k_tls = ef_key_ec("P-256"), *k_none = ef_key_ec("P-256"), *k_cli = ef_key_ec("P-256");
    X509 *tls = ef_cert(k_tls, "tls server", 20, f->op_ca_cert, f->op_ca_key,
                        "critical,keyEncipherment", "serverAuth");
    X509 *none = ef_cert(k_none, "no eku", 21, f->op_ca_cert, f->op_ca_key,
                         "critical,digitalSignature", NULL);
    X509 *cli = ef_cert(k_cli, "client auth", 22, f->op_ca_cert, f->op_ca_key,
                        "critical,digitalSignature", "clientAuth");
    EVP_PKEY *key = ef_key_ec("P-256");
    size_t len = 0;

    assert_non_null(tls);
    assert_non_null(none);
    assert_non_null(cli);
    /* a TLS server certificate, keyEncipherment only: not a signing certificate at all */
    check_whole_failure(f, op_signed(key, "signed_only", tls, k_tls, &len), &len, 2, 1,
                        "keyUsage does not allow digitalSignature");
    check_whole_failure(f, op_signed(key, "any_signer", tls, k_tls, &len), &len, 2, 1,
                        "keyUsage does not allow digitalSignature");
    /* no extendedKeyUsage: refused unless the profile says any */
    expect_signer(f, "signed_only", none, k_none, 7, "has no extendedKeyUsage (signer_eku = cmcRA)");
    expect_signer(f, "default", none, k_none, 7, "signer_eku = cmcRA");
    expect_signer(f, "any_signer", none, k_none, -1, NULL);
    /* clientAuth: only where signer_eku lists it */
    expect_signer(f, "signed_only", cli, k_cli, 7, "has no extendedKeyUsage in signer_eku = cmcRA");
    expect_signer(f, "ra_or_client", cli, k_cli, -1, NULL);
    expect_signer(f, "any_signer", cli, k_cli, -1, NULL);
    /* cmcRA: the default */
    expect_signer(f, "signed_only", f->op_cert, f->op_key, -1, NULL);
    expect_signer(f, "ra_or_client", f->op_cert, f->op_key, -1, NULL);
    assert_int_equal(ef_store_count(f), 5);
    X509_free(tls);
    X509_free(none);
    X509_free(cli);
    EVP_PKEY_free(k_tls);
    EVP_PKEY_free(k_none);
    EVP_PKEY_free(k_cli);
    EVP_PKEY_free(key);
}

/* docs/configuration.md: every certificate in signer_trust is trusted, so an operator
 * certificate listed on its own (issued by a CA that is not listed, not self-signed) signs
 * for signed profiles. Listing it makes it an anchor, not a CA: a certificate it issued
 * still does not chain (basicConstraints CA:FALSE). */
static void test_lone_operator_in_trust(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *lone_ca_key = ef_key_ec("P-256"), *lone_key = ef_key_ec("P-256");
    EVP_PKEY *sub_key = ef_key_ec("P-256"), *key = ef_key_ec("P-256");
    X509 *lone_ca = ef_cert(lone_ca_key, "unlisted CA", 30, NULL, NULL,
                            "critical,digitalSignature,keyCertSign,cRLSign", NULL);
    X509 *lone = ef_cert(lone_key, "lone operator", 31, lone_ca, lone_ca_key,
                         "critical,digitalSignature", "cmcRA");
    X509 *sub = ef_cert(sub_key, "issued by an operator", 32, lone, lone_key,
                        "critical,digitalSignature", "cmcRA");
    X509 *trust[2];
    size_t len = 0;

    assert_non_null(lone);
    assert_non_null(sub);
    trust[0] = f->op_ca_cert;
    trust[1] = lone;
    assert_true(ef_write_certs(f, "trust.pem", trust, 2));
    assert_true(ef_reload(f, NULL));
    expect_signer(f, "signed_only", lone, lone_key, -1, NULL);
    check_whole_failure(f, op_signed(key, "signed_only", sub, sub_key, &len), &len, 2, 1,
                        "does not chain");
    /* the operator CA listed before still vouches for its operator */
    expect_signer(f, "signed_only", f->op_cert, f->op_key, -1, NULL);
    X509_free(lone_ca);
    X509_free(lone);
    X509_free(sub);
    EVP_PKEY_free(lone_ca_key);
    EVP_PKEY_free(lone_key);
    EVP_PKEY_free(sub_key);
    EVP_PKEY_free(key);
}

/* A listed certificate that is not a CA vouches for itself only, whatever OpenSSL makes of
 * a partial chain: an operator certificate with keyUsage keyCertSign but no basicConstraints
 * (RFC 5280 §4.2.1.9: then it MUST NOT verify certificate signatures), listed in
 * signer_trust, cannot make other operators. */
static void test_listed_non_ca_vouches_for_none(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *lone_key = ef_key_ec("P-256"), *sub_key = ef_key_ec("P-256");
    EVP_PKEY *key = ef_key_ec("P-256");
    X509 *lone = ef_cert(lone_key, "listed operator with keyCertSign", 33, f->op_ca_cert,
                         f->op_ca_key, "critical,digitalSignature,keyCertSign", "cmcRA");
    X509 *sub = NULL, *trust[2];
    unsigned char *der = NULL;
    const unsigned char *p;
    int dlen;
    size_t len = 0;

    assert_non_null(lone);
    /* ef_cert adds basicConstraints; take it out and sign again */
    assert_non_null(X509_delete_ext(lone, X509_get_ext_by_NID(lone, NID_basic_constraints, -1)));
    assert_true(X509_sign(lone, f->op_ca_key, EVP_sha256()) > 0);
    assert_true((dlen = i2d_X509(lone, &der)) > 0);
    X509_free(lone);
    p = der;
    assert_non_null(lone = d2i_X509(NULL, &p, dlen));
    OPENSSL_free(der);
    assert_int_equal(X509_get_ext_by_NID(lone, NID_basic_constraints, -1), -1);
    sub = ef_cert(sub_key, "issued by a listed non-CA", 34, lone, lone_key,
                  "critical,digitalSignature", "cmcRA");
    assert_non_null(sub);
    trust[0] = f->op_ca_cert;
    trust[1] = lone;
    assert_true(ef_write_certs(f, "trust.pem", trust, 2));
    assert_true(ef_reload(f, NULL));
    expect_signer(f, "signed_only", lone, lone_key, -1, NULL);
    check_whole_failure(f, op_signed(key, "signed_only", sub, sub_key, &len), &len, 2, 1,
                        "not a CA");
    X509_free(lone);
    X509_free(sub);
    EVP_PKEY_free(lone_key);
    EVP_PKEY_free(sub_key);
    EVP_PKEY_free(key);
}

/* RFC 5652 §5.1: a SignedData may leave out the signer's certificate. When it is not in
 * signer_trust either, the statusString says so (not "does not verify"); when the operator
 * certificate is listed in signer_trust, it is found there and the request is issued. */
static void test_signer_cert_omitted(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    X509 *trust[2];
    size_t plen = 0, len = 0;
    uint8_t *body, *der;
    struct ef_resp r;

    assert_true(ef_add_profile(pd, 2, "signed_only"));
    assert_true(ef_add_ctl_int(pd, 3, CMC_CTRL_TRANSACTION_ID, 4));
    body = ef_pkidata_der(pd, &plen);
    assert_non_null(body);
    der = ef_sign_cert_flags(body, plen, cmc_oid_get0(CMC_OID_CCT_PKIDATA), f->op_cert,
                             f->op_key, CMS_NOCERTS, &len);
    assert_non_null(der);
    check_whole_failure(f, der, &len, 2, 1,
                        "is neither in the request nor in the signer trust list");

    trust[0] = f->op_ca_cert;
    trust[1] = f->op_cert;
    assert_true(ef_write_certs(f, "trust.pem", trust, 2));
    assert_true(ef_reload(f, NULL));
    der = ef_sign_cert_flags(body, plen, cmc_oid_get0(CMC_OID_CCT_PKIDATA), f->op_cert,
                             f->op_key, CMS_NOCERTS, &len);
    run_full(f, der, &len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 0, -1, IDS(1));
    assert_non_null(ef_find_cert(f, &r, key));
    ef_resp_free(&r);
    OPENSSL_free(body);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* A Full request from the client library (msg_request.c), signed by @p key itself or, with
 * @p op, by that operator. DER, OPENSSL_free()d by the caller. */
static uint8_t *client_full(EVP_PKEY *key, int crmf, X509 *op, EVP_PKEY *op_key, size_t *len)
{
    struct cmc_request_params p = {.subject = "/CN=eddsa", .key = key, .full = 1,
                                   .crmf = crmf, .profile = "eddsa",
                                   .signer_cert = op, .signer_key = op_key};
    struct cmc_client_req *req = NULL;
    const uint8_t *der;
    uint8_t *out;

    assert_int_equal(cmc_client_req_new(&p, &req), CMC_OK);
    der = cmc_client_req_get0_der(req, len);
    out = OPENSSL_memdup(der, *len);
    assert_non_null(out);
    cmc_client_req_free(req);
    return out;
}

/* Re-sign the one SignerInfo of @p der with @p key (EdDSA) after setting its digest
 * algorithm to @p md and the messageDigest to match: a SignerInfo that is right in every
 * way but the digest RFC 8419 §2.3 fixes. New DER. */
static uint8_t *eddsa_with_digest(const uint8_t *der, size_t len, EVP_PKEY *key,
                                  const EVP_MD *md, size_t *out_len)
{
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    CMS_SignerInfo *si;
    X509_ALGOR *dig = NULL;
    ASN1_OCTET_STRING **content;
    unsigned char dgst[EVP_MAX_MD_SIZE], *abuf = NULL, sig[114], *out = NULL;
    unsigned int dlen = 0;
    size_t slen = sizeof(sig);
    int alen = 0, n;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();

    assert_non_null(cms);
    si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
    X509_ALGOR_set_md(dig, md);
    content = CMS_get0_content(cms);
    assert_int_equal(EVP_Digest((*content)->data, (size_t)(*content)->length, dgst, &dlen, md,
                                NULL), 1);
    X509_ATTRIBUTE_free(CMS_signed_delete_attr(
        si, CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1)));
    assert_int_equal(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                                 dgst, (int)dlen), 1);
    assert_int_equal(cmci_signed_attrs_der(si, &abuf, &alen), CMC_OK);
    assert_int_equal(EVP_DigestSignInit(mctx, NULL, NULL, NULL, key), 1);
    assert_int_equal(EVP_DigestSign(mctx, sig, &slen, abuf, (size_t)alen), 1);
    assert_int_equal(ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)slen), 1);
    n = i2d_CMS_ContentInfo(cms, &out);
    assert_true(n > 0);
    *out_len = (size_t)n;
    OPENSSL_free(abuf);
    EVP_MD_CTX_free(mctx);
    CMS_ContentInfo_free(cms);
    return out;
}

/* RFC 8419: an Ed25519 or Ed448 key signs its own Full request (SKI sid, SHA-512 or
 * SHAKE256, PureEdDSA over the signed attributes). OpenSSL 3.0's CMS cannot verify that, so
 * engine_signer.c verify_direct does: issued for PKCS #10 and CRMF; a flipped signature
 * bit is badMessageCheck; a digest other than the one RFC 8419 §2.3 fixes is badAlg. An
 * Ed25519 operator certificate signs for others the same way. */
static void test_full_eddsa_signed(void **state)
{
    struct ef_fixture *f = *state;
    static const char *const types[] = {"ED25519", "ED448"};
    EVP_PKEY *op_ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    X509 *op = ef_cert(op_ed, "eddsa operator", 40, f->op_ca_cert, f->op_ca_key,
                       "critical,digitalSignature", "cmcRA");
    long issued = 0;

    assert_non_null(op);
    for (size_t i = 0; i < 2; i++) {
        EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, types[i]);
        size_t len = 0, tlen = 0;
        uint8_t *der, *bad;
        struct ef_resp r;
        char ct[96];

        assert_non_null(key);
        for (int crmf = 0; crmf < 2; crmf++) {
            der = client_full(key, crmf, NULL, NULL, &len);
            assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, ct, sizeof(ct)));
            check_status(&r.st[0], 0, -1, IDS(1));
            assert_non_null(ef_find_cert(f, &r, key));
            ef_resp_free(&r);
            assert_int_equal(ef_store_count(f), ++issued);
            bad = ef_tamper_signature(der, len, &tlen);
            check_whole_failure(f, bad, &tlen, 2, 1, "with the key being certified");
            OPENSSL_free(der);
        }
        der = client_full(key, 0, NULL, NULL, &len);
        bad = eddsa_with_digest(der, len, key, EVP_sha256(), &tlen);
        check_whole_failure(f, bad, &tlen, 2, 0, "RFC 8419"); /* badAlg */
        OPENSSL_free(der);
        /* the same key, for another requester's key, as an operator */
        der = client_full(key, 0, op, op_ed, &len);
        assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, ct, sizeof(ct)));
        check_status(&r.st[0], 0, -1, IDS(1));
        ef_resp_free(&r);
        assert_int_equal(ef_store_count(f), ++issued);
        OPENSSL_free(der);
        EVP_PKEY_free(key);
    }
    X509_free(op);
    EVP_PKEY_free(op_ed);
}

/* authorization = signed: a trusted operator's signature issues; the requester's own POP
 * signature does not (failed / badIdentity for the request). */
static void test_signed_only_profile(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    struct ef_resp r;
    size_t len = 0;

    assert_true(ef_add_profile(pd, 2, "signed_only"));
    assert_true(ef_add_ctl_int(pd, 3, CMC_CTRL_TRANSACTION_ID, 3)); /* forces a Full response */
    run_full(f, ef_full_cert(pd, f->op_cert, f->op_key, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 0, -1, IDS(1));
    assert_non_null(ef_find_cert(f, &r, key));
    ef_resp_free(&r);
    assert_int_equal(ef_store_count(f), 1);

    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 2, 7, IDS(1));
    assert_null(ef_find_cert(f, &r, key));
    ef_resp_free(&r);
    assert_int_equal(ef_store_count(f), 1);

    /* the operator under the default (open) profile is fine too */
    CMC_PKIDATA_free(pd);
    pd = pd_with_tcr(key, 1);
    assert_true(ef_add_ctl_int(pd, 3, CMC_CTRL_TRANSACTION_ID, 3));
    run_full(f, ef_full_cert(pd, f->op_cert, f->op_key, &len), &len, &r);
    check_status(&r.st[0], 0, -1, IDS(1));
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* docs/configuration.md: an unknown profile -> badRequest, statusString names it. */
static void test_unknown_profile(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    const struct ef_status *s;
    struct ef_resp r;
    size_t len = 0;

    assert_true(ef_add_profile(pd, 2, "no-such-profile"));
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_int_equal(r.n_st, 2);
    assert_non_null(s = status_for(&r, 2));
    check_status(s, 2, 2, IDS(2));
    assert_non_null(strstr(s->text, "no-such-profile"));
    check_status(status_for(&r, 1), 2, 2, IDS(1));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* ---- limits (the fixture sets max_controls 8, max_body_parts 8, max_nesting 1,
 *      max_body 20000) ------------------------------------------------------------------ */

static void test_limit_controls(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 100);
    struct ef_resp r;
    size_t len = 0;

    /* 8 controls: at the limit, issued */
    assert_true(ef_add_ctl_int(pd, 1, CMC_CTRL_TRANSACTION_ID, 8));
    assert_true(ef_add_ctl_octets(pd, 2, CMC_CTRL_SENDER_NONCE, "n", 1));
    assert_true(ef_add_ctl_octets(pd, 3, CMC_CTRL_RECIPIENT_NONCE, "m", 1));
    assert_true(ef_add_profile(pd, 4, "default"));
    for (uint32_t i = 5; i <= 8; i++)
        assert_true(ef_add_ctl_octets(pd, i, CMC_CTRL_DATA_RETURN, "d", 1));
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 0, -1, IDS(100));
    ef_resp_free(&r);

    /* 9 controls: over it */
    assert_true(ef_add_ctl_octets(pd, 9, CMC_CTRL_DATA_RETURN, "d", 1));
    check_whole_failure(f, ef_full_pop(pd, key, &len), &len, 2, 2, "controls");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

static void test_limit_body_parts(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    struct ef_resp r;
    size_t len = 0;

    for (uint32_t i = 2; i <= 8; i++)
        assert_true(ef_add_other_msg(pd, i));
    assert_true(ef_add_ctl_int(pd, 50, CMC_CTRL_TRANSACTION_ID, 50)); /* controls not counted */
    run_full(f, ef_full_pop(pd, key, &len), &len, &r); /* 8 body parts */
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 0, -1, IDS(1));
    ef_resp_free(&r);

    assert_true(ef_add_other_msg(pd, 9));
    check_whole_failure(f, ef_full_pop(pd, key, &len), &len, 2, 2, "body parts");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* An empty PKIData signed by the operator, as DER. */
static uint8_t *signed_pkidata(struct ef_fixture *f, CMC_PKIDATA *pd, size_t *len)
{
    uint8_t *der = ef_full_cert(pd, f->op_cert, f->op_key, len);
    assert_non_null(der);
    return der;
}

static void test_limit_nesting(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *inner = ef_pkidata_new(), *middle = ef_pkidata_new(), *pd;
    struct ef_resp r;
    size_t ilen = 0, mlen = 0, len = 0;
    uint8_t *ider = signed_pkidata(f, inner, &ilen), *mder;

    /* one level of nesting (max_nesting = 1): accepted, the outer request is issued */
    pd = pd_with_tcr(key, 1);
    assert_true(ef_add_cms(pd, 2, ider, ilen));
    assert_true(ef_add_ctl_int(pd, 3, CMC_CTRL_TRANSACTION_ID, 3));
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 0, -1, IDS(1));
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);

    /* two levels: refused */
    assert_true(ef_add_cms(middle, 1, ider, ilen));
    mder = signed_pkidata(f, middle, &mlen);
    pd = pd_with_tcr(key, 1);
    assert_true(ef_add_cms(pd, 2, mder, mlen));
    check_whole_failure(f, ef_full_pop(pd, key, &len), &len, 2, 2, "nested");
    assert_int_equal(ef_store_count(f), 1);
    CMC_PKIDATA_free(pd);
    OPENSSL_free(ider);
    OPENSSL_free(mder);
    CMC_PKIDATA_free(inner);
    CMC_PKIDATA_free(middle);
    EVP_PKEY_free(key);
}

/* max_body: one byte over is HTTP 413 before any parsing; at the limit it is parsed. */
static void test_limit_max_body(void **state)
{
    struct ef_fixture *f = *state;
    uint8_t *big = calloc(1, 20001);

    assert_non_null(big);
    expect_http(f, CMC_REQUEST_FULL, big, 20001, 413);
    expect_http(f, CMC_REQUEST_SIMPLE, big, 20001, 413);
    expect_http(f, CMC_REQUEST_FULL, big, 20000, 400);
    free(big);
}

/* ---- policy and content types ----------------------------------------------------------- */

/* A P-256 key under a profile accepting only ec:P-384 -> failed / badAlg. */
static void test_key_type_not_allowed(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256"), *k384 = ef_key_ec("P-384");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    struct ef_resp r;
    size_t len = 0;

    assert_true(ef_add_profile(pd, 2, "p384_only"));
    run_full(f, ef_full_pop(pd, key, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    check_status(&r.st[0], 2, 0, IDS(1));
    assert_int_equal(ef_store_count(f), 0);
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);

    /* and a P-384 key is issued under it */
    pd = pd_with_tcr(k384, 1);
    assert_true(ef_add_profile(pd, 2, "p384_only"));
    assert_true(ef_add_ctl_int(pd, 3, CMC_CTRL_TRANSACTION_ID, 3));
    run_full(f, ef_full_pop(pd, k384, &len), &len, &r);
    check_status(&r.st[0], 0, -1, IDS(1));
    assert_non_null(ef_find_cert(f, &r, k384));
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
    EVP_PKEY_free(k384);
}

/* An EnvelopedData wrapper is not supported yet -> noSupport {0}. */
static void test_enveloped_data(void **state)
{
    struct ef_fixture *f = *state;
    size_t len = 0;
    uint8_t *der = ef_enveloped(f->ca_cert, &len);

    check_whole_failure(f, der, &len, 4, -1, "not supported");
}

/* A ContentInfo of type id-data is not a Full PKI Request -> badRequest {0}. */
static void test_data_content_info(void **state)
{
    struct ef_fixture *f = *state;
    size_t len = 0;
    uint8_t *der = ef_data_ci(&len);

    check_whole_failure(f, der, &len, 2, 2, "SignedData");
}

/* A SignedData whose eContentType is not id-cct-PKIData -> badRequest {0}. */
static void test_wrong_econtent_type(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_with_tcr(key, 1);
    size_t plen = 0, len = 0;
    uint8_t *body = ef_pkidata_der(pd, &plen);
    uint8_t *der = ef_sign_cert(body, plen, OBJ_nid2obj(NID_pkcs7_data), f->op_cert, f->op_key,
                                &len);

    check_whole_failure(f, der, &len, 2, 2, "id-cct-PKIData");
    OPENSSL_free(body);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* ---- the store ---------------------------------------------------------------------- */

/* Every issued certificate is in the store, over both request kinds and several bodies. */
static void test_store_counts_every_cert(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *k1 = ef_key_ec("P-256"), *k2 = ef_key_ec("P-256"), *k3 = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(k1, "one");
    CMC_PKIDATA *pd = pd_with_tcr(k2, 1);
    struct ef_resp r;
    size_t len = 0;
    uint8_t *der = ef_p10_der(req, &len);

    assert_int_equal(ef_store_count(f), 0);
    assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, NULL, 0));
    ef_resp_free(&r);
    OPENSSL_free(der);
    assert_int_equal(ef_store_count(f), 1);
    assert_true(ef_add_crm(pd, ef_crm(k3, 2, "three", EF_CRM_GOOD)));
    assert_true(ef_add_ctl_int(pd, 3, CMC_CTRL_TRANSACTION_ID, 3));
    run_full(f, ef_full_cert(pd, f->op_cert, f->op_key, &len), &len, &r);
    check_status(&r.st[0], 0, -1, IDS(1, 2));
    assert_non_null(ef_find_cert(f, &r, k2));
    assert_non_null(ef_find_cert(f, &r, k3));
    ef_resp_free(&r);
    assert_int_equal(ef_store_count(f), 3);
    CMC_PKIDATA_free(pd);
    X509_REQ_free(req);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
    EVP_PKEY_free(k3);
}

/* sqlite: the records survive closing the server; reopening the file finds them all. */
static void test_store_sqlite_reopen(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(key, "durable");
    struct cmc_store *st = NULL;
    struct ef_resp r;
    char loc[160];
    uint64_t n = 0;
    size_t len = 0;
    uint8_t *der = ef_p10_der(req, &len);

    for (int i = 0; i < 3; i++) {
        assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, NULL, 0));
        ef_resp_free(&r);
    }
    assert_int_equal(ef_store_count(f), 3);
    cmc_server_ctx_free(f->srv);
    f->srv = NULL;
    snprintf(loc, sizeof(loc), "sqlite:%s", f->db);
    assert_int_equal(cmc_store_open(&st, loc), CMC_OK);
    assert_int_equal(cmc_store_cert_count(st, &n), CMC_OK);
    assert_int_equal(n, 3);
    cmc_store_free(st);
    /* and the server reopened from the same config sees them too */
    assert_int_equal(cmc_server_ctx_new_from_config(&f->srv, f->cnf), CMC_OK);
    assert_int_equal(ef_store_count(f), 3);
    OPENSSL_free(der);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, ef_state_setup_mem, ef_state_teardown)
#define TS(fn) cmocka_unit_test_setup_teardown(fn, ef_state_setup_sqlite, ef_state_teardown)
    const struct CMUnitTest tests[] = {
        T(test_simple_good),
        T(test_pop_signer_info_checks),
        T(test_simple_response_der_matches_openssl),
        T(test_simple_bad_pop),
        T(test_undecodable),
        T(test_full_tcr_pop_signed),
        T(test_full_sender_nonce_fresh),
        T(test_full_crm_pop_signed),
        T(test_crm_poposk_input),
        T(test_crm_reginfo_field),
        T(test_crm_no_popo),
        T(test_crm_bad_pop),
        T(test_crm_indirect_pop),
        T(test_crm_challenge_resp_pop),
        T(test_crm_ra_verified_pop),
        T(test_crm_inner_controls),
        T(test_crm_template_fields_the_ca_sets),
        T(test_p10_inner_controls),
        T(test_empty_subject),
        T(test_duplicate_body_part_ids),
        T(test_body_part_id_zero),
        T(test_unknown_controls),
        T(test_unknown_controls_all_named),
        T(test_unsupported_control),
        T(test_orm_not_supported),
        T(test_response_only_control),
        T(test_every_unhandled_control),
        T(test_tampered_wrapper),
        T(test_full_pop_signed_cms_verify_fallback),
        T(test_untrusted_operator),
        T(test_signed_content_type_must_match),
        T(test_signer_key_usage_and_eku),
        T(test_lone_operator_in_trust),
        T(test_listed_non_ca_vouches_for_none),
        T(test_signer_cert_omitted),
        T(test_full_eddsa_signed),
        T(test_signed_only_profile),
        T(test_unknown_profile),
        T(test_limit_controls),
        T(test_limit_body_parts),
        T(test_limit_nesting),
        T(test_limit_max_body),
        T(test_key_type_not_allowed),
        T(test_enveloped_data),
        T(test_data_content_info),
        T(test_wrong_econtent_type),
        T(test_store_counts_every_cert),
        TS(test_store_sqlite_reopen),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
