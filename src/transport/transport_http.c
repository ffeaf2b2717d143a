/* SPDX-License-Identifier: Apache-2.0 */
/* The libmicrohttpd server transport of rfc5273bis §3.1: checks method, path, media type and
 * size, collects the body in a capped buffer and hands it to the handler once. */
#include "transport/transport_http.h"

#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "core/core_buf.h"
#include "core/core_log.h"
#include "transport/http_server.h"

/*
 * Per-connection memory pool of libmicrohttpd (request line, headers, read buffer). Bodies do
 * not live there but in our capped dynbuf; 64 KiB leaves room for long header sets while a
 * header flood still hits a small bound (MHD answers 431 itself beyond it).
 */
#define HTTP_CONN_MEMORY_LIMIT ((size_t)64 * 1024)

/*
 * After the cap is hit on a body without Content-Length we keep reading and dropping bytes
 * so the 413 can still be sent once the request ends (libmicrohttpd cannot queue a response
 * in the middle of a body). The drop is bounded too: past this many extra bytes the
 * connection is closed without an answer.
 */
#define HTTP_DISCARD_MAX ((size_t)1024 * 1024)

/* How often the reaper looks for connections past their request deadline. A slot held by
 * a slow sender is freed at most this much after its deadline. */
#define HTTP_REAP_INTERVAL_MS 200

#define MT_PKCS10 "application/pkcs10"
#define MT_PKCS7 "application/pkcs7-mime"
#define MT_TEXT "text/plain; charset=utf-8"

/*
 * One TCP connection, for the whole-request deadline. libmicrohttpd has only an idle
 * timeout, which a client sending one byte every few seconds never reaches; such clients
 * can hold every connection slot. So each connection carries a deadline by which the
 * request under way must be complete (head and body), and a reaper thread shuts down the
 * socket of any connection past it; libmicrohttpd then sees the connection end and frees
 * the slot. 0 means no deadline: the handler is running, the answer is being sent, or the
 * server has none.
 */
struct http_conn {
    struct http_conn *prev, *next; /* srv->conns, under srv->conns_lock */
    int fd;                        /* valid until on_connection(CLOSED) unlinks us */
    int reaped;                    /* shut down by the reaper already */
    _Atomic long long deadline_ms; /* CLOCK_MONOTONIC milliseconds, 0 = none */
    char peer[64];
};

struct cmc_http_server {
    /* Our own server (http_server.c), unless CMC_HTTP_SERVER=libmicrohttpd; then nothing
     * below is used. A switch for the move away from libmicrohttpd only. */
    struct cmci_hs *own;
    struct MHD_Daemon *daemon;
    cmc_http_handler_cb cb;
    void *arg;
    _Atomic size_t max_body;           /* may change on reload (cmci_http_server_set_limits) */
    _Atomic unsigned request_timeout_ms; /* 0 = no deadline; may change on reload */
    unsigned conn_timeout_ms;
    char *prefix; /* own copy of cfg->path_prefix */
    unsigned port;
    unsigned threads;
    /* the connections, for the reaper */
    pthread_mutex_t conns_lock;
    pthread_cond_t reaper_wake;
    struct http_conn *conns;
    pthread_t reaper;
    int sync_ok;        /* conns_lock and reaper_wake initialised */
    int reaper_running;
    int reaper_stop;    /* under conns_lock */
};

/* One HTTP request (not one connection: keep-alive gives every request a fresh state). */
struct http_req {
    struct timespec start;
    size_t max_body;   /* srv->max_body when the request started */
    struct cmc_dynbuf body;
    enum cmc_http_kind kind;
    int status;        /* a transport error decided before the body ended, else 0 */
    char reason[160];  /* its one-line reason */
    int sent_status;   /* what was queued, for the access log; 0 = nothing */
    size_t bytes_in;   /* body bytes seen, including dropped ones */
    size_t bytes_out;  /* response body bytes queued */
    char method[16];   /* sanitised copies for the access log */
    char path[128];
    char peer[64];
    char log[200];     /* the handler's resp->log */
};

/* Copy @p src into @p dst as one printable line: peer-controlled text must not be able to
 * forge log lines or response lines (libmicrohttpd percent-decodes the path, so "%0a" would
 * arrive as a newline). */
void cmci_http_copy_line(char *dst, size_t dstsz, const char *src)
{
    size_t i = 0;

    if (src != NULL) {
        for (; src[i] != '\0' && i + 1 < dstsz; i++) {
            unsigned char c = (unsigned char)src[i];
            dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
        }
    }
    dst[i] = '\0';
}

