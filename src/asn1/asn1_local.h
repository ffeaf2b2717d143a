/* SPDX-License-Identifier: Apache-2.0 */
/* Struct bodies of the CMC and CRMF ASN.1 types, each under its ASN.1 text
 * (rfc5272bis Appendix A, RFC 4211 Appendix B). Internal: only libcmc includes this. */
#ifndef CMC_ASN1_LOCAL_H
#define CMC_ASN1_LOCAL_H

#include <cmc/asn1.h>
#include <openssl/cms.h>

/*-
 * TaggedAttribute ::= SEQUENCE {
 *     bodyPartID         BodyPartID,
 *     attrType           OBJECT IDENTIFIER,
 *     attrValues         SET OF AttributeValue }
 */
struct cmc_tagged_attribute_st {
    ASN1_INTEGER *bodyPartID;
    ASN1_OBJECT *attrType;
    STACK_OF(ASN1_TYPE) *attrValues;
};

/*-
 * TaggedCertificationRequest ::= SEQUENCE {
 *     bodyPartID            BodyPartID,
 *     certificationRequest  CertificationRequest }
 */
struct cmc_tagged_cert_request_st {
    ASN1_INTEGER *bodyPartID;
    CMC_P10 *certificationRequest;
};

/*-
 * SubjectPublicKeyInfo ::= SEQUENCE {                          -- RFC 5280 §4.1
 *     algorithm            AlgorithmIdentifier,
 *     subjectPublicKey     BIT STRING }
 */
struct cmc_spki_st {
    X509_ALGOR *algorithm;
    ASN1_BIT_STRING *subjectPublicKey;
};

/*-
 * CertificationRequestInfo ::= SEQUENCE {                      -- RFC 2986 §4.1
 *     version       INTEGER { v1(0) },
 *     subject       Name,
 *     subjectPKInfo SubjectPublicKeyInfo,
 *     attributes    [0] Attributes }
 * The encoding is cached (ASN1_SEQUENCE_enc): the signature is checked over it.
 */
struct cmc_p10_info_st {
    ASN1_INTEGER *version;
    X509_NAME *subject;
    CMC_SPKI *spki;
    STACK_OF(X509_ATTRIBUTE) *attributes;
    ASN1_ENCODING enc;
};

/*-
 * CertificationRequest ::= SEQUENCE {                          -- RFC 2986 §4.2
 *     certificationRequestInfo CertificationRequestInfo,
 *     signatureAlgorithm       AlgorithmIdentifier,
 *     signature                BIT STRING }
 */
struct cmc_p10_st {
    CMC_P10_INFO *info;
    X509_ALGOR *sigAlg;
    ASN1_BIT_STRING *signature;
};

/*
 * The key of a request for one use (asn1_p10.c): EC keys on the NIST curves come from a
 * pool of keys made once and go back to it when the lease ends; any other key is made as
 * by cmc_spki_get1_pkey and freed at the end. kp may be NULL (no pool). The lease is not
 * shared: nothing may keep l->pkey (or a reference to it) past cmci_key_lease_end. Only the
 * point changes between leases: ex_data and the legacy EC_KEY copy that the deprecated
 * EVP_PKEY_get0_EC_KEY/get1_EC_KEY/get0 make would carry over (on 3.0 that copy keeps the
 * first point), so those accessors must never be used on a leased key (libcmc is built
 * with OPENSSL_NO_DEPRECATED, so they do not compile here, cmake/CmcTest.cmake).
 */
struct cmci_key_pool;
struct cmci_key_lease {
    EVP_PKEY *pkey;              /* borrowed until cmci_key_lease_end */
    struct cmci_key_pool *pool;
    int curve;                   /* the pool's curve index, or -1: not a pool key */
};
cmc_err cmci_key_pool_new(struct cmci_key_pool **out) CMC_WUR;
void cmci_key_pool_free(struct cmci_key_pool *kp);
/* On failure l->pkey is NULL; cmci_key_lease_end may be called either way. */
cmc_err cmci_spki_lease_pkey(struct cmci_key_pool *kp, const CMC_SPKI *spki,
                             struct cmci_key_lease *l) CMC_WUR;
void cmci_key_lease_end(struct cmci_key_lease *l);

