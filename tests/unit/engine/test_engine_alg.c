/* SPDX-License-Identifier: Apache-2.0 */
/* The algorithm policy (src/ca/ca_alg.c, docs/conformance.md "Algorithms") through the
 * engine: PKCS #10 and CRMF POP signatures, every SignerInfo of the SignedData wrapper on
 * the POP-key and the operator path, SHA-1 per profile and per server, and the keys of
 * requests and of signer certificates. Each refusal is failed/badAlg with a statusString
 * naming the algorithm, and nothing is issued. */
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
#include <openssl/rsa.h>

#include "engine_fixture.h"

#define CT_CERTS_ONLY "application/pkcs7-mime; smime-type=certs-only"
#define CT_CMC_RESPONSE "application/pkcs7-mime; smime-type=CMC-response"
#define BAD_ALG 0
#define BAD_MESSAGE_CHECK 1

/* ---- helpers ------------------------------------------------------------------------- */

/* Exactly one status: (status, failInfo) for body part @p id, statusString holding every
 * non-NULL string of @p want. */
static void check_one(const struct ef_resp *r, int status, long fail_info, uint32_t id,
                      const char *want1, const char *want2)
{
    const struct ef_status *s = &r->st[0];

    assert_int_equal(r->n_st, 1);
    if (s->status != status || s->fail_info != fail_info
        || (want1 != NULL && strstr(s->text, want1) == NULL)
        || (want2 != NULL && strstr(s->text, want2) == NULL))
        print_error("status %d failInfo %ld text \"%s\" (want \"%s\", \"%s\")\n", s->status,
                    s->fail_info, s->text, want1 ? want1 : "", want2 ? want2 : "");
    assert_int_equal(s->status, status);
    assert_int_equal(s->fail_info, fail_info);
    assert_int_equal(s->n_ids, 1);
    assert_int_equal(s->ids[0], id);
    if (want1 != NULL)
        assert_non_null(strstr(s->text, want1));
    if (want2 != NULL)
        assert_non_null(strstr(s->text, want2));
    /* the statusString is for the client: no OpenSSL internals, no source locations */
    assert_null(strstr(s->text, "error:"));
    assert_null(strstr(s->text, ".c:"));
}

/* Run a request (taking @p der) that must be answered with a Full PKI Response. */
static void run_cmc(struct ef_fixture *f, enum cmc_request_kind kind, uint8_t *der, size_t len,
                    struct ef_resp *r)
{
    char ct[96];

    assert_non_null(der);
    assert_true(ef_run(f, kind, der, len, r, ct, sizeof(ct)));
    assert_string_equal(ct, CT_CMC_RESPONSE);
    OPENSSL_free(der);
}

/* A Simple PKI Request for @p key signed with @p md: refused failed/badAlg {1}. */
static void simple_refused(struct ef_fixture *f, EVP_PKEY *key, const EVP_MD *md,
                           const char *want1, const char *want2)
{
    X509_REQ *req = ef_p10_md(key, "alg client", md);
    size_t len = 0;
    uint8_t *der;
    struct ef_resp r;
    long before = ef_store_count(f);

    assert_non_null(req);
    der = ef_p10_der(req, &len);
    run_cmc(f, CMC_REQUEST_SIMPLE, der, len, &r);
    check_one(&r, 2, BAD_ALG, 1, want1, want2);
    assert_null(ef_find_cert(f, &r, key));
    assert_int_equal(ef_store_count(f), before);
    ef_resp_free(&r);
    X509_REQ_free(req);
}

/* A Simple PKI Request made from @p req (by @p key) is issued. */
static void simple_issued(struct ef_fixture *f, EVP_PKEY *key, X509_REQ *req)
{
    size_t len = 0;
    uint8_t *der = ef_p10_der(req, &len);
    struct ef_resp r;
    char ct[96];

    assert_non_null(der);
    assert_true(ef_run(f, CMC_REQUEST_SIMPLE, der, len, &r, ct, sizeof(ct)));
    if (r.n_st > 0)
        print_error("refused: failInfo %ld \"%s\"\n", r.st[0].fail_info, r.st[0].text);
    assert_string_equal(ct, CT_CERTS_ONLY);
    assert_non_null(ef_find_cert(f, &r, key));
    ef_resp_free(&r);
    OPENSSL_free(der);
}

