/* SPDX-License-Identifier: Apache-2.0 */
/* CMC_SPKI / CMC_P10 (src/asn1/asn1_p10.c): the same DER as OpenSSL's X509_REQ, keys built
 * without OpenSSL's decoder equal to the keys OpenSSL decodes, and every malformed key
 * refused with CMC_ERR_BAD_ALG before it reaches a signature check; request keys leased from
 * the key pool (cmci_spki_lease_pkey) always carry the request's own point. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
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

/* RFC 8410 §3: an Ed25519/Ed448 key's AlgorithmIdentifier has no parameters; a NULL is
 * refused as badAlg saying so, not as "malformed" (attack item 2). */
static void test_spki_eddsa_null_parameters(void **state)
{
    const char *names[] = {"ED25519", "ED448"};

    (void)state;
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, names[i]), *got = NULL;
        CMC_SPKI *s = spki_of(k);

        assert_int_equal(X509_ALGOR_set0(s->algorithm, OBJ_nid2obj(i ? NID_ED448 : NID_ED25519),
                                         V_ASN1_NULL, NULL),
                         1);
        assert_int_equal(cmc_spki_get1_pkey(s, &got), CMC_ERR_BAD_ALG);
        assert_null(got);
        assert_non_null(strstr(cmc_error_get0_message(), "the parameters must be absent"));
        assert_non_null(strstr(cmc_error_get0_message(), names[i]));
        CMC_SPKI_free(s);
        EVP_PKEY_free(k);
    }
}

/* The CA copies the key into the certificate octet for octet, so the RSAPublicKey inside
 * the BIT STRING must be DER although OpenSSL's decoder also takes BER (issue 9 item 3): a
 * length in more octets than needed or an indefinite length is refused, for rsaEncryption
 * and for RSASSA-PSS keys alike. */
static void test_spki_rsa_ber_refused(void **state)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    CMC_SPKI *s = spki_of(k);
    unsigned char good[600], b[610];
    int len = ASN1_STRING_length(s->subjectPublicKey);

    (void)state;
    assert_true(len > 0 && len <= (int)sizeof(good));
    memcpy(good, ASN1_STRING_get0_data(s->subjectPublicKey), (size_t)len);
    /* good = 30 82 01 0a ...: the outer length in three octets (30 83 00 01 0a ...) */
    assert_int_equal(good[0], 0x30);
    assert_int_equal(good[1], 0x82);
    for (int pss = 0; pss <= 1; pss++) {
        if (pss)
            assert_int_equal(X509_ALGOR_set0(s->algorithm, OBJ_nid2obj(NID_rsassaPss),
                                             V_ASN1_UNDEF, NULL), 1);
        b[0] = 0x30;
        b[1] = 0x83;
        b[2] = 0x00;
        memcpy(b + 3, good + 2, (size_t)len - 2);
        set_bits(s, b, len + 1);
        assert_bad(s);
        /* indefinite length: 30 80 <contents> 00 00 */
        b[1] = 0x80;
        memcpy(b + 2, good + 4, (size_t)len - 4);
        b[len - 2] = 0x00;
        b[len - 1] = 0x00;
        set_bits(s, b, len);
        assert_bad(s);
        /* and the DER form is still taken */
        set_bits(s, good, len);
        {
            EVP_PKEY *back = NULL;

            assert_int_equal(cmc_spki_get1_pkey(s, &back), CMC_OK);
            EVP_PKEY_free(back);
        }
    }
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

/* --- request key leases (cmci_spki_lease_pkey): a pooled key is reused, never its point --- */

/*
 * A pooled EVP_PKEY goes from one request to the next with only its point replaced, so
 * every test here asks the same question: does the leased key carry THIS request's point
 * and no other? Object identity is observed through ex_data, not only through pointers:
 * a freed key's address is often handed to the next EVP_PKEY_dup by malloc, so "same
 * pointer" alone cannot tell a pooled key from a freed-and-remade one. A fresh key
 * (EVP_PKEY_dup of the template) never carries our mark; a key with the mark is one the
 * test leased before. The mark's free callback counts freed keys, so a test can also
 * tell "went back to the pool" from "was freed".
 */
static int mark_idx = -1;
static int marked_freed; /* marked keys freed so far (EVP_PKEY_free of a key with a mark) */

static void count_marked_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                              void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    if (ptr != NULL)
        __atomic_add_fetch(&marked_freed, 1, __ATOMIC_RELAXED);
}

static void mark(EVP_PKEY *k, void *m)
{
    assert_int_equal(EVP_PKEY_set_ex_data(k, mark_idx, m), 1);
}

