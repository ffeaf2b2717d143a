/* SPDX-License-Identifier: Apache-2.0 */
/* Loads cmcd.cnf (OpenSSL NCONF format, docs/configuration.md): settings, limits, the CA
 * key and certificate, the signer trust list, profiles, and opens the store. */
#include "ca/ca_local.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/core_log.h"

#define MAIN_SECTION "cmcd"

/* Every configuration error goes through here, so each names file, section and key. */
#define CONF_FAIL(ca, sec, key, ...)                                                       \
    cmci_fail(CMC_ERR_CONFIG, "%s: [%s] %s: %s", (ca)->config_path, (sec), (key),         \
              conf_msg(__VA_ARGS__))

static _Thread_local char conf_msg_buf[320];
static const char *conf_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *conf_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(conf_msg_buf, sizeof(conf_msg_buf), fmt, ap);
    va_end(ap);
    return conf_msg_buf;
}

static const char *get_str(const struct cmci_ca *ca, const char *sec, const char *key)
{
    const char *v = NCONF_get_string(ca->conf, sec, key);
    if (v == NULL)
        ERR_clear_error(); /* a missing key is not an OpenSSL error for us */
    return v;
}

static cmc_err get_ulong(const struct cmci_ca *ca, const char *sec, const char *key,
                         unsigned long def, unsigned long min, unsigned long max,
                         unsigned long *out)
{
    const char *v = get_str(ca, sec, key);
    char *end = NULL;
    unsigned long n;

    if (v == NULL) {
        *out = def;
        return CMC_OK;
    }
    errno = 0;
    n = strtoul(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || n < min || n > max)
        return CONF_FAIL(ca, sec, key, "\"%s\": expected a whole number from %lu to %lu", v,
                         min, max);
    *out = n;
    return CMC_OK;
}

/* yes/no switches; absent gives @p def. */
static cmc_err get_bool(const struct cmci_ca *ca, const char *sec, const char *key, int def,
                        int *out)
{
    const char *v = get_str(ca, sec, key);

    if (v == NULL)
        *out = def;
    else if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
        *out = 1;
    else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
        *out = 0;
    else
        return CONF_FAIL(ca, sec, key, "\"%s\": expected yes or no", v);
    return CMC_OK;
}

/* Resolve a path from the config relative to the config file's directory. */
static char *resolve_path(const struct cmci_ca *ca, const char *p)
{
    size_t n;
    char *out;

    if (p[0] == '/')
        return OPENSSL_strdup(p);
    n = strlen(ca->config_dir) + strlen(p) + 2;
    out = OPENSSL_malloc(n);
    if (out != NULL)
        snprintf(out, n, "%s/%s", ca->config_dir, p);
    return out;
}

static cmc_err load_ca_cert_key(struct cmci_ca *ca)
{
    const char *cert_s = get_str(ca, MAIN_SECTION, "ca_cert");
    const char *key_s = get_str(ca, MAIN_SECTION, "ca_key");
    const char *chain_s = get_str(ca, MAIN_SECTION, "ca_chain");
    char *path = NULL;
    FILE *f = NULL;
    struct stat sb;
    cmc_err rv = CMC_OK;

    if (cert_s == NULL)
        return CONF_FAIL(ca, MAIN_SECTION, "ca_cert", "missing (the CA certificate, PEM)");
    if (key_s == NULL)
        return CONF_FAIL(ca, MAIN_SECTION, "ca_key", "missing (the CA private key, PEM)");

    if ((path = resolve_path(ca, cert_s)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "path");
        goto err;
    }
    if ((f = fopen(path, "r")) == NULL) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "ca_cert", "cannot open %s: %s", path, strerror(errno));
        goto err;
    }
    ca->cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    f = NULL;
    if (ca->cert == NULL) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "ca_cert", "%s holds no PEM certificate", path);
        goto err;
    }
    OPENSSL_free(path);

    if ((path = resolve_path(ca, key_s)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "path");
        goto err;
    }
    if (stat(path, &sb) != 0) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "ca_key", "cannot open %s: %s", path, strerror(errno));
        goto err;
    }
    /* A CA key readable by group or others is a configuration error, not a warning. */
    if ((sb.st_mode & 077) != 0) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "ca_key", "%s has mode 0%03o; it must be 0600 or stricter",
                       path, (unsigned)(sb.st_mode & 0777));
        goto err;
    }
    if ((f = fopen(path, "r")) == NULL) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "ca_key", "cannot open %s: %s", path, strerror(errno));
        goto err;
    }
    ca->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    f = NULL;
    if (ca->key == NULL) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "ca_key", "%s holds no unencrypted PEM private key", path);
        goto err;
    }
    if (X509_check_private_key(ca->cert, ca->key) != 1) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "ca_key", "the key does not match ca_cert");
        goto err;
    }
    OPENSSL_free(path);
    path = NULL;

    if ((ca->chain = sk_X509_new_null()) == NULL || !X509_up_ref(ca->cert)) {
        rv = cmci_fail(CMC_ERR_NOMEM, "chain");
        goto err;
    }
    if (!sk_X509_push(ca->chain, ca->cert)) {
        X509_free(ca->cert);
        rv = cmci_fail(CMC_ERR_NOMEM, "chain");
        goto err;
    }
    if (chain_s != NULL) {
        X509 *x;
        if ((path = resolve_path(ca, chain_s)) == NULL || (f = fopen(path, "r")) == NULL) {
            rv = CONF_FAIL(ca, MAIN_SECTION, "ca_chain", "cannot open %s", path ? path : chain_s);
            goto err;
        }
        while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
            if (!sk_X509_push(ca->chain, x)) {
                X509_free(x);
                rv = cmci_fail(CMC_ERR_NOMEM, "chain");
                goto err;
            }
        }
        ERR_clear_error(); /* end of file */
    }

err:
    if (f != NULL)
        fclose(f);
    OPENSSL_free(path);
    return rv;
}

static int is_eddsa(const EVP_PKEY *k)
{
    return EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519 || EVP_PKEY_get_base_id(k) == EVP_PKEY_ED448;
}

