/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/transport/transport_http.c and http_server.c over loopback: media types,
 * methods, paths, limits, keep-alive, timeouts and survival of hostile clients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "core/core_log.h"
#include "transport/http_server.h"
#include "transport/transport_http.h"

#define MAX_BODY 1024
#define RESP_CT "application/pkcs7-mime; smime-type=CMC-response"
#define ECHO "ECHO:"

static struct cmc_http_server *srv;
static unsigned port;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static int seen_kind;  /* kind given to the handler by the last request, 0 = none */
static int seen_calls; /* handler calls so far */

/* Echo handler: answers "ECHO:" + body; "FAIL" gets a 503 with a two-line reason (the
 * transport must flatten it), "NOBODY" a 200 that claims a body it does not give. */
static void echo_handler(void *arg, const struct cmc_http_request *req,
                         struct cmc_http_response *resp)
{
    pthread_mutex_lock(&seen_lock);
    seen_kind = (int)req->kind;
    seen_calls++;
    pthread_mutex_unlock(&seen_lock);

    if (req->body_len == 4 && memcmp(req->body, "FAIL", 4) == 0) {
        resp->status = 503;
        snprintf(resp->reason, sizeof(resp->reason), "busy\nsecond line");
        resp->body = OPENSSL_malloc(8); /* must be freed by the transport, not sent */
        resp->body_len = 8;
        return;
    }
    if (req->body_len == 6 && memcmp(req->body, "NOBODY", 6) == 0) {
        resp->status = 200;
        resp->body_len = 10;
        return;
    }
    resp->body = OPENSSL_malloc(req->body_len + sizeof(ECHO) - 1);
    if (resp->body == NULL) {
        resp->status = 500;
        return;
    }
    memcpy(resp->body, ECHO, sizeof(ECHO) - 1);
    memcpy(resp->body + sizeof(ECHO) - 1, req->body, req->body_len);
    resp->body_len = req->body_len + sizeof(ECHO) - 1;
    resp->content_type = RESP_CT;
    resp->status = 200;
    snprintf(resp->log, sizeof(resp->log), "echo n=%zu", req->body_len);
}

static int last_kind(void)
{
    int k;

    pthread_mutex_lock(&seen_lock);
    k = seen_kind;
    seen_kind = 0;
    pthread_mutex_unlock(&seen_lock);
    return k;
}

static int handler_calls(void)
{
    int n;

    pthread_mutex_lock(&seen_lock);
    n = seen_calls;
    pthread_mutex_unlock(&seen_lock);
    return n;
}

static int group_setup(void **state)
{
    struct cmc_http_server_config cfg = {
        .host = "127.0.0.1",
        .port = 0,
        .threads = 2,
        .max_body = MAX_BODY,
        .conn_timeout_s = 1,
        .max_connections = 32,
        .path_prefix = "/cmc",
    };

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    if (cmci_http_server_start(&srv, &cfg, echo_handler, NULL) != CMC_OK)
        return -1;
    port = cmci_http_server_port(srv);
    return port != 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    cmci_http_server_stop(srv);
    curl_global_cleanup();
    return 0;
}

/* ---- a small libcurl client of our own ---- */

struct reply {
    long status;
    char body[4096];
    size_t len;
    char ctype[128];
    char allow[32];
    long connects;
};

static size_t on_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct reply *r = userp;
    size_t n = size * nmemb;

    if (n > sizeof(r->body) - 1 - r->len)
        return 0;
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

struct upload {
    const char *data;
    size_t len, off;
};

static size_t on_read(char *buf, size_t size, size_t nitems, void *userp)
{
    struct upload *u = userp;
    size_t n = size * nitems;

    if (n > u->len - u->off)
        n = u->len - u->off;
    if (n > 300)
        n = 300; /* several chunks */
    memcpy(buf, u->data + u->off, n);
    u->off += n;
    return n;
}

/* Send one request on @p h (reused when given, for keep-alive); ctype NULL sends none. */
static CURLcode request(CURL *h, const char *method, const char *path, const char *ctype,
                        const void *body, size_t len, int chunked, struct reply *out)
{
    CURL *own = NULL;
    struct curl_slist *hdrs = NULL;
    struct curl_header *hv = NULL;
    struct upload up = {body, len, 0};
    char url[256], ct[256];
    const char *p = NULL;
    CURLcode cc;

    memset(out, 0, sizeof(*out));
    if (h == NULL)
        h = own = curl_easy_init();
    assert_non_null(h);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
    snprintf(ct, sizeof(ct), "Content-Type:%s%s", ctype ? " " : "", ctype ? ctype : "");
    hdrs = curl_slist_append(hdrs, ct);
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (chunked)
        hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        if (chunked) {
            curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
            curl_easy_setopt(h, CURLOPT_READDATA, &up);
        } else {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
        }
    } else {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    cc = curl_easy_perform(h);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
        curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &out->connects);
        if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &p) == CURLE_OK && p != NULL)
            snprintf(out->ctype, sizeof(out->ctype), "%s", p);
        if (curl_easy_header(h, "Allow", 0, CURLH_HEADER, -1, &hv) == CURLHE_OK)
            snprintf(out->allow, sizeof(out->allow), "%s", hv->value);
    }
    curl_slist_free_all(hdrs);
    if (own != NULL)
        curl_easy_cleanup(own);
    return cc;
}