static void copy_line(char *dst, size_t dstsz, const char *src)
{
    cmci_http_copy_line(dst, dstsz, src);
}

static void format_peer(struct MHD_Connection *conn, char *out, size_t outsz)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    socklen_t alen;

    snprintf(out, outsz, "?");
    if (ci == NULL || ci->client_addr == NULL)
        return;
    alen = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                   : sizeof(struct sockaddr_in);
    if (getnameinfo(ci->client_addr, alen, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return;
    /* precision-bounded: a peer string longer than out is cut, which is fine for logs */
    if (ci->client_addr->sa_family == AF_INET6)
        snprintf(out, outsz, "[%.46s]:%.6s", host, serv);
    else
        snprintf(out, outsz, "%.46s:%.6s", host, serv);
}

static long long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct http_conn *conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci != NULL ? ci->socket_context : NULL;
}

/* Set the connection's request deadline to @p ms from now (0: none). With @p only_earlier
 * an existing deadline is never moved later. */
static void conn_set_deadline(struct cmc_http_server *srv, struct MHD_Connection *conn,
                              unsigned ms, int only_earlier)
{
    struct http_conn *c = conn_of(conn);
    long long d, cur;

    if (c == NULL)
        return;
    if (ms == 0 || atomic_load_explicit(&srv->request_timeout_ms, memory_order_relaxed) == 0) {
        atomic_store_explicit(&c->deadline_ms, 0, memory_order_relaxed);
        return;
    }
    d = mono_ms() + ms;
    cur = atomic_load_explicit(&c->deadline_ms, memory_order_relaxed);
    if (only_earlier && cur != 0 && cur < d)
        return;
    atomic_store_explicit(&c->deadline_ms, d, memory_order_relaxed);
}

