/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Our own HTTP/1.1 server for rfc5273bis §3.1 (docs/internals/transport.md, "Server").
 *
 * Shape: `threads` workers, each with its own epoll set that owns its connections from
 * accept to close, and one acceptor thread that accepts and hands each new connection to the
 * worker holding the fewest. A request is read, judged (http_parse.c, then
 * cmci_http_check_head), handed to the handler and answered on the worker that owns the
 * connection; the handler may block (the engine waits for the store's group commit), which
 * is why there are many workers, and why connections are spread by count rather than by
 * whoever wakes first (with EPOLLEXCLUSIVE or SO_REUSEPORT a burst of keep-alive clients
 * can land on a few workers, whose clients then wait for each other's commits). Nothing of
 * a connection is touched by two threads at once: the acceptor gives it away through the
 * worker's queue before the worker sees it, and each worker checks the deadlines of its own
 * connections between two epoll_wait calls, so timers and closes cannot race.
 */
#include "transport/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/core_buf.h"
#include "core/core_log.h"
#include "transport/http_parse.h"

#define MT_TEXT "text/plain; charset=utf-8"
#define MT_PKCS7 "application/pkcs7-mime"

/* Input buffer of a connection: a whole request head, or pipelined bytes after a body. */
#define CONN_IN_SIZE CMCI_HTTP_MAX_HEAD
/*
 * After an answer that ends the connection while request bytes may still be unread (a
 * refused head, a body over max_body), we stop sending and read and drop what comes for a
 * little while before closing: closing with unread data makes the kernel send a reset,
 * which can destroy the answer before the client reads it (RFC 9112 §9.6).
 */
#define LINGER_MS 2000
#define LINGER_MAX_BYTES ((size_t)1024 * 1024)
/* When the acceptor cannot accept (max_connections plus the eviction margin reached, or no
 * descriptor left) the connection waits in the listen backlog; it looks again this often. */
#define FULL_RETRY_MS 20
/* Upper bound of one epoll_wait, so a worker re-checks its deadlines at least this often. */
#define TICK_MAX_MS 1000
#define EVENTS_MAX 32

enum conn_state {
    C_HEAD,   /* reading a request head */
    C_BODY,   /* reading a body: Content-Length into body, or chunked through in[] */
    C_WRITE,  /* an answer is being written */
    C_LINGER  /* answered and shut for writing; dropping input until the peer closes */
};

struct worker;

struct conn {
    struct conn *prev, *next; /* the worker's list, or its queue */
    struct worker *w;         /* the owner */
    int fd;
    enum conn_state st;
    int close_after;  /* the answer ends the connection */
    int abort_now;    /* close at once, with no answer: a partial interim answer went out */
    int out_armed;    /* waiting for EPOLLOUT instead of EPOLLIN */
    int linger_after; /* request bytes may still be unread when it does */
    long long idle_at;   /* close when no byte moves until then; 0: no idle timeout */
    long long req_at;    /* the request under way must be complete by then; 0: none */
    long long linger_at; /* C_LINGER ends then */
    size_t lingered;
    long long since;     /* waiting for a request since then: accept, or the last answer */
    int served;          /* answered at least one request (idle keep-alive when waiting) */
    int evict;           /* accepted at max_connections: its worker frees a slot first */

    /* the request under way */
    int req_started;
    struct timespec req_start;
    struct cmci_http_head head;
    enum cmc_http_kind kind;
    size_t max_body;           /* srv->max_body when the request started */
    int chunked;
    struct cmci_http_chunked ch;
    struct cmc_dynbuf cbody;   /* chunked body, capped at max_body */
    uint8_t *body;             /* Content-Length body, exactly head.content_length bytes */
    size_t body_len;
    size_t bytes_in;           /* body bytes received */
    char method[16];           /* sanitised copies for the access log */
    char path[128];
    char log[200];

    /* the answer: hdr then out_body, written from out_off on */
    char hdr[512];
    size_t hdr_len;
    uint8_t *out_body;         /* OPENSSL_malloc'd when out_owned, else points to reason */
    size_t out_len;
    int out_owned;
    size_t out_off;
    char reason[176];
    int sent_status;

    struct sockaddr_storage addr;
    char peer[64];
    size_t in_len;
    uint8_t in[CONN_IN_SIZE];
};

struct cmc_http_server {
    cmc_http_handler_cb cb;
    void *arg;
    _Atomic size_t max_body;
    _Atomic unsigned request_timeout_ms;
    unsigned conn_timeout_ms;
    unsigned max_conn;
    unsigned max_per_ip;
    char *prefix;
    unsigned port;
    unsigned threads;
    int lfd;      /* listening socket */
    int stopfd;   /* eventfd: readable once stop begins */
    atomic_uint open; /* connections open (slots held), for max_connections */
    /* per-address counts, open addressing with linear probing, under ip_lock */
    pthread_mutex_t ip_lock;
    int ip_lock_ok;
    struct ip_slot *ip_tab;
    size_t ip_mask;
    /* one info line a minute at most about deadline closures */
    _Atomic long long summary_at;
    atomic_ulong reaped;
    atomic_ulong evicted; /* connections closed to make room, for the same summary */
    struct worker *workers;
    unsigned started; /* workers running */
    pthread_t acceptor;
    int acceptor_running;
    int aep; /* the acceptor's epoll set: lfd and stopfd */
    int listening; /* lfd is in aep */
};

struct ip_slot {
    uint8_t key[17]; /* family byte + 16 address bytes; key[0] == 0: empty */
    unsigned count;
};

struct worker {
    struct cmc_http_server *srv;
    pthread_t tid;
    int ep;
    int wakefd;       /* eventfd: new connections in the queue */
    pthread_mutex_t q_lock;
    int q_lock_ok;
    struct conn *queue; /* handed over by the acceptor, under q_lock */
    atomic_uint nconns; /* connections owned or queued, for the acceptor's choice */
    struct conn *conns;
    long long next_check; /* earliest deadline of our connections (ms), 0: none */
    unsigned evict_owed;  /* slots to free, after the current batch of events */
    time_t date_at;
    char date[40];
};

/* ---- small helpers ---------------------------------------------------------------------- */

static long long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}

static void format_peer(const struct sockaddr_storage *ss, char *out, size_t outsz)
{
    char host[INET6_ADDRSTRLEN];

    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        if (inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host)) == NULL)
            snprintf(host, sizeof(host), "?");
        snprintf(out, outsz, "[%s]:%u", host, (unsigned)ntohs(a->sin6_port));
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        if (inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host)) == NULL)
            snprintf(host, sizeof(host), "?");
        snprintf(out, outsz, "%s:%u", host, (unsigned)ntohs(a->sin_port));
    }
}

