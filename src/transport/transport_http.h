/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP server transport (rfc5273bis §3): moves bytes between the network (our own
 * HTTP/1.1 server, http_server.c) and a handler (the engine). It knows media types, methods
 * and limits; it knows nothing of CMC. */
#ifndef CMC_TRANSPORT_HTTP_H
#define CMC_TRANSPORT_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/core_error.h"

/* What the request body claims to be, from its Content-Type (rfc5273bis §3). */
enum cmc_http_kind {
    CMC_HTTP_KIND_PKCS10 = 1,      /* application/pkcs10: Simple PKI Request */
    CMC_HTTP_KIND_CMC_REQUEST = 2  /* application/pkcs7-mime; smime-type=CMC-request
                                    * (parameter matched case-insensitively, tolerated
                                    * when absent, as Dogtag-style clients send) */
};

struct cmc_http_request {
    enum cmc_http_kind kind;
    const char *path;    /* URL path, e.g. "/cmc" */
    const char *peer;    /* "127.0.0.1:51234", for logs */
    const uint8_t *body; /* borrowed for the duration of the handler call */
    size_t body_len;
};

struct cmc_http_response {
    int status;               /* 200 for every CMC-level answer; 4xx/5xx for transport */
    const char *content_type; /* static string, e.g. "application/pkcs7-mime; smime-type=CMC-response" */
    uint8_t *body;            /* OPENSSL_malloc'd; the transport frees it after sending */
    size_t body_len;
    char reason[160];         /* one-line reason, sent as text/plain when status != 200 */
    char log[200];            /* one short line for the access log (no secrets) */
};

typedef void (*cmc_http_handler_cb)(void *arg, const struct cmc_http_request *req,
                                    struct cmc_http_response *resp);

struct cmc_http_server_config {
    const char *host;          /* "127.0.0.1", "0.0.0.0", "::1" */
    unsigned port;             /* 0 = pick a free port (see cmci_http_server_port) */
    unsigned threads;          /* worker threads (each owns its connections) */
    size_t max_body;           /* larger bodies get 413 */
    unsigned conn_timeout_s;   /* idle connection timeout */
    unsigned max_connections;  /* 0: 512 */
    /* Whole-request deadline: request line, headers and body must all be in within this
     * many seconds of the request's start, or the connection is closed (slow senders).
     * 0: none. */
    unsigned request_timeout_s;
    unsigned max_conn_per_ip;  /* open connections from one address; 0: no limit */
    const char *path_prefix;   /* only paths equal to it or under it + "/" are served; else 404 */
};

struct cmc_http_server;

/* The request head as far as the transport judges it before reading the body. */
struct cmc_http_head {
    const char *prefix;         /* the served path prefix, e.g. "/cmc" */
    size_t max_body;            /* larger declared bodies get 413 */
    const char *method;         /* "POST" */
    const char *url;            /* the path, percent-decoded, without the query */
    const char *content_type;   /* header value, or NULL when absent */
    const char *content_length; /* header value, or NULL when absent (chunked) */
    /* How many Content-Length fields the head has; 0 means not counted, taken as one when
     * content_length is set. */
    unsigned content_length_count;
    const char *transfer_encoding; /* header value, or NULL when absent */
};

/*
 * The decision on a request head (rfc5273bis §3.1), in this order: path under the prefix
 * (404), POST (405), message framing (RFC 9112 §6: 400 for several Content-Length fields or
 * Content-Length with Transfer-Encoding, 501 for a transfer coding other than chunked),
 * media type (415), declared length (413 above max_body, 400 for 0).
 * No I/O: the server calls it once per request; tests and tests/fuzz/fuzz_http.c call it
 * directly.
 * @return 0 with *kind set when the body may be read; else the HTTP status to answer with
 * at once and @p reason filled with one printable line (peer-controlled text in it is
 * sanitised and cut).
 */
int cmci_http_check_head(const struct cmc_http_head *h, enum cmc_http_kind *kind, char *reason,
                         size_t reasonsz);

/*
 * Classify a Content-Type value (NULL: absent) as a Simple or Full PKI Request. The
 * smime-type parameter is matched case-insensitively; other parameters are ignored.
 * @return 1 with *kind set, or 0 with @p why filled (one printable line).
 */
int cmci_http_classify_content_type(const char *ct, enum cmc_http_kind *kind, char *why,
                                    size_t whysz);

cmc_err cmci_http_server_start(struct cmc_http_server **out,
                               const struct cmc_http_server_config *cfg,
                               cmc_http_handler_cb cb, void *arg) CMC_WUR;
unsigned cmci_http_server_port(const struct cmc_http_server *srv);
/* The worker threads actually run: cfg->threads, but never more than max_connections. */
unsigned cmci_http_server_threads(const struct cmc_http_server *srv);
/*
 * Change the limits that may change while serving (a configuration reload): max_body and
 * request_timeout_s. Requests already started keep the values they started with. The
 * other settings are fixed for the server's lifetime. Thread-safety: may be called while
 * requests are served.
 */
void cmci_http_server_set_limits(struct cmc_http_server *srv, size_t max_body,
                                 unsigned request_timeout_s);
/* Stops accepting, closes every connection and waits for the workers. Bounded in time:
 * it waits only for handler calls already running. */
void cmci_http_server_stop(struct cmc_http_server *srv);

#endif
