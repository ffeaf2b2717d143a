/* SPDX-License-Identifier: Apache-2.0 */
/* The SignedData wrapper's signers (src/engine/engine_signer.c) beyond test_engine's cases:
 * the bound on SignerInfos, and a keyid sid that names both a requested subjectKeyIdentifier
 * and an RA certificate. */
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
#include <openssl/x509v3.h>

#include "engine_fixture.h"

#define BAD_REQUEST 2

/* A PKIData with one PKCS #10 for @p key (extension subjectKeyIdentifier @p ski when not
 * NULL) and regInfo profile=@p profile. */
static CMC_PKIDATA *pkidata(EVP_PKEY *key, const ASN1_OCTET_STRING *ski, const char *profile)
{
    CMC_PKIDATA *pd = ef_pkidata_new();
    X509_REQ *req = X509_REQ_new();
    X509_NAME *n = X509_NAME_new();
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();

    assert_non_null(pd);
    assert_non_null(req);
    assert_non_null(n);
    assert_non_null(exts);
    assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                                                (const unsigned char *)"wrapped", -1, -1, 0), 1);
    assert_int_equal(X509_REQ_set_subject_name(req, n), 1);
    assert_int_equal(X509_REQ_set_pubkey(req, key), 1);
    if (ski != NULL) {
        assert_int_equal(X509V3_add1_i2d(&exts, NID_subject_key_identifier, (void *)ski, 0, 0), 1);
        assert_int_equal(X509_REQ_add_extensions(req, exts), 1);
    }
    assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
    assert_true(ef_add_tcr(pd, 1, req));
    assert_true(ef_add_profile(pd, 2, profile));
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_NAME_free(n);
    X509_REQ_free(req);
    return pd;
}

/* @p n SignerInfos by the operator over @p pd, keyid sids when @p keyid. */
static uint8_t *sign_n(const struct ef_fixture *f, const CMC_PKIDATA *pd, int n, int keyid,
                       size_t *len)
{
    size_t plen = 0;
    uint8_t *body = ef_pkidata_der(pd, &plen);
    unsigned flags = CMS_BINARY | (keyid ? CMS_USE_KEYID : 0);
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_BINARY | CMS_PARTIAL);
    BIO *in = BIO_new_mem_buf(body, (int)plen);
    unsigned char *der = NULL;
    int dlen;

    assert_non_null(body);
    assert_non_null(cms);
    assert_non_null(in);
    /* the certificate once: CMS refuses to add the same one twice */
    for (int i = 0; i < n; i++)
        assert_non_null(CMS_add1_signer(cms, f->op_cert, f->op_key, EVP_sha256(),
                                        flags | (i > 0 ? CMS_NOCERTS : 0)));
    assert_int_equal(CMS_set1_eContentType(cms, cmc_oid_get0(CMC_OID_CCT_PKIDATA)), 1);
    assert_int_equal(CMS_final(cms, in, NULL, CMS_BINARY), 1);
    dlen = i2d_CMS_ContentInfo(cms, &der);
    assert_true(dlen > 0);
    *len = (size_t)dlen;
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    OPENSSL_free(body);
    return der;
}

/* @p len by pointer: it is set by the call that makes @p der, in the same argument list */
static void run(struct ef_fixture *f, uint8_t *der, const size_t *len, struct ef_resp *r)
{
    char ct[96];

    assert_non_null(der);
    assert_true(ef_run(f, CMC_REQUEST_FULL, der, *len, r, ct, sizeof(ct)));
    OPENSSL_free(der);
}

/* Every SignerInfo costs a digest of the whole eContent before any trust decision, so a
 * request with more than CMCI_MAX_SIGNER_INFOS (4) is refused whole, badRequest; four
 * good ones are fine. */
static void test_signer_infos_bounded(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    CMC_PKIDATA *pd = pkidata(key, NULL, "signed_only");
    long before = ef_store_count(f);
    struct ef_resp r;
    size_t len = 0;

    run(f, sign_n(f, pd, 5, 0, &len), &len, &r);
    assert_int_equal(r.n_st, 1);
    assert_int_equal(r.st[0].status, 2);
    assert_int_equal(r.st[0].fail_info, BAD_REQUEST);
    assert_non_null(strstr(r.st[0].text, "5 SignerInfos; at most 4"));
    assert_int_equal(ef_store_count(f), before);
    ef_resp_free(&r);

    /* all issued: the answer may be certs-only (no statuses) */
    run(f, sign_n(f, pd, 4, 0, &len), &len, &r);
    for (size_t i = 0; i < r.n_st; i++)
        assert_int_equal(r.st[i].status, 0);
    assert_non_null(ef_find_cert(f, &r, key));
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

/* A requester puts its RA's subjectKeyIdentifier (public) into its request; the RA signs
 * the PKIData with a keyid sid. The key being certified did not sign, so the certificate
 * path is tried and the request is issued under the RA-only profile (before: refused,
 * "does not verify with the key being certified"). A key holder that signs for itself is
 * unaffected, and a wrong signature is still refused. */
static void test_keyid_sid_of_an_ra_certificate(void **state)
{
    struct ef_fixture *f = *state;
    EVP_PKEY *key = ef_key_ec("P-256");
    const ASN1_OCTET_STRING *ra_ski = X509_get0_subject_key_id(f->op_cert);
    CMC_PKIDATA *pd;
    struct ef_resp r;
    size_t len = 0;

    assert_non_null(ra_ski);
    pd = pkidata(key, ra_ski, "signed_only");
    run(f, sign_n(f, pd, 1, 1, &len), &len, &r);
    for (size_t i = 0; i < r.n_st; i++) {
        if (r.st[i].status != 0)
            print_error("status %d: %s\n", r.st[i].status, r.st[i].text);
        assert_int_equal(r.st[i].status, 0);
    }
    assert_non_null(ef_find_cert(f, &r, key));
    ef_resp_free(&r);
    CMC_PKIDATA_free(pd);
    EVP_PKEY_free(key);
}

int main(void)
{
#define TM(fn) cmocka_unit_test_setup_teardown(fn, ef_state_setup_mem, ef_state_teardown)
    const struct CMUnitTest tests[] = {
        TM(test_signer_infos_bounded),
        TM(test_keyid_sid_of_an_ra_certificate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
