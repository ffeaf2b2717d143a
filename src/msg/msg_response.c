/* SPDX-License-Identifier: Apache-2.0 */
/* Checks and reads Simple and Full PKI Responses on the client side (rfc5272bis §4):
 * signature, transaction and nonce echo, status controls, and the issued certificate. */
#include "msg/msg_local.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/x509_vfy.h>

#include "asn1/asn1_local.h"

/* A response has a handful of status controls; refuse to allocate for thousands. */
#define MAX_STATUS_REPORTS 64
#define MAX_BODY_LIST 64

/* What the controls of one PKIResponse said about the transaction (rfc5272bis §6.6). */
struct echo {
    int tid_seen, tid_ok;
    int nonce_seen, nonce_ok;
};

void cmc_enroll_result_free(struct cmc_enroll_result *res)
{
    if (res == NULL)
        return;
    X509_free(res->cert);
    sk_X509_pop_free(res->chain, X509_free);
    for (size_t i = 0; i < res->status_count; i++) {
        OPENSSL_free(res->statuses[i].status_string);
        OPENSSL_free(res->statuses[i].body_list);
    }
    OPENSSL_free(res->statuses);
    OPENSSL_free(res);
}

static cmc_err copy_utf8(const ASN1_UTF8STRING *s, char **out)
{
    *out = NULL;
    if (s == NULL)
        return CMC_OK;
    *out = OPENSSL_strndup((const char *)ASN1_STRING_get0_data(s),
                           (size_t)ASN1_STRING_length(s));
    CMC_ENSURE(*out != NULL, CMC_ERR_NOMEM, "statusString");
    return CMC_OK;
}

static cmc_err add_body(struct cmc_status_report *r, const ASN1_INTEGER *a)
{
    uint32_t id;

    CMC_ENSURE(r->body_count < MAX_BODY_LIST, CMC_ERR_LIMIT, "bodyList too long");
    CMC_GUARD(cmc_body_part_id_get(a, &id));
    r->body_list[r->body_count++] = id;
    return CMC_OK;
}

/* CMCStatusInfoV2 (rfc5272bis §6.1.1) into @p r. */
static cmc_err read_status_v2(const CMC_STATUS_INFO_V2 *si, struct cmc_status_report *r)
{
    int n = sk_CMC_BODY_PART_REFERENCE_num(si->bodyList);

    r->version = 2;
    r->status = ASN1_INTEGER_get(si->cMCStatus);
    r->status_name = cmc_status_name(r->status);
    r->fail_info = -1;
    CMC_ENSURE(n > 0, CMC_ERR_DECODE, "statusInfoV2 with an empty bodyList");
    CMC_ENSURE(n <= MAX_BODY_LIST, CMC_ERR_LIMIT, "bodyList too long");
    r->body_list = OPENSSL_zalloc(sizeof(uint32_t) * (size_t)n);
    CMC_ENSURE(r->body_list != NULL, CMC_ERR_NOMEM, "bodyList");
    for (int i = 0; i < n; i++) {
        const CMC_BODY_PART_REFERENCE *ref = sk_CMC_BODY_PART_REFERENCE_value(si->bodyList, i);

        if (ref->type == CMC_BODY_PART_REFERENCE_ID) {
            CMC_GUARD(add_body(r, ref->value.bodyPartID));
        } else {
            /* A path names a body part inside nested PKIData; its last element is the
             * ID within the innermost layer, which is what a user can relate to. */
            int k = sk_ASN1_INTEGER_num(ref->value.bodyPartPath);

            CMC_ENSURE(k > 0, CMC_ERR_DECODE, "empty bodyPartPath");
            CMC_GUARD(add_body(r, sk_ASN1_INTEGER_value(ref->value.bodyPartPath, k - 1)));
        }
    }
    CMC_GUARD(copy_utf8(si->statusString, &r->status_string));
    if (si->otherInfo != NULL) {
        if (si->otherInfo->type == CMC_OTHER_STATUS_INFO_FAIL)
            r->fail_info = ASN1_INTEGER_get(si->otherInfo->value.failInfo);
        else if (si->otherInfo->type == CMC_OTHER_STATUS_INFO_EXTENDED)
            /* rfc5274bis: extended fail info we do not understand may be read as
             * internalCAError. */
            r->fail_info = CMC_FAIL_INTERNAL_CA_ERROR;
    }
    if (r->fail_info >= 0)
        r->fail_info_name = cmc_fail_info_name(r->fail_info);
    return CMC_OK;
}