/* A PKIData holding one PKCS #10 for @p key signed with @p md as body part 1, and a
 * transactionId (so the answer is a Full PKI Response) as body part 9. */
static CMC_PKIDATA *pd_p10(EVP_PKEY *key, const EVP_MD *md)
{
    CMC_PKIDATA *pd = ef_pkidata_new();
    X509_REQ *req = ef_p10_md(key, "alg client", md);

    assert_non_null(pd);
    assert_non_null(req);
    assert_true(ef_add_tcr(pd, 1, req));
    assert_true(ef_add_ctl_int(pd, 9, CMC_CTRL_TRANSACTION_ID, 9));
    X509_REQ_free(req);
    return pd;
}

/* @p pd signed with digest @p md, by @p cert / @p key or (cert NULL) by the key being
 * certified. */
static uint8_t *wrap(const CMC_PKIDATA *pd, X509 *cert, EVP_PKEY *key, const EVP_MD *md,
                     size_t *len)
{
    size_t n = 0;
    uint8_t *body = ef_pkidata_der(pd, &n);
    uint8_t *der;

    assert_non_null(body);
    der = ef_sign_md(body, n, cmc_oid_get0(CMC_OID_CCT_PKIDATA), cert, key, md, 0, len);
    OPENSSL_free(body);
    assert_non_null(der);
    return der;
}

/* The whole PKIData refused: failed/@p fail_info {0}, nothing echoed or issued. */
static void whole_refused(struct ef_fixture *f, uint8_t *der, size_t len, long fail_info,
                          const char *want1, const char *want2)
{
    struct ef_resp r;
    long before = ef_store_count(f);

    run_cmc(f, CMC_REQUEST_FULL, der, len, &r);
    check_one(&r, 2, fail_info, 0, want1, want2);
    assert_int_equal(sk_X509_num(r.certs), 1); /* the CA certificate only */
    assert_int_equal(ef_store_count(f), before);
    ef_resp_free(&r);
}

/* Body part 1 of a Full PKI Request: success with a certificate for @p key, or failed /
 * badAlg naming @p want1 and @p want2. */
static void full_part(struct ef_fixture *f, uint8_t *der, size_t len, EVP_PKEY *key, int ok,
                      const char *want1, const char *want2)
{
    struct ef_resp r;
    long before = ef_store_count(f);

    run_cmc(f, CMC_REQUEST_FULL, der, len, &r);
    if (ok) {
        check_one(&r, 0, -1, 1, NULL, NULL);
        assert_non_null(ef_find_cert(f, &r, key));
        assert_int_equal(ef_store_count(f), before + 1);
    } else {
        check_one(&r, 2, BAD_ALG, 1, want1, want2);
        assert_null(ef_find_cert(f, &r, key));
        assert_int_equal(ef_store_count(f), before);
    }
    ef_resp_free(&r);
}

/* ---- proof of possession --------------------------------------------------------------- */

/* A Simple PKI Request signed md5WithRSAEncryption, sha1WithRSAEncryption or
 * ecdsa-with-SHA1 (or with SHA-224, outside the accepted set) is failed/badAlg {1}. The
 * default profile does not allow SHA-1. */
static void test_alg_p10_simple_weak(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *rsa = EVP_RSA_gen(2048), *ec = ef_key_ec("P-256");

    assert_non_null(rsa);
    simple_refused(f, rsa, EVP_md5(), "PKCS #10 signature uses md5WithRSAEncryption",
                   "never accepted");
    simple_refused(f, rsa, EVP_sha1(), "sha1WithRSAEncryption",
                   "SHA-1 is refused by profile default");
    simple_refused(f, ec, EVP_sha1(), "ecdsa-with-SHA1", "SHA-1");
    simple_refused(f, ec, EVP_sha224(), "ecdsa-with-SHA224", "does not accept");
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
}

/* The same PKCS #10 signatures inside a Full PKI Request (SHA-256 wrapper): body part 1 is
 * failed/badAlg, the PKIData itself is fine. */
