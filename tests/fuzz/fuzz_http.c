/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the HTTP request framing of src/transport/transport_http.c. Each input is
 * one raw HTTP/1.1 request as a client would send it (several, when pipelined).
 *
 * 1. The head decision, pure: a small lenient parser here takes the method, path,
 *    Content-Type and Content-Length out of the input and calls cmci_http_check_head, and
 *    cmci_http_classify_content_type is also fed the input itself as a header value.
 *    Oracles: the status is 0 or one of 400/404/405/413/415/501; a reason is one printable,
 *    NUL-terminated line (peer text must not split log or response lines); 0 only for POST
 *    under the prefix with a request media type and, when declared, a length in
 *    1..max_body; the kind agrees with the media type; and the classification does not
 *    change when the value is upper- or lower-cased (everything in it is matched without
 *    regard to case).
 * 2. The same bytes on the wire: sent over loopback to a real in-process server
 *    (cmci_http_server_start, src/transport/http_server.c, max_body 64) whose handler
 *    checks what reaches it: a body of 1..max_body bytes, a request kind, a path under the
 *    prefix. The handler also answers badly on request (see fuzz_handler) so the
 *    transport's repairs run. The first answer must be an HTTP/1.x status line with one
 *    header block and one Content-Length (nothing after it when it closes the
 *    connection), and a text/plain reason body one printable line.
 * Any failed oracle aborts, from whichever thread saw it.
 *
 * Determinism: the server runs in its own thread, so the coverage of part 2 varies a little
 * with timing; part 1 is exact. */
#include "fuzz.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/core_log.h"
#include "transport/transport_http.h"

#define FUZZ_PREFIX "/cmc"
#define FUZZ_MAX_BODY 64
#define FUZZ_MAX_INPUT (64 * 1024)  /* longer inputs are cut: the framing is in the head */
#define FUZZ_WIRE_TIMEOUT_MS 10000  /* a request that hangs this long is a bug */

static void die(const char *what)
{
    fprintf(stderr, "fuzz_http: oracle failed: %s\n", what);
    abort();
}