/* CMCStatusInfo, the RFC 2797 form servers may add (rfc5272bis §6.1.2). */
static cmc_err read_status_v1(const CMC_STATUS_INFO *si, struct cmc_status_report *r)
{
    int n = sk_ASN1_INTEGER_num(si->bodyList);

    r->version = 1;
    r->status = ASN1_INTEGER_get(si->cMCStatus);
    r->status_name = cmc_status_name(r->status);
    r->fail_info = -1;
    CMC_ENSURE(n > 0, CMC_ERR_DECODE, "statusInfo with an empty bodyList");
    CMC_ENSURE(n <= MAX_BODY_LIST, CMC_ERR_LIMIT, "bodyList too long");
    r->body_list = OPENSSL_zalloc(sizeof(uint32_t) * (size_t)n);
    CMC_ENSURE(r->body_list != NULL, CMC_ERR_NOMEM, "bodyList");
    for (int i = 0; i < n; i++)
        CMC_GUARD(add_body(r, sk_ASN1_INTEGER_value(si->bodyList, i)));
    CMC_GUARD(copy_utf8(si->statusString, &r->status_string));
    if (si->otherInfo != NULL && si->otherInfo->type == CMC_OTHER_INFO_FAIL) {
        r->fail_info = ASN1_INTEGER_get(si->otherInfo->value.failInfo);
        r->fail_info_name = cmc_fail_info_name(r->fail_info);
    }
    return CMC_OK;
}

static cmc_err read_status(struct cmc_enroll_result *res, int version, const ASN1_TYPE *t)
{
    struct cmc_status_report *r;
    cmc_err rv;

    CMC_ENSURE(res->status_count < MAX_STATUS_REPORTS, CMC_ERR_LIMIT,
               "too many status controls");
    CMC_ENSURE(t->type == V_ASN1_SEQUENCE, CMC_ERR_DECODE, "status control is not a SEQUENCE");
    r = &res->statuses[res->status_count];
    memset(r, 0, sizeof(*r));
    /* Counted before it is filled so cmc_enroll_result_free releases a half-read one. */
    res->status_count++;
    if (version == 2) {
        CMC_STATUS_INFO_V2 *si = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(CMC_STATUS_INFO_V2), t);

        CMC_ENSURE(si != NULL, CMC_ERR_DECODE, "malformed statusInfoV2");
        rv = read_status_v2(si, r);
        CMC_STATUS_INFO_V2_free(si);
    } else {
        CMC_STATUS_INFO *si = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(CMC_STATUS_INFO), t);

        CMC_ENSURE(si != NULL, CMC_ERR_DECODE, "malformed statusInfo");
        rv = read_status_v1(si, r);
        CMC_STATUS_INFO_free(si);
    }
    return rv;
}

/* Walk the controlSequence: statuses into @p res, transactionId and recipientNonce checked
 * against @p req. Other controls a client does not act on are ignored (rfc5272bis §3.2.1.1:
 * controls are unordered and only the final server must understand them all). */
static cmc_err read_controls(const struct cmc_client_req *req, const CMC_PKIRESPONSE *pr,
                             struct cmc_enroll_result *res, struct echo *echo)
{
    int n = sk_CMC_TAGGED_ATTRIBUTE_num(pr->controlSequence);

