/* SPDX-License-Identifier: Apache-2.0 */
/* Builds the two response forms (rfc5272bis §4): the Simple PKI Response, a certs-only
 * SignedData, and the Full PKI Response, a SignedData over a PKIResponse signed by the CA. */
#include "engine/engine_local.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>

static cmc_err to_der(CMS_ContentInfo *cms, uint8_t **der, size_t *len)
{
    unsigned char *p = NULL;
    int n = i2d_CMS_ContentInfo(cms, &p);

    if (n <= 0)
        return cmci_fail_ossl(CMC_ERR_CRYPTO, "encode response");
    *der = p;
    *len = (size_t)n;
    return CMC_OK;
}

/* Issued certificates first, then the CA chain: servers SHOULD send the chain
 * (rfc5272bis §4.1); clients must not assume an order. Ownership: new stack, borrowed certs. */
static STACK_OF(X509) *bag(const struct cmci_txn *t, int skip_ca)
{
    STACK_OF(X509) *s = sk_X509_new_null();
    const STACK_OF(X509) *chain = t->srv->ca->chain;

    if (s == NULL)
        return NULL;
    for (int i = 0; i < sk_X509_num(t->issued); i++)
        if (!sk_X509_push(s, sk_X509_value(t->issued, i)))
            goto err;
    for (int i = skip_ca ? 1 : 0; i < sk_X509_num(chain); i++)
        if (!sk_X509_push(s, sk_X509_value(chain, i)))
            goto err;
    return s;
err:
    sk_X509_free(s);
    return NULL;
}

cmc_err cmci_response_simple(struct cmci_txn *t, uint8_t **der, size_t *len)
{
    STACK_OF(X509) *certs = bag(t, 0);
    CMS_ContentInfo *cms = NULL;
    cmc_err rv;

    if (certs == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "certs");
    /* No signer and no content: "certs-only" (rfc5272bis §4.1). */
    cms = CMS_sign(NULL, NULL, certs, NULL, CMS_PARTIAL);
    if (cms == NULL) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "certs-only SignedData");
        goto out;
    }
    rv = to_der(cms, der, len);
out:
    CMS_ContentInfo_free(cms);
    sk_X509_free(certs);
    return rv;
}

static cmc_err add_control(CMC_PKIRESPONSE *r, uint32_t *next_id, int num, ASN1_TYPE *v)
{
    CMC_TAGGED_ATTRIBUTE *a = CMC_TAGGED_ATTRIBUTE_new();

    if (a == NULL)
        goto err;
    ASN1_INTEGER_free(a->bodyPartID);
    ASN1_OBJECT_free(a->attrType);
    if ((a->bodyPartID = cmc_body_part_id_new((*next_id)++)) == NULL
        || (a->attrType = OBJ_dup(cmc_oid_get0_control(num))) == NULL)
        goto err;
    if (a->attrValues == NULL && (a->attrValues = sk_ASN1_TYPE_new_null()) == NULL)
        goto err;
    if (!sk_ASN1_TYPE_push(a->attrValues, v))
        goto err;
    v = NULL;
    if (!sk_CMC_TAGGED_ATTRIBUTE_push(r->controlSequence, a))
        goto err;
    return CMC_OK;
err:
    ASN1_TYPE_free(v);
    CMC_TAGGED_ATTRIBUTE_free(a);
    return cmci_fail_ossl(CMC_ERR_NOMEM, "response control");
}

static ASN1_TYPE *wrap(int type, void *value)
{
    ASN1_TYPE *v = ASN1_TYPE_new();
    if (v != NULL)
        ASN1_TYPE_set(v, type, value);
    return v;
}

static cmc_err add_octets(CMC_PKIRESPONSE *r, uint32_t *next_id, int num, const unsigned char *p,
                          int n)
{
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_TYPE *v;

    if (os == NULL || ASN1_OCTET_STRING_set(os, p, n) != 1 || (v = wrap(V_ASN1_OCTET_STRING, os)) == NULL) {
        ASN1_OCTET_STRING_free(os);
        return cmci_fail(CMC_ERR_NOMEM, "octets");
    }
    return add_control(r, next_id, num, v);
}

