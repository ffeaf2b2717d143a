/* SPDX-License-Identifier: Apache-2.0 */
/* cmc/asn1.h: the CMC ASN.1 types (rfc5272bis Appendix A) and the CRMF types CMC carries
 * (RFC 4211), as OpenSSL ASN.1 items. Struct bodies are private (src/asn1/asn1_local.h). */
#ifndef CMC_ASN1_H
#define CMC_ASN1_H

#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cmc/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* id-cmc control numbers (rfc5272bis §6 and the control table). identityProofV2 is 34 and
 * popLinkWitnessV2 33, as in RFC 6402, the draft's table and IANA; the 2026 draft's module
 * swaps them by mistake (digest §1.4). */
enum cmc_control {
    CMC_CTRL_STATUS_INFO = 1,
    CMC_CTRL_IDENTIFICATION = 2,
    CMC_CTRL_IDENTITY_PROOF = 3,
    CMC_CTRL_DATA_RETURN = 4,
    CMC_CTRL_TRANSACTION_ID = 5,
    CMC_CTRL_SENDER_NONCE = 6,
    CMC_CTRL_RECIPIENT_NONCE = 7,
    CMC_CTRL_ADD_EXTENSIONS = 8,
    CMC_CTRL_ENCRYPTED_POP = 9,
    CMC_CTRL_DECRYPTED_POP = 10,
    CMC_CTRL_LRA_POP_WITNESS = 11,
    CMC_CTRL_GET_CERT = 15,
    CMC_CTRL_GET_CRL = 16,
    CMC_CTRL_REVOKE_REQUEST = 17,
    CMC_CTRL_REG_INFO = 18,
    CMC_CTRL_RESPONSE_INFO = 19,
    CMC_CTRL_QUERY_PENDING = 21,
    CMC_CTRL_POP_LINK_RANDOM = 22,
    CMC_CTRL_POP_LINK_WITNESS = 23,
    CMC_CTRL_CONFIRM_CERT_ACCEPTANCE = 24,
    CMC_CTRL_STATUS_INFO_V2 = 25,
    CMC_CTRL_TRUSTED_ANCHORS = 26,
    CMC_CTRL_AUTH_DATA = 27,
    CMC_CTRL_BATCH_REQUESTS = 28,
    CMC_CTRL_BATCH_RESPONSES = 29,
    CMC_CTRL_PUBLISH_CERT = 30,
    CMC_CTRL_MOD_CERT_TEMPLATE = 31,
    CMC_CTRL_CONTROL_PROCESSED = 32,
    CMC_CTRL_POP_LINK_WITNESS_V2 = 33,
    CMC_CTRL_IDENTITY_PROOF_V2 = 34,
    CMC_CTRL_RA_IDENTITY_WITNESS = 35,
    CMC_CTRL_CHANGE_SUBJECT_NAME = 36,
    CMC_CTRL_RESPONSE_BODY = 37
};

/* CMCStatus (rfc5272bis §6.1.1) */
enum cmc_status {
    CMC_STATUS_SUCCESS = 0,
    CMC_STATUS_FAILED = 2,
    CMC_STATUS_PENDING = 3,
    CMC_STATUS_NO_SUPPORT = 4,
    CMC_STATUS_CONFIRM_REQUIRED = 5,
    CMC_STATUS_POP_REQUIRED = 6,
    CMC_STATUS_PARTIAL = 7
};

/* CMCFailInfo (rfc5272bis §6.1.4) */
enum cmc_fail_info {
    CMC_FAIL_BAD_ALG = 0,
    CMC_FAIL_BAD_MESSAGE_CHECK = 1,
    CMC_FAIL_BAD_REQUEST = 2,
    CMC_FAIL_BAD_TIME = 3,
    CMC_FAIL_BAD_CERT_ID = 4,
    CMC_FAIL_UNSUPPORTED_EXT = 5,
    CMC_FAIL_MUST_ARCHIVE_KEYS = 6,
    CMC_FAIL_BAD_IDENTITY = 7,
    CMC_FAIL_POP_REQUIRED = 8,
    CMC_FAIL_POP_FAILED = 9,
    CMC_FAIL_NO_KEY_REUSE = 10,
    CMC_FAIL_INTERNAL_CA_ERROR = 11,
    CMC_FAIL_TRY_LATER = 12,
    CMC_FAIL_AUTH_DATA_FAIL = 13
};