static int ascii_ieq(const char *a, size_t alen, const char *b)
{
    return strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* RFC 9110 §5.6.2 tchar, the characters of a media type token or a parameter name. */
static int is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * Read one parameter value (token or quoted-string, RFC 9110 §5.6.4/§5.6.6) at @p p into
 * @p val. Returns the position after it, or NULL when the syntax is broken. A value longer
 * than @p valsz is cut; that only ever turns a match into a mismatch.
 */
static const char *read_param_value(const char *p, char *val, size_t valsz)
{
    size_t n = 0;

    if (*p == '"') {
        for (p++; *p != '"'; p++) {
            if (*p == '\0')
                return NULL;
            if (*p == '\\' && p[1] != '\0')
                p++;
            if (n + 1 < valsz)
                val[n++] = *p;
        }
        p++;
    } else {
        for (; is_tchar(*p); p++) {
            if (n + 1 < valsz)
                val[n++] = *p;
        }
    }
    val[n] = '\0';
    return p;
}

/*
 * rfc5273bis §3.1: a Simple PKI Request is application/pkcs10, a Full PKI Request is
 * application/pkcs7-mime with smime-type=CMC-Request. The parameter is matched without
 * regard to case (EST, RFC 7030 §4.3, spells it "CMC-request") and tolerated when absent
 * (Dogtag-style clients send bare application/pkcs7-mime). Any other smime-type, e.g.
 * certs-only, names a response, never a request: 415. Other parameters (name=...) are
 * ignored. Returns 1 and sets @p kind, or 0 with @p why filled.
 */
int cmci_http_classify_content_type(const char *ct, enum cmc_http_kind *kind, char *why,
                                    size_t whysz)
{
    char shown[80];
    char name[32];
    char val[64];
    const char *p, *tok;
    size_t toklen;
    int pkcs7;

    copy_line(shown, sizeof(shown), ct);
    if (ct == NULL) {
        snprintf(why, whysz, "missing Content-Type; expected " MT_PKCS10 " or " MT_PKCS7
                             "; smime-type=CMC-request");
        return 0;
    }
    p = skip_ows(ct);
    tok = p;
    while (is_tchar(*p) || *p == '/')
        p++;
    toklen = (size_t)(p - tok);
    if (ascii_ieq(tok, toklen, MT_PKCS10)) {
        *kind = CMC_HTTP_KIND_PKCS10;
        return 1; /* parameters of application/pkcs10 carry nothing we use */
    }
    pkcs7 = ascii_ieq(tok, toklen, MT_PKCS7);
    if (!pkcs7)
        goto unsupported;
    for (;;) {
        p = skip_ows(p);
        if (*p == '\0')
            break;
        if (*p != ';')
            goto malformed;
        p = skip_ows(p + 1);
        if (*p == '\0')
            break; /* a trailing ";" is harmless */
        tok = p;
        while (is_tchar(*p))
            p++;
        toklen = (size_t)(p - tok);
        if (toklen == 0 || toklen >= sizeof(name))
            goto malformed;
        memcpy(name, tok, toklen);
        name[toklen] = '\0';
        p = skip_ows(p);
        if (*p != '=')
            goto malformed;
        p = read_param_value(skip_ows(p + 1), val, sizeof(val));
        if (p == NULL)
            goto malformed;
        if (strcasecmp(name, "smime-type") == 0 && strcasecmp(val, "CMC-request") != 0) {
            char v[64];
            copy_line(v, sizeof(v), val);
            snprintf(why, whysz, "unsupported smime-type: %s; expected CMC-request", v);
            return 0;
        }
    }
    *kind = CMC_HTTP_KIND_CMC_REQUEST;
    return 1;

malformed:
    snprintf(why, whysz, "malformed Content-Type: %s", shown);
    return 0;
unsupported:
    snprintf(why, whysz,
             "unsupported media type: %s; expected " MT_PKCS10 " or " MT_PKCS7
             "; smime-type=CMC-request",
             shown);
    return 0;
}

/* rfc5273bis §3.1 defines no path convention; we serve the configured prefix and below. */
static int path_allowed(const char *prefix, const char *url)
{
    size_t n = strlen(prefix);

    if (strncmp(url, prefix, n) != 0) {
        /* "/cmc/" as prefix still serves "/cmc" */
        return n > 1 && prefix[n - 1] == '/' && strncmp(url, prefix, n - 1) == 0 &&
               url[n - 1] == '\0';
    }
    return url[n] == '\0' || url[n] == '/' || prefix[n - 1] == '/';
}

/* Queue @p body (copied) with @p status; records what was sent for the access log. */
static enum MHD_Result send_bytes(struct MHD_Connection *conn, struct http_req *r, int status,
                                  const char *ctype, const void *body, size_t len)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    /* MUST_COPY keeps ownership simple: our buffer is freed by us, on every path. */
    resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) != MHD_YES) {
        MHD_destroy_response(resp);
        return MHD_NO;
    }
    /* RFC 9110 §15.5.6: a 405 lists the allowed methods; rfc5273bis §3.1 allows only POST */
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED &&
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST") != MHD_YES) {
        MHD_destroy_response(resp);
        return MHD_NO;
    }
    ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    if (ret == MHD_YES) {
        r->sent_status = status;
        r->bytes_out = len;
    }
    return ret;
}

/* A text/plain one-line answer: the reason plus "\n". */
static enum MHD_Result send_reason(struct MHD_Connection *conn, struct http_req *r, int status,
                                   const char *reason)
{
    char line[sizeof(r->reason) + 2];
    int n;

    if (reason == NULL || reason[0] == '\0')
        reason = MHD_get_reason_phrase_for((unsigned)status);
    copy_line(line, sizeof(line) - 1, reason);
    n = (int)strlen(line);
    line[n++] = '\n';
    line[n] = '\0';
    return send_bytes(conn, r, status, MT_TEXT, line, (size_t)n);
}

