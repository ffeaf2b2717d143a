/* SPDX-License-Identifier: Apache-2.0 */
/* SubjectPublicKeyInfo kept as bytes (CMC_SPKI) and a PKCS #10 CertificationRequest
 * (RFC 2986) built on it (CMC_P10), with a cheap way to the EVP_PKEY.
 *
 * Why not X509_PUBKEY / X509_REQ: on OpenSSL 3.0 decoding an X509_PUBKEY builds a provider
 * decoder chain for every key (OSSL_DECODER_CTX_new_for_pkey), about 100 us a key and
 * under a global read lock -- twice the ECDSA verification the key is needed for, and the
 * largest single cost of an enrollment (docs/benchmark.md). Here the key stays bytes until
 * cmc_spki_get1_pkey is asked; EC keys on the named NIST curves are then made by copying
 * a per-curve public-only template and setting the point (a few us), RSA keys from their
 * modulus and exponent through EVP_PKEY_fromdata, and anything else through d2i_PUBKEY. */
#include "asn1/asn1_local.h"
#include "core/core_error.h"

#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

/* RFC 5280 §4.1: SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING } */
ASN1_SEQUENCE(CMC_SPKI) = {
    ASN1_SIMPLE(CMC_SPKI, algorithm, X509_ALGOR),
    ASN1_SIMPLE(CMC_SPKI, subjectPublicKey, ASN1_BIT_STRING)
} ASN1_SEQUENCE_END(CMC_SPKI)
IMPLEMENT_ASN1_FUNCTIONS(CMC_SPKI)
IMPLEMENT_ASN1_DUP_FUNCTION(CMC_SPKI)

/* RFC 2986 §4.1 CertificationRequestInfo. The received encoding is cached (enc) so the
 * signature is checked over exactly the bytes the requester signed. attributes [0] is not
 * optional in RFC 2986, but some requesters omit it; OpenSSL accepts that too. */
ASN1_SEQUENCE_enc(CMC_P10_INFO, enc, NULL) = {
    ASN1_SIMPLE(CMC_P10_INFO, version, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_P10_INFO, subject, X509_NAME),
    ASN1_SIMPLE(CMC_P10_INFO, spki, CMC_SPKI),
    ASN1_IMP_SET_OF_OPT(CMC_P10_INFO, attributes, X509_ATTRIBUTE, 0)
} ASN1_SEQUENCE_END_enc(CMC_P10_INFO, CMC_P10_INFO)
IMPLEMENT_ASN1_FUNCTIONS(CMC_P10_INFO)

/* RFC 2986 §4.2 CertificationRequest */
ASN1_SEQUENCE(CMC_P10) = {
    ASN1_SIMPLE(CMC_P10, info, CMC_P10_INFO),
    ASN1_SIMPLE(CMC_P10, sigAlg, X509_ALGOR),
    ASN1_SIMPLE(CMC_P10, signature, ASN1_BIT_STRING)
} ASN1_SEQUENCE_END(CMC_P10)
IMPLEMENT_ASN1_FUNCTIONS(CMC_P10)
IMPLEMENT_ASN1_DUP_FUNCTION(CMC_P10)

/* RFC 8017 Appendix A.1.1 RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
typedef struct {
    ASN1_INTEGER *n;
    ASN1_INTEGER *e;
} CMCI_RSA_PUB;
ASN1_SEQUENCE(CMCI_RSA_PUB) = {
    ASN1_SIMPLE(CMCI_RSA_PUB, n, ASN1_INTEGER),
    ASN1_SIMPLE(CMCI_RSA_PUB, e, ASN1_INTEGER)
} static_ASN1_SEQUENCE_END(CMCI_RSA_PUB)

/* --- EC: one public-only template key per curve, copied for each request key --------- */

static struct ec_curve {
    int nid;
    const char *name;
    size_t field_len; /* bytes of one coordinate */
    EVP_PKEY *tmpl;   /* public-only key on this curve; read-only once made */
} ec_curves[] = {
    {NID_X9_62_prime256v1, "P-256", 32, NULL},
    {NID_secp384r1, "P-384", 48, NULL},
    {NID_secp521r1, "P-521", 66, NULL},
};