/* The DER a SignerInfo's signature covers: its signed attributes as a SET OF (RFC 5652
 * §5.4), from asn1_cms.c. CMC_ERR_BAD_MESSAGE_CHECK when it has none.
 * Ownership: *der is new (OPENSSL_free). */
cmc_err cmci_signed_attrs_der(const CMS_SignerInfo *si, unsigned char **der, int *len) CMC_WUR;

/* Copy @p spki into @p dst field by field, without decoding the key (issuance). */
cmc_err cmci_spki_copy_to(const CMC_SPKI *spki, X509_PUBKEY *dst) CMC_WUR;

/* from asn1_der.c */
/* CMC_OK when @p der is a sequence of DER encodings (X.690 §10: definite lengths in the
 * fewest octets, primitive strings, minimal INTEGERs, ...); otherwise CMC_ERR_DECODE with
 * "<what> is not DER: <why> at offset N". Reads the bytes once; allocates nothing. */
cmc_err cmci_der_check(const char *what, const uint8_t *der, size_t len) CMC_WUR;

/*-
 * orm [2] SEQUENCE {
 *     bodyPartID            BodyPartID,
 *     requestMessageType    OBJECT IDENTIFIER,
 *     requestMessageValue   ANY DEFINED BY requestMessageType }
 */
struct cmc_other_req_msg_st {
    ASN1_INTEGER *bodyPartID;
    ASN1_OBJECT *requestMessageType;
    ASN1_TYPE *requestMessageValue;
};

/*-
 * TaggedRequest ::= CHOICE {
 *     tcr  [0] TaggedCertificationRequest,
 *     crm  [1] CertReqMsg,
 *     orm  [2] SEQUENCE { ... } }          -- IMPLICIT TAGS module
 */
#define CMC_TAGGED_REQUEST_TCR 0
#define CMC_TAGGED_REQUEST_CRM 1
#define CMC_TAGGED_REQUEST_ORM 2
struct cmc_tagged_request_st {
    int type;
    union {
        CMC_TAGGED_CERT_REQUEST *tcr;
        CMC_CERT_REQ_MSG *crm;
        CMC_OTHER_REQ_MSG *orm;
    } value;
};

/*-
 * TaggedContentInfo ::= SEQUENCE {
 *     bodyPartID              BodyPartID,
 *     contentInfo             ContentInfo }
 * contentInfo is kept as the raw SEQUENCE (ASN1_ANY) so nested layers are re-parsed from
 * exactly the bytes that were signed.
 */
struct cmc_tagged_content_info_st {
    ASN1_INTEGER *bodyPartID;
    ASN1_TYPE *contentInfo;
};

/*-
 * OtherMsg ::= SEQUENCE {
 *     bodyPartID        BodyPartID,
 *     otherMsgType      OBJECT IDENTIFIER,
 *     otherMsgValue     ANY DEFINED BY otherMsgType }
 */
struct cmc_other_msg_st {
    ASN1_INTEGER *bodyPartID;
    ASN1_OBJECT *otherMsgType;
    ASN1_TYPE *otherMsgValue;
};

/*-
 * PKIData ::= SEQUENCE {
 *     controlSequence    SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
 *     reqSequence        SEQUENCE SIZE(0..MAX) OF TaggedRequest,
 *     cmsSequence        SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
 *     otherMsgSequence   SEQUENCE SIZE(0..MAX) OF OtherMsg }
 * The encoding is cached (ASN1_SEQUENCE_enc) so identity proof can MAC the reqSequence
 * bytes exactly as sent.
 */
struct cmc_pkidata_st {
    STACK_OF(CMC_TAGGED_ATTRIBUTE) *controlSequence;
    STACK_OF(CMC_TAGGED_REQUEST) *reqSequence;
    STACK_OF(CMC_TAGGED_CONTENT_INFO) *cmsSequence;
    STACK_OF(CMC_OTHER_MSG) *otherMsgSequence;
    ASN1_ENCODING enc;
};

/*-
 * PKIResponse ::= SEQUENCE {
 *     controlSequence   SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
 *     cmsSequence       SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
 *     otherMsgSequence  SEQUENCE SIZE(0..MAX) OF OtherMsg }
 */
struct cmc_pkiresponse_st {
    STACK_OF(CMC_TAGGED_ATTRIBUTE) *controlSequence;
    STACK_OF(CMC_TAGGED_CONTENT_INFO) *cmsSequence;
    STACK_OF(CMC_OTHER_MSG) *otherMsgSequence;
};