/* Names for printing; "unknown" for values outside the enums. Never NULL. */
CMC_API const char *cmc_control_name(int n);  /* "transactionId" */
CMC_API const char *cmc_status_name(long v);  /* "failed" */
CMC_API const char *cmc_fail_info_name(long v); /* "badRequest" */

/* Well-known object identifiers. Ownership: get0; the objects are static and constant. */
enum cmc_oid {
    CMC_OID_CCT_PKIDATA,        /* 1.3.6.1.5.5.7.12.2 */
    CMC_OID_CCT_PKIRESPONSE,    /* 1.3.6.1.5.5.7.12.3 */
    CMC_OID_AA_CMC_UNSIGNED_DATA, /* 1.2.840.113549.1.9.16.2.34 */
    CMC_OID_ALG_NO_SIGNATURE,   /* 1.3.6.1.5.5.7.6.2 */
    CMC_OID_KP_CMC_CA,          /* 1.3.6.1.5.5.7.3.27 */
    CMC_OID_KP_CMC_RA,          /* 1.3.6.1.5.5.7.3.28 */
    CMC_OID_COUNT
};
CMC_API const ASN1_OBJECT *cmc_oid_get0(enum cmc_oid which);
/* The ASN1_OBJECT for id-cmc N (1.3.6.1.5.5.7.7.N), N in 1..99. Ownership: get0, static. */
CMC_API const ASN1_OBJECT *cmc_oid_get0_control(int n);
/* @return N when @p obj is id-cmc N, else -1. Allocation-free: compares the DER bytes. */
CMC_API int cmc_oid_control_num(const ASN1_OBJECT *obj);

/* BodyPartID ::= INTEGER (0..4294967295). Reads one with a range check. */
CMC_API cmc_err cmc_body_part_id_get(const ASN1_INTEGER *a, uint32_t *out) CMC_WUR;
/* Ownership: new: the caller frees with ASN1_INTEGER_free. */
CMC_API ASN1_INTEGER *cmc_body_part_id_new(uint32_t id);

/**
 * Decode exactly one @p it from @p der: like ASN1_item_d2i, but trailing bytes after the
 * top-level object are refused (d2i silently ignores them).
 * @return CMC_OK, CMC_ERR_DECODE (bad DER, wrong type, trailing bytes), CMC_ERR_USAGE.
 * Ownership: *out is new on success (free with ASN1_item_free(*out, it)), NULL otherwise.
 */
CMC_API cmc_err cmc_d2i_exact(const ASN1_ITEM *it, const uint8_t *der, size_t len,
                              ASN1_VALUE **out) CMC_WUR;

/* --- rfc5272bis structures --------------------------------------------------------- */
typedef struct cmc_tagged_attribute_st CMC_TAGGED_ATTRIBUTE;
typedef struct cmc_tagged_cert_request_st CMC_TAGGED_CERT_REQUEST;
typedef struct cmc_other_req_msg_st CMC_OTHER_REQ_MSG;
typedef struct cmc_tagged_request_st CMC_TAGGED_REQUEST;
typedef struct cmc_tagged_content_info_st CMC_TAGGED_CONTENT_INFO;
typedef struct cmc_other_msg_st CMC_OTHER_MSG;
typedef struct cmc_pkidata_st CMC_PKIDATA;
typedef struct cmc_pkiresponse_st CMC_PKIRESPONSE;
typedef struct cmc_body_part_reference_st CMC_BODY_PART_REFERENCE;
typedef STACK_OF(ASN1_INTEGER) CMC_BODY_PART_LIST; /* also BodyPartPath */
typedef struct cmc_pend_info_st CMC_PEND_INFO;
typedef struct cmc_other_info_st CMC_OTHER_INFO;
typedef struct cmc_status_info_st CMC_STATUS_INFO;
typedef struct cmc_extended_fail_info_st CMC_EXTENDED_FAIL_INFO;
typedef struct cmc_other_status_info_st CMC_OTHER_STATUS_INFO;
typedef struct cmc_status_info_v2_st CMC_STATUS_INFO_V2;
typedef struct cmc_add_extensions_st CMC_ADD_EXTENSIONS;
typedef struct cmc_encrypted_pop_st CMC_ENCRYPTED_POP;
typedef struct cmc_decrypted_pop_st CMC_DECRYPTED_POP;
typedef struct cmc_lra_pop_witness_st CMC_LRA_POP_WITNESS;
typedef struct cmc_get_cert_st CMC_GET_CERT;
typedef struct cmc_get_crl_st CMC_GET_CRL;
typedef struct cmc_revoke_request_st CMC_REVOKE_REQUEST;
typedef struct cmc_cert_id_st CMC_CERT_ID; /* CMCCertId ::= IssuerAndSerialNumber */
typedef struct cmc_identity_proof_v2_st CMC_IDENTITY_PROOF_V2;
typedef struct cmc_pop_link_witness_v2_st CMC_POP_LINK_WITNESS_V2;
typedef struct cmc_publish_trust_anchors_st CMC_PUBLISH_TRUST_ANCHORS;
typedef struct cmc_publication_info_st CMC_PUBLICATION_INFO;
typedef struct cmc_mod_cert_template_st CMC_MOD_CERT_TEMPLATE;
typedef struct cmc_controls_processed_st CMC_CONTROLS_PROCESSED;
typedef struct cmc_change_subject_name_st CMC_CHANGE_SUBJECT_NAME;
typedef struct cmc_unsigned_data_st CMC_UNSIGNED_DATA;