static void post(const char *path, const char *ctype, const void *body, size_t len,
                 struct reply *out)
{
    assert_int_equal(request(NULL, "POST", path, ctype, body, len, 0, out), CURLE_OK);
}

/* Every answer of the transport itself is a text/plain one-liner. */
static void assert_one_line(const struct reply *r)
{
    assert_true(r->len > 1);
    assert_int_equal(r->body[r->len - 1], '\n');
    assert_null(memchr(r->body, '\n', r->len - 1));
    assert_non_null(strstr(r->ctype, "text/plain"));
}

static void assert_echo(const struct reply *r, const char *body)
{
    assert_int_equal(r->status, 200);
    assert_string_equal(r->ctype, RESP_CT);
    assert_int_equal(r->len, strlen(ECHO) + strlen(body));
    assert_memory_equal(r->body, ECHO, strlen(ECHO));
    assert_memory_equal(r->body + strlen(ECHO), body, strlen(body));
}

/* ---- raw sockets, for what curl will not send ---- */

static int raw_connect(void)
{
    struct sockaddr_in sa;
    struct timeval tv = {5, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    return fd;
}

static void raw_send(int fd, const void *p, size_t n)
{
    assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Read until the peer closes (returns bytes read) or the 5 s receive timeout hits (-1). */
static ssize_t raw_read_to_close(int fd, char *buf, size_t cap)
{
    size_t got = 0;

    for (;;) {
        char tmp[512];
        ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            break;
        if (n < 0)
            return -1;
        if (got < cap) {
            size_t k = (size_t)n < cap - got ? (size_t)n : cap - got;
            memcpy(buf + got, tmp, k);
            got += k;
        }
    }
    if (got < cap)
        buf[got] = '\0';
    return (ssize_t)got;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void assert_still_serving(void)
{
    struct reply r;

    post("/cmc", "application/pkcs10", "alive", 5, &r);
    assert_echo(&r, "alive");
}

/* ---- tests ---- */

static void test_server_port__ephemeral_port_reported(void **state)
{
    assert_true(port > 0 && port <= 65535);
    assert_int_equal(cmci_http_server_port(NULL), 0);
}

static void test_post__pkcs10_reaches_handler(void **state)
{
    struct reply r;

    last_kind();
    post("/cmc", "application/pkcs10", "p10-bytes", 9, &r);
    assert_echo(&r, "p10-bytes");
    assert_int_equal(last_kind(), CMC_HTTP_KIND_PKCS10);
}

static void test_post__full_request_reaches_handler(void **state)
{
    struct reply r;

    last_kind();
    post("/cmc", "application/pkcs7-mime; smime-type=CMC-Request; name=request.p7m", "full",
         4, &r);
    assert_echo(&r, "full");
    assert_int_equal(last_kind(), CMC_HTTP_KIND_CMC_REQUEST);
}

static void test_post__smime_type_variants_accepted(void **state)
{
    static const char *const ok[] = {
        "application/pkcs7-mime; smime-type=CMC-Request",
        "application/pkcs7-mime; smime-type=CMC-request",
        "application/pkcs7-mime; smime-type=cmc-request",
        "application/pkcs7-mime;smime-type=\"CMC-request\"",
        "application/pkcs7-mime; smime-type=CMC-request; name=request.p7m",
        "application/pkcs7-mime; name=\"a;b.p7m\"; smime-type=CMC-Request",
        "application/pkcs7-mime",
        "application/pkcs7-mime;",
        "Application/PKCS7-MIME ;  SMIME-TYPE = CMC-REQUEST ",
        "application/pkcs7-mime;\tsmime-type=\"CMC-\\request\"",
    };
    struct reply r;

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        last_kind();
        post("/cmc", ok[i], "x", 1, &r);
        if (r.status != 200)
            fail_msg("%s -> %ld", ok[i], r.status);
        assert_echo(&r, "x");
        assert_int_equal(last_kind(), CMC_HTTP_KIND_CMC_REQUEST);
    }
}

static void test_post__other_media_types_get_415(void **state)
{
    static const char *const bad[] = {
        "application/pkcs7-mime; smime-type=certs-only",
        "application/pkcs7-mime; smime-type=CMC-response",
        "application/pkcs7-mime; smime-type=\"CMC-request",
        "application/pkcs7-mime; smime-type",
        "application/pkcs7-mime garbage",
        "application/pkcs7-mimex",
        "application/octet-stream",
        "text/plain",
        NULL, /* no Content-Type at all */
    };
    struct reply r;
    int before = handler_calls();

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        post("/cmc", bad[i], "x", 1, &r);
        if (r.status != 415)
            fail_msg("%s -> %ld", bad[i] ? bad[i] : "(none)", r.status);
        assert_one_line(&r);
    }
    post("/cmc", "text/plain", "x", 1, &r);
    assert_string_equal(r.body, "unsupported media type: text/plain; expected "
                                "application/pkcs10 or application/pkcs7-mime; "
                                "smime-type=CMC-request\n");
    assert_int_equal(handler_calls(), before);
}

static void test_method__get_gets_405_with_allow(void **state)
{
    struct reply r;

    assert_int_equal(request(NULL, "GET", "/cmc", NULL, NULL, 0, 0, &r), CURLE_OK);
    assert_int_equal(r.status, 405);
    assert_string_equal(r.allow, "POST");
    assert_one_line(&r);
    assert_int_equal(request(NULL, "PUT", "/cmc", "application/pkcs10", "x", 1, 0, &r),
                     CURLE_OK);
    assert_int_equal(r.status, 405);
}

static void test_path__outside_prefix_gets_404(void **state)
{
    static const char *const bad[] = {"/", "/other", "/cmcx", "/cm", "/CMC"};
    struct reply r;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        post(bad[i], "application/pkcs10", "x", 1, &r);
        if (r.status != 404)
            fail_msg("%s -> %ld", bad[i], r.status);
        assert_one_line(&r);
    }
    /* the prefix itself, below it, and a query string are served */
    post("/cmc/profile/tls", "application/pkcs10", "x", 1, &r);
    assert_echo(&r, "x");
    post("/cmc?profileId=a", "application/pkcs10", "x", 1, &r);
    assert_echo(&r, "x");
    /* a percent-encoded newline in the path must not break the one-line answer */
    post("/x%0d%0aInjected:%201", "application/pkcs10", "x", 1, &r);
    assert_int_equal(r.status, 404);
    assert_one_line(&r);
}