static void decide(struct http_req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void decide(struct http_req *r, int status, const char *fmt, ...)
{
    va_list ap;

    r->status = status;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
}

int cmci_http_check_head(const struct cmc_http_head *h, enum cmc_http_kind *kind, char *reason,
                         size_t reasonsz)
{
    /* the server never passes an empty prefix (cmci_http_server_start makes it "/") */
    const char *prefix = h->prefix != NULL && h->prefix[0] != '\0' ? h->prefix : "/";
    char path[128], method[16]; /* as copied for the access log (struct http_req) */
    char why[160];

    copy_line(path, sizeof(path), h->url);
    copy_line(method, sizeof(method), h->method);
    if (!path_allowed(prefix, h->url != NULL ? h->url : "")) {
        snprintf(reason, reasonsz, "not found: %s", path);
        return MHD_HTTP_NOT_FOUND;
    }
    /* rfc5273bis §3.1: requests use POST */
    if (h->method == NULL || strcmp(h->method, MHD_HTTP_METHOD_POST) != 0) {
        snprintf(reason, reasonsz, "method not allowed: %s; use POST", method);
        return MHD_HTTP_METHOD_NOT_ALLOWED;
    }
    /* RFC 9112 §6.3: framing we cannot be sure of is refused before the body is read, so
     * no two parties can disagree on where this request ends (request smuggling). */
    if (h->content_length_count > 1) {
        snprintf(reason, reasonsz, "several Content-Length fields");
        return MHD_HTTP_BAD_REQUEST;
    }
    if (h->transfer_encoding != NULL) {
        char te[48];

        if (h->content_length != NULL) {
            snprintf(reason, reasonsz, "both Content-Length and Transfer-Encoding");
            return MHD_HTTP_BAD_REQUEST;
        }
        if (strcasecmp(skip_ows(h->transfer_encoding), "chunked") != 0) {
            /* RFC 9112 §6.1: a transfer coding the server does not understand */
            copy_line(te, sizeof(te), h->transfer_encoding);
            snprintf(reason, reasonsz, "unsupported Transfer-Encoding: %s; only chunked", te);
            return MHD_HTTP_NOT_IMPLEMENTED;
        }
    }
    if (!cmci_http_classify_content_type(h->content_type, kind, why, sizeof(why))) {
        snprintf(reason, reasonsz, "%s", why);
        return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
    }
    /* A declared length is checked before a single body byte is read. libmicrohttpd has
     * already answered a Content-Length that is not a number or overflows 64 bits itself,
     * without calling us (docs/internals/transport.md, "Answers libmicrohttpd makes"). */
    if (h->content_length != NULL) {
        const char *p = skip_ows(h->content_length);
        unsigned long long v = 0;
        int big = 0;

        for (; *p >= '0' && *p <= '9'; p++) {
            if (v > (unsigned long long)h->max_body)
                big = 1; /* stop growing before it can overflow */
            else
                v = v * 10 + (unsigned)(*p - '0');
        }
        if (big || v > (unsigned long long)h->max_body) {
            snprintf(reason, reasonsz, "request body too large: limit is %zu bytes",
                     h->max_body);
            return MHD_HTTP_CONTENT_TOO_LARGE;
        }
        if (v == 0) {
            snprintf(reason, reasonsz, "empty request body");
            return MHD_HTTP_BAD_REQUEST;
        }
    }
    return 0;
}

static enum MHD_Result count_content_length(void *cls, enum MHD_ValueKind kind,
                                           const char *key, const char *value)
{
    (void)kind;
    (void)value;
    if (key != NULL && strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        (*(unsigned *)cls)++;
    return MHD_YES;
}

/*
 * Checks that need only the request head. Sets r->status when the request is refused; the
 * caller then answers at once, without reading the body.
 */
static void check_head(struct cmc_http_server *srv, struct MHD_Connection *conn,
                       struct http_req *r, const char *url, const char *method)
{
    unsigned n_cl = 0;
    struct cmc_http_head h = {
        .prefix = srv->prefix,
        .max_body = r->max_body,
        .method = method,
        .url = url,
        .content_type =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .content_length =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH),
        .transfer_encoding = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_TRANSFER_ENCODING),
    };

    (void)MHD_get_connection_values(conn, MHD_HEADER_KIND, count_content_length, &n_cl);
    h.content_length_count = n_cl;
    r->status = cmci_http_check_head(&h, &r->kind, r->reason, sizeof(r->reason));
}

/* The body is complete: run the handler and send what it answered. */
static enum MHD_Result run_handler(struct cmc_http_server *srv, struct MHD_Connection *conn,
                                   struct http_req *r, const char *url)
{
    struct cmc_http_request req;
    struct cmc_http_response resp;
    enum MHD_Result ret;

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.kind = r->kind;
    req.path = url;
    req.peer = r->peer;
    req.body = r->body.ptr;
    req.body_len = r->body.len;
    resp.status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    snprintf(resp.reason, sizeof(resp.reason), "handler gave no answer");

    srv->cb(srv->arg, &req, &resp);

    /* the request may hold secrets (e.g. a shared-secret identity proof): wipe it now */
    cmci_dynbuf_free(&r->body);
    resp.reason[sizeof(resp.reason) - 1] = '\0';
    resp.log[sizeof(resp.log) - 1] = '\0';
    copy_line(r->log, sizeof(r->log), resp.log);