static void *mark_of(const EVP_PKEY *k)
{
    return EVP_PKEY_get_ex_data(k, mark_idx);
}

static const unsigned char lease_msg[] = "what the requester signs with its own key";

static const EVP_MD *md_for(EVP_PKEY *k)
{
    return EVP_PKEY_is_a(k, "ED25519") ? NULL : EVP_sha256(); /* Ed25519 signs the message */
}

/* 1 only when @p sig is a valid signature of lease_msg under @p k (0 and -1 both fail). */
static int verifies(EVP_PKEY *k, const unsigned char *sig, size_t len)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL && EVP_DigestVerifyInit(c, NULL, md_for(k), NULL, k) == 1
             && EVP_DigestVerify(c, sig, len, lease_msg, sizeof(lease_msg)) == 1;

    EVP_MD_CTX_free(c);
    ERR_clear_error();
    return ok;
}

/* One requester: its key pair, its SPKI as the CA receives it, a signature by the pair. */
struct requester {
    EVP_PKEY *pair;
    CMC_SPKI *spki;
    unsigned char sig[512];
    size_t sig_len;
};

static void requester_init(struct requester *r, EVP_PKEY *pair)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    assert_non_null(pair);
    assert_non_null(c);
    r->pair = pair;
    r->spki = spki_of(pair);
    r->sig_len = sizeof(r->sig);
    assert_int_equal(EVP_DigestSignInit(c, NULL, md_for(pair), NULL, pair), 1);
    assert_int_equal(EVP_DigestSign(c, r->sig, &r->sig_len, lease_msg, sizeof(lease_msg)), 1);
    EVP_MD_CTX_free(c);
}

static void requester_cleanup(struct requester *r)
{
    CMC_SPKI_free(r->spki);
    EVP_PKEY_free(r->pair);
}

/* The point as sent, rewritten as a compressed point (RFC 5480 §2.2: 02/03 || x). */
static void compress_point(CMC_SPKI *s)
{
    unsigned char c[1 + 66];
    const unsigned char *u = ASN1_STRING_get0_data(s->subjectPublicKey);
    int len = ASN1_STRING_length(s->subjectPublicKey);
    size_t flen = (size_t)(len - 1) / 2;

    assert_int_equal(u[0], 0x04);
    assert_true(flen <= 66);
    c[0] = (unsigned char)(0x02 | (u[len - 1] & 1));
    memcpy(c + 1, u + 1, flen);
    set_bits(s, c, (int)(1 + flen));
    /* "0 unused bits" stated, as after d2i: without the flag i2d would count the trailing
     * zero bits of x's last octet as unused, and the DER compared below would differ */
    s->subjectPublicKey->flags |= ASN1_STRING_FLAG_BITS_LEFT;
}

static void assert_der_equal(EVP_PKEY *a, EVP_PKEY *b)
{
    unsigned char *da = NULL, *db = NULL;
    int la = i2d_PUBKEY(a, &da), lb = i2d_PUBKEY(b, &db);

    assert_true(la > 0);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, (size_t)la);
    OPENSSL_free(da);
    OPENSSL_free(db);
}

/*
 * The lease holds @p r's key and nothing else: the same public key as the requester's pair,
 * the same SubjectPublicKeyInfo as sent (point form included: i2d_PUBKEY writes the form
 * the point was set in), the same point, the same key as cmc_spki_get1_pkey makes from
 * it, and it verifies the requester's signature.
 */
static void assert_lease_is(const struct cmci_key_lease *l, const struct requester *r)
{
    unsigned char *der = NULL, *sent = NULL;
    int len, slen;
    EVP_PKEY *ref = NULL;

    assert_non_null(l->pkey);
    assert_int_equal(EVP_PKEY_eq(l->pkey, r->pair), 1);
    len = i2d_PUBKEY(l->pkey, &der);
    slen = i2d_CMC_SPKI(r->spki, &sent);
    assert_true(len > 0);
    assert_int_equal(len, slen);
    assert_memory_equal(der, sent, (size_t)len);
    if (EVP_PKEY_is_a(l->pkey, "EC")) {
        /* the point itself; OpenSSL 3.0 gives it uncompressed whatever form was sent */
        unsigned char *pt = NULL, *want = NULL;
        size_t ptlen = EVP_PKEY_get1_encoded_public_key(l->pkey, &pt);
        size_t wlen = EVP_PKEY_get1_encoded_public_key(r->pair, &want);

        assert_true(wlen > 0);
        assert_int_equal(ptlen, wlen);
        assert_memory_equal(pt, want, ptlen);
        OPENSSL_free(pt);
        OPENSSL_free(want);
    }
    assert_int_equal(cmc_spki_get1_pkey(r->spki, &ref), CMC_OK);
    assert_der_equal(l->pkey, ref);
    assert_true(verifies(l->pkey, r->sig, r->sig_len));
    EVP_PKEY_free(ref);
    OPENSSL_free(der);
    OPENSSL_free(sent);
}

