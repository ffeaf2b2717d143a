/* SPDX-License-Identifier: Apache-2.0 */
/* Builds the two response forms (rfc5272bis §4): the Simple PKI Response, a certs-only
 * SignedData, and the Full PKI Response, a SignedData over a PKIResponse signed by the CA. */
#include "engine/engine_local.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "core/core_buf.h"

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

/* The CA chain for CMS_sign; the issued certificates are spliced in afterwards as DER
 * (add_issued_certs). Ownership: new stack, borrowed certs. */
static STACK_OF(X509) *chain_bag(const struct cmci_txn *t, int skip_ca)
{
    STACK_OF(X509) *s = sk_X509_new_null();
    const STACK_OF(X509) *chain = t->srv->ca->chain;

    if (s == NULL)
        return NULL;
    for (int i = skip_ca ? 1 : 0; i < sk_X509_num(chain); i++)
        if (!sk_X509_push(s, sk_X509_value(chain, i))) {
            sk_X509_free(s);
            return NULL;
        }
    return s;
}

struct der_blob {
    const unsigned char *der; /* borrowed */
    size_t len;
};

/* X.690 §11.6: the elements of a DER SET OF are in ascending order of their encodings,
 * compared as octet strings (a shorter one that is a prefix comes first). */
static int der_blob_cmp(const void *a, const void *b)
{
    const struct der_blob *x = a, *y = b;
    int c = memcmp(x->der, y->der, x->len < y->len ? x->len : y->len);

    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

/* One DER element at @p p (at most @p avail octets): its total length, with its class, tag
 * and header length; 0 when it is not a definite-length element that fits. */
static size_t der_element(const unsigned char *p, size_t avail, int *cls, int *tag, size_t *hlen)
{
    const unsigned char *q = p;
    long len;
    int r = ASN1_get_object(&q, &len, tag, cls, (long)avail);

    if ((r & 0x80) != 0 || r == 0x21)
        return 0;
    *hlen = (size_t)(q - p);
    return *hlen + (size_t)len;
}

/*
 * Puts the issued certificates into the `certificates` [0] IMPLICIT SET OF of a signed
 * Full PKI Response, kept in DER order. Why after signing: handing them to CMS_sign would
 * mean decoding each one back into an X509, which in OpenSSL 3.0 runs the provider key
 * decoder (about 1400 allocations per certificate); the SignerInfo signs the signed
 * attributes over the eContent, not `certificates` (RFC 5652 §5.4), so the signature
 * stays valid. CMS_sign always writes the field, since it carries the signer's
 * certificate. @p der is replaced.
 */
static cmc_err add_issued_certs(const struct cmci_txn *t, uint8_t **der, size_t *len)
{
    const unsigned char *ci = *der, *oid, *sd, *q, *end, *certs = NULL;
    size_t h = 0, tot, oid_len, h_sd = 0, sd_tot, certs_tot = 0, certs_h = 0, n = 0, body = 0;
    size_t h_c, h_s, h_e, h_ci, sd_len, exp_len, ci_len;
    unsigned char hc[CMCI_DER_HEADER_MAX], hs[CMCI_DER_HEADER_MAX], he[CMCI_DER_HEADER_MAX],
        hci[CMCI_DER_HEADER_MAX], *out, *w;
    struct der_blob *all = NULL;
    int cls, tag;
    cmc_err rv = CMC_OK;

    if (t->n_issued_ids == 0)
        return CMC_OK;
    /* ContentInfo { contentType, [0] EXPLICIT SignedData { version, digestAlgorithms,
     * encapContentInfo, certificates [0], crls [1], signerInfos } } */
    if (der_element(ci, *len, &cls, &tag, &h) != *len || tag != V_ASN1_SEQUENCE)
        goto bad;
    oid = ci + h;
    if ((oid_len = der_element(oid, *len - h, &cls, &tag, &h)) == 0
        || der_element(oid + oid_len, *len - (size_t)(oid + oid_len - ci), &cls, &tag, &h) == 0
        || cls != V_ASN1_CONTEXT_SPECIFIC || tag != 0)
        goto bad;
    sd = oid + oid_len + h;
    if ((sd_tot = der_element(sd, *len - (size_t)(sd - ci), &cls, &tag, &h_sd)) == 0
        || tag != V_ASN1_SEQUENCE || sd + sd_tot != ci + *len)
        goto bad;
    for (q = sd + h_sd, end = sd + sd_tot; q < end; q += tot) {
        if ((tot = der_element(q, (size_t)(end - q), &cls, &tag, &h)) == 0)
            goto bad;
        if (cls == V_ASN1_CONTEXT_SPECIFIC && tag == 0) {
            certs = q;
            certs_tot = tot;
            certs_h = h;
        }
    }
    if (certs == NULL)
        goto bad;
    for (q = certs + certs_h; q < certs + certs_tot; q += tot, n++)
        if ((tot = der_element(q, (size_t)(certs + certs_tot - q), &cls, &tag, &h)) == 0)
            goto bad;
    if ((all = OPENSSL_malloc(sizeof(*all) * (n + t->n_issued_ids))) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "response certificates");
    n = 0;
    for (q = certs + certs_h; q < certs + certs_tot; q += tot, n++) {
        tot = der_element(q, (size_t)(certs + certs_tot - q), &cls, &tag, &h);
        all[n].der = q;
        all[n].len = tot;
        body += tot;
    }
    for (size_t i = 0; i < t->n_issued_ids; i++, n++) {
        all[n].der = t->issued[i].der;
        all[n].len = t->issued[i].len;
        body += t->issued[i].len;
    }
    qsort(all, n, sizeof(*all), der_blob_cmp);

    h_c = cmci_der_header(hc, 0xa0, body);
    sd_len = sd_tot - h_sd - certs_tot + h_c + body;
    h_s = cmci_der_header(hs, 0x30, sd_len);
    exp_len = h_s + sd_len;
    h_e = cmci_der_header(he, 0xa0, exp_len);
    ci_len = oid_len + h_e + exp_len;
    h_ci = cmci_der_header(hci, 0x30, ci_len);
    if ((out = OPENSSL_malloc(h_ci + ci_len)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "response");
        goto out;
    }
    w = out;
#define PUT(p, l) (memcpy(w, (p), (l)), w += (l))
    PUT(hci, h_ci);
    PUT(oid, oid_len);
    PUT(he, h_e);
    PUT(hs, h_s);
    PUT(sd + h_sd, (size_t)(certs - (sd + h_sd)));
    PUT(hc, h_c);
    for (size_t i = 0; i < n; i++)
        PUT(all[i].der, all[i].len);
    PUT(certs + certs_tot, (size_t)(sd + sd_tot - (certs + certs_tot)));
#undef PUT
    OPENSSL_free(*der);
    *der = out;
    *len = h_ci + ci_len;
out:
    OPENSSL_free(all);
    return rv;
bad:
    return cmci_fail(CMC_ERR_INTERNAL, "signed response: unexpected CMS encoding");
}

/*
 * rfc5272bis §4.1 Simple PKI Response: a "certs-only" ContentInfo of type SignedData with
 * no signers and no content, the issued certificates and the CA chain in `certificates`:
 *
 *   ContentInfo { id-signedData, [0] SignedData {
 *       version 1, digestAlgorithms {}, encapContentInfo { id-data },
 *       certificates [0] IMPLICIT SET OF Certificate, signerInfos {} } }
 *
 * eContent is omitted, as RFC 5652 §5.2 requires when there are no signers. Written
 * directly as DER: the bytes are exactly what CMS_sign(NULL, NULL, certs, NULL,
 * CMS_PARTIAL | CMS_DETACHED) and i2d give (E:test_simple_response_der_matches_openssl),
 * without building a CMS object, whose CMS_add1_cert hashes and caches every certificate
 * (about a tenth of an enrollment's CPU before this).
 */
cmc_err cmci_response_simple(struct cmci_txn *t, uint8_t **der, size_t *len)
{
    /* version 1, digestAlgorithms SET {}, encapContentInfo { id-data } */
    static const unsigned char head[] = {0x02, 0x01, 0x01, 0x31, 0x00, 0x30, 0x0b, 0x06,
                                         0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
                                         0x07, 0x01};
    static const unsigned char signer_infos[] = {0x31, 0x00};
    static const unsigned char id_signed_data[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                                   0xf7, 0x0d, 0x01, 0x07, 0x02};
    const struct cmci_ca *ca = t->srv->ca;
    int n_issued = (int)t->n_issued_ids, n = n_issued + sk_X509_num(ca->chain);
    struct der_blob *certs = NULL;
    size_t certs_len = 0, sd_len, exp_len, ci_len, total;
    unsigned char hdr[4][6], *out = NULL, *w;
    size_t h_certs, h_sd, h_exp, h_ci;
    cmc_err rv = CMC_OK;

    if (n <= 0 || (certs = OPENSSL_zalloc(sizeof(*certs) * (size_t)n)) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "certs-only SignedData");
    /* borrowed: the issued certificates as the CA encoded them, the chain as encoded at
     * load (ca_der.c) */
    for (int i = 0; i < n; i++) {
        const struct cmci_blob *b = i < n_issued ? &t->issued[i] : &ca->chain_der[i - n_issued];

        certs[i].der = b->der;
        certs[i].len = b->len;
        certs_len += b->len;
    }
    qsort(certs, (size_t)n, sizeof(*certs), der_blob_cmp);

    h_certs = cmci_der_header(hdr[0], 0xa0, certs_len);
    sd_len = sizeof(head) + h_certs + certs_len + sizeof(signer_infos);
    h_sd = cmci_der_header(hdr[1], 0x30, sd_len);
    exp_len = h_sd + sd_len;
    h_exp = cmci_der_header(hdr[2], 0xa0, exp_len);
    ci_len = sizeof(id_signed_data) + h_exp + exp_len;
    h_ci = cmci_der_header(hdr[3], 0x30, ci_len);
    total = h_ci + ci_len;
    if ((out = OPENSSL_malloc(total)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "certs-only SignedData");
        goto out;
    }
    w = out;
#define PUT(p, l) (memcpy(w, (p), (l)), w += (l))
    PUT(hdr[3], h_ci);
    PUT(id_signed_data, sizeof(id_signed_data));
    PUT(hdr[2], h_exp);
    PUT(hdr[1], h_sd);
    PUT(head, sizeof(head));
    PUT(hdr[0], h_certs);
    for (int i = 0; i < n; i++)
        PUT(certs[i].der, certs[i].len);
    PUT(signer_infos, sizeof(signer_infos));
#undef PUT
    *der = out;
    *len = total;
out:
    OPENSSL_free(certs);
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
        /* the CHOICE selector first: CMC_BODY_PART_REFERENCE_free frees only the selected
         * member, so a failed push must find bodyPartID selected */
        if (ref != NULL)
            ref->type = CMC_BODY_PART_REFERENCE_ID;
        if (ref == NULL || (ref->value.bodyPartID = cmc_body_part_id_new(ids[i])) == NULL
            || !sk_CMC_BODY_PART_REFERENCE_push(si->bodyList, ref)) {
            CMC_BODY_PART_REFERENCE_free(ref);
            rv = cmci_fail(CMC_ERR_NOMEM, "status");
            goto out;
        }
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
    /* the signer's certificate is added by CMS_add1_signer; the CA's only if it is not the signer */
    if ((certs = chain_bag(t, t->srv->ca->resp_cert == t->srv->ca->cert)) == NULL || (in = BIO_new_mem_buf(body, n)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "response");
        goto out;
    }
    /* rfc5272bis §4.2: SignedData, eContentType id-cct-PKIResponse, signed by the CA. */
    cms = CMS_sign(NULL, NULL, certs, NULL, CMS_BINARY | CMS_PARTIAL);
    /* The signer added by hand, for two reasons of cost (a fifth of a Full request's
     * response time, perf): the digest is the one fetched at load rather than looked up
     * per response, and CMS_NOSMIMECAP leaves out the SMIMECapabilities attribute, which
     * lists S/MIME ciphers for mail replies and means nothing to a CMC client. The signed
     * attributes RFC 5652 §5.3 requires (contentType, messageDigest) and signingTime stay.
     * CMS_sign ignores a failure to allocate the eContent (OpenSSL 3.0 CMS_sign_ex calls
     * CMS_set_detached(cms, 0) unchecked): without that check the response would go out
     * detached, its PKIResponse missing. */
    if (cms == NULL
        || CMS_add1_signer(cms, t->srv->ca->resp_cert, t->srv->ca->resp_key, t->srv->ca->resp_md,
                           CMS_BINARY | CMS_NOSMIMECAP) == NULL
        || CMS_set_detached(cms, 0) != 1
        || CMS_set1_eContentType(cms, cmc_oid_get0(CMC_OID_CCT_PKIRESPONSE)) != 1
        || CMS_final(cms, in, NULL, CMS_BINARY) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "sign the Full PKI Response");
        goto out;
    }
    if ((rv = to_der(cms, der, len)) == CMC_OK && (rv = add_issued_certs(t, der, len)) != CMC_OK) {
        OPENSSL_free(*der);
        *der = NULL;
        *len = 0;
    }
out:
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    OPENSSL_free(body);
    sk_X509_free(certs);
    CMC_PKIRESPONSE_free(r);
    return rv;
}
