/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/transport/http_parse.c: one test per rule of the strict HTTP/1.1 request
 * parser (RFC 9112), each with the status and reason it must give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/http_parse.h"

static struct cmci_http_head head;
static struct cmci_http_error perr;

static int parse(const char *s)
{
    memset(&perr, 0, sizeof(perr));
    return cmci_http_parse_head((const uint8_t *)s, strlen(s), &head, &perr);
}

/* The head @p s must be refused with @p status and a reason containing @p part. */
static void refused(const char *s, int status, const char *part)
{
    int rc = parse(s);

    if (rc != CMCI_HTTP_ERROR || perr.status != status || strstr(perr.reason, part) == NULL)
        fail_msg("%s: rc %d status %d reason '%s'; expected %d '%s'", s, rc, perr.status,
                 perr.reason, status, part);
    assert_null(strchr(perr.reason, '\n'));
}

#define H11 "POST /cmc HTTP/1.1\r\nHost: a\r\n"

static void test_head__simple_post(void **state)
{
    const char *s = "POST /cmc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pkcs10"
                    "\r\nContent-Length: 5\r\n\r\nhello";

    (void)state;
    assert_int_equal(parse(s), CMCI_HTTP_DONE);
    assert_string_equal(head.method, "POST");
    assert_string_equal(head.path, "/cmc");
    assert_int_equal(head.minor, 1);
    assert_string_equal(head.content_type, "application/pkcs10");
    assert_int_equal(head.content_length_count, 1);
    assert_int_equal(head.content_length, 5);
    assert_int_equal(head.keep_alive, 1);
    assert_int_equal(head.chunked, 0);
    assert_int_equal(head.head_len, strlen(s) - 5);
}

static void test_head__every_prefix_needs_more(void **state)
{
    const char *s = H11 "Content-Length: 5\r\n\r\n";

    (void)state;
    for (size_t n = 0; n < strlen(s); n++) {
        int rc = cmci_http_parse_head((const uint8_t *)s, n, &head, &perr);

        if (rc != CMCI_HTTP_NEED_MORE)
            fail_msg("prefix of %zu bytes: rc %d (%s)", n, rc, perr.reason);
    }
    assert_int_equal(parse(s), CMCI_HTTP_DONE);
}

static void test_head__leading_empty_lines_ignored(void **state)
{
    (void)state;
    assert_int_equal(parse("\r\n\r\n" H11 "\r\n"), CMCI_HTTP_DONE);
    assert_string_equal(head.method, "POST");
}

static void test_head__bare_lf_refused(void **state)
{
    (void)state;
    refused("POST /cmc HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF");
    refused(H11 "Content-Length: 5\n\r\n", 400, "bare LF");
    refused(H11 "\n", 400, "bare LF");
    refused("\n" H11 "\r\n", 400, "bare LF");
}

static void test_head__bare_cr_refused(void **state)
{
    (void)state;
    refused(H11 "X: a\rb\r\n\r\n", 400, "bare CR");
    refused(H11 "X: a\r\r\n\r\n", 400, "bare CR");
    /* a CR at the very end may still get its LF */
    assert_int_equal(parse(H11 "X: a\r"), CMCI_HTTP_NEED_MORE);
}

static void test_head__obs_fold_refused(void **state)
{
    (void)state;
    refused(H11 "Content-Type: application/pkcs10\r\n ; x=1\r\n\r\n", 400, "folding");
    refused(H11 "X: a\r\n\tb\r\n\r\n", 400, "folding");
}

static void test_head__field_syntax(void **state)
{
    (void)state;
    refused(H11 "Content-Length : 5\r\n\r\n", 400, "malformed header field");
    refused(H11 ": 5\r\n\r\n", 400, "malformed header field");
    refused(H11 "No colon here\r\n\r\n", 400, "malformed header field");
    refused(H11 "X: a\001b\r\n\r\n", 400, "invalid character");
    refused(H11 "X: a\177\r\n\r\n", 400, "invalid character");
    /* obs-text and HTAB in values are allowed; OWS around the value is dropped */
    assert_int_equal(parse(H11 "X: caf\xc3\xa9\tb\r\nContent-Type: \t text/plain \t\r\n\r\n"),
                     CMCI_HTTP_DONE);
    assert_string_equal(head.content_type, "text/plain");
}