/* Optional response signer (response_signer_cert / response_signer_key). */
static cmc_err load_response_signer(struct cmci_ca *ca)
{
    const char *cert_s = get_str(ca, MAIN_SECTION, "response_signer_cert");
    const char *key_s = get_str(ca, MAIN_SECTION, "response_signer_key");
    char *path = NULL;
    FILE *f = NULL;
    struct stat sb;
    cmc_err rv = CMC_OK;
    X509_STORE *st = NULL;
    X509_STORE_CTX *sctx = NULL;

    if (cert_s == NULL && key_s == NULL) {
        if (is_eddsa(ca->key))
            return CONF_FAIL(ca, MAIN_SECTION, "response_signer_cert",
                             "missing: an Ed25519/Ed448 CA needs a separate response signer, "
                             "because OpenSSL 3.0 cannot make EdDSA CMS signatures "
                             "(cmc ca init creates one)");
        if (!X509_up_ref(ca->cert) || !EVP_PKEY_up_ref(ca->key))
            return cmci_fail(CMC_ERR_NOMEM, "up_ref");
        ca->resp_cert = ca->cert;
        ca->resp_key = ca->key;
        return CMC_OK;
    }
    if (cert_s == NULL || key_s == NULL)
        return CONF_FAIL(ca, MAIN_SECTION, cert_s ? "response_signer_key" : "response_signer_cert",
                         "missing (response_signer_cert and response_signer_key go together)");
    if ((path = resolve_path(ca, cert_s)) == NULL || (f = fopen(path, "r")) == NULL) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "response_signer_cert", "cannot open %s", path ? path : cert_s);
        goto out;
    }
    ca->resp_cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    f = NULL;
    OPENSSL_free(path);
    path = NULL;
    if (ca->resp_cert == NULL) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "response_signer_cert", "no PEM certificate");
        goto out;
    }
    if ((path = resolve_path(ca, key_s)) == NULL || stat(path, &sb) != 0) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "response_signer_key", "cannot open %s", path ? path : key_s);
        goto out;
    }
    if ((sb.st_mode & 077) != 0) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "response_signer_key",
                       "%s has mode 0%03o; it must be 0600 or stricter", path,
                       (unsigned)(sb.st_mode & 0777));
        goto out;
    }
    if ((f = fopen(path, "r")) == NULL) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "response_signer_key", "cannot open %s", path);
        goto out;
    }
    ca->resp_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    if (ca->resp_key == NULL || X509_check_private_key(ca->resp_cert, ca->resp_key) != 1) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "response_signer_key",
                       "no unencrypted PEM key matching response_signer_cert");
        goto out;
    }
    if (is_eddsa(ca->resp_key)) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "response_signer_key",
                       "OpenSSL 3.0 cannot make EdDSA CMS signatures; use an EC or RSA key");
        goto out;
    }
    /* Clients check that the response signer chains to the CA: check it here first. */
    if ((st = X509_STORE_new()) == NULL || X509_STORE_add_cert(st, ca->cert) != 1
        || (sctx = X509_STORE_CTX_new()) == NULL
        || X509_STORE_CTX_init(sctx, st, ca->resp_cert, ca->chain) != 1) {
        rv = cmci_fail(CMC_ERR_NOMEM, "verify response signer");
        goto out;
    }
    if (X509_verify_cert(sctx) != 1) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "response_signer_cert", "does not chain to ca_cert: %s",
                       X509_verify_cert_error_string(X509_STORE_CTX_get_error(sctx)));
        goto out;
    }
out:
    ERR_clear_error();
    X509_STORE_CTX_free(sctx);
    X509_STORE_free(st);
    if (f != NULL)
        fclose(f);
    OPENSSL_free(path);
    return rv;
}

static cmc_err load_signer_trust(struct cmci_ca *ca)
{
    const char *s = get_str(ca, MAIN_SECTION, "signer_trust");
    char *path = NULL;
    cmc_err rv = CMC_OK;
    X509_LOOKUP *lk;

    if (s == NULL)
        return CMC_OK;
    if ((path = resolve_path(ca, s)) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "path");
    if ((ca->signer_trust = X509_STORE_new()) == NULL
        || (lk = X509_STORE_add_lookup(ca->signer_trust, X509_LOOKUP_file())) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "trust store");
        goto out;
    }
    if (X509_LOOKUP_load_file(lk, path, X509_FILETYPE_PEM) <= 0) {
        rv = CONF_FAIL(ca, MAIN_SECTION, "signer_trust", "cannot load PEM certificates from %s",
                       path);
        goto out;
    }
    /* Operator and RA certificates carry whatever EKU their CA gave them; the CMS default
     * of S/MIME signing purpose would wrongly refuse most of them. The EKU an operator or RA
     * needs is the profile's signer_eku, checked once the profile is known (engine_signer.c
     * cmci_signer_authorise). */
    X509_STORE_set_purpose(ca->signer_trust, X509_PURPOSE_ANY);
    /* Authentication level 2 (112-bit security): no RSA key below 2048 bits and no SHA-1
     * or MD5 certificate signature anywhere in a signer's chain, as for the signer's own
     * key and SignerInfo (ca_alg.c, docs/conformance.md "Algorithms"). */
    X509_VERIFY_PARAM_set_auth_level(X509_STORE_get0_param(ca->signer_trust), 2);
    /* Every certificate listed is a trust anchor, as docs/configuration.md says: an operator
     * certificate listed on its own (its issuer not listed) is trusted. Without
     * PARTIAL_CHAIN OpenSSL would insist on reaching a self-signed root. This trusts nothing
     * the operator did not list: a listed certificate still must be a CA (basicConstraints)
     * to vouch for another one, and its validity period is still checked. */
    X509_STORE_set_flags(ca->signer_trust, X509_V_FLAG_PARTIAL_CHAIN);
    if ((ca->signer_trust_certs = X509_STORE_get1_all_certs(ca->signer_trust)) == NULL) {
        rv = cmci_fail_ossl(CMC_ERR_NOMEM, "trust store");
        goto out;
    }
    if (sk_X509_num(ca->signer_trust_certs) == 0)
        rv = CONF_FAIL(ca, MAIN_SECTION, "signer_trust", "%s holds no PEM certificate", path);
out:
    OPENSSL_free(path);
    return rv;
}