/* ---- per-address connection counts (max_connections_per_ip) --------------------------- */

/*
 * The key an address is counted under. IPv6 addresses are grouped by their /64: one end
 * site usually gets a /64 or more (RFC 6177), so a single host can use any number of its
 * addresses, and counting them one by one would be no limit at all. An IPv4-mapped address
 * (a dual-stack listener) counts as the IPv4 address it is.
 */
void cmci_http_addr_key(const struct sockaddr_storage *ss, uint8_t key[17])
{
    memset(key, 0, 17);
    if (ss->ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

        if (IN6_IS_ADDR_V4MAPPED(a)) {
            key[0] = 4;
            memcpy(key + 1, a->s6_addr + 12, 4);
        } else {
            key[0] = 6;
            memcpy(key + 1, a->s6_addr, 8);
        }
    } else {
        key[0] = 4;
        memcpy(key + 1, &((const struct sockaddr_in *)ss)->sin_addr, 4);
    }
}

static size_t ip_hash(const uint8_t key[17], size_t mask)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (int i = 0; i < 17; i++)
        h = (h ^ key[i]) * 1099511628211ULL;
    return (size_t)h & mask;
}

/* Count one more connection from @p ss; 0 when that address is at its limit. The table has
 * twice as many slots as connections can be open (max_connections plus the eviction margin of
 * `threads`, see accept_one), so a free slot always exists. */
static int ip_acquire(struct cmc_http_server *s, const struct sockaddr_storage *ss)
{
    uint8_t key[17];
    size_t i;
    int ok = 1;

    if (s->max_per_ip == 0)
        return 1;
    cmci_http_addr_key(ss, key);
    pthread_mutex_lock(&s->ip_lock);
    for (i = ip_hash(key, s->ip_mask); s->ip_tab[i].key[0] != 0; i = (i + 1) & s->ip_mask)
        if (memcmp(s->ip_tab[i].key, key, 17) == 0)
            break;
    if (s->ip_tab[i].key[0] == 0)
        memcpy(s->ip_tab[i].key, key, 17);
    if (s->ip_tab[i].count >= s->max_per_ip)
        ok = 0;
    else
        s->ip_tab[i].count++;
    pthread_mutex_unlock(&s->ip_lock);
    return ok;
}

static void ip_release(struct cmc_http_server *s, const struct sockaddr_storage *ss)
{
    uint8_t key[17];
    size_t i, j;

    if (s->max_per_ip == 0)
        return;
    cmci_http_addr_key(ss, key);
    pthread_mutex_lock(&s->ip_lock);
    for (i = ip_hash(key, s->ip_mask); s->ip_tab[i].key[0] != 0; i = (i + 1) & s->ip_mask)
        if (memcmp(s->ip_tab[i].key, key, 17) == 0)
            break;
    if (s->ip_tab[i].key[0] != 0 && s->ip_tab[i].count > 0 && --s->ip_tab[i].count == 0) {
        /* delete with backward shift, so no probe chain is broken */
        s->ip_tab[i].key[0] = 0;
        for (j = (i + 1) & s->ip_mask; s->ip_tab[j].key[0] != 0; j = (j + 1) & s->ip_mask) {
            size_t home = ip_hash(s->ip_tab[j].key, s->ip_mask);

            /* move j to the hole i when its home is not within (i, j] cyclically */
            if (((j - home) & s->ip_mask) >= ((j - i) & s->ip_mask)) {
                s->ip_tab[i] = s->ip_tab[j];
                s->ip_tab[j].key[0] = 0;
                s->ip_tab[j].count = 0;
                i = j;
            }
        }
    }
    pthread_mutex_unlock(&s->ip_lock);
}

/* ---- connections ------------------------------------------------------------------------ */

static void note_deadline(struct worker *w, long long at)
{
    if (at != 0 && (w->next_check == 0 || at < w->next_check))
        w->next_check = at;
}

static void touch(struct worker *w, struct conn *c)
{
    if (w->srv->conn_timeout_ms != 0) {
        c->idle_at = mono_ms() + w->srv->conn_timeout_ms;
        note_deadline(w, c->idle_at);
    }
}

/* The request under way ends (answered or aborted): free what it holds. */
static void req_reset(struct conn *c)
{
    if (c->body != NULL)
        OPENSSL_clear_free(c->body, c->body_len); /* a request can carry a shared secret */
    c->body = NULL;
    c->body_len = 0;
    cmci_dynbuf_free(&c->cbody);
    if (c->out_owned)
        OPENSSL_free(c->out_body);
    c->out_body = NULL;
    c->out_owned = 0;
    c->out_len = c->out_off = c->hdr_len = 0;
    c->req_started = 0;
    c->req_at = 0;
    c->bytes_in = 0;
    c->sent_status = 0;
    c->method[0] = c->path[0] = c->log[0] = '\0';
    c->chunked = 0;
}

/* The access log line: one per request, after it ended, never a body. */
static void log_request(struct conn *c, const char *aborted)
{
    struct timespec now;
    long ms;

    if (!c->req_started)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (long)(now.tv_sec - c->req_start.tv_sec) * 1000L +
         (now.tv_nsec - c->req_start.tv_nsec) / 1000000L;
    CMC_LOG_INFO("http %s %s %s %d in=%zu out=%zu %ldms%s%s%s", c->peer,
                 c->method[0] != '\0' ? c->method : "-", c->path[0] != '\0' ? c->path : "-",
                 c->sent_status, c->bytes_in, c->sent_status != 0 ? c->out_len : 0, ms,
                 aborted != NULL ? aborted : "", c->log[0] != '\0' ? " " : "", c->log);
}

