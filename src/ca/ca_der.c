/* SPDX-License-Identifier: Apache-2.0 */
/* Certificates written directly as DER (RFC 5280 §4.1), and the encodings made once at
 * load that issuance and responses reuse. */
#include "ca/ca_local.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "core/core_buf.h"

/*
 * Why not OpenSSL's X509 object. Filling one costs a copy of every part (X509_NAME_set
 * re-encodes and re-parses the subject, X509_add_ext copies each extension), X509_sign
 * encodes the TBSCertificate through the template engine, and the certificate is then
 * encoded again for the store and once more for the response: about a sixth of the CPU of
 * a Simple enrollment (docs/benchmark.md). Every part of the TBSCertificate is already DER
 * (the request's subject and key, the profile's extensions, the CA's name) or a few
 * octets (version, serial, validity), so it is concatenated instead. The X509 path stays
 * for profiles whose extensions are evaluated per certificate; test_ca_issue checks that
 * both give the same TBSCertificate octet for octet.
 */

/* Takes what an i2d call allocated. Call it with the length in a variable: the i2d must
 * have run before @p der is read. */
static cmc_err blob_from_i2d(struct cmci_blob *b, int len, unsigned char *der, const char *what)
{
    if (len <= 0) {
        OPENSSL_free(der);
        return cmci_fail_ossl(CMC_ERR_CRYPTO, "encode %s", what);
    }
    b->der = der;
    b->len = (size_t)len;
    return CMC_OK;
}

static void blob_free(struct cmci_blob *b)
{
    OPENSSL_free(b->der);
    b->der = NULL;
    b->len = 0;
}

/*
 * cmci_name_text without a BIO, for the names nearly every request has: single-valued
 * RDNs of attributes OpenSSL knows, PrintableString, UTF8String or IA5String values of
 * printable ASCII that RFC 2253 §2.4 does not escape (no ",+\"\\<>;", no leading '#' or
 * space, no trailing space). For those, X509_NAME_print_ex with the flags below writes
 * "SN=value" last RDN first, joined by ',' -- exactly what this writes (the unit test
 * test_ca_issue compares the two over many names). Returns 0 for any other name, or when
 * the text does not fit, and the caller takes OpenSSL's path.
 */
static int name_text_plain(const X509_NAME *n, char *buf, size_t len)
{
    size_t o = 0;
    int prev_set = -1;

    for (int i = X509_NAME_entry_count(n) - 1; i >= 0; i--) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
        const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
        const unsigned char *d = ASN1_STRING_get0_data(v);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)), set = X509_NAME_ENTRY_set(e);
        int type = ASN1_STRING_type(v);
        size_t vn = (size_t)ASN1_STRING_length(v), sl;
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;

        if (sn == NULL || set == prev_set || vn == 0 || d == NULL
            || (type != V_ASN1_PRINTABLESTRING && type != V_ASN1_UTF8STRING
                && type != V_ASN1_IA5STRING)
            || d[0] == '#' || d[0] == ' ' || d[vn - 1] == ' ')
            return 0;
        sl = strlen(sn);
        /* separator, "SN=", the value and the final NUL */
        if (len - o < 1 + sl + 1 + vn + 1)
            return 0;
        if (prev_set != -1)
            buf[o++] = ',';
        memcpy(buf + o, sn, sl);
        o += sl;
        buf[o++] = '=';
        for (size_t k = 0; k < vn; k++) {
            unsigned char c = d[k];

            if (c < 0x20 || c > 0x7e || c == ',' || c == '+' || c == '"' || c == '\\'
                || c == '<' || c == '>' || c == ';')
                return 0;
            buf[o++] = (char)c;
        }
        prev_set = set;
    }
    buf[o] = '\0';
    return 1;
}