static void test_head__request_line(void **state)
{
    (void)state;
    refused("POST  /cmc HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line");
    refused("POST /cmc  HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line");
    refused("POST /cmc\r\nHost: a\r\n\r\n", 400, "malformed request line");
    refused("POST /cmc HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "malformed request line");
    refused("POST /cmc http/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line");
    refused("PO(ST /cmc HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line");
    refused("POSTPOSTPOSTPOSTPOST /cmc HTTP/1.1\r\nHost: a\r\n\r\n", 501, "method");
    refused("POST /cmc HTTP/2.0\r\nHost: a\r\n\r\n", 505, "version");
    refused("POST /cmc HTTP/1.2\r\nHost: a\r\n\r\n", 505, "version");
    refused("POST /cmc HTTP/1.10\r\nHost: a\r\n\r\n", 400, "malformed request line");
    assert_int_equal(parse("POST /cmc HTTP/1.0\r\n\r\n"), CMCI_HTTP_DONE);
    assert_int_equal(head.minor, 0);
    assert_int_equal(head.keep_alive, 0);
}

static void test_head__target(void **state)
{
    char *big;

    (void)state;
    assert_int_equal(parse("POST /c%6Dc/x?y=%00 HTTP/1.1\r\nHost: a\r\n\r\n"), CMCI_HTTP_DONE);
    assert_string_equal(head.path, "/cmc/x");
    assert_int_equal(parse("POST http://h:1/cmc?q HTTP/1.1\r\nHost: a\r\n\r\n"),
                     CMCI_HTTP_DONE);
    assert_string_equal(head.path, "/cmc");
    assert_int_equal(parse("POST http://h HTTP/1.1\r\nHost: a\r\n\r\n"), CMCI_HTTP_DONE);
    assert_string_equal(head.path, "/");
    refused("POST cmc HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request target");
    refused("POST /c%0 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "percent-encoding");
    refused("POST /c%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, "percent-encoding");
    refused("POST /c%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "NUL");
    refused("POST /c\xff HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid character");
    big = malloc(CMCI_HTTP_MAX_TARGET + 64);
    assert_non_null(big);
    memset(big, 'a', CMCI_HTTP_MAX_TARGET + 63);
    memcpy(big, "POST /", 6);
    memcpy(big + CMCI_HTTP_MAX_TARGET + 10, " HTTP/1.1\r\nHost: a\r\n\r\n", 23);
    refused(big, 414, "request target longer");
    free(big);
}

static void test_head__host_required_once_in_1_1(void **state)
{
    (void)state;
    refused("POST /cmc HTTP/1.1\r\n\r\n", 400, "missing Host");
    refused(H11 "Host: b\r\n\r\n", 400, "several Host");
    assert_int_equal(parse("POST /cmc HTTP/1.0\r\n\r\n"), CMCI_HTTP_DONE);
}

static void test_head__content_length_digits_only(void **state)
{
    (void)state;
    refused(H11 "Content-Length: -5\r\n\r\n", 400, "malformed Content-Length");
    refused(H11 "Content-Length: abc\r\n\r\n", 400, "malformed Content-Length");
    refused(H11 "Content-Length: 1 2\r\n\r\n", 400, "malformed Content-Length");
    refused(H11 "Content-Length: 5, 5\r\n\r\n", 400, "malformed Content-Length");
    refused(H11 "Content-Length: +5\r\n\r\n", 400, "malformed Content-Length");
    refused(H11 "Content-Length: 0x5\r\n\r\n", 400, "malformed Content-Length");
    refused(H11 "Content-Length:\r\n\r\n", 400, "malformed Content-Length");
    /* above 2^64: saturated, so the caller's max_body check answers 413 */
    assert_int_equal(parse(H11 "Content-Length: 18446744073709551617\r\n\r\n"), CMCI_HTTP_DONE);
    assert_true(head.content_length == UINT64_MAX);
    assert_int_equal(parse(H11 "Content-Length: 99999999999999999999999\r\n\r\n"),
                     CMCI_HTTP_DONE);
    assert_true(head.content_length == UINT64_MAX);
    assert_int_equal(parse(H11 "Content-Length: 007\r\n\r\n"), CMCI_HTTP_DONE);
    assert_int_equal(head.content_length, 7);
}

static void test_head__content_length_counted(void **state)
{
    (void)state;
    /* several, even equal, are counted; the transport's check_head refuses them (400) */
    assert_int_equal(parse(H11 "Content-Length: 5\r\ncontent-length: 5\r\n\r\n"), CMCI_HTTP_DONE);
    assert_int_equal(head.content_length_count, 2);
    assert_int_equal(head.content_length, 5);
}

static void test_head__transfer_encoding(void **state)
{
    (void)state;
    assert_int_equal(parse(H11 "Transfer-Encoding: Chunked\r\n\r\n"), CMCI_HTTP_DONE);
    assert_int_equal(head.has_transfer_encoding, 1);
    assert_int_equal(head.chunked, 1);
    assert_int_equal(parse(H11 "Transfer-Encoding: gzip, chunked\r\n\r\n"), CMCI_HTTP_DONE);
    assert_int_equal(head.chunked, 0);
    assert_string_equal(head.transfer_encoding, "gzip, chunked");
    refused(H11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
            "several Transfer-Encoding");
    refused("POST /cmc HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0");
}

static void test_head__connection_and_expect(void **state)
{
    (void)state;
    assert_int_equal(parse(H11 "Connection: foo, Close\r\n\r\n"), CMCI_HTTP_DONE);
    assert_int_equal(head.keep_alive, 0);
    assert_int_equal(parse("POST /cmc HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
                     CMCI_HTTP_DONE);
    assert_int_equal(head.keep_alive, 1);
    assert_int_equal(parse(H11 "Expect: 100-Continue\r\n\r\n"), CMCI_HTTP_DONE);
    assert_int_equal(head.expect_continue, 1);
    assert_int_equal(parse("POST /cmc HTTP/1.0\r\nExpect: 100-continue\r\n\r\n"),
                     CMCI_HTTP_DONE);
    assert_int_equal(head.expect_continue, 0); /* RFC 9110 §10.1.1: ignored in 1.0 */
    refused(H11 "Expect: 200-ok\r\n\r\n", 417, "Expect");
}

static void test_head__kept_values_bounded(void **state)
{
    char s[1024];

    (void)state;
    snprintf(s, sizeof(s), H11 "Content-Type: application/pkcs10; x=%0300d\r\n\r\n", 0);
    refused(s, 400, "Content-Type longer");
    refused(H11 "Content-Type: a\r\nContent-Type: b\r\n\r\n", 400, "several Content-Type");
}

static void test_head__size_and_field_count_bounded(void **state)
{
    size_t n = CMCI_HTTP_MAX_HEAD + 100;
    char *s = malloc(n + 1);
    size_t len = 0;

    (void)state;
    assert_non_null(s);
    len += (size_t)sprintf(s, H11);
    while (len + 8 < n)
        len += (size_t)sprintf(s + len, "X: 12\r\n");
    s[len] = '\0';
    refused(s, 431, "header fields");

    len = (size_t)sprintf(s, H11 "X: ");
    memset(s + len, 'a', n - len);
    s[n] = '\0';
    refused(s, 431, "request head larger");
    free(s);
}

/* ---- chunked ---- */

struct dec_result {
    int rc;
    char body[256];
    size_t body_len;
    size_t used;
    int status;
    char reason[96];
};

/* Decode @p s fed in pieces of @p step bytes. */
static struct dec_result decode(const char *s, size_t step)
{
    struct cmci_http_chunked c;
    struct dec_result r;
    size_t len = strlen(s), off = 0;

    memset(&r, 0, sizeof(r));
    cmci_http_chunked_init(&c);
    r.rc = CMCI_HTTP_NEED_MORE;
    while (off < len) {
        size_t piece = len - off < step ? len - off : step;
        size_t pos = 0;

        while (pos < piece) {
            const uint8_t *data;
            size_t dlen, used;
            struct cmci_http_error e;

            r.rc = cmci_http_chunked_feed(&c, (const uint8_t *)s + off + pos, piece - pos,
                                          &used, &data, &dlen, &e);
            pos += used;
            if (r.rc == CMCI_HTTP_DATA) {
                assert_true(r.body_len + dlen < sizeof(r.body));
                memcpy(r.body + r.body_len, data, dlen);
                r.body_len += dlen;
                continue;
            }
            if (r.rc == CMCI_HTTP_ERROR) {
                r.status = e.status;
                snprintf(r.reason, sizeof(r.reason), "%s", e.reason);
            }
            if (r.rc != CMCI_HTTP_NEED_MORE) {
                r.used = off + pos;
                return r;
            }
        }
        off += piece;
    }
    r.used = off;
    return r;
}

static void test_chunked__decodes_in_any_split(void **state)
{
    const char *s = "5\r\nhello\r\n1 ;name=\"v\"\r\n!\r\nA \r\n0123456789\r\n"
                    "0\r\nX-T: 1\r\n\r\nNEXT";

    (void)state;
    for (size_t step = 1; step <= strlen(s); step++) {
        struct dec_result r = decode(s, step);

        assert_int_equal(r.rc, CMCI_HTTP_DONE);
        assert_int_equal(r.body_len, 16);
        assert_memory_equal(r.body, "hello!0123456789", 16);
        assert_int_equal(r.used, strlen(s) - 4); /* "NEXT" belongs to the next request */
    }
}

static void expect_chunk_error(const char *s, int status, const char *part)
{
    struct dec_result r = decode(s, 1000);

    if (r.rc != CMCI_HTTP_ERROR || r.status != status || strstr(r.reason, part) == NULL)
        fail_msg("%s: rc %d status %d '%s'", s, r.rc, r.status, r.reason);
}

static void test_chunked__malformed_refused(void **state)
{
    char ext[400];

    (void)state;
    expect_chunk_error("\r\n", 400, "chunk size");
    expect_chunk_error("x\r\n", 400, "chunk size");
    expect_chunk_error("-1\r\n", 400, "chunk size");
    expect_chunk_error("5\nhello\r\n0\r\n\r\n", 400, "chunk size");          /* bare LF */
    expect_chunk_error("5\r\nhelloXX0\r\n\r\n", 400, "no CRLF after chunk");
    expect_chunk_error("5\r\nhello\n0\r\n\r\n", 400, "no CRLF after chunk");
    expect_chunk_error("10000000000000000\r\n", 400, "chunk size");         /* 17 digits */
    expect_chunk_error("0\r\nX-T 1\r\n\r\n", 400, "trailer");
    expect_chunk_error("0\r\n X: 1\r\n\r\n", 400, "trailer");
    expect_chunk_error("0\r\nX: 1\n\r\n", 400, "trailer");
    expect_chunk_error("0\r\n\n", 400, "trailer");
    expect_chunk_error("1;a\001\r\nx\r\n0\r\n\r\n", 400, "chunk extension");
    expect_chunk_error("1 x\r\nx\r\n0\r\n\r\n", 400, "chunk extension"); /* no ';' */
    snprintf(ext, sizeof(ext), "1;%0300d\r\nx\r\n0\r\n\r\n", 0);
    expect_chunk_error(ext, 400, "chunk extension");
}

static void test_chunked__trailer_bounded(void **state)
{
    char *s = malloc(CMCI_HTTP_MAX_TRAILER + 64);
    size_t len;

    (void)state;
    assert_non_null(s);
    len = (size_t)sprintf(s, "0\r\n");
    while (len + 12 < CMCI_HTTP_MAX_TRAILER + 60)
        len += (size_t)sprintf(s + len, "X-T: 12\r\n");
    s[len] = '\0';
    expect_chunk_error(s, 431, "trailer larger");
    free(s);
}

static void test_chunked__sixteen_digit_size_accepted(void **state)
{
    struct dec_result r = decode("FFFFFFFFFFFFFFFF\r\nab", 1000);

    (void)state;
    /* the decoder takes it; the caller's max_body ends the body */
    assert_int_equal(r.rc, CMCI_HTTP_DATA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head__simple_post),
        cmocka_unit_test(test_head__every_prefix_needs_more),
        cmocka_unit_test(test_head__leading_empty_lines_ignored),
        cmocka_unit_test(test_head__bare_lf_refused),
        cmocka_unit_test(test_head__bare_cr_refused),
        cmocka_unit_test(test_head__obs_fold_refused),
        cmocka_unit_test(test_head__field_syntax),
        cmocka_unit_test(test_head__request_line),
        cmocka_unit_test(test_head__target),
        cmocka_unit_test(test_head__host_required_once_in_1_1),
        cmocka_unit_test(test_head__content_length_digits_only),
        cmocka_unit_test(test_head__content_length_counted),
        cmocka_unit_test(test_head__transfer_encoding),
        cmocka_unit_test(test_head__connection_and_expect),
        cmocka_unit_test(test_head__kept_values_bounded),
        cmocka_unit_test(test_head__size_and_field_count_bounded),
        cmocka_unit_test(test_chunked__decodes_in_any_split),
        cmocka_unit_test(test_chunked__malformed_refused),
        cmocka_unit_test(test_chunked__trailer_bounded),
        cmocka_unit_test(test_chunked__sixteen_digit_size_accepted),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