/* Uses a leased key the way issuance does, so that any per-key cache OpenSSL keeps
 * (bits, size, group name, encodings) has been filled with this lease's values before the
 * key goes back to the pool. */
static void use_key(EVP_PKEY *k)
{
    unsigned char *der = NULL;
    char group[64];
    size_t glen;

    assert_true(EVP_PKEY_get_bits(k) > 0);
    assert_true(EVP_PKEY_get_size(k) > 0);
    assert_int_equal(EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                                    sizeof(group), &glen),
                     1);
    assert_true(i2d_PUBKEY(k, &der) > 0);
    OPENSSL_free(der);
}

static void test_spki_lease_pkey__p256_has_request_point(void **state)
{
    struct cmci_key_pool *pool = NULL;
    struct requester a, other;
    struct cmci_key_lease l = {(EVP_PKEY *)1, NULL, 99};

    (void)state;
    requester_init(&a, EVP_EC_gen("P-256"));
    requester_init(&other, EVP_EC_gen("P-256"));
    assert_int_equal(cmci_key_pool_new(&pool), CMC_OK);
    assert_non_null(pool);
    assert_int_equal(cmci_spki_lease_pkey(pool, a.spki, &l), CMC_OK);
    assert_ptr_equal(l.pool, pool);
    assert_true(l.curve >= 0); /* a pool key */
    assert_lease_is(&l, &a);
    /* the verification above can fail: another key's signature does not verify */
    assert_false(verifies(l.pkey, other.sig, other.sig_len));
    mark(l.pkey, &a);
    marked_freed = 0;
    cmci_key_lease_end(&l);
    assert_null(l.pkey);
    /* back in the pool, not freed */
    assert_int_equal(marked_freed, 0);
    cmci_key_lease_end(&l); /* a second end is a no-op */
    cmci_key_pool_free(pool);
    assert_int_equal(marked_freed, 1);
    requester_cleanup(&other);
    requester_cleanup(&a);
}

/* Without a pool an EC key is made for the lease and freed at its end. */
static void test_spki_lease_pkey__p256_without_pool(void **state)
{
    struct requester a;
    struct cmci_key_lease l = {NULL, NULL, 0};

    (void)state;
    requester_init(&a, EVP_EC_gen("P-256"));
    assert_int_equal(cmci_spki_lease_pkey(NULL, a.spki, &l), CMC_OK);
    assert_null(l.pool);
    assert_lease_is(&l, &a);
    mark(l.pkey, &a);
    marked_freed = 0;
    cmci_key_lease_end(&l);
    assert_null(l.pkey);
    assert_int_equal(marked_freed, 1);
    requester_cleanup(&a);
}

/*
 * The case the pool exists for, and the one that must never go wrong: request B gets the
 * very object request A used, with B's point in it. If the point were not replaced (or a
 * cache kept A's), B's request would be checked against A's key: A's signature would pass
 * as B's proof of possession.
 */
