/* SPDX-License-Identifier: Apache-2.0 */
/* Key generation, DN parsing and the key-identifier helpers the request builders share. */
#include "msg/msg_local.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

/* DNs are typed by people; a cap keeps a pasted megabyte from becoming a Name. */
#define DN_MAX_LEN 4096

cmc_err cmc_client_keygen(const char *type, EVP_PKEY **out)
{
    EVP_PKEY *pk = NULL;

    CMC_ENSURE_REF(out);
    *out = NULL;
    CMC_ENSURE_REF(type);
    if (strcmp(type, "rsa:2048") == 0)
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    else if (strcmp(type, "rsa:3072") == 0)
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
    else if (strcmp(type, "rsa:4096") == 0)
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
    else if (strcmp(type, "ec:P-256") == 0)
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    else if (strcmp(type, "ec:P-384") == 0)
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    else if (strcmp(type, "ed25519") == 0)
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    else if (strcmp(type, "ed448") == 0)
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
    else
        CMC_BAIL(CMC_ERR_USAGE, "unknown key type \"%s\" (expected rsa:2048, rsa:3072, "
                 "rsa:4096, ec:P-256, ec:P-384, ed25519 or ed448)", type);
    if (pk == NULL)
        return cmci_fail_ossl(CMC_ERR_CRYPTO, "generating a %s key", type);
    *out = pk;
    return CMC_OK;
}

/* Copy one "key=value" component out of @p s (up to an unescaped '/' or the end),
 * removing backslash escapes. Returns the position after the component. */
static const char *dn_component(const char *s, char *buf, size_t cap, size_t *eq)
{
    size_t n = 0;

    *eq = SIZE_MAX;
    while (*s != '\0' && *s != '/') {
        char c = *s++;

        if (c == '\\' && *s != '\0') {
            c = *s++;
        } else if (c == '=' && *eq == SIZE_MAX) {
            *eq = n;
        }
        if (n + 1 < cap)
            buf[n++] = c;
    }
    buf[n] = '\0';
    return s;
}

cmc_err cmc_client_parse_dn(const char *dn, X509_NAME **out)
{
    cmc_err rv = CMC_OK;
    X509_NAME *name = NULL;
    char *buf = NULL;
    size_t len;
    const char *s;

    CMC_ENSURE_REF(out);
    *out = NULL;
    CMC_ENSURE_REF(dn);
    len = strlen(dn);
    CMC_ENSURE(len <= DN_MAX_LEN, CMC_ERR_USAGE, "subject is longer than %d bytes",
               DN_MAX_LEN);
    CMC_ENSURE(len == 0 || dn[0] == '/', CMC_ERR_USAGE,
               "subject \"%s\" must start with '/', as in /CN=name/O=org", dn);

    if ((name = X509_NAME_new()) == NULL || (buf = OPENSSL_malloc(len + 1)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "parse subject");
        goto err;
    }
    s = len > 0 ? dn + 1 : dn;
    while (*s != '\0') {
        size_t eq;

        s = dn_component(s, buf, len + 1, &eq);
        if (*s == '/')
            s++;
        if (buf[0] == '\0' && *s == '\0')
            break; /* a trailing '/' */
        if (eq == SIZE_MAX || eq == 0 || buf[eq + 1] == '\0') {
            rv = cmci_fail(CMC_ERR_USAGE, "subject component \"%s\" is not TYPE=value", buf);
            goto err;
        }
        buf[eq] = '\0';
        if (OBJ_txt2nid(buf) == NID_undef) {
            rv = cmci_fail(CMC_ERR_USAGE, "subject attribute \"%s\" is unknown", buf);
            goto err;
        }
        /* MBSTRING_UTF8 lets OpenSSL pick PrintableString where it fits and UTF8String
         * otherwise, as RFC 5280 §4.1.2.4 prefers. */
        if (X509_NAME_add_entry_by_txt(name, buf, MBSTRING_UTF8,
                                       (const unsigned char *)buf + eq + 1, -1, -1, 0) != 1) {
            rv = cmci_fail_ossl(CMC_ERR_USAGE, "subject attribute \"%s\" rejects its value",
                                buf);
            goto err;
        }
    }
    *out = name;
    name = NULL;
err:
    OPENSSL_free(buf);
    X509_NAME_free(name);
    return rv;
}

