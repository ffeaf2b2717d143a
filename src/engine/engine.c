/* SPDX-License-Identifier: Apache-2.0 */
/* The server pipeline (rfc5272bis §3-§4): bytes in, response bytes out, no I/O.
 * Full PKI Request: ContentInfo -> SignedData -> PKIData -> structural checks (limits,
 * unique body part IDs, nesting) -> wrapper signature -> controls -> requests -> response. */
#include "engine/engine_local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "core/core_log.h"

#define CT_CERTS_ONLY "application/pkcs7-mime; smime-type=certs-only"
#define CT_CMC_RESPONSE "application/pkcs7-mime; smime-type=CMC-response"

/* How long a reload waits for requests still using the configuration it replaces. Requests
 * take milliseconds; one that takes longer only delays the freeing of the old one. */
#define RELOAD_DRAIN_MS 5000

static struct cmci_ca *current_ca(const struct cmc_server_ctx *ctx)
{
    unsigned long g = atomic_load((atomic_ulong *)&ctx->gen);
    return atomic_load((_Atomic(struct cmci_ca *) *)&ctx->slot[g & 1]);
}

/*
 * Take the current configuration for one request (see struct cmc_server_ctx). The count
 * goes up before gen is read again: if gen did not move in between, a reload that replaces
 * this slot later must see our count (all seq_cst) and waits for snapshot_release.
 */
static struct cmci_ca *snapshot_take(struct cmc_server_ctx *ctx, unsigned *slot)
{
    for (;;) {
        unsigned long g = atomic_load(&ctx->gen);
        unsigned s = (unsigned)(g & 1);

        atomic_fetch_add(&ctx->readers[s], 1);
        if (atomic_load(&ctx->gen) == g) {
            *slot = s;
            return atomic_load(&ctx->slot[s]);
        }
        atomic_fetch_sub(&ctx->readers[s], 1); /* a reload slipped in: take the new one */
    }
}

static void snapshot_release(struct cmc_server_ctx *ctx, unsigned slot)
{
    atomic_fetch_sub(&ctx->readers[slot], 1);
}

/* Wait up to RELOAD_DRAIN_MS for the requests using slot @p s to end. */
static int slot_drain(struct cmc_server_ctx *ctx, unsigned s)
{
    const struct timespec tick = {0, 1000000L};

    for (int i = 0; i < RELOAD_DRAIN_MS; i++) {
        if (atomic_load(&ctx->readers[s]) == 0)
            return 1;
        nanosleep(&tick, NULL);
    }
    return atomic_load(&ctx->readers[s]) == 0;
}

cmc_err cmc_server_ctx_new_from_config(struct cmc_server_ctx **out, const char *config_path)
{
    struct cmc_server_ctx *ctx;
    struct cmci_ca *ca = NULL;
    cmc_err rv;

    *out = NULL;
    if ((ctx = OPENSSL_zalloc(sizeof(*ctx))) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "server ctx");
    if (pthread_mutex_init(&ctx->reload_lock, NULL) != 0) {
        OPENSSL_free(ctx);
        return cmci_fail(CMC_ERR_INTERNAL, "server ctx: mutex");
    }
    atomic_init(&ctx->gen, 0);
    atomic_init(&ctx->readers[0], 0);
    atomic_init(&ctx->readers[1], 0);
    atomic_init(&ctx->slot[1], NULL);
    if ((ctx->config_path = OPENSSL_strdup(config_path)) == NULL)
        rv = cmci_fail(CMC_ERR_NOMEM, "server ctx");
    else if ((rv = cmci_key_pool_new(&ctx->keys)) == CMC_OK)
        rv = cmci_ca_load(&ca, config_path);
    atomic_init(&ctx->slot[0], ca);
    if (rv != CMC_OK) {
        cmc_server_ctx_free(ctx);
        return rv;
    }
    /* The store outlives every configuration: the server owns it from now on. */
    ctx->store = ca->store;
    ca->store_borrowed = 1;
    cmci_log_set_level((enum cmc_log_level)ca->log_level);
    *out = ctx;
    return CMC_OK;
}

