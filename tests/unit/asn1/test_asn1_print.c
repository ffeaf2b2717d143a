/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/asn1/asn1_print.c: what `cmc show` prints for each kind of input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cmc/print.h>

#include "asn1/asn1_local.h"
#include "asn1_samples.h"

static X509 *self_signed(const char *cn)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();

    assert_non_null(x);
    assert_true(X509_set_version(x, X509_VERSION_3));
    assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234));
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                           -1, 0));
    assert_true(X509_set_subject_name(x, n));
    assert_true(X509_set_issuer_name(x, n));
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    assert_true(X509_set_pubkey(x, sample_key()));
    assert_true(X509_sign(x, sample_key(), EVP_sha256()) > 0);
    X509_NAME_free(n);
    return x;
}

/* SignedData{eContentType, content} signed by a self-signed cert; returns DER. */
static size_t wrap_signed(const ASN1_ITEM *it, ASN1_VALUE *body, enum cmc_oid ect,
                          unsigned char **out)
{
    unsigned char *der = NULL;
    size_t len = sample_i2d(it, body, &der);
    X509 *cert = self_signed("Signer");
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
    BIO *in = BIO_new_mem_buf(der, (int)len);
    int olen;

    assert_non_null(cms);
    assert_true(CMS_set1_eContentType(cms, cmc_oid_get0(ect)));
    assert_non_null(CMS_add1_signer(cms, cert, sample_key(), EVP_sha256(),
                                    CMS_BINARY | CMS_NOSMIMECAP));
    assert_true(CMS_final(cms, in, NULL, CMS_BINARY));
    *out = NULL;
    olen = i2d_CMS_ContentInfo(cms, out);
    assert_true(olen > 0);
    BIO_free(in);
    CMS_ContentInfo_free(cms);
    X509_free(cert);
    OPENSSL_free(der);
    return (size_t)olen;
}

/* Print into a memory BIO; returns a NUL-terminated copy (caller frees). */
static char *print(const uint8_t *der, size_t len, int json, cmc_err *rv)
{
    BIO *m = BIO_new(BIO_s_mem());
    char *p = NULL, *s;
    long n;

    assert_non_null(m);
    *rv = cmc_print_der(m, der, len, json);
    n = BIO_get_mem_data(m, &p);
    s = OPENSSL_strndup(n > 0 ? p : "", n > 0 ? (size_t)n : 0);
    BIO_free(m);
    return s;
}

static void want(const char *out, const char *word)
{
    if (strstr(out, word) == NULL)
        fail_msg("\"%s\" missing from:\n%s", word, out != NULL ? out : "(no output)");
}

static void test_print__full_pki_request(void **state)
{
    CMC_PKIDATA *d = sample_pkidata();
    unsigned char *der = NULL;
    size_t len = wrap_signed(ASN1_ITEM_rptr(CMC_PKIDATA), (ASN1_VALUE *)d,
                             CMC_OID_CCT_PKIDATA, &der);
    cmc_err rv;
    char *out = print(der, len, 0, &rv);

    assert_int_equal(rv, CMC_OK);
    want(out, "Full PKI Request");
    want(out, "issuer: CN=Signer");
    want(out, "transactionId");
    want(out, "42");
    want(out, "senderNonce");
    want(out, "6e6f6e63652d30313233343536373839");
    want(out, "identification");
    want(out, "alice");
    want(out, "identityProofV2");
    want(out, "sha256");
    want(out, "regInfo");
    want(out, "reg-info");
    want(out, "tcr (PKCS#10)");
    want(out, "CN=tcr.example");
    want(out, "crm (CRMF)");
    want(out, "CN=crm.example");
    want(out, "EC 256 bits");
    want(out, "pop: signature");
    want(out, "cmsSequence");
    want(out, "otherMsgSequence");
    OPENSSL_free(out);
    out = print(der, len, 1, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "{\"type\":\"Full PKI Request\"");
    want(out, "\"control\":\"identityProofV2\"");
    assert_int_equal(out[strlen(out) - 2], '}');
    OPENSSL_free(out);
    OPENSSL_free(der);
    CMC_PKIDATA_free(d);
}

