/* SPDX-License-Identifier: Apache-2.0 */
/* The certification authority: configuration, profiles and issuance (internal API). */
#ifndef CMC_CA_LOCAL_H
#define CMC_CA_LOCAL_H

#include <stddef.h>

#include <openssl/conf.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cmc/store.h>

#include "asn1/asn1_local.h"
#include "core/core_error.h"

enum cmci_authz {
    CMCI_AUTHZ_OPEN = 1,  /* any request with a verified POP (demo) */
    CMCI_AUTHZ_SIGNED = 2 /* Full PKI Request signed by a cert chaining to signer_trust */
};

#define CMCI_MAX_KEY_TYPES 16
#define CMCI_MAX_HONOR 16

/* One accepted key type: EVP_PKEY base id plus RSA size or EC curve. */
struct cmci_key_type {
    int base_id;         /* EVP_PKEY_RSA, EVP_PKEY_EC, EVP_PKEY_ED25519, ... */
    int bits;            /* RSA modulus size; 0 otherwise */
    char curve[24];      /* EC group name ("prime256v1"); "" otherwise */
};

struct cmci_profile {
    char *name;
    char *section;
    enum cmci_authz authz;
    long validity_days;
    const EVP_MD *md;      /* NULL for keys that sign without a separate digest */
    char *ext_section;     /* x509v3 section of the config, or NULL */
    /* ext_section made once at load when none of its entries depends on the certificate
     * (ca_config.c cache_extensions); a NULL entry stands for subjectKeyIdentifier = hash.
     * NULL when the section is evaluated per issuance instead. */
    STACK_OF(X509_EXTENSION) *ext_cached;
    struct cmci_key_type key_types[CMCI_MAX_KEY_TYPES];
    size_t n_key_types;
    int honor_nids[CMCI_MAX_HONOR];
    size_t n_honor;
};

struct cmci_limits {
    size_t max_body;
    unsigned max_nesting;
    unsigned max_body_parts;
    unsigned max_controls;
};

struct cmci_ca {
    char *config_path;
    char *config_dir;
    CONF *conf;             /* kept: profiles name x509v3 sections in it */
    X509 *cert;
    EVP_PKEY *key;
    /* Who signs Full PKI Responses: the CA key, or a CMC signer certified by the CA
     * (needed for Ed25519/Ed448 CAs: OpenSSL 3.0 cannot make EdDSA CMS signatures). */
    X509 *resp_cert;
    EVP_PKEY *resp_key;
    STACK_OF(X509) *chain;  /* CA cert first, then ca_chain */
    X509_STORE *signer_trust; /* NULL when none configured */
    struct cmc_store *store;
    struct cmci_profile *profiles;
    size_t n_profiles;
    const struct cmci_profile *default_profile;
    struct cmci_limits limits;
    char *listen;
    char *path;
    unsigned threads;
    unsigned conn_timeout;
    unsigned max_connections;
    int log_level;
};

/* from ca_config.c */
/* Load everything; a configuration error names file, section and key.
 * Ownership: *out is new; free with cmci_ca_free. */
cmc_err cmci_ca_load(struct cmci_ca **out, const char *config_path) CMC_WUR;
void cmci_ca_free(struct cmci_ca *ca);
/* Ownership: get0; NULL when no profile has that name. */
const struct cmci_profile *cmci_ca_get0_profile(const struct cmci_ca *ca, const char *name);

/* from ca_issue.c */
/* Check @p pkey against the profile's key types: CMC_ERR_BAD_ALG when not allowed. */
cmc_err cmci_ca_check_key(const struct cmci_profile *p, EVP_PKEY *pkey) CMC_WUR;

/*
 * Issue one certificate for @p subject and the key @p spki under profile @p p (the key's
 * POP and type were checked before). Requested extensions are honoured only when the
 * profile lists them. The certificate is committed to the store before this returns; on a
 * store failure no certificate is returned.
 * Ownership: *out is new (caller frees with X509_free); everything else is borrowed.
 */
cmc_err cmci_ca_issue(struct cmci_ca *ca, const struct cmci_profile *p, const X509_NAME *subject,
                      const CMC_SPKI *spki, const STACK_OF(X509_EXTENSION) *req_exts,
                      X509 **out) CMC_WUR;

#endif