/* The size of the order of named curve @p nid; 0 when OpenSSL cannot make the group. */
static int curve_bits(int nid)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
    int bits = g != NULL ? EC_GROUP_order_bits(g) : 0;

    EC_GROUP_free(g);
    ERR_clear_error();
    return bits;
}

/* "rsa:2048,ec:P-256,ed25519" */
static cmc_err parse_key_types(struct cmci_ca *ca, struct cmci_profile *p, const char *list)
{
    char buf[512];
    char *save = NULL, *tok;

    if (strlen(list) >= sizeof(buf))
        return CONF_FAIL(ca, p->section, "key_types", "value too long");
    memcpy(buf, list, strlen(list) + 1);
    p->n_key_types = 0;
    for (tok = strtok_r(buf, ", \t", &save); tok != NULL; tok = strtok_r(NULL, ", \t", &save)) {
        struct cmci_key_type *kt;
        if (p->n_key_types == CMCI_MAX_KEY_TYPES)
            return CONF_FAIL(ca, p->section, "key_types", "more than %d key types",
                             CMCI_MAX_KEY_TYPES);
        kt = &p->key_types[p->n_key_types];
        memset(kt, 0, sizeof(*kt));
        if (strncasecmp(tok, "rsa:", 4) == 0) {
            char *end;
            long bits = strtol(tok + 4, &end, 10);
            if (*end != '\0' || bits < 2048 || bits > 16384)
                return CONF_FAIL(ca, p->section, "key_types",
                                 "\"%s\": RSA sizes from 2048 to 16384 bits", tok);
            kt->base_id = EVP_PKEY_RSA;
            kt->bits = (int)bits;
        } else if (strncasecmp(tok, "ec:", 3) == 0) {
            int nid = EC_curve_nist2nid(tok + 3);
            if (nid == NID_undef)
                nid = OBJ_sn2nid(tok + 3);
            if (nid == NID_undef)
                return CONF_FAIL(ca, p->section, "key_types", "\"%s\": unknown curve", tok);
            if (curve_bits(nid) < 256)
                return CONF_FAIL(ca, p->section, "key_types",
                                 "\"%s\": curves of fewer than 256 bits are not accepted", tok);
            kt->base_id = EVP_PKEY_EC;
            snprintf(kt->curve, sizeof(kt->curve), "%s", OBJ_nid2sn(nid));
        } else if (strcasecmp(tok, "ed25519") == 0) {
            kt->base_id = EVP_PKEY_ED25519;
        } else if (strcasecmp(tok, "ed448") == 0) {
            kt->base_id = EVP_PKEY_ED448;
        } else {
            return CONF_FAIL(ca, p->section, "key_types",
                             "\"%s\": expected rsa:BITS, ec:CURVE, ed25519 or ed448", tok);
        }
        p->n_key_types++;
    }
    if (p->n_key_types == 0)
        return CONF_FAIL(ca, p->section, "key_types", "empty list");
    return CMC_OK;
}

static cmc_err parse_honor(struct cmci_ca *ca, struct cmci_profile *p, const char *list)
{
    char buf[512];
    char *save = NULL, *tok;

    if (strlen(list) >= sizeof(buf))
        return CONF_FAIL(ca, p->section, "honor_extensions", "value too long");
    memcpy(buf, list, strlen(list) + 1);
    p->n_honor = 0;
    for (tok = strtok_r(buf, ", \t", &save); tok != NULL; tok = strtok_r(NULL, ", \t", &save)) {
        int nid = OBJ_txt2nid(tok);
        const X509V3_EXT_METHOD *m = X509V3_EXT_get_nid(nid);

        if (nid == NID_undef)
            return CONF_FAIL(ca, p->section, "honor_extensions", "\"%s\": unknown extension",
                             tok);
        /* a requested extension is decoded and re-encoded (ca_vet.c), never copied */
        if (m == NULL || m->it == NULL)
            return CONF_FAIL(ca, p->section, "honor_extensions",
                             "\"%s\": not an extension this CA can decode and re-encode", tok);
        if (p->n_honor == CMCI_MAX_HONOR)
            return CONF_FAIL(ca, p->section, "honor_extensions", "too many entries");
        p->honor_nids[p->n_honor++] = nid;
    }
    return CMC_OK;
}

/* signer_eku = "cmcRA, clientAuth, 1.3.6.1.4.1.99999.1" or "any": OpenSSL short or long
 * names or dotted OIDs of extendedKeyUsage purposes (RFC 5280 §4.2.1.12). */
static cmc_err parse_signer_eku(struct cmci_ca *ca, struct cmci_profile *p, const char *list)
{
    char buf[512];
    char *save = NULL, *tok;

    if (strlen(list) >= sizeof(buf))
        return CONF_FAIL(ca, p->section, "signer_eku", "value too long");
    if ((p->signer_eku_text = OPENSSL_strdup(list)) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "strdup");
    memcpy(buf, list, strlen(list) + 1);
    for (tok = strtok_r(buf, ", \t", &save); tok != NULL; tok = strtok_r(NULL, ", \t", &save)) {
        ASN1_OBJECT *o;
        if (strcmp(tok, "any") == 0) {
            p->signer_eku_any = 1;
            continue;
        }
        if (p->n_signer_eku == CMCI_MAX_SIGNER_EKU)
            return CONF_FAIL(ca, p->section, "signer_eku", "more than %d entries",
                             CMCI_MAX_SIGNER_EKU);
        if ((o = OBJ_txt2obj(tok, 0)) == NULL) {
            ERR_clear_error();
            return CONF_FAIL(ca, p->section, "signer_eku",
                             "\"%s\": not an extendedKeyUsage name or dotted OID", tok);
        }
        p->signer_eku[p->n_signer_eku++] = o;
    }
    if (p->n_signer_eku == 0 && !p->signer_eku_any)
        return CONF_FAIL(ca, p->section, "signer_eku", "empty list");
    return CMC_OK;
}

static cmc_err cache_extensions(struct cmci_ca *ca, struct cmci_profile *p) CMC_WUR;
static cmc_err required_extensions(struct cmci_ca *ca, struct cmci_profile *p,
                                   const X509 *probe) CMC_WUR;