static void test_spki_lease_pkey__reused_key_carries_new_point(void **state)
{
    struct cmci_key_pool *pool = NULL;
    struct requester a, b;
    struct cmci_key_lease la = {NULL, NULL, 0}, lb = {NULL, NULL, 0};
    EVP_PKEY *first;
    X509_REQ *ra, *rb;
    CMC_P10 *pa = NULL, *pb = NULL;
    unsigned char *pt = NULL;
    size_t ptlen;

    (void)state;
    requester_init(&a, EVP_EC_gen("P-256"));
    requester_init(&b, EVP_EC_gen("P-256"));
    ra = make_req(a.pair, 0);
    rb = make_req(b.pair, 0);
    assert_int_equal(cmc_p10_from_x509_req(ra, &pa), CMC_OK);
    assert_int_equal(cmc_p10_from_x509_req(rb, &pb), CMC_OK);
    assert_int_equal(cmci_key_pool_new(&pool), CMC_OK);

    assert_int_equal(cmci_spki_lease_pkey(pool, a.spki, &la), CMC_OK);
    assert_lease_is(&la, &a);
    assert_int_equal(cmc_p10_verify(pa, la.pkey), CMC_OK);
    use_key(la.pkey);
    first = la.pkey;
    mark(first, &a);
    cmci_key_lease_end(&la);

    assert_int_equal(cmci_spki_lease_pkey(pool, b.spki, &lb), CMC_OK);
    /* the same object: pointer and mark (a remade key would have no mark) */
    assert_ptr_equal(lb.pkey, first);
    assert_ptr_equal(mark_of(lb.pkey), &a);
    assert_int_equal(lb.curve, la.curve);
    /* ... but B's key, and not A's any more */
    assert_lease_is(&lb, &b);
    assert_int_not_equal(EVP_PKEY_eq(lb.pkey, a.pair), 1);
    ptlen = EVP_PKEY_get1_encoded_public_key(lb.pkey, &pt);
    assert_int_equal(ptlen, 65);
    assert_memory_not_equal(pt, ASN1_STRING_get0_data(a.spki->subjectPublicKey), ptlen);
    OPENSSL_free(pt);
    assert_false(verifies(lb.pkey, a.sig, a.sig_len));
    /* the engine's use: A's request must not pass B's proof-of-possession check */
    assert_int_equal(cmc_p10_verify(pb, lb.pkey), CMC_OK);
    assert_int_equal(cmc_p10_verify(pa, lb.pkey), CMC_ERR_BAD_POP);
    cmc_error_clear();
    cmci_key_lease_end(&lb);

    CMC_P10_free(pa);
    CMC_P10_free(pb);
    X509_REQ_free(ra);
    X509_REQ_free(rb);
    cmci_key_pool_free(pool);
    requester_cleanup(&a);
    requester_cleanup(&b);
}

/* Two leases held at once (two body parts, two threads) are two objects: setting the second
 * one's point must not touch the first. The pool holds one idle key, so one lease gets it
 * and the other a new key. */
static void test_spki_lease_pkey__nested_leases_are_distinct(void **state)
{
    struct cmci_key_pool *pool = NULL;
    struct requester x, a, b;
    struct cmci_key_lease lx = {NULL, NULL, 0}, la = {NULL, NULL, 0}, lb = {NULL, NULL, 0};

    (void)state;
    requester_init(&x, EVP_EC_gen("P-256"));
    requester_init(&a, EVP_EC_gen("P-256"));
    requester_init(&b, EVP_EC_gen("P-256"));
    assert_int_equal(cmci_key_pool_new(&pool), CMC_OK);
    assert_int_equal(cmci_spki_lease_pkey(pool, x.spki, &lx), CMC_OK);
    mark(lx.pkey, &x);
    cmci_key_lease_end(&lx);

    assert_int_equal(cmci_spki_lease_pkey(pool, a.spki, &la), CMC_OK);
    assert_int_equal(cmci_spki_lease_pkey(pool, b.spki, &lb), CMC_OK);
    assert_ptr_not_equal(la.pkey, lb.pkey);
    /* exactly one of them is the idle key */
    assert_true((mark_of(la.pkey) == &x) != (mark_of(lb.pkey) == &x));
    /* A is checked after B's point was set */
    assert_lease_is(&la, &a);
    assert_lease_is(&lb, &b);
    assert_false(verifies(la.pkey, b.sig, b.sig_len));
    assert_false(verifies(lb.pkey, a.sig, a.sig_len));
    mark(la.pkey, &a);
    mark(lb.pkey, &b);
    marked_freed = 0;
    cmci_key_lease_end(&lb);
    cmci_key_lease_end(&la);
    assert_int_equal(marked_freed, 0);

    /* both went back: two leases now get the two marked keys, each with its new point */
    assert_int_equal(cmci_spki_lease_pkey(pool, x.spki, &lx), CMC_OK);
    assert_int_equal(cmci_spki_lease_pkey(pool, b.spki, &lb), CMC_OK);
    assert_non_null(mark_of(lx.pkey));
    assert_non_null(mark_of(lb.pkey));
    assert_ptr_not_equal(lx.pkey, lb.pkey);
    assert_lease_is(&lx, &x);
    assert_lease_is(&lb, &b);
    cmci_key_lease_end(&lx);
    cmci_key_lease_end(&lb);
    cmci_key_pool_free(pool);
    assert_int_equal(marked_freed, 2);
    requester_cleanup(&x);
    requester_cleanup(&a);
    requester_cleanup(&b);
}

/*
 * A malformed point fails with CMC_ERR_BAD_ALG and no key, whether it fails the length
 * check (before a pool key is taken) or EC_POINT_oct2point's checks (after one is taken).
 * The pool holds keys with A's point; after each failure a lease of a NEW requester's key
 * must show that requester's point, never A's or a half-written one.
 */