/* --- RFC 4211 CRMF, our own templates so every field is reachable on OpenSSL 3.0 ------ */
typedef struct cmc_atav_st CMC_ATAV; /* AttributeTypeAndValue */
typedef struct cmc_optional_validity_st CMC_OPTIONAL_VALIDITY;
typedef struct cmc_cert_template_st CMC_CERT_TEMPLATE;
typedef struct cmc_cert_request_st CMC_CERT_REQUEST;
typedef struct cmc_popo_signing_key_st CMC_POPO_SIGNING_KEY;
typedef struct cmc_popo_priv_key_st CMC_POPO_PRIV_KEY;
typedef struct cmc_pop_st CMC_POP; /* ProofOfPossession */
typedef struct cmc_cert_req_msg_st CMC_CERT_REQ_MSG;
typedef struct cmc_single_pub_info_st CMC_SINGLE_PUB_INFO;

/* --- SubjectPublicKeyInfo and PKCS #10, with the key kept as bytes (asn1_p10.c) --------
 * OpenSSL 3.0 decodes every X509_PUBKEY (and so every X509_REQ) into a key through its
 * provider decoders, which costs twice the signature check the key is for. CMC_SPKI and
 * CMC_P10 keep the key undecoded until cmc_spki_get1_pkey is called. */
typedef struct cmc_spki_st CMC_SPKI;         /* RFC 5280 SubjectPublicKeyInfo */
typedef struct cmc_p10_info_st CMC_P10_INFO; /* RFC 2986 CertificationRequestInfo */
typedef struct cmc_p10_st CMC_P10;           /* RFC 2986 CertificationRequest */
typedef struct cmc_pki_publication_info_st CMC_PKI_PUBLICATION_INFO;

#define CMC_DECLARE(T) DECLARE_ASN1_FUNCTIONS_attr(CMC_API, T) DECLARE_ASN1_DUP_FUNCTION_attr(CMC_API, T)

CMC_DECLARE(CMC_TAGGED_ATTRIBUTE)
CMC_DECLARE(CMC_TAGGED_CERT_REQUEST)
CMC_DECLARE(CMC_OTHER_REQ_MSG)
CMC_DECLARE(CMC_TAGGED_REQUEST)
CMC_DECLARE(CMC_TAGGED_CONTENT_INFO)
CMC_DECLARE(CMC_OTHER_MSG)
CMC_DECLARE(CMC_PKIDATA)
CMC_DECLARE(CMC_PKIRESPONSE)
CMC_DECLARE(CMC_BODY_PART_REFERENCE)
CMC_DECLARE(CMC_BODY_PART_LIST)
CMC_DECLARE(CMC_PEND_INFO)
CMC_DECLARE(CMC_OTHER_INFO)
CMC_DECLARE(CMC_STATUS_INFO)
CMC_DECLARE(CMC_EXTENDED_FAIL_INFO)
CMC_DECLARE(CMC_OTHER_STATUS_INFO)
CMC_DECLARE(CMC_STATUS_INFO_V2)
CMC_DECLARE(CMC_ADD_EXTENSIONS)
CMC_DECLARE(CMC_ENCRYPTED_POP)
CMC_DECLARE(CMC_DECRYPTED_POP)
CMC_DECLARE(CMC_LRA_POP_WITNESS)
CMC_DECLARE(CMC_GET_CERT)
CMC_DECLARE(CMC_GET_CRL)
CMC_DECLARE(CMC_REVOKE_REQUEST)
CMC_DECLARE(CMC_CERT_ID)
CMC_DECLARE(CMC_IDENTITY_PROOF_V2)
CMC_DECLARE(CMC_POP_LINK_WITNESS_V2)
CMC_DECLARE(CMC_PUBLISH_TRUST_ANCHORS)
CMC_DECLARE(CMC_PUBLICATION_INFO)
CMC_DECLARE(CMC_MOD_CERT_TEMPLATE)
CMC_DECLARE(CMC_CONTROLS_PROCESSED)
CMC_DECLARE(CMC_CHANGE_SUBJECT_NAME)
CMC_DECLARE(CMC_UNSIGNED_DATA)
CMC_DECLARE(CMC_ATAV)
CMC_DECLARE(CMC_OPTIONAL_VALIDITY)
CMC_DECLARE(CMC_CERT_TEMPLATE)
CMC_DECLARE(CMC_CERT_REQUEST)
CMC_DECLARE(CMC_POPO_SIGNING_KEY)
CMC_DECLARE(CMC_POPO_PRIV_KEY)
CMC_DECLARE(CMC_POP)
CMC_DECLARE(CMC_CERT_REQ_MSG)
CMC_DECLARE(CMC_SINGLE_PUB_INFO)
CMC_DECLARE(CMC_PKI_PUBLICATION_INFO)
CMC_DECLARE(CMC_SPKI)
DECLARE_ASN1_FUNCTIONS_attr(CMC_API, CMC_P10_INFO)
CMC_DECLARE(CMC_P10)