    if (resp.status == MHD_HTTP_OK && resp.body_len > 0 && resp.body == NULL) {
        resp.status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        snprintf(resp.reason, sizeof(resp.reason), "handler returned no body");
    }
    if (resp.status < 100 || resp.status > 599) {
        snprintf(resp.reason, sizeof(resp.reason), "handler returned status %d", resp.status);
        resp.status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    if (resp.status == MHD_HTTP_OK) {
        /* rfc5273bis §3.1: the body is the binary Simple or Full PKI Response */
        ret = send_bytes(conn, r, MHD_HTTP_OK,
                         resp.content_type != NULL ? resp.content_type : MT_PKCS7,
                         resp.body != NULL ? resp.body : (const uint8_t *)"", resp.body_len);
    } else {
        ret = send_reason(conn, r, resp.status, resp.reason);
    }
    OPENSSL_free(resp.body);
    return ret;
}

static struct http_req *req_new(struct cmc_http_server *srv, struct MHD_Connection *conn,
                                const char *url, const char *method)
{
    struct http_req *r = OPENSSL_zalloc(sizeof(*r));

    if (r == NULL)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &r->start);
    r->max_body = atomic_load_explicit(&srv->max_body, memory_order_relaxed);
    cmci_dynbuf_init(&r->body, r->max_body);
    copy_line(r->method, sizeof(r->method), method);
    copy_line(r->path, sizeof(r->path), url);
    format_peer(conn, r->peer, sizeof(r->peer));
    return r;
}

/*
 * libmicrohttpd calls this once when the head is in (*req_cls == NULL), then once per body
 * chunk, then once more with *upload_data_size == 0 when the body is complete.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    struct cmc_http_server *srv = cls;
    struct http_req *r = *req_cls;

    if (r == NULL) {
        r = req_new(srv, conn, url, method);
        if (r == NULL)
            return MHD_NO; /* out of memory: drop the connection, stay alive */
        *req_cls = r;
        check_head(srv, conn, r, url, method);
        if (r->status != 0) {
            /* Answering now, before the body, means libmicrohttpd neither sends
             * "100 Continue" nor reads the body, and closes the connection afterwards. */
            conn_set_deadline(srv, conn, 0, 0);
            return send_reason(conn, r, r->status, r->reason);
        }
        return MHD_YES;
    }

    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;

        *upload_data_size = 0;
        r->bytes_in += n;
        if (r->status == 0) {
            cmc_err rc = cmci_dynbuf_add(&r->body, upload_data, n);

            if (rc != CMC_OK) {
                /* No Content-Length (chunked): the cap is only seen now. Drop what we
                 * hold; never buffer more than max_body. */
                cmci_dynbuf_free(&r->body);
                if (rc == CMC_ERR_LIMIT)
                    decide(r, MHD_HTTP_CONTENT_TOO_LARGE,
                           "request body too large: limit is %zu bytes", r->max_body);
                else
                    decide(r, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
            }
        }
        if (r->status != 0 && r->bytes_in > r->max_body &&
            r->bytes_in - r->max_body > HTTP_DISCARD_MAX)
            return MHD_NO;
        return MHD_YES;
    }

    /* The request is in: from here on only the idle timeout applies (the handler may
     * wait for a store commit; the answer is small and goes out at once). */
    conn_set_deadline(srv, conn, 0, 0);
    if (r->sent_status != 0)
        return MHD_YES; /* answered from the head already */
    if (r->status != 0)
        return send_reason(conn, r, r->status, r->reason);
    if (r->body.len == 0)
        return send_reason(conn, r, MHD_HTTP_BAD_REQUEST, "empty request body");
    return run_handler(srv, conn, r, url);
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK: return "";
    case MHD_REQUEST_TERMINATED_WITH_ERROR: return " aborted=error";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return " aborted=timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return " aborted=shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR: return " aborted=read";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return " aborted=client";
    default: return " aborted";
    }
}

