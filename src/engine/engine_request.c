/* SPDX-License-Identifier: Apache-2.0 */
/* Certification requests: proof of possession, profile policy, issuance. rfc5272bis §3.2
 * (PKCS #10 and CRMF bodies), §3.2.1.3 (what CRMF features CMC forbids). */
#include "engine/engine_local.h"

#include <string.h>

#include <openssl/err.h>

/* Record a body-part failure from the error record. When even that fails (no memory, too
 * many statuses), the error goes up: the engine then answers 500 rather than a response
 * that would say nothing about this body part, which a client reads as success. */
static CMC_WUR cmc_err fail_part(struct cmci_txn *t, uint32_t id, cmc_err code)
{
    char buf[200];

    return cmci_txn_status(t, code, &id, 1, "%s", cmci_error_public_text(buf, sizeof(buf)));
}

static cmc_err authorise(struct cmci_txn *t, const struct cmci_profile *p)
{
    if (p->authz == CMCI_AUTHZ_SIGNED && t->signer != CMCI_SIGNER_TRUSTED)
        CMC_BAIL(CMC_ERR_NOT_AUTHORIZED,
                 "profile %s requires a Full PKI Request signed by a trusted operator or RA",
                 p->name);
    /* The profile is known only now (regInfo), so the signer's extendedKeyUsage is checked
     * here rather than with the wrapper: RFC 6402 §2.10 id-kp-cmcRA by default. */
    return cmci_signer_authorise(t, p);
}

/* The profile a request is issued under: regInfo's, else the default. */
static const struct cmci_profile *txn_profile(const struct cmci_txn *t)
{
    return t->profile ? t->profile : t->srv->ca->default_profile;
}

/* The POP signature's algorithm against the policy (ca_alg.c), before it is verified:
 * badAlg. The profile decides SHA-1. */
static cmc_err check_pop_alg(const struct cmci_txn *t, const X509_ALGOR *alg, const char *what)
{
    return cmci_alg_check_signature(alg, txn_profile(t), what);
}

/* Policy and issuance shared by PKCS #10 and CRMF requests. POP is verified before. */
static cmc_err issue_one(struct cmci_txn *t, uint32_t id, const X509_NAME *subject,
                         EVP_PKEY *pkey, const CMC_SPKI *spki,
                         const STACK_OF(X509_EXTENSION) *exts)
{
    const struct cmci_profile *p = txn_profile(t);
    struct cmci_issued_note note;
    /* rfc5272bis §3.2.1.2.1: the subject must be present and may be empty; this CA
     * names every certificate, so an empty subject is refused (badRequest). */
    CMC_ENSURE(subject != NULL && X509_NAME_entry_count(subject) > 0, CMC_ERR_BAD_REQUEST,
               "the request has an empty subject name");
    CMC_GUARD(authorise(t, p));
    CMC_GUARD(cmci_ca_check_key(p, pkey));
    CMC_ENSURE(t->n_issued_ids < sizeof(t->issued_ids) / sizeof(t->issued_ids[0]),
               CMC_ERR_LIMIT, "too many certification requests in one PKIData");
    CMC_GUARD(cmci_ca_issue(t->srv->ca, p, subject, spki, exts, &t->issued[t->n_issued_ids],
                            &note));
    t->issued_ids[t->n_issued_ids++] = id;
    /* logged once it is in the store: the line stands even if no answer can be sent */
    cmci_log_issued(t, p, id, &note);
    return CMC_OK;
}

/* A control carried inside a certification request: rfc5272bis lets the POP link
 * witnesses (§6.3) and changeSubjectName (§6.8) ride in a PKCS #10 attribute or a CRMF
 * control. This server supports neither, so the request is refused with noSupport rather
 * than issued without the check the control asks for. Returns CMC_OK for anything else. */
static cmc_err check_inner_control(const ASN1_OBJECT *type)
{
    switch (cmc_oid_control_num(type)) {
    case CMC_CTRL_POP_LINK_WITNESS:
    case CMC_CTRL_POP_LINK_WITNESS_V2:
        CMC_BAIL(CMC_ERR_UNSUPPORTED, "POP link witness is not supported by this server");
    case CMC_CTRL_CHANGE_SUBJECT_NAME:
        CMC_BAIL(CMC_ERR_UNSUPPORTED, "changeSubjectName is not supported by this server");
    default:
        return CMC_OK;
    }
}