/*-
 * BodyPartReference ::= CHOICE {
 *     bodyPartID    BodyPartID,
 *     bodyPartPath  BodyPartPath }
 * BodyPartPath ::= SEQUENCE SIZE (1..MAX) OF BodyPartID
 * BodyPartList ::= SEQUENCE SIZE (1..MAX) OF BodyPartID   (CMC_BODY_PART_LIST)
 */
#define CMC_BODY_PART_REFERENCE_ID 0
#define CMC_BODY_PART_REFERENCE_PATH 1
struct cmc_body_part_reference_st {
    int type;
    union {
        ASN1_INTEGER *bodyPartID;
        CMC_BODY_PART_LIST *bodyPartPath;
    } value;
};

/*-
 * PendInfo ::= SEQUENCE {
 *     pendToken           OCTET STRING,
 *     pendTime            GeneralizedTime }
 */
struct cmc_pend_info_st {
    ASN1_OCTET_STRING *pendToken;
    ASN1_GENERALIZEDTIME *pendTime;
};

/*-
 * CMCStatusInfo ::= SEQUENCE {
 *     cMCStatus       CMCStatus,
 *     bodyList        SEQUENCE SIZE (1..MAX) OF BodyPartID,
 *     statusString    UTF8String OPTIONAL,
 *     otherInfo       CHOICE {
 *       failInfo       CMCFailInfo,
 *       pendInfo       PendInfo } OPTIONAL }
 */
#define CMC_OTHER_INFO_FAIL 0
#define CMC_OTHER_INFO_PEND 1
struct cmc_other_info_st {
    int type;
    union {
        ASN1_INTEGER *failInfo;
        CMC_PEND_INFO *pendInfo;
    } value;
};
struct cmc_status_info_st {
    ASN1_INTEGER *cMCStatus;
    CMC_BODY_PART_LIST *bodyList;
    ASN1_UTF8STRING *statusString;
    CMC_OTHER_INFO *otherInfo;
};

/*-
 * ExtendedFailInfo ::= SEQUENCE {
 *     failInfoOID            OBJECT IDENTIFIER,
 *     failInfoValue          ANY DEFINED BY failInfoOID }
 * OtherStatusInfo ::= CHOICE {
 *     failInfo              CMCFailInfo,
 *     pendInfo              PendInfo,
 *     extendedFailInfo      [1] ExtendedFailInfo }
 * CMCStatusInfoV2 ::= SEQUENCE {
 *     cMCStatus             CMCStatus,
 *     bodyList              SEQUENCE SIZE (1..MAX) OF BodyPartReference,
 *     statusString          UTF8String OPTIONAL,
 *     otherInfo             OtherStatusInfo OPTIONAL }
 */
struct cmc_extended_fail_info_st {
    ASN1_OBJECT *failInfoOID;
    ASN1_TYPE *failInfoValue;
};
#define CMC_OTHER_STATUS_INFO_FAIL 0
#define CMC_OTHER_STATUS_INFO_PEND 1
#define CMC_OTHER_STATUS_INFO_EXTENDED 2
struct cmc_other_status_info_st {
    int type;
    union {
        ASN1_INTEGER *failInfo;
        CMC_PEND_INFO *pendInfo;
        CMC_EXTENDED_FAIL_INFO *extendedFailInfo;
    } value;
};
struct cmc_status_info_v2_st {
    ASN1_INTEGER *cMCStatus;
    STACK_OF(CMC_BODY_PART_REFERENCE) *bodyList;
    ASN1_UTF8STRING *statusString;
    CMC_OTHER_STATUS_INFO *otherInfo;
};

/*-
 * AddExtensions ::= SEQUENCE {
 *     pkiDataReference    BodyPartID,
 *     certReferences      SEQUENCE OF BodyPartID,
 *     extensions          SEQUENCE OF Extension }
 */
struct cmc_add_extensions_st {
    ASN1_INTEGER *pkiDataReference;
    CMC_BODY_PART_LIST *certReferences;
    STACK_OF(X509_EXTENSION) *extensions;
};

