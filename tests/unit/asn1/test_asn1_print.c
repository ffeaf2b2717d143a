/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/asn1/asn1_print.c: what `cmc show` prints for each kind of input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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
    want(out, "issuer: CN = Signer");
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
    want(out, "CN = tcr.example");
    want(out, "crm (CRMF)");
    want(out, "CN = crm.example");
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
    want(out, "subject: CN = Printed Cert");
    /* hex as `openssl x509 -text` shows long serials, never decimal */
    want(out, "serialNumber: 12:34\n");
    want(out, "notAfter");
    OPENSSL_free(out);
    OPENSSL_free(der);

    assert_true(PEM_write_bio_X509_REQ(pem, req));
    plen = BIO_get_mem_data(pem, &pp);
    out = print((const uint8_t *)pp, (size_t)plen, 0, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "PKCS#10");
    want(out, "CN = p10.example");
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
    want(out, "subject: CN = Issued");
    want(out, "issuer: CN = Issued");
    OPENSSL_free(out);
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    sk_X509_pop_free(certs, X509_free);
}

static void add_ext(X509 *x, X509_REQ *req, STACK_OF(X509_EXTENSION) **sk, int nid,
                    const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, x, x, req, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(e);
    if (x != NULL)
        assert_true(X509_add_ext(x, e, -1));
    if (sk != NULL)
        assert_true(X509v3_add_ext(sk, e, -1) != NULL);
    X509_EXTENSION_free(e);
}

/* A certificate with a 20-byte serial (top bit clear, like a CA's random serials) and the
 * extensions a TLS server certificate carries. */
static X509 *full_cert(void)
{
    static const unsigned char serial[20] = {0x7f, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                             0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
                                             0x0e, 0x0f, 0x10, 0x11, 0x12, 0xff};
    X509 *x = self_signed("Full Cert");
    BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);

    assert_non_null(bn);
    assert_non_null(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)));
    BN_free(bn);
    add_ext(x, NULL, NULL, NID_subject_alt_name, "DNS:a.example, DNS:b.example, IP:127.0.0.1");
    add_ext(x, NULL, NULL, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(x, NULL, NULL, NID_ext_key_usage, "serverAuth,clientAuth");
    add_ext(x, NULL, NULL, NID_basic_constraints, "critical,CA:FALSE");
    assert_true(X509_sign(x, sample_key(), EVP_sha256()) > 0);
    return x;
}

/* `openssl x509 -fingerprint -sha256` form: upper-case hex pairs joined by colons. */
static void fingerprint(X509 *x, char *buf)
{
    unsigned char md[32];
    unsigned int n = 0;

    assert_true(X509_digest(x, EVP_sha256(), md, &n));
    assert_int_equal(n, 32);
    for (unsigned int i = 0; i < n; i++)
        sprintf(buf + 3 * i, "%02X%s", md[i], i + 1 < n ? ":" : "");
}

static void test_print__cert_in_full(void **state)
{
    X509 *x = full_cert();
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    char fp[100], line[140];
    cmc_err rv;
    char *out;

    fingerprint(x, fp);
    out = print(der, (size_t)len, 0, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "serialNumber: 7f:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:ff\n");
    want(out, "version: 3\n");
    want(out, "signatureAlgorithm: ecdsa-with-SHA256");
    (void)snprintf(line, sizeof(line), "sha256Fingerprint: %s\n", fp);
    want(out, line);
    want(out, "name: X509v3 Subject Alternative Name\n");
    want(out, "value: DNS:a.example, DNS:b.example, IP Address:127.0.0.1\n");
    want(out, "- DNS:b.example\n");
    want(out, "name: X509v3 Key Usage\n");
    want(out, "critical: true\n");
    want(out, "value: Digital Signature, Key Encipherment\n");
    want(out, "name: X509v3 Extended Key Usage\n");
    want(out, "value: TLS Web Server Authentication, TLS Web Client Authentication\n");
    want(out, "value: CA:FALSE\n");
    OPENSSL_free(out);

    out = print(der, (size_t)len, 1, &rv);
    assert_int_equal(rv, CMC_OK);
    /* a string, never a JSON number (jq would round it to 7.25e47) */
    want(out, "\"serialNumber\":\"7F0102030405060708090A0B0C0D0E0F101112FF\"");
    (void)snprintf(line, sizeof(line), "\"sha256Fingerprint\":\"%s\"", fp);
    want(out, line);
    want(out, "\"critical\":true");
    want(out, "\"critical\":false");
    want(out, "\"names\":[\"DNS:a.example\",\"DNS:b.example\",\"IP Address:127.0.0.1\"]");
    OPENSSL_free(out);
    OPENSSL_free(der);
    X509_free(x);
}