    CMC_ENSURE(n <= MAX_STATUS_REPORTS * 2, CMC_ERR_LIMIT, "too many controls (%d)", n);
    res->statuses = OPENSSL_zalloc(sizeof(*res->statuses) * MAX_STATUS_REPORTS);
    CMC_ENSURE(res->statuses != NULL, CMC_ERR_NOMEM, "statuses");
    for (int i = 0; i < n; i++) {
        const CMC_TAGGED_ATTRIBUTE *ta = sk_CMC_TAGGED_ATTRIBUTE_value(pr->controlSequence, i);
        int ctrl = cmc_oid_control_num(ta->attrType);

        for (int j = 0; j < sk_ASN1_TYPE_num(ta->attrValues); j++) {
            const ASN1_TYPE *t = sk_ASN1_TYPE_value(ta->attrValues, j);

            switch (ctrl) {
            case CMC_CTRL_STATUS_INFO_V2:
                CMC_GUARD(read_status(res, 2, t));
                break;
            case CMC_CTRL_STATUS_INFO:
                CMC_GUARD(read_status(res, 1, t));
                break;
            case CMC_CTRL_TRANSACTION_ID:
                CMC_ENSURE(t->type == V_ASN1_INTEGER, CMC_ERR_DECODE,
                           "transactionId is not an INTEGER");
                echo->tid_seen = 1;
                echo->tid_ok = req->tid != NULL
                               && ASN1_INTEGER_cmp(t->value.integer, req->tid) == 0;
                break;
            case CMC_CTRL_RECIPIENT_NONCE:
                CMC_ENSURE(t->type == V_ASN1_OCTET_STRING, CMC_ERR_DECODE,
                           "recipientNonce is not an OCTET STRING");
                echo->nonce_seen = 1;
                echo->nonce_ok = ASN1_STRING_length(t->value.octet_string) == CMCI_NONCE_LEN
                                 && CRYPTO_memcmp(ASN1_STRING_get0_data(t->value.octet_string),
                                                  req->nonce, CMCI_NONCE_LEN) == 0;
                break;
            default:
                break;
            }
        }
    }
    return CMC_OK;
}

/* The summary status: the first that is not success; success when there is none
 * (rfc5272bis §6.1: no status control at all means success). */
static void summarise(struct cmc_enroll_result *res)
{
    res->status = CMC_STATUS_SUCCESS;
    res->fail_info = -1;
    for (size_t i = 0; i < res->status_count; i++) {
        const struct cmc_status_report *r = &res->statuses[i];

        if (r->status != CMC_STATUS_SUCCESS) {
            res->status = r->status;
            res->fail_info = r->fail_info;
            res->fail_info_name = r->fail_info_name;
            res->status_string = r->status_string;
            break;
        }
    }
    res->status_name = cmc_status_name(res->status);
}

/* One table from the server's verdict to our error code (see cmc/client.h). */
static cmc_err map_status(long status, long fail_info)
{
    switch (status) {
    case CMC_STATUS_SUCCESS: return CMC_OK;
    case CMC_STATUS_PENDING:
    case CMC_STATUS_PARTIAL: return CMC_ERR_PENDING;
    case CMC_STATUS_NO_SUPPORT: return CMC_ERR_UNSUPPORTED;
    case CMC_STATUS_POP_REQUIRED: return CMC_ERR_BAD_POP;
    default: break;
    }
    switch (fail_info) {
    case CMC_FAIL_BAD_ALG: return CMC_ERR_BAD_ALG;
    case CMC_FAIL_BAD_MESSAGE_CHECK: return CMC_ERR_BAD_MESSAGE_CHECK;
    case CMC_FAIL_BAD_TIME: return CMC_ERR_BAD_TIME;
    case CMC_FAIL_BAD_CERT_ID: return CMC_ERR_BAD_CERT_ID;
    case CMC_FAIL_UNSUPPORTED_EXT: return CMC_ERR_UNSUPPORTED_EXT;
    case CMC_FAIL_BAD_IDENTITY:
    case CMC_FAIL_AUTH_DATA_FAIL: return CMC_ERR_NOT_AUTHORIZED;
    case CMC_FAIL_POP_REQUIRED:
    case CMC_FAIL_POP_FAILED: return CMC_ERR_BAD_POP;
    case CMC_FAIL_TRY_LATER: return CMC_ERR_PENDING;
    default: return CMC_ERR_BAD_REQUEST;
    }
}

/* The issued certificate is the bag certificate with our public key; it must chain to the
 * CA certificate, with the other bag certificates as untrusted intermediates (rfc5272bis
 * §4: clients must not assume an order, nor trust a self-signed certificate in the bag). */