/* yes/no keys; absent gives -1 */
static cmc_err load_profile(struct cmci_ca *ca, struct cmci_profile *p)
{
    const char *v;
    unsigned long days;
    X509 *probe = NULL;
    int ca_key;
    cmc_err rv;

    p->ku_auto_at = -1;
    if (NCONF_get_section(ca->conf, p->section) == NULL) {
        ERR_clear_error();
        return CONF_FAIL(ca, "profiles", p->name, "section [%s] does not exist", p->section);
    }
    v = get_str(ca, p->section, "authorization");
    if (v == NULL)
        return CONF_FAIL(ca, p->section, "authorization", "missing (open or signed)");
    if (strcmp(v, "open") == 0)
        p->authz = CMCI_AUTHZ_OPEN;
    else if (strcmp(v, "signed") == 0)
        p->authz = CMCI_AUTHZ_SIGNED;
    else
        return CONF_FAIL(ca, p->section, "authorization",
                         "\"%s\": unknown value (expected open or signed)", v);
    if (p->authz == CMCI_AUTHZ_SIGNED && get_str(ca, MAIN_SECTION, "signer_trust") == NULL)
        return CONF_FAIL(ca, p->section, "authorization",
                         "\"signed\" needs [%s] signer_trust (the certificates allowed to sign)",
                         MAIN_SECTION);

    CMC_GUARD(get_ulong(ca, p->section, "validity_days", 365, 1, 36500, &days));
    p->validity_days = (long)days;

    v = get_str(ca, p->section, "digest");
    if (v == NULL)
        v = "sha256";
    if ((p->md = EVP_get_digestbyname(v)) == NULL)
        return CONF_FAIL(ca, p->section, "digest", "\"%s\": unknown digest", v);
    /* The CA signs with nothing it would refuse from a requester: no MD5, no SHA-1,
     * nothing shorter than SHA-256 (ca_alg.c). */
    if (EVP_MD_get_size(p->md) < 32 || EVP_MD_get_type(p->md) == NID_md5_sha1)
        return CONF_FAIL(ca, p->section, "digest",
                         "\"%s\": too weak; use sha256, sha384 or sha512", v);
    /* Ed25519/Ed448 CA keys sign without a separate digest (RFC 8410). */
    if (EVP_PKEY_get_base_id(ca->key) == EVP_PKEY_ED25519
        || EVP_PKEY_get_base_id(ca->key) == EVP_PKEY_ED448)
        p->md = NULL;

    v = get_str(ca, p->section, "key_types");
    CMC_GUARD(parse_key_types(ca, p, v ? v
                                       : "rsa:2048,rsa:3072,rsa:4096,ec:P-256,ec:P-384,ed25519"));
    v = get_str(ca, p->section, "honor_extensions");
    CMC_GUARD(parse_honor(ca, p, v ? v : "subjectAltName"));
    CMC_GUARD(get_bool(ca, p->section, "allow_sha1", 0, &p->allow_sha1));
    CMC_GUARD(get_bool(ca, p->section, "ca", -1, &ca_key));
    p->is_ca = ca_key == 1;
    v = get_str(ca, p->section, "key_usage");
    if (v != NULL && strcmp(v, "auto") != 0)
        return CONF_FAIL(ca, p->section, "key_usage",
                         "\"%s\": expected auto (or set keyUsage in the extension section)", v);
    p->ku_auto_at = v != NULL ? 0 : -1; /* the index is set by required_extensions */
    /* RFC 6402 §2.10: id-kp-cmcRA marks a certificate that signs CMC requests as an RA */
    v = get_str(ca, p->section, "signer_eku");
    CMC_GUARD(parse_signer_eku(ca, p, v ? v : "cmcRA"));

    /* The section is evaluated once now, on a throwaway certificate, so a typo in an
     * extension value stops cmcd at start-up instead of failing every issuance; what it
     * sets decides which extensions the CA adds (required_extensions). */
    if ((probe = X509_new()) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "probe");
    v = get_str(ca, p->section, "extensions");
    if (v != NULL) {
        X509V3_CTX ctx;
        int ok;
        if (NCONF_get_section(ca->conf, v) == NULL) {
            ERR_clear_error();
            rv = CONF_FAIL(ca, p->section, "extensions", "section [%s] does not exist", v);
            goto out;
        }
        if ((p->ext_section = OPENSSL_strdup(v)) == NULL) {
            rv = cmci_fail(CMC_ERR_NOMEM, "strdup");
            goto out;
        }
        X509_set_pubkey(probe, ca->key);
        X509V3_set_ctx(&ctx, ca->cert, probe, NULL, NULL, 0);
        X509V3_set_nconf(&ctx, ca->conf);
        ok = X509V3_EXT_add_nconf(ca->conf, &ctx, p->ext_section, probe);
        if (ok != 1) {
            unsigned long e = ERR_peek_last_error();
            char eb[200];
            ERR_error_string_n(e, eb, sizeof(eb));
            ERR_clear_error();
            rv = CONF_FAIL(ca, v, "(extension section)", "invalid extension: %s", eb);
            goto out;
        }
        if ((rv = cache_extensions(ca, p)) != CMC_OK)
            goto out;
    }
    if ((rv = required_extensions(ca, p, probe)) == CMC_OK && ca_key == 0 && p->is_ca)
        rv = CONF_FAIL(ca, p->section, "ca", "\"no\", but the extension section makes a CA");
out:
    X509_free(probe);
    return rv;
}

/* The extension @p nid as the probe certificate carries it, decoded; NULL when absent.
 * Ownership: new. */
static void *probe_ext(const X509 *probe, int nid)
{
    void *v = X509_get_ext_d2i(probe, nid, NULL, NULL);

    ERR_clear_error();
    return v;
}

static cmc_err push_conf_ext(STACK_OF(X509_EXTENSION) *sk, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, nid, value);

    if (e == NULL || !sk_X509_EXTENSION_push(sk, e)) {
        X509_EXTENSION_free(e);
        return cmci_fail_ossl(CMC_ERR_NOMEM, "extension %s", OBJ_nid2sn(nid));
    }
    return CMC_OK;
}