/* A bundle: every PEM block in order; a private key is named, never printed. */
static void test_print__pem_bundle(void **state)
{
    X509 *a = self_signed("First"), *b = full_cert();
    BIO *pem = BIO_new(BIO_s_mem());
    BIO *keypem = BIO_new(BIO_s_mem());
    char *pp = NULL, *kp = NULL, *out, *keyline;
    long plen, klen;
    cmc_err rv;

    assert_true(PEM_write_bio_X509(pem, a));
    assert_true(PEM_write_bio_PrivateKey(pem, sample_key(), NULL, NULL, 0, NULL, NULL));
    assert_true(PEM_write_bio_X509(pem, b));
    assert_true(PEM_write_bio_PrivateKey(keypem, sample_key(), NULL, NULL, 0, NULL, NULL));
    plen = BIO_get_mem_data(pem, &pp);
    klen = BIO_get_mem_data(keypem, &kp);
    out = print((const uint8_t *)pp, (size_t)plen, 0, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "type: PEM bundle\n");
    want(out, "count: 3\n");
    want(out, "subject: CN = First\n");
    want(out, "type: private key (not shown)\n");
    want(out, "subject: CN = Full Cert\n");
    assert_true(strstr(out, "CN = First") < strstr(out, "CN = Full Cert"));
    /* not one line of the key's base64 appears */
    keyline = OPENSSL_strndup(kp + 28, 40);
    assert_true(klen > 70);
    assert_null(strstr(out, keyline));
    OPENSSL_free(keyline);
    OPENSSL_free(out);

    out = print((const uint8_t *)pp, (size_t)plen, 1, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "{\"type\":\"PEM bundle\",\"count\":3,\"objects\":[{\"type\":\"X.509 certificate\"");
    assert_int_equal(out[strlen(out) - 2], '}');
    OPENSSL_free(out);

    /* A single private key alone is refused, not printed. */
    out = print((const uint8_t *)kp, (size_t)klen, 0, &rv);
    assert_int_equal(rv, CMC_ERR_DECODE);
    OPENSSL_free(out);
    BIO_free(keypem);
    BIO_free(pem);
    X509_free(a);
    X509_free(b);
}

/* A CSR's extensionRequest, in words. */
static void test_print__csr_requested_extensions(void **state)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *n = X509_NAME_new();
    STACK_OF(X509_EXTENSION) *exts = NULL;
    unsigned char *der = NULL;
    int len;
    cmc_err rv;
    char *out;

    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                                           (const unsigned char *)"req.example", -1, -1, 0));
    assert_true(X509_REQ_set_subject_name(req, n));
    assert_true(X509_REQ_set_pubkey(req, sample_key()));
    add_ext(NULL, req, &exts, NID_subject_alt_name, "DNS:req.example");
    add_ext(NULL, req, &exts, NID_key_usage, "critical,digitalSignature");
    assert_true(X509_REQ_add_extensions(req, exts));
    assert_true(X509_REQ_sign(req, sample_key(), EVP_sha256()) > 0);
    len = i2d_X509_REQ(req, &der);
    out = print(der, (size_t)len, 0, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "requestedExtensions:\n");
    want(out, "value: DNS:req.example\n");
    want(out, "value: Digital Signature\n");
    want(out, "signatureAlgorithm: ecdsa-with-SHA256");
    OPENSSL_free(out);
    OPENSSL_free(der);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_NAME_free(n);
    X509_REQ_free(req);
}

