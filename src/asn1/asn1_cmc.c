/* SPDX-License-Identifier: Apache-2.0 */
/* OpenSSL ASN.1 templates for the rfc5272bis (CMC) structures of src/asn1/asn1_local.h. */
#include "asn1/asn1_local.h"

#include <openssl/asn1t.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/*
 * rfc5272bis Appendix A: the CMC module is DEFINITIONS IMPLICIT TAGS. A context tag on a
 * SEQUENCE therefore replaces the SEQUENCE tag (ASN1_IMP*), and only a tag on a CHOICE or
 * an ANY would become explicit. The ASN.1 text of each type sits above its struct in
 * asn1_local.h; the order here follows Appendix A.1.
 *
 * SIZE(1..MAX) constraints are not enforced by the templates (OpenSSL has no way to say
 * it); the message layer checks the lists it relies on.
 */

#define CMC_IMPLEMENT(T)                                                                  \
    IMPLEMENT_ASN1_FUNCTIONS(T)                                                           \
    IMPLEMENT_ASN1_DUP_FUNCTION(T)

/* BodyPartList / BodyPartPath ::= SEQUENCE SIZE (1..MAX) OF BodyPartID (§3.2.2, §3.2.3) */
ASN1_ITEM_TEMPLATE(CMC_BODY_PART_LIST) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, BodyPartList, ASN1_INTEGER)
ASN1_ITEM_TEMPLATE_END(CMC_BODY_PART_LIST)
CMC_IMPLEMENT(CMC_BODY_PART_LIST)

/* §3.2.1.2 TaggedAttribute: attrValues is a SET OF, sorted by the DER encoder. */
ASN1_SEQUENCE(CMC_TAGGED_ATTRIBUTE) = {
    ASN1_SIMPLE(CMC_TAGGED_ATTRIBUTE, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_TAGGED_ATTRIBUTE, attrType, ASN1_OBJECT),
    ASN1_SET_OF(CMC_TAGGED_ATTRIBUTE, attrValues, ASN1_ANY)
} ASN1_SEQUENCE_END(CMC_TAGGED_ATTRIBUTE)
CMC_IMPLEMENT(CMC_TAGGED_ATTRIBUTE)

/* §3.2.1.3.1 TaggedCertificationRequest */
ASN1_SEQUENCE(CMC_TAGGED_CERT_REQUEST) = {
    ASN1_SIMPLE(CMC_TAGGED_CERT_REQUEST, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_TAGGED_CERT_REQUEST, certificationRequest, CMC_P10)
} ASN1_SEQUENCE_END(CMC_TAGGED_CERT_REQUEST)
CMC_IMPLEMENT(CMC_TAGGED_CERT_REQUEST)

/* §3.2.1.3.3 the orm alternative of TaggedRequest */
ASN1_SEQUENCE(CMC_OTHER_REQ_MSG) = {
    ASN1_SIMPLE(CMC_OTHER_REQ_MSG, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_OTHER_REQ_MSG, requestMessageType, ASN1_OBJECT),
    ASN1_SIMPLE(CMC_OTHER_REQ_MSG, requestMessageValue, ASN1_ANY)
} ASN1_SEQUENCE_END(CMC_OTHER_REQ_MSG)
CMC_IMPLEMENT(CMC_OTHER_REQ_MSG)

/* §3.2.1.3 TaggedRequest: all three alternatives are SEQUENCEs, so under IMPLICIT TAGS
 * the context tag replaces the SEQUENCE tag: tcr starts A0, crm A1, orm A2. */
ASN1_CHOICE(CMC_TAGGED_REQUEST) = {
    ASN1_IMP(CMC_TAGGED_REQUEST, value.tcr, CMC_TAGGED_CERT_REQUEST, 0),
    ASN1_IMP(CMC_TAGGED_REQUEST, value.crm, CMC_CERT_REQ_MSG, 1),
    ASN1_IMP(CMC_TAGGED_REQUEST, value.orm, CMC_OTHER_REQ_MSG, 2)
} ASN1_CHOICE_END(CMC_TAGGED_REQUEST)
CMC_IMPLEMENT(CMC_TAGGED_REQUEST)