static void conn_close(struct worker *w, struct conn *c, const char *aborted)
{
    struct cmc_http_server *s = w->srv;

    if (c->st != C_LINGER && c->st != C_WRITE)
        log_request(c, aborted);
    req_reset(c);
    (void)epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    ip_release(s, &c->addr);
    atomic_fetch_sub_explicit(&s->open, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&w->nconns, 1, memory_order_relaxed);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    OPENSSL_clear_free(c, sizeof(*c));
}

/* Wait for room to write (@p out) or for input; one epoll_ctl only when it changes. */
static void want_out(struct worker *w, struct conn *c, int out)
{
    struct epoll_event e = {.events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c};

    if (c->out_armed == out)
        return;
    c->out_armed = out;
    (void)epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &e);
}

static const char *date_now(struct worker *w)
{
    time_t t = time(NULL);
    struct tm tm;

    if (t != w->date_at) {
        w->date_at = t;
        gmtime_r(&t, &tm);
        strftime(w->date, sizeof(w->date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    }
    return w->date;
}

/* Queue one answer: a status line, one header block and the body. @p body is owned
 * (OPENSSL_malloc'd) when @p owned. */
static void queue_answer(struct worker *w, struct conn *c, int status, const char *ctype,
                         uint8_t *body, size_t len, int owned)
{
    int n;

    /* RFC 9110 §15.5.6: a 405 lists the allowed methods; rfc5273bis §3.1 allows POST */
    n = snprintf(c->hdr, sizeof(c->hdr),
                 "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                 "%s%s\r\n",
                 status, status_text(status), date_now(w), ctype, len,
                 status == 405 ? "Allow: POST\r\n" : "",
                 c->close_after ? "Connection: close\r\n"
                 : c->head.minor == 0 ? "Connection: keep-alive\r\n" : "");
    c->hdr_len = n > 0 && (size_t)n < sizeof(c->hdr) ? (size_t)n : 0;
    if (strcmp(c->head.method, "HEAD") == 0) {
        /* RFC 9110 §9.3.2: the answer to HEAD has the header fields of the answer to GET
         * and no content; bytes after it would be read as the next answer */
        if (owned)
            OPENSSL_free(body);
        body = NULL;
        len = 0;
        owned = 0;
    }
    c->out_body = body;
    c->out_len = len;
    c->out_owned = owned;
    c->out_off = 0;
    c->sent_status = status;
    c->st = C_WRITE;
}

/* A text/plain one-line answer: the reason plus "\n" (docs/internals/transport.md). */
static void queue_reason(struct worker *w, struct conn *c, int status, const char *reason,
                         int close_conn)
{
    size_t n;

    if (reason == NULL || reason[0] == '\0')
        reason = status_text(status);
    cmci_http_copy_line(c->reason, sizeof(c->reason) - 1, reason);
    if (c->log[0] == '\0') /* the access log says why */
        cmci_http_copy_line(c->log, sizeof(c->log), c->reason);
    n = strlen(c->reason);
    c->reason[n++] = '\n';
    c->reason[n] = '\0';
    if (close_conn) {
        c->close_after = 1;
        c->linger_after = 1;
    }
    queue_answer(w, c, status, MT_TEXT, (uint8_t *)c->reason, n, 0);
}

/* Write what is queued. 1: all written; 0: the socket is full (wait for EPOLLOUT);
 * -1: the connection failed. */
static int flush_answer(struct worker *w, struct conn *c)
{
    while (c->out_off < c->hdr_len + c->out_len) {
        struct iovec iov[2];
        struct msghdr mh;
        int k = 0;
        ssize_t n;

        memset(&mh, 0, sizeof(mh));
        if (c->out_off < c->hdr_len) {
            iov[k].iov_base = c->hdr + c->out_off;
            iov[k++].iov_len = c->hdr_len - c->out_off;
            if (c->out_len > 0) {
                iov[k].iov_base = c->out_body;
                iov[k++].iov_len = c->out_len;
            }
        } else {
            iov[k].iov_base = c->out_body + (c->out_off - c->hdr_len);
            iov[k++].iov_len = c->hdr_len + c->out_len - c->out_off;
        }
        mh.msg_iov = iov;
        mh.msg_iovlen = (size_t)k;
        n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        c->out_off += (size_t)n;
        touch(w, c);
    }
    return 1;
}

/* ---- the request ------------------------------------------------------------------------ */

static void start_request(struct worker *w, struct conn *c)
{
    struct cmc_http_server *s = w->srv;
    unsigned t = atomic_load_explicit(&s->request_timeout_ms, memory_order_relaxed);

    c->req_started = 1;
    clock_gettime(CLOCK_MONOTONIC, &c->req_start);
    c->max_body = atomic_load_explicit(&s->max_body, memory_order_relaxed);
    /* A whole-request deadline from the request's first byte; a new connection's first
     * request has had one since the accept, which is never moved later. */
    if (t != 0) {
        long long at = mono_ms() + t;

        if (c->req_at == 0 || at < c->req_at)
            c->req_at = at;
        note_deadline(w, c->req_at);
    }
}

/* The body is complete: run the handler and queue what it answered. */
static void run_handler(struct worker *w, struct conn *c)
{
    struct cmc_http_server *s = w->srv;
    struct cmc_http_request req;
    struct cmc_http_response resp;
    char ctype[128];

    c->req_at = 0; /* from here on only the idle timeout applies */
    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.kind = c->kind;
    req.path = c->head.path;
    req.peer = c->peer;
    if (c->chunked) {
        req.body = c->cbody.ptr;
        req.body_len = c->cbody.len;
    } else {
        req.body = c->body;
        req.body_len = c->body_len;
    }
    if (req.body_len == 0) {
        queue_reason(w, c, 400, "empty request body", 0);
        return;
    }
    resp.status = 500;
    snprintf(resp.reason, sizeof(resp.reason), "handler gave no answer");

    s->cb(s->arg, &req, &resp);

    /* the request may hold secrets (e.g. a shared-secret identity proof): wipe it now */
    if (c->body != NULL)
        OPENSSL_clear_free(c->body, c->body_len);
    c->body = NULL;
    c->body_len = 0;
    cmci_dynbuf_free(&c->cbody);
    resp.reason[sizeof(resp.reason) - 1] = '\0';
    resp.log[sizeof(resp.log) - 1] = '\0';
    cmci_http_copy_line(c->log, sizeof(c->log), resp.log);

    if (resp.status == 200 && resp.body_len > 0 && resp.body == NULL) {
        resp.status = 500;
        snprintf(resp.reason, sizeof(resp.reason), "handler returned no body");
    }
    /* a final answer is 2xx..5xx; a 1xx cannot end a request */
    if (resp.status < 200 || resp.status > 599) {
        snprintf(resp.reason, sizeof(resp.reason), "handler returned status %d", resp.status);
        resp.status = 500;
    }
    if (resp.status == 200) {
        /* rfc5273bis §3.1: the body is the binary Simple or Full PKI Response */
        cmci_http_copy_line(ctype, sizeof(ctype),
                            resp.content_type != NULL ? resp.content_type : MT_PKCS7);
        queue_answer(w, c, 200, ctype, resp.body, resp.body_len, 1);
        return;
    }
    OPENSSL_free(resp.body);
    queue_reason(w, c, resp.status, resp.reason, 0);
}

/* A head is in: judge it, then set up the body. */
static void on_head(struct worker *w, struct conn *c)
{
    struct cmc_http_server *s = w->srv;
    char cl[24];
    struct cmc_http_head h;
    int status;
    size_t rest;

    cmci_http_copy_line(c->method, sizeof(c->method), c->head.method);
    cmci_http_copy_line(c->path, sizeof(c->path), c->head.path);
    c->close_after = !c->head.keep_alive;
    c->linger_after = 0;
    snprintf(cl, sizeof(cl), "%llu", (unsigned long long)c->head.content_length);
    memset(&h, 0, sizeof(h));
    h.prefix = s->prefix;
    h.max_body = c->max_body;
    h.method = c->head.method;
    h.url = c->head.path;
    h.content_type = c->head.has_content_type ? c->head.content_type : NULL;
    h.content_length = c->head.content_length_count > 0 ? cl : NULL;
    h.content_length_count = c->head.content_length_count;
    h.transfer_encoding = c->head.has_transfer_encoding ? c->head.transfer_encoding : NULL;
    status = cmci_http_check_head(&h, &c->kind, c->reason, sizeof(c->reason));

    /* the head leaves the input buffer; what follows is body or the next request */
    rest = c->in_len - c->head.head_len;
    memmove(c->in, c->in + c->head.head_len, rest);
    c->in_len = rest;
    if (status != 0) {
        /* Refused before the body is read: answer now and end the connection, since the
         * body (if any) is not read. No 100 Continue is sent. */
        char reason[sizeof(c->reason)];

        memcpy(reason, c->reason, sizeof(reason));
        queue_reason(w, c, status, reason, 1);
        return;
    }
    c->st = C_BODY;
    c->chunked = c->head.chunked;
    if (c->chunked) {
        cmci_http_chunked_init(&c->ch);
        cmci_dynbuf_init(&c->cbody, c->max_body);
    } else if (c->head.content_length_count > 0) {
        /* 1..max_body, as cmci_http_check_head made sure */
        size_t n = (size_t)c->head.content_length;

        c->body = OPENSSL_malloc(n);
        if (c->body == NULL) {
            queue_reason(w, c, 503, "out of memory", 1);
            return;
        }
        c->body_len = 0;
        c->head.content_length = n;
        rest = c->in_len < n ? c->in_len : n;
        memcpy(c->body, c->in, rest);
        c->body_len = rest;
        c->bytes_in = rest;
        memmove(c->in, c->in + rest, c->in_len - rest);
        c->in_len -= rest;
    } else {
        /* RFC 9112 §6.3: a request with neither has an empty body */
        queue_reason(w, c, 400, "empty request body", 0);
        return;
    }
    /* RFC 9110 §10.1.1: the client waits for this before sending the body */
    if (c->head.expect_continue && c->in_len == 0 && c->body_len == 0) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

        ssize_t n = send(c->fd, cont, sizeof(cont) - 1, MSG_NOSIGNAL);

        /* 25 bytes into an empty socket buffer; anything else is a dead peer or one that
         * stopped reading its pipelined answers. A final answer after part of the interim
         * one would read as a corrupt status line, so the connection just ends. */
        if (n != (ssize_t)sizeof(cont) - 1)
            c->abort_now = 1;
    }
}

/* Feed the buffered input of a chunked body to the decoder. */
static void on_chunked_input(struct worker *w, struct conn *c)
{
    size_t off = 0;

    while (c->st == C_BODY && off < c->in_len) {
        const uint8_t *data;
        size_t dlen, used;
        struct cmci_http_error e;
        int rc = cmci_http_chunked_feed(&c->ch, c->in + off, c->in_len - off, &used, &data,
                                        &dlen, &e);

        off += used;
        if (rc == CMCI_HTTP_DATA) {
            cmc_err r;

            c->bytes_in += dlen;
            r = cmci_dynbuf_add(&c->cbody, data, dlen);
            if (r != CMC_OK) {
                /* never buffer more than max_body; the rest of the body is not read */
                cmci_dynbuf_free(&c->cbody);
                if (r == CMC_ERR_LIMIT) {
                    snprintf(c->reason, sizeof(c->reason),
                             "request body too large: limit is %zu bytes", c->max_body);
                    queue_reason(w, c, 413, c->reason, 1);
                } else {
                    queue_reason(w, c, 503, "out of memory", 1);
                }
            }
            continue;
        }
        if (rc == CMCI_HTTP_ERROR)
            queue_reason(w, c, e.status, e.reason, 1);
        else if (rc == CMCI_HTTP_DONE)
            run_handler(w, c);
        break; /* NEED_MORE took everything */
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
}

/* Move the connection on as far as the bytes it has allow. Returns 0 when it was closed. */
static int conn_advance(struct worker *w, struct conn *c)
{
    for (;;) {
        switch (c->st) {
        case C_HEAD: {
            struct cmci_http_error e;
            int rc;

            if (c->in_len == 0)
                return 1;
            if (!c->req_started)
                start_request(w, c);
            rc = cmci_http_parse_head(c->in, c->in_len, &c->head, &e);
            if (rc == CMCI_HTTP_NEED_MORE)
                return 1;
            if (rc == CMCI_HTTP_ERROR) {
                c->head.minor = 1;
                c->in_len = 0;
                queue_reason(w, c, e.status, e.reason, 1);
                break;
            }
            on_head(w, c);
            if (c->abort_now) {
                conn_close(w, c, " aborted=continue");
                return 0;
            }
            break;
        }
        case C_BODY:
            if (c->chunked) {
                if (c->in_len == 0)
                    return 1;
                on_chunked_input(w, c);
                if (c->st == C_BODY)
                    return 1;
                break;
            }
            if (c->body_len < (size_t)c->head.content_length)
                return 1;
            run_handler(w, c);
            break;
        case C_WRITE: {
            int rc = flush_answer(w, c);

            if (rc < 0) {
                log_request(c, " aborted=error");
                conn_close(w, c, NULL);
                return 0;
            }
            if (rc == 0) {
                want_out(w, c, 1);
                return 1;
            }
            log_request(c, NULL);
            if (c->close_after) {
                if (!c->linger_after) {
                    c->st = C_LINGER; /* logged already */
                    conn_close(w, c, NULL);
                    return 0;
                }
                /* RFC 9112 §9.6: half-close, then drop input for a while before the close */
                (void)shutdown(c->fd, SHUT_WR);
                req_reset(c);
                c->st = C_LINGER;
                c->linger_at = mono_ms() + LINGER_MS;
                c->lingered = 0;
                c->in_len = 0;
                note_deadline(w, c->linger_at);
                want_out(w, c, 0);
                return 1;
            }
            req_reset(c);
            c->st = C_HEAD;
            c->served = 1;
            c->since = mono_ms();
            want_out(w, c, 0);
            break; /* pipelined bytes may already hold the next request */
        }
        case C_LINGER:
            return 1;
        }
    }
}

/* Readable (or hung up): take what the socket has. */
static void on_readable(struct worker *w, struct conn *c)
{
    uint8_t *dst;
    size_t room;
    ssize_t n;

    if (c->st == C_LINGER) {
        uint8_t junk[4096];

        for (;;) {
            n = recv(c->fd, junk, sizeof(junk), 0);
            if (n > 0 && (c->lingered += (size_t)n) <= LINGER_MAX_BYTES)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                return;
            conn_close(w, c, NULL); /* end of stream, error, or enough dropped */
            return;
        }
    }
    if (c->st == C_BODY && !c->chunked) {
        dst = c->body + c->body_len;
        room = (size_t)c->head.content_length - c->body_len;
    } else {
        dst = c->in + c->in_len;
        room = sizeof(c->in) - c->in_len;
    }
    if (room == 0)
        return; /* cannot happen: a full head buffer is a 431 */
    n = recv(c->fd, dst, room, 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        conn_close(w, c, c->req_started ? " aborted=error" : NULL);
        return;
    }
    if (n == 0) {
        conn_close(w, c, c->req_started || c->in_len > 0 ? " aborted=client" : NULL);
        return;
    }
    touch(w, c);
    if (c->st == C_BODY && !c->chunked) {
        c->body_len += (size_t)n;
        c->bytes_in += (size_t)n;
    } else {
        c->in_len += (size_t)n;
        /* A head is parsed again only when a line was completed (or the buffer is full),
         * so a client dribbling a byte at a time costs one parse per line, not per byte. */
        if (c->st == C_HEAD && memchr(dst, '\n', (size_t)n) == NULL &&
            c->in_len < sizeof(c->in)) {
            if (!c->req_started)
                start_request(w, c);
            return;
        }
    }
    (void)conn_advance(w, c);
}

/* ---- deadlines and the worker loop ----------------------------------------------------- */

/* One line a minute at most about connections closed by a deadline or to make room, so
 * slow senders cannot flood the log. */
static void log_summary(struct cmc_http_server *s, long long now)
{
    long long at = atomic_load_explicit(&s->summary_at, memory_order_relaxed);

    if (now >= at && atomic_compare_exchange_strong(&s->summary_at, &at, now + 60000)) {
        unsigned long n = atomic_exchange(&s->reaped, 0);
        unsigned long e = atomic_exchange(&s->evicted, 0);

        CMC_LOG_INFO("http: in the last minute, %lu connections closed: request not complete "
                     "within request_timeout; %lu closed to make room at max_connections",
                     n, e);
    }
}

/* Close the connections past a deadline; recompute the earliest one. */
static void check_deadlines(struct worker *w)
{
    struct cmc_http_server *s = w->srv;
    long long now = mono_ms(), next = 0;
    struct conn *c, *nx;

    for (c = w->conns; c != NULL; c = nx) {
        nx = c->next;
        if (c->st == C_LINGER && c->linger_at <= now) {
            conn_close(w, c, NULL);
            continue;
        }
        if (c->st != C_WRITE && c->st != C_LINGER && c->req_at != 0 && c->req_at <= now) {
            CMC_LOG_DEBUG("http %s: request not complete within request_timeout; closed",
                          c->peer);
            atomic_fetch_add_explicit(&s->reaped, 1, memory_order_relaxed);
            log_summary(s, now);
            conn_close(w, c, c->req_started ? " aborted=timeout" : NULL);
            continue;
        }
        if (c->idle_at != 0 && c->idle_at <= now) {
            if (c->st == C_WRITE)
                log_request(c, " aborted=timeout");
            conn_close(w, c, c->req_started ? " aborted=timeout" : NULL);
            continue;
        }
        if (c->st == C_LINGER) {
            if (next == 0 || c->linger_at < next)
                next = c->linger_at;
        } else if (c->req_at != 0 && c->st != C_WRITE && (next == 0 || c->req_at < next)) {
            next = c->req_at;
        }
        if (c->idle_at != 0 && (next == 0 || c->idle_at < next))
            next = c->idle_at;
    }
    w->next_check = next;
}

/* Connections open from the address (IPv6: /64) of @p ss; call with ip_lock held. */
static unsigned ip_count_locked(const struct cmc_http_server *s,
                                const struct sockaddr_storage *ss)
{
    uint8_t key[17];
    size_t i;

    cmci_http_addr_key(ss, key);
    for (i = ip_hash(key, s->ip_mask); s->ip_tab[i].key[0] != 0; i = (i + 1) & s->ip_mask)
        if (memcmp(s->ip_tab[i].key, key, 17) == 0)
            return s->ip_tab[i].count;
    return 0;
}

/* Eviction class, lowest first; -1: not evictable. An answered connection lingering or idle
 * between requests has nothing under way; then the request phase. An answer being written
 * is left alone (it ends within conn_timeout). */
static int evict_class(const struct conn *c)
{
    if (c->st == C_LINGER)
        return 0;
    if (c->st == C_WRITE)
        return -1;
    if (c->st == C_HEAD && c->served && !c->req_started && c->in_len == 0)
        return 1;
    return 2;
}

/*
 * The server is at max_connections and the acceptor took one more: free a slot by closing
 * one of our connections (docs/internals/transport.md, "Slow senders"): lingering or idle
 * ones first; then, of those waiting for a request, one from the address holding the most
 * connections, and of those the one that has waited longest. A slow sender that reconnects
 * fast makes every connection short-lived; ranking by address first means it pushes out its
 * own connections, not a client of another address that was slow to send its request
 * (unless the attacker has as many addresses as connections). Only our own connections:
 * nothing is closed by another thread. Called between two batches of events, never inside
 * one, since a later event of the batch may name the victim.
 */
static void evict_one(struct worker *w)
{
    struct cmc_http_server *s = w->srv;
    struct conn *c, *victim = NULL;
    int vclass = 0;
    unsigned vcount = 0;

    if (atomic_load_explicit(&s->open, memory_order_relaxed) <= s->max_conn)
        return; /* a slot came free meanwhile */
    if (s->max_per_ip > 0)
        pthread_mutex_lock(&s->ip_lock);
    for (c = w->conns; c != NULL; c = c->next) {
        int k = evict_class(c);
        unsigned n;

        if (k < 0 || (victim != NULL && k > vclass))
            continue;
        n = k == 2 && s->max_per_ip > 0 ? ip_count_locked(s, &c->addr) : 0;
        if (victim == NULL || k < vclass || n > vcount ||
            (n == vcount && c->since < victim->since)) {
            victim = c;
            vclass = k;
            vcount = n;
        }
    }
    if (s->max_per_ip > 0)
        pthread_mutex_unlock(&s->ip_lock);
    if (victim == NULL)
        return; /* everything here is being answered: the margin holds the newcomer */
    CMC_LOG_DEBUG("http %s: closed to make room at max_connections", victim->peer);
    atomic_fetch_add_explicit(&s->evicted, 1, memory_order_relaxed);
    log_summary(s, mono_ms());
    conn_close(w, victim, victim->req_started ? " aborted=evicted" : NULL);
}

/* Take the connections the acceptor queued for us. */
static void adopt(struct worker *w)
{
    struct conn *q, *c;
    uint64_t v;

    (void)!read(w->wakefd, &v, sizeof(v));
    pthread_mutex_lock(&w->q_lock);
    q = w->queue;
    w->queue = NULL;
    pthread_mutex_unlock(&w->q_lock);
    while ((c = q) != NULL) {
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};

        q = c->next;
        if (c->evict)
            w->evict_owed++;
        c->prev = NULL;
        c->next = w->conns;
        if (w->conns != NULL)
            w->conns->prev = c;
        w->conns = c;
        note_deadline(w, c->req_at);
        touch(w, c);
        if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &e) != 0)
            conn_close(w, c, NULL);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct cmc_http_server *s = w->srv;
    struct epoll_event ev[EVENTS_MAX];
    int stopping = 0;

    while (!stopping) {
        int timeout = TICK_MAX_MS, n;

        if (w->next_check != 0) {
            long long d = w->next_check - mono_ms();

            if (d <= 0) {
                check_deadlines(w);
                continue;
            }
            if (d < timeout)
                timeout = (int)d;
        } else if (w->conns == NULL) {
            timeout = -1; /* nothing to time out: sleep until a connection or the stop */
        }
        n = epoll_wait(w->ep, ev, EVENTS_MAX, timeout);
        for (int i = 0; i < n; i++) {
            void *p = ev[i].data.ptr;

            if (p == (void *)&s->stopfd) {
                stopping = 1;
            } else if (p == (void *)w) {
                adopt(w);
            } else {
                struct conn *c = p;

                /* an answer waiting for room goes first; EPOLLERR/EPOLLHUP end it there */
                if (c->st == C_WRITE)
                    (void)conn_advance(w, c);
                else
                    on_readable(w, c);
            }
        }
        /* Only now: a later event of the batch may name the connection evict_one closes. */
        for (; w->evict_owed > 0; w->evict_owed--)
            evict_one(w);
    }
    /* stop: every connection this worker owns is closed; a handler already ran to its end */
    adopt(w);
    while (w->conns != NULL)
        conn_close(w, w->conns, " aborted=shutdown");
    return NULL;
}

