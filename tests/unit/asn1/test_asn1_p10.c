/* SPDX-License-Identifier: Apache-2.0 */
/* CMC_SPKI / CMC_P10 (src/asn1/asn1_p10.c): the same DER as OpenSSL's X509_REQ, keys built
 * without OpenSSL's decoder equal to the keys OpenSSL decodes, and every malformed key
 * refused with CMC_ERR_BAD_ALG before it reaches a signature check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "asn1/asn1_local.h"

static CMC_SPKI *spki_of(EVP_PKEY *k)
{
    CMC_SPKI *s = NULL;

    assert_int_equal(cmc_spki_set1_pkey(&s, k), CMC_OK);
    return s;
}

/* The key built from the SPKI is the key (EVP_PKEY_eq compares the public parts). */
static void assert_same_key(EVP_PKEY *k)
{
    CMC_SPKI *s = spki_of(k);
    EVP_PKEY *back = NULL;

    assert_int_equal(cmc_spki_get1_pkey(s, &back), CMC_OK);
    assert_int_equal(EVP_PKEY_eq(back, k), 1);
    EVP_PKEY_free(back);
    CMC_SPKI_free(s);
}

static void assert_bad(const CMC_SPKI *s)
{
    EVP_PKEY *k = (EVP_PKEY *)1;

    assert_int_equal(cmc_spki_get1_pkey(s, &k), CMC_ERR_BAD_ALG);
    assert_null(k);
    cmc_error_clear();
}

static void set_bits(CMC_SPKI *s, const unsigned char *b, int len)
{
    assert_int_equal(ASN1_BIT_STRING_set(s->subjectPublicKey, (unsigned char *)b, len), 1);
    s->subjectPublicKey->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
}

static void test_spki_keys_equal_openssl(void **state)
{
    const char *curves[] = {"P-256", "P-384", "P-521", "secp256k1"}; /* the last: generic path */
    EVP_PKEY *k;

    (void)state;
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
        k = EVP_EC_gen(curves[i]);
        assert_non_null(k);
        assert_same_key(k);
        EVP_PKEY_free(k);
    }
    k = EVP_RSA_gen(2048);
    assert_same_key(k);
    EVP_PKEY_free(k);
    k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_same_key(k);
    EVP_PKEY_free(k);
}

/* A compressed point (RFC 5480 §2.2 allows it) gives the same key. */
static void test_spki_ec_compressed(void **state)
{
    EVP_PKEY *k = EVP_EC_gen("P-256"), *back = NULL;
    CMC_SPKI *s = spki_of(k);
    unsigned char c[33];
    const unsigned char *u = ASN1_STRING_get0_data(s->subjectPublicKey);

    (void)state;
    assert_int_equal(ASN1_STRING_length(s->subjectPublicKey), 65);
    c[0] = (unsigned char)(0x02 | (u[64] & 1));
    memcpy(c + 1, u + 1, 32);
    set_bits(s, c, sizeof(c));
    assert_int_equal(cmc_spki_get1_pkey(s, &back), CMC_OK);
    assert_int_equal(EVP_PKEY_eq(back, k), 1);
    EVP_PKEY_free(back);
    CMC_SPKI_free(s);
    EVP_PKEY_free(k);
}

static void test_spki_ec_malformed(void **state)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    CMC_SPKI *s = spki_of(k);
    unsigned char good[65], b[65];
    static const unsigned char infinity[1] = {0x00};

    (void)state;
    memcpy(good, ASN1_STRING_get0_data(s->subjectPublicKey), sizeof(good));
    /* the point at infinity: anyone could sign for it */
    set_bits(s, infinity, 1);
    assert_bad(s);
    /* not on the curve */
    memcpy(b, good, sizeof(b));
    b[40] ^= 0x01;
    set_bits(s, b, sizeof(b));
    assert_bad(s);
    /* hybrid form, and a bad prefix */
    b[40] ^= 0x01;
    b[0] = 0x06;
    set_bits(s, b, sizeof(b));
    assert_bad(s);
    b[0] = 0x05;
    set_bits(s, b, sizeof(b));
    assert_bad(s);
    /* too short, too long for the curve */
    set_bits(s, good, 64);
    assert_bad(s);
    set_bits(s, good, 33);
    assert_bad(s);
    /* a BIT STRING with unused bits */
    set_bits(s, good, sizeof(good));
    s->subjectPublicKey->flags |= ASN1_STRING_FLAG_BITS_LEFT | 0x03;
    assert_bad(s);
    /* no named curve (absent parameters) */
    set_bits(s, good, sizeof(good));
    assert_int_equal(X509_ALGOR_set0(s->algorithm, OBJ_nid2obj(NID_X9_62_id_ecPublicKey),
                                     V_ASN1_UNDEF, NULL), 1);
    assert_bad(s);
    CMC_SPKI_free(s);
    EVP_PKEY_free(k);
}