cmc_err cmc_server_ctx_reload(struct cmc_server_ctx *ctx)
{
    struct cmci_ca *ca = NULL, *old;
    unsigned long g;
    unsigned next;
    cmc_err rv;

    CMC_ENSURE_REF(ctx);
    pthread_mutex_lock(&ctx->reload_lock);
    g = atomic_load(&ctx->gen);
    next = (unsigned)((g + 1) & 1);
    /* The slot to fill may still hold the configuration before the last one, if a
     * request kept it past the last reload's wait. */
    if (atomic_load(&ctx->slot[next]) != NULL) {
        if (!slot_drain(ctx, next)) {
            rv = cmci_fail(CMC_ERR_INTERNAL, "requests started before the previous reload "
                                             "are still running; try again later");
            goto out;
        }
        cmci_ca_free(atomic_load(&ctx->slot[next]));
        atomic_store(&ctx->slot[next], NULL);
    }
    if ((rv = cmci_ca_load_ex(&ca, ctx->config_path, ctx->store)) != CMC_OK)
        goto out; /* the current configuration stays; the error record says why */
    atomic_store(&ctx->slot[next], ca);
    atomic_store(&ctx->gen, g + 1); /* requests from now on take the new one */
    cmci_log_set_level((enum cmc_log_level)ca->log_level);
    old = atomic_load(&ctx->slot[g & 1]);
    if (slot_drain(ctx, (unsigned)(g & 1))) {
        atomic_store(&ctx->slot[g & 1], NULL);
        cmci_ca_free(old);
    } /* else freed by the next reload or by cmc_server_ctx_free */
out:
    pthread_mutex_unlock(&ctx->reload_lock);
    return rv;
}

void cmc_server_ctx_free(struct cmc_server_ctx *ctx)
{
    if (ctx == NULL)
        return;
    cmci_ca_free(atomic_load(&ctx->slot[0]));
    cmci_ca_free(atomic_load(&ctx->slot[1]));
    cmc_store_free(ctx->store);
    cmci_key_pool_free(ctx->keys);
    pthread_mutex_destroy(&ctx->reload_lock);
    OPENSSL_free(ctx->config_path);
    OPENSSL_free(ctx);
}

const char *cmc_server_ctx_get0_listen(const struct cmc_server_ctx *ctx) { return current_ca(ctx)->listen; }
const char *cmc_server_ctx_get0_path(const struct cmc_server_ctx *ctx) { return current_ca(ctx)->path; }
const char *cmc_server_ctx_get0_database(const struct cmc_server_ctx *ctx) { return current_ca(ctx)->database; }
unsigned cmc_server_ctx_get_threads(const struct cmc_server_ctx *ctx) { return current_ca(ctx)->threads; }
size_t cmc_server_ctx_get_max_body(const struct cmc_server_ctx *ctx) { return current_ca(ctx)->limits.max_body; }
unsigned cmc_server_ctx_get_conn_timeout(const struct cmc_server_ctx *ctx) { return current_ca(ctx)->conn_timeout; }
unsigned cmc_server_ctx_get_request_timeout(const struct cmc_server_ctx *ctx) { return current_ca(ctx)->request_timeout; }
unsigned cmc_server_ctx_get_max_connections(const struct cmc_server_ctx *ctx) { return current_ca(ctx)->max_connections; }
unsigned cmc_server_ctx_get_max_connections_per_ip(const struct cmc_server_ctx *ctx) { return current_ca(ctx)->max_conn_per_ip; }

void cmc_server_answer_clear(struct cmc_server_answer *ans)
{
    OPENSSL_free(ans->body);
    memset(ans, 0, sizeof(*ans));
}

static void txn_free(struct cmci_txn *t)
{
    CMS_ContentInfo_free(t->cms);
    CMC_PKIDATA_free(t->pkidata);
    CMC_P10_free(t->simple);
    for (size_t i = 0; i < t->n_issued_ids; i++)
        OPENSSL_free(t->issued[i].der);
    OPENSSL_free(t->statuses);
}

