/* SPDX-License-Identifier: Apache-2.0 */
/* OpenSSL ASN.1 templates for our mirror of the RFC 4211 (CRMF) types that CMC carries. */
#include "asn1/asn1_local.h"

#include <openssl/asn1t.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/*
 * Why our own templates: OpenSSL 3.0's OSSL_CRMF_* types hide several fields we need
 * (POPOPrivKey alternatives, the raw CertRequest bytes for POP verification), so we mirror
 * the types here and prove they are wire-identical with a unit test that decodes a message
 * built by OSSL_CRMF_MSG (tests/unit/asn1/test_asn1_crmf.c).
 *
 * Tagging: the RFC 4211 Appendix B module (PKIXCRMF-2005) is DEFINITIONS IMPLICIT TAGS.
 * A context tag on a SEQUENCE or primitive is implicit; a tag on a CHOICE (Name, Time,
 * POPOPrivKey) must be explicit because a CHOICE has no tag of its own to replace
 * (X.680 §31.2.7).
 */

#define CMC_IMPLEMENT(T)                                                                  \
    IMPLEMENT_ASN1_FUNCTIONS(T)                                                           \
    IMPLEMENT_ASN1_DUP_FUNCTION(T)

/* RFC 4211 §6 AttributeTypeAndValue (Controls and regInfo elements) */
ASN1_SEQUENCE(CMC_ATAV) = {
    ASN1_SIMPLE(CMC_ATAV, type, ASN1_OBJECT),
    ASN1_SIMPLE(CMC_ATAV, value, ASN1_ANY)
} ASN1_SEQUENCE_END(CMC_ATAV)
CMC_IMPLEMENT(CMC_ATAV)

/* RFC 4211 §5 OptionalValidity: Time is a CHOICE, so [0] and [1] are explicit. */
ASN1_SEQUENCE(CMC_OPTIONAL_VALIDITY) = {
    ASN1_EXP_OPT(CMC_OPTIONAL_VALIDITY, notBefore, ASN1_TIME, 0),
    ASN1_EXP_OPT(CMC_OPTIONAL_VALIDITY, notAfter, ASN1_TIME, 1)
} ASN1_SEQUENCE_END(CMC_OPTIONAL_VALIDITY)
CMC_IMPLEMENT(CMC_OPTIONAL_VALIDITY)

/* RFC 4211 §5 CertTemplate: issuer [3] and subject [5] are explicit (Name is a CHOICE);
 * every other tag is implicit, so publicKey [6] is A6 followed by the SPKI's fields. */
ASN1_SEQUENCE(CMC_CERT_TEMPLATE) = {
    ASN1_IMP_OPT(CMC_CERT_TEMPLATE, version, ASN1_INTEGER, 0),
    ASN1_IMP_OPT(CMC_CERT_TEMPLATE, serialNumber, ASN1_INTEGER, 1),
    ASN1_IMP_OPT(CMC_CERT_TEMPLATE, signingAlg, X509_ALGOR, 2),
    ASN1_EXP_OPT(CMC_CERT_TEMPLATE, issuer, X509_NAME, 3),
    ASN1_IMP_OPT(CMC_CERT_TEMPLATE, validity, CMC_OPTIONAL_VALIDITY, 4),
    ASN1_EXP_OPT(CMC_CERT_TEMPLATE, subject, X509_NAME, 5),
    ASN1_IMP_OPT(CMC_CERT_TEMPLATE, publicKey, CMC_SPKI, 6),
    ASN1_IMP_OPT(CMC_CERT_TEMPLATE, issuerUID, ASN1_BIT_STRING, 7),
    ASN1_IMP_OPT(CMC_CERT_TEMPLATE, subjectUID, ASN1_BIT_STRING, 8),
    ASN1_IMP_SEQUENCE_OF_OPT(CMC_CERT_TEMPLATE, extensions, X509_EXTENSION, 9)
} ASN1_SEQUENCE_END(CMC_CERT_TEMPLATE)
CMC_IMPLEMENT(CMC_CERT_TEMPLATE)

/* RFC 4211 §5 CertRequest. The received encoding is cached (enc): the POPOSigningKey
 * signature (RFC 4211 §4.1) is over the DER of certReq, and rfc5272bis §3.2.1.3.2 has us
 * verify it over exactly the bytes the client sent, not over our re-encoding. */
ASN1_SEQUENCE_enc(CMC_CERT_REQUEST, enc, NULL) = {
    ASN1_SIMPLE(CMC_CERT_REQUEST, certReqId, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_CERT_REQUEST, certTemplate, CMC_CERT_TEMPLATE),
    ASN1_SEQUENCE_OF_OPT(CMC_CERT_REQUEST, controls, CMC_ATAV)
} ASN1_SEQUENCE_END_enc(CMC_CERT_REQUEST, CMC_CERT_REQUEST)
CMC_IMPLEMENT(CMC_CERT_REQUEST)