/* authorityKeyIdentifier with keyIdentifier only (RFC 5280 §4.2.1.1: MUST be present, MUST
 * NOT be critical): the CA certificate's subjectKeyIdentifier, or, when it has none, the
 * SHA-1 of its public key bits (§4.2.1.2 method 1), which is what a CA certificate made
 * with "subjectKeyIdentifier = hash" would say. */
static cmc_err make_aki(const struct cmci_ca *ca, X509_EXTENSION **out)
{
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(ca->cert);
    const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(ca->cert);
    AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
    unsigned char md[SHA_DIGEST_LENGTH];
    unsigned int n = 0;
    cmc_err rv = CMC_OK;

    *out = NULL;
    ERR_clear_error(); /* X509_get0_subject_key_id leaves an error when there is none */
    if (akid == NULL || (akid->keyid = ASN1_OCTET_STRING_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "authorityKeyIdentifier");
        goto out;
    }
    if (ski != NULL && ASN1_STRING_length(ski) > 0) {
        if (ASN1_STRING_copy(akid->keyid, ski) != 1)
            rv = cmci_fail(CMC_ERR_NOMEM, "authorityKeyIdentifier");
    } else if (bits == NULL
               || EVP_Digest(ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits), md,
                             &n, EVP_sha1(), NULL) != 1
               || ASN1_OCTET_STRING_set(akid->keyid, md, (int)n) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "authorityKeyIdentifier");
    }
    if (rv == CMC_OK
        && (*out = X509V3_EXT_i2d(NID_authority_key_identifier, 0, akid)) == NULL)
        rv = cmci_fail_ossl(CMC_ERR_NOMEM, "authorityKeyIdentifier");
out:
    AUTHORITY_KEYID_free(akid);
    return rv;
}

/*
 * What every certificate carries whatever the section says, appended after the section's
 * extensions in this order when the section does not set them:
 *   basicConstraints critical cA TRUE   CA profiles (RFC 5280 §4.2.1.9: MUST, critical)
 *   keyUsage critical keyCertSign, cRLSign   CA profiles (§4.2.1.3: MUST for CA keys)
 *   keyUsage by key type                key_usage = auto (a NULL entry at ku_auto_at)
 *   subjectKeyIdentifier                always (§4.2.1.2; a NULL entry: hash of the key)
 *   authorityKeyIdentifier keyid        always (§4.2.1.1)
 * For a section made once at load they join ext_cached; for one evaluated per issuance
 * they go to ext_extra, added after it. Both issuance paths read the same list.
 */
static cmc_err required_extensions(struct cmci_ca *ca, struct cmci_profile *p, const X509 *probe)
{
    STACK_OF(X509_EXTENSION) *sk = NULL;
    BASIC_CONSTRAINTS *bc = probe_ext(probe, NID_basic_constraints);
    ASN1_BIT_STRING *ku = probe_ext(probe, NID_key_usage);
    int has_bc = bc != NULL, has_ku = ku != NULL;
    int has_ski = X509_get_ext_by_NID(probe, NID_subject_key_identifier, -1) >= 0;
    int has_aki = X509_get_ext_by_NID(probe, NID_authority_key_identifier, -1) >= 0;
    int ku_auto = p->ku_auto_at >= 0;
    X509_EXTENSION *e = NULL;
    cmc_err rv = CMC_OK;

    /* keyCertSign asserted means a CA key (RFC 5280 §4.2.1.3: then cA MUST be TRUE) */
    if ((bc != NULL && bc->ca) || (ku != NULL && ASN1_BIT_STRING_get_bit(ku, 5)))
        p->is_ca = 1;
    if (p->is_ca && bc != NULL && !bc->ca) {
        rv = CONF_FAIL(ca, p->section, "ca", "a CA profile, but its basicConstraints say cA FALSE");
        goto out;
    }
    if (ku_auto && (has_ku || p->is_ca)) {
        rv = CONF_FAIL(ca, p->section, "key_usage",
                       "auto: the %s sets keyUsage already",
                       has_ku ? "extension section" : "CA profile (keyCertSign, cRLSign)");
        goto out;
    }
    p->ku_auto_at = -1;
    for (int i = 0; p->ext_section != NULL && i < 2; i++) {
        /* "none" would leave certificates without the identifiers RFC 5280 requires */
        const char *name = i == 0 ? "subjectKeyIdentifier" : "authorityKeyIdentifier";
        const char *val = get_str(ca, p->ext_section, name);

        if (val != NULL && strcmp(val, "none") == 0) {
            rv = CONF_FAIL(ca, p->ext_section, name,
                           "none: every certificate carries it (RFC 5280 §4.2.1.%d)", i + 1);
            goto out;
        }
    }
    sk = p->ext_cached != NULL || p->ext_section == NULL ? p->ext_cached : NULL;
    if (sk == NULL && (sk = sk_X509_EXTENSION_new_null()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "extensions");
        goto out;
    }
    if (p->is_ca && !has_bc && (rv = push_conf_ext(sk, NID_basic_constraints,
                                                   "critical,CA:TRUE")) != CMC_OK)
        goto out;
    if (p->is_ca && !has_ku && (rv = push_conf_ext(sk, NID_key_usage,
                                                   "critical,keyCertSign,cRLSign")) != CMC_OK)
        goto out;
    if (ku_auto) {
        p->ku_by_key[CMCI_KEYCLASS_SIGN] =
            X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, "critical,digitalSignature");
        p->ku_by_key[CMCI_KEYCLASS_RSA] = X509V3_EXT_conf_nid(
            NULL, NULL, NID_key_usage, "critical,digitalSignature,keyEncipherment");
        if (p->ku_by_key[0] == NULL || p->ku_by_key[1] == NULL
            || !sk_X509_EXTENSION_push(sk, NULL)) {
            rv = cmci_fail_ossl(CMC_ERR_NOMEM, "keyUsage");
            goto out;
        }
        p->ku_auto_at = sk_X509_EXTENSION_num(sk) - 1;
    }
    if (!has_ski && !sk_X509_EXTENSION_push(sk, NULL)) {
        rv = cmci_fail(CMC_ERR_NOMEM, "subjectKeyIdentifier");
        goto out;
    }
    if (!has_aki) {
        if ((rv = make_aki(ca, &e)) != CMC_OK)
            goto out;
        if (!sk_X509_EXTENSION_push(sk, e)) {
            rv = cmci_fail(CMC_ERR_NOMEM, "authorityKeyIdentifier");
            goto out;
        }
        e = NULL;
    }
    if (p->ext_cached != NULL || p->ext_section == NULL)
        p->ext_cached = sk;
    else
        p->ext_extra = sk;
    sk = NULL;