static void test_body__oversize_with_content_length_gets_413(void **state)
{
    static char big[MAX_BODY + 1];
    struct reply r;

    memset(big, 'A', sizeof(big));
    post("/cmc", "application/pkcs10", big, sizeof(big), &r);
    assert_int_equal(r.status, 413);
    assert_one_line(&r);
    /* exactly the cap is fine */
    post("/cmc", "application/pkcs10", big, MAX_BODY, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, MAX_BODY + strlen(ECHO));
    assert_still_serving();
}

static void test_body__oversize_chunked_gets_413(void **state)
{
    static char big[MAX_BODY * 4];
    struct reply r;
    CURL *h = curl_easy_init();

    memset(big, 'B', sizeof(big));
    assert_int_equal(request(h, "POST", "/cmc", "application/pkcs10", big, sizeof(big), 1, &r),
                     CURLE_OK);
    assert_int_equal(r.status, 413);
    assert_one_line(&r);
    /* a chunked body within the cap is reassembled for the handler */
    assert_int_equal(request(h, "POST", "/cmc", "application/pkcs10", big, 700, 1, &r),
                     CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 700 + strlen(ECHO));
    curl_easy_cleanup(h);
}

static void test_body__huge_content_length_answered_without_body(void **state)
{
    static const char req[] = "POST /cmc HTTP/1.1\r\nHost: t\r\n"
                              "Content-Type: application/pkcs10\r\n"
                              "Content-Length: 99999999999\r\n\r\n";
    char buf[1024];
    int fd = raw_connect();

    raw_send(fd, req, sizeof(req) - 1);
    /* answered and closed at once; no body is waited for */
    assert_true(raw_read_to_close(fd, buf, sizeof(buf) - 1) > 0);
    assert_non_null(strstr(buf, " 413 "));
    close(fd);
}

static void test_body__empty_gets_400(void **state)
{
    struct reply r;
    int before = handler_calls();

    post("/cmc", "application/pkcs10", NULL, 0, &r);
    assert_int_equal(r.status, 400);
    assert_one_line(&r);
    assert_int_equal(request(NULL, "POST", "/cmc", "application/pkcs10", "", 0, 1, &r),
                     CURLE_OK);
    assert_int_equal(r.status, 400);
    assert_int_equal(handler_calls(), before);
}

static void test_handler__error_status_sent_as_one_line(void **state)
{
    struct reply r;

    post("/cmc", "application/pkcs10", "FAIL", 4, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body, "busy?second line\n");
    assert_one_line(&r);
    post("/cmc", "application/pkcs10", "NOBODY", 6, &r);
    assert_int_equal(r.status, 500);
    assert_one_line(&r);
}

static void test_keepalive__100_requests_one_connection(void **state)
{
    CURL *h = curl_easy_init();
    struct reply r;
    long connects = 0;
    char body[32];

    assert_non_null(h);
    for (int i = 0; i < 100; i++) {
        int n = snprintf(body, sizeof(body), "req-%d", i);
        assert_int_equal(request(h, "POST", "/cmc", "application/pkcs10", body, (size_t)n, 0,
                                 &r),
                         CURLE_OK);
        assert_echo(&r, body);
        connects += r.connects;
    }
    assert_int_equal(connects, 1);
    curl_easy_cleanup(h);
}