cmc_err cmci_msg_key_id(const EVP_PKEY *key, uint8_t out[20])
{
    X509_PUBKEY *xpk = NULL;
    const unsigned char *bits = NULL;
    int bits_len = 0;
    cmc_err rv = CMC_OK;

    if (X509_PUBKEY_set(&xpk, (EVP_PKEY *)key) != 1
        || X509_PUBKEY_get0_param(NULL, &bits, &bits_len, NULL, xpk) != 1 || bits_len <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "encode public key");
        goto err;
    }
    /* RFC 5280 §4.2.1.2 (1): SHA-1 over the value of the BIT STRING subjectPublicKey,
     * excluding tag, length and unused-bits octet. */
    if (SHA1(bits, (size_t)bits_len, out) == NULL)
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "hash public key");
err:
    X509_PUBKEY_free(xpk);
    return rv;
}

cmc_err cmci_msg_ski_ext(const EVP_PKEY *key, X509_EXTENSION **out)
{
    uint8_t id[20];
    ASN1_OCTET_STRING *os = NULL;
    cmc_err rv = CMC_OK;

    *out = NULL;
    CMC_GUARD(cmci_msg_key_id(key, id));
    if ((os = ASN1_OCTET_STRING_new()) == NULL || ASN1_OCTET_STRING_set(os, id, 20) != 1) {
        rv = cmci_fail(CMC_ERR_NOMEM, "SKI");
        goto err;
    }
    if ((*out = X509V3_EXT_i2d(NID_subject_key_identifier, 0, os)) == NULL)
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "encode subjectKeyIdentifier");
err:
    ASN1_OCTET_STRING_free(os);
    return rv;
}

cmc_err cmci_msg_san_ext(const char *const *dns, size_t n, X509_EXTENSION **out)
{
    GENERAL_NAMES *gens = NULL;
    GENERAL_NAME *gen = NULL;
    ASN1_IA5STRING *ia5 = NULL;
    cmc_err rv = CMC_OK;

    *out = NULL;
    CMC_ENSURE(n > 0 && n <= CMC_CLIENT_MAX_DNS, CMC_ERR_USAGE,
               "between 1 and %d DNS names", CMC_CLIENT_MAX_DNS);
    if ((gens = GENERAL_NAMES_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "SAN");
        goto err;
    }
    for (size_t i = 0; i < n; i++) {
        size_t l = dns[i] != NULL ? strlen(dns[i]) : 0;

        /* RFC 5280 §4.2.1.6: a dNSName is an IA5String in preferred name syntax; we only
         * refuse what cannot be one at all and leave policy to the CA. */
        if (l == 0 || l > 253 || strspn(dns[i], "abcdefghijklmnopqrstuvwxyz"
                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.*") != l) {
            rv = cmci_fail(CMC_ERR_USAGE, "\"%s\" is not a DNS name", dns[i] ? dns[i] : "");
            goto err;
        }
        if ((gen = GENERAL_NAME_new()) == NULL || (ia5 = ASN1_IA5STRING_new()) == NULL
            || ASN1_STRING_set(ia5, dns[i], (int)l) != 1) {
            rv = cmci_fail(CMC_ERR_NOMEM, "SAN");
            goto err;
        }
        GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
        ia5 = NULL;
        if (sk_GENERAL_NAME_push(gens, gen) <= 0) {
            rv = cmci_fail(CMC_ERR_NOMEM, "SAN");
            goto err;
        }
        gen = NULL;
    }
    if ((*out = X509V3_EXT_i2d(NID_subject_alt_name, 0, gens)) == NULL)
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "encode subjectAltName");
err:
    ASN1_IA5STRING_free(ia5);
    GENERAL_NAME_free(gen);
    GENERAL_NAMES_free(gens);
    return rv;
}

const EVP_MD *cmci_msg_sign_md(const EVP_PKEY *key)
{
    /* RFC 8410 §6: Ed25519 and Ed448 sign the message itself, with no separate digest. */
    if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
        return NULL;
    return EVP_sha256();
}

cmc_err cmci_msg_keyid_cert(EVP_PKEY *key, X509 **out)
{
    X509 *x = NULL;
    X509_EXTENSION *ski = NULL;
    cmc_err rv = CMC_OK;

    *out = NULL;
    if ((x = X509_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "keyid cert");
        goto err;
    }
    /* Never leaves the process: OpenSSL's CMS signer code wants an X509 to take the
     * subjectKeyIdentifier from and to check the key against, nothing more. It is signed
     * only so that it encodes completely. */
    if (X509_set_version(x, X509_VERSION_3) != 1
        || ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(x), 60) == NULL
        || X509_set_pubkey(x, key) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "keyid cert");
        goto err;
    }
    if ((rv = cmci_msg_ski_ext(key, &ski)) != CMC_OK)
        goto err;
    if (X509_add_ext(x, ski, -1) != 1
        || X509_sign(x, key, cmci_msg_sign_md(key)) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "keyid cert");
        goto err;
    }
    *out = x;
    x = NULL;
err:
    X509_EXTENSION_free(ski);
    X509_free(x);
    return rv;
}