/* Whole-message failure: one status naming body part 0, "this PKIData" (rfc5272bis §3.2). */
static cmc_err fail_whole(struct cmci_txn *t, cmc_err code)
{
    uint32_t zero = 0;
    char buf[200];
    return cmci_txn_status(t, code, &zero, 1, "%s", cmci_error_public_text(buf, sizeof(buf)));
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Limits and unique body part IDs (rfc5272bis §3.2.1: IDs are unique within one PKIData;
 * duplicates fail the whole PKIData with badRequest and bodyList {0}). */
static cmc_err check_structure(const struct cmci_txn *t, const CMC_PKIDATA *pd)
{
    const struct cmci_limits *lim = &t->srv->ca->limits;
    int nc = sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence);
    int nr = sk_CMC_TAGGED_REQUEST_num(pd->reqSequence);
    int nm = sk_CMC_TAGGED_CONTENT_INFO_num(pd->cmsSequence);
    int no = sk_CMC_OTHER_MSG_num(pd->otherMsgSequence);
    uint32_t *ids;
    size_t n = 0;
    cmc_err rv = CMC_OK;

    CMC_ENSURE(nc >= 0 && nr >= 0 && nm >= 0 && no >= 0, CMC_ERR_BAD_REQUEST, "malformed PKIData");
    CMC_ENSURE((unsigned)nc <= lim->max_controls, CMC_ERR_LIMIT,
               "%d controls: this server accepts at most %u", nc, lim->max_controls);
    CMC_ENSURE((unsigned)(nr + nm + no) <= lim->max_body_parts, CMC_ERR_LIMIT,
               "%d body parts: this server accepts at most %u", nr + nm + no, lim->max_body_parts);
    if ((ids = OPENSSL_malloc(sizeof(*ids) * (size_t)(nc + nr + nm + no + 1))) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "ids");
    for (int i = 0; i < nc && rv == CMC_OK; i++)
        rv = cmc_body_part_id_get(sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, i)->bodyPartID,
                                  &ids[n++]);
    for (int i = 0; i < nr && rv == CMC_OK; i++) {
        const CMC_TAGGED_REQUEST *r = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, i);
        const ASN1_INTEGER *b = r->type == CMC_TAGGED_REQUEST_TCR ? r->value.tcr->bodyPartID
                              : r->type == CMC_TAGGED_REQUEST_CRM ? r->value.crm->certReq->certReqId
                                                                  : r->value.orm->bodyPartID;
        rv = cmc_body_part_id_get(b, &ids[n++]);
    }
    for (int i = 0; i < nm && rv == CMC_OK; i++)
        rv = cmc_body_part_id_get(sk_CMC_TAGGED_CONTENT_INFO_value(pd->cmsSequence, i)->bodyPartID,
                                  &ids[n++]);
    for (int i = 0; i < no && rv == CMC_OK; i++)
        rv = cmc_body_part_id_get(sk_CMC_OTHER_MSG_value(pd->otherMsgSequence, i)->bodyPartID,
                                  &ids[n++]);
    if (rv != CMC_OK) {
        OPENSSL_free(ids);
        CMC_BAIL(CMC_ERR_BAD_REQUEST, "a bodyPartID is outside 0..4294967295");
    }
    qsort(ids, n, sizeof(*ids), cmp_u32);
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == 0)
            rv = cmci_fail(CMC_ERR_BAD_REQUEST, "bodyPartID 0 is reserved for the PKIData itself");
        else if (i > 0 && ids[i] == ids[i - 1])
            rv = cmci_fail(CMC_ERR_BAD_REQUEST, "bodyPartID %u is used more than once", ids[i]);
        if (rv != CMC_OK)
            break;
    }
    OPENSSL_free(ids);
    return rv;
}

/* Parse a DER ContentInfo and insist that nothing follows it. DER only: d2i also takes
 * BER (indefinite or long-form lengths, segmented strings), which rfc5272bis's DER-encoded
 * messages and docs/internals/transport.md do not allow. Returns CMC_ERR_DECODE with the
 * error record naming @p what and the problem when the bytes are not DER, CMC_ERR_BAD_REQUEST
 * (record not set) when they are DER but not one ContentInfo. Ownership: *out is new. */