static void test_robust__garbage_bytes_then_close(void **state)
{
    unsigned char junk[8192];
    uint32_t x = 0x12345678u;

    for (int round = 0; round < 5; round++) {
        int fd = raw_connect();
        for (size_t i = 0; i < sizeof(junk); i++) {
            x = x * 1103515245u + 12345u; /* a fixed LCG: the test is deterministic */
            junk[i] = (unsigned char)(x >> 24);
        }
        raw_send(fd, junk, sizeof(junk));
        close(fd);
    }
    /* a request head that never ends: past the head limit (16 KiB, http_parse.h) it is
     * refused with 431 and the connection closed, never buffered without bound */
    {
        static const char head[] = "POST /cmc HTTP/1.1\r\nX: ";
        char buf[1024];
        int fd = raw_connect();

        memset(junk, 'a', sizeof(junk));
        raw_send(fd, head, sizeof(head) - 1);
        for (int i = 0; i < 32; i++) {
            if (send(fd, junk, sizeof(junk), MSG_NOSIGNAL) < 0)
                break; /* the server gave up on us: expected */
        }
        assert_true(raw_read_to_close(fd, buf, sizeof(buf) - 1) >= 0);
        close(fd);
    }
    assert_still_serving();
}

static void test_robust__half_sent_request_times_out(void **state)
{
    static const char req[] = "POST /cmc HTTP/1.1\r\nHost: t\r\n"
                              "Content-Type: application/pkcs10\r\n"
                              "Content-Length: 100\r\n\r\nonly-part";
    char buf[512];
    double t0;
    ssize_t n;
    int before = handler_calls();
    int fd = raw_connect();

    raw_send(fd, req, sizeof(req) - 1);
    t0 = now_s();
    n = raw_read_to_close(fd, buf, sizeof(buf) - 1);
    /* closed by the 1 s connection timeout, well before our 5 s receive timeout */
    assert_true(n >= 0);
    assert_true(now_s() - t0 < 4.5);
    assert_int_equal(handler_calls(), before);
    close(fd);
    assert_still_serving();
}

static void test_keepalive__idle_connection_closed_after_timeout(void **state)
{
    static const char req[] = "POST /cmc HTTP/1.1\r\nHost: t\r\n"
                              "Content-Type: application/pkcs10\r\n"
                              "Content-Length: 4\r\n\r\nidle";
    char buf[1024];
    double t0;
    ssize_t n;
    int fd = raw_connect();

    raw_send(fd, req, sizeof(req) - 1);
    t0 = now_s();
    /* the response arrives, then the connection stays idle until the server closes it */
    n = raw_read_to_close(fd, buf, sizeof(buf) - 1);
    assert_true(n > 0);
    assert_non_null(strstr(buf, " 200 "));
    assert_non_null(strstr(buf, ECHO "idle"));
    assert_true(now_s() - t0 >= 0.5);
    assert_true(now_s() - t0 < 4.5);
    close(fd);
}

static void test_server_start__bad_host_is_config_error(void **state)
{
    struct cmc_http_server *s = (struct cmc_http_server *)&s;
    struct cmc_http_server_config cfg = {
        .host = "not-an-address", .max_body = 10, .path_prefix = "/cmc"};

    assert_int_equal(cmci_http_server_start(&s, &cfg, echo_handler, NULL), CMC_ERR_CONFIG);
    assert_null(s);
    cfg.host = "127.0.0.1";
    cfg.port = port; /* taken by the fixture's server */
    assert_int_equal(cmci_http_server_start(&s, &cfg, echo_handler, NULL), CMC_ERR_TRANSPORT);
    assert_null(s);
    cmci_http_server_stop(NULL);
}

static void test_server_start__ipv6_loopback(void **state)
{
    struct cmc_http_server *s = NULL;
    struct cmc_http_server_config cfg = {
        .host = "::1", .threads = 1, .max_body = 100, .conn_timeout_s = 5,
        .path_prefix = "/"};
    cmc_err rv = cmci_http_server_start(&s, &cfg, echo_handler, NULL);

    if (rv != CMC_OK)
        skip(); /* no IPv6 on this host */
    assert_true(cmci_http_server_port(s) > 0);
    cmci_http_server_stop(s);
}

/* A client dribbling its request one byte at a time never lets the idle timeout fire; the
 * whole-request deadline closes it anyway (docs/configuration.md request_timeout). */
static void addr_key(const char *ip, uint8_t key[17])
{
    struct sockaddr_storage ss;

    memset(&ss, 0, sizeof(ss));
    if (strchr(ip, ':') != NULL) {
        ss.ss_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&ss)->sin6_addr), 1);
    } else {
        ss.ss_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr), 1);
    }
    cmci_http_addr_key(&ss, key);
}

/* max_connections_per_ip counts an IPv6 peer by its /64 (one host can use any address of
 * it), and an IPv4-mapped peer as its IPv4 address. */