static CRYPTO_ONCE ec_once = CRYPTO_ONCE_STATIC_INIT;

/* A public-only key: dup'ing a generated key pair would carry its private scalar along. */
static EVP_PKEY *public_only(const char *curve)
{
    EVP_PKEY *pair = EVP_EC_gen(curve), *pub = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    unsigned char *pt = NULL;
    size_t ptlen = pair != NULL ? EVP_PKEY_get1_encoded_public_key(pair, &pt) : 0;
    OSSL_PARAM ps[3];

    ps[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0);
    ps[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, ptlen);
    ps[2] = OSSL_PARAM_construct_end();
    if (ptlen == 0 || c == NULL || EVP_PKEY_fromdata_init(c) != 1
        || EVP_PKEY_fromdata(c, &pub, EVP_PKEY_PUBLIC_KEY, ps) != 1)
        pub = NULL;
    OPENSSL_free(pt);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(pair);
    return pub;
}

static void ec_init(void)
{
    for (size_t i = 0; i < sizeof(ec_curves) / sizeof(ec_curves[0]); i++)
        ec_curves[i].tmpl = public_only(ec_curves[i].name);
}

#define N_CURVES (sizeof(ec_curves) / sizeof(ec_curves[0]))
#define POOL_PER_CURVE 64 /* idle keys kept per curve: about the number of worker threads */

/*
 * Request keys for one use each, kept for the next. Copying the template and freeing the
 * copy (EC_GROUP, point, provider key data) was about 4 % of the server's CPU per Simple
 * enrollment (perf, docs/benchmark.md); a key taken from here only gets its point set.
 * A key is in at most one lease at a time, so setting its point cannot change a key
 * someone else is using. The idle keys hold public points of earlier requests only.
 */
struct cmci_key_pool {
    CRYPTO_RWLOCK *lock;
    EVP_PKEY *idle[N_CURVES][POOL_PER_CURVE];
    size_t n_idle[N_CURVES];
};

cmc_err cmci_key_pool_new(struct cmci_key_pool **out)
{
    struct cmci_key_pool *kp = OPENSSL_zalloc(sizeof(*kp));

    *out = NULL;
    if (kp == NULL || (kp->lock = CRYPTO_THREAD_lock_new()) == NULL) {
        OPENSSL_free(kp);
        return cmci_fail(CMC_ERR_NOMEM, "key pool");
    }
    *out = kp;
    return CMC_OK;
}

void cmci_key_pool_free(struct cmci_key_pool *kp)
{
    if (kp == NULL)
        return;
    for (size_t c = 0; c < N_CURVES; c++)
        for (size_t i = 0; i < kp->n_idle[c]; i++)
            EVP_PKEY_free(kp->idle[c][i]);
    CRYPTO_THREAD_lock_free(kp->lock);
    OPENSSL_free(kp);
}

/* An idle key of curve c, or NULL when there is none. */
static EVP_PKEY *pool_take(struct cmci_key_pool *kp, size_t c)
{
    EVP_PKEY *k = NULL;

    if (kp == NULL || !CRYPTO_THREAD_write_lock(kp->lock))
        return NULL;
    if (kp->n_idle[c] > 0)
        k = kp->idle[c][--kp->n_idle[c]];
    CRYPTO_THREAD_unlock(kp->lock);
    return k;
}