static cmc_err find_cert(const struct cmc_client_req *req, X509 *ca, STACK_OF(X509) *bag,
                         struct cmc_enroll_result *res)
{
    X509_STORE *store = NULL;
    X509_STORE_CTX *ctx = NULL;
    STACK_OF(X509) *chain = NULL;
    X509 *leaf = NULL;
    cmc_err rv = CMC_OK;

    for (int i = 0; i < sk_X509_num(bag); i++) {
        X509 *c = sk_X509_value(bag, i);
        EVP_PKEY *pk = X509_get0_pubkey(c);

        if (pk != NULL && EVP_PKEY_eq(pk, req->key) == 1) {
            leaf = c;
            break;
        }
    }
    if (leaf == NULL)
        return cmci_fail(CMC_ERR_VERIFY, "the response holds no certificate for our key");

    if ((store = X509_STORE_new()) == NULL || (ctx = X509_STORE_CTX_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "verify store");
        goto err;
    }
    /* PARTIAL_CHAIN: the given CA certificate is the trust anchor even when it is an
     * intermediate CA. */
    if (X509_STORE_add_cert(store, ca) != 1
        || X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) != 1
        || X509_STORE_CTX_init(ctx, store, leaf, bag) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "verify store");
        goto err;
    }
    if (X509_verify_cert(ctx) != 1) {
        rv = cmci_fail(CMC_ERR_VERIFY, "issued certificate does not chain to the CA: %s",
                       X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
        goto err;
    }
    if ((chain = X509_STORE_CTX_get1_chain(ctx)) == NULL || X509_up_ref(leaf) != 1) {
        rv = cmci_fail(CMC_ERR_NOMEM, "chain");
        goto err;
    }
    X509_free(sk_X509_shift(chain)); /* the leaf itself */
    res->cert = leaf;
    res->chain = chain;
    chain = NULL;
err:
    sk_X509_pop_free(chain, X509_free);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return rv;
}

/* Verify the CA's signature over the PKIResponse and return the content (rfc5272bis §4.2;
 * a signature failure is the client's badMessageCheck). */
static cmc_err verify_full(CMS_ContentInfo *cms, X509 *ca, uint8_t **content,
                           size_t *content_len)
{
    X509_STORE *store = NULL;
    BIO *out = NULL;
    BUF_MEM *bm = NULL;
    cmc_err rv = CMC_OK;

    *content = NULL;
    if ((store = X509_STORE_new()) == NULL || (out = BIO_new(BIO_s_mem())) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "verify");
        goto err;
    }
    /* S/MIME purpose checks would refuse a CA certificate with only id-kp-cmcCA (RFC 6402)
     * in its EKU; the CA certificate the user gave is what authorises the signer here. */
    if (X509_STORE_add_cert(store, ca) != 1
        || X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) != 1
        || X509_STORE_set_purpose(store, X509_PURPOSE_ANY) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "verify store");
        goto err;
    }
    if (CMS_verify(cms, NULL, store, NULL, out, CMS_BINARY) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_VERIFY, "the response signature does not verify against "
                                            "the CA certificate");
        goto err;
    }
    BIO_get_mem_ptr(out, &bm);
    if (bm == NULL || bm->length == 0) {
        rv = cmci_fail(CMC_ERR_DECODE, "the response has no PKIResponse");
        goto err;
    }
    if ((*content = OPENSSL_memdup(bm->data, bm->length)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "content");
        goto err;
    }
    *content_len = bm->length;
err:
    BIO_free(out);
    X509_STORE_free(store);
    return rv;
}

static cmc_err read_full(const struct cmc_client_req *req, CMS_ContentInfo *cms, X509 *ca,
                         struct cmc_enroll_result *res)
{
    CMC_PKIRESPONSE *pr = NULL;
    uint8_t *content = NULL;
    size_t content_len = 0;
    const unsigned char *p;
    struct echo echo = {0};
    cmc_err rv;