/* One printable line, NUL-terminated within @p cap. */
static void check_line(const char *s, size_t cap, const char *what)
{
    const char *end = memchr(s, '\0', cap);

    if (end == NULL)
        die(what);
    for (; s < end; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            die(what);
}

/* ---- 1. the head decision ------------------------------------------------------------ */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static int starts_with_ci(const char *s, const char *prefix)
{
    return strncasecmp(skip_ws(s), prefix, strlen(prefix)) == 0;
}

static void set_case(char *dst, const char *src, int upper)
{
    for (; *src != '\0'; src++, dst++)
        *dst = (char)(upper ? toupper((unsigned char)*src) : tolower((unsigned char)*src));
    *dst = '\0';
}

/* Classify @p ct and its upper- and lower-cased forms; all three must agree. */
static void check_content_type(const char *ct)
{
    char why[160], *v;
    size_t n = strlen(ct);
    enum cmc_http_kind k0 = 0, k1 = 0, k2 = 0;
    int ok0, ok1, ok2;

    ok0 = cmci_http_classify_content_type(ct, &k0, why, sizeof(why));
    if (!ok0)
        check_line(why, sizeof(why), "classify reason");
    else if (!(k0 == CMC_HTTP_KIND_PKCS10 && starts_with_ci(ct, "application/pkcs10"))
             && !(k0 == CMC_HTTP_KIND_CMC_REQUEST && starts_with_ci(ct, "application/pkcs7-mime")))
        die("kind does not match the media type");
    if ((v = malloc(n + 1)) == NULL)
        return;
    set_case(v, ct, 1);
    ok1 = cmci_http_classify_content_type(v, &k1, why, sizeof(why));
    set_case(v, ct, 0);
    ok2 = cmci_http_classify_content_type(v, &k2, why, sizeof(why));
    free(v);
    if (ok1 != ok0 || ok2 != ok0 || (ok0 && (k1 != k0 || k2 != k0)))
        die("classification depends on letter case");
}

/* Value of header @p name in the head [@p p, @p end), first occurrence; NULL if absent.
 * Written into @p buf (cut to its size). */
static const char *find_header(const char *p, const char *end, const char *name, char *buf,
                               size_t bufsz)
{
    size_t nlen = strlen(name);

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *lend = eol != NULL ? eol : end;

        if ((size_t)(lend - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            size_t n = (size_t)(lend - (p + nlen + 1));

            if (n > 0 && p[nlen + n] == '\r')
                n--; /* the CR of CRLF */
            if (n >= bufsz)
                n = bufsz - 1;
            memcpy(buf, p + nlen + 1, n);
            buf[n] = '\0';
            return skip_ws(buf);
        }
        p = lend + 1;
    }
    return NULL;
}

static void check_head(const char *req, size_t len)
{
    char method[32], url[512], ctbuf[512], clbuf[64], tebuf[64], reason[160];
    const char *head_end, *line_end, *sp1, *sp2, *cl;
    struct cmc_http_head h;
    enum cmc_http_kind kind = 0;
    size_t n;
    int status;

    head_end = strstr(req, "\r\n\r\n");
    if (head_end == NULL)
        head_end = strstr(req, "\n\n");
    if (head_end == NULL)
        head_end = req + len;
    line_end = memchr(req, '\n', (size_t)(head_end - req));
    if (line_end == NULL)
        line_end = head_end;
    /* request line: METHOD SP URL [SP VERSION] */
    sp1 = memchr(req, ' ', (size_t)(line_end - req));
    if (sp1 == NULL)
        return;
    n = (size_t)(sp1 - req) < sizeof(method) - 1 ? (size_t)(sp1 - req) : sizeof(method) - 1;
    memcpy(method, req, n);
    method[n] = '\0';
    sp2 = memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1));
    if (sp2 == NULL)
        sp2 = line_end;
    n = (size_t)(sp2 - sp1 - 1) < sizeof(url) - 1 ? (size_t)(sp2 - sp1 - 1) : sizeof(url) - 1;
    memcpy(url, sp1 + 1, n);
    url[n] = '\0';

    memset(&h, 0, sizeof(h));
    h.prefix = FUZZ_PREFIX;
    h.max_body = FUZZ_MAX_BODY;
    h.method = method;
    h.url = url;
    h.content_type = find_header(line_end, head_end, "Content-Type", ctbuf, sizeof(ctbuf));
    h.content_length = cl = find_header(line_end, head_end, "Content-Length", clbuf,
                                        sizeof(clbuf));
    h.transfer_encoding =
        find_header(line_end, head_end, "Transfer-Encoding", tebuf, sizeof(tebuf));
    memset(reason, 0x55, sizeof(reason));
    status = cmci_http_check_head(&h, &kind, reason, sizeof(reason));
    switch (status) {
    case 0:
        if (strcmp(method, "POST") != 0)
            die("accepted a method other than POST");
        if (strncmp(url, FUZZ_PREFIX, strlen(FUZZ_PREFIX)) != 0)
            die("accepted a path outside the prefix");
        if (kind != CMC_HTTP_KIND_PKCS10 && kind != CMC_HTTP_KIND_CMC_REQUEST)
            die("accepted without a kind");
        if (h.content_type == NULL)
            die("accepted without a Content-Type");
        if (h.transfer_encoding != NULL && (cl != NULL || strcasecmp(h.transfer_encoding,
                                                                     "chunked") != 0))
            die("accepted framing other than one Content-Length or chunked alone");
        if (cl != NULL && *cl >= '0' && *cl <= '9') {
            unsigned long long v = strtoull(cl, NULL, 10);
            if (v == 0 || v > FUZZ_MAX_BODY)
                die("accepted a declared length outside 1..max_body");
        }
        break;
    case 400:
    case 404:
    case 405:
    case 413:
    case 415:
    case 501:
        check_line(reason, sizeof(reason), "head reason");
        break;
    default:
        die("unexpected head status");
    }
    if (h.content_type != NULL)
        check_content_type(h.content_type);
}

/* ---- 2. on the wire ------------------------------------------------------------------ */

static struct cmc_http_server *srv;
static unsigned srv_port;