/* §3.2.1.4 TaggedContentInfo: contentInfo stays raw (ANY) so a nested layer is parsed
 * later from exactly the bytes that were signed. */
ASN1_SEQUENCE(CMC_TAGGED_CONTENT_INFO) = {
    ASN1_SIMPLE(CMC_TAGGED_CONTENT_INFO, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_TAGGED_CONTENT_INFO, contentInfo, ASN1_ANY)
} ASN1_SEQUENCE_END(CMC_TAGGED_CONTENT_INFO)
CMC_IMPLEMENT(CMC_TAGGED_CONTENT_INFO)

/* §3.2.1.5 OtherMsg */
ASN1_SEQUENCE(CMC_OTHER_MSG) = {
    ASN1_SIMPLE(CMC_OTHER_MSG, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_OTHER_MSG, otherMsgType, ASN1_OBJECT),
    ASN1_SIMPLE(CMC_OTHER_MSG, otherMsgValue, ASN1_ANY)
} ASN1_SEQUENCE_END(CMC_OTHER_MSG)
CMC_IMPLEMENT(CMC_OTHER_MSG)

/* §3.2.1 PKIData. The four sequences are SEQUENCE SIZE(0..MAX) OF: always present, maybe
 * empty, so CMC_PKIDATA_new() allocates empty stacks and encodes 30 08 30 00 x4. The
 * received encoding is cached (enc) because identity proof MACs the bytes as sent. */
ASN1_SEQUENCE_enc(CMC_PKIDATA, enc, NULL) = {
    ASN1_SEQUENCE_OF(CMC_PKIDATA, controlSequence, CMC_TAGGED_ATTRIBUTE),
    ASN1_SEQUENCE_OF(CMC_PKIDATA, reqSequence, CMC_TAGGED_REQUEST),
    ASN1_SEQUENCE_OF(CMC_PKIDATA, cmsSequence, CMC_TAGGED_CONTENT_INFO),
    ASN1_SEQUENCE_OF(CMC_PKIDATA, otherMsgSequence, CMC_OTHER_MSG)
} ASN1_SEQUENCE_END_enc(CMC_PKIDATA, CMC_PKIDATA)
CMC_IMPLEMENT(CMC_PKIDATA)

/* §4.2 PKIResponse */
ASN1_SEQUENCE(CMC_PKIRESPONSE) = {
    ASN1_SEQUENCE_OF(CMC_PKIRESPONSE, controlSequence, CMC_TAGGED_ATTRIBUTE),
    ASN1_SEQUENCE_OF(CMC_PKIRESPONSE, cmsSequence, CMC_TAGGED_CONTENT_INFO),
    ASN1_SEQUENCE_OF(CMC_PKIRESPONSE, otherMsgSequence, CMC_OTHER_MSG)
} ASN1_SEQUENCE_END(CMC_PKIRESPONSE)
CMC_IMPLEMENT(CMC_PKIRESPONSE)

/* §3.2.2 BodyPartReference. bodyPartPath is spelled as a SEQUENCE OF template rather than
 * the CMC_BODY_PART_LIST item: OpenSSL cannot try an item template as an optional CHOICE
 * alternative ("illegal options on item template"); the C type is the same. */
