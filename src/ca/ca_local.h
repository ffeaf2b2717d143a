/* SPDX-License-Identifier: Apache-2.0 */
/* The certification authority: configuration, profiles and issuance (internal API). */
#ifndef CMC_CA_LOCAL_H
#define CMC_CA_LOCAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/conf.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
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
/* The smallest RSA modulus accepted anywhere (112-bit security, NIST SP 800-57). */
#define CMCI_RSA_MIN_BITS 2048
/* The most attributes a requested Name (subject, directoryName) and the most entries a
 * requested subjectAltName/issuerAltName may have (docs/conformance.md): RFC 5280 sets no
 * bound, and a certificate with thousands is no use to anyone. */
#define CMCI_NAME_MAX_ATTRS 32
#define CMCI_SAN_MAX_NAMES 64
#define CMCI_MAX_SIGNER_EKU 16

/* One accepted key type: EVP_PKEY base id plus RSA size or EC curve. */
struct cmci_key_type {
    int base_id;         /* EVP_PKEY_RSA, EVP_PKEY_EC, EVP_PKEY_ED25519, ... */
    int bits;            /* RSA modulus size; 0 otherwise */
    char curve[24];      /* EC group name ("prime256v1"); "" otherwise */
};

/* DER bytes owned by whoever holds the blob (OPENSSL_free). */
struct cmci_blob {
    uint8_t *der;
    size_t len;
};

/* What a key can do, for keyUsage = auto: only sign (EC, EdDSA, RSA-PSS), or also
 * encipher (rsaEncryption). */
enum cmci_key_class { CMCI_KEYCLASS_SIGN = 0, CMCI_KEYCLASS_RSA = 1 };

struct cmci_profile {
    char *name;
    char *section;
    enum cmci_authz authz;
    long validity_days;
    const EVP_MD *md;      /* NULL for keys that sign without a separate digest */
    char *ext_section;     /* x509v3 section of the config, or NULL */
    /* ext_section made once at load when none of its entries depends on the certificate
     * (ca_config.c cache_extensions), followed by the extensions every certificate must
     * carry that the section does not set (ext_extra below). A NULL entry stands for
     * subjectKeyIdentifier = hash, or, at index ku_auto_at, for keyUsage by key type.
     * NULL when the section is evaluated per issuance instead. */
    STACK_OF(X509_EXTENSION) *ext_cached;
    /* For a section evaluated per issuance: what is appended after it, in the same form
     * (ca_config.c required_extensions). NULL otherwise. */
    STACK_OF(X509_EXTENSION) *ext_extra;
    int is_ca;             /* basicConstraints cA in the section, keyCertSign, or ca = yes */
    int ku_auto_at;        /* key_usage = auto: index of its NULL entry; -1 otherwise */
    /* key_usage = auto (RFC 5280 §4.2.1.3): [CMCI_KEYCLASS_SIGN] digitalSignature for
     * EC and EdDSA keys, [CMCI_KEYCLASS_RSA] digitalSignature, keyEncipherment */
    X509_EXTENSION *ku_by_key[2];
    struct cmci_blob ku_der[2]; /* ... their DER, for the direct path */
    /* Made at load by cmci_ca_prepare_der (ca_der.c) for the direct DER issuance path:
     * der_ok says the path applies (the extensions are cached or there are none, and the
     * CA key signs as OpenSSL's X509_sign would); ext_der parallels ext_cached (a NULL
     * entry is subjectKeyIdentifier = hash) and ext_nids names each entry's extension. */
    int der_ok;
    struct cmci_blob *ext_der;
    int *ext_nids;
    size_t n_ext;
    struct cmci_blob sigalg;  /* the AlgorithmIdentifier X509_sign writes for this profile */
    EVP_MD *sign_md;          /* p->md fetched once (NULL for EdDSA) */
    struct cmci_key_type key_types[CMCI_MAX_KEY_TYPES];
    size_t n_key_types;
    int honor_nids[CMCI_MAX_HONOR];
    size_t n_honor;
    int allow_sha1;           /* allow_sha1: SHA-1 POP signatures in requests (ca_alg.c) */
    /* signer_eku: the extendedKeyUsages that let a certificate sign requests for this
     * profile as operator or RA (engine_signer.c cmci_signer_authorise); signer_eku_any
     * accepts any certificate, with or without the extension. */
    ASN1_OBJECT *signer_eku[CMCI_MAX_SIGNER_EKU]; /* owned */
    size_t n_signer_eku;
    int signer_eku_any;
    char *signer_eku_text; /* the configured value, for statusStrings */
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
    EVP_MD *resp_md;        /* resp_key's default digest, fetched once (NULL: none) */
    STACK_OF(X509) *chain;  /* CA cert first, then ca_chain */
    /* Made once at load (ca_der.c) so issuance and responses do not re-encode them. */
    struct cmci_blob *chain_der; /* parallels chain */
    struct cmci_blob issuer;     /* the CA's subject Name, DER */
    char issuer_text[512];       /* ... and as RFC 2253 text, for store records */
    time_t not_after;            /* the CA certificate's notAfter */
    struct cmci_blob not_after_der; /* ... as its Time encoding, copied when a lifetime is capped */
    EVP_MD *sha1;                /* for subjectKeyIdentifiers */
    X509_STORE *signer_trust; /* NULL when none configured */
    int allow_sha1;           /* [cmcd] allow_sha1: SHA-1 in the SignedData wrapper */
    /* every certificate of signer_trust, for a signer whose SignedData leaves its
     * certificate out (RFC 5652 §5.1); NULL when none configured */
    STACK_OF(X509) *signer_trust_certs;
    struct cmc_store *store;
    int store_borrowed;     /* store belongs to someone else (cmci_ca_load_ex); not freed */
    char *database;         /* the database setting as written, to see it change on reload */
    struct cmci_profile *profiles;
    size_t n_profiles;
    const struct cmci_profile *default_profile;
    struct cmci_limits limits;
    char *listen;
    char *path;
    unsigned threads;
    unsigned conn_timeout;
    unsigned request_timeout;    /* whole-request deadline, seconds; 0 = none */
    unsigned max_connections;
    unsigned max_conn_per_ip;    /* 0 = no limit */
    int log_level;
};

