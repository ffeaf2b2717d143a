/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP client transport (rfc5273bis §3.1) of the cmc tool: one POST, one bounded
 * response. It knows nothing of CMC. */
#ifndef CMC_TRANSPORT_HTTP_CLIENT_H
#define CMC_TRANSPORT_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core_error.h"

struct cmci_http_result {
    long status;         /* HTTP status code, e.g. 200 */
    char *content_type;  /* response Content-Type as sent, or NULL; OPENSSL_malloc'd */
    uint8_t *body;       /* response body, or NULL when empty; OPENSSL_malloc'd */
    size_t body_len;
};

/*
 * POST @p body (of @p len bytes) to @p url with the given Content-Type and wait at most
 * @p timeout_s seconds (0 = 60) for the whole exchange. For an https URL, @p tls_ca_file
 * (PEM, or NULL for the system's trust store) holds the CA certificates the server's TLS
 * certificate must chain to.
 *
 * IMPORTANT: any complete HTTP answer is CMC_OK, whatever its status; the caller reads
 * out->status. rfc5273bis §3.1 carries CMC failures in a 200 response, so a non-200 status
 * means a transport problem, and its text/plain body says which.
 *
 * @return CMC_OK; CMC_ERR_TRANSPORT when no answer came (refused, timeout, reset), with the
 *         URL and curl's reason in the error record; CMC_ERR_LIMIT when the response body
 *         exceeds @p max_resp bytes; CMC_ERR_USAGE, CMC_ERR_NOMEM.
 * Ownership: @p out is zeroed on entry and filled on CMC_OK only; release it with
 * cmci_http_result_clear. @p url, @p content_type and @p body are borrowed.
 * Thread-safety: safe to call from several threads at once.
 */
cmc_err cmci_http_post(const char *url, const char *content_type, const uint8_t *body,
                       size_t len, size_t max_resp, long timeout_s, const char *tls_ca_file,
                       struct cmci_http_result *out) CMC_WUR;

/* Free what @p r holds and zero it; NULL is a no-op. */
void cmci_http_result_clear(struct cmci_http_result *r);

#endif