static cmc_err ec_key(const CMC_SPKI *s, EVP_PKEY **out, struct cmci_key_pool *kp, int *curve)
{
    const ASN1_OBJECT *obj;
    const void *pval;
    int ptype, nid;
    const unsigned char *pt = ASN1_STRING_get0_data(s->subjectPublicKey);
    size_t len = (size_t)ASN1_STRING_length(s->subjectPublicKey);
    size_t i;
    const struct ec_curve *c;
    EVP_PKEY *k;

    X509_ALGOR_get0(NULL, &ptype, &pval, s->algorithm);
    /* RFC 5480 §2.1.1: namedCurve; implicitCurve and explicit parameters are not taken */
    CMC_ENSURE(ptype == V_ASN1_OBJECT, CMC_ERR_BAD_ALG,
               "EC public key without a named curve");
    obj = pval;
    nid = OBJ_obj2nid(obj);
    for (i = 0; i < N_CURVES && ec_curves[i].nid != nid; i++) {
    }
    if (i == N_CURVES)
        return CMC_OK; /* another curve: *out stays NULL and the generic decoder decides */
    c = &ec_curves[i];
    CMC_ENSURE(CRYPTO_THREAD_run_once(&ec_once, ec_init) && c->tmpl != NULL, CMC_ERR_CRYPTO,
               "EC key templates");
    /* RFC 5480 §2.2: an uncompressed (04) or compressed (02/03) point of the curve's size.
     * Anything else -- the 00 point at infinity above all, whose "private key" is 0 and
     * for which anyone can make a valid ECDSA signature -- is refused before OpenSSL. */
    CMC_ENSURE((len == 1 + 2 * c->field_len && pt[0] == 0x04)
                   || (len == 1 + c->field_len && (pt[0] == 0x02 || pt[0] == 0x03)),
               CMC_ERR_BAD_ALG, "malformed %s public key", c->name);
    if ((k = pool_take(kp, i)) == NULL && (k = EVP_PKEY_dup(c->tmpl)) == NULL)
        return cmci_fail_ossl(CMC_ERR_NOMEM, "EC key");
    /* Sets the point after EC_POINT_oct2point's on-curve check. A key whose point could
     * not be set is freed, not pooled: it owes nothing to the next request. */
    if (EVP_PKEY_set1_encoded_public_key(k, pt, len) != 1) {
        EVP_PKEY_free(k);
        ERR_clear_error();
        CMC_BAIL(CMC_ERR_BAD_ALG, "the %s public key is not a point of the curve", c->name);
    }
    *out = k;
    *curve = (int)i;
    return CMC_OK;
}

/* --- RSA ------------------------------------------------------------------------------ */

static cmc_err rsa_key(const CMC_SPKI *s, EVP_PKEY **out)
{
    const unsigned char *p = ASN1_STRING_get0_data(s->subjectPublicKey);
    int ptype;
    CMCI_RSA_PUB *rp = NULL;
    BIGNUM *n = NULL, *e = NULL;
    OSSL_PARAM_BLD *b = NULL;
    OSSL_PARAM *ps = NULL;
    EVP_PKEY_CTX *c = NULL;
    cmc_err rv = CMC_OK;

    X509_ALGOR_get0(NULL, &ptype, NULL, s->algorithm);
    /* RFC 3279 §2.3.1: the parameters MUST be NULL (absent is tolerated, as OpenSSL does) */
    CMC_ENSURE(ptype == V_ASN1_NULL || ptype == V_ASN1_UNDEF, CMC_ERR_BAD_ALG,
               "rsaEncryption parameters must be NULL");
    rp = (CMCI_RSA_PUB *)ASN1_item_d2i(NULL, &p, ASN1_STRING_length(s->subjectPublicKey),
                                       ASN1_ITEM_rptr(CMCI_RSA_PUB));
    if (rp == NULL || p != ASN1_STRING_get0_data(s->subjectPublicKey)
                              + ASN1_STRING_length(s->subjectPublicKey)) {
        ERR_clear_error();
        rv = cmci_fail(CMC_ERR_BAD_ALG, "malformed RSA public key");
        goto out;
    }
    if (ASN1_STRING_type(rp->n) != V_ASN1_INTEGER || ASN1_STRING_type(rp->e) != V_ASN1_INTEGER
        || (n = ASN1_INTEGER_to_BN(rp->n, NULL)) == NULL
        || (e = ASN1_INTEGER_to_BN(rp->e, NULL)) == NULL || BN_num_bits(n) < 512
        || !BN_is_odd(n) || !BN_is_odd(e) || BN_is_one(e) || BN_num_bits(e) > 256) {
        ERR_clear_error();
        rv = cmci_fail(CMC_ERR_BAD_ALG, "malformed RSA public key (modulus or exponent)");
        goto out;
    }
    if ((b = OSSL_PARAM_BLD_new()) == NULL || !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n)
        || !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, e)
        || (ps = OSSL_PARAM_BLD_to_param(b)) == NULL
        || (c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL
        || EVP_PKEY_fromdata_init(c) != 1 || EVP_PKEY_fromdata(c, out, EVP_PKEY_PUBLIC_KEY, ps) != 1)
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "RSA key");
out:
    EVP_PKEY_CTX_free(c);
    OSSL_PARAM_free(ps);
    OSSL_PARAM_BLD_free(b);
    BN_free(n);
    BN_free(e);
    ASN1_item_free((ASN1_VALUE *)rp, ASN1_ITEM_rptr(CMCI_RSA_PUB));
    return rv;
}