static void test_alg_p10_full_weak(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *rsa = EVP_RSA_gen(2048), *ec = ef_key_ec("P-256");
    CMC_PKIDATA *pd;
    size_t len = 0;
    uint8_t *der;

    pd = pd_p10(rsa, EVP_md5());
    der = wrap(pd, NULL, rsa, EVP_sha256(), &len);
    full_part(f, der, len, rsa, 0, "md5WithRSAEncryption", "never accepted");
    CMC_PKIDATA_free(pd);
    pd = pd_p10(ec, EVP_sha1());
    der = wrap(pd, NULL, ec, EVP_sha256(), &len);
    full_part(f, der, len, ec, 0, "ecdsa-with-SHA1", "SHA-1");
    /* operator-signed: the POP signature is the requester's all the same */
    der = wrap(pd, f->op_cert, f->op_key, EVP_sha256(), &len);
    full_part(f, der, len, ec, 0, "ecdsa-with-SHA1", "SHA-1");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
}

/* A CRMF POPOSigningKey made with MD5 (RSA) or SHA-1 (ECDSA) is failed/badAlg for its
 * certReqId. */
static void test_alg_crmf_pop_weak(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *rsa = EVP_RSA_gen(2048), *ec = ef_key_ec("P-256");
    const struct {
        EVP_PKEY *key;
        const EVP_MD *md;
        const char *want;
    } cases[] = {
        {rsa, EVP_md5(), "md5WithRSAEncryption"},
        {ec, EVP_sha1(), "ecdsa-with-SHA1"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CMC_PKIDATA *pd = ef_pkidata_new();
        size_t len = 0;
        uint8_t *der;

        assert_non_null(pd);
        assert_true(ef_add_crm(pd, ef_crm_md(cases[i].key, 1, "crmf", EF_CRM_GOOD, cases[i].md)));
        assert_true(ef_add_ctl_int(pd, 9, CMC_CTRL_TRANSACTION_ID, 9));
        der = wrap(pd, NULL, cases[i].key, EVP_sha256(), &len);
        full_part(f, der, len, cases[i].key, 0, "CRMF POP signature", cases[i].want);
        CMC_PKIDATA_free(pd);
    }
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
}

/* ---- the SignedData wrapper ------------------------------------------------------------ */

/* A SignerInfo whose digestAlgorithm is MD5 (RSA: the signature algorithm is then plain
 * rsaEncryption) or SHA-1 (with ecdsa-with-SHA1) fails the whole PKIData with badAlg {0},
 * on the POP-key path and on the operator path alike, and a profile allowing SHA-1 named
 * by regInfo inside the signed content does not change that. */
static void test_alg_wrapper_weak(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *rsa = EVP_RSA_gen(2048), *ec = ef_key_ec("P-256");
    CMC_PKIDATA *pd;
    size_t len = 0;
    uint8_t *der;

    pd = pd_p10(rsa, EVP_sha256());
    der = wrap(pd, NULL, rsa, EVP_md5(), &len);
    whole_refused(f, der, len, BAD_ALG, "SignerInfo 1", "the digest md5");
    CMC_PKIDATA_free(pd);

    pd = pd_p10(ec, EVP_sha256());
    der = wrap(pd, NULL, ec, EVP_sha1(), &len);
    whole_refused(f, der, len, BAD_ALG, "SignerInfo 1 of the SignedData uses ecdsa-with-SHA1",
                  "SHA-1 is refused");
    der = wrap(pd, f->op_cert, f->op_key, EVP_sha1(), &len);
    whole_refused(f, der, len, BAD_ALG, "ecdsa-with-SHA1", "SHA-1 is refused");
    assert_true(ef_add_profile(pd, 2, "legacy_sha1"));
    der = wrap(pd, NULL, ec, EVP_sha1(), &len);
    whole_refused(f, der, len, BAD_ALG, "ecdsa-with-SHA1", "SHA-1 is refused");
    /* and with SHA-256 the same request is issued */
    der = wrap(pd, NULL, ec, EVP_sha256(), &len);
    full_part(f, der, len, ec, 1, NULL, NULL);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
}

/* A SignerInfo whose signatureAlgorithm names a digest other than its digestAlgorithm
 * (ecdsa-with-SHA512 over a SHA-256 signature), or a key algorithm other than the signer
 * key's (the signatureAlgorithm is not signed, so anyone can relabel it): badAlg on the
 * POP-key and the operator path, not verified as the digestAlgorithm and key say and
 * issued. */
static uint8_t *relabel_sig_alg(uint8_t *der, size_t *len, int nid)
{
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)*len);
    X509_ALGOR *sig = NULL;
    unsigned char *out = NULL;
    int n;

    assert_non_null(cms);
    CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0), NULL, NULL,
                             NULL, &sig);
    assert_non_null(sig);
    assert_int_equal(X509_ALGOR_set0(sig, OBJ_nid2obj(nid), V_ASN1_UNDEF, NULL), 1);
    assert_true((n = i2d_CMS_ContentInfo(cms, &out)) > 0);
    CMS_ContentInfo_free(cms);
    OPENSSL_free(der);
    *len = (size_t)n;
    return out;
}