static cmc_err add_status(CMC_PKIRESPONSE *r, uint32_t *next_id, int status, long fail_info,
                          const uint32_t *ids, size_t n_ids, const char *text)
{
    CMC_STATUS_INFO_V2 *si = CMC_STATUS_INFO_V2_new();
    ASN1_TYPE *v = NULL;
    cmc_err rv = CMC_OK;

    if (si == NULL || ASN1_INTEGER_set(si->cMCStatus, status) != 1) {
        rv = cmci_fail(CMC_ERR_NOMEM, "status");
        goto out;
    }
    if (si->bodyList == NULL && (si->bodyList = sk_CMC_BODY_PART_REFERENCE_new_null()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "status");
        goto out;
    }
    for (size_t i = 0; i < n_ids; i++) {
        CMC_BODY_PART_REFERENCE *ref = CMC_BODY_PART_REFERENCE_new();
        if (ref == NULL || (ref->value.bodyPartID = cmc_body_part_id_new(ids[i])) == NULL
            || !sk_CMC_BODY_PART_REFERENCE_push(si->bodyList, ref)) {
            CMC_BODY_PART_REFERENCE_free(ref);
            rv = cmci_fail(CMC_ERR_NOMEM, "status");
            goto out;
        }
        ref->type = CMC_BODY_PART_REFERENCE_ID;
    }
    if (text != NULL && text[0] != '\0') {
        if ((si->statusString = ASN1_UTF8STRING_new()) == NULL
            || ASN1_STRING_set(si->statusString, text, (int)strlen(text)) != 1) {
            rv = cmci_fail(CMC_ERR_NOMEM, "status");
            goto out;
        }
    }
    if (fail_info >= 0) {
        if ((si->otherInfo = CMC_OTHER_STATUS_INFO_new()) == NULL
            || (si->otherInfo->value.failInfo = ASN1_INTEGER_new()) == NULL
            || ASN1_INTEGER_set(si->otherInfo->value.failInfo, fail_info) != 1) {
            rv = cmci_fail(CMC_ERR_NOMEM, "status");
            goto out;
        }
        si->otherInfo->type = CMC_OTHER_STATUS_INFO_FAIL;
    }
    if (ASN1_TYPE_pack_sequence(ASN1_ITEM_rptr(CMC_STATUS_INFO_V2), si, &v) == NULL) {
        rv = cmci_fail_ossl(CMC_ERR_INTERNAL, "encode statusInfoV2");
        goto out;
    }
    rv = add_control(r, next_id, CMC_CTRL_STATUS_INFO_V2, v);
out:
    CMC_STATUS_INFO_V2_free(si);
    return rv;
}

