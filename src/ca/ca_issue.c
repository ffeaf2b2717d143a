/* SPDX-License-Identifier: Apache-2.0 */
/* Issuance: key policy, serial numbers, profile extensions, signing, and the durable
 * record in the store that must exist before any certificate leaves the CA. */
#include "ca/ca_local.h"

#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "core/core_rand.h"

cmc_err cmci_ca_check_key(const struct cmci_profile *p, EVP_PKEY *pkey)
{
    int id = EVP_PKEY_get_base_id(pkey);
    char curve[64] = "";
    size_t clen = 0;

    /* A floor under every profile (parse_key_types refuses rsa:N below it too): say so
     * plainly rather than "not allowed by profile". */
    if ((id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS)
        && EVP_PKEY_get_bits(pkey) < CMCI_RSA_MIN_BITS)
        CMC_BAIL(CMC_ERR_BAD_ALG, "RSA-%d keys are refused: at least %d bits are required",
                 EVP_PKEY_get_bits(pkey), CMCI_RSA_MIN_BITS);
    if (id == EVP_PKEY_EC
        && EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve,
                                          sizeof(curve), &clen) != 1)
        CMC_BAIL(CMC_ERR_BAD_ALG, "EC key with unnamed or unknown curve");
    for (size_t i = 0; i < p->n_key_types; i++) {
        const struct cmci_key_type *kt = &p->key_types[i];
        if (kt->base_id != id)
            continue;
        if (id == EVP_PKEY_RSA && EVP_PKEY_get_bits(pkey) != kt->bits)
            continue;
        if (id == EVP_PKEY_EC && strcmp(kt->curve, curve) != 0)
            continue;
        return CMC_OK;
    }
    if (id == EVP_PKEY_RSA)
        CMC_BAIL(CMC_ERR_BAD_ALG, "RSA-%d keys are not allowed by profile %s",
                 EVP_PKEY_get_bits(pkey), p->name);
    if (id == EVP_PKEY_EC)
        CMC_BAIL(CMC_ERR_BAD_ALG, "EC %s keys are not allowed by profile %s", curve, p->name);
    CMC_BAIL(CMC_ERR_BAD_ALG, "%s keys are not allowed by profile %s",
             OBJ_nid2sn(id) ? OBJ_nid2sn(id) : "unknown", p->name);
}

/* Pre-made extensions in order (ext_cached or ext_extra): a NULL entry is keyUsage by key
 * type at ku_auto_at, subjectKeyIdentifier = hash elsewhere: SHA-1 of the subjectPublicKey
 * bits (RFC 5280 §4.2.1.2). */
static cmc_err add_cached_extensions(const struct cmci_ca *ca, const struct cmci_profile *p,
                                     const STACK_OF(X509_EXTENSION) *list,
                                     const CMC_SPKI *spki, X509 *x)
{
    for (int i = 0; i < sk_X509_EXTENSION_num(list); i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(list, i);

        if (e == NULL && i == p->ku_auto_at)
            e = p->ku_by_key[cmci_spki_key_class(spki)];
        if (e == NULL) {
            unsigned char md[SHA_DIGEST_LENGTH];
            ASN1_OCTET_STRING *os;
            int ok;

            CMC_GUARD(cmci_ski_hash(ca, spki, md));
            os = ASN1_OCTET_STRING_new();
            ok = os != NULL && ASN1_OCTET_STRING_set(os, md, sizeof(md)) == 1
                 && X509_add1_ext_i2d(x, NID_subject_key_identifier, os, 0, X509V3_ADD_DEFAULT)
                        == 1;
            ASN1_OCTET_STRING_free(os);
            if (!ok)
                return cmci_fail_ossl(CMC_ERR_NOMEM, "subjectKeyIdentifier");
        } else if (X509_add_ext(x, e, -1) != 1) {
            return cmci_fail_ossl(CMC_ERR_NOMEM, "profile %s extensions", p->name);
        }
    }
    return CMC_OK;
}

/* The certificate through OpenSSL's X509 object: for profiles whose extensions are
 * evaluated per certificate (X509V3_EXT_add_nconf needs the certificate), and for keys
 * the direct path does not sign (ca_der.c). */