static cmc_err cms_exact(const char *what, const uint8_t *der, size_t len,
                         CMS_ContentInfo **out)
{
    const unsigned char *p = der;

    *out = NULL;
    if (len == 0 || len > LONG_MAX)
        return CMC_ERR_BAD_REQUEST;
    CMC_GUARD(cmci_der_check(what, der, len));
    *out = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    if (*out != NULL && p != der + len) {
        CMS_ContentInfo_free(*out);
        *out = NULL;
    }
    return *out != NULL ? CMC_OK : CMC_ERR_BAD_REQUEST;
}

/* Decode the PKIData a SignedData carries. Ownership: new. */
static cmc_err open_pkidata(CMS_ContentInfo *cms, CMC_PKIDATA **out)
{
    ASN1_OCTET_STRING **pos;
    const unsigned char *p;

    *out = NULL;
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        int nid = OBJ_obj2nid(CMS_get0_type(cms));
        if (nid == NID_pkcs7_enveloped || nid == NID_id_smime_ct_authEnvelopedData
            || nid == NID_id_smime_ct_authData)
            CMC_BAIL(CMC_ERR_UNSUPPORTED, "%s wrappers are not supported by this server yet",
                     OBJ_nid2sn(nid));
        CMC_BAIL(CMC_ERR_BAD_REQUEST, "a Full PKI Request is a SignedData, not %s",
                 nid != NID_undef ? OBJ_nid2sn(nid) : "an unknown content type");
    }
    CMC_ENSURE(OBJ_cmp(CMS_get0_eContentType(cms), cmc_oid_get0(CMC_OID_CCT_PKIDATA)) == 0,
               CMC_ERR_BAD_REQUEST, "the SignedData does not carry id-cct-PKIData");
    pos = CMS_get0_content(cms);
    CMC_ENSURE(pos != NULL && *pos != NULL, CMC_ERR_BAD_REQUEST, "the SignedData has no content");
    CMC_ENSURE((*pos)->length > 0, CMC_ERR_BAD_REQUEST, "the PKIData is empty");
    if (cmci_der_check("the PKIData", (*pos)->data, (size_t)(*pos)->length) != CMC_OK)
        return CMC_ERR_BAD_REQUEST; /* the error record names the problem */
    p = (*pos)->data;
    *out = d2i_CMC_PKIDATA(NULL, &p, (*pos)->length);
    if (*out != NULL && p != (*pos)->data + (*pos)->length) {
        CMC_PKIDATA_free(*out);
        *out = NULL;
    }
    CMC_ENSURE(*out != NULL, CMC_ERR_BAD_REQUEST, "the PKIData does not decode");
    ERR_clear_error();
    return CMC_OK;
}

/* Nested PKIData in cmsSequence (RA wrapping, rfc5272bis §3.2.1.3.3) must not nest deeper
 * than max_nesting; each nested layer obeys the same structural rules. This bounds the work
 * a single message can cause before any of it is processed. */
static cmc_err check_nesting(const struct cmci_txn *t, const CMC_PKIDATA *pd, unsigned depth)
{
    for (int i = 0; i < sk_CMC_TAGGED_CONTENT_INFO_num(pd->cmsSequence); i++) {
        const ASN1_TYPE *ci = sk_CMC_TAGGED_CONTENT_INFO_value(pd->cmsSequence, i)->contentInfo;
        CMS_ContentInfo *cms;
        CMC_PKIDATA *inner = NULL;
        cmc_err rv;

        if (ci == NULL || ASN1_TYPE_get(ci) != V_ASN1_SEQUENCE)
            CMC_BAIL(CMC_ERR_BAD_REQUEST, "a cmsSequence item is not a ContentInfo");
        rv = cms_exact("a cmsSequence item", ci->value.sequence->data,
                       (size_t)ci->value.sequence->length, &cms);
        if (rv == CMC_ERR_DECODE)
            return CMC_ERR_BAD_REQUEST; /* not DER: the error record says where */
        if (rv != CMC_OK)
            CMC_BAIL(CMC_ERR_BAD_REQUEST, "a cmsSequence item does not decode as a ContentInfo");
        if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed
            || OBJ_cmp(CMS_get0_eContentType(cms), cmc_oid_get0(CMC_OID_CCT_PKIDATA)) != 0) {
            CMS_ContentInfo_free(cms);
            continue;
        }
        if (depth + 1 > t->srv->ca->limits.max_nesting) {
            CMS_ContentInfo_free(cms);
            CMC_BAIL(CMC_ERR_LIMIT, "nested PKIData deeper than %u levels",
                     t->srv->ca->limits.max_nesting);
        }
        rv = open_pkidata(cms, &inner);
        if (rv == CMC_OK)
            rv = check_structure(t, inner);
        if (rv == CMC_OK)
            rv = check_nesting(t, inner, depth + 1);
        CMC_PKIDATA_free(inner);
        CMS_ContentInfo_free(cms);
        CMC_GUARD(rv);
    }
    return CMC_OK;
}