static void test_spki_lease_pkey__malformed_point_rejected(void **state)
{
    struct cmci_key_pool *pool = NULL;
    struct requester a, c;
    struct cmci_key_lease l1 = {NULL, NULL, 0}, l2 = {NULL, NULL, 0};
    unsigned char good[65], b[65];
    static const unsigned char infinity[1] = {0x00};
    static const unsigned char x_too_big[33] = {
        0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}; /* x >= p: no point */
    struct {
        const char *what;
        int on_pool_key; /* fails after a pool key was taken: that key is freed */
        size_t len;
    } cases[] = {
        {"not on the curve", 1, 65},
        {"all-zero coordinates", 1, 65},
        {"compressed x >= p", 1, 33},
        {"infinity", 0, 1},
        {"one octet short", 0, 64},
        {"one octet long", 0, 66},
    };
    CMC_SPKI *bad;

    (void)state;
    requester_init(&a, EVP_EC_gen("P-256"));
    assert_int_equal(cmci_key_pool_new(&pool), CMC_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cmci_key_lease l = {(EVP_PKEY *)1, NULL, 99};
        unsigned char longer[66];
        int freed;

        /* two idle keys holding A's point */
        assert_int_equal(cmci_spki_lease_pkey(pool, a.spki, &l1), CMC_OK);
        assert_int_equal(cmci_spki_lease_pkey(pool, a.spki, &l2), CMC_OK);
        mark(l1.pkey, &a);
        mark(l2.pkey, &a);
        cmci_key_lease_end(&l1);
        cmci_key_lease_end(&l2);

        requester_init(&c, EVP_EC_gen("P-256"));
        bad = CMC_SPKI_dup(c.spki);
        assert_non_null(bad);
        memcpy(good, ASN1_STRING_get0_data(c.spki->subjectPublicKey), sizeof(good));
        memcpy(b, good, sizeof(b));
        switch (i) {
        case 0:
            b[64] ^= 0x01; /* y off by one: (x, y) is not on the curve */
            set_bits(bad, b, 65);
            break;
        case 1:
            memset(b + 1, 0, 64);
            set_bits(bad, b, 65);
            break;
        case 2:
            set_bits(bad, x_too_big, sizeof(x_too_big));
            break;
        case 3:
            set_bits(bad, infinity, sizeof(infinity));
            break;
        case 4:
            set_bits(bad, good, 64);
            break;
        default:
            memcpy(longer, good, 65);
            longer[65] = 0x00;
            set_bits(bad, longer, 66);
            break;
        }
        assert_int_equal(ASN1_STRING_length(bad->subjectPublicKey), (int)cases[i].len);
        marked_freed = 0;
        assert_int_equal(cmci_spki_lease_pkey(pool, bad, &l), CMC_ERR_BAD_ALG);
        assert_null(l.pkey);
        cmc_error_clear();
        cmci_key_lease_end(&l); /* allowed after a failure, and a no-op */
        assert_null(l.pkey);
        /* A key whose point could not be set is freed, not pooled and not leaked (its point
         * may be half written); the length check fails before a key is taken. */
        freed = marked_freed;
        assert_int_equal(freed, cases[i].on_pool_key);

        assert_int_equal(cmci_spki_lease_pkey(pool, c.spki, &l), CMC_OK);
        assert_ptr_equal(mark_of(l.pkey), &a); /* an idle key that held A's point */
        assert_lease_is(&l, &c);
        assert_false(verifies(l.pkey, a.sig, a.sig_len));
        assert_int_not_equal(EVP_PKEY_eq(l.pkey, a.pair), 1);
        cmci_key_lease_end(&l);
        CMC_SPKI_free(bad);
        requester_cleanup(&c);
    }
    cmci_key_pool_free(pool);
    requester_cleanup(&a);
}

/* Compressed points (02 and 03) lease, and a pooled key that held a compressed point takes
 * an uncompressed one and back: the point's form is the request's too (it is in the
 * SubjectPublicKeyInfo the key re-encodes to). */
