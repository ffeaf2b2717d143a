/* SPDX-License-Identifier: Apache-2.0 */
/* cmc/server.h: the CMC server engine. No I/O: request bytes in, response bytes out.
 * cmcd puts it behind HTTP; tests and the fuzzer call it directly. */
#ifndef CMC_SERVER_H
#define CMC_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <cmc/error.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cmc_server_ctx;

/* What the transport says the request is (rfc5273bis §3 media types). */
enum cmc_request_kind {
    CMC_REQUEST_SIMPLE = 1, /* application/pkcs10: a bare PKCS #10 */
    CMC_REQUEST_FULL = 2    /* application/pkcs7-mime; smime-type=CMC-request */
};

/* The engine's answer. body is OPENSSL_malloc'd and owned by the answer. */
struct cmc_server_answer {
    int http_status;          /* 200 for every CMC answer; 400 when the body is not CMC */
    const char *content_type; /* static */
    uint8_t *body;
    size_t body_len;
    char reason[160];         /* one line, for non-200 answers */
    char log[200];            /* one line for the access log; never holds secrets */
};

/**
 * Load the configuration file (see docs/configuration.md), the CA key and certificate and
 * open the store. On a configuration error the message (file, section, key) is in the
 * error record (cmc_error_get0_message).
 * Ownership: *out is new; free with cmc_server_ctx_free.
 */
CMC_API cmc_err cmc_server_ctx_new_from_config(struct cmc_server_ctx **out,
                                               const char *config_path) CMC_WUR;
CMC_API void cmc_server_ctx_free(struct cmc_server_ctx *ctx);

/**
 * Process one request. Always fills @p ans (a CMC response, or a 4xx reason) unless it
 * returns a fatal error. Thread-safety: may be called from many threads at once.
 * Ownership: the caller releases ans->body with cmc_server_answer_clear.
 */
CMC_API cmc_err cmc_server_process(struct cmc_server_ctx *ctx, enum cmc_request_kind kind,
                                   const uint8_t *in, size_t in_len,
                                   struct cmc_server_answer *ans) CMC_WUR;
CMC_API void cmc_server_answer_clear(struct cmc_server_answer *ans);

/**
 * Read the configuration file again and serve requests that start from now on with it;
 * requests under way finish with the configuration they started with. On any error the
 * current configuration stays and the error record says why (file, section, key). The
 * store stays open as it is: a changed database setting takes a restart, and so do the
 * settings cmcd gives the HTTP server at start (cmcd logs which changed).
 * Thread-safety: may run while cmc_server_process runs on other threads; reloads are
 * serialised. Requests pay one atomic increment and decrement for this.
 */
CMC_API cmc_err cmc_server_ctx_reload(struct cmc_server_ctx *ctx) CMC_WUR;

/* Settings of the current configuration, for cmcd. Ownership: get0, valid until the next
 * cmc_server_ctx_reload or ctx_free; call them from the thread that reloads. */
CMC_API const char *cmc_server_ctx_get0_listen(const struct cmc_server_ctx *ctx);
CMC_API const char *cmc_server_ctx_get0_path(const struct cmc_server_ctx *ctx);
CMC_API const char *cmc_server_ctx_get0_database(const struct cmc_server_ctx *ctx);
CMC_API unsigned cmc_server_ctx_get_threads(const struct cmc_server_ctx *ctx);
CMC_API size_t cmc_server_ctx_get_max_body(const struct cmc_server_ctx *ctx);
CMC_API unsigned cmc_server_ctx_get_conn_timeout(const struct cmc_server_ctx *ctx);
CMC_API unsigned cmc_server_ctx_get_request_timeout(const struct cmc_server_ctx *ctx);
CMC_API unsigned cmc_server_ctx_get_max_connections(const struct cmc_server_ctx *ctx);
CMC_API unsigned cmc_server_ctx_get_max_connections_per_ip(const struct cmc_server_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
