/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/ca/ca_alg.c on hand-made AlgorithmIdentifiers: the shapes no OpenSSL signer
 * writes (RSASSA-PSS defaults and odd MGFs, EdDSA with parameters, DSA, bare key OIDs,
 * unknown OIDs) get the verdict docs/conformance.md "Algorithms" gives them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/rsa.h>

#include "ca/ca_local.h"

static struct cmci_profile strict = {.name = "strict"};
static struct cmci_profile legacy = {.name = "legacy", .allow_sha1 = 1};

/* An AlgorithmIdentifier @p oid with @p param (taken; NULL for absent). */
static X509_ALGOR *algor(const char *oid, ASN1_TYPE *param)
{
    X509_ALGOR *a = X509_ALGOR_new();

    assert_non_null(a);
    ASN1_OBJECT_free(a->algorithm);
    a->algorithm = OBJ_txt2obj(oid, 0);
    assert_non_null(a->algorithm);
    ASN1_TYPE_free(a->parameter);
    a->parameter = param;
    return a;
}

/* Check @p a under @p p: CMC_OK, or CMC_ERR_BAD_ALG with @p want in the message. */
static void expect(const X509_ALGOR *a, const struct cmci_profile *p, const char *want)
{
    cmc_err rv = cmci_alg_check_signature(a, p, "the test signature");

    if (want == NULL) {
        if (rv != CMC_OK)
            fail_msg("refused: %s", cmc_error_get0_message());
        return;
    }
    assert_int_equal(rv, CMC_ERR_BAD_ALG);
    if (strstr(cmc_error_get0_message(), want) == NULL)
        fail_msg("\"%s\" not in \"%s\"", want, cmc_error_get0_message());
}

/* RSASSA-PSS parameters DER-encoded from @p pss, as an ASN1_TYPE SEQUENCE. */
static ASN1_TYPE *pss_param(RSA_PSS_PARAMS *pss)
{
    ASN1_STRING *seq = NULL;
    ASN1_TYPE *t = ASN1_TYPE_new();

    assert_non_null(t);
    assert_non_null(ASN1_item_pack(pss, ASN1_ITEM_rptr(RSA_PSS_PARAMS), &seq));
    ASN1_TYPE_set(t, V_ASN1_SEQUENCE, seq);
    RSA_PSS_PARAMS_free(pss);
    return t;
}

static ASN1_TYPE *null_param(void)
{
    ASN1_TYPE *t = ASN1_TYPE_new();
    assert_non_null(t);
    ASN1_TYPE_set(t, V_ASN1_NULL, NULL);
    return t;
}

static void test_alg__pss_parameters(void **state)
{
    RSA_PSS_PARAMS *pss;
    X509_ALGOR *a, *mgf_md;
    ASN1_STRING *mgf_seq = NULL;

    (void)state;
    /* absent parameters and an empty SEQUENCE: every field at its default, SHA-1 */
    a = algor("1.2.840.113549.1.1.10", NULL);
    expect(a, &strict, "RSASSA-PSS with sha1 and MGF1 with sha1");
    expect(a, &legacy, NULL);
    X509_ALGOR_free(a);
    assert_non_null(pss = RSA_PSS_PARAMS_new());
    a = algor("1.2.840.113549.1.1.10", pss_param(pss));
    expect(a, &strict, "SHA-1 is refused by profile strict");
    X509_ALGOR_free(a);

    /* SHA-256 with MGF1-SHA-256: accepted; SHA-256 with MGF1-MD5: never */
    for (int bad = 0; bad < 2; bad++) {
        assert_non_null(pss = RSA_PSS_PARAMS_new());
        assert_non_null(pss->hashAlgorithm = X509_ALGOR_new());
        X509_ALGOR_set_md(pss->hashAlgorithm, EVP_sha256());
        assert_non_null(mgf_md = X509_ALGOR_new());
        X509_ALGOR_set_md(mgf_md, bad ? EVP_md5() : EVP_sha256());
        assert_non_null(ASN1_item_pack(mgf_md, ASN1_ITEM_rptr(X509_ALGOR), &mgf_seq));
        X509_ALGOR_free(mgf_md);
        assert_non_null(pss->maskGenAlgorithm = X509_ALGOR_new());
        assert_int_equal(X509_ALGOR_set0(pss->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1),
                                         V_ASN1_SEQUENCE, mgf_seq), 1);
        mgf_seq = NULL;
        a = algor("1.2.840.113549.1.1.10", pss_param(pss));
        expect(a, &strict, bad ? "MGF1 with md5" : NULL);
        X509_ALGOR_free(a);
    }

    /* another mask generation function, and parameters that are not a SEQUENCE */
    assert_non_null(pss = RSA_PSS_PARAMS_new());
    assert_non_null(pss->maskGenAlgorithm = X509_ALGOR_new());
    assert_int_equal(X509_ALGOR_set0(pss->maskGenAlgorithm, OBJ_txt2obj("1.2.3.4", 1),
                                     V_ASN1_UNDEF, NULL), 1);
    a = algor("1.2.840.113549.1.1.10", pss_param(pss));
    expect(a, &legacy, "other than MGF1");
    X509_ALGOR_free(a);
    a = algor("1.2.840.113549.1.1.10", null_param());
    expect(a, &legacy, "malformed parameters");
    X509_ALGOR_free(a);
}

static void test_alg__other_shapes(void **state)
{
    X509_ALGOR *a;

    (void)state;
    /* RFC 8410 §3: Ed25519 and Ed448 without parameters only */
    a = algor("1.3.101.112", NULL);
    expect(a, &strict, NULL);
    X509_ALGOR_free(a);
    a = algor("1.3.101.113", null_param());
    expect(a, &legacy, "ED448 with parameters (RFC 8410 §3: they must be absent)");
    X509_ALGOR_free(a);
    a = algor("1.3.101.112", null_param());
    expect(a, &strict, "ED25519 with parameters (RFC 8410 §3: they must be absent)");
    X509_ALGOR_free(a);
    /* dsa-with-SHA256, a bare rsaEncryption outside CMS, MD2, an unknown OID */
    a = algor("2.16.840.1.101.3.4.3.2", NULL);
    expect(a, &legacy, "does not accept");
    X509_ALGOR_free(a);
    a = algor("1.2.840.113549.1.1.1", null_param());
    expect(a, &legacy, "rsaEncryption, which this CA does not accept");
    X509_ALGOR_free(a);
    a = algor("1.2.840.113549.1.1.2", null_param());
    expect(a, &legacy, "never accepted");
    X509_ALGOR_free(a);
    a = algor("1.3.6.1.4.1.99999.7", NULL);
    expect(a, &legacy, "1.3.6.1.4.1.99999.7");
    X509_ALGOR_free(a);
    /* sha512WithRSAEncryption, ecdsa-with-SHA384: accepted; sha1WithRSA only when allowed */
    a = algor("1.2.840.113549.1.1.13", null_param());
    expect(a, &strict, NULL);
    X509_ALGOR_free(a);
    a = algor("1.2.840.10045.4.3.3", NULL);
    expect(a, &strict, NULL);
    X509_ALGOR_free(a);
    a = algor("1.2.840.113549.1.1.5", null_param());
    expect(a, &strict, "sha1WithRSAEncryption: SHA-1 is refused by profile strict");
    expect(a, &legacy, NULL);
    X509_ALGOR_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alg__pss_parameters),
        cmocka_unit_test(test_alg__other_shapes),
    };
    return cmocka_run_group_tests_name("ca_alg", tests, NULL, NULL);
}