static void test_alg_wrapper_sig_digest_mismatch(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *ec = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pd_p10(ec, EVP_sha256());
    size_t len = 0;
    uint8_t *der;

    der = relabel_sig_alg(wrap(pd, NULL, ec, EVP_sha256(), &len), &len, NID_ecdsa_with_SHA512);
    whole_refused(f, der, len, BAD_ALG, "SignerInfo 1", "names another digest");
    der = relabel_sig_alg(wrap(pd, f->op_cert, f->op_key, EVP_sha256(), &len), &len,
                          NID_ecdsa_with_SHA384);
    whole_refused(f, der, len, BAD_ALG, "SignerInfo 1", "names another digest");
    /* the digest it names is the digestAlgorithm's: issued */
    der = relabel_sig_alg(wrap(pd, NULL, ec, EVP_sha256(), &len), &len, NID_ecdsa_with_SHA256);
    full_part(f, der, len, ec, 1, NULL, NULL);
    /* the right digest, another key algorithm (an ECDSA signature labelled RSA, which the
     * CMS_SignerInfo_verify fallback verified as ECDSA and issued): badAlg, on the POP-key
     * and the operator path */
    der = relabel_sig_alg(wrap(pd, NULL, ec, EVP_sha256(), &len), &len,
                          NID_sha256WithRSAEncryption);
    whole_refused(f, der, len, BAD_ALG, "sha256WithRSAEncryption", "is not one for the signer");
    der = relabel_sig_alg(wrap(pd, f->op_cert, f->op_key, EVP_sha256(), &len), &len,
                          EVP_PKEY_is_a(f->op_key, "EC") ? NID_sha256WithRSAEncryption
                                                         : NID_ecdsa_with_SHA256);
    whole_refused(f, der, len, BAD_ALG, "SignerInfo", "is not one for the signer");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(ec);
}

/* allow_sha1 = yes in a profile lets SHA-1 POP signatures (PKCS #10 and CRMF) through for
 * requests under that profile only, and never MD5. [cmcd] allow_sha1 = yes lets SHA-1
 * SignerInfos through, on both paths, and never MD5. */