/* Checks what the transport hands over, then answers as the body's first byte asks:
 * 'E' a 503 whose reason holds control characters and a body that must not be sent, 'N' a
 * 200 that claims a body it does not give, 'S' an impossible status, 'Z' an empty 200;
 * anything else is echoed. */
static void fuzz_handler(void *arg, const struct cmc_http_request *req,
                         struct cmc_http_response *resp)
{
    (void)arg;
    if (req->body == NULL || req->body_len == 0 || req->body_len > FUZZ_MAX_BODY)
        die("handler got a body outside 1..max_body");
    if (req->kind != CMC_HTTP_KIND_PKCS10 && req->kind != CMC_HTTP_KIND_CMC_REQUEST)
        die("handler got no kind");
    if (req->path == NULL || strncmp(req->path, FUZZ_PREFIX, strlen(FUZZ_PREFIX)) != 0)
        die("handler got a path outside the prefix");
    switch (req->body[0]) {
    case 'E':
        resp->status = 503;
        snprintf(resp->reason, sizeof(resp->reason), "busy\r\nX-Injected: 1\x7f\x01");
        resp->body = OPENSSL_malloc(4);
        resp->body_len = resp->body != NULL ? 4 : 0;
        return;
    case 'N':
        resp->status = 200;
        resp->body_len = 10;
        return;
    case 'S':
        resp->status = 42;
        return;
    case 'Z':
        resp->status = 200;
        return;
    default:
        break;
    }
    if ((resp->body = OPENSSL_malloc(req->body_len)) == NULL) {
        resp->status = 500;
        return;
    }
    memcpy(resp->body, req->body, req->body_len);
    resp->body_len = req->body_len;
    resp->status = 200;
    snprintf(resp->log, sizeof(resp->log), "fuzz\n%zu", req->body_len);
}

static void stop_server(void)
{
    cmci_http_server_stop(srv);
    srv = NULL;
}

static void start_server(void)
{
    struct cmc_http_server_config cfg = {
        .host = "127.0.0.1",
        .port = 0,
        .threads = 1,
        .max_body = FUZZ_MAX_BODY,
        .conn_timeout_s = 5,
        .max_connections = 16,
        .path_prefix = FUZZ_PREFIX,
    };

    cmci_log_set_level(CMC_LOG_ERROR); /* no access log line per input */
    if (cmci_http_server_start(&srv, &cfg, fuzz_handler, NULL) != CMC_OK) {
        fprintf(stderr, "fuzz_http: cannot start the server: %s\n", cmc_error_get0_message());
        abort();
    }
    srv_port = cmci_http_server_port(srv);
    atexit(stop_server);
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)(t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

/*
 * Send @p data, half-close, and read until the server closes. @return bytes read into @p
 * out (at most @p cap; the rest is read and dropped), or -1 when the exchange broke off
 * (a reset after an early answer is normal: the server does not read a refused body).
 *
 * The half-close waits until the answer starts or FUZZ_WIRE_FIN_DELAY_MS passed. That was
 * needed for libmicrohttpd (edge-triggered epoll), which did not notice a FIN arriving with
 * the request's last bytes; our server reads level-triggered, and the delay is kept so the
 * corpus exercises the same exchanges as before.
 */
#define FUZZ_WIRE_FIN_DELAY_MS 2
static long exchange(const uint8_t *data, size_t size, char *out, size_t cap)
{
    struct sockaddr_in sa;
    struct timespec t0, t_sent;
    size_t sent = 0, got = 0;
    int fd, wr_open = 1, all_sent = 0;

    if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)srv_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct pollfd p = {.fd = fd,
                           .events = POLLIN | (wr_open && !all_sent ? POLLOUT : 0)};
        long left = FUZZ_WIRE_TIMEOUT_MS - elapsed_ms(&t0);
        char sink[4096];
        ssize_t n;

        if (left <= 0)
            die("the server neither answered nor closed the connection");
        if (wr_open && all_sent) {
            long fin_in = FUZZ_WIRE_FIN_DELAY_MS - elapsed_ms(&t_sent);
            if (got > 0 || fin_in <= 0) {
                shutdown(fd, SHUT_WR);
                wr_open = 0;
            } else if (fin_in < left) {
                left = fin_in;
            }
        }
        if (poll(&p, 1, (int)left) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (wr_open && !all_sent && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
            if (sent < size) {
                n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
                if (n > 0)
                    sent += (size_t)n;
                else if (n < 0 && errno != EAGAIN && errno != EINTR)
                    wr_open = 0; /* the server stopped reading: fine, read its answer */
            }
            if (wr_open && sent == size) {
                all_sent = 1;
                clock_gettime(CLOCK_MONOTONIC, &t_sent);
            }
        }
        if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
            if (got < cap)
                n = recv(fd, out + got, cap - got, 0);
            else
                n = recv(fd, sink, sizeof(sink), 0);
            if (n == 0)
                break; /* closed: done */
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    continue;
                close(fd);
                return -1; /* reset */
            }
            if (got < cap)
                got += (size_t)n;
        }
    }
    close(fd);
    return (long)got;
}