/* --- public ----------------------------------------------------------------------------- */

/* get1 and lease share this; kp may be NULL (no pool). */
static cmc_err spki_pkey(const CMC_SPKI *spki, EVP_PKEY **out, struct cmci_key_pool *kp,
                         int *curve)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int len, nid;
    cmc_err rv;

    *out = NULL;
    *curve = -1;
    /* a key is a whole number of octets (RFC 5480 §2.2, RFC 8017 A.1.1, RFC 8410 §4) */
    CMC_ENSURE((spki->subjectPublicKey->flags & ASN1_STRING_FLAG_BITS_LEFT) == 0
                   || (spki->subjectPublicKey->flags & 0x07) == 0,
               CMC_ERR_BAD_ALG, "the public key BIT STRING has unused bits");
    CMC_ENSURE(ASN1_STRING_length(spki->subjectPublicKey) > 0, CMC_ERR_BAD_ALG,
               "empty public key");
    nid = OBJ_obj2nid(spki->algorithm->algorithm);
    /* An RSA key is an RSAPublicKey encoded inside the BIT STRING (RFC 3279 §2.3.1,
     * RFC 4055 §1.2), which the walk over the request did not enter. The CA copies the key
     * into the certificate octet for octet, so a BER RSAPublicKey (indefinite or
     * non-minimal lengths, which OpenSSL's decoder takes) would be signed as it is. */
    if ((nid == NID_rsaEncryption || nid == NID_rsassaPss)
        && cmci_der_check("the RSA public key", ASN1_STRING_get0_data(spki->subjectPublicKey),
                          (size_t)ASN1_STRING_length(spki->subjectPublicKey)) != CMC_OK)
        return cmci_fail(CMC_ERR_BAD_ALG, "malformed RSA public key: the RSAPublicKey is not DER");
    if (nid == NID_X9_62_id_ecPublicKey) {
        if ((rv = ec_key(spki, out, kp, curve)) != CMC_OK || *out != NULL)
            return rv;
    } else if (nid == NID_rsaEncryption) {
        return rsa_key(spki, out);
    }
    /* RFC 8410 §3: "the parameters MUST be absent"; OpenSSL's decoder refuses a NULL too,
     * but only as "malformed" */
    if ((nid == NID_ED25519 || nid == NID_ED448) && spki->algorithm->parameter != NULL)
        CMC_BAIL(CMC_ERR_BAD_ALG, "%s public key: the parameters must be absent, not even "
                                  "NULL (RFC 8410 §3)", OBJ_nid2sn(nid));
    /* Ed25519, Ed448, RSASSA-PSS, other curves: OpenSSL's decoder (slow, rare) */
    if ((len = i2d_CMC_SPKI(spki, &der)) <= 0)
        return cmci_fail_ossl(CMC_ERR_NOMEM, "encode public key");
    p = der;
    *out = d2i_PUBKEY(NULL, &p, len);
    OPENSSL_free(der);
    if (*out == NULL) {
        ERR_clear_error();
        CMC_BAIL(CMC_ERR_BAD_ALG, "the public key is malformed or of an unsupported algorithm");
    }
    return CMC_OK;
}