static void test_alg_sha1_allowed_by_config(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *rsa = EVP_RSA_gen(2048), *ec = ef_key_ec("P-256");
    CMC_PKIDATA *pd;
    size_t len = 0;
    uint8_t *der;

    /* the profile: PKCS #10 ... */
    pd = pd_p10(ec, EVP_sha1());
    der = wrap(pd, NULL, ec, EVP_sha256(), &len);
    full_part(f, der, len, ec, 0, "SHA-1 is refused by profile default", NULL);
    assert_true(ef_add_profile(pd, 2, "legacy_sha1"));
    der = wrap(pd, NULL, ec, EVP_sha256(), &len);
    full_part(f, der, len, ec, 1, NULL, NULL);
    CMC_PKIDATA_free(pd);
    /* ... CRMF ... */
    pd = ef_pkidata_new();
    assert_non_null(pd);
    assert_true(ef_add_crm(pd, ef_crm_md(ec, 1, "crmf", EF_CRM_GOOD, EVP_sha1())));
    assert_true(ef_add_profile(pd, 2, "legacy_sha1"));
    assert_true(ef_add_ctl_int(pd, 9, CMC_CTRL_TRANSACTION_ID, 9));
    der = wrap(pd, NULL, ec, EVP_sha256(), &len);
    full_part(f, der, len, ec, 1, NULL, NULL);
    CMC_PKIDATA_free(pd);
    /* ... never MD5 */
    pd = pd_p10(rsa, EVP_md5());
    assert_true(ef_add_profile(pd, 2, "legacy_sha1"));
    der = wrap(pd, NULL, rsa, EVP_sha256(), &len);
    full_part(f, der, len, rsa, 0, "md5WithRSAEncryption", "never accepted");
    CMC_PKIDATA_free(pd);

    /* the server-wide switch for the wrapper */
    assert_true(ef_reload(f, "allow_sha1 = yes\n"));
    pd = pd_p10(ec, EVP_sha256());
    der = wrap(pd, NULL, ec, EVP_sha1(), &len);
    full_part(f, der, len, ec, 1, NULL, NULL);
    der = wrap(pd, f->op_cert, f->op_key, EVP_sha1(), &len);
    full_part(f, der, len, ec, 1, NULL, NULL);
    CMC_PKIDATA_free(pd);
    /* it is not the profile's: a SHA-1 PKCS #10 under the default profile stays refused */
    pd = pd_p10(ec, EVP_sha1());
    der = wrap(pd, NULL, ec, EVP_sha1(), &len);
    full_part(f, der, len, ec, 0, "SHA-1 is refused by profile default", NULL);
    CMC_PKIDATA_free(pd);
    pd = pd_p10(rsa, EVP_sha256());
    der = wrap(pd, NULL, rsa, EVP_md5(), &len);
    whole_refused(f, der, len, BAD_ALG, "the digest md5", "never accepted");
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
}

/* ---- keys ---------------------------------------------------------------------------------- */

/* RSA-1024: a request for such a key is badAlg {1} whatever the profile; an operator whose
 * certificate holds one signs nothing (badAlg {0}); and an operator certificate its CA
 * signed with SHA-1 does not chain (authentication level 2: badMessageCheck {0}). */
static void test_alg_rsa1024(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *small = EVP_RSA_gen(1024), *ec = ef_key_ec("P-256"), *op2 = ef_key_ec("P-256");
    X509 *op_small, *op_sha1;
    CMC_PKIDATA *pd;
    size_t len = 0;
    uint8_t *der;

    assert_non_null(small);
    simple_refused(f, small, EVP_sha256(), "RSA-1024", "at least 2048 bits");

    op_small = ef_operator_cert(f, small, "small operator", 40, EVP_sha256());
    op_sha1 = ef_operator_cert(f, op2, "sha1 operator", 41, EVP_sha1());
    assert_non_null(op_small);
    assert_non_null(op_sha1);
    pd = pd_p10(ec, EVP_sha256());
    assert_true(ef_add_profile(pd, 2, "signed_only"));
    der = wrap(pd, op_small, small, EVP_sha256(), &len);
    whole_refused(f, der, len, BAD_ALG, "RSA-1024", "at least 2048 bits");
    der = wrap(pd, op_sha1, op2, EVP_sha256(), &len);
    whole_refused(f, der, len, BAD_MESSAGE_CHECK, "does not chain", "too weak");
    /* the fixture's operator signs the same request */
    der = wrap(pd, f->op_cert, f->op_key, EVP_sha256(), &len);
    full_part(f, der, len, ec, 1, NULL, NULL);
    CMC_PKIDATA_free(pd);
    X509_free(op_small);
    X509_free(op_sha1);
    EVP_PKEY_free(small);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(op2);
}

/* An EC key with explicit curve parameters (RFC 5480 §2.1.1: only namedCurve): refused in a
 * request (badAlg {1}) and in an operator's certificate (badAlg {0}). */