static cmc_err build_openssl(struct cmci_ca *ca, const struct cmci_profile *p,
                             const X509_NAME *subject, const CMC_SPKI *spki,
                             const STACK_OF(X509_EXTENSION) *req_exts,
                             const unsigned char serial[16], time_t now, struct cmci_blob *cert)
{
    X509 *x = NULL;
    X509V3_CTX ctx;
    unsigned char *der = NULL;
    int len;
    cmc_err rv = CMC_OK;

    if ((x = X509_new()) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "X509_new");
    /* the serial's first octet is 0x40: its magnitude is its DER content as it is */
    if (ASN1_STRING_set(X509_get_serialNumber(x), serial, 16) != 1
        || X509_set_version(x, X509_VERSION_3) != 1
        || X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1
        || X509_set_subject_name(x, subject) != 1
        || X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &now) == NULL
        || X509_time_adj_ex(X509_getm_notAfter(x), (int)p->validity_days, 0, &now) == NULL) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "fill certificate");
        goto err;
    }
    /* The request's SubjectPublicKeyInfo goes in field by field (its AlgorithmIdentifier
     * made canonical by cmci_vet_spki), not re-made from the key: OpenSSL 3.0's
     * X509_set_pubkey would re-encode the key through the provider encoder, which costs
     * more than the CA's signature (docs/benchmark.md). */
    if ((rv = cmci_spki_copy_to(spki, X509_get_X509_PUBKEY(x))) != CMC_OK)
        goto err;
    /* Never outlive the CA (RFC 5280 §6: the path would not validate after it). */
    if (ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(ca->cert)) > 0
        && X509_set1_notAfter(x, X509_get0_notAfter(ca->cert)) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "notAfter");
        goto err;
    }
    if (p->ext_cached != NULL) {
        if ((rv = add_cached_extensions(ca, p, p->ext_cached, spki, x)) != CMC_OK)
            goto err;
    } else if (p->ext_section != NULL) {
        X509V3_set_ctx(&ctx, ca->cert, x, NULL, NULL, 0);
        X509V3_set_nconf(&ctx, ca->conf);
        if (X509V3_EXT_add_nconf(ca->conf, &ctx, p->ext_section, x) != 1) {
            rv = cmci_fail_ossl(CMC_ERR_INTERNAL, "profile %s extensions", p->name);
            goto err;
        }
        if ((rv = add_cached_extensions(ca, p, p->ext_extra, spki, x)) != CMC_OK)
            goto err;
    }
    /* Requested extensions: only those the profile honours, and never one the profile
     * already set (the profile wins; rfc5272bis §3.2.1.3: the CA may drop requested
     * extensions). */
    for (int i = 0; i < sk_X509_EXTENSION_num(req_exts); i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(req_exts, i);
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
        if (!cmci_profile_honours(p, nid) || X509_get_ext_by_NID(x, nid, -1) >= 0)
            continue;
        if (X509_add_ext(x, e, -1) != 1) {
            rv = cmci_fail_ossl(CMC_ERR_INTERNAL, "add requested extension");
            goto err;
        }
    }
    if (X509_sign(x, ca->key, p->md) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "sign certificate");
        goto err;
    }
    len = i2d_X509(x, &der);
    if (len <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "encode certificate");
        goto err;
    }
    cert->der = der;
    cert->len = (size_t)len;
err:
    X509_free(x);
    return rv;
}

/* X509_time_adj_ex's arithmetic: whole days after @p now, capped by the CA's notAfter. */
static time_t not_after_of(const struct cmci_ca *ca, const struct cmci_profile *p, time_t now)
{
    time_t t = now + (time_t)p->validity_days * 86400;

    return t > ca->not_after ? ca->not_after : t;
}

cmc_err cmci_ca_build(struct cmci_ca *ca, const struct cmci_profile *p, const X509_NAME *subject,
                      const CMC_SPKI *spki, const STACK_OF(X509_EXTENSION) *req_exts,
                      const unsigned char serial[16], time_t now, int via_openssl,
                      struct cmci_blob *cert)
{
    struct cmci_blob tbs = {NULL, 0};
    X509_NAME *fresh = NULL;
    CMC_SPKI *fresh_key = NULL;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    cmc_err rv;