static void test_spki_rsa_malformed(void **state)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    CMC_SPKI *s = spki_of(k);
    unsigned char good[600], b[600];
    int len = ASN1_STRING_length(s->subjectPublicKey);
    /* SEQUENCE { INTEGER 0x00c1..(64 bytes), INTEGER e } with a 512-bit modulus */
    unsigned char small[80];

    (void)state;
    assert_true(len > 0 && len <= (int)sizeof(good));
    memcpy(good, ASN1_STRING_get0_data(s->subjectPublicKey), (size_t)len);
    /* the exponent is the last INTEGER: make it even */
    memcpy(b, good, (size_t)len);
    b[len - 1] &= 0xFE;
    set_bits(s, b, len);
    assert_bad(s);
    /* trailing garbage after RSAPublicKey */
    memcpy(b, good, (size_t)len);
    b[len] = 0x00;
    set_bits(s, b, len + 1);
    assert_bad(s);
    /* truncated */
    set_bits(s, good, len - 1);
    assert_bad(s);
    /* a negative modulus: good[0..3] = 30 82 01 0a, good[4..7] = 02 82 01 01, good[8] = 00,
     * then the modulus with its top bit set; dropping the 00 pad makes it negative */
    assert_int_equal(good[4], 0x02);
    assert_int_equal(good[8], 0x00);
    memcpy(b, good, 8);
    memcpy(b + 8, good + 9, (size_t)len - 9);
    b[3] = (unsigned char)(b[3] - 1);
    b[7] = (unsigned char)(b[7] - 1);
    set_bits(s, b, len - 1);
    assert_bad(s);
    /* a modulus under 512 bits */
    {
        size_t i = 0;
        small[i++] = 0x30;
        small[i++] = 2 + 33 + 5;
        small[i++] = 0x02;
        small[i++] = 33;
        small[i++] = 0x00;
        memset(small + i, 0xC5, 32);
        i += 32;
        small[i++] = 0x02;
        small[i++] = 3;
        small[i++] = 0x01;
        small[i++] = 0x00;
        small[i++] = 0x01;
        set_bits(s, small, (int)i);
        assert_bad(s);
    }
    /* parameters that are not NULL */
    set_bits(s, good, len);
    assert_int_equal(X509_ALGOR_set0(s->algorithm, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_OBJECT,
                                     OBJ_nid2obj(NID_sha256)), 1);
    assert_bad(s);
    CMC_SPKI_free(s);
    EVP_PKEY_free(k);
}

static X509_REQ *make_req(EVP_PKEY *k, int with_ext)
{
    X509_REQ *r = X509_REQ_new();
    X509_NAME *n = X509_NAME_new();

    assert_non_null(r);
    assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                                                (const unsigned char *)"p10.example", -1, -1, 0),
                     1);
    assert_int_equal(X509_REQ_set_subject_name(r, n), 1);
    assert_int_equal(X509_REQ_set_pubkey(r, k), 1);
    if (with_ext) {
        STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
                                                "DNS:p10.example");
        assert_non_null(e);
        sk_X509_EXTENSION_push(exts, e);
        assert_int_equal(X509_REQ_add_extensions(r, exts), 1);
        sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    }
    assert_true(X509_REQ_sign(r, k, EVP_sha256()) > 0);
    X509_NAME_free(n);
    return r;
}