/* The access log: one line per request, after it ended, never a body. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct cmc_http_server *srv = cls;
    struct http_req *r = *req_cls;
    struct timespec now;
    long ms;

    /* The next request on this connection (keep-alive) may idle for conn_timeout and then
     * has request_timeout to arrive; on_uri shortens that once its request line is in. */
    conn_set_deadline(srv, conn,
                      srv->conn_timeout_ms +
                          atomic_load_explicit(&srv->request_timeout_ms, memory_order_relaxed),
                      0);
    if (r == NULL) {
        /* libmicrohttpd refused the request before on_request saw it (a Content-Length
         * that is not a number, a broken request line, ...): log its answer, if any. */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
        char peer[64];

        if (ci == NULL || ci->http_status == 0)
            return;
        format_peer(conn, peer, sizeof(peer));
        CMC_LOG_INFO("http %s - - %u malformed request, answered by libmicrohttpd", peer,
                     ci->http_status);
        return;
    }
    *req_cls = NULL;
    if (r->sent_status == 0) {
        /* an answer libmicrohttpd made itself (e.g. a broken chunked body) */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);

        if (ci != NULL && ci->http_status != 0) {
            r->sent_status = (int)ci->http_status;
            snprintf(r->log, sizeof(r->log), "answered by libmicrohttpd");
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (long)(now.tv_sec - r->start.tv_sec) * 1000L +
         (now.tv_nsec - r->start.tv_nsec) / 1000000L;
    CMC_LOG_INFO("http %s %s %s %d in=%zu out=%zu %ldms%s%s%s", r->peer, r->method, r->path,
                 r->sent_status, r->bytes_in, r->bytes_out, ms, termination_name(toe),
                 r->log[0] != '\0' ? " " : "", r->log);
    cmci_dynbuf_free(&r->body);
    OPENSSL_free(r);
}

/*
 * libmicrohttpd calls this when a request line has been read, before the headers: the
 * request has started, so it has request_timeout from now (never later than a deadline
 * already set, e.g. the one a new connection got when it was accepted). The return value
 * would become the request's *req_cls; on_request makes its own.
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct cmc_http_server *srv = cls;

    (void)uri;
    conn_set_deadline(srv, conn,
                      atomic_load_explicit(&srv->request_timeout_ms, memory_order_relaxed), 1);
    return NULL;
}

/*
 * Connection accounting for the reaper. libmicrohttpd calls CLOSED before it closes the
 * socket (daemon.c, MHD_cleanup_connections), and we unlink under conns_lock, so the reaper
 * never shuts down a descriptor number that was already reused for another connection.
 */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct cmc_http_server *srv = cls;
    struct http_conn *c;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        unsigned t = atomic_load_explicit(&srv->request_timeout_ms, memory_order_relaxed);

        *socket_context = NULL;
        if (ci == NULL || (c = OPENSSL_zalloc(sizeof(*c))) == NULL)
            return; /* not tracked: only the idle timeout applies to it */
        c->fd = ci->connect_fd;
        format_peer(conn, c->peer, sizeof(c->peer));
        /* The first request must be complete within request_timeout of the accept. */
        atomic_init(&c->deadline_ms, t != 0 ? mono_ms() + t : 0);
        pthread_mutex_lock(&srv->conns_lock);
        c->next = srv->conns;
        if (srv->conns != NULL)
            srv->conns->prev = c;
        srv->conns = c;
        pthread_mutex_unlock(&srv->conns_lock);
        *socket_context = c;
        return;
    }
    c = *socket_context;
    if (c == NULL)
        return;
    *socket_context = NULL;
    pthread_mutex_lock(&srv->conns_lock);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&srv->conns_lock);
    OPENSSL_free(c);
}

/* Shuts down the sockets of connections past their request deadline (struct http_conn). */
static void *reaper_main(void *arg)
{
    struct cmc_http_server *srv = arg;
    struct timespec until;
    long long summary_at = mono_ms() + 60000;
    unsigned long reaped = 0;

    pthread_mutex_lock(&srv->conns_lock);
    while (!srv->reaper_stop) {
        long long now = mono_ms();

        /* one line a minute at most, so slow senders cannot flood the log */
        if (now >= summary_at) {
            if (reaped > 0)
                CMC_LOG_INFO("http: %lu connections closed in the last minute: request not "
                             "complete within request_timeout", reaped);
            reaped = 0;
            summary_at = now + 60000;
        }

        for (struct http_conn *c = srv->conns; c != NULL; c = c->next) {
            long long d = atomic_load_explicit(&c->deadline_ms, memory_order_relaxed);

            if (d == 0 || d > now || c->reaped)
                continue;
            /* Both directions: libmicrohttpd's next read sees the end at once. */
            (void)shutdown(c->fd, SHUT_RDWR);
            c->reaped = 1;
            reaped++;
            CMC_LOG_DEBUG("http %s: request not complete within request_timeout; closed",
                          c->peer);
        }
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += HTTP_REAP_INTERVAL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        (void)pthread_cond_timedwait(&srv->reaper_wake, &srv->conns_lock, &until);
    }
    pthread_mutex_unlock(&srv->conns_lock);
    return NULL;
}