static void test_per_ip__ipv6_grouped_by_64(void **state)
{
    uint8_t a[17], b[17];

    (void)state;
    addr_key("2001:db8:1:2::1", a);
    addr_key("2001:db8:1:2:ffff:eeee:dddd:cccc", b);
    assert_memory_equal(a, b, 17);
    addr_key("2001:db8:1:3::1", b);
    assert_memory_not_equal(a, b, 17);
    addr_key("192.0.2.7", a);
    addr_key("::ffff:192.0.2.7", b);
    assert_memory_equal(a, b, 17);
    addr_key("192.0.2.8", b);
    assert_memory_not_equal(a, b, 17);
}

static void test_deadline__dribbled_request_closed_at_request_timeout(void **state)
{
    static const char req[] = "POST /cmc HTTP/1.1\r\nHost: t\r\n"
                              "Content-Type: application/pkcs10\r\n"
                              "Content-Length: 100\r\n\r\n";
    struct cmc_http_server *s = NULL;
    struct cmc_http_server_config cfg = {
        .host = "127.0.0.1", .threads = 2, .max_body = 1000, .conn_timeout_s = 5,
        .request_timeout_s = 1, .max_connections = 8, .path_prefix = "/cmc"};
    unsigned saved = port;
    double t0, closed_at = 0;
    int fd, before = handler_calls();

    assert_int_equal(cmci_http_server_start(&s, &cfg, echo_handler, NULL), CMC_OK);
    port = cmci_http_server_port(s);
    fd = raw_connect();
    t0 = now_s();
    /* the head and then the body, one byte every 100 ms: 3 s of bytes, never idle 5 s */
    for (size_t i = 0; i < sizeof(req) - 1 + 30 && closed_at == 0; i++) {
        char c = i < sizeof(req) - 1 ? req[i] : 'b';
        struct timespec gap = {0, 100000000L};

        if (send(fd, &c, 1, MSG_NOSIGNAL) != 1)
            closed_at = now_s();
        else
            nanosleep(&gap, NULL);
        if (closed_at == 0) {
            char buf[64];
            ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                closed_at = now_s();
        }
    }
    assert_true(closed_at > 0);
    /* 1 s deadline + 0.2 s reaper period, with room for a loaded machine (the idle
     * timeout, 5 s, would be later) */
    assert_true(closed_at - t0 >= 0.9);
    assert_true(closed_at - t0 < 4.0);
    assert_int_equal(handler_calls(), before);
    close(fd);
    /* the server goes on serving, and a prompt client is not affected by the deadline */
    assert_still_serving();
    cmci_http_server_stop(s);
    port = saved;
}

/* libmicrohttpd 0.9.75, the server before ours, hung in MHD_stop_daemon when the pool had
 * more workers than connections; ours cuts the pool to max_connections (a worker beyond it
 * could never hold a connection) and every thread watches the stop eventfd. */
static void test_stop__more_threads_than_connections_stops(void **state)
{
    struct cmc_http_server *s = NULL;
    struct cmc_http_server_config cfg = {
        .host = "127.0.0.1", .threads = 8, .max_body = 100, .conn_timeout_s = 5,
        .max_connections = 2, .path_prefix = "/cmc"};
    unsigned saved = port;
    double t0;

    assert_int_equal(cmci_http_server_start(&s, &cfg, echo_handler, NULL), CMC_OK);
    assert_int_equal(cmci_http_server_threads(s), 2);
    port = cmci_http_server_port(s);
    assert_still_serving();
    t0 = now_s();
    cmci_http_server_stop(s); /* hung forever before */
    assert_true(now_s() - t0 < 2.0);
    port = saved;
}

/* max_body changes while serving (a SIGHUP reload); requests started before keep theirs. */
static void test_limits__max_body_changes_while_serving(void **state)
{
    static char body[600];
    struct reply r;

    memset(body, 'm', sizeof(body));
    cmci_http_server_set_limits(srv, 500, 0);
    post("/cmc", "application/pkcs10", body, sizeof(body), &r);
    assert_int_equal(r.status, 413);
    assert_one_line(&r);
    cmci_http_server_set_limits(srv, MAX_BODY, 0);
    post("/cmc", "application/pkcs10", body, sizeof(body), &r);
    assert_int_equal(r.status, 200);
}

/* ---- cmci_http_check_head, without a server ------------------------------------------- */

static int head(const char *method, const char *url, const char *ct, const char *cl,
                enum cmc_http_kind *kind, char *reason, size_t reasonsz)
{
    struct cmc_http_head h = {.prefix = "/cmc", .max_body = 100, .method = method, .url = url,
                              .content_type = ct, .content_length = cl};

    reason[0] = '\0';
    return cmci_http_check_head(&h, kind, reason, reasonsz);
}