/* ---- the acceptor ----------------------------------------------------------------------- */

static void listen_arm(struct cmc_http_server *s, int on)
{
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = NULL};

    if (on == s->listening)
        return;
    if (on)
        s->listening = epoll_ctl(s->aep, EPOLL_CTL_ADD, s->lfd, &e) == 0;
    else if (epoll_ctl(s->aep, EPOLL_CTL_DEL, s->lfd, NULL) == 0)
        s->listening = 0;
}

/* Accept one connection and give it to the worker with the fewest. */
static void accept_one(struct cmc_http_server *s)
{
    struct sockaddr_storage ss;
    socklen_t alen = sizeof(ss);
    struct worker *w;
    struct conn *c;
    uint64_t one = 1;
    unsigned t;
    int fd, on = 1;

    /* At max_connections a new connection is still accepted, and the worker it goes to
     * first closes its connection that has waited longest for a request (evict_one): slow
     * senders cannot keep a legitimate client in the backlog, however fast they reconnect.
     * Up to `threads` connections more than max_connections can be open for a moment
     * (evictions are done by the owning workers); beyond that margin the connection waits
     * in the listen backlog. */
    if (atomic_load_explicit(&s->open, memory_order_relaxed) >= s->max_conn + s->threads) {
        listen_arm(s, 0);
        return;
    }
    fd = accept4(s->lfd, (struct sockaddr *)&ss, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            CMC_LOG_DEBUG("http: accept: %s", strerror(errno));
            listen_arm(s, 0); /* look again in FULL_RETRY_MS instead of spinning */
        }
        return;
    }
    if (!ip_acquire(s, &ss)) {
        /* closed at once, before anything is read (docs/configuration.md) */
        close(fd);
        return;
    }
    c = OPENSSL_zalloc(sizeof(*c));
    if (c == NULL) {
        close(fd);
        ip_release(s, &ss);
        return;
    }
    atomic_fetch_add_explicit(&s->open, 1, memory_order_relaxed);
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    c->fd = fd;
    c->addr = ss;
    format_peer(&ss, c->peer, sizeof(c->peer));
    c->st = C_HEAD;
    c->since = mono_ms();
    c->evict = atomic_load_explicit(&s->open, memory_order_relaxed) > s->max_conn;
    /* The first request must be complete within request_timeout of the accept. */
    t = atomic_load_explicit(&s->request_timeout_ms, memory_order_relaxed);
    c->req_at = t != 0 ? mono_ms() + t : 0;

    w = &s->workers[0];
    for (unsigned i = 1; i < s->threads; i++)
        if (atomic_load_explicit(&s->workers[i].nconns, memory_order_relaxed) <
            atomic_load_explicit(&w->nconns, memory_order_relaxed))
            w = &s->workers[i];
    c->w = w;
    atomic_fetch_add_explicit(&w->nconns, 1, memory_order_relaxed);
    pthread_mutex_lock(&w->q_lock);
    c->next = w->queue;
    w->queue = c;
    pthread_mutex_unlock(&w->q_lock);
    (void)!write(w->wakefd, &one, sizeof(one));
}

