/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/asn1/asn1_crmf.c: our CRMF mirror is wire-identical to OpenSSL's own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crmf.h>
#include <openssl/x509.h>

#include "asn1/asn1_local.h"
#include "asn1_samples.h"

/* A CertReqMsg built and signed by OSSL_CRMF_MSG must decode with our templates and
 * re-encode to the same bytes: our tags (IMPLICIT module, explicit on CHOICEs) match. */
static void test_crmf__openssl_message_roundtrips_identically(void **state)
{
    OSSL_CRMF_MSG *msg = OSSL_CRMF_MSG_new();
    X509_NAME *subj = X509_NAME_new();
    X509_NAME *iss = X509_NAME_new();
    ASN1_INTEGER *serial = ASN1_INTEGER_new();
    unsigned char *der = NULL, *der2 = NULL;
    const unsigned char *p;
    int len, len2;
    CMC_CERT_REQ_MSG *m;

    assert_non_null(msg);
    assert_true(OSSL_CRMF_MSG_set_certReqId(msg, 7));
    assert_true(X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
                                           (const unsigned char *)"interop.example", -1, -1, 0));
    assert_true(X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_ASC,
                                           (const unsigned char *)"Some CA", -1, -1, 0));
    assert_true(ASN1_INTEGER_set(serial, 99));
    assert_true(OSSL_CRMF_CERTTEMPLATE_fill(OSSL_CRMF_MSG_get0_tmpl(msg), sample_key(), subj,
                                            iss, serial));
    assert_true(OSSL_CRMF_MSG_set0_validity(msg, ASN1_TIME_set(NULL, 1767225600),
                                            ASN1_TIME_set(NULL, 1798761600)));
    assert_true(OSSL_CRMF_MSG_create_popo(OSSL_CRMF_POPO_SIGNATURE, msg, sample_key(),
                                          EVP_sha256(), NULL, NULL));
    len = i2d_OSSL_CRMF_MSG(msg, &der);
    assert_true(len > 0);

    p = der;
    m = d2i_CMC_CERT_REQ_MSG(NULL, &p, len);
    assert_non_null(m);
    assert_ptr_equal(p, der + len);
    len2 = i2d_CMC_CERT_REQ_MSG(m, &der2);
    assert_int_equal(len2, len);
    assert_memory_equal(der2, der, (size_t)len);

    assert_int_equal(ASN1_INTEGER_get(m->certReq->certReqId), 7);
    assert_non_null(m->certReq->certTemplate->subject);
    assert_non_null(m->certReq->certTemplate->issuer);
    assert_non_null(m->certReq->certTemplate->publicKey);
    assert_non_null(m->certReq->certTemplate->validity);
    assert_non_null(m->certReq->certTemplate->validity->notAfter);
    assert_int_equal(ASN1_INTEGER_get(m->certReq->certTemplate->serialNumber), 99);
    assert_int_equal(m->popo->type, CMC_POP_SIGNATURE);
    assert_null(m->popo->value.signature->poposkInput);
    /* the cached certReq encoding is what the POP signature covers */
    assert_non_null(m->certReq->enc.enc);
    {
        EVP_PKEY *k = NULL;
        assert_int_equal(cmc_spki_get1_pkey(m->certReq->certTemplate->publicKey, &k), CMC_OK);
        assert_true(EVP_PKEY_eq(k, sample_key()) == 1);
        EVP_PKEY_free(k);
    }
    assert_int_equal(ASN1_item_verify(ASN1_ITEM_rptr(CMC_CERT_REQUEST),
                                      m->popo->value.signature->algorithmIdentifier,
                                      m->popo->value.signature->signature, m->certReq,
                                      sample_key()),
                     1);

    OPENSSL_free(der);
    OPENSSL_free(der2);
    CMC_CERT_REQ_MSG_free(m);
    ASN1_INTEGER_free(serial);
    X509_NAME_free(iss);
    X509_NAME_free(subj);
    OSSL_CRMF_MSG_free(msg);
}

/* And the other way: what we encode, OpenSSL's CRMF decoder reads. */
static void test_crmf__our_message_decodes_with_openssl(void **state)
{
    CMC_CERT_REQ_MSG *m = sample_cert_req_msg();
    unsigned char *der = NULL, *der2 = NULL;
    const unsigned char *p;
    int len, len2;
    OSSL_CRMF_MSG *msg;

    len = i2d_CMC_CERT_REQ_MSG(m, &der);
    assert_true(len > 0);
    p = der;
    msg = d2i_OSSL_CRMF_MSG(NULL, &p, len);
    assert_non_null(msg);
    assert_int_equal(OSSL_CRMF_MSG_get_certReqId(msg), 11);
    len2 = i2d_OSSL_CRMF_MSG(msg, &der2);
    assert_int_equal(len2, len);
    assert_memory_equal(der2, der, (size_t)len);
    OPENSSL_free(der);
    OPENSSL_free(der2);
    OSSL_CRMF_MSG_free(msg);
    CMC_CERT_REQ_MSG_free(m);
}

static void test_crmf__bad_pop_choice_and_truncation(void **state)
{
    /* ProofOfPossession [4]: no such alternative */
    static const uint8_t pop[] = {0xA4, 0x02, 0x05, 0x00};
    CMC_CERT_REQ_MSG *m = sample_cert_req_msg();
    unsigned char *der = NULL;
    int len = i2d_CMC_CERT_REQ_MSG(m, &der);
    ASN1_VALUE *v = NULL;

    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_POP), pop, sizeof(pop), &v),
                     CMC_ERR_DECODE);
    for (int cut = 1; cut < len; cut++)
        assert_int_equal(
            cmc_d2i_exact(ASN1_ITEM_rptr(CMC_CERT_REQ_MSG), der, (size_t)cut, &v),
            CMC_ERR_DECODE);
    assert_null(v);
    OPENSSL_free(der);
    CMC_CERT_REQ_MSG_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crmf__openssl_message_roundtrips_identically),
        cmocka_unit_test(test_crmf__our_message_decodes_with_openssl),
        cmocka_unit_test(test_crmf__bad_pop_choice_and_truncation),
    };

    return cmocka_run_group_tests_name("asn1_crmf", tests, NULL, NULL);
}