cmc_err cmc_spki_get1_pkey(const CMC_SPKI *spki, EVP_PKEY **out)
{
    int curve;

    CMC_ENSURE(spki != NULL && out != NULL, CMC_ERR_USAGE, "cmc_spki_get1_pkey: NULL argument");
    return spki_pkey(spki, out, NULL, &curve);
}

cmc_err cmci_spki_lease_pkey(struct cmci_key_pool *kp, const CMC_SPKI *spki,
                             struct cmci_key_lease *l)
{
    l->pool = kp;
    return spki_pkey(spki, &l->pkey, kp, &l->curve);
}

void cmci_key_lease_end(struct cmci_key_lease *l)
{
    struct cmci_key_pool *kp = l->pool;
    EVP_PKEY *k = l->pkey;

    l->pkey = NULL;
    if (k == NULL)
        return;
    if (kp != NULL && l->curve >= 0 && CRYPTO_THREAD_write_lock(kp->lock)) {
        if (kp->n_idle[l->curve] < POOL_PER_CURVE) {
            kp->idle[l->curve][kp->n_idle[l->curve]++] = k;
            k = NULL;
        }
        CRYPTO_THREAD_unlock(kp->lock);
    }
    EVP_PKEY_free(k);
}

cmc_err cmc_spki_set1_pkey(CMC_SPKI **spki, EVP_PKEY *pkey)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int len;
    CMC_SPKI *s;

    CMC_ENSURE(spki != NULL && pkey != NULL, CMC_ERR_USAGE, "cmc_spki_set1_pkey: NULL argument");
    if ((len = i2d_PUBKEY(pkey, &der)) <= 0)
        return cmci_fail_ossl(CMC_ERR_CRYPTO, "encode public key");
    p = der;
    s = d2i_CMC_SPKI(NULL, &p, len);
    OPENSSL_free(der);
    if (s == NULL)
        return cmci_fail_ossl(CMC_ERR_NOMEM, "public key");
    CMC_SPKI_free(*spki);
    *spki = s;
    return CMC_OK;
}

cmc_err cmci_spki_copy_to(const CMC_SPKI *spki, X509_PUBKEY *dst)
{
    const ASN1_OBJECT *obj;
    const void *pval;
    int ptype;
    ASN1_OBJECT *o = NULL;
    void *pdup = NULL;
    unsigned char *bits = NULL;
    int len = ASN1_STRING_length(spki->subjectPublicKey);

    X509_ALGOR_get0(&obj, &ptype, &pval, spki->algorithm);
    /* no key algorithm has BOOLEAN parameters, and pval would not be a pointer */
    CMC_ENSURE(ptype != V_ASN1_BOOLEAN, CMC_ERR_BAD_ALG, "key algorithm parameters are a BOOLEAN");
    if ((o = OBJ_dup(obj)) == NULL)
        goto err;
    if (ptype == V_ASN1_OBJECT) {
        if ((pdup = OBJ_dup(pval)) == NULL)
            goto err;
    } else if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL) {
        if ((pdup = ASN1_STRING_dup(pval)) == NULL)
            goto err;
    }
    if ((bits = OPENSSL_memdup(ASN1_STRING_get0_data(spki->subjectPublicKey), (size_t)len)) == NULL
        && len > 0)
        goto err;
    /* X509_PUBKEY_set0_param stores the fields as they are; nothing is decoded */
    if (X509_PUBKEY_set0_param(dst, o, ptype, pdup, bits, len) != 1)
        goto err;
    return CMC_OK;
err:
    OPENSSL_free(bits);
    if (ptype == V_ASN1_OBJECT)
        ASN1_OBJECT_free(pdup);
    else
        ASN1_STRING_free(pdup);
    ASN1_OBJECT_free(o);
    return cmci_fail_ossl(CMC_ERR_NOMEM, "copy public key");
}