static cmc_err build_pkiresponse(struct cmci_txn *t, CMC_PKIRESPONSE *r)
{
    uint32_t next = 1;
    unsigned char nonce[16];

    /* statuses first: what went wrong or is unsupported, then one success status for the
     * issued requests (rfc5272bis §6.1: success may be omitted, but stating it explicitly
     * costs little and clients read it unambiguously). */
    for (size_t i = 0; i < t->n_statuses; i++) {
        const struct cmci_status *s = &t->statuses[i];
        CMC_GUARD(add_status(r, &next, s->status, s->fail_info, s->ids, s->n_ids, s->text));
    }
    for (size_t i = 0; i < t->n_issued_ids; i += CMCI_STATUS_MAX_IDS) {
        size_t n = t->n_issued_ids - i;
        if (n > CMCI_STATUS_MAX_IDS)
            n = CMCI_STATUS_MAX_IDS;
        CMC_GUARD(add_status(r, &next, CMC_STATUS_SUCCESS, -1, &t->issued_ids[i], n, NULL));
    }
    if (t->n_statuses == 0 && t->n_issued_ids == 0) {
        uint32_t zero = 0;
        CMC_GUARD(add_status(r, &next, CMC_STATUS_SUCCESS, -1, &zero, 1, NULL));
    }
    if (t->transaction_id != NULL) {
        ASN1_INTEGER *tid = ASN1_INTEGER_dup(t->transaction_id);
        ASN1_TYPE *v = tid ? wrap(V_ASN1_INTEGER, tid) : NULL;
        if (v == NULL) {
            ASN1_INTEGER_free(tid);
            return cmci_fail(CMC_ERR_NOMEM, "transactionId");
        }
        CMC_GUARD(add_control(r, &next, CMC_CTRL_TRANSACTION_ID, v));
    }
    /* rfc5272bis §6.6: our own fresh senderNonce, and theirs back as recipientNonce */
    CMC_GUARD_OSSL(RAND_bytes(nonce, sizeof(nonce)), CMC_ERR_CRYPTO, "nonce");
    CMC_GUARD(add_octets(r, &next, CMC_CTRL_SENDER_NONCE, nonce, sizeof(nonce)));
    if (t->sender_nonce != NULL)
        CMC_GUARD(add_octets(r, &next, CMC_CTRL_RECIPIENT_NONCE, t->sender_nonce->data,
                             t->sender_nonce->length));
    for (size_t i = 0; i < t->n_data_return; i++)
        CMC_GUARD(add_octets(r, &next, CMC_CTRL_DATA_RETURN, t->data_return[i]->data,
                             t->data_return[i]->length));
    return CMC_OK;
}

cmc_err cmci_response_full(struct cmci_txn *t, uint8_t **der, size_t *len)
{
    CMC_PKIRESPONSE *r = NULL;
    STACK_OF(X509) *certs = NULL;
    CMS_ContentInfo *cms = NULL;
    unsigned char *body = NULL;
    BIO *in = NULL;
    int n;
    cmc_err rv;

    if ((r = CMC_PKIRESPONSE_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "PKIResponse");
        goto out;
    }
    if ((r->controlSequence == NULL
         && (r->controlSequence = sk_CMC_TAGGED_ATTRIBUTE_new_null()) == NULL)
        || (r->cmsSequence == NULL
            && (r->cmsSequence = sk_CMC_TAGGED_CONTENT_INFO_new_null()) == NULL)
        || (r->otherMsgSequence == NULL
            && (r->otherMsgSequence = sk_CMC_OTHER_MSG_new_null()) == NULL)) {
        rv = cmci_fail(CMC_ERR_NOMEM, "PKIResponse");
        goto out;
    }
    if ((rv = build_pkiresponse(t, r)) != CMC_OK)
        goto out;
    if ((n = i2d_CMC_PKIRESPONSE(r, &body)) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_INTERNAL, "encode PKIResponse");
        goto out;
    }
    /* the signer's certificate is added by CMS_sign; the CA's only if it is not the signer */
    if ((certs = bag(t, t->srv->ca->resp_cert == t->srv->ca->cert)) == NULL || (in = BIO_new_mem_buf(body, n)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "response");
        goto out;
    }
    /* rfc5272bis §4.2: SignedData, eContentType id-cct-PKIResponse, signed by the CA. */
    cms = CMS_sign(t->srv->ca->resp_cert, t->srv->ca->resp_key, certs, NULL, CMS_BINARY | CMS_PARTIAL);
    if (cms == NULL
        || CMS_set1_eContentType(cms, cmc_oid_get0(CMC_OID_CCT_PKIRESPONSE)) != 1
        || CMS_final(cms, in, NULL, CMS_BINARY) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "sign the Full PKI Response");
        goto out;
    }
    rv = to_der(cms, der, len);
out:
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    OPENSSL_free(body);
    sk_X509_free(certs);
    CMC_PKIRESPONSE_free(r);
    return rv;
}