static void test_spki_lease_pkey__compressed_point(void **state)
{
    struct cmci_key_pool *pool = NULL;
    struct requester even, odd, plain;
    struct cmci_key_lease l = {NULL, NULL, 0};
    EVP_PKEY *k;
    EVP_PKEY *first;
    int have_even = 0, have_odd = 0;

    (void)state;
    /* one key of each y parity: 02 and 03 */
    while (!have_even || !have_odd) {
        k = EVP_EC_gen("P-256");
        requester_init(have_even ? &odd : &even, k);
        compress_point((have_even ? &odd : &even)->spki);
        if (!have_even
            && ASN1_STRING_get0_data(even.spki->subjectPublicKey)[0] == 0x02) {
            have_even = 1;
        } else if (have_even
                   && ASN1_STRING_get0_data(odd.spki->subjectPublicKey)[0] == 0x03) {
            have_odd = 1;
        } else {
            requester_cleanup(have_even ? &odd : &even);
        }
    }
    requester_init(&plain, EVP_EC_gen("P-256"));
    assert_int_equal(cmci_key_pool_new(&pool), CMC_OK);

    assert_int_equal(cmci_spki_lease_pkey(pool, even.spki, &l), CMC_OK);
    assert_true(l.curve >= 0);
    assert_lease_is(&l, &even);
    first = l.pkey;
    mark(first, &even);
    cmci_key_lease_end(&l);

    assert_int_equal(cmci_spki_lease_pkey(pool, plain.spki, &l), CMC_OK);
    assert_ptr_equal(mark_of(l.pkey), &even);
    assert_lease_is(&l, &plain); /* 65 octets again, B's */
    assert_false(verifies(l.pkey, even.sig, even.sig_len));
    cmci_key_lease_end(&l);

    assert_int_equal(cmci_spki_lease_pkey(pool, odd.spki, &l), CMC_OK);
    assert_ptr_equal(l.pkey, first);
    assert_lease_is(&l, &odd);
    assert_false(verifies(l.pkey, plain.sig, plain.sig_len));
    cmci_key_lease_end(&l);

    cmci_key_pool_free(pool);
    requester_cleanup(&even);
    requester_cleanup(&odd);
    requester_cleanup(&plain);
}

/* Each NIST curve has its own idle keys: a P-384 or P-521 request never gets the idle P-256
 * key (its point would not even fit), and each curve's idle key comes back to its curve. */
static void test_spki_lease_pkey__curves_kept_apart(void **state)
{
    static const struct {
        const char *name, *group;
        int bits;
    } curves[] = {{"P-256", "prime256v1", 256}, {"P-384", "secp384r1", 384},
                  {"P-521", "secp521r1", 521}};
    struct cmci_key_pool *pool = NULL;
    struct requester r[3], r2[3];
    struct cmci_key_lease l = {NULL, NULL, 0};
    EVP_PKEY *idle[3];
    int index[3];
    char group[64];
    size_t glen;

    (void)state;
    assert_int_equal(cmci_key_pool_new(&pool), CMC_OK);
    for (int i = 0; i < 3; i++) {
        requester_init(&r[i], EVP_EC_gen(curves[i].name));
        requester_init(&r2[i], EVP_EC_gen(curves[i].name));
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cmci_spki_lease_pkey(pool, r[i].spki, &l), CMC_OK);
        assert_true(l.curve >= 0);
        index[i] = l.curve;
        for (int j = 0; j < i; j++) {
            /* the idle keys of the curves before this one stay where they are */
            assert_ptr_not_equal(l.pkey, idle[j]);
            assert_int_not_equal(index[j], index[i]);
        }
        assert_null(mark_of(l.pkey));
        assert_lease_is(&l, &r[i]);
        assert_int_equal(EVP_PKEY_get_bits(l.pkey), curves[i].bits);
        assert_int_equal(EVP_PKEY_get_utf8_string_param(l.pkey, OSSL_PKEY_PARAM_GROUP_NAME,
                                                        group, sizeof(group), &glen),
                         1);
        assert_string_equal(group, curves[i].group);
        idle[i] = l.pkey;
        mark(l.pkey, &r[i]);
        cmci_key_lease_end(&l);
    }
    /* in the reverse order: P-521 first must not take P-256's key either */
    for (int i = 2; i >= 0; i--) {
        assert_int_equal(cmci_spki_lease_pkey(pool, r2[i].spki, &l), CMC_OK);
        assert_int_equal(l.curve, index[i]);
        assert_ptr_equal(l.pkey, idle[i]);
        assert_ptr_equal(mark_of(l.pkey), &r[i]);
        assert_lease_is(&l, &r2[i]);
        assert_int_equal(EVP_PKEY_get_bits(l.pkey), curves[i].bits);
        cmci_key_lease_end(&l);
    }
    cmci_key_pool_free(pool);
    for (int i = 0; i < 3; i++) {
        requester_cleanup(&r[i]);
        requester_cleanup(&r2[i]);
    }
}