static void test_check_head__accepts_both_kinds(void **state)
{
    enum cmc_http_kind k = 0;
    char why[160];

    assert_int_equal(head("POST", "/cmc", "application/pkcs10", "100", &k, why, sizeof(why)), 0);
    assert_int_equal(k, CMC_HTTP_KIND_PKCS10);
    assert_int_equal(head("POST", "/cmc/x", "application/pkcs7-mime; smime-type=\"CMC-Request\"",
                          NULL, &k, why, sizeof(why)),
                     0);
    assert_int_equal(k, CMC_HTTP_KIND_CMC_REQUEST);
}

/* Path, then method, then media type, then declared length: the first failing check
 * decides, whatever else is wrong. */
static void test_check_head__order_of_checks(void **state)
{
    enum cmc_http_kind k = 0;
    char why[160];

    assert_int_equal(head("GET", "/other", "text/plain", "0", &k, why, sizeof(why)), 404);
    assert_int_equal(head("GET", "/cmc", "text/plain", "0", &k, why, sizeof(why)), 405);
    assert_string_equal(why, "method not allowed: GET; use POST");
    assert_int_equal(head("POST", "/cmc", "text/plain", "0", &k, why, sizeof(why)), 415);
    assert_int_equal(head("POST", "/cmc", NULL, "0", &k, why, sizeof(why)), 415);
    assert_int_equal(head("POST", "/cmc", "application/pkcs10", "101", &k, why, sizeof(why)), 413);
    assert_string_equal(why, "request body too large: limit is 100 bytes");
    assert_int_equal(head("POST", "/cmc", "application/pkcs10", "99999999999999999999999999", &k,
                          why, sizeof(why)),
                     413);
    assert_int_equal(head("POST", "/cmc", "application/pkcs10", " 0", &k, why, sizeof(why)), 400);
}

/* Peer text in a reason is one printable line, cut to fit. */
static void test_check_head__reason_is_one_printable_line(void **state)
{
    enum cmc_http_kind k = 0;
    char why[160], small[16];

    assert_int_equal(head("POST", "/x\r\nSet-Cookie: a=b", NULL, NULL, &k, why, sizeof(why)),
                     404);
    assert_string_equal(why, "not found: /x??Set-Cookie: a=b");
    /* bytes from 0x80 up too: the answer is text/plain; charset=utf-8, and 0x9b is the
     * 8-bit CSI of a terminal reading the log */
    assert_int_equal(head("POST", "/x\xff\x9b[31m", NULL, NULL, &k, why, sizeof(why)), 404);
    assert_string_equal(why, "not found: /x??[31m");
    assert_int_equal(head("POST", "/cmc", "application/pkcs7-mime; smime-type=\"a\x01\nb\"",
                          NULL, &k, why, sizeof(why)),
                     415);
    assert_null(strchr(why, '\n'));
    assert_non_null(strstr(why, "unsupported smime-type: a??b"));
    assert_int_equal(head("P\x7fST", "/cmc", NULL, NULL, &k, small, sizeof(small)), 405);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_null(strchr(small, 0x7f));
}

/* RFC 9112 §6: framing that two parsers could read differently is refused at the head. */
static void test_check_head__framing(void **state)
{
    struct cmc_http_head h = {.prefix = "/cmc", .max_body = 100, .method = "POST",
                              .url = "/cmc", .content_type = "application/pkcs10",
                              .content_length = "5", .content_length_count = 2};
    enum cmc_http_kind k;
    char reason[160];

    assert_int_equal(cmci_http_check_head(&h, &k, reason, sizeof(reason)), 400);
    assert_string_equal(reason, "several Content-Length fields");
    h.content_length_count = 1;
    h.transfer_encoding = "chunked";
    assert_int_equal(cmci_http_check_head(&h, &k, reason, sizeof(reason)), 400);
    assert_string_equal(reason, "both Content-Length and Transfer-Encoding");
    h.content_length = NULL;
    h.content_length_count = 0;
    assert_int_equal(cmci_http_check_head(&h, &k, reason, sizeof(reason)), 0);
    h.transfer_encoding = " CHUNKED";
    assert_int_equal(cmci_http_check_head(&h, &k, reason, sizeof(reason)), 0);
    h.transfer_encoding = "gzip, chunked";
    assert_int_equal(cmci_http_check_head(&h, &k, reason, sizeof(reason)), 501);
    assert_non_null(strstr(reason, "unsupported Transfer-Encoding: gzip, chunked"));
    h.transfer_encoding = "x\r\nInjected: 1";
    assert_int_equal(cmci_http_check_head(&h, &k, reason, sizeof(reason)), 501);
    assert_null(strchr(reason, '\n'));
    /* path and method are judged first: a GET with broken framing is still a 405 */
    h.method = "GET";
    assert_int_equal(cmci_http_check_head(&h, &k, reason, sizeof(reason)), 405);
}

/* Raw sockets: several Content-Length fields and unknown transfer codings are answered by
 * us, text/plain, once, without reading the body. */