cmc_err cmci_name_text(const X509_NAME *n, char *buf, size_t len)
{
    BIO *b;
    int k;

    if (len > 0 && name_text_plain(n, buf, len))
        return CMC_OK;
    if ((b = BIO_new(BIO_s_mem())) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "bio");
    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    k = BIO_read(b, buf, (int)len - 1);
    buf[k > 0 ? k : 0] = '\0';
    BIO_free(b);
    return CMC_OK;
}

/* The AlgorithmIdentifier X509_sign writes for this key and digest, taken from a signed
 * throwaway certificate so that it is OpenSSL's choice (parameters included), not ours. */
static cmc_err probe_sigalg(const struct cmci_ca *ca, const struct cmci_profile *p,
                            struct cmci_blob *out)
{
    X509 *x = X509_new();
    unsigned char *der = NULL;
    int len = 0;
    cmc_err rv;

    if (x == NULL || X509_set_version(x, X509_VERSION_3) != 1
        || ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1
        || X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1
        || X509_set_subject_name(x, X509_get_subject_name(ca->cert)) != 1
        || X509_set1_notBefore(x, X509_get0_notBefore(ca->cert)) != 1
        || X509_set1_notAfter(x, X509_get0_notAfter(ca->cert)) != 1
        || X509_set_pubkey(x, ca->key) != 1 || X509_sign(x, ca->key, p->md) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "profile %s: probe signature", p->name);
        goto out;
    }
    len = i2d_X509_ALGOR(X509_get0_tbs_sigalg(x), &der);
    rv = blob_from_i2d(out, len, der, "signature algorithm");
out:
    X509_free(x);
    return rv;
}

static cmc_err prepare_profile(const struct cmci_ca *ca, struct cmci_profile *p)
{
    int id = EVP_PKEY_get_base_id(ca->key);
    int n = sk_X509_EXTENSION_num(p->ext_cached);

    CMC_GUARD(probe_sigalg(ca, p, &p->sigalg));
    if (p->md != NULL) {
        /* a fetched digest spares EVP_DigestSignInit the implicit fetch by name */
        p->sign_md = EVP_MD_fetch(NULL, EVP_MD_get0_name(p->md), NULL);
        CMC_ENSURE(p->sign_md != NULL, CMC_ERR_CRYPTO, "profile %s: fetch digest", p->name);
    }
    /* Keys whose signature needs nothing beyond the key and digest; others (RSA-PSS with
     * its parameters) keep X509_sign. */
    if (id != EVP_PKEY_EC && id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519 && id != EVP_PKEY_ED448)
        return CMC_OK;
    if (p->ext_section != NULL && p->ext_cached == NULL)
        return CMC_OK; /* evaluated per certificate */
    if (n > 0) {
        p->ext_der = OPENSSL_zalloc(sizeof(*p->ext_der) * (size_t)n);
        p->ext_nids = OPENSSL_zalloc(sizeof(*p->ext_nids) * (size_t)n);
        CMC_ENSURE(p->ext_der != NULL && p->ext_nids != NULL, CMC_ERR_NOMEM, "extensions");
        p->n_ext = (size_t)n;
    }
    for (int i = 0; i < 2 && p->ku_auto_at >= 0; i++) {
        unsigned char *der = NULL;
        int len = i2d_X509_EXTENSION(p->ku_by_key[i], &der);

        CMC_GUARD(blob_from_i2d(&p->ku_der[i], len, der, "keyUsage"));
    }
    for (int i = 0; i < n; i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(p->ext_cached, i);
        unsigned char *der = NULL;
        int len;

        if (e == NULL) {
            /* made per certificate: keyUsage by key type, or subjectKeyIdentifier */
            p->ext_nids[i] = i == p->ku_auto_at ? NID_key_usage : NID_subject_key_identifier;
            continue;
        }
        p->ext_nids[i] = OBJ_obj2nid(X509_EXTENSION_get_object(e));
        len = i2d_X509_EXTENSION(e, &der);
        CMC_GUARD(blob_from_i2d(&p->ext_der[i], len, der, "extension"));
    }
    p->der_ok = 1;
    return CMC_OK;
}