/**
 * The key of @p spki as an EVP_PKEY. EC keys on P-256/P-384/P-521 and RSA keys are built
 * directly (a few microseconds); other algorithms go through OpenSSL's decoder. Malformed
 * points, the point at infinity, and bad RSA numbers are refused.
 * @return CMC_OK, CMC_ERR_BAD_ALG (malformed or unsupported key), CMC_ERR_NOMEM, CMC_ERR_USAGE.
 * Ownership: *out is new; the caller frees it with EVP_PKEY_free.
 */
CMC_API cmc_err cmc_spki_get1_pkey(const CMC_SPKI *spki, EVP_PKEY **out) CMC_WUR;
/* Replace *spki by the SubjectPublicKeyInfo of @p pkey (set1: pkey is not kept). */
CMC_API cmc_err cmc_spki_set1_pkey(CMC_SPKI **spki, EVP_PKEY *pkey) CMC_WUR;

/* A CMC_P10 with the same DER as @p req. Ownership: *out is new (CMC_P10_free). */
CMC_API cmc_err cmc_p10_from_x509_req(const X509_REQ *req, CMC_P10 **out) CMC_WUR;
CMC_API const X509_NAME *cmc_p10_get0_subject(const CMC_P10 *r);
CMC_API const CMC_SPKI *cmc_p10_get0_spki(const CMC_P10 *r);
CMC_API int cmc_p10_get_attr_count(const CMC_P10 *r);
/**
 * The extensions of the request's extensionRequest attribute (RFC 2985 §5.4.2).
 * @return CMC_OK (*out NULL when there is none), CMC_ERR_BAD_REQUEST when the attribute is
 * repeated or malformed. Ownership: *out is new (sk_X509_EXTENSION_pop_free).
 */
CMC_API cmc_err cmc_p10_get1_extensions(const CMC_P10 *r, STACK_OF(X509_EXTENSION) **out) CMC_WUR;
/* Check the request's signature with @p pkey over the CertificationRequestInfo exactly as
 * received. @return CMC_OK or CMC_ERR_BAD_POP. */
CMC_API cmc_err cmc_p10_verify(const CMC_P10 *r, EVP_PKEY *pkey) CMC_WUR;

/* Stack helpers (OpenSSL's DEFINE_STACK_OF gives sk_<T>_num/value/push/...). */
DEFINE_STACK_OF(CMC_TAGGED_ATTRIBUTE)
DEFINE_STACK_OF(CMC_TAGGED_REQUEST)
DEFINE_STACK_OF(CMC_TAGGED_CONTENT_INFO)
DEFINE_STACK_OF(CMC_OTHER_MSG)
DEFINE_STACK_OF(CMC_BODY_PART_REFERENCE)
DEFINE_STACK_OF(CMC_ATAV)
DEFINE_STACK_OF(CMC_SINGLE_PUB_INFO)
/* OpenSSL 3.0 has no sk_ASN1_OCTET_STRING_*; anchorHashes/certHashes need it. */
DEFINE_STACK_OF(ASN1_OCTET_STRING)

#ifdef __cplusplus
}
#endif
#endif
