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

/* The profile's pre-made extensions, in section order; a NULL entry is
 * subjectKeyIdentifier = hash: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2). */
static cmc_err add_cached_extensions(const struct cmci_profile *p, const CMC_SPKI *spki, X509 *x)
{
    for (int i = 0; i < sk_X509_EXTENSION_num(p->ext_cached); i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(p->ext_cached, i);

        if (e == NULL) {
            unsigned char md[SHA_DIGEST_LENGTH];
            ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
            int ok;

            SHA1(ASN1_STRING_get0_data(spki->subjectPublicKey),
                 (size_t)ASN1_STRING_length(spki->subjectPublicKey), md);
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

static int honoured(const struct cmci_profile *p, int nid)
{
    for (size_t i = 0; i < p->n_honor; i++)
        if (p->honor_nids[i] == nid)
            return 1;
    return 0;
}

static cmc_err name_text(const X509_NAME *n, char *buf, size_t len)
{
    BIO *b = BIO_new(BIO_s_mem());
    int k;

    if (b == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "bio");
    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    k = BIO_read(b, buf, (int)len - 1);
    buf[k > 0 ? k : 0] = '\0';
    BIO_free(b);
    return CMC_OK;
}

static cmc_err record(struct cmci_ca *ca, const struct cmci_profile *p, X509 *x)
{
    struct cmc_cert_record rec;
    char serial[80], subject[512], issuer[512];
    unsigned char *der = NULL;
    BIGNUM *bn = NULL;
    char *hex = NULL;
    int len;
    cmc_err rv;
    struct tm tm;

    memset(&rec, 0, sizeof(rec));
    if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) == NULL
        || (hex = BN_bn2hex(bn)) == NULL) {
        rv = cmci_fail_ossl(CMC_ERR_NOMEM, "serial hex");
        goto out;
    }
    snprintf(serial, sizeof(serial), "%s", hex);
    if ((rv = name_text(X509_get_subject_name(x), subject, sizeof(subject))) != CMC_OK
        || (rv = name_text(X509_get_issuer_name(x), issuer, sizeof(issuer))) != CMC_OK)
        goto out;
    if ((len = i2d_X509(x, &der)) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "encode certificate");
        goto out;
    }
    rec.serial_hex = serial;
    rec.subject = subject;
    rec.issuer = issuer;
    rec.profile = p->name;
    if (ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) == 1)
        rec.not_before = (int64_t)timegm(&tm);
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
        rec.not_after = (int64_t)timegm(&tm);
    rec.issued_at = (int64_t)time(NULL);
    rec.der = der;
    rec.der_len = (size_t)len;
    rv = cmc_store_cert_put(ca->store, &rec);
out:
    OPENSSL_free(der);
    OPENSSL_free(hex);
    BN_free(bn);
    return rv;
}

cmc_err cmci_ca_issue(struct cmci_ca *ca, const struct cmci_profile *p, const X509_NAME *subject,
                      const CMC_SPKI *spki, const STACK_OF(X509_EXTENSION) *req_exts,
                      X509 **out)
{
    X509 *x = NULL;
    X509V3_CTX ctx;
    time_t now = time(NULL);
    cmc_err rv = CMC_OK;

    *out = NULL;
    for (int attempt = 0;; attempt++) {
        if ((x = X509_new()) == NULL) {
            rv = cmci_fail(CMC_ERR_NOMEM, "X509_new");
            goto err;
        }
        /* uniqueness is enforced by the store's primary key; a collision is retried */
        if ((rv = cmci_random_serial(X509_get_serialNumber(x))) != CMC_OK)
            goto err;
        if (X509_set_version(x, X509_VERSION_3) != 1
            || X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1
            || X509_set_subject_name(x, subject) != 1
            || X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &now) == NULL
            || X509_time_adj_ex(X509_getm_notAfter(x), (int)p->validity_days, 0, &now) == NULL) {
            rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "fill certificate");
            goto err;
        }
        /* The request's SubjectPublicKeyInfo goes in as it was sent. OpenSSL 3.0's
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
            if ((rv = add_cached_extensions(p, spki, x)) != CMC_OK)
                goto err;
        } else if (p->ext_section != NULL) {
            X509V3_set_ctx(&ctx, ca->cert, x, NULL, NULL, 0);
            X509V3_set_nconf(&ctx, ca->conf);
            if (X509V3_EXT_add_nconf(ca->conf, &ctx, p->ext_section, x) != 1) {
                rv = cmci_fail_ossl(CMC_ERR_INTERNAL, "profile %s extensions", p->name);
                goto err;
            }
        }
        /* Requested extensions: only those the profile honours, and never one the profile
         * already set (the profile wins; rfc5272bis §3.2.1.3: the CA may drop requested
         * extensions). */
        for (int i = 0; i < sk_X509_EXTENSION_num(req_exts); i++) {
            X509_EXTENSION *e = sk_X509_EXTENSION_value(req_exts, i);
            int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
            if (!honoured(p, nid) || X509_get_ext_by_NID(x, nid, -1) >= 0)
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
        rv = record(ca, p, x);
        if (rv == CMC_ERR_STORE_DUP && attempt < 3) {
            /* a 127-bit collision: practically never, but a repeat must not be issued */
            X509_free(x);
            x = NULL;
            continue;
        }
        if (rv != CMC_OK)
            goto err;
        break;
    }
    *out = x;
    return CMC_OK;
err:
    X509_free(x);
    return rv;
}
