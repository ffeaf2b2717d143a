/* SPDX-License-Identifier: Apache-2.0 */
/* Test fixture for the server engine: a CA and operator PKI generated in a temp dir, a
 * cmcd.cnf with small limits, builders for Full/Simple PKI Requests made directly with our
 * ASN.1 types and OpenSSL CMS, and a response parser. Shared by test_engine.c, the seed
 * generator and the engine fuzz target. Test code only: no cmocka in here, so the fuzzer
 * can link it; every function returns 0/NULL on failure. */
#ifndef CMC_TEST_ENGINE_FIXTURE_H
#define CMC_TEST_ENGINE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cmc/server.h>

#include "asn1/asn1_local.h"

struct ef_fixture {
    char dir[64];        /* mkdtemp'd directory holding every file below */
    char cnf[128];       /* dir/cmcd.cnf */
    char db[128];        /* dir/cmcd.db when the store is sqlite, else "" */
    EVP_PKEY *ca_key;    /* the issuing CA (ca.key, ca.pem) */
    X509 *ca_cert;
    EVP_PKEY *op_ca_key; /* "operator CA": its certificate is trust.pem */
    X509 *op_ca_cert;
    EVP_PKEY *op_key;    /* operator (EKU cmcRA) issued by the operator CA: trusted */
    X509 *op_cert;
    EVP_PKEY *rogue_key; /* operator issued by an untrusted CA */
    X509 *rogue_cert;
    struct cmc_server_ctx *srv;
};

/* Generate everything, write the files and load the server.
 * @p sqlite: 0 for "database = mem:", 1 for "sqlite:DIR/cmcd.db".
 * @return 1 on success. */
int ef_setup(struct ef_fixture *f, int sqlite);
/* Like ef_setup with a mem: store, but every CA and operator key is derived from a fixed
 * label (ef_key_ec_fixed), so requests signed by the operator in one process verify in
 * another: the fuzz target and its seed corpus rely on this. */
int ef_setup_fixed(struct ef_fixture *f);
/* Rewrite cmcd.cnf with @p main_extra (lines, each ending in \n; NULL for none) at the end
 * of [cmcd] and load a new server in place of f->srv. @return 1 on success. */
int ef_reload(struct ef_fixture *f, const char *main_extra);
/* Free the server and every key/cert, and remove the temp dir. */
void ef_teardown(struct ef_fixture *f);
/* cmocka group/test state hooks: a fixture allocated into *state with a mem: (setup_mem)
 * or SQLite (setup_sqlite) store, and its teardown. @return 0 on success, -1 on failure. */
int ef_state_setup_mem(void **state);
int ef_state_setup_sqlite(void **state);
int ef_state_teardown(void **state);
/* Write @p certs as PEM to DIR/@p file (trust.pem is the server's signer_trust). */
int ef_write_certs(const struct ef_fixture *f, const char *file, X509 *const *certs, size_t n);
/* Number of certificates in the server's store; -1 on error. */
long ef_store_count(const struct ef_fixture *f);

/* A v3 certificate for @p key named CN=@p cn, issued by @p issuer/@p issuer_key (NULL:
 * self-signed), with keyUsage @p ku and extendedKeyUsage @p eku in openssl.cnf syntax
 * (NULL: no such extension); CA:TRUE when @p ku has keyCertSign. New. */
X509 *ef_cert(EVP_PKEY *key, const char *cn, long serial, X509 *issuer, EVP_PKEY *issuer_key,
              const char *ku, const char *eku);
/* ef_cert with the signature digest @p md (the algorithm-policy tests sign with SHA-1). */
X509 *ef_cert_md(EVP_PKEY *key, const char *cn, long serial, X509 *issuer,
                 EVP_PKEY *issuer_key, const char *ku, const char *eku, const EVP_MD *md);

/* --- keys and requests ------------------------------------------------------------- */
EVP_PKEY *ef_key_ec(const char *curve);  /* "P-256", "P-384"; new */
/* A P-256 key whose scalar is SHA-256(@p label) mod n: the same label gives the same key. */
EVP_PKEY *ef_key_ec_fixed(const char *label);
/* subjectKeyIdentifier of @p key: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2). */
ASN1_OCTET_STRING *ef_ski(EVP_PKEY *key);
/* PKCS #10 for CN=@p cn with the SKI in an extensionRequest, signed by @p key. New.
 * @p cn NULL gives an empty subject (a Name with no RDNs) and no subjectAltName. */