cmc_err cmci_ca_prepare_der(struct cmci_ca *ca)
{
    const ASN1_TIME *na = X509_get0_notAfter(ca->cert);
    unsigned char *der = NULL;
    struct tm tm;
    int n = sk_X509_num(ca->chain);
    char mdname[64];

    int len = i2d_X509_NAME(X509_get_subject_name(ca->cert), &der);

    CMC_GUARD(blob_from_i2d(&ca->issuer, len, der, "CA name"));
    /* CMS_add1_signer would look the default digest up for every Full response */
    if (EVP_PKEY_get_default_digest_name(ca->resp_key, mdname, sizeof(mdname)) > 0
        && strcmp(mdname, "UNDEF") != 0)
        CMC_ENSURE((ca->resp_md = EVP_MD_fetch(NULL, mdname, NULL)) != NULL, CMC_ERR_CRYPTO,
                   "fetch %s for responses", mdname);
    /* fetched once: SHA1() fetches by name for every subjectKeyIdentifier */
    CMC_ENSURE((ca->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL)) != NULL, CMC_ERR_CRYPTO,
               "fetch SHA-1");
    CMC_GUARD(cmci_name_text(X509_get_subject_name(ca->cert), ca->issuer_text,
                             sizeof(ca->issuer_text)));
    CMC_ENSURE(ASN1_TIME_to_tm(na, &tm) == 1, CMC_ERR_CONFIG, "CA certificate notAfter");
    ca->not_after = timegm(&tm);
    der = NULL;
    len = i2d_ASN1_TIME(na, &der);
    CMC_GUARD(blob_from_i2d(&ca->not_after_der, len, der, "CA notAfter"));
    ca->chain_der = OPENSSL_zalloc(sizeof(*ca->chain_der) * (size_t)(n > 0 ? n : 1));
    CMC_ENSURE(ca->chain_der != NULL, CMC_ERR_NOMEM, "chain");
    for (int i = 0; i < n; i++) {
        der = NULL;
        len = i2d_X509(sk_X509_value(ca->chain, i), &der);
        CMC_GUARD(blob_from_i2d(&ca->chain_der[i], len, der, "chain certificate"));
    }
    for (size_t i = 0; i < ca->n_profiles; i++)
        CMC_GUARD(prepare_profile(ca, &ca->profiles[i]));
    return CMC_OK;
}

void cmci_ca_free_der(struct cmci_ca *ca)
{
    for (int i = 0; ca->chain_der != NULL && i < sk_X509_num(ca->chain); i++)
        blob_free(&ca->chain_der[i]);
    OPENSSL_free(ca->chain_der);
    ca->chain_der = NULL;
    blob_free(&ca->issuer);
    blob_free(&ca->not_after_der);
    EVP_MD_free(ca->sha1);
    ca->sha1 = NULL;
    EVP_MD_free(ca->resp_md);
    ca->resp_md = NULL;
    for (size_t i = 0; i < ca->n_profiles; i++) {
        struct cmci_profile *p = &ca->profiles[i];

        for (size_t k = 0; p->ext_der != NULL && k < p->n_ext; k++)
            blob_free(&p->ext_der[k]);
        OPENSSL_free(p->ext_der);
        OPENSSL_free(p->ext_nids);
        blob_free(&p->sigalg);
        blob_free(&p->ku_der[0]);
        blob_free(&p->ku_der[1]);
        EVP_MD_free(p->sign_md);
        p->ext_der = NULL;
        p->ext_nids = NULL;
        p->sign_md = NULL;
    }
}

static void put2(unsigned char *w, int v)
{
    w[0] = (unsigned char)('0' + v / 10 % 10);
    w[1] = (unsigned char)('0' + v % 10);
}

/* RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ through 2049, GeneralizedTime after (and before
 * 1950), as OpenSSL's ASN1_TIME_adj chooses. Returns the octets written (at most 17). */