static void *acceptor_main(void *arg)
{
    struct cmc_http_server *s = arg;
    struct epoll_event ev[4];

    for (;;) {
        int n;

        if (!s->listening &&
            atomic_load_explicit(&s->open, memory_order_relaxed) < s->max_conn + s->threads)
            listen_arm(s, 1);
        n = epoll_wait(s->aep, ev, 4, s->listening ? -1 : FULL_RETRY_MS);
        for (int i = 0; i < n; i++) {
            if (ev[i].data.ptr == (void *)&s->stopfd)
                return NULL;
            accept_one(s);
        }
    }
}

/* ---- start and stop --------------------------------------------------------------------- */

static cmc_err open_listener(struct cmc_http_server *s, const struct cmc_http_server_config *cfg)
{
    struct addrinfo hints, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t alen = sizeof(ss);
    char port[16];
    int rc, one = 1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    snprintf(port, sizeof(port), "%u", cfg->port);
    rc = getaddrinfo(cfg->host != NULL ? cfg->host : "127.0.0.1", port, &hints, &ai);
    if (rc != 0 || ai == NULL)
        CMC_BAIL(CMC_ERR_CONFIG, "listen address \"%s\": %s", cfg->host ? cfg->host : "",
                 gai_strerror(rc));
    s->lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->lfd < 0 || setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(s->lfd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(s->lfd, SOMAXCONN) != 0 ||
        getsockname(s->lfd, (struct sockaddr *)&ss, &alen) != 0) {
        int e = errno;

        freeaddrinfo(ai);
        CMC_BAIL(CMC_ERR_TRANSPORT, "cannot listen on %s port %u: %s",
                 cfg->host ? cfg->host : "127.0.0.1", cfg->port, strerror(e));
    }
    freeaddrinfo(ai);
    s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    return CMC_OK;
}