/* RFC 4211 §4.1 POPOSigningKey. poposkInput [0] (implicit on a SEQUENCE) is refused by
 * CMC (rfc5272bis §3.2.1.3.2), so its elements are kept opaque. */
ASN1_SEQUENCE(CMC_POPO_SIGNING_KEY) = {
    ASN1_IMP_SEQUENCE_OF_OPT(CMC_POPO_SIGNING_KEY, poposkInput, ASN1_ANY, 0),
    ASN1_SIMPLE(CMC_POPO_SIGNING_KEY, algorithmIdentifier, X509_ALGOR),
    ASN1_SIMPLE(CMC_POPO_SIGNING_KEY, signature, ASN1_BIT_STRING)
} ASN1_SEQUENCE_END(CMC_POPO_SIGNING_KEY)
CMC_IMPLEMENT(CMC_POPO_SIGNING_KEY)

/* RFC 4211 §4.2 POPOPrivKey: all alternatives implicit. agreeMAC (PKMACValue) and
 * encryptedKey (EnvelopedData) are SEQUENCEs whose elements we keep opaque. */
ASN1_CHOICE(CMC_POPO_PRIV_KEY) = {
    ASN1_IMP(CMC_POPO_PRIV_KEY, value.thisMessage, ASN1_BIT_STRING, 0),
    ASN1_IMP(CMC_POPO_PRIV_KEY, value.subsequentMessage, ASN1_INTEGER, 1),
    ASN1_IMP(CMC_POPO_PRIV_KEY, value.dhMAC, ASN1_BIT_STRING, 2),
    ASN1_IMP_SEQUENCE_OF(CMC_POPO_PRIV_KEY, value.agreeMAC, ASN1_ANY, 3),
    ASN1_IMP_SEQUENCE_OF(CMC_POPO_PRIV_KEY, value.encryptedKey, ASN1_ANY, 4)
} ASN1_CHOICE_END(CMC_POPO_PRIV_KEY)
CMC_IMPLEMENT(CMC_POPO_PRIV_KEY)

/* RFC 4211 §4 ProofOfPossession: [0] NULL and [1] SEQUENCE are implicit; [2] and [3]
 * tag the POPOPrivKey CHOICE and are therefore explicit. */
ASN1_CHOICE(CMC_POP) = {
    ASN1_IMP(CMC_POP, value.raVerified, ASN1_NULL, 0),
    ASN1_IMP(CMC_POP, value.signature, CMC_POPO_SIGNING_KEY, 1),
    ASN1_EXP(CMC_POP, value.keyEncipherment, CMC_POPO_PRIV_KEY, 2),
    ASN1_EXP(CMC_POP, value.keyAgreement, CMC_POPO_PRIV_KEY, 3)
} ASN1_CHOICE_END(CMC_POP)
CMC_IMPLEMENT(CMC_POP)

/* RFC 4211 §3 CertReqMsg (regInfo MUST NOT be used in CMC, rfc5272bis §3.2.1.3.2, but it
 * is still decoded so that the message layer can refuse it by name). */
ASN1_SEQUENCE(CMC_CERT_REQ_MSG) = {
    ASN1_SIMPLE(CMC_CERT_REQ_MSG, certReq, CMC_CERT_REQUEST),
    ASN1_OPT(CMC_CERT_REQ_MSG, popo, CMC_POP),
    ASN1_SEQUENCE_OF_OPT(CMC_CERT_REQ_MSG, regInfo, CMC_ATAV)
} ASN1_SEQUENCE_END(CMC_CERT_REQ_MSG)
CMC_IMPLEMENT(CMC_CERT_REQ_MSG)

/* RFC 4211 §6.3 SinglePubInfo */
ASN1_SEQUENCE(CMC_SINGLE_PUB_INFO) = {
    ASN1_SIMPLE(CMC_SINGLE_PUB_INFO, pubMethod, ASN1_INTEGER),
    ASN1_OPT(CMC_SINGLE_PUB_INFO, pubLocation, GENERAL_NAME)
} ASN1_SEQUENCE_END(CMC_SINGLE_PUB_INFO)
CMC_IMPLEMENT(CMC_SINGLE_PUB_INFO)

/* RFC 4211 §6.3 PKIPublicationInfo (used by CMCPublicationInfo) */
ASN1_SEQUENCE(CMC_PKI_PUBLICATION_INFO) = {
    ASN1_SIMPLE(CMC_PKI_PUBLICATION_INFO, action, ASN1_INTEGER),
    ASN1_SEQUENCE_OF_OPT(CMC_PKI_PUBLICATION_INFO, pubInfos, CMC_SINGLE_PUB_INFO)
} ASN1_SEQUENCE_END(CMC_PKI_PUBLICATION_INFO)
CMC_IMPLEMENT(CMC_PKI_PUBLICATION_INFO)