static void test_framing__answered_once_as_text(void **state)
{
    static const char *const reqs[] = {
        "POST /cmc HTTP/1.1\r\nHost: t\r\nContent-Type: application/pkcs10\r\n"
        "Content-Length: 4\r\nContent-Length: 5\r\n\r\nbody!",
        "POST /cmc HTTP/1.1\r\nHost: t\r\nContent-Type: application/pkcs10\r\n"
        "Transfer-Encoding: gzip\r\n\r\nbody",
    };
    static const char *const want[] = {"HTTP/1.1 400 ", "HTTP/1.1 501 "};

    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        char buf[1024];
        const char *body;
        ssize_t n;
        int fd = raw_connect();

        raw_send(fd, reqs[i], strlen(reqs[i]));
        n = raw_read_to_close(fd, buf, sizeof(buf) - 1);
        close(fd);
        assert_true(n > 0);
        assert_memory_equal(buf, want[i], strlen(want[i]));
        assert_null(strstr(buf + 1, "HTTP/1.1 ")); /* one status line */
        assert_non_null(strstr(buf, "text/plain"));
        body = strstr(buf, "\r\n\r\n");
        assert_non_null(body);
        body += 4;
        assert_null(strchr(body, '<'));
        assert_non_null(strchr(body, '\n'));
        assert_int_equal(strchr(body, '\n')[1], '\0'); /* one line */
    }
    assert_still_serving();
}

/* Pipelining (RFC 9112 §9.3): two requests in one write get two answers, in order; the
 * second asks to close, so the connection ends after it. */
static void test_pipeline__two_requests_in_one_write(void **state)
{
    static const char reqs[] = "POST /cmc HTTP/1.1\r\nHost: t\r\nContent-Type: application/pkcs10"
                               "\r\nContent-Length: 3\r\n\r\none"
                               "POST /cmc HTTP/1.1\r\nHost: t\r\nContent-Type: application/pkcs10"
                               "\r\nContent-Length: 3\r\nConnection: close\r\n\r\ntwo";
    char buf[2048];
    const char *a, *b;
    ssize_t n;
    int fd = raw_connect();

    raw_send(fd, reqs, sizeof(reqs) - 1);
    n = raw_read_to_close(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_true(n > 0);
    a = strstr(buf, ECHO "one");
    b = strstr(buf, ECHO "two");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b);
    assert_memory_equal(buf, "HTTP/1.1 200 ", 13);
    assert_non_null(strstr(a, "HTTP/1.1 200 "));
    assert_non_null(strstr(a, "Connection: close\r\n"));
}

/* Expect: 100-continue (RFC 9110 §10.1.1): the interim answer comes before the body is
 * sent, then the final one. */