static int add_in(int ep, int fd, void *tag)
{
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = tag};

    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) == 0;
}

cmc_err cmci_http_server_start(struct cmc_http_server **out,
                               const struct cmc_http_server_config *cfg,
                               cmc_http_handler_cb cb, void *arg)
{
    struct cmc_http_server *s = NULL;
    size_t tab;
    cmc_err rv;

    CMC_ENSURE_REF(out);
    *out = NULL;
    CMC_ENSURE_REF(cfg);
    CMC_ENSURE_REF(cb);
    CMC_ENSURE(cfg->max_body > 0, CMC_ERR_CONFIG, "max_body must be positive");
    CMC_ENSURE(cfg->port <= 65535, CMC_ERR_CONFIG, "port %u out of range", cfg->port);
    CMC_ENSURE(cfg->request_timeout_s <= 86400 && cfg->conn_timeout_s <= 86400, CMC_ERR_CONFIG,
               "timeouts above one day");
    CMC_ENSURE(cfg->max_connections <= 1000000, CMC_ERR_CONFIG,
               "max_connections %u too large", cfg->max_connections);

    s = OPENSSL_zalloc(sizeof(*s));
    if (s == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "http server");
    s->lfd = s->stopfd = s->aep = -1;
    s->cb = cb;
    s->arg = arg;
    atomic_init(&s->max_body, cfg->max_body);
    atomic_init(&s->request_timeout_ms, cfg->request_timeout_s * 1000u);
    atomic_init(&s->open, 0);
    atomic_init(&s->summary_at, mono_ms() + 60000);
    atomic_init(&s->reaped, 0);
    atomic_init(&s->evicted, 0);
    s->conn_timeout_ms = cfg->conn_timeout_s * 1000u;
    s->max_conn = cfg->max_connections > 0 ? cfg->max_connections : 512;
    s->max_per_ip = cfg->max_conn_per_ip;
    /* A worker beyond max_connections could never hold a connection. */
    s->threads = cfg->threads > 0 ? cfg->threads : 1;
    if (s->threads > s->max_conn) {
        CMC_LOG_WARN("threads = %u is more than max_connections = %u; using %u threads",
                     s->threads, s->max_conn, s->max_conn);
        s->threads = s->max_conn;
    }
    s->prefix = OPENSSL_strdup(cfg->path_prefix != NULL && cfg->path_prefix[0] != '\0'
                                   ? cfg->path_prefix
                                   : "/");
    if (s->prefix == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "http server");
        goto err;
    }
    if (s->max_per_ip > 0) {
        for (tab = 16; tab < ((size_t)s->max_conn + s->threads) * 2; tab *= 2)
            ;
        s->ip_tab = OPENSSL_zalloc(tab * sizeof(*s->ip_tab));
        if (s->ip_tab == NULL) {
            rv = cmci_fail(CMC_ERR_NOMEM, "http server");
            goto err;
        }
        s->ip_mask = tab - 1;
    }
    if (pthread_mutex_init(&s->ip_lock, NULL) != 0) {
        rv = cmci_fail(CMC_ERR_INTERNAL, "http server: mutex");
        goto err;
    }
    s->ip_lock_ok = 1;
    rv = open_listener(s, cfg);
    if (rv != CMC_OK)
        goto err;
    s->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    s->aep = epoll_create1(EPOLL_CLOEXEC);
    s->workers = OPENSSL_zalloc(s->threads * sizeof(*s->workers));
    if (s->stopfd < 0 || s->aep < 0 || s->workers == NULL ||
        !add_in(s->aep, s->stopfd, &s->stopfd)) {
        rv = cmci_fail(CMC_ERR_INTERNAL, "http server: %s", strerror(errno));
        goto err;
    }
    for (unsigned i = 0; i < s->threads; i++)
        s->workers[i].ep = s->workers[i].wakefd = -1;
    for (unsigned i = 0; i < s->threads; i++) {
        struct worker *w = &s->workers[i];

        w->srv = s;
        atomic_init(&w->nconns, 0);
        w->ep = epoll_create1(EPOLL_CLOEXEC);
        w->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->ep < 0 || w->wakefd < 0 || !add_in(w->ep, s->stopfd, &s->stopfd) ||
            !add_in(w->ep, w->wakefd, w) || pthread_mutex_init(&w->q_lock, NULL) != 0) {
            rv = cmci_fail(CMC_ERR_INTERNAL, "http server: %s", strerror(errno));
            goto err;
        }
        w->q_lock_ok = 1;
        if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
            rv = cmci_fail(CMC_ERR_INTERNAL, "http server: cannot start a worker thread");
            goto err;
        }
        s->started++;
    }
    listen_arm(s, 1);
    if (!s->listening || pthread_create(&s->acceptor, NULL, acceptor_main, s) != 0) {
        rv = cmci_fail(CMC_ERR_INTERNAL, "http server: cannot start the acceptor thread");
        goto err;
    }
    s->acceptor_running = 1;
    CMC_LOG_INFO("http listening on %s port %u path %s", cfg->host ? cfg->host : "127.0.0.1",
                 s->port, s->prefix);
    *out = s;
    return CMC_OK;