/* Names in the order and form of `openssl x509 -noout -subject` (oneline), UTF-8 as is. */
static void test_print__name_order_like_openssl(void **state)
{
    X509 *x = self_signed("ignored");
    X509_NAME *n = X509_NAME_new();
    unsigned char *der = NULL;
    int len;
    cmc_err rv;
    char *out;

    assert_true(X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"DE", -1,
                                           -1, 0));
    assert_true(X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
                                           (const unsigned char *)"M\xc3\xbcller, Inc", -1, -1, 0));
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"host",
                                           -1, -1, 0));
    assert_true(X509_set_subject_name(x, n));
    assert_true(X509_sign(x, sample_key(), EVP_sha256()) > 0);
    len = i2d_X509(x, &der);
    out = print(der, (size_t)len, 0, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "subject: C = DE, O = \"M\xc3\xbcller, Inc\", CN = host\n");
    OPENSSL_free(out);
    out = print(der, (size_t)len, 1, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "\"subject\":\"C = DE, O = \\\"M\xc3\xbcller, Inc\\\", CN = host\"");
    OPENSSL_free(out);
    OPENSSL_free(der);
    X509_NAME_free(n);
    X509_free(x);
}

/* JSON stays valid UTF-8 whatever bytes a message carries; big integers are strings. */
static void test_print__json_is_valid(void **state)
{
    CMC_PKIDATA *d = sample_pkidata();
    CMC_TAGGED_ATTRIBUTE *a;
    ASN1_UTF8STRING *u;
    ASN1_TYPE *t;
    unsigned char *der = NULL;
    size_t len;
    cmc_err rv;
    char *out;

    /* identification control with bytes that are not UTF-8 */
    a = CMC_TAGGED_ATTRIBUTE_new();
    u = ASN1_UTF8STRING_new();
    t = ASN1_TYPE_new();
    assert_non_null(a);
    assert_non_null(u);
    assert_non_null(t);
    assert_true(ASN1_INTEGER_set(a->bodyPartID, 77));
    ASN1_OBJECT_free(a->attrType);
    a->attrType = OBJ_dup(cmc_oid_get0_control(CMC_CTRL_IDENTIFICATION));
    assert_true(ASN1_STRING_set(u, "ok\xff\xc3(", 5));
    ASN1_TYPE_set(t, V_ASN1_UTF8STRING, u);
    assert_true(sk_ASN1_TYPE_push(a->attrValues, t) > 0);
    assert_true(sk_CMC_TAGGED_ATTRIBUTE_push(d->controlSequence, a) > 0);
    len = sample_i2d(ASN1_ITEM_rptr(CMC_PKIDATA), (ASN1_VALUE *)d, &der);
    out = print(der, len, 1, &rv);
    assert_int_equal(rv, CMC_OK);
    want(out, "\"text\":\"ok\\ufffd\\ufffd(\"");
    /* transactionId is an identifier: a string, whatever its size */
    want(out, "\"transactionId\":\"42\"");
    OPENSSL_free(out);
    OPENSSL_free(der);
    CMC_PKIDATA_free(d);
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
        cmocka_unit_test(test_print__cert_in_full),
        cmocka_unit_test(test_print__pem_bundle),
        cmocka_unit_test(test_print__csr_requested_extensions),
        cmocka_unit_test(test_print__name_order_like_openssl),
        cmocka_unit_test(test_print__json_is_valid),
    };

    return cmocka_run_group_tests_name("asn1_print", tests, NULL, NULL);
}