static void test_p10_same_der_as_openssl(void **state)
{
    EVP_PKEY *k = EVP_EC_gen("P-256"), *pk = NULL;
    X509_REQ *r = make_req(k, 1);
    CMC_P10 *p = NULL;
    unsigned char *d1 = NULL, *d2 = NULL;
    int l1, l2;
    STACK_OF(X509_EXTENSION) *exts = NULL;

    (void)state;
    assert_int_equal(cmc_p10_from_x509_req(r, &p), CMC_OK);
    l1 = i2d_X509_REQ(r, &d1);
    l2 = i2d_CMC_P10(p, &d2);
    assert_int_equal(l1, l2);
    assert_memory_equal(d1, d2, (size_t)l1);
    assert_int_equal(X509_NAME_cmp(cmc_p10_get0_subject(p), X509_REQ_get_subject_name(r)), 0);
    assert_int_equal(cmc_p10_get_attr_count(p), 1);
    assert_int_equal(cmc_spki_get1_pkey(cmc_p10_get0_spki(p), &pk), CMC_OK);
    assert_int_equal(EVP_PKEY_eq(pk, k), 1);
    assert_int_equal(cmc_p10_verify(p, pk), CMC_OK);
    assert_int_equal(cmc_p10_get1_extensions(p, &exts), CMC_OK);
    assert_int_equal(sk_X509_EXTENSION_num(exts), 1);
    assert_int_equal(OBJ_obj2nid(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, 0))),
                     NID_subject_alt_name);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    /* no extensionRequest: no extensions, and that is not an error */
    CMC_P10_free(p);
    X509_REQ_free(r);
    r = make_req(k, 0);
    assert_int_equal(cmc_p10_from_x509_req(r, &p), CMC_OK);
    assert_int_equal(cmc_p10_get1_extensions(p, &exts), CMC_OK);
    assert_null(exts);
    OPENSSL_free(d1);
    OPENSSL_free(d2);
    EVP_PKEY_free(pk);
    CMC_P10_free(p);
    X509_REQ_free(r);
    EVP_PKEY_free(k);
}

/* The signature is over the bytes received: a flipped bit in the signed part or in the
 * signature fails as a POP failure. */
static void test_p10_verify_fails(void **state)
{
    EVP_PKEY *k = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
    X509_REQ *r = make_req(k, 1);
    unsigned char *der = NULL;
    const unsigned char *q;
    int len = i2d_X509_REQ(r, &der);
    CMC_P10 *p;

    (void)state;
    /* the CN's last byte sits inside the signed part */
    for (int i = 0; i < len - 10; i++)
        if (memcmp(der + i, "p10.example", 11) == 0) {
            der[i + 10] ^= 0x01;
            break;
        }
    q = der;
    p = d2i_CMC_P10(NULL, &q, len);
    assert_non_null(p);
    assert_int_equal(cmc_p10_verify(p, k), CMC_ERR_BAD_POP);
    cmc_error_clear();
    CMC_P10_free(p);
    X509_REQ_free(r);
    OPENSSL_free(der);
    /* the right bytes, the wrong key */
    r = make_req(k, 0);
    assert_int_equal(cmc_p10_from_x509_req(r, &p), CMC_OK);
    assert_int_equal(cmc_p10_verify(p, other), CMC_ERR_BAD_POP);
    cmc_error_clear();
    CMC_P10_free(p);
    X509_REQ_free(r);
    EVP_PKEY_free(other);
    EVP_PKEY_free(k);
}

/* Two extensionRequest attributes, or one whose value is not Extensions: badRequest. */
static void test_p10_bad_extension_request(void **state)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509_REQ *r = make_req(k, 1);
    CMC_P10 *p = NULL;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    static const unsigned char not_exts[] = {0x30, 0x03, 0x02, 0x01, 0x05}; /* SEQ { INT 5 } */

    (void)state;
    assert_int_equal(cmc_p10_from_x509_req(r, &p), CMC_OK);
    {
        X509_ATTRIBUTE *dup = X509_ATTRIBUTE_dup(sk_X509_ATTRIBUTE_value(p->info->attributes, 0));
        assert_true(sk_X509_ATTRIBUTE_push(p->info->attributes, dup) > 0);
    }
    assert_int_equal(cmc_p10_get1_extensions(p, &exts), CMC_ERR_BAD_REQUEST);
    assert_null(exts);
    cmc_error_clear();
    CMC_P10_free(p);
    p = NULL;
    X509_REQ_free(r);
    r = make_req(k, 0);
    assert_int_equal(X509_REQ_add1_attr_by_NID(r, NID_ext_req, V_ASN1_SEQUENCE, not_exts,
                                               sizeof(not_exts)), 1);
    assert_int_equal(cmc_p10_from_x509_req(r, &p), CMC_OK);
    assert_int_equal(cmc_p10_get1_extensions(p, &exts), CMC_ERR_BAD_REQUEST);
    assert_null(exts);
    cmc_error_clear();
    CMC_P10_free(p);
    X509_REQ_free(r);
    EVP_PKEY_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spki_keys_equal_openssl),
        cmocka_unit_test(test_spki_ec_compressed),
        cmocka_unit_test(test_spki_ec_malformed),
        cmocka_unit_test(test_spki_rsa_malformed),
        cmocka_unit_test(test_p10_same_der_as_openssl),
        cmocka_unit_test(test_p10_verify_fails),
        cmocka_unit_test(test_p10_bad_extension_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