static int init_monotonic_cond(pthread_cond_t *c)
{
    pthread_condattr_t a;
    int ok;

    if (pthread_condattr_init(&a) != 0)
        return 0;
    ok = pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0 && pthread_cond_init(c, &a) == 0;
    (void)pthread_condattr_destroy(&a);
    return ok;
}

/* libmicrohttpd's own diagnostics (garbage on the wire, resource trouble) go to debug: a
 * peer must not be able to fill the log at a higher level. The format attribute tells
 * clang's -Wformat-nonliteral that fmt is a printf format passed on as a va_list. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[256];
    size_t n;

    vsnprintf(line, sizeof(line), fmt, ap);
    n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    CMC_LOG_DEBUG("libmicrohttpd: %s", line);
}

static cmc_err resolve_listen(const struct cmc_http_server_config *cfg,
                              struct sockaddr_storage *ss, int *is_v6)
{
    struct addrinfo hints, *ai = NULL;
    char port[16];
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    snprintf(port, sizeof(port), "%u", cfg->port);
    rc = getaddrinfo(cfg->host != NULL ? cfg->host : "127.0.0.1", port, &hints, &ai);
    if (rc != 0 || ai == NULL)
        CMC_BAIL(CMC_ERR_CONFIG, "listen address \"%s\": %s", cfg->host ? cfg->host : "",
                 gai_strerror(rc));
    memset(ss, 0, sizeof(*ss));
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *is_v6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    return CMC_OK;
}

cmc_err cmci_http_server_start(struct cmc_http_server **out,
                               const struct cmc_http_server_config *cfg,
                               cmc_http_handler_cb cb, void *arg)
{
    struct cmc_http_server *srv = NULL;
    struct sockaddr_storage ss;
    const union MHD_DaemonInfo *di;
    struct MHD_OptionItem opts[10];
    unsigned int flags, max_conn;
    size_t n;
    int is_v6 = 0;
    cmc_err rv;

    CMC_ENSURE_REF(out);
    *out = NULL;
    CMC_ENSURE_REF(cfg);
    CMC_ENSURE_REF(cb);
    {
        const char *which = getenv("CMC_HTTP_SERVER");

        if (which == NULL || strcmp(which, "libmicrohttpd") != 0) {
            struct cmci_hs *own = NULL;

            CMC_GUARD(cmci_hs_start(&own, cfg, cb, arg));
            srv = OPENSSL_zalloc(sizeof(*srv));
            if (srv == NULL) {
                cmci_hs_stop(own);
                return cmci_fail(CMC_ERR_NOMEM, "http server");
            }
            srv->own = own;
            *out = srv;
            return CMC_OK;
        }
    }
    CMC_ENSURE(cfg->max_body > 0, CMC_ERR_CONFIG, "max_body must be positive");
    CMC_ENSURE(cfg->port <= 65535, CMC_ERR_CONFIG, "port %u out of range", cfg->port);
    CMC_ENSURE(cfg->request_timeout_s <= 86400 && cfg->conn_timeout_s <= 86400, CMC_ERR_CONFIG,
               "timeouts above one day");
    CMC_GUARD(resolve_listen(cfg, &ss, &is_v6));

    srv = OPENSSL_zalloc(sizeof(*srv));
    if (srv == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "http server");
        goto err;
    }
    srv->cb = cb;
    srv->arg = arg;
    atomic_init(&srv->max_body, cfg->max_body);
    atomic_init(&srv->request_timeout_ms, cfg->request_timeout_s * 1000u);
    srv->conn_timeout_ms = cfg->conn_timeout_s * 1000u;
    srv->prefix = OPENSSL_strdup(cfg->path_prefix != NULL && cfg->path_prefix[0] != '\0'
                                     ? cfg->path_prefix
                                     : "/");
    if (srv->prefix == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "http server");
        goto err;
    }
    if (pthread_mutex_init(&srv->conns_lock, NULL) != 0) {
        rv = cmci_fail(CMC_ERR_INTERNAL, "http server: mutex");
        goto err;
    }
    if (!init_monotonic_cond(&srv->reaper_wake)) {
        pthread_mutex_destroy(&srv->conns_lock);
        rv = cmci_fail(CMC_ERR_INTERNAL, "http server: condition variable");
        goto err;
    }
    srv->sync_ok = 1;

    /*
     * rfc5273bis §3.1 says nothing of concurrency; the pool size and the limits come from
     * the [cmcd] section (docs/configuration.md). libmicrohttpd shares the connection
     * limit among the pool's workers, so a worker beyond max_connections could never hold
     * a connection; worse, libmicrohttpd 0.9.75 then never wakes such a worker at
     * MHD_stop_daemon and the stop hangs. So the pool is at most max_connections workers,
     * and MHD_USE_ITC gives every worker a wake-up channel besides. A pool of one is no pool
     * for libmicrohttpd, which warns when asked for one, so the option is left out then.
     */
    max_conn = cfg->max_connections > 0 ? cfg->max_connections : 512;
    srv->threads = cfg->threads > 0 ? cfg->threads : 1;
    if (srv->threads > max_conn) {
        CMC_LOG_WARN("threads = %u is more than max_connections = %u; using %u threads",
                     srv->threads, max_conn, max_conn);
        srv->threads = max_conn;
    }
    n = 0;
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, cfg->conn_timeout_s,
                                        NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, max_conn, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                        (intptr_t)HTTP_CONN_MEMORY_LIMIT, NULL};
    /* libmicrohttpd closes a connection beyond this count from one address at once, before
     * reading anything from it (docs/configuration.md, max_connections_per_ip). */
    if (cfg->max_conn_per_ip > 0)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                            cfg->max_conn_per_ip, NULL};
    if (srv->threads > 1)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, srv->threads, NULL};
    opts[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    if (pthread_create(&srv->reaper, NULL, reaper_main, srv) != 0) {
        rv = cmci_fail(CMC_ERR_INTERNAL, "http server: cannot start the reaper thread");
        goto err;
    }
    srv->reaper_running = 1;

    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (is_v6)
        flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
                                   MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                   MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                                   MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
                                   MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        rv = cmci_fail(CMC_ERR_TRANSPORT, "cannot listen on %s port %u (in use, or bad "
                       "address?)", cfg->host ? cfg->host : "127.0.0.1", cfg->port);
        goto err;
    }
    di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di != NULL && di->port != 0 ? di->port : cfg->port;
    CMC_LOG_INFO("http listening on %s port %u path %s", cfg->host ? cfg->host : "127.0.0.1",
                 srv->port, srv->prefix);
    *out = srv;
    return CMC_OK;