static cmc_err process_p10(struct cmci_txn *t, uint32_t id, const CMC_P10 *req)
{
    struct cmci_key_lease key;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    cmc_err rv;

    /* Other attributes (a challengePassword, say) are not controls and are not read. */
    for (int i = 0; i < sk_X509_ATTRIBUTE_num(req->info->attributes); i++)
        CMC_GUARD(check_inner_control(
            X509_ATTRIBUTE_get0_object(sk_X509_ATTRIBUTE_value(req->info->attributes, i))));
    /* The PKCS #10 self-signature is the proof of possession (rfc5272bis §3.2.1.2.1). */
    CMC_GUARD(check_pop_alg(t, req->sigAlg, "the PKCS #10 signature"));
    if ((rv = cmci_spki_lease_pkey(t->srv->keys, cmc_p10_get0_spki(req), &key)) == CMC_OK
        && (rv = cmc_p10_verify(req, key.pkey)) == CMC_OK
        && (rv = cmc_p10_get1_extensions(req, &exts)) == CMC_OK)
        rv = issue_one(t, id, cmc_p10_get0_subject(req), key.pkey, cmc_p10_get0_spki(req),
                       exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    cmci_key_lease_end(&key);
    return rv;
}

/* rfc5272bis §3.2.1.3.2 and §5.2.1: CRMF POP must be a direct signature without
 * POPOSigningKeyInput; encrCert (indirect POP) is forbidden; the challenge-response
 * (encrypted/decrypted POP) flow answers noSupport until it is built (docs/conformance.md). */
static cmc_err check_crmf_pop(const struct cmci_txn *t, const CMC_CERT_REQ_MSG *m,
                              EVP_PKEY *pkey)
{
    const CMC_POP *pop = m->popo;
    const CMC_POPO_PRIV_KEY *pk;

    CMC_ENSURE(pop != NULL, CMC_ERR_POP_REQUIRED, "the CRMF request carries no proof of possession");
    switch (pop->type) {
    case CMC_POP_SIGNATURE:
        CMC_ENSURE(pop->value.signature->poposkInput == NULL, CMC_ERR_BAD_REQUEST,
                   "POPOSigningKeyInput must not be used in CMC");
        CMC_GUARD(check_pop_alg(t, pop->value.signature->algorithmIdentifier,
                                "the CRMF POP signature"));
        if (ASN1_item_verify(ASN1_ITEM_rptr(CMC_CERT_REQUEST),
                             pop->value.signature->algorithmIdentifier,
                             pop->value.signature->signature, m->certReq, pkey) != 1)
            return cmci_fail_ossl(CMC_ERR_BAD_POP, "the CRMF POP signature does not verify");
        ERR_clear_error();
        return CMC_OK;
    case CMC_POP_RA_VERIFIED:
        CMC_BAIL(CMC_ERR_BAD_POP, "raVerified POP is accepted only with an RA POP witness, "
                                  "which this server does not support");
    case CMC_POP_KEY_ENCIPHERMENT:
    case CMC_POP_KEY_AGREEMENT:
        pk = pop->type == CMC_POP_KEY_ENCIPHERMENT ? pop->value.keyEncipherment
                                                   : pop->value.keyAgreement;
        if (pk->type == CMC_POPO_PRIV_KEY_SUBSEQUENT_MESSAGE
            && ASN1_INTEGER_get(pk->value.subsequentMessage) == 0)
            CMC_BAIL(CMC_ERR_BAD_REQUEST, "indirect POP (encrCert) must not be used in CMC");
        CMC_BAIL(CMC_ERR_UNSUPPORTED, "encrypted/decrypted POP is not supported by this server");
    default:
        CMC_BAIL(CMC_ERR_BAD_REQUEST, "unknown proof-of-possession type");
    }
}

/*
 * The certTemplate fields this CA fills in itself (RFC 4211 §5). A requester that asks for
 * one of them is told so (badRequest naming the field) rather than given a certificate
 * that silently differs from what it asked for: serialNumber, signingAlg, issuerUID and
 * subjectUID "MUST be omitted"; version, when present, must be v3 (2); an issuer other
 * than this CA's name cannot be honoured (rfc5272bis §3.2.1.3.1 lets the CA refuse what it
 * will not do). An issuer equal to this CA's name is what it would write anyway and is
 * taken. A validity is a suggestion (RFC 4211 §5 "the requester may suggest"; OpenSSL's
 * CMP client sends one for -days) and the profile decides: the certificate gets the
 * profile's validity, as docs/conformance.md says.
 */
static cmc_err check_template(const struct cmci_txn *t, const CMC_CERT_TEMPLATE *tpl)
{
    const char *field = tpl->serialNumber != NULL ? "serialNumber"
                        : tpl->signingAlg != NULL ? "signingAlg"
                        : tpl->issuerUID != NULL  ? "issuerUID"
                        : tpl->subjectUID != NULL ? "subjectUID"
                                                  : NULL;

    if (field != NULL)
        CMC_BAIL(CMC_ERR_BAD_REQUEST, "the CRMF certTemplate sets %s, which the CA assigns "
                                      "(RFC 4211 §5: it must be omitted)", field);
    CMC_ENSURE(tpl->version == NULL || ASN1_INTEGER_get(tpl->version) == 2, CMC_ERR_BAD_REQUEST,
               "the CRMF certTemplate version must be v3 (2) when present (RFC 4211 §5)");
    CMC_ENSURE(tpl->issuer == NULL
                   || X509_NAME_cmp(tpl->issuer, X509_get_subject_name(t->srv->ca->cert)) == 0,
               CMC_ERR_BAD_REQUEST,
               "the CRMF certTemplate asks for another issuer than this CA");
    return CMC_OK;
}

static cmc_err process_crm(struct cmci_txn *t, uint32_t id, const CMC_CERT_REQ_MSG *m)
{
    const CMC_CERT_TEMPLATE *tpl = m->certReq->certTemplate;
    struct cmci_key_lease key;
    cmc_err rv;

    CMC_ENSURE(m->regInfo == NULL, CMC_ERR_BAD_REQUEST,
               "the CRMF regInfo field must not be used in CMC; use the regInfo control");
    for (int i = 0; i < sk_CMC_ATAV_num(m->certReq->controls); i++) {
        CMC_GUARD(check_inner_control(sk_CMC_ATAV_value(m->certReq->controls, i)->type));
        CMC_BAIL(CMC_ERR_BAD_REQUEST, "CRMF controls are not used in CMC (rfc5274bis §4)");
    }
    CMC_GUARD(check_template(t, tpl));
    CMC_ENSURE(tpl->subject != NULL, CMC_ERR_BAD_REQUEST, "the CRMF template has no subject");
    CMC_ENSURE(tpl->publicKey != NULL, CMC_ERR_BAD_REQUEST, "the CRMF template has no public key");
    if ((rv = cmci_spki_lease_pkey(t->srv->keys, tpl->publicKey, &key)) == CMC_OK
        && (rv = check_crmf_pop(t, m, key.pkey)) == CMC_OK)
        rv = issue_one(t, id, tpl->subject, key.pkey, tpl->publicKey, tpl->extensions);
    cmci_key_lease_end(&key);
    return rv;
}

cmc_err cmci_requests_process(struct cmci_txn *t)
{
    STACK_OF(CMC_TAGGED_REQUEST) *rs = t->pkidata->reqSequence;
    int stop = t->skip_requests;
    const char *why = t->skip_reason;

    /* rfc5272bis §3.2.1: an other request message the server does not support gets
     * noSupport "and no other certification requests are processed", wherever it sits
     * in reqSequence, so look for one before issuing anything. */
    for (int i = 0; !stop && i < sk_CMC_TAGGED_REQUEST_num(rs); i++)
        if (sk_CMC_TAGGED_REQUEST_value(rs, i)->type == CMC_TAGGED_REQUEST_ORM) {
            stop = 1;
            why = "the PKIData carries an other request message this server does not support";
        }

    for (int i = 0; i < sk_CMC_TAGGED_REQUEST_num(rs); i++) {
        const CMC_TAGGED_REQUEST *r = sk_CMC_TAGGED_REQUEST_value(rs, i);
        const ASN1_INTEGER *bpid = r->type == CMC_TAGGED_REQUEST_TCR ? r->value.tcr->bodyPartID
                                 : r->type == CMC_TAGGED_REQUEST_CRM
                                     ? r->value.crm->certReq->certReqId
                                     : r->value.orm->bodyPartID;
        uint32_t id = 0;
        cmc_err rv;

        if (cmc_body_part_id_get(bpid, &id) != CMC_OK) {
            CMC_GUARD(fail_part(t, 0, CMC_ERR_BAD_REQUEST));
            continue;
        }
        if (r->type == CMC_TAGGED_REQUEST_ORM && !t->skip_requests) {
            CMC_GUARD(fail_part(t, id, cmci_fail(CMC_ERR_UNSUPPORTED,
                                                 "other request message types are not supported")));
            continue;
        }
        if (stop) {
            CMC_GUARD(cmci_txn_status(t, CMC_ERR_BAD_REQUEST, &id, 1, "not processed: %s", why));
            continue;
        }
        rv = r->type == CMC_TAGGED_REQUEST_TCR
                 ? process_p10(t, id, r->value.tcr->certificationRequest)
                 : process_crm(t, id, r->value.crm);
        if (rv != CMC_OK)
            CMC_GUARD(fail_part(t, id, rv));
    }
    return CMC_OK;
}

cmc_err cmci_process_simple(struct cmci_txn *t)
{
    cmc_err rv = process_p10(t, 1, t->simple);
    /* rfc5272bis §3.1: an error about a Simple PKI Request names body part 1 */
    return rv == CMC_OK ? CMC_OK : fail_part(t, 1, rv);
}