/*-
 * EncryptedPOP ::= SEQUENCE {
 *     request       TaggedRequest,
 *     cms           ContentInfo,        -- kept raw (ASN1_ANY)
 *     thePOPAlgID   AlgorithmIdentifier,
 *     witnessAlgID  AlgorithmIdentifier,
 *     witness       OCTET STRING }
 * DecryptedPOP ::= SEQUENCE {
 *     bodyPartID    BodyPartID,
 *     thePOPAlgID   AlgorithmIdentifier,
 *     thePOP        OCTET STRING }
 */
struct cmc_encrypted_pop_st {
    CMC_TAGGED_REQUEST *request;
    ASN1_TYPE *cms;
    X509_ALGOR *thePOPAlgID;
    X509_ALGOR *witnessAlgID;
    ASN1_OCTET_STRING *witness;
};
struct cmc_decrypted_pop_st {
    ASN1_INTEGER *bodyPartID;
    X509_ALGOR *thePOPAlgID;
    ASN1_OCTET_STRING *thePOP;
};

/*-
 * LraPopWitness ::= SEQUENCE {
 *     pkiDataBodyid   BodyPartID,
 *     bodyIds         SEQUENCE OF BodyPartID }
 */
struct cmc_lra_pop_witness_st {
    ASN1_INTEGER *pkiDataBodyid;
    CMC_BODY_PART_LIST *bodyIds;
};

/*-
 * GetCert ::= SEQUENCE {
 *     issuerName      GeneralName,
 *     serialNumber    INTEGER }
 * GetCRL ::= SEQUENCE {
 *     issuerName    Name,
 *     cRLName       GeneralName OPTIONAL,
 *     time          GeneralizedTime OPTIONAL,
 *     reasons       ReasonFlags OPTIONAL }
 */
struct cmc_get_cert_st {
    GENERAL_NAME *issuerName;
    ASN1_INTEGER *serialNumber;
};
struct cmc_get_crl_st {
    X509_NAME *issuerName;
    GENERAL_NAME *cRLName;
    ASN1_GENERALIZEDTIME *time;
    ASN1_BIT_STRING *reasons;
};

/*-
 * RevokeRequest ::= SEQUENCE {
 *     issuerName            Name,
 *     serialNumber          INTEGER,
 *     reason                CRLReason,
 *     invalidityDate        GeneralizedTime OPTIONAL,
 *     passphrase            OCTET STRING OPTIONAL,   -- "sharedSecret" in the prose
 *     comment               UTF8String OPTIONAL }
 */
struct cmc_revoke_request_st {
    X509_NAME *issuerName;
    ASN1_INTEGER *serialNumber;
    ASN1_ENUMERATED *reason;
    ASN1_GENERALIZEDTIME *invalidityDate;
    ASN1_OCTET_STRING *passphrase;
    ASN1_UTF8STRING *comment;
};

/*-
 * CMCCertId ::= IssuerAndSerialNumber
 * IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }
 */
struct cmc_cert_id_st {
    X509_NAME *issuer;
    ASN1_INTEGER *serialNumber;
};

/*-
 * IdentityProofV2 ::= SEQUENCE {
 *     proofAlgID       AlgorithmIdentifier{DIGEST-ALGORITHM, {WitnessAlgs}},
 *     macAlgId         AlgorithmIdentifier{MAC-ALGORITHM, {POPAlgs}},
 *     witness          OCTET STRING }
 * PopLinkWitnessV2 ::= SEQUENCE {
 *     keyGenAlgorithm  AlgorithmIdentifier{KEY-DERIVATION, {KeyDevAlgs}},
 *     macAlgorithm     AlgorithmIdentifier{MAC-ALGORITHM, {POPAlgs}},
 *     witness          OCTET STRING }
 */
struct cmc_identity_proof_v2_st {
    X509_ALGOR *proofAlgID;
    X509_ALGOR *macAlgId;
    ASN1_OCTET_STRING *witness;
};
struct cmc_pop_link_witness_v2_st {
    X509_ALGOR *keyGenAlgorithm;
    X509_ALGOR *macAlgorithm;
    ASN1_OCTET_STRING *witness;
};

/*-
 * PublishTrustAnchors ::= SEQUENCE {
 *     seqNumber      INTEGER,
 *     hashAlgorithm  AlgorithmIdentifier{DIGEST-ALGORITHM, {HashAlgorithms}},
 *     anchorHashes   SEQUENCE OF OCTET STRING }
 * CMCPublicationInfo ::= SEQUENCE {
 *     hashAlg        AlgorithmIdentifier{DIGEST-ALGORITHM, {HashAlgorithms}},
 *     certHashes     SEQUENCE OF OCTET STRING,
 *     pubInfo        PKIPublicationInfo }
 */