/* from ca_config.c */
/* Load everything; a configuration error names file, section and key.
 * Ownership: *out is new; free with cmci_ca_free. */
cmc_err cmci_ca_load(struct cmci_ca **out, const char *config_path) CMC_WUR;
/* The same, but with @p store (borrowed, must outlive *out) instead of opening the
 * configured database: a reload keeps the store it has (the database needs a restart). */
cmc_err cmci_ca_load_ex(struct cmci_ca **out, const char *config_path,
                        struct cmc_store *store) CMC_WUR;
void cmci_ca_free(struct cmci_ca *ca);
/* Ownership: get0; NULL when no profile has that name. */
const struct cmci_profile *cmci_ca_get0_profile(const struct cmci_ca *ca, const char *name);

/* from ca_issue.c */
/* Check @p pkey against the profile's key types: CMC_ERR_BAD_ALG when not allowed. */
cmc_err cmci_ca_check_key(const struct cmci_profile *p, EVP_PKEY *pkey) CMC_WUR;

/* from ca_alg.c: the algorithm policy for what requesters sign (docs/conformance.md
 * "Algorithms"). Both are checked before any verification and fail with CMC_ERR_BAD_ALG
 * and a message naming the algorithm. */
/* A PKCS #10 or CRMF POP signature algorithm; profile @p p decides SHA-1 (allow_sha1).
 * @p what names the signature in the message ("the PKCS #10 signature"). */
cmc_err cmci_alg_check_signature(const X509_ALGOR *sig_alg, const struct cmci_profile *p,
                                 const char *what) CMC_WUR;
/* Every SignerInfo of a Full PKI Request (digestAlgorithm, signatureAlgorithm; SHA-1 only
 * with [cmcd] allow_sha1), and the keys of the signer certificates it carries. */
cmc_err cmci_alg_check_signed_data(const struct cmci_ca *ca, CMS_ContentInfo *cms) CMC_WUR;

/* from ca_der.c */
/* subjectKeyIdentifier = hash: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2
 * method 1), for both issuance paths. */
cmc_err cmci_ski_hash(const struct cmci_ca *ca, const CMC_SPKI *spki,
                      unsigned char out[SHA_DIGEST_LENGTH]) CMC_WUR;
/* CMCI_KEYCLASS_RSA for an rsaEncryption key, CMCI_KEYCLASS_SIGN for any other (EC,
 * EdDSA, RSA-PSS: keys that only sign), for keyUsage = auto. */
enum cmci_key_class cmci_spki_key_class(const CMC_SPKI *spki);
/* 1 when the profile's honor_extensions lists @p nid (a requested extension it copies). */
int cmci_profile_honours(const struct cmci_profile *p, int nid);
/* @p n as RFC 2253 text (UTF-8 kept), cut to @p len - 1 octets, for store records. */
cmc_err cmci_name_text(const X509_NAME *n, char *buf, size_t len) CMC_WUR;
/* Encode once what every issuance and response reuses (struct cmci_ca, struct
 * cmci_profile "made at load" members). Called at the end of cmci_ca_load. */