/*
 * A whole-message failure still answers with what the request asked to have echoed
 * (rfc5272bis §6.4 dataReturn, §6.6 transactionId and senderNonce as recipientNonce: both
 * unconditional), so that the client can match the failure to its request. It is echoed
 * whenever the PKIData decoded: over limits, duplicate or reserved bodyPartIDs, nesting,
 * and a wrapper signature that does not verify or a signer that is not trusted. Echoing
 * values from a request whose signature failed asserts nothing about them: the status
 * says badMessageCheck, the values are only copied back, never stored or acted upon, and
 * anyone can already have any values echoed by signing a request with a fresh key of their
 * own. When the ContentInfo or the PKIData does not decode there is nothing to echo.
 */
static void echo_on_whole_failure(struct cmci_txn *t)
{
    cmci_controls_echo(t);
}

static cmc_err process_full(struct cmci_txn *t, const uint8_t *in, size_t len,
                            struct cmc_server_answer *ans)
{
    cmc_err rv;

    if ((rv = cms_exact("request body", in, len, &t->cms)) != CMC_OK) {
        ans->http_status = 400;
        if (rv == CMC_ERR_DECODE)
            cmci_error_public_text(ans->reason, sizeof(ans->reason));
        else
            snprintf(ans->reason, sizeof(ans->reason),
                     "request body is not a DER CMS ContentInfo (Full PKI Request)");
        return CMC_ERR_DECODE;
    }
    ERR_clear_error();
    if ((rv = open_pkidata(t->cms, &t->pkidata)) != CMC_OK
        || (rv = check_structure(t, t->pkidata)) != CMC_OK
        || (rv = check_nesting(t, t->pkidata, 0)) != CMC_OK
        || (rv = cmci_verify_wrapper(t)) != CMC_OK) {
        if (cmc_err_is_fatal(rv))
            return rv;
        if ((rv = fail_whole(t, rv)) == CMC_OK && t->pkidata != NULL)
            echo_on_whole_failure(t);
        return rv;
    }
    if ((rv = cmci_controls_process(t)) != CMC_OK && cmc_err_is_fatal(rv))
        return rv;
    if (rv == CMC_OK || t->skip_requests)
        return cmci_requests_process(t);
    return CMC_OK;
}

static cmc_err process_simple(struct cmci_txn *t, const uint8_t *in, size_t len,
                              struct cmc_server_answer *ans)
{
    const unsigned char *p = in;
    cmc_err rv = CMC_ERR_BAD_REQUEST;

    /* DER only, as for Full requests (cms_exact) */
    if (len > 0 && len <= LONG_MAX && (rv = cmci_der_check("request body", in, len)) == CMC_OK)
        t->simple = d2i_CMC_P10(NULL, &p, (long)len);
    if (t->simple == NULL || p != in + len) {
        ans->http_status = 400;
        if (rv == CMC_ERR_DECODE)
            cmci_error_public_text(ans->reason, sizeof(ans->reason));
        else
            snprintf(ans->reason, sizeof(ans->reason), "request body is not a DER PKCS #10 "
                                                       "CertificationRequest (Simple PKI Request)");
        return CMC_ERR_DECODE;
    }
    ERR_clear_error();
    return cmci_process_simple(t);
}