err:
    cmci_http_server_stop(s);
    return rv;
}

unsigned cmci_http_server_port(const struct cmc_http_server *s)
{
    return s != NULL ? s->port : 0;
}

unsigned cmci_http_server_threads(const struct cmc_http_server *s)
{
    return s != NULL ? s->threads : 0;
}

void cmci_http_server_set_limits(struct cmc_http_server *s, size_t max_body,
                                 unsigned request_timeout_s)
{
    if (s == NULL || max_body == 0)
        return;
    atomic_store_explicit(&s->max_body, max_body, memory_order_relaxed);
    atomic_store_explicit(&s->request_timeout_ms,
                          request_timeout_s <= 86400 ? request_timeout_s * 1000u : 86400000u,
                          memory_order_relaxed);
}

void cmci_http_server_stop(struct cmc_http_server *s)
{
    uint64_t one = 1;

    if (s == NULL)
        return;
    /* The acceptor and every worker have the eventfd in their sets: one write wakes them
     * all (it is never read, so it stays readable). A worker inside a handler sees it when
     * the handler returns, so the stop waits only for handler calls already running. */
    if (s->stopfd >= 0)
        (void)!write(s->stopfd, &one, sizeof(one));
    if (s->acceptor_running)
        pthread_join(s->acceptor, NULL);
    for (unsigned i = 0; i < s->started; i++)
        pthread_join(s->workers[i].tid, NULL);
    if (s->workers != NULL) {
        for (unsigned i = 0; i < s->threads; i++) {
            struct worker *w = &s->workers[i];

            /* a connection queued after its worker took its last look */
            while (w->queue != NULL) {
                struct conn *c = w->queue;

                w->queue = c->next;
                close(c->fd);
                OPENSSL_clear_free(c, sizeof(*c));
            }

            if (w->ep >= 0)
                close(w->ep);
            if (w->wakefd >= 0)
                close(w->wakefd);
            if (w->q_lock_ok)
                pthread_mutex_destroy(&w->q_lock);
        }
    }
    if (s->aep >= 0)
        close(s->aep);
    if (s->lfd >= 0)
        close(s->lfd);
    if (s->stopfd >= 0)
        close(s->stopfd);
    if (s->ip_lock_ok)
        pthread_mutex_destroy(&s->ip_lock);
    OPENSSL_free(s->ip_tab);
    OPENSSL_free(s->workers);
    OPENSSL_free(s->prefix);
    OPENSSL_free(s);
}
