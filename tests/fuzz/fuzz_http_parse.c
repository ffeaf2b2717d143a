/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for src/transport/http_parse.c, the strict HTTP/1.1 request parser. Each
 * input is raw bytes as a client would send them on a connection.
 *
 * Oracles (any failure aborts):
 * - a refusal has a status in {400, 414, 417, 431, 501, 505} (431 also from the chunked
 *   trailer) and a reason that is one printable, NUL-terminated line;
 * - a parsed head took at most the input and at most CMCI_HTTP_MAX_HEAD bytes, its method
 *   and path are NUL-terminated within their arrays, the path starts with '/' or is "*", and
 *   the version is 1.0 or 1.1;
 * - the head decision does not depend on what follows the head: parsing exactly head_len
 *   bytes gives the same head, and one byte fewer needs more;
 * - the chunked decoder gives the same result (rc, body bytes, bytes consumed) whether the
 *   rest is fed at once or one byte at a time, and never returns more body bytes than it
 *   consumed. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/http_parse.h"

static void die(const char *what)
{
    fprintf(stderr, "fuzz_http_parse: oracle failed: %s\n", what);
    abort();
}

static void check_error(const struct cmci_http_error *e)
{
    const char *end = memchr(e->reason, '\0', sizeof(e->reason));

    if (e->status != 400 && e->status != 414 && e->status != 417 && e->status != 431 &&
        e->status != 501 && e->status != 505)
        die("unexpected status");
    if (end == NULL || end == e->reason)
        die("reason not terminated or empty");
    for (const char *p = e->reason; p < end; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            die("reason not one printable line");
}

struct decoded {
    int rc;
    size_t used;
    size_t body_len;
    uint8_t body[4096];
};

/* Decode @p in with pieces of at most @p step bytes; body bytes beyond the buffer are only
 * counted. */
static void decode(const uint8_t *in, size_t len, size_t step, struct decoded *d)
{
    struct cmci_http_chunked c;
    size_t off = 0;

    cmci_http_chunked_init(&c);
    d->rc = CMCI_HTTP_NEED_MORE;
    d->used = 0;
    d->body_len = 0;
    while (off < len) {
        size_t avail = len - off < step ? len - off : step;
        const uint8_t *data;
        size_t dlen, used;
        struct cmci_http_error e;

        d->rc = cmci_http_chunked_feed(&c, in + off, avail, &used, &data, &dlen, &e);
        if (used > avail)
            die("decoder consumed more than given");
        off += used;
        if (d->rc == CMCI_HTTP_DATA) {
            if (dlen == 0 || dlen > used || data < in || data + dlen > in + off)
                die("data span outside the consumed bytes");
            if (d->body_len < sizeof(d->body)) {
                /* the first sizeof(body) bytes are kept, however they were split */
                size_t room = sizeof(d->body) - d->body_len;

                memcpy(d->body + d->body_len, data, dlen < room ? dlen : room);
            }
            d->body_len += dlen;
            continue;
        }
        if (d->rc == CMCI_HTTP_ERROR) {
            check_error(&e);
            break;
        }
        if (d->rc == CMCI_HTTP_DONE)
            break;
        if (used != avail)
            die("NEED_MORE without taking everything");
    }
    d->used = off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cmci_http_head h, h2;
    static struct decoded whole, bytewise;
    struct cmci_http_error e;
    int rc;

    rc = cmci_http_parse_head(data, size, &h, &e);
    if (rc == CMCI_HTTP_ERROR) {
        check_error(&e);
    } else if (rc == CMCI_HTTP_DONE) {
        if (h.head_len > size || h.head_len > CMCI_HTTP_MAX_HEAD || h.head_len < 4)
            die("head_len out of range");
        if (memchr(h.method, '\0', sizeof(h.method)) == NULL ||
            memchr(h.path, '\0', sizeof(h.path)) == NULL ||
            memchr(h.content_type, '\0', sizeof(h.content_type)) == NULL ||
            memchr(h.transfer_encoding, '\0', sizeof(h.transfer_encoding)) == NULL)
            die("string not terminated");
        if (h.method[0] == '\0' || (h.path[0] != '/' && strcmp(h.path, "*") != 0))
            die("empty method or path");
        if (h.minor != 0 && h.minor != 1)
            die("version");
        if (cmci_http_parse_head(data, h.head_len, &h2, &e) != CMCI_HTTP_DONE ||
            memcmp(&h, &h2, sizeof(h)) != 0)
            die("head differs when parsed alone");
        if (cmci_http_parse_head(data, h.head_len - 1, &h2, &e) != CMCI_HTTP_NEED_MORE)
            die("head one byte short is not NEED_MORE");
        data += h.head_len;
        size -= h.head_len;
    }
    if (rc == CMCI_HTTP_NEED_MORE && size >= CMCI_HTTP_MAX_HEAD)
        die("NEED_MORE beyond the head limit");

    /* The rest (or the whole input, when there was no head) as a chunked body. */
    decode(data, size, size > 0 ? size : 1, &whole);
    decode(data, size, 1, &bytewise);
    if (whole.rc != bytewise.rc || whole.used != bytewise.used ||
        whole.body_len != bytewise.body_len ||
        memcmp(whole.body, bytewise.body,
               whole.body_len < sizeof(whole.body) ? whole.body_len : sizeof(whole.body)) != 0)
        die("chunked result depends on how the bytes are split");
    if (whole.body_len > whole.used)
        die("more body than bytes consumed");
    return 0;
}