static size_t der_time(unsigned char *out, time_t t)
{
    struct tm tm;
    int year;
    unsigned char *w = out;

    if (gmtime_r(&t, &tm) == NULL)
        return 0;
    year = tm.tm_year + 1900;
    if (year < 0 || year > 9999)
        return 0;
    if (year >= 1950 && year < 2050) {
        *w++ = V_ASN1_UTCTIME;
        *w++ = 13;
    } else {
        *w++ = V_ASN1_GENERALIZEDTIME;
        *w++ = 15;
        put2(w, year / 100);
        w += 2;
    }
    put2(w, year % 100);
    put2(w + 2, tm.tm_mon + 1);
    put2(w + 4, tm.tm_mday);
    put2(w + 6, tm.tm_hour);
    put2(w + 8, tm.tm_min);
    put2(w + 10, tm.tm_sec);
    w[12] = 'Z';
    return (size_t)(w + 13 - out);
}

int cmci_profile_honours(const struct cmci_profile *p, int nid)
{
    for (size_t i = 0; i < p->n_honor; i++)
        if (p->honor_nids[i] == nid)
            return 1;
    return 0;
}

/* Extension = SEQUENCE { extnID subjectKeyIdentifier, extnValue OCTET STRING {
 * KeyIdentifier OCTET STRING (SHA-1 of the subjectPublicKey bits) } }: RFC 5280
 * §4.2.1.2 method (1), non-critical, as X509_add1_ext_i2d writes it. */
#define SKI_DER_LEN 31
cmc_err cmci_ski_hash(const struct cmci_ca *ca, const CMC_SPKI *spki,
                      unsigned char out[SHA_DIGEST_LENGTH])
{
    unsigned int n = 0;

    /* Checked: SHA1() would leave the identifier unwritten when it cannot allocate its
     * context, and the certificate would carry whatever the stack held. */
    CMC_ENSURE(EVP_Digest(ASN1_STRING_get0_data(spki->subjectPublicKey),
                          (size_t)ASN1_STRING_length(spki->subjectPublicKey), out, &n,
                          ca->sha1, NULL) == 1
                   && n == SHA_DIGEST_LENGTH,
               CMC_ERR_NOMEM, "subjectKeyIdentifier");
    return CMC_OK;
}

enum cmci_key_class cmci_spki_key_class(const CMC_SPKI *spki)
{
    const ASN1_OBJECT *obj = NULL;

    X509_ALGOR_get0(&obj, NULL, NULL, spki->algorithm);
    return OBJ_obj2nid(obj) == NID_rsaEncryption ? CMCI_KEYCLASS_RSA : CMCI_KEYCLASS_SIGN;
}

static cmc_err ski_der(const struct cmci_ca *ca, const CMC_SPKI *spki,
                       unsigned char out[SKI_DER_LEN])
{
    static const unsigned char head[] = {0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e,
                                         0x04, 0x16, 0x04, 0x14};

    memcpy(out, head, sizeof(head));
    return cmci_ski_hash(ca, spki, out + sizeof(head));
}

/* The most extensions one certificate gets: the profile's plus the requested ones. */
#define MAX_EXTS 64