static void test_print__full_pki_response(void **state)
{
    CMC_PKIRESPONSE *r = sample_pkiresponse();
    unsigned char *der = NULL;
    size_t len = wrap_signed(ASN1_ITEM_rptr(CMC_PKIRESPONSE), (ASN1_VALUE *)r,
                             CMC_OID_CCT_PKIRESPONSE, &der);
    cmc_err rv;
    char *out = print(der, len, 0, &rv);

    assert_int_equal(rv, CMC_OK);
    want(out, "Full PKI Response");
    want(out, "statusInfoV2");
    want(out, "status: failed");
    want(out, "failInfo: badRequest");
    want(out, "statusString: bad request");
    want(out, "bodyPartPath");
    want(out, "recipientNonce");
    OPENSSL_free(out);
    OPENSSL_free(der);
    CMC_PKIRESPONSE_free(r);
}

static void test_print__cert_p10_crmf_and_pem(void **state)
{
    X509 *x = self_signed("Printed Cert");
    X509_REQ *req = sample_p10("p10.example");
    CMC_CERT_REQ_MSG *m = sample_cert_req_msg();
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    BIO *pem = BIO_new(BIO_s_mem());
    char *pp = NULL, *out;
    long plen;
    cmc_err rv;

    out = print(der, (size_t)len, 0, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "X.509 certificate");
    want(out, "subject: CN=Printed Cert");
    want(out, "serialNumber: 4660");
    want(out, "notAfter");
    OPENSSL_free(out);
    OPENSSL_free(der);

    assert_true(PEM_write_bio_X509_REQ(pem, req));
    plen = BIO_get_mem_data(pem, &pp);
    out = print((const uint8_t *)pp, (size_t)plen, 0, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "PKCS#10");
    want(out, "CN=p10.example");
    OPENSSL_free(out);

    der = NULL;
    len = i2d_CMC_CERT_REQ_MSG(m, &der);
    out = print(der, (size_t)len, 0, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "CRMF CertReqMsg");
    want(out, "certReqId: 11");
    OPENSSL_free(out);
    OPENSSL_free(der);
    BIO_free(pem);
    CMC_CERT_REQ_MSG_free(m);
    X509_REQ_free(req);
    X509_free(x);
}

static void test_print__certs_only_is_simple_response(void **state)
{
    X509 *x = self_signed("Issued");
    STACK_OF(X509) *certs = sk_X509_new_null();
    CMS_ContentInfo *cms;
    unsigned char *der = NULL;
    int len;
    cmc_err rv;
    char *out;

    assert_true(sk_X509_push(certs, x) > 0);
    cms = CMS_sign(NULL, NULL, certs, NULL, CMS_PARTIAL);
    assert_non_null(cms);
    len = i2d_CMS_ContentInfo(cms, &der);
    assert_true(len > 0);
    out = print(der, (size_t)len, 0, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "Simple PKI Response");
    want(out, "subject: CN=Issued");
    want(out, "issuer: CN=Issued");
    OPENSSL_free(out);
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    sk_X509_pop_free(certs, X509_free);
}

static void test_print__garbage_is_decode_error(void **state)
{
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01};
    static const uint8_t text[] = "hello";
    static const char bad_pem[] = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    static const uint8_t empty_seq[] = {0x30, 0x00};
    cmc_err rv;
    char *out;

    out = print(junk, sizeof(junk), 0, &rv);
    assert_int_equal(rv, CMC_ERR_DECODE);
    OPENSSL_free(out);
    out = print(text, sizeof(text) - 1, 1, &rv);
    assert_int_equal(rv, CMC_ERR_DECODE);
    OPENSSL_free(out);
    out = print((const uint8_t *)bad_pem, sizeof(bad_pem) - 1, 0, &rv);
    assert_int_equal(rv, CMC_ERR_DECODE);
    OPENSSL_free(out);
    out = print(empty_seq, sizeof(empty_seq), 0, &rv);
    assert_int_equal(rv, CMC_ERR_DECODE);
    OPENSSL_free(out);
    assert_int_equal(cmc_print_der(NULL, junk, sizeof(junk), 0), CMC_ERR_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print__full_pki_request),
        cmocka_unit_test(test_print__full_pki_response),
        cmocka_unit_test(test_print__cert_p10_crmf_and_pem),
        cmocka_unit_test(test_print__certs_only_is_simple_response),
        cmocka_unit_test(test_print__garbage_is_decode_error),
    };

    return cmocka_run_group_tests_name("asn1_print", tests, NULL, NULL);
}