    if (OBJ_cmp(CMS_get0_eContentType(cms), cmc_oid_get0(CMC_OID_CCT_PKIRESPONSE)) != 0)
        return cmci_fail(CMC_ERR_DECODE, "signed content is not id-cct-PKIResponse");
    if ((rv = verify_full(cms, ca, &content, &content_len)) != CMC_OK)
        goto err;
    p = content;
    if ((pr = d2i_CMC_PKIRESPONSE(NULL, &p, (long)content_len)) == NULL
        || p != content + content_len) {
        rv = cmci_fail_ossl(CMC_ERR_DECODE, "malformed PKIResponse");
        goto err;
    }
    if ((rv = read_controls(req, pr, res, &echo)) != CMC_OK)
        goto err;
    summarise(res);
    /* rfc5272bis §6.6: the server echoes the transactionId and returns our senderNonce as
     * recipientNonce. A wrong value is always a replay or a mix-up; a missing one is
     * tolerated only on a failure, which a server may send before it has read our
     * controls (e.g. badMessageCheck). */
    if (req->full && ((echo.tid_seen && !echo.tid_ok) || (echo.nonce_seen && !echo.nonce_ok))) {
        rv = cmci_fail(CMC_ERR_REPLAY, "the response is for another transaction (%s)",
                       echo.tid_seen && !echo.tid_ok ? "transactionId" : "recipientNonce");
        goto err;
    }
    if (req->full && res->status == CMC_STATUS_SUCCESS && (!echo.tid_seen || !echo.nonce_seen)) {
        rv = cmci_fail(CMC_ERR_REPLAY, "the response does not echo our %s",
                       !echo.tid_seen ? "transactionId" : "senderNonce");
        goto err;
    }
err:
    CMC_PKIRESPONSE_free(pr);
    OPENSSL_free(content);
    return rv;
}

cmc_err cmc_client_parse_response(const struct cmc_client_req *req, X509 *ca_cert,
                                  const uint8_t *der, size_t len,
                                  struct cmc_enroll_result **out)
{
    CMS_ContentInfo *cms = NULL;
    STACK_OF(X509) *bag = NULL;
    struct cmc_enroll_result *res = NULL;
    const unsigned char *p = der;
    cmc_err rv;

    CMC_ENSURE_REF(out);
    *out = NULL;
    CMC_ENSURE_REF(req);
    CMC_ENSURE_REF(ca_cert);
    CMC_ENSURE(der != NULL && len > 0, CMC_ERR_DECODE, "empty response");
    CMC_ENSURE(len <= CMC_CLIENT_MAX_RESPONSE, CMC_ERR_LIMIT, "response too large");

    if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) == NULL || p != der + len) {
        rv = cmci_fail_ossl(CMC_ERR_DECODE, "the response is not one DER ContentInfo");
        goto err;
    }
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        rv = cmci_fail(CMC_ERR_DECODE, "the response is not SignedData");
        goto err;
    }
    if ((res = OPENSSL_zalloc(sizeof(*res))) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "result");
        goto err;
    }
    if (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) == 0) {
        /* Simple PKI Response (rfc5272bis §4.1): certs-only, nothing signed, so the only
         * thing to check is the certificate's own chain below. */
        summarise(res);
    } else {
        res->full_response = 1;
        if ((rv = read_full(req, cms, ca_cert, res)) != CMC_OK)
            goto err;
    }
    if (res->status != CMC_STATUS_SUCCESS) {
        rv = map_status(res->status, res->fail_info);
        cmci_fail(rv, "enrollment failed: status %s%s%s%s%s", res->status_name,
                  res->fail_info_name ? ", failInfo " : "",
                  res->fail_info_name ? res->fail_info_name : "",
                  res->status_string ? ": " : "", res->status_string ? res->status_string : "");
        *out = res;
        res = NULL;
        goto err;
    }
    if ((bag = CMS_get1_certs(cms)) == NULL) {
        rv = cmci_fail(CMC_ERR_VERIFY, "the response holds no certificates");
        goto err;
    }
    if ((rv = find_cert(req, ca_cert, bag, res)) != CMC_OK)
        goto err;
    *out = res;
    res = NULL;
    rv = CMC_OK;
err:
    sk_X509_pop_free(bag, X509_free);
    cmc_enroll_result_free(res);
    CMS_ContentInfo_free(cms);
    return rv;
}