cmc_err cmci_ca_tbs_direct(const struct cmci_ca *ca, const struct cmci_profile *p,
                           const X509_NAME *subject, const CMC_SPKI *spki,
                           const STACK_OF(X509_EXTENSION) *req_exts,
                           const unsigned char serial[16], time_t not_before,
                           time_t not_after, struct cmci_blob *tbs)
{
    /* version [0] EXPLICIT INTEGER 2 (v3), then serialNumber's identifier and length */
    static const unsigned char version[] = {0xa0, 0x03, 0x02, 0x01, 0x02};
    static const unsigned char serial_head[] = {0x02, 0x10};
    struct cmci_blob ext[MAX_EXTS];
    int ext_owned[MAX_EXTS], nids[MAX_EXTS];
    size_t n_ext = 0, ext_len = 0, validity_len, content, h_tbs, h_exts = 0, h_extseq = 0;
    unsigned char ski[SKI_DER_LEN], nb[17], na[17], hv[CMCI_DER_HEADER_MAX];
    unsigned char h1[CMCI_DER_HEADER_MAX], h2[CMCI_DER_HEADER_MAX], h3[CMCI_DER_HEADER_MAX];
    const unsigned char *subj = NULL;
    unsigned char *key = NULL, *w;
    const unsigned char *na_der = na;
    size_t nb_len, na_len, h_val;
    size_t subj_len = 0;
    int key_len;
    cmc_err rv = CMC_OK;

    tbs->der = NULL;
    tbs->len = 0;
    CMC_ENSURE(p->der_ok, CMC_ERR_INTERNAL, "profile %s: no direct encoding", p->name);
    memset(ext_owned, 0, sizeof(ext_owned));

    /* Never outlive the CA (RFC 5280 §6: the path would not validate after it): its own
     * notAfter is then copied as encoded, as X509_set1_notAfter would. */
    nb_len = der_time(nb, not_before);
    if (not_after > ca->not_after) {
        na_der = ca->not_after_der.der;
        na_len = ca->not_after_der.len;
    } else {
        na_len = der_time(na, not_after);
    }
    CMC_ENSURE(nb_len > 0 && na_len > 0, CMC_ERR_INTERNAL, "validity out of range");
    validity_len = nb_len + na_len;
    h_val = cmci_der_header(hv, 0x30, validity_len);

    /* The subject was vetted (cmci_vet_name): its encoding is the DER to sign, used in
     * place; the X509 path copies the same octets (X509_NAME_dup keeps the encoding). */
    key_len = i2d_CMC_SPKI(spki, &key);
    if (X509_NAME_get0_der(subject, &subj, &subj_len) != 1 || key_len <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "encode subject or key");
        goto out;
    }

    /* The profile's extensions in section order, then requested ones it honours and has
     * not set already (the profile wins; rfc5272bis §3.2.1.3: the CA may drop requested
     * extensions). The same order and choice as the X509 path. */
    for (size_t i = 0; i < p->n_ext; i++) {
        if (p->ext_der[i].der == NULL && (int)i == p->ku_auto_at) {
            ext[n_ext] = p->ku_der[cmci_spki_key_class(spki)];
        } else if (p->ext_der[i].der == NULL) {
            if ((rv = ski_der(ca, spki, ski)) != CMC_OK)
                goto out;
            ext[n_ext].der = ski;
            ext[n_ext].len = sizeof(ski);
        } else {
            ext[n_ext] = p->ext_der[i];
        }
        nids[n_ext++] = p->ext_nids[i];
    }
    for (int i = 0; i < sk_X509_EXTENSION_num(req_exts); i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(req_exts, i);
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e)), dup = 0, len;
        unsigned char *der = NULL;

        for (size_t k = 0; k < n_ext && !dup; k++)
            dup = nids[k] == nid;
        if (!cmci_profile_honours(p, nid) || dup)
            continue;
        if (n_ext == MAX_EXTS) {
            rv = cmci_fail(CMC_ERR_LIMIT, "more than %d extensions", MAX_EXTS);
            goto out;
        }
        if ((len = i2d_X509_EXTENSION(e, &der)) <= 0) {
            rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "encode requested extension");
            goto out;
        }
        ext[n_ext].der = der;
        ext[n_ext].len = (size_t)len;
        ext_owned[n_ext] = 1;
        nids[n_ext++] = nid;
    }
    for (size_t i = 0; i < n_ext; i++)
        ext_len += ext[i].len;
    /* extensions [3] EXPLICIT SEQUENCE OF Extension, absent when there are none */
    if (n_ext > 0) {
        h_extseq = cmci_der_header(h2, 0x30, ext_len);
        h_exts = cmci_der_header(h3, 0xa3, h_extseq + ext_len);
    }

    content = sizeof(version) + sizeof(serial_head) + 16 + p->sigalg.len + ca->issuer.len
              + h_val + validity_len + subj_len + (size_t)key_len
              + (n_ext > 0 ? h_exts + h_extseq + ext_len : 0);
    h_tbs = cmci_der_header(h1, 0x30, content);
    if ((tbs->der = OPENSSL_malloc(h_tbs + content)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "TBSCertificate");
        goto out;
    }
    w = tbs->der;