    cert->der = NULL;
    cert->len = 0;
    /* What the requester sent is checked and re-encoded before either path sees it, so
     * both sign the same strict DER (RFC 5280 §4.1) */
    if ((rv = cmci_vet_name("subject", subject, &fresh)) != CMC_OK
        || (rv = cmci_vet_extensions(p, req_exts, X509_NAME_entry_count(subject) == 0, &exts))
               != CMC_OK
        || (rv = cmci_vet_spki(spki, &fresh_key)) != CMC_OK)
        goto out;
    if (fresh != NULL)
        subject = fresh;
    if (fresh_key != NULL)
        spki = fresh_key;
    if (via_openssl || !p->der_ok) {
        rv = build_openssl(ca, p, subject, spki, exts, serial, now, cert);
        goto out;
    }
    rv = cmci_ca_tbs_direct(ca, p, subject, spki, exts, serial, now,
                            now + (time_t)p->validity_days * 86400, &tbs);
    if (rv == CMC_OK)
        rv = cmci_ca_sign_tbs(ca, p, &tbs, cert);
out:
    OPENSSL_free(tbs.der);
    X509_NAME_free(fresh);
    CMC_SPKI_free(fresh_key);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return rv;
}

static cmc_err record(struct cmci_ca *ca, const struct cmci_profile *p, const X509_NAME *subject,
                      const unsigned char serial[16], time_t now, const struct cmci_blob *cert,
                      struct cmci_issued_note *note)
{
    cmc_err rv;
    static const char hexd[] = "0123456789ABCDEF";
    struct cmc_cert_record rec;
    char hex[33], subj[512];

    /* upper-case hex without leading zeros, as BN_bn2hex gives it: the first octet is
     * 0x40, so none are dropped */
    for (int i = 0; i < 16; i++) {
        hex[2 * i] = hexd[serial[i] >> 4];
        hex[2 * i + 1] = hexd[serial[i] & 15];
    }
    hex[32] = '\0';
    CMC_GUARD(cmci_name_text(subject, subj, sizeof(subj)));
    memset(&rec, 0, sizeof(rec));
    rec.serial_hex = hex;
    rec.subject = subj;
    rec.issuer = ca->issuer_text;
    rec.profile = p->name;
    rec.not_before = (int64_t)now;
    rec.not_after = (int64_t)not_after_of(ca, p, now);
    rec.issued_at = (int64_t)now;
    rec.der = cert->der;
    rec.der_len = cert->len;
    if ((rv = cmc_store_cert_put(ca->store, &rec)) == CMC_OK && note != NULL) {
        memcpy(note->serial_hex, hex, sizeof(hex));
        memcpy(note->subject, subj, sizeof(subj));
    }
    return rv;
}

cmc_err cmci_ca_issue(struct cmci_ca *ca, const struct cmci_profile *p, const X509_NAME *subject,
                      const CMC_SPKI *spki, const STACK_OF(X509_EXTENSION) *req_exts,
                      struct cmci_blob *cert, struct cmci_issued_note *note)
{
    unsigned char serial[16];
    cmc_err rv;

    cert->der = NULL;
    cert->len = 0;
    for (int attempt = 0;; attempt++) {
        time_t now = time(NULL);

        /* uniqueness is enforced by the store's primary key; a collision is retried */
        CMC_GUARD(cmci_random_serial_bytes(serial));
        CMC_GUARD(cmci_ca_build(ca, p, subject, spki, req_exts, serial, now, 0, cert));
        rv = record(ca, p, subject, serial, now, cert, note);
        if (rv == CMC_OK)
            return CMC_OK;
        OPENSSL_free(cert->der);
        cert->der = NULL;
        cert->len = 0;
        /* a 72-bit collision within one millisecond: practically never, but a repeat
         * must not be issued */
        if (rv != CMC_ERR_STORE_DUP || attempt >= 3)
            return rv;
    }
}