/* Keys the pool does not hold (RSA, Ed25519, an EC curve other than the NIST three) are
 * made for the lease and freed at its end, with a pool or without one; a P-256 lease after
 * them still gets an EC key with its own point (nothing of theirs went into the pool). */
static void test_spki_lease_pkey__other_keys_not_pooled(void **state)
{
    struct cmci_key_pool *pool = NULL;
    struct requester r[3], ec;
    struct cmci_key_lease l = {NULL, NULL, 0};
    struct cmci_key_pool *pools[2];

    (void)state;
    requester_init(&r[0], EVP_RSA_gen(2048));
    requester_init(&r[1], EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
    requester_init(&r[2], EVP_EC_gen("secp256k1"));
    requester_init(&ec, EVP_EC_gen("P-256"));
    assert_int_equal(cmci_key_pool_new(&pool), CMC_OK);
    pools[0] = pool;
    pools[1] = NULL;
    for (int p = 0; p < 2; p++) {
        for (int i = 0; i < 3; i++) {
            l.curve = 99;
            assert_int_equal(cmci_spki_lease_pkey(pools[p], r[i].spki, &l), CMC_OK);
            assert_int_equal(l.curve, -1);
            assert_ptr_equal(l.pool, pools[p]);
            assert_lease_is(&l, &r[i]);
            assert_false(verifies(l.pkey, r[(i + 1) % 3].sig, r[(i + 1) % 3].sig_len));
            mark(l.pkey, &r[i]);
            marked_freed = 0;
            cmci_key_lease_end(&l);
            assert_null(l.pkey);
            assert_int_equal(marked_freed, 1); /* freed at once, not kept */
        }
    }
    assert_int_equal(cmci_spki_lease_pkey(pool, ec.spki, &l), CMC_OK);
    assert_null(mark_of(l.pkey));
    assert_lease_is(&l, &ec);
    cmci_key_lease_end(&l);
    cmci_key_pool_free(pool);
    for (int i = 0; i < 3; i++)
        requester_cleanup(&r[i]);
    requester_cleanup(&ec);
}

/*
 * The pool keeps at most 64 idle keys per curve: ending 65 leases frees exactly one key and
 * keeps 64, each of which comes back exactly once. Freeing the pool frees what it holds
 * (counted here; valgrind sees the rest).
 */
#define LEASES 65
static void test_key_lease_end__pool_keeps_64_per_curve(void **state)
{
    struct cmci_key_pool *pool = NULL;
    struct requester a;
    struct cmci_key_lease l[LEASES];
    int marks[LEASES], seen[LEASES];
    int reused = 0;

    (void)state;
    memset(seen, 0, sizeof(seen));
    requester_init(&a, EVP_EC_gen("P-256"));
    assert_int_equal(cmci_key_pool_new(&pool), CMC_OK);
    for (int i = 0; i < LEASES; i++) {
        assert_int_equal(cmci_spki_lease_pkey(pool, a.spki, &l[i]), CMC_OK);
        mark(l[i].pkey, &marks[i]);
    }
    marked_freed = 0;
    for (int i = 0; i < LEASES; i++)
        cmci_key_lease_end(&l[i]);
    assert_int_equal(marked_freed, 1);
    for (int i = 0; i < LEASES; i++) {
        int *m;

        assert_int_equal(cmci_spki_lease_pkey(pool, a.spki, &l[i]), CMC_OK);
        assert_lease_is(&l[i], &a);
        if ((m = mark_of(l[i].pkey)) != NULL) {
            assert_true(m >= marks && m < marks + LEASES);
            assert_int_equal(seen[m - marks]++, 0); /* one idle key, one lease */
            reused++;
        }
    }
    assert_int_equal(reused, 64);
    for (int i = 0; i < LEASES; i++)
        cmci_key_lease_end(&l[i]);
    marked_freed = 0;
    cmci_key_pool_free(pool);
    assert_int_equal(marked_freed, 64);
    cmci_key_pool_free(NULL);
    requester_cleanup(&a);
}

/* cmci_key_pool_free frees the idle keys of every curve. */
static void test_key_pool_free__frees_idle_keys(void **state)
{
    const char *names[] = {"P-256", "P-384", "P-521"};
    struct cmci_key_pool *pool = NULL;
    struct requester r[3];
    struct cmci_key_lease l[3][2];

    (void)state;
    assert_int_equal(cmci_key_pool_new(&pool), CMC_OK);
    for (int i = 0; i < 3; i++) {
        requester_init(&r[i], EVP_EC_gen(names[i]));
        for (int j = 0; j < 2; j++) {
            assert_int_equal(cmci_spki_lease_pkey(pool, r[i].spki, &l[i][j]), CMC_OK);
            mark(l[i][j].pkey, &r[i]);
        }
    }
    marked_freed = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            cmci_key_lease_end(&l[i][j]);
    assert_int_equal(marked_freed, 0);
    cmci_key_pool_free(pool);
    assert_int_equal(marked_freed, 6);
    for (int i = 0; i < 3; i++)
        requester_cleanup(&r[i]);
}

/*
 * Worker threads share one pool. A key in two leases at once would have its point set by
 * both; each thread checks, while holding its lease, that the key still has its own point
 * and verifies its own signature. cmocka's asserts are for the main thread only, so the
 * threads count failures.
 */
#define LEASE_THREADS 4
#define LEASE_ROUNDS 200
struct lease_worker {
    struct cmci_key_pool *pool;
    struct requester r;
    int failures;
};

static void *lease_worker_main(void *arg)
{
    struct lease_worker *w = arg;
    const unsigned char *own = ASN1_STRING_get0_data(w->r.spki->subjectPublicKey);
    size_t own_len = (size_t)ASN1_STRING_length(w->r.spki->subjectPublicKey);

    for (int i = 0; i < LEASE_ROUNDS; i++) {
        struct cmci_key_lease l = {NULL, NULL, 0};
        unsigned char *pt = NULL;
        size_t ptlen;

        if (cmci_spki_lease_pkey(w->pool, w->r.spki, &l) != CMC_OK) {
            w->failures++;
            continue;
        }
        /* verify first: it takes long enough for another thread's lease to overlap */
        if (!verifies(l.pkey, w->r.sig, w->r.sig_len))
            w->failures++;
        ptlen = EVP_PKEY_get1_encoded_public_key(l.pkey, &pt);
        if (ptlen != own_len || memcmp(pt, own, own_len) != 0)
            w->failures++;
        OPENSSL_free(pt);
        cmci_key_lease_end(&l);
    }
    return NULL;
}

static void test_spki_lease_pkey__threads_never_share_a_key(void **state)
{
    struct lease_worker w[LEASE_THREADS];
    pthread_t t[LEASE_THREADS];
    struct cmci_key_pool *pool = NULL;

    (void)state;
    assert_int_equal(cmci_key_pool_new(&pool), CMC_OK);
    for (int i = 0; i < LEASE_THREADS; i++) {
        w[i].pool = pool;
        w[i].failures = 0;
        requester_init(&w[i].r, EVP_EC_gen("P-256"));
    }
    for (int i = 0; i < LEASE_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, lease_worker_main, &w[i]), 0);
    for (int i = 0; i < LEASE_THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < LEASE_THREADS; i++) {
        assert_int_equal(w[i].failures, 0);
        requester_cleanup(&w[i].r);
    }
    cmci_key_pool_free(pool);
}