cmc_err cmci_ca_prepare_der(struct cmci_ca *ca) CMC_WUR;
void cmci_ca_free_der(struct cmci_ca *ca);
/* The TBSCertificate as DER, encoded directly (p->der_ok must be set).
 * Ownership: tbs->der is new. */
cmc_err cmci_ca_tbs_direct(const struct cmci_ca *ca, const struct cmci_profile *p,
                           const X509_NAME *subject, const CMC_SPKI *spki,
                           const STACK_OF(X509_EXTENSION) *req_exts,
                           const unsigned char serial[16], time_t not_before,
                           time_t not_after, struct cmci_blob *tbs) CMC_WUR;
/* Sign @p tbs with the CA key and wrap it as a Certificate (RFC 5280 §4.1).
 * Ownership: cert->der is new. */
cmc_err cmci_ca_sign_tbs(const struct cmci_ca *ca, const struct cmci_profile *p,
                         const struct cmci_blob *tbs, struct cmci_blob *cert) CMC_WUR;

/* from ca_vet.c */
/* Check a Name a requester sent against RFC 5280 (§4.1.2.4, Appendix A upper bounds, no
 * empty RDN, string types and characters); @p what names it in messages ("subject").
 * *fresh is NULL when @p n's encoding is already the DER to sign (the usual case), else a
 * re-encoded copy to use instead. CMC_ERR_BAD_REQUEST names the field that is wrong.
 * Ownership: *fresh is new. */
cmc_err cmci_vet_name(const char *what, const X509_NAME *n, X509_NAME **fresh) CMC_WUR;
/* The requested extensions profile @p p honours, each parsed strictly and encoded afresh
 * (SAN entries checked); a requested extension present twice is refused. subjectAltName is
 * made critical exactly when @p subject_empty (RFC 5280 §4.2.1.6), whatever was requested.
 * *out is NULL when none is honoured. Ownership: *out is new. */
cmc_err cmci_vet_extensions(const struct cmci_profile *p, const STACK_OF(X509_EXTENSION) *req,
                            int subject_empty, STACK_OF(X509_EXTENSION) **out) CMC_WUR;
/* The SubjectPublicKeyInfo to sign, with the AlgorithmIdentifier its key type fixes:
 * rsaEncryption with NULL parameters (RFC 3279 §2.3.1), id-ecPublicKey with a named curve
 * (RFC 5480 §2.1.1), Ed25519/Ed448 without parameters (RFC 8410 §3). *fresh is NULL when
 * @p spki is canonical already (the usual case, no allocation), else a corrected copy to
 * use instead; what cannot be corrected is CMC_ERR_BAD_ALG. Ownership: *fresh is new. */
cmc_err cmci_vet_spki(const CMC_SPKI *spki, CMC_SPKI **fresh) CMC_WUR;

/* from ca_issue.c */
/* The certificate, signed, built either directly as DER (p->der_ok) or through OpenSSL's
 * X509 object (@p via_openssl, or when the profile needs it); nothing is recorded. Both
 * ways give the same TBSCertificate for the same serial and time (test_ca_issue). The
 * subject and requested extensions are vetted first (ca_vet.c): CMC_ERR_BAD_REQUEST.
 * Ownership: cert->der is new. */
cmc_err cmci_ca_build(struct cmci_ca *ca, const struct cmci_profile *p, const X509_NAME *subject,
                      const CMC_SPKI *spki, const STACK_OF(X509_EXTENSION) *req_exts,
                      const unsigned char serial[16], time_t now, int via_openssl,
                      struct cmci_blob *cert) CMC_WUR;

/* What the store recorded of an issued certificate, for the issuance log line. */
struct cmci_issued_note {
    char serial_hex[33]; /* upper-case hex, as the store and `openssl x509 -serial` give it */
    char subject[512];   /* RFC 2253, as cmci_name_text gives it */
};

/*
 * Issue one certificate for @p subject and the key @p spki under profile @p p (the key's
 * POP and type were checked before). Requested extensions are honoured only when the
 * profile lists them. The certificate is committed to the store before this returns; on a
 * store failure no certificate is returned. @p note (may be NULL) receives the serial and
 * subject text the store recorded.
 * Ownership: cert->der is new (OPENSSL_free); everything else is borrowed.
 */
cmc_err cmci_ca_issue(struct cmci_ca *ca, const struct cmci_profile *p, const X509_NAME *subject,
                      const CMC_SPKI *spki, const STACK_OF(X509_EXTENSION) *req_exts,
                      struct cmci_blob *cert, struct cmci_issued_note *note) CMC_WUR;

#endif
