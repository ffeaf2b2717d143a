/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A strict HTTP/1.1 request parser (RFC 9112) for the server of transport_http.c: pure
 * functions over caller-owned bytes, no I/O, no allocation. Private to src/transport.
 *
 * Strict means one reading of every request, so that no proxy in front of cmcd can find
 * another end for it (request smuggling, RFC 9112 §11.2): CRLF line ends only (a bare LF
 * or CR is refused), no obs-fold, no whitespace before a field's colon, Content-Length
 * digits only, Transfer-Encoding chunked only, never both. Every refusal carries an HTTP
 * status and a one-line reason that names what is wrong and echoes nothing of the request.
 */
#ifndef CMC_TRANSPORT_HTTP_PARSE_H
#define CMC_TRANSPORT_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Bounds. A head is the request line, the header fields and the empty line. */
#define CMCI_HTTP_MAX_HEAD ((size_t)16 * 1024)
#define CMCI_HTTP_MAX_FIELDS 100
#define CMCI_HTTP_MAX_TARGET 4096 /* request-target bytes (RFC 9112 §3: 414 beyond) */
#define CMCI_HTTP_MAX_METHOD 16
#define CMCI_HTTP_MAX_VALUE 256   /* the values we keep (Content-Type, Transfer-Encoding) */
#define CMCI_HTTP_MAX_TRAILER ((size_t)4096) /* chunked trailer section */
#define CMCI_HTTP_MAX_CHUNK_EXT 256          /* chunk-ext bytes per chunk */

/* Results of the parse functions. */
enum cmci_http_parse_rc {
    CMCI_HTTP_ERROR = -1,  /* refused: see status and reason */
    CMCI_HTTP_NEED_MORE = 0,
    CMCI_HTTP_DONE = 1,
    CMCI_HTTP_DATA = 2     /* chunked decoder: a span of body bytes is ready */
};

/* The head of one request, as far as the server needs it. Strings are NUL-terminated
 * copies, so the head stays valid after the input buffer moves. */
struct cmci_http_head {
    char method[CMCI_HTTP_MAX_METHOD + 1];
    char path[CMCI_HTTP_MAX_TARGET + 1]; /* percent-decoded, query cut off */
    int minor;                           /* HTTP/1.<minor>: 0 or 1 */
    int has_content_type;
    char content_type[CMCI_HTTP_MAX_VALUE + 1];
    unsigned content_length_count;       /* Content-Length fields seen */
    uint64_t content_length;             /* the first one; saturates at UINT64_MAX */
    int has_transfer_encoding;
    char transfer_encoding[CMCI_HTTP_MAX_VALUE + 1];
    int chunked;                         /* Transfer-Encoding is exactly "chunked" */
    int keep_alive;                      /* connection may be reused after the answer */
    int expect_continue;                 /* Expect: 100-continue on an HTTP/1.1 request */
    size_t head_len;                     /* bytes of input the head took */
};

/* What went wrong: an HTTP status (400, 414, 417, 431, 501, 505) and a one-line reason. */
struct cmci_http_error {
    int status;
    char reason[96];
};

/*
 * Parse a request head at the start of @p buf (the bytes received so far on a connection,
 * empty lines before the request line allowed as RFC 9112 §2.2 says). NEED_MORE: the head is
 * not complete and could still be valid; call again with more bytes (the whole buffer; a
 * head is at most CMCI_HTTP_MAX_HEAD, so rescanning is bounded). DONE: @p h is filled and
 * h->head_len bytes were the head. ERROR: @p err is filled; the connection must be answered
 * and closed, since where this request ends is unknown.
 */
int cmci_http_parse_head(const uint8_t *buf, size_t len, struct cmci_http_head *h,
                         struct cmci_http_error *err);

/* Incremental decoder of the chunked transfer coding (RFC 9112 §7.1). */
struct cmci_http_chunked {
    int state;
    uint64_t remaining; /* data bytes left in the current chunk */
    unsigned digits;    /* hex digits of the chunk size so far */
    size_t ext;         /* chunk-ext bytes so far */
    size_t trailer;     /* trailer-section bytes so far */
    int colon;          /* the current trailer line has its ':' */
};

void cmci_http_chunked_init(struct cmci_http_chunked *c);

/*
 * Feed @p len bytes. Sets *consumed to the bytes taken from @p in (possibly fewer than
 * @p len). DATA: *data / *data_len is body data inside @p in; call again with the rest.
 * NEED_MORE: all of @p in was taken. DONE: the body and its trailer section ended; the bytes
 * after *consumed belong to the next request. ERROR: @p err is filled.
 * Chunk extensions and trailer fields are checked for syntax and bounds and dropped.
 */
int cmci_http_chunked_feed(struct cmci_http_chunked *c, const uint8_t *in, size_t len,
                           size_t *consumed, const uint8_t **data, size_t *data_len,
                           struct cmci_http_error *err);

#endif