/* The first answer: "HTTP/1.x NNN", one header block with one Content-Length (nothing after
 * it when it closes the connection), and a text/plain body is one printable line. */
static void check_answer(const char *a, size_t len)
{
    const char *hend, *ct, *clh;
    int status;

    if (len == 0)
        return; /* closed without an answer: e.g. an incomplete request */
    if (len < 12 || memcmp(a, "HTTP/1.", 7) != 0 || a[8] != ' ')
        die("answer does not start with an HTTP/1.x status line");
    status = atoi(a + 9);
    if (status < 100 || status > 599)
        die("answer status out of range");
    if ((hend = strstr(a, "\r\n\r\n")) == NULL)
        return; /* cut off */
    if (strcasestr(a, "\r\nX-Injected:") != NULL && strcasestr(a, "\r\nX-Injected:") < hend)
        die("a handler's reason became a header");
    ct = strcasestr(a, "\r\nContent-Type: text/plain");
    clh = strcasestr(a, "\r\nContent-Length:");
    if (status >= 200) {
        const char *cl2 = clh != NULL ? strcasestr(clh + 2, "\r\nContent-Length:") : NULL;
        const char *cc = strcasestr(a, "\r\nConnection: close\r\n");

        /* one header block per answer, with one length: the old libmicrohttpd sent its
         * status line and header block twice for a malformed Content-Length */
        if (clh == NULL || clh > hend)
            die("answer without Content-Length");
        if (cl2 != NULL && cl2 < hend)
            die("answer with two Content-Length fields");
        if (cc != NULL && cc < hend && len < FUZZ_MAX_INPUT) {
            size_t bl = strtoul(clh + 17, NULL, 10);

            if ((size_t)(a + len - (hend + 4)) > bl)
                die("bytes after an answer that closes the connection");
        }
    }
    if (ct != NULL && ct < hend && clh != NULL && clh < hend) {
        size_t bl = strtoul(clh + 17, NULL, 10);
        const char *b = hend + 4;

        /* HEAD answers carry no body; a short read leaves nothing to check */
        if (bl == 0 || (size_t)(a + len - b) < bl)
            return;
        if (b[bl - 1] != '\n')
            die("text/plain answer does not end in a newline");
        for (size_t i = 0; i + 1 < bl; i++)
            if ((unsigned char)b[i] < 0x20 || b[i] == 0x7f)
                die("text/plain answer holds a control character");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char answer[FUZZ_MAX_INPUT + 1];
    char *req;
    long got;

    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    /* 1: as a C string (the server's header values are C strings too) */
    if ((req = malloc(size + 1)) == NULL)
        return 0;
    memcpy(req, data, size);
    req[size] = '\0';
    check_head(req, strlen(req));
    if (strlen(req) < 512)
        check_content_type(req);
    free(req);

    /* 2 */
    if (srv == NULL)
        start_server();
    got = exchange(data, size, answer, sizeof(answer) - 1);
    if (got >= 0) {
        answer[got] = '\0';
        check_answer(answer, (size_t)got);
    }
    if (getenv("FUZZ_HTTP_SHOW") != NULL) /* for corpus work: what did the server say? */
        fprintf(stderr, "fuzz_http: %.*s\n", (int)strcspn(got > 0 ? answer : "(none)", "\r\n"),
                got > 0 ? answer : "(none)");
    return 0;
}