err:
    cmci_http_server_stop(srv);
    return rv;
}

unsigned cmci_http_server_port(const struct cmc_http_server *srv)
{
    if (srv != NULL && srv->own != NULL)
        return cmci_hs_port(srv->own);
    return srv != NULL ? srv->port : 0;
}

unsigned cmci_http_server_threads(const struct cmc_http_server *srv)
{
    if (srv != NULL && srv->own != NULL)
        return cmci_hs_threads(srv->own);
    return srv != NULL ? srv->threads : 0;
}

void cmci_http_server_set_limits(struct cmc_http_server *srv, size_t max_body,
                                 unsigned request_timeout_s)
{
    if (srv == NULL || max_body == 0)
        return;
    if (srv->own != NULL) {
        cmci_hs_set_limits(srv->own, max_body, request_timeout_s);
        return;
    }
    atomic_store_explicit(&srv->max_body, max_body, memory_order_relaxed);
    atomic_store_explicit(&srv->request_timeout_ms,
                          request_timeout_s <= 86400 ? request_timeout_s * 1000u : 86400000u,
                          memory_order_relaxed);
}

void cmci_http_server_stop(struct cmc_http_server *srv)
{
    if (srv == NULL)
        return;
    if (srv->own != NULL) {
        cmci_hs_stop(srv->own);
        OPENSSL_free(srv);
        return;
    }
    /* The reaper first: once the daemon is gone no connection can be shut down safely. */
    if (srv->reaper_running) {
        pthread_mutex_lock(&srv->conns_lock);
        srv->reaper_stop = 1;
        pthread_cond_signal(&srv->reaper_wake);
        pthread_mutex_unlock(&srv->conns_lock);
        pthread_join(srv->reaper, NULL);
    }
    if (srv->daemon != NULL)
        MHD_stop_daemon(srv->daemon); /* closes every connection: on_connection(CLOSED) */
    if (srv->sync_ok) {
        pthread_cond_destroy(&srv->reaper_wake);
        pthread_mutex_destroy(&srv->conns_lock);
    }
    OPENSSL_free(srv->prefix);
    OPENSSL_free(srv);
}