ASN1_CHOICE(CMC_BODY_PART_REFERENCE) = {
    ASN1_SIMPLE(CMC_BODY_PART_REFERENCE, value.bodyPartID, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(CMC_BODY_PART_REFERENCE, value.bodyPartPath, ASN1_INTEGER)
} ASN1_CHOICE_END(CMC_BODY_PART_REFERENCE)
CMC_IMPLEMENT(CMC_BODY_PART_REFERENCE)

/* §6.1.1 PendInfo */
ASN1_SEQUENCE(CMC_PEND_INFO) = {
    ASN1_SIMPLE(CMC_PEND_INFO, pendToken, ASN1_OCTET_STRING),
    ASN1_SIMPLE(CMC_PEND_INFO, pendTime, ASN1_GENERALIZEDTIME)
} ASN1_SEQUENCE_END(CMC_PEND_INFO)
CMC_IMPLEMENT(CMC_PEND_INFO)

/* §6.1.2 CMCStatusInfo.otherInfo: CMCFailInfo is an INTEGER, PendInfo a SEQUENCE. */
ASN1_CHOICE(CMC_OTHER_INFO) = {
    ASN1_SIMPLE(CMC_OTHER_INFO, value.failInfo, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_OTHER_INFO, value.pendInfo, CMC_PEND_INFO)
} ASN1_CHOICE_END(CMC_OTHER_INFO)
CMC_IMPLEMENT(CMC_OTHER_INFO)

/* §6.1.2 CMCStatusInfo (legacy statusInfo, id-cmc 1) */
ASN1_SEQUENCE(CMC_STATUS_INFO) = {
    ASN1_SIMPLE(CMC_STATUS_INFO, cMCStatus, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_STATUS_INFO, bodyList, CMC_BODY_PART_LIST),
    ASN1_OPT(CMC_STATUS_INFO, statusString, ASN1_UTF8STRING),
    ASN1_OPT(CMC_STATUS_INFO, otherInfo, CMC_OTHER_INFO)
} ASN1_SEQUENCE_END(CMC_STATUS_INFO)
CMC_IMPLEMENT(CMC_STATUS_INFO)

/* §6.1.1 ExtendedFailInfo */
ASN1_SEQUENCE(CMC_EXTENDED_FAIL_INFO) = {
    ASN1_SIMPLE(CMC_EXTENDED_FAIL_INFO, failInfoOID, ASN1_OBJECT),
    ASN1_SIMPLE(CMC_EXTENDED_FAIL_INFO, failInfoValue, ASN1_ANY)
} ASN1_SEQUENCE_END(CMC_EXTENDED_FAIL_INFO)
CMC_IMPLEMENT(CMC_EXTENDED_FAIL_INFO)

/* §6.1.1 OtherStatusInfo: extendedFailInfo [1] is implicit, so it is encoded A1. */
ASN1_CHOICE(CMC_OTHER_STATUS_INFO) = {
    ASN1_SIMPLE(CMC_OTHER_STATUS_INFO, value.failInfo, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_OTHER_STATUS_INFO, value.pendInfo, CMC_PEND_INFO),
    ASN1_IMP(CMC_OTHER_STATUS_INFO, value.extendedFailInfo, CMC_EXTENDED_FAIL_INFO, 1)
} ASN1_CHOICE_END(CMC_OTHER_STATUS_INFO)
CMC_IMPLEMENT(CMC_OTHER_STATUS_INFO)

/* §6.1.1 CMCStatusInfoV2 (statusInfoV2, id-cmc 25) */
ASN1_SEQUENCE(CMC_STATUS_INFO_V2) = {
    ASN1_SIMPLE(CMC_STATUS_INFO_V2, cMCStatus, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(CMC_STATUS_INFO_V2, bodyList, CMC_BODY_PART_REFERENCE),
    ASN1_OPT(CMC_STATUS_INFO_V2, statusString, ASN1_UTF8STRING),
    ASN1_OPT(CMC_STATUS_INFO_V2, otherInfo, CMC_OTHER_STATUS_INFO)
} ASN1_SEQUENCE_END(CMC_STATUS_INFO_V2)
CMC_IMPLEMENT(CMC_STATUS_INFO_V2)

/* §6.5.2 AddExtensions (deprecated in favour of modCertTemplate) */
ASN1_SEQUENCE(CMC_ADD_EXTENSIONS) = {
    ASN1_SIMPLE(CMC_ADD_EXTENSIONS, pkiDataReference, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_ADD_EXTENSIONS, certReferences, CMC_BODY_PART_LIST),
    ASN1_SEQUENCE_OF(CMC_ADD_EXTENSIONS, extensions, X509_EXTENSION)
} ASN1_SEQUENCE_END(CMC_ADD_EXTENSIONS)
CMC_IMPLEMENT(CMC_ADD_EXTENSIONS)

/* §6.7 EncryptedPOP: cms is kept raw (EnvelopedData or AuthEnvelopedData ContentInfo). */
ASN1_SEQUENCE(CMC_ENCRYPTED_POP) = {
    ASN1_SIMPLE(CMC_ENCRYPTED_POP, request, CMC_TAGGED_REQUEST),
    ASN1_SIMPLE(CMC_ENCRYPTED_POP, cms, ASN1_ANY),
    ASN1_SIMPLE(CMC_ENCRYPTED_POP, thePOPAlgID, X509_ALGOR),
    ASN1_SIMPLE(CMC_ENCRYPTED_POP, witnessAlgID, X509_ALGOR),
    ASN1_SIMPLE(CMC_ENCRYPTED_POP, witness, ASN1_OCTET_STRING)
} ASN1_SEQUENCE_END(CMC_ENCRYPTED_POP)
CMC_IMPLEMENT(CMC_ENCRYPTED_POP)

/* §6.7 DecryptedPOP */
ASN1_SEQUENCE(CMC_DECRYPTED_POP) = {
    ASN1_SIMPLE(CMC_DECRYPTED_POP, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_DECRYPTED_POP, thePOPAlgID, X509_ALGOR),
    ASN1_SIMPLE(CMC_DECRYPTED_POP, thePOP, ASN1_OCTET_STRING)
} ASN1_SEQUENCE_END(CMC_DECRYPTED_POP)
CMC_IMPLEMENT(CMC_DECRYPTED_POP)

/* §6.8 LraPopWitness */
ASN1_SEQUENCE(CMC_LRA_POP_WITNESS) = {
    ASN1_SIMPLE(CMC_LRA_POP_WITNESS, pkiDataBodyid, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_LRA_POP_WITNESS, bodyIds, CMC_BODY_PART_LIST)
} ASN1_SEQUENCE_END(CMC_LRA_POP_WITNESS)
CMC_IMPLEMENT(CMC_LRA_POP_WITNESS)

/* §6.9 GetCert */
ASN1_SEQUENCE(CMC_GET_CERT) = {
    ASN1_SIMPLE(CMC_GET_CERT, issuerName, GENERAL_NAME),
    ASN1_SIMPLE(CMC_GET_CERT, serialNumber, ASN1_INTEGER)
} ASN1_SEQUENCE_END(CMC_GET_CERT)
CMC_IMPLEMENT(CMC_GET_CERT)

/* §6.10 GetCRL: the optional fields have distinct tags (GeneralName is context-tagged,
 * then GeneralizedTime, then BIT STRING), so no tagging is needed. */
ASN1_SEQUENCE(CMC_GET_CRL) = {
    ASN1_SIMPLE(CMC_GET_CRL, issuerName, X509_NAME),
    ASN1_OPT(CMC_GET_CRL, cRLName, GENERAL_NAME),
    ASN1_OPT(CMC_GET_CRL, time, ASN1_GENERALIZEDTIME),
    ASN1_OPT(CMC_GET_CRL, reasons, ASN1_BIT_STRING)
} ASN1_SEQUENCE_END(CMC_GET_CRL)
CMC_IMPLEMENT(CMC_GET_CRL)

/* §6.11 RevokeRequest (5th field "sharedSecret" in the prose, "passphrase" in the module) */
ASN1_SEQUENCE(CMC_REVOKE_REQUEST) = {
    ASN1_SIMPLE(CMC_REVOKE_REQUEST, issuerName, X509_NAME),
    ASN1_SIMPLE(CMC_REVOKE_REQUEST, serialNumber, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_REVOKE_REQUEST, reason, ASN1_ENUMERATED),
    ASN1_OPT(CMC_REVOKE_REQUEST, invalidityDate, ASN1_GENERALIZEDTIME),
    ASN1_OPT(CMC_REVOKE_REQUEST, passphrase, ASN1_OCTET_STRING),
    ASN1_OPT(CMC_REVOKE_REQUEST, comment, ASN1_UTF8STRING)
} ASN1_SEQUENCE_END(CMC_REVOKE_REQUEST)
CMC_IMPLEMENT(CMC_REVOKE_REQUEST)

/* §6.14 CMCCertId ::= IssuerAndSerialNumber (confirmCertAcceptance) */
ASN1_SEQUENCE(CMC_CERT_ID) = {
    ASN1_SIMPLE(CMC_CERT_ID, issuer, X509_NAME),
    ASN1_SIMPLE(CMC_CERT_ID, serialNumber, ASN1_INTEGER)
} ASN1_SEQUENCE_END(CMC_CERT_ID)
CMC_IMPLEMENT(CMC_CERT_ID)

/* §6.2.1 IdentityProofV2 (id-cmc 34) */
ASN1_SEQUENCE(CMC_IDENTITY_PROOF_V2) = {
    ASN1_SIMPLE(CMC_IDENTITY_PROOF_V2, proofAlgID, X509_ALGOR),
    ASN1_SIMPLE(CMC_IDENTITY_PROOF_V2, macAlgId, X509_ALGOR),
    ASN1_SIMPLE(CMC_IDENTITY_PROOF_V2, witness, ASN1_OCTET_STRING)
} ASN1_SEQUENCE_END(CMC_IDENTITY_PROOF_V2)
CMC_IMPLEMENT(CMC_IDENTITY_PROOF_V2)

/* §6.3.1.1 PopLinkWitnessV2 (id-cmc 33) */
ASN1_SEQUENCE(CMC_POP_LINK_WITNESS_V2) = {
    ASN1_SIMPLE(CMC_POP_LINK_WITNESS_V2, keyGenAlgorithm, X509_ALGOR),
    ASN1_SIMPLE(CMC_POP_LINK_WITNESS_V2, macAlgorithm, X509_ALGOR),
    ASN1_SIMPLE(CMC_POP_LINK_WITNESS_V2, witness, ASN1_OCTET_STRING)
} ASN1_SEQUENCE_END(CMC_POP_LINK_WITNESS_V2)
CMC_IMPLEMENT(CMC_POP_LINK_WITNESS_V2)

/* §6.15 PublishTrustAnchors (trustedAnchors, id-cmc 26) */
ASN1_SEQUENCE(CMC_PUBLISH_TRUST_ANCHORS) = {
    ASN1_SIMPLE(CMC_PUBLISH_TRUST_ANCHORS, seqNumber, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_PUBLISH_TRUST_ANCHORS, hashAlgorithm, X509_ALGOR),
    ASN1_SEQUENCE_OF(CMC_PUBLISH_TRUST_ANCHORS, anchorHashes, ASN1_OCTET_STRING)
} ASN1_SEQUENCE_END(CMC_PUBLISH_TRUST_ANCHORS)
CMC_IMPLEMENT(CMC_PUBLISH_TRUST_ANCHORS)

/* §6.18 CMCPublicationInfo (publishCert, id-cmc 30); PKIPublicationInfo is in asn1_crmf.c */
ASN1_SEQUENCE(CMC_PUBLICATION_INFO) = {
    ASN1_SIMPLE(CMC_PUBLICATION_INFO, hashAlg, X509_ALGOR),
    ASN1_SEQUENCE_OF(CMC_PUBLICATION_INFO, certHashes, ASN1_OCTET_STRING),
    ASN1_SIMPLE(CMC_PUBLICATION_INFO, pubInfo, CMC_PKI_PUBLICATION_INFO)
} ASN1_SEQUENCE_END(CMC_PUBLICATION_INFO)
CMC_IMPLEMENT(CMC_PUBLICATION_INFO)

/* §6.5.1 ModCertTemplate. replace is BOOLEAN DEFAULT TRUE: ASN1_TBOOLEAN omits the field
 * when it is TRUE (DER forbids encoding a DEFAULT value) and reads an absent field as 1;
 * -1 set by hand is also omitted, so it means the default too. */
ASN1_SEQUENCE(CMC_MOD_CERT_TEMPLATE) = {
    ASN1_SIMPLE(CMC_MOD_CERT_TEMPLATE, pkiDataReference, CMC_BODY_PART_LIST),
    ASN1_SIMPLE(CMC_MOD_CERT_TEMPLATE, certReferences, CMC_BODY_PART_LIST),
    ASN1_OPT(CMC_MOD_CERT_TEMPLATE, replace, ASN1_TBOOLEAN),
    ASN1_SIMPLE(CMC_MOD_CERT_TEMPLATE, certTemplate, CMC_CERT_TEMPLATE)
} ASN1_SEQUENCE_END(CMC_MOD_CERT_TEMPLATE)
CMC_IMPLEMENT(CMC_MOD_CERT_TEMPLATE)

/* §6.19 ControlsProcessed (controlProcessed, id-cmc 32) */
ASN1_SEQUENCE(CMC_CONTROLS_PROCESSED) = {
    ASN1_SEQUENCE_OF(CMC_CONTROLS_PROCESSED, bodyList, CMC_BODY_PART_REFERENCE)
} ASN1_SEQUENCE_END(CMC_CONTROLS_PROCESSED)
CMC_IMPLEMENT(CMC_CONTROLS_PROCESSED)

/*
 * An optional, untagged Name. X509_NAME's own item refuses to be decoded as OPTIONAL
 * ("illegal options on item template": its inner item is a template item), so this
 * wrapper peeks at the tag first: anything but a SEQUENCE (0x30) means "absent". The
 * value is an ordinary X509_NAME; everything else is delegated to X509_NAME's item.
 */
static int opt_name_new(ASN1_VALUE **pval, const ASN1_ITEM *it)
{
    return ASN1_item_ex_new(pval, ASN1_ITEM_rptr(X509_NAME));
}

static void opt_name_free(ASN1_VALUE **pval, const ASN1_ITEM *it)
{
    ASN1_item_ex_free(pval, ASN1_ITEM_rptr(X509_NAME));
}

static int opt_name_d2i(ASN1_VALUE **pval, const unsigned char **in, long len,
                        const ASN1_ITEM *it, int tag, int aclass, char opt, ASN1_TLC *ctx)
{
    if (opt && tag == -1 && (len < 1 || (*in)[0] != (V_ASN1_CONSTRUCTED | V_ASN1_SEQUENCE)))
        return -1;
    return ASN1_item_ex_d2i(pval, in, len, ASN1_ITEM_rptr(X509_NAME), tag, aclass, 0, ctx);
}

static int opt_name_i2d(const ASN1_VALUE **pval, unsigned char **out, const ASN1_ITEM *it,
                        int tag, int aclass)
{
    return ASN1_item_ex_i2d(pval, out, ASN1_ITEM_rptr(X509_NAME), tag, aclass);
}

static const ASN1_EXTERN_FUNCS opt_name_ff = {
    NULL, opt_name_new, opt_name_free, NULL, opt_name_d2i, opt_name_i2d, NULL,
};

static_ASN1_ITEM_start(CMC_OPT_NAME)
    ASN1_ITYPE_EXTERN, V_ASN1_SEQUENCE, NULL, 0, &opt_name_ff, 0, "Name"
ASN1_ITEM_end(CMC_OPT_NAME)

/* §3.2.1.2.3 ChangeSubjectName: subjectAlt [1] is implicit on GeneralNames (a SEQUENCE OF), so
 * it is encoded A1 followed directly by the GeneralName elements. */
ASN1_SEQUENCE(CMC_CHANGE_SUBJECT_NAME) = {
    ASN1_OPT(CMC_CHANGE_SUBJECT_NAME, subject, CMC_OPT_NAME),
    ASN1_IMP_SEQUENCE_OF_OPT(CMC_CHANGE_SUBJECT_NAME, subjectAlt, GENERAL_NAME, 1)
} ASN1_SEQUENCE_END(CMC_CHANGE_SUBJECT_NAME)
CMC_IMPLEMENT(CMC_CHANGE_SUBJECT_NAME)

/* §3.2.3 CMCUnsignedData (id-aa-cmc-unsignedData) */
ASN1_SEQUENCE(CMC_UNSIGNED_DATA) = {
    ASN1_SIMPLE(CMC_UNSIGNED_DATA, bodyPartPath, CMC_BODY_PART_LIST),
    ASN1_SIMPLE(CMC_UNSIGNED_DATA, identifier, ASN1_OBJECT),
    ASN1_SIMPLE(CMC_UNSIGNED_DATA, content, ASN1_ANY)
} ASN1_SEQUENCE_END(CMC_UNSIGNED_DATA)
CMC_IMPLEMENT(CMC_UNSIGNED_DATA)