#define PUT(ptr, l) (memcpy(w, (ptr), (l)), w += (l))
    PUT(h1, h_tbs);
    PUT(version, sizeof(version));
    PUT(serial_head, sizeof(serial_head));
    PUT(serial, 16);
    PUT(p->sigalg.der, p->sigalg.len);
    PUT(ca->issuer.der, ca->issuer.len);
    PUT(hv, h_val);
    PUT(nb, nb_len);
    PUT(na_der, na_len);
    PUT(subj, subj_len);
    PUT(key, (size_t)key_len);
    if (n_ext > 0) {
        PUT(h3, h_exts);
        PUT(h2, h_extseq);
        for (size_t i = 0; i < n_ext; i++)
            PUT(ext[i].der, ext[i].len);
    }
#undef PUT
    tbs->len = (size_t)(w - tbs->der);
out:
    for (size_t i = 0; i < n_ext; i++)
        if (ext_owned[i])
            OPENSSL_free(ext[i].der);
    OPENSSL_free(key);
    return rv;
}

cmc_err cmci_ca_sign_tbs(const struct cmci_ca *ca, const struct cmci_profile *p,
                         const struct cmci_blob *tbs, struct cmci_blob *cert)
{
    EVP_MD_CTX *c = NULL;
    unsigned char *sig = NULL, *w, h_cert[CMCI_DER_HEADER_MAX], h_bits[CMCI_DER_HEADER_MAX];
    int max = EVP_PKEY_get_size(ca->key);
    size_t siglen = max > 0 ? (size_t)max : 0, content, hc, hb;
    cmc_err rv = CMC_OK;

    cert->der = NULL;
    cert->len = 0;
    if (siglen == 0 || (sig = OPENSSL_malloc(siglen)) == NULL || (c = EVP_MD_CTX_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "signature");
        goto out;
    }
    /* The length is checked too: when OpenSSL 3.0's ECDSA runs out of memory while
     * encoding the signature, it reports success with the length -1 (ossl_ecdsa_sign
     * stores i2d_ECDSA_SIG's result unchecked; test_engine_oom found it). */
    if (EVP_DigestSignInit(c, NULL, p->sign_md, NULL, ca->key) != 1
        || EVP_DigestSign(c, sig, &siglen, tbs->der, tbs->len) != 1 || siglen == 0
        || siglen > (size_t)max) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "sign certificate");
        goto out;
    }
    /* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT
     * STRING } with no unused bits (RFC 5280 §4.1.1.3) */
    hb = cmci_der_header(h_bits, V_ASN1_BIT_STRING, siglen + 1);
    content = tbs->len + p->sigalg.len + hb + 1 + siglen;
    hc = cmci_der_header(h_cert, 0x30, content);
    if ((cert->der = OPENSSL_malloc(hc + content)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "certificate");
        goto out;
    }
    w = cert->der;
    memcpy(w, h_cert, hc);
    w += hc;
    memcpy(w, tbs->der, tbs->len);
    w += tbs->len;
    memcpy(w, p->sigalg.der, p->sigalg.len);
    w += p->sigalg.len;
    memcpy(w, h_bits, hb);
    w += hb;
    *w++ = 0x00;
    memcpy(w, sig, siglen);
    cert->len = hc + content;
out:
    EVP_MD_CTX_free(c);
    OPENSSL_free(sig);
    return rv;
}