struct cmc_publish_trust_anchors_st {
    ASN1_INTEGER *seqNumber;
    X509_ALGOR *hashAlgorithm;
    STACK_OF(ASN1_OCTET_STRING) *anchorHashes;
};
struct cmc_publication_info_st {
    X509_ALGOR *hashAlg;
    STACK_OF(ASN1_OCTET_STRING) *certHashes;
    CMC_PKI_PUBLICATION_INFO *pubInfo;
};

/*-
 * ModCertTemplate ::= SEQUENCE {
 *     pkiDataReference   BodyPartPath,
 *     certReferences     BodyPartList,
 *     replace            BOOLEAN DEFAULT TRUE,
 *     certTemplate       CertTemplate }
 * ControlsProcessed ::= SEQUENCE {
 *     bodyList           SEQUENCE SIZE(1..MAX) OF BodyPartReference }
 */
struct cmc_mod_cert_template_st {
    CMC_BODY_PART_LIST *pkiDataReference;
    CMC_BODY_PART_LIST *certReferences;
    ASN1_BOOLEAN replace; /* -1 when absent means the DEFAULT TRUE */
    CMC_CERT_TEMPLATE *certTemplate;
};
struct cmc_controls_processed_st {
    STACK_OF(CMC_BODY_PART_REFERENCE) *bodyList;
};

/*-
 * ChangeSubjectName ::= SEQUENCE {
 *     subject             Name OPTIONAL,
 *     subjectAlt          [1] SubjectAltName OPTIONAL }
 * CMCUnsignedData ::= SEQUENCE {
 *     bodyPartPath        BodyPartPath,
 *     identifier          OBJECT IDENTIFIER,
 *     content             ANY DEFINED BY identifier }
 */
struct cmc_change_subject_name_st {
    X509_NAME *subject;
    GENERAL_NAMES *subjectAlt;
};
struct cmc_unsigned_data_st {
    CMC_BODY_PART_LIST *bodyPartPath;
    ASN1_OBJECT *identifier;
    ASN1_TYPE *content;
};

/* ---- RFC 4211 (CRMF), EXPLICIT TAGS module except where noted ---------------------- */

/*-
 * AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY DEFINED BY type }
 */
struct cmc_atav_st {
    ASN1_OBJECT *type;
    ASN1_TYPE *value;
};

/*-
 * OptionalValidity ::= SEQUENCE {
 *     notBefore  [0] Time OPTIONAL,
 *     notAfter   [1] Time OPTIONAL }   -- Time is a CHOICE, so the tags are explicit
 */
struct cmc_optional_validity_st {
    ASN1_TIME *notBefore;
    ASN1_TIME *notAfter;
};

/*-
 * CertTemplate ::= SEQUENCE {
 *     version      [0] Version               OPTIONAL,
 *     serialNumber [1] INTEGER               OPTIONAL,
 *     signingAlg   [2] AlgorithmIdentifier   OPTIONAL,
 *     issuer       [3] Name                  OPTIONAL,   -- explicit (Name is a CHOICE)
 *     validity     [4] OptionalValidity      OPTIONAL,
 *     subject      [5] Name                  OPTIONAL,   -- explicit
 *     publicKey    [6] SubjectPublicKeyInfo  OPTIONAL,
 *     issuerUID    [7] UniqueIdentifier      OPTIONAL,
 *     subjectUID   [8] UniqueIdentifier      OPTIONAL,
 *     extensions   [9] Extensions            OPTIONAL }
 */
struct cmc_cert_template_st {
    ASN1_INTEGER *version;
    ASN1_INTEGER *serialNumber;
    X509_ALGOR *signingAlg;
    X509_NAME *issuer;
    CMC_OPTIONAL_VALIDITY *validity;
    X509_NAME *subject;
    CMC_SPKI *publicKey;
    ASN1_BIT_STRING *issuerUID;
    ASN1_BIT_STRING *subjectUID;
    STACK_OF(X509_EXTENSION) *extensions;
};

/*-
 * CertRequest ::= SEQUENCE {
 *     certReqId     INTEGER,
 *     certTemplate  CertTemplate,
 *     controls      Controls OPTIONAL }   -- Controls ::= SEQUENCE SIZE(1..MAX) OF ATAV
 * The encoding is cached (ASN1_SEQUENCE_enc): the POP signature is checked over exactly
 * the received bytes.
 */