X509_REQ *ef_p10(EVP_PKEY *key, const char *cn);
/* The same, signed with digest @p md (NULL for Ed25519/Ed448). New. */
X509_REQ *ef_p10_md(EVP_PKEY *key, const char *cn, const EVP_MD *md);
/* A P-256/P-384 key that encodes its curve as explicit parameters, not a named curve. */
EVP_PKEY *ef_key_ec_explicit(const char *curve);
/* An operator certificate for @p key issued by the fixture's operator CA (trusted), its
 * signature made with @p md. New. */
X509 *ef_operator_cert(const struct ef_fixture *f, EVP_PKEY *key, const char *cn, long serial,
                       const EVP_MD *md);
/* DER of @p req. The caller OPENSSL_free()s it. */
uint8_t *ef_p10_der(X509_REQ *req, size_t *len);

/* How ef_crm builds its ProofOfPossession and CertReqMsg. */
enum ef_crm_opt {
    EF_CRM_GOOD = 0,
    EF_CRM_NO_POPO,       /* popo absent */
    EF_CRM_POPOSK_INPUT,  /* POPOSigningKey.poposkInput present (forbidden by CMC) */
    EF_CRM_REGINFO,       /* CertReqMsg.regInfo present (forbidden by CMC) */
    EF_CRM_BAD_SIG,       /* one bit of the POP signature flipped */
    EF_CRM_ENCR_CERT,     /* popo keyEncipherment subsequentMessage encrCert (indirect POP) */
    EF_CRM_ENCR_CERT_KA,  /* popo keyAgreement subsequentMessage encrCert (indirect POP) */
    EF_CRM_CHALLENGE,     /* popo keyEncipherment subsequentMessage challengeResp */
    EF_CRM_RA_VERIFIED,   /* popo raVerified NULL */
    EF_CRM_THIS_MESSAGE,  /* popo keyEncipherment thisMessage (the private key, encrypted) */
    EF_CRM_CTL_POP_LINK,  /* certReq.controls holds popLinkWitnessV2 (signed over by the POP) */
    EF_CRM_CTL_CHANGE_SUBJECT, /* certReq.controls holds changeSubjectName */
    EF_CRM_CTL_OTHER      /* certReq.controls holds id-regCtrl-regToken (a CRMF control) */
};
/* CRMF CertReqMsg: certReqId, template subject + publicKey + SKI extension, POP signature
 * over the CertRequest (or the POP @p opt names). @p cn NULL gives an empty subject (a Name
 * with no RDNs, still present as CMC requires) and no subjectAltName. New. */
CMC_CERT_REQ_MSG *ef_crm(EVP_PKEY *key, uint32_t cert_req_id, const char *cn,
                         enum ef_crm_opt opt);

/* The same with the POP signature made with digest @p md. */
CMC_CERT_REQ_MSG *ef_crm_md(EVP_PKEY *key, uint32_t cert_req_id, const char *cn,
                            enum ef_crm_opt opt, const EVP_MD *md);

/* --- PKIData assembly: each add takes what it is given (value ownership moves in) ---- */
CMC_PKIDATA *ef_pkidata_new(void);
int ef_add_control(CMC_PKIDATA *pd, uint32_t id, const ASN1_OBJECT *type, ASN1_TYPE *value);
int ef_add_ctl_octets(CMC_PKIDATA *pd, uint32_t id, int num, const void *p, size_t n);
int ef_add_ctl_int(CMC_PKIDATA *pd, uint32_t id, int num, long v);
/* regInfo (id-cmc 18) with the UTF-8 text "profile=NAME". */
int ef_add_profile(CMC_PKIDATA *pd, uint32_t id, const char *name);
int ef_add_tcr(CMC_PKIDATA *pd, uint32_t id, X509_REQ *req);       /* req is dup'd */
int ef_add_crm(CMC_PKIDATA *pd, CMC_CERT_REQ_MSG *m);               /* m moves in */
int ef_add_cms(CMC_PKIDATA *pd, uint32_t id, const uint8_t *der, size_t len); /* copied */
int ef_add_other_msg(CMC_PKIDATA *pd, uint32_t id);
/* An Other Request Message (TaggedRequest orm) of a private type with a NULL value. */
int ef_add_orm(CMC_PKIDATA *pd, uint32_t id);
uint8_t *ef_pkidata_der(const CMC_PKIDATA *pd, size_t *len);