static void test_alg_ec_explicit(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *xk = ef_key_ec_explicit("P-256"), *ec = ef_key_ec("P-256");
    X509 *op_x;
    CMC_PKIDATA *pd;
    size_t len = 0;
    uint8_t *der;

    assert_non_null(xk);
    simple_refused(f, xk, EVP_sha256(), "named curve", NULL);
    op_x = ef_operator_cert(f, xk, "explicit operator", 42, EVP_sha256());
    assert_non_null(op_x);
    pd = pd_p10(ec, EVP_sha256());
    assert_true(ef_add_profile(pd, 2, "signed_only"));
    der = wrap(pd, op_x, xk, EVP_sha256(), &len);
    whole_refused(f, der, len, BAD_ALG, "SignerInfo 1", "named curve");
    CMC_PKIDATA_free(pd);
    X509_free(op_x);
    EVP_PKEY_free(xk);
    EVP_PKEY_free(ec);
}

/* ---- what is accepted -------------------------------------------------------------------- */

/* Re-sign @p req with RSASSA-PSS and digest @p md (OpenSSL writes MGF1 with the same). */
static void resign_pss(X509_REQ *req, EVP_PKEY *key, const EVP_MD *md)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    assert_non_null(mctx);
    assert_int_equal(EVP_DigestSignInit(mctx, &pctx, md, NULL, key), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
    assert_true(X509_REQ_sign_ctx(req, mctx) > 0);
    EVP_MD_CTX_free(mctx);
}

/* The accepted set: RSA PKCS #1 v1.5 and ECDSA with SHA-256/384/512 and SHA3-256 (ECDSA
 * with SHA3 where OpenSSL can verify it),
 * RSASSA-PSS with SHA-256, Ed25519 -- and RSASSA-PSS with SHA-1 is refused by name. */
static void test_alg_accepted_set(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *rsa = EVP_RSA_gen(2048), *ec = ef_key_ec("P-256"), *ed;
    const EVP_MD *mds[4];
    X509_REQ *req;

    mds[0] = EVP_sha256();
    mds[1] = EVP_sha384();
    mds[2] = EVP_sha512();
    mds[3] = EVP_sha3_256();
    for (size_t i = 0; i < 4; i++) {
        req = ef_p10_md(rsa, "rsa client", mds[i]);
        assert_non_null(req);
        simple_issued(f, rsa, req);
        X509_REQ_free(req);
        if (i == 3 && !OBJ_find_sigid_algs(NID_ecdsa_with_SHA3_256, NULL, NULL)) {
            /* OpenSSL 3.0 cannot verify ECDSA with SHA3: refused by name, not popFailed */
            simple_refused(f, ec, mds[i], "ecdsa_with_SHA3-256", "does not accept");
            continue;
        }
        req = ef_p10_md(ec, "ec client", mds[i]);
        assert_non_null(req);
        simple_issued(f, ec, req);
        X509_REQ_free(req);
    }
    req = ef_p10_md(rsa, "pss client", EVP_sha256());
    assert_non_null(req);
    resign_pss(req, rsa, EVP_sha256());
    simple_issued(f, rsa, req);
    resign_pss(req, rsa, EVP_sha1());
    {
        size_t len = 0;
        uint8_t *der = ef_p10_der(req, &len);
        struct ef_resp r;

        run_cmc(f, CMC_REQUEST_SIMPLE, der, len, &r);
        check_one(&r, 2, BAD_ALG, 1, "RSASSA-PSS with sha1", "SHA-1 is refused");
        ef_resp_free(&r);
    }
    X509_REQ_free(req);

    ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_non_null(ed);
    req = ef_p10_md(ed, "ed25519 client", NULL);
    assert_non_null(req);
    simple_issued(f, ed, req);
    X509_REQ_free(req);
    EVP_PKEY_free(ed);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, ef_state_setup_mem, ef_state_teardown)
    const struct CMUnitTest tests[] = {
        T(test_alg_p10_simple_weak),
        T(test_alg_p10_full_weak),
        T(test_alg_crmf_pop_weak),
        T(test_alg_wrapper_weak),
        T(test_alg_wrapper_sig_digest_mismatch),
        T(test_alg_sha1_allowed_by_config),
        T(test_alg_rsa1024),
        T(test_alg_ec_explicit),
        T(test_alg_accepted_set),
    };
    return cmocka_run_group_tests_name("engine_alg", tests, NULL, NULL);
}