struct cmc_cert_request_st {
    ASN1_INTEGER *certReqId;
    CMC_CERT_TEMPLATE *certTemplate;
    STACK_OF(CMC_ATAV) *controls;
    ASN1_ENCODING enc;
};

/*-
 * POPOSigningKey ::= SEQUENCE {
 *     poposkInput         [0] POPOSigningKeyInput OPTIONAL,
 *     algorithmIdentifier AlgorithmIdentifier,
 *     signature           BIT STRING }
 * poposkInput is refused by CMC (rfc5272bis §3.2.1.3.2), so it is kept only as the list of
 * its elements, enough to see that it is there.
 */
struct cmc_popo_signing_key_st {
    STACK_OF(ASN1_TYPE) *poposkInput;
    X509_ALGOR *algorithmIdentifier;
    ASN1_BIT_STRING *signature;
};

/*-
 * POPOPrivKey ::= CHOICE {
 *     thisMessage       [0] BIT STRING,   -- deprecated
 *     subsequentMessage [1] SubsequentMessage,  -- INTEGER { encrCert(0), challengeResp(1) }
 *     dhMAC             [2] BIT STRING,   -- deprecated
 *     agreeMAC          [3] PKMACValue,
 *     encryptedKey      [4] EnvelopedData }
 * agreeMAC and encryptedKey are kept as their element lists.
 */
#define CMC_POPO_PRIV_KEY_THIS_MESSAGE 0
#define CMC_POPO_PRIV_KEY_SUBSEQUENT_MESSAGE 1
#define CMC_POPO_PRIV_KEY_DH_MAC 2
#define CMC_POPO_PRIV_KEY_AGREE_MAC 3
#define CMC_POPO_PRIV_KEY_ENCRYPTED_KEY 4
struct cmc_popo_priv_key_st {
    int type;
    union {
        ASN1_BIT_STRING *thisMessage;
        ASN1_INTEGER *subsequentMessage;
        ASN1_BIT_STRING *dhMAC;
        STACK_OF(ASN1_TYPE) *agreeMAC;
        STACK_OF(ASN1_TYPE) *encryptedKey;
    } value;
};

/*-
 * ProofOfPossession ::= CHOICE {
 *     raVerified        [0] NULL,
 *     signature         [1] POPOSigningKey,
 *     keyEncipherment   [2] POPOPrivKey,
 *     keyAgreement      [3] POPOPrivKey }
 */
#define CMC_POP_RA_VERIFIED 0
#define CMC_POP_SIGNATURE 1
#define CMC_POP_KEY_ENCIPHERMENT 2
#define CMC_POP_KEY_AGREEMENT 3
struct cmc_pop_st {
    int type;
    union {
        ASN1_NULL *raVerified;
        CMC_POPO_SIGNING_KEY *signature;
        CMC_POPO_PRIV_KEY *keyEncipherment;
        CMC_POPO_PRIV_KEY *keyAgreement;
    } value;
};

/*-
 * CertReqMsg ::= SEQUENCE {
 *     certReq   CertRequest,
 *     popo      ProofOfPossession  OPTIONAL,
 *     regInfo   SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue OPTIONAL }
 */
struct cmc_cert_req_msg_st {
    CMC_CERT_REQUEST *certReq;
    CMC_POP *popo;
    STACK_OF(CMC_ATAV) *regInfo;
};

/*-
 * SinglePubInfo ::= SEQUENCE {
 *     pubMethod    INTEGER { dontCare(0), x500(1), web(2), ldap(3) },
 *     pubLocation  GeneralName OPTIONAL }
 * PKIPublicationInfo ::= SEQUENCE {
 *     action     INTEGER { dontPublish(0), pleasePublish(1) },
 *     pubInfos   SEQUENCE SIZE (1..MAX) OF SinglePubInfo OPTIONAL }
 */
struct cmc_single_pub_info_st {
    ASN1_INTEGER *pubMethod;
    GENERAL_NAME *pubLocation;
};
struct cmc_pki_publication_info_st {
    ASN1_INTEGER *action;
    STACK_OF(CMC_SINGLE_PUB_INFO) *pubInfos;
};

#endif