out:
    if (sk != p->ext_cached)
        sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
    X509_EXTENSION_free(e);
    BASIC_CONSTRAINTS_free(bc);
    ASN1_BIT_STRING_free(ku);
    return rv;
}

/* Extensions whose value, given the issuing CA, is the same for every certificate. */
static const char *const static_ext_names[] = {
    "basicConstraints",      "keyUsage",           "extendedKeyUsage",
    "authorityKeyIdentifier", "certificatePolicies", "crlDistributionPoints",
    "authorityInfoAccess",   "policyConstraints",  "inhibitAnyPolicy",
    "nameConstraints",       "issuerAltName",      "nsComment",
    "nsCertType",            "subjectKeyIdentifier",
};

/*
 * X509V3_EXT_add_nconf re-parses the section's text for every certificate, about a
 * twentieth of an enrollment's CPU (docs/benchmark.md). When every entry of the section is
 * one whose result only depends on the CA, the extensions are made once here and copied
 * into each certificate in the same order; subjectKeyIdentifier = hash (SHA-1 of the key,
 * RFC 5280 §4.2.1.2 method 1, as OpenSSL computes it) is left as a NULL entry and computed
 * per certificate. Anything else -- an entry not on the list, a "copy" value -- keeps the
 * per-issuance evaluation. test_ca_issue checks both give the same extensions.
 */
static cmc_err cache_extensions(struct cmci_ca *ca, struct cmci_profile *p)
{
    STACK_OF(CONF_VALUE) *sec = NCONF_get_section(ca->conf, p->ext_section);
    STACK_OF(X509_EXTENSION) *exts = NULL;
    X509V3_CTX ctx;
    X509 *probe = NULL;
    cmc_err rv = CMC_OK;

    for (int i = 0; i < sk_CONF_VALUE_num(sec); i++) {
        const CONF_VALUE *cv = sk_CONF_VALUE_value(sec, i);
        size_t k = 0;

        while (k < sizeof(static_ext_names) / sizeof(static_ext_names[0])
               && strcmp(cv->name, static_ext_names[k]) != 0)
            k++;
        if (k == sizeof(static_ext_names) / sizeof(static_ext_names[0])
            || strstr(cv->value, "copy") != NULL)
            return CMC_OK; /* depends on the certificate: evaluated per issuance */
    }
    if ((exts = sk_X509_EXTENSION_new_null()) == NULL || (probe = X509_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "extensions");
        goto out;
    }
    X509V3_set_ctx(&ctx, ca->cert, probe, NULL, NULL, 0);
    X509V3_set_nconf(&ctx, ca->conf);
    for (int i = 0; i < sk_CONF_VALUE_num(sec); i++) {
        const CONF_VALUE *cv = sk_CONF_VALUE_value(sec, i);
        X509_EXTENSION *e = NULL;

        if (strcmp(cv->name, "subjectKeyIdentifier") == 0 && strcmp(cv->value, "none") == 0)
            continue;
        if (!(strcmp(cv->name, "subjectKeyIdentifier") == 0 && strcmp(cv->value, "hash") == 0)
            && (e = X509V3_EXT_nconf(ca->conf, &ctx, cv->name, cv->value)) == NULL) {
            rv = cmci_fail_ossl(CMC_ERR_CONFIG, "[%s] %s", p->ext_section, cv->name);
            goto out;
        }
        if (!sk_X509_EXTENSION_push(exts, e)) {
            X509_EXTENSION_free(e);
            rv = cmci_fail(CMC_ERR_NOMEM, "extensions");
            goto out;
        }
    }
    p->ext_cached = exts;
    exts = NULL;
out:
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_free(probe);
    return rv;
}

static cmc_err load_profiles(struct cmci_ca *ca)
{
    const char *sec = get_str(ca, MAIN_SECTION, "profiles");
    const char *def = get_str(ca, MAIN_SECTION, "default_profile");
    STACK_OF(CONF_VALUE) *vals;
    int i, n;

    if (sec == NULL)
        sec = "profiles";
    if (def == NULL)
        def = "default";
    if ((vals = NCONF_get_section(ca->conf, sec)) == NULL) {
        ERR_clear_error();
        return CONF_FAIL(ca, MAIN_SECTION, "profiles", "section [%s] does not exist", sec);
    }
    n = sk_CONF_VALUE_num(vals);
    if (n == 0)
        return CONF_FAIL(ca, sec, "(profiles)", "no profile defined");
    if ((ca->profiles = OPENSSL_zalloc(sizeof(*ca->profiles) * (size_t)n)) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "profiles");
    for (i = 0; i < n; i++) {
        CONF_VALUE *cv = sk_CONF_VALUE_value(vals, i);
        struct cmci_profile *p = &ca->profiles[ca->n_profiles++];
        if ((p->name = OPENSSL_strdup(cv->name)) == NULL
            || (p->section = OPENSSL_strdup(cv->value)) == NULL)
            return cmci_fail(CMC_ERR_NOMEM, "strdup");
        CMC_GUARD(load_profile(ca, p));
    }
    if ((ca->default_profile = cmci_ca_get0_profile(ca, def)) == NULL)
        return CONF_FAIL(ca, MAIN_SECTION, "default_profile",
                         "\"%s\" is not listed in [%s]", def, sec);
    return CMC_OK;
}