static int lease_group_setup(void **state)
{
    (void)state;
    mark_idx = EVP_PKEY_get_ex_new_index(0, NULL, NULL, NULL, count_marked_free);
    return mark_idx >= 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spki_keys_equal_openssl),
        cmocka_unit_test(test_spki_ec_compressed),
        cmocka_unit_test(test_spki_ec_malformed),
        cmocka_unit_test(test_spki_rsa_malformed),
        cmocka_unit_test(test_spki_rsa_ber_refused),
        cmocka_unit_test(test_spki_eddsa_null_parameters),
        cmocka_unit_test(test_p10_same_der_as_openssl),
        cmocka_unit_test(test_p10_verify_fails),
        cmocka_unit_test(test_p10_bad_extension_request),
        cmocka_unit_test(test_spki_lease_pkey__p256_has_request_point),
        cmocka_unit_test(test_spki_lease_pkey__p256_without_pool),
        cmocka_unit_test(test_spki_lease_pkey__reused_key_carries_new_point),
        cmocka_unit_test(test_spki_lease_pkey__nested_leases_are_distinct),
        cmocka_unit_test(test_spki_lease_pkey__malformed_point_rejected),
        cmocka_unit_test(test_spki_lease_pkey__compressed_point),
        cmocka_unit_test(test_spki_lease_pkey__curves_kept_apart),
        cmocka_unit_test(test_spki_lease_pkey__other_keys_not_pooled),
        cmocka_unit_test(test_key_lease_end__pool_keeps_64_per_curve),
        cmocka_unit_test(test_key_pool_free__frees_idle_keys),
        cmocka_unit_test(test_spki_lease_pkey__threads_never_share_a_key),
    };
    return cmocka_run_group_tests(tests, lease_group_setup, NULL);
}