/* --- CMS wrappers ------------------------------------------------------------------ */
/* SignedData over @p content of type @p ctype signed by the key being certified: sid is
 * the key's SKI, no certificates (rfc5272bis §3.2.1). DER, OPENSSL_free()d by caller. */
uint8_t *ef_sign_pop(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                     EVP_PKEY *key, size_t *len);
/* The same with extra CMS_sign flags (CMS_NOATTR: no signed attributes). */
uint8_t *ef_sign_pop_flags(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                           EVP_PKEY *key, unsigned flags, size_t *len);
/* The same signed with RSASSA-PSS / SHA-256 by the RSA key being certified: a SignerInfo
 * engine_signer.c verify_direct does not take, so it exercises the CMS_SignerInfo_verify
 * fallback. */
uint8_t *ef_sign_pop_pss(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                         EVP_PKEY *key, unsigned flags, size_t *len);
/* SignedData with digest @p md (NULL: the key's default) signed by @p cert/@p key, or, when
 * @p cert is NULL, by the key being certified as ef_sign_pop_flags does. */
uint8_t *ef_sign_md(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype, X509 *cert,
                    EVP_PKEY *key, const EVP_MD *md, unsigned flags, size_t *len);
/* SignedData signed by @p cert/@p key (issuerAndSerialNumber), carrying @p cert. */
uint8_t *ef_sign_cert(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                      X509 *cert, EVP_PKEY *key, size_t *len);
/* The same with extra CMS_sign flags (CMS_NOCERTS: the signer certificate left out). */
uint8_t *ef_sign_cert_flags(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                            X509 *cert, EVP_PKEY *key, unsigned flags, size_t *len);
/* Shortcuts: the PKIData signed by the POP key / by the certificate. */
uint8_t *ef_full_pop(const CMC_PKIDATA *pd, EVP_PKEY *key, size_t *len);
uint8_t *ef_full_cert(const CMC_PKIDATA *pd, X509 *cert, EVP_PKEY *key, size_t *len);
/* A DER SignedData with its eContentType changed to @p ctype and nothing else (the
 * signatures and messageDigests still verify); new DER. */
uint8_t *ef_relabel(const uint8_t *der, size_t len, const ASN1_OBJECT *ctype, size_t *out_len);
/* Flip one bit of the first SignerInfo's signature of a DER SignedData; new DER. */
uint8_t *ef_tamper_signature(const uint8_t *der, size_t len, size_t *out_len);
/* EnvelopedData for @p rcpt holding a few bytes; and a plain id-data ContentInfo. */
uint8_t *ef_enveloped(X509 *rcpt, size_t *len);
uint8_t *ef_data_ci(size_t *len);

/* --- responses --------------------------------------------------------------------- */
#define EF_MAX_STATUS 128
struct ef_status {
    int status;
    long fail_info;        /* -1 when absent */
    uint32_t ids[16];
    size_t n_ids;
    char text[256];        /* statusString, "" when absent */
};

struct ef_resp {
    int certs_only;        /* a Simple PKI Response: no SignerInfo, no PKIResponse */
    struct ef_status st[EF_MAX_STATUS];
    size_t n_st;
    ASN1_INTEGER *tid;                 /* echoed transactionId, or NULL */
    ASN1_OCTET_STRING *sender_nonce;   /* the server's */
    ASN1_OCTET_STRING *recipient_nonce;
    ASN1_OCTET_STRING *data_return[8]; /* the engine echoes at most 8 */
    size_t n_data_return;
    STACK_OF(X509) *certs;             /* every certificate in the SignedData */
};

/* Decode @p der: a certs-only SignedData, or a SignedData whose signature verifies against
 * the CA certificate and whose eContent is a PKIResponse. @return 1 on success. */
int ef_parse(const struct ef_fixture *f, const uint8_t *der, size_t len, struct ef_resp *r);
void ef_resp_free(struct ef_resp *r);
/* The certificate in @p r whose public key is @p key, verified as issued by the CA. get0. */
X509 *ef_find_cert(const struct ef_fixture *f, const struct ef_resp *r, EVP_PKEY *key);
/* Run one request and parse a 200 answer (0 when the answer is not 200 or does not parse).
 * @p ans is cleared inside. */
int ef_run(struct ef_fixture *f, enum cmc_request_kind kind, const uint8_t *in, size_t len,
           struct ef_resp *r, char *content_type, size_t ct_len);

#endif