static cmc_err load_settings(struct cmci_ca *ca)
{
    const char *v;
    unsigned long n;

    v = get_str(ca, MAIN_SECTION, "listen");
    if ((ca->listen = OPENSSL_strdup(v ? v : "127.0.0.1:8080")) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "strdup");
    v = get_str(ca, MAIN_SECTION, "path");
    if (v != NULL && v[0] != '/')
        return CONF_FAIL(ca, MAIN_SECTION, "path", "\"%s\": must start with /", v);
    if ((ca->path = OPENSSL_strdup(v ? v : "/cmc")) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "strdup");
    /* A worker waits for the group commit (fsync) of the certificate it issued, so the
     * number of workers, not of CPUs, bounds how many issuances share one commit:
     * docs/benchmark.md measured 4 -> 32 workers as 5200 -> 9000 enrollments/s on 2 CPUs. */
    CMC_GUARD(get_ulong(ca, MAIN_SECTION, "threads", 32, 1, 256, &n));
    ca->threads = (unsigned)n;
    CMC_GUARD(get_ulong(ca, MAIN_SECTION, "max_body", 65536, 256, 16 * 1024 * 1024, &n));
    ca->limits.max_body = n;
    CMC_GUARD(get_ulong(ca, MAIN_SECTION, "max_nesting", 3, 0, 16, &n));
    ca->limits.max_nesting = (unsigned)n;
    CMC_GUARD(get_ulong(ca, MAIN_SECTION, "max_body_parts", 64, 1, 10000, &n));
    ca->limits.max_body_parts = (unsigned)n;
    CMC_GUARD(get_ulong(ca, MAIN_SECTION, "max_controls", 64, 1, 10000, &n));
    ca->limits.max_controls = (unsigned)n;
    CMC_GUARD(get_ulong(ca, MAIN_SECTION, "conn_timeout", 30, 1, 3600, &n));
    ca->conn_timeout = (unsigned)n;
    /* The whole request (head and body) within this many seconds, or the connection is
     * closed: an idle timeout alone lets one byte every few seconds hold a slot forever. A
     * request is a few KiB, so 15 s is generous even on a poor link. */
    CMC_GUARD(get_ulong(ca, MAIN_SECTION, "request_timeout", 15, 0, 3600, &n));
    ca->request_timeout = (unsigned)n;
    CMC_GUARD(get_ulong(ca, MAIN_SECTION, "max_connections", 512, 1, 100000, &n));
    ca->max_connections = (unsigned)n;
    /* The wrapper is verified before regInfo names a profile, and regInfo is inside what
     * the wrapper signs: SHA-1 there is a server-wide choice (docs/configuration.md). */
    CMC_GUARD(get_bool(ca, MAIN_SECTION, "allow_sha1", 0, &ca->allow_sha1));
    /* Connections from one address. The default leaves room for the benchmark's 64
     * keep-alive clients on 127.0.0.1 (tools/bench) or a reverse proxy, while one address
     * cannot take more than a quarter of the default max_connections. 0: no limit. */
    CMC_GUARD(get_ulong(ca, MAIN_SECTION, "max_connections_per_ip", 128, 0, 100000, &n));
    ca->max_conn_per_ip = (unsigned)n;
    v = get_str(ca, MAIN_SECTION, "log_level");
    if (v == NULL || strcmp(v, "info") == 0)
        ca->log_level = CMC_LOG_INFO;
    else if (strcmp(v, "error") == 0)
        ca->log_level = CMC_LOG_ERROR;
    else if (strcmp(v, "warn") == 0)
        ca->log_level = CMC_LOG_WARN;
    else if (strcmp(v, "debug") == 0)
        ca->log_level = CMC_LOG_DEBUG;
    else
        return CONF_FAIL(ca, MAIN_SECTION, "log_level", "\"%s\": expected error, warn, info or debug",
                         v);
    return CMC_OK;
}

static cmc_err open_store(struct cmci_ca *ca)
{
    const char *v = get_str(ca, MAIN_SECTION, "database");
    char *loc = NULL;
    cmc_err rv;

    if (v == NULL)
        v = "sqlite:cmcd.db";
    if ((ca->database = OPENSSL_strdup(v)) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "strdup");
    if (ca->store != NULL)
        return CMC_OK; /* borrowed (cmci_ca_load_ex) */
    if (strncmp(v, "sqlite:", 7) == 0 && v[7] != '/') {
        /* relative database paths are relative to the config directory */
        char *p = resolve_path(ca, v + 7);
        size_t n;
        if (p == NULL)
            return cmci_fail(CMC_ERR_NOMEM, "path");
        n = strlen(p) + 8;
        loc = OPENSSL_malloc(n);
        if (loc != NULL)
            snprintf(loc, n, "sqlite:%s", p);
        OPENSSL_free(p);
        if (loc == NULL)
            return cmci_fail(CMC_ERR_NOMEM, "path");
    }
    rv = cmc_store_open(&ca->store, loc ? loc : v);
    if (rv == CMC_ERR_CONFIG)
        rv = CONF_FAIL(ca, MAIN_SECTION, "database", "\"%s\": %s", v, cmc_error_get0_message());
    else if (rv != CMC_OK)
        rv = CONF_FAIL(ca, MAIN_SECTION, "database", "\"%s\": cannot open: %s", v,
                       cmc_error_get0_message());
    OPENSSL_free(loc);
    return rv;
}

/*
 * The keys each section may hold: a key not listed here is a configuration error naming
 * file, section and key, because a misspelt key silently ignored leaves a default in force
 * that the operator believes changed (issue 9 item 15). When the code reads a new key, add
 * it to its list. Not checked: the unnamed top section (variables for $-expansion go
 * there), [profiles] (NAME = SECTION pairs) and x509v3 extension sections, whose keys are
 * OpenSSL's (an invalid one is reported when the profile is loaded).
 */
static const char *const main_section_keys[] = {
    "listen", "path", "threads", "max_body", "max_nesting", "max_body_parts", "max_controls",
    "conn_timeout", "max_connections", "log_level", "ca_cert", "ca_key", "ca_chain",
    "response_signer_cert", "response_signer_key", "signer_trust", "database",
    "default_profile", "profiles", "allow_sha1", "request_timeout", "max_connections_per_ip",
    NULL,
};

static const char *const profile_section_keys[] = {
    "authorization", "validity_days", "digest", "key_types", "honor_extensions", "extensions",
    "allow_sha1", "ca", "key_usage", "signer_eku", NULL,
};

/* How far apart two keys are, only to suggest a near miss: 1 when one is a prefix of the
 * other ("validity" for "validity_days"), else the Levenshtein distance. */
static size_t key_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];

    if (la >= 63 || lb >= 63)
        return 99;
    if (la >= 4 && lb >= 4 && strncmp(a, b, la < lb ? la : lb) == 0)
        return 1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