static void log_line(const struct cmci_txn *t, struct cmc_server_answer *ans, int simple_resp)
{
    const struct cmci_status *bad = NULL;
    for (size_t i = 0; i < t->n_statuses && bad == NULL; i++)
        if (t->statuses[i].status != CMC_STATUS_SUCCESS)
            bad = &t->statuses[i];
    snprintf(ans->log, sizeof(ans->log), "%s %s issued=%zu%s%s%s%s",
             t->kind == CMC_REQUEST_SIMPLE ? "simple" : "full",
             simple_resp ? "certs-only" : "full-response", t->n_issued_ids,
             bad ? " status=" : "", bad ? cmc_status_name(bad->status) : "",
             bad && bad->fail_info >= 0 ? " failInfo=" : "",
             bad && bad->fail_info >= 0 ? cmc_fail_info_name(bad->fail_info) : "");
}

cmc_err cmc_server_process(struct cmc_server_ctx *ctx, enum cmc_request_kind kind,
                           const uint8_t *in, size_t in_len, struct cmc_server_answer *ans)
{
    struct cmci_txn t;
    struct cmci_view view;
    unsigned slot;
    int simple_resp;
    cmc_err rv;

    memset(ans, 0, sizeof(*ans));
    memset(&t, 0, sizeof(t));
    cmc_error_clear();
    view.ca = snapshot_take(ctx, &slot);
    view.keys = ctx->keys;
    t.srv = &view;
    t.kind = kind;

    if (in_len > view.ca->limits.max_body) {
        ans->http_status = 413;
        snprintf(ans->reason, sizeof(ans->reason), "request body larger than %zu bytes",
                 view.ca->limits.max_body);
        snprintf(ans->log, sizeof(ans->log), "refused: %s", ans->reason);
        rv = CMC_OK;
        goto out;
    }
    rv = kind == CMC_REQUEST_SIMPLE ? process_simple(&t, in, in_len, ans)
                                    : process_full(&t, in, in_len, ans);
    if (rv == CMC_ERR_DECODE && ans->http_status == 400) {
        snprintf(ans->log, sizeof(ans->log), "undecodable %s request: %s",
                 kind == CMC_REQUEST_SIMPLE ? "simple" : "full", ans->reason);
        rv = CMC_OK;
        goto out;
    }
    if (rv != CMC_OK)
        goto internal;

    /* A Simple PKI Response when it says everything (rfc5272bis §4.1): everything issued,
     * nothing failed, and nothing to echo. */
    simple_resp = t.n_statuses == 0 && t.n_issued_ids > 0 && t.transaction_id == NULL
                  && t.sender_nonce == NULL && t.n_data_return == 0;
    rv = simple_resp ? cmci_response_simple(&t, &ans->body, &ans->body_len)
                     : cmci_response_full(&t, &ans->body, &ans->body_len);
    if (rv != CMC_OK)
        goto internal;
    ans->http_status = 200;
    ans->content_type = simple_resp ? CT_CERTS_ONLY : CT_CMC_RESPONSE;
    log_line(&t, ans, simple_resp);
    cmci_log_refused(&t);
    goto out;

internal:
    /* The CA could not build an answer (it cannot sign, or memory ran out). Any certificate
     * issued is already recorded; the client may retry. */
    CMC_LOG_ERR("request failed: %s%s%s%s", cmc_error_get0_message(),
                cmci_log_enabled(CMC_LOG_DEBUG) ? " [" : "",
                cmci_log_enabled(CMC_LOG_DEBUG) ? cmc_error_get0_location() : "",
                cmci_log_enabled(CMC_LOG_DEBUG) ? "]" : "");
    OPENSSL_free(ans->body);
    ans->body = NULL;
    ans->http_status = 500;
    snprintf(ans->reason, sizeof(ans->reason), "internal error: the CA could not answer");
    snprintf(ans->log, sizeof(ans->log), "internal error %s", cmc_err_str(rv));
    rv = cmc_err_is_fatal(rv) ? rv : CMC_OK;
out:
    txn_free(&t);
    snapshot_release(ctx, slot);
    return rv;
}