static void test_expect__100_continue_before_the_body(void **state)
{
    static const char head[] = "POST /cmc HTTP/1.1\r\nHost: t\r\nContent-Type: application/pkcs10"
                               "\r\nContent-Length: 4\r\nExpect: 100-continue\r\n"
                               "Connection: close\r\n\r\n";
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    char buf[1024];
    size_t got = 0;
    ssize_t n;
    int fd = raw_connect();

    raw_send(fd, head, sizeof(head) - 1);
    while (got < sizeof(cont) - 1) {
        n = recv(fd, buf + got, sizeof(cont) - 1 - got, 0);
        assert_true(n > 0);
        got += (size_t)n;
    }
    assert_memory_equal(buf, cont, sizeof(cont) - 1);
    raw_send(fd, "body", 4);
    n = raw_read_to_close(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_true(n > 0);
    assert_memory_equal(buf, "HTTP/1.1 200 ", 13);
    assert_non_null(strstr(buf, ECHO "body"));
}

/* A head refused while its body is already on the way: the answer reaches the client, with
 * Connection: close, and the server goes on. (The server also drops the unread body for a
 * while before it closes, RFC 9112 §9.6, so that a reset cannot destroy the answer; Linux
 * keeps received data readable after a reset, so this test cannot tell that part apart.) */
static void test_refusal__answer_not_lost_to_an_unread_body(void **state)
{
    char req[8192];
    char buf[1024];
    int len, fd;
    ssize_t n;

    len = snprintf(req, sizeof(req),
                   "POST /cmc HTTP/1.1\r\nHost: t\r\nContent-Type: application/pkcs10\r\n"
                   "Content-Length: 6000\r\n\r\n");
    memset(req + len, 'x', 6000);
    fd = raw_connect();
    raw_send(fd, req, (size_t)len + 6000);
    n = raw_read_to_close(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_true(n > 0);
    assert_memory_equal(buf, "HTTP/1.1 413 ", 13);
    assert_non_null(strstr(buf, "Connection: close\r\n"));
    assert_non_null(strstr(buf, "request body too large"));
    assert_still_serving();
}

/* HTTP/1.0 without keep-alive: one answer, then the server closes. Every answer has one
 * header block with Date, Content-Type and Content-Length (RFC 9110 §6.6.1). */
static void test_http10__answer_then_close(void **state)
{
    static const char req[] = "POST /cmc HTTP/1.0\r\nContent-Type: application/pkcs10\r\n"
                              "Content-Length: 2\r\n\r\nhi";
    char buf[1024];
    ssize_t n;
    int fd = raw_connect();

    raw_send(fd, req, sizeof(req) - 1);
    n = raw_read_to_close(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_true(n > 0);
    assert_memory_equal(buf, "HTTP/1.1 200 OK\r\n", 17);
    assert_non_null(strstr(buf, "\r\nDate: "));
    assert_non_null(strstr(buf, "\r\nContent-Length: 7\r\n"));
    assert_non_null(strstr(buf, "\r\nConnection: close\r\n"));
    assert_non_null(strstr(buf, "\r\n\r\n" ECHO "hi"));
    assert_null(strstr(buf + 1, "HTTP/1.1 "));
}

/* RFC 9110 §9.3.2: an answer to HEAD carries no content (here a 405 with its length). */
static void test_head_method__answer_without_content(void **state)
{
    static const char req[] = "HEAD /cmc HTTP/1.1\r\nHost: t\r\n\r\n";
    char buf[1024];
    const char *end;
    ssize_t n;
    int fd = raw_connect();

    raw_send(fd, req, sizeof(req) - 1);
    n = raw_read_to_close(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_true(n > 0);
    assert_memory_equal(buf, "HTTP/1.1 405 ", 13);
    assert_non_null(strstr(buf, "\r\nAllow: POST\r\n"));
    end = strstr(buf, "\r\n\r\n");
    assert_non_null(end);
    assert_int_equal(end[4], '\0');
}

static void test_classify_content_type__parameters(void **state)
{
    enum cmc_http_kind k = 0;
    char why[160];

    assert_true(cmci_http_classify_content_type("application/pkcs7-mime;smime-type=cmc-REQUEST;a=b",
                                                &k, why, sizeof(why)));
    assert_int_equal(k, CMC_HTTP_KIND_CMC_REQUEST);
    assert_true(cmci_http_classify_content_type("APPLICATION/PKCS10; charset=x", &k, why,
                                                sizeof(why)));
    assert_int_equal(k, CMC_HTTP_KIND_PKCS10);
    assert_false(cmci_http_classify_content_type("application/pkcs7-mime; smime-type", &k, why,
                                                 sizeof(why)));
    assert_non_null(strstr(why, "malformed Content-Type"));
    assert_false(cmci_http_classify_content_type("application/pkcs7-mime; a=\"open", &k, why,
                                                 sizeof(why)));
    assert_false(cmci_http_classify_content_type("application/pkcs7-mimeX", &k, why, sizeof(why)));
    assert_non_null(strstr(why, "unsupported media type"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_head__accepts_both_kinds),
        cmocka_unit_test(test_check_head__order_of_checks),
        cmocka_unit_test(test_check_head__reason_is_one_printable_line),
        cmocka_unit_test(test_classify_content_type__parameters),
        cmocka_unit_test(test_check_head__framing),
        cmocka_unit_test(test_framing__answered_once_as_text),
        cmocka_unit_test(test_server_port__ephemeral_port_reported),
        cmocka_unit_test(test_post__pkcs10_reaches_handler),
        cmocka_unit_test(test_post__full_request_reaches_handler),
        cmocka_unit_test(test_post__smime_type_variants_accepted),
        cmocka_unit_test(test_post__other_media_types_get_415),
        cmocka_unit_test(test_method__get_gets_405_with_allow),
        cmocka_unit_test(test_path__outside_prefix_gets_404),
        cmocka_unit_test(test_body__oversize_with_content_length_gets_413),
        cmocka_unit_test(test_body__oversize_chunked_gets_413),
        cmocka_unit_test(test_body__huge_content_length_answered_without_body),
        cmocka_unit_test(test_body__empty_gets_400),
        cmocka_unit_test(test_handler__error_status_sent_as_one_line),
        cmocka_unit_test(test_keepalive__100_requests_one_connection),
        cmocka_unit_test(test_pipeline__two_requests_in_one_write),
        cmocka_unit_test(test_expect__100_continue_before_the_body),
        cmocka_unit_test(test_refusal__answer_not_lost_to_an_unread_body),
        cmocka_unit_test(test_http10__answer_then_close),
        cmocka_unit_test(test_head_method__answer_without_content),
        cmocka_unit_test(test_robust__garbage_bytes_then_close),
        cmocka_unit_test(test_robust__half_sent_request_times_out),
        cmocka_unit_test(test_keepalive__idle_connection_closed_after_timeout),
        cmocka_unit_test(test_server_start__bad_host_is_config_error),
        cmocka_unit_test(test_server_start__ipv6_loopback),
        cmocka_unit_test(test_deadline__dribbled_request_closed_at_request_timeout),
        cmocka_unit_test(test_per_ip__ipv6_grouped_by_64),
        cmocka_unit_test(test_stop__more_threads_than_connections_stops),
        cmocka_unit_test(test_limits__max_body_changes_while_serving),
    };

    cmci_log_set_level(CMC_LOG_DEBUG);
    return cmocka_run_group_tests_name("transport_http", tests, group_setup, group_teardown);
}