static cmc_err check_section_keys(const struct cmci_ca *ca, const char *sec,
                                  const char *const *known)
{
    STACK_OF(CONF_VALUE) *vals = NCONF_get_section(ca->conf, sec);

    ERR_clear_error(); /* a missing section is reported by whoever needs it */
    for (int i = 0; i < sk_CONF_VALUE_num(vals); i++) {
        const char *key = sk_CONF_VALUE_value(vals, i)->name;
        const char *near = NULL;
        size_t k, best = 3;

        for (k = 0; known[k] != NULL && strcmp(known[k], key) != 0; k++) {
            size_t d = key_distance(key, known[k]);
            if (d < best) {
                best = d;
                near = known[k];
            }
        }
        if (known[k] != NULL)
            continue;
        if (near != NULL)
            return CONF_FAIL(ca, sec, key, "unknown key (did you mean %s?)", near);
        return CONF_FAIL(ca, sec, key, "unknown key");
    }
    return CMC_OK;
}

/* [cmcd] and every profile section [profiles] names hold only keys cmcd reads. */
static cmc_err check_known_keys(const struct cmci_ca *ca)
{
    const char *list = get_str(ca, MAIN_SECTION, "profiles");
    STACK_OF(CONF_VALUE) *profiles;

    CMC_GUARD(check_section_keys(ca, MAIN_SECTION, main_section_keys));
    profiles = NCONF_get_section(ca->conf, list != NULL ? list : "profiles");
    ERR_clear_error();
    for (int i = 0; i < sk_CONF_VALUE_num(profiles); i++)
        CMC_GUARD(check_section_keys(ca, sk_CONF_VALUE_value(profiles, i)->value,
                                     profile_section_keys));
    return CMC_OK;
}

const struct cmci_profile *cmci_ca_get0_profile(const struct cmci_ca *ca, const char *name)
{
    for (size_t i = 0; i < ca->n_profiles; i++)
        if (strcmp(ca->profiles[i].name, name) == 0)
            return &ca->profiles[i];
    return NULL;
}

cmc_err cmci_ca_load(struct cmci_ca **out, const char *config_path)
{
    return cmci_ca_load_ex(out, config_path, NULL);
}

cmc_err cmci_ca_load_ex(struct cmci_ca **out, const char *config_path, struct cmc_store *store)
{
    struct cmci_ca *ca = NULL;
    long errline = -1;
    char *slash;
    cmc_err rv;

    *out = NULL;
    if ((ca = OPENSSL_zalloc(sizeof(*ca))) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "ca");
    ca->store = store;
    ca->store_borrowed = store != NULL;
    if ((ca->config_path = OPENSSL_strdup(config_path)) == NULL
        || (ca->config_dir = OPENSSL_strdup(config_path)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "strdup");
        goto err;
    }
    slash = strrchr(ca->config_dir, '/');
    if (slash == NULL)
        memcpy(ca->config_dir, ".", 2);
    else if (slash == ca->config_dir)
        slash[1] = '\0';
    else
        *slash = '\0';

    if ((ca->conf = NCONF_new(NULL)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "conf");
        goto err;
    }
    if (NCONF_load(ca->conf, config_path, &errline) <= 0) {
        if (errline > 0)
            rv = cmci_fail(CMC_ERR_CONFIG, "%s: syntax error on line %ld", config_path, errline);
        else
            rv = cmci_fail(CMC_ERR_CONFIG, "%s: cannot read the file", config_path);
        ERR_clear_error();
        goto err;
    }
    if (NCONF_get_section(ca->conf, MAIN_SECTION) == NULL) {
        ERR_clear_error();
        rv = cmci_fail(CMC_ERR_CONFIG, "%s: no [%s] section", config_path, MAIN_SECTION);
        goto err;
    }
    if ((rv = check_known_keys(ca)) != CMC_OK) /* first: a misspelt key explains the rest */
        goto err;
    if ((rv = load_settings(ca)) != CMC_OK || (rv = load_ca_cert_key(ca)) != CMC_OK
        || (rv = load_response_signer(ca)) != CMC_OK || (rv = load_signer_trust(ca)) != CMC_OK || (rv = load_profiles(ca)) != CMC_OK
        || (rv = cmci_ca_prepare_der(ca)) != CMC_OK || (rv = open_store(ca)) != CMC_OK)
        goto err;
    *out = ca;
    return CMC_OK;
err:
    cmci_ca_free(ca);
    return rv;
}

void cmci_ca_free(struct cmci_ca *ca)
{
    if (ca == NULL)
        return;
    if (!ca->store_borrowed)
        cmc_store_free(ca->store);
    OPENSSL_free(ca->database);
    cmci_ca_free_der(ca);
    for (size_t i = 0; i < ca->n_profiles; i++) {
        OPENSSL_free(ca->profiles[i].name);
        OPENSSL_free(ca->profiles[i].section);
        OPENSSL_free(ca->profiles[i].ext_section);
        sk_X509_EXTENSION_pop_free(ca->profiles[i].ext_cached, X509_EXTENSION_free);
        sk_X509_EXTENSION_pop_free(ca->profiles[i].ext_extra, X509_EXTENSION_free);
        X509_EXTENSION_free(ca->profiles[i].ku_by_key[0]);
        X509_EXTENSION_free(ca->profiles[i].ku_by_key[1]);
        for (size_t j = 0; j < ca->profiles[i].n_signer_eku; j++)
            ASN1_OBJECT_free(ca->profiles[i].signer_eku[j]);
        OPENSSL_free(ca->profiles[i].signer_eku_text);
    }
    OPENSSL_free(ca->profiles);
    X509_STORE_free(ca->signer_trust);
    sk_X509_pop_free(ca->signer_trust_certs, X509_free);
    sk_X509_pop_free(ca->chain, X509_free);
    X509_free(ca->cert);
    EVP_PKEY_free(ca->key);
    X509_free(ca->resp_cert);
    EVP_PKEY_free(ca->resp_key);
    NCONF_free(ca->conf);
    OPENSSL_free(ca->listen);
    OPENSSL_free(ca->path);
    OPENSSL_free(ca->config_path);
    OPENSSL_free(ca->config_dir);
    OPENSSL_free(ca);
}
