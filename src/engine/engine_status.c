/* SPDX-License-Identifier: Apache-2.0 */
/* Statuses of one transaction, and the single table that turns an internal error code into
 * the CMCStatus/CMCFailInfo a client sees (rfc5272bis §6.1.4). Handlers never pick a
 * failInfo themselves. */
#include "engine/engine_local.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/core_log.h"

static const struct {
    cmc_err code;
    int status;
    long fail_info;
} failinfo_table[] = {
    {CMC_OK, CMC_STATUS_SUCCESS, -1},
    {CMC_ERR_DECODE, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST},
    {CMC_ERR_BAD_REQUEST, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST},
    {CMC_ERR_LIMIT, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST},
    {CMC_ERR_UNKNOWN_PROFILE, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST},
    {CMC_ERR_REPLAY, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST},
    {CMC_ERR_BAD_POP, CMC_STATUS_FAILED, CMC_FAIL_POP_FAILED},
    {CMC_ERR_POP_REQUIRED, CMC_STATUS_FAILED, CMC_FAIL_POP_REQUIRED},
    {CMC_ERR_BAD_MESSAGE_CHECK, CMC_STATUS_FAILED, CMC_FAIL_BAD_MESSAGE_CHECK},
    {CMC_ERR_VERIFY, CMC_STATUS_FAILED, CMC_FAIL_BAD_MESSAGE_CHECK},
    {CMC_ERR_BAD_ALG, CMC_STATUS_FAILED, CMC_FAIL_BAD_ALG},
    {CMC_ERR_UNSUPPORTED_EXT, CMC_STATUS_FAILED, CMC_FAIL_UNSUPPORTED_EXT},
    {CMC_ERR_BAD_TIME, CMC_STATUS_FAILED, CMC_FAIL_BAD_TIME},
    {CMC_ERR_BAD_CERT_ID, CMC_STATUS_FAILED, CMC_FAIL_BAD_CERT_ID},
    {CMC_ERR_BAD_IDENTITY, CMC_STATUS_FAILED, CMC_FAIL_BAD_IDENTITY},
    /* CMCFailInfo has no "not authorised": an unauthorised requester failed to prove an
     * identity the profile accepts, so badIdentity (docs/conformance.md). */
    {CMC_ERR_NOT_AUTHORIZED, CMC_STATUS_FAILED, CMC_FAIL_BAD_IDENTITY},
    {CMC_ERR_UNSUPPORTED, CMC_STATUS_NO_SUPPORT, -1},
    {CMC_ERR_PENDING, CMC_STATUS_PENDING, -1},
};

void cmci_failinfo_map(cmc_err code, int *status, long *fail_info)
{
    for (size_t i = 0; i < sizeof(failinfo_table) / sizeof(failinfo_table[0]); i++) {
        if (failinfo_table[i].code == code) {
            *status = failinfo_table[i].status;
            *fail_info = failinfo_table[i].fail_info;
            return;
        }
    }
    /* store, crypto, internal and resource failures: the CA could not do its part */
    *status = CMC_STATUS_FAILED;
    *fail_info = CMC_FAIL_INTERNAL_CA_ERROR;
}

const char *cmci_error_public_text(char *buf, size_t len)
{
    const char *m = cmc_error_get0_message();
    const char *ossl = strstr(m, " (error:");
    size_t n = ossl != NULL ? (size_t)(ossl - m) : strlen(m);

    /* log_level=debug: the whole record, with OpenSSL's error text and where it was made */
    if (cmci_log_enabled(CMC_LOG_DEBUG))
        CMC_LOG_DEBUG("request error: %s [%s]", m, cmc_error_get0_location());
    /* OpenSSL's internal error text and the source location (cmc_error_get0_location) help
     * our logs, not the client */
    if (n >= len)
        n = len - 1;
    memcpy(buf, m, n);
    buf[n] = '\0';
    return buf;
}

/* One CMCStatusInfoV2 of at most CMCI_STATUS_MAX_IDS body parts. */
static cmc_err add_status(struct cmci_txn *t, cmc_err code, const uint32_t *ids, size_t n_ids,
                          const char *text)
{
    struct cmci_status *s;

    if (t->n_statuses == t->cap_statuses) {
        size_t ncap = t->cap_statuses ? t->cap_statuses * 2 : 8;
        struct cmci_status *p;
        /* bounded: at most one status per control/body part, both capped by the limits */
        if (ncap > 4 * (size_t)(t->srv->ca->limits.max_body_parts + t->srv->ca->limits.max_controls) + 16)
            return cmci_fail(CMC_ERR_LIMIT, "too many statuses");
        p = OPENSSL_realloc(t->statuses, ncap * sizeof(*p));
        if (p == NULL)
            return cmci_fail(CMC_ERR_NOMEM, "statuses");
        t->statuses = p;
        t->cap_statuses = ncap;
    }
    s = &t->statuses[t->n_statuses++];
    memset(s, 0, sizeof(*s));
    cmci_failinfo_map(code, &s->status, &s->fail_info);
    memcpy(s->ids, ids, n_ids * sizeof(*ids));
    s->n_ids = n_ids;
    snprintf(s->text, sizeof(s->text), "%s", text);
    return CMC_OK;
}

cmc_err cmci_txn_status(struct cmci_txn *t, cmc_err code, const uint32_t *ids, size_t n_ids,
                        const char *fmt, ...)
{
    char text[sizeof(t->statuses[0].text)];
    size_t done = 0;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    /* More body parts than one status holds: the same status again for the rest, so that
     * every body part the verdict is about is named (rfc5272bis §6.1.1 bodyList). */
    do {
        size_t k = n_ids - done < CMCI_STATUS_MAX_IDS ? n_ids - done : CMCI_STATUS_MAX_IDS;
        CMC_GUARD(add_status(t, code, ids + done, k, text));
        done += k;
    } while (done < n_ids);
    return CMC_OK;
}