cmc_err cmc_p10_from_x509_req(const X509_REQ *req, CMC_P10 **out)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int len;

    CMC_ENSURE(req != NULL && out != NULL, CMC_ERR_USAGE, "cmc_p10_from_x509_req: NULL argument");
    if ((len = i2d_X509_REQ(req, &der)) <= 0)
        return cmci_fail_ossl(CMC_ERR_CRYPTO, "encode PKCS #10");
    p = der;
    *out = d2i_CMC_P10(NULL, &p, len);
    OPENSSL_free(der);
    if (*out == NULL)
        return cmci_fail_ossl(CMC_ERR_NOMEM, "PKCS #10");
    return CMC_OK;
}

const X509_NAME *cmc_p10_get0_subject(const CMC_P10 *r)
{
    return r->info->subject;
}

const CMC_SPKI *cmc_p10_get0_spki(const CMC_P10 *r)
{
    return r->info->spki;
}

int cmc_p10_get_attr_count(const CMC_P10 *r)
{
    return sk_X509_ATTRIBUTE_num(r->info->attributes);
}

cmc_err cmc_p10_get1_extensions(const CMC_P10 *r, STACK_OF(X509_EXTENSION) **out)
{
    CMC_ENSURE(r != NULL && out != NULL, CMC_ERR_USAGE, "cmc_p10_get1_extensions: NULL argument");
    *out = NULL;
    for (int i = 0; i < sk_X509_ATTRIBUTE_num(r->info->attributes); i++) {
        X509_ATTRIBUTE *a = sk_X509_ATTRIBUTE_value(r->info->attributes, i);
        int nid = OBJ_obj2nid(X509_ATTRIBUTE_get0_object(a));
        const ASN1_TYPE *v;
        const unsigned char *p;

        /* RFC 2985 §5.4.2 extensionRequest (and Microsoft's older OID, as OpenSSL reads) */
        if (nid != NID_ext_req && nid != NID_ms_ext_req)
            continue;
        if (*out != NULL || X509_ATTRIBUTE_count(a) != 1) {
            sk_X509_EXTENSION_pop_free(*out, X509_EXTENSION_free);
            *out = NULL;
            CMC_BAIL(CMC_ERR_BAD_REQUEST,
                     "the PKCS #10 extensionRequest attribute must appear once with one value");
        }
        v = X509_ATTRIBUTE_get0_type(a, 0);
        CMC_ENSURE(v != NULL && v->type == V_ASN1_SEQUENCE, CMC_ERR_BAD_REQUEST,
                   "the PKCS #10 extensionRequest value is not a SEQUENCE");
        p = v->value.sequence->data;
        *out = (STACK_OF(X509_EXTENSION) *)ASN1_item_d2i(NULL, &p, v->value.sequence->length,
                                                         ASN1_ITEM_rptr(X509_EXTENSIONS));
        if (*out == NULL
            || p != v->value.sequence->data + v->value.sequence->length) {
            sk_X509_EXTENSION_pop_free(*out, X509_EXTENSION_free);
            *out = NULL;
            ERR_clear_error();
            CMC_BAIL(CMC_ERR_BAD_REQUEST, "the PKCS #10 extensionRequest is malformed");
        }
    }
    return CMC_OK;
}

cmc_err cmc_p10_verify(const CMC_P10 *r, EVP_PKEY *pkey)
{
    CMC_ENSURE(r != NULL && pkey != NULL, CMC_ERR_USAGE, "cmc_p10_verify: NULL argument");
    /* the signature is over the CertificationRequestInfo as received (cached enc) */
    if (ASN1_item_verify(ASN1_ITEM_rptr(CMC_P10_INFO), r->sigAlg, r->signature, r->info, pkey)
        != 1)
        return cmci_fail_ossl(CMC_ERR_BAD_POP, "the PKCS #10 signature (proof of possession) "
                                               "does not verify");
    ERR_clear_error();
    return CMC_OK;
}
