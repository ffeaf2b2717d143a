/* SPDX-License-Identifier: Apache-2.0 */
/* The strict HTTP/1.1 request parser of http_parse.h (RFC 9112, RFC 9110). */
#include "transport/http_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int fail(struct cmci_http_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct cmci_http_error *err, int status, const char *fmt, ...)
{
    va_list ap;

    err->status = status;
    va_start(ap, fmt);
    vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
    va_end(ap);
    return CMCI_HTTP_ERROR;
}

/* RFC 9110 §5.6.2 tchar */
static int is_tchar(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 9110 §5.5 field-vchar / SP / HTAB (obs-text allowed, no other control) */
static int is_field_char(uint8_t c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int name_is(const uint8_t *n, size_t nlen, const char *want)
{
    return strlen(want) == nlen && strncasecmp((const char *)n, want, nlen) == 0;
}

/*
 * Find the end of the line starting at @p p (before @p end): sets *eol to the CR of its
 * CRLF. A LF without CR before it, or a CR not followed by LF, is refused (RFC 9112 §2.2
 * allows a server to take a bare LF as a line end; we do not, so no front end that does
 * otherwise can read another request out of the same bytes).
 * Returns DONE, NEED_MORE (no LF yet) or ERROR.
 */
static int find_eol(const uint8_t *p, const uint8_t *end, const uint8_t **eol,
                    struct cmci_http_error *err)
{
    const uint8_t *lf = memchr(p, '\n', (size_t)(end - p));
    const uint8_t *cr = memchr(p, '\r', (size_t)((lf != NULL ? lf : end) - p));

    if (cr != NULL && (cr + 1 < end || lf != NULL) && cr + 1 != lf)
        return fail(err, 400, "bare CR in request head");
    if (lf == NULL)
        return CMCI_HTTP_NEED_MORE;
    if (cr == NULL)
        return fail(err, 400, "bare LF in request head; lines end with CRLF");
    *eol = cr;
    return CMCI_HTTP_DONE;
}

/* Copy the path of a request-target into h->path, percent-decoded, without the query. */
static int take_target(const uint8_t *t, size_t tlen, struct cmci_http_head *h,
                       struct cmci_http_error *err)
{
    size_t i = 0, n = 0;

    if (tlen > CMCI_HTTP_MAX_TARGET)
        return fail(err, 414, "request target longer than %d bytes", CMCI_HTTP_MAX_TARGET);
    for (size_t k = 0; k < tlen; k++)
        if (t[k] < 0x21 || t[k] > 0x7e)
            return fail(err, 400, "invalid character in request target");
    if (tlen > 7 && (strncasecmp((const char *)t, "http://", 7) == 0 ||
                     (tlen > 8 && strncasecmp((const char *)t, "https://", 8) == 0))) {
        /* absolute-form (RFC 9112 §3.2.2): a server MUST accept it; the path follows the
         * authority */
        i = t[4] == ':' ? 7 : 8;
        while (i < tlen && t[i] != '/' && t[i] != '?')
            i++;
        if (i == tlen || t[i] == '?') {
            h->path[0] = '/';
            h->path[1] = '\0';
            return CMCI_HTTP_DONE;
        }
    } else if (!(t[0] == '/' || (tlen == 1 && t[0] == '*'))) {
        return fail(err, 400, "malformed request target");
    }
    for (; i < tlen && t[i] != '?' && t[i] != '#'; i++) {
        uint8_t c = t[i];

        if (c == '%') {
            int hi = i + 2 < tlen ? hexval(t[i + 1]) : -1;
            int lo = i + 2 < tlen ? hexval(t[i + 2]) : -1;

            if (hi < 0 || lo < 0)
                return fail(err, 400, "malformed percent-encoding in request target");
            c = (uint8_t)(hi * 16 + lo);
            if (c == 0)
                return fail(err, 400, "NUL byte in request target");
            i += 2;
        }
        h->path[n++] = (char)c; /* n <= tlen <= CMCI_HTTP_MAX_TARGET */
    }
    h->path[n] = '\0';
    return CMCI_HTTP_DONE;
}

/* request-line = method SP request-target SP HTTP-version (RFC 9112 §3) */
static int take_request_line(const uint8_t *p, const uint8_t *eol, struct cmci_http_head *h,
                             struct cmci_http_error *err)
{
    const uint8_t *m = p, *t, *v;
    size_t len;

    while (p < eol && is_tchar(*p))
        p++;
    len = (size_t)(p - m);
    if (len == 0 || p == eol || *p != ' ')
        return fail(err, 400, "malformed request line");
    if (len > CMCI_HTTP_MAX_METHOD)
        return fail(err, 501, "method longer than %d bytes", CMCI_HTTP_MAX_METHOD);
    memcpy(h->method, m, len);
    h->method[len] = '\0';
    t = ++p;
    while (p < eol && *p != ' ')
        p++;
    if (p == t || p == eol)
        return fail(err, 400, "malformed request line");
    v = p + 1;
    if (take_target(t, (size_t)(p - t), h, err) != CMCI_HTTP_DONE)
        return CMCI_HTTP_ERROR;
    /* HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3) */
    if (eol - v != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' ||
        v[6] != '.' || v[7] < '0' || v[7] > '9')
        return fail(err, 400, "malformed request line");
    if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
        return fail(err, 505, "HTTP version not supported; use HTTP/1.1");
    h->minor = v[7] - '0';
    return CMCI_HTTP_DONE;
}

/* Content-Length = 1*DIGIT (RFC 9110 §8.6); saturates instead of overflowing. */
static int take_content_length(const uint8_t *v, size_t vlen, struct cmci_http_head *h,
                               struct cmci_http_error *err)
{
    uint64_t n = 0;

    if (vlen == 0)
        return fail(err, 400, "malformed Content-Length");
    for (size_t i = 0; i < vlen; i++) {
        unsigned d;

        if (v[i] < '0' || v[i] > '9')
            return fail(err, 400, "malformed Content-Length");
        d = (unsigned)(v[i] - '0');
        n = n > (UINT64_MAX - d) / 10 ? UINT64_MAX : n * 10 + d;
    }
    if (h->content_length_count++ == 0)
        h->content_length = n;
    return CMCI_HTTP_DONE;
}

static int keep_value(char *dst, const uint8_t *v, size_t vlen, const char *name,
                      struct cmci_http_error *err)
{
    if (vlen > CMCI_HTTP_MAX_VALUE)
        return fail(err, 400, "%s longer than %d bytes", name, CMCI_HTTP_MAX_VALUE);
    memcpy(dst, v, vlen);
    dst[vlen] = '\0';
    return CMCI_HTTP_DONE;
}

/* Connection = #connection-option (RFC 9110 §7.6.1): we act on close and keep-alive. */
static void take_connection(const uint8_t *v, size_t vlen, int *close, int *keep)
{
    size_t i = 0;

    while (i < vlen) {
        size_t s, e;

        while (i < vlen && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        s = i;
        while (i < vlen && v[i] != ',')
            i++;
        e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (name_is(v + s, e - s, "close"))
            *close = 1;
        else if (name_is(v + s, e - s, "keep-alive"))
            *keep = 1;
    }
}

/* field-line = field-name ":" OWS field-value OWS (RFC 9112 §5) */
static int take_field(const uint8_t *p, const uint8_t *eol, struct cmci_http_head *h,
                      int *close, int *keep, unsigned *hosts, struct cmci_http_error *err)
{
    const uint8_t *n = p, *v, *ve;
    size_t nlen;

    if (*p == ' ' || *p == '\t')
        return fail(err, 400, "obsolete line folding in request head");
    while (p < eol && is_tchar(*p))
        p++;
    nlen = (size_t)(p - n);
    if (nlen == 0 || p == eol || *p != ':')
        /* whitespace between name and colon included: RFC 9112 §5.1 says MUST refuse */
        return fail(err, 400, "malformed header field");
    v = p + 1;
    ve = eol;
    for (const uint8_t *q = v; q < ve; q++)
        if (!is_field_char(*q))
            return fail(err, 400, "invalid character in header field");
    while (v < ve && (*v == ' ' || *v == '\t'))
        v++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;

    if (name_is(n, nlen, "Content-Length"))
        return take_content_length(v, (size_t)(ve - v), h, err);
    if (name_is(n, nlen, "Transfer-Encoding")) {
        if (h->has_transfer_encoding)
            return fail(err, 400, "several Transfer-Encoding fields");
        if (h->minor == 0)
            /* RFC 9112 §6.1: faulty framing from an HTTP/1.0 client */
            return fail(err, 400, "Transfer-Encoding in an HTTP/1.0 request");
        h->has_transfer_encoding = 1;
        if (keep_value(h->transfer_encoding, v, (size_t)(ve - v), "Transfer-Encoding",
                       err) != CMCI_HTTP_DONE)
            return CMCI_HTTP_ERROR;
        h->chunked = strcasecmp(h->transfer_encoding, "chunked") == 0;
        return CMCI_HTTP_DONE;
    }
    if (name_is(n, nlen, "Content-Type")) {
        if (h->has_content_type)
            return fail(err, 400, "several Content-Type fields");
        h->has_content_type = 1;
        return keep_value(h->content_type, v, (size_t)(ve - v), "Content-Type", err);
    }
    if (name_is(n, nlen, "Host")) {
        (*hosts)++;
        return CMCI_HTTP_DONE;
    }
    if (name_is(n, nlen, "Connection")) {
        take_connection(v, (size_t)(ve - v), close, keep);
        return CMCI_HTTP_DONE;
    }
    if (name_is(n, nlen, "Expect")) {
        /* RFC 9110 §10.1.1: 100-continue is the only expectation defined; an HTTP/1.0
         * client's is ignored */
        if (!name_is(v, (size_t)(ve - v), "100-continue"))
            return fail(err, 417, "unsupported Expect; only 100-continue");
        h->expect_continue = h->minor == 1;
        return CMCI_HTTP_DONE;
    }
    return CMCI_HTTP_DONE;
}

int cmci_http_parse_head(const uint8_t *buf, size_t len, struct cmci_http_head *h,
                         struct cmci_http_error *err)
{
    const uint8_t *p = buf, *end, *eol;
    unsigned fields = 0, hosts = 0;
    int close = 0, keep = 0, rc;

    memset(h, 0, sizeof(*h));
    end = buf + (len < CMCI_HTTP_MAX_HEAD ? len : CMCI_HTTP_MAX_HEAD);
    /* RFC 9112 §2.2: empty lines before the request line are ignored (bounded by the head
     * limit like everything else) */
    while (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
        p += 2;
    if (p < end && p[0] == '\n')
        return fail(err, 400, "bare LF in request head; lines end with CRLF");
    rc = find_eol(p, end, &eol, err);
    if (rc != CMCI_HTTP_DONE)
        goto incomplete;
    if (take_request_line(p, eol, h, err) != CMCI_HTTP_DONE)
        return CMCI_HTTP_ERROR;
    p = eol + 2;
    for (;;) {
        rc = find_eol(p, end, &eol, err);
        if (rc != CMCI_HTTP_DONE)
            goto incomplete;
        if (eol == p)
            break; /* the empty line: end of the head */
        if (++fields > CMCI_HTTP_MAX_FIELDS)
            return fail(err, 431, "more than %d header fields", CMCI_HTTP_MAX_FIELDS);
        if (take_field(p, eol, h, &close, &keep, &hosts, err) != CMCI_HTTP_DONE)
            return CMCI_HTTP_ERROR;
        p = eol + 2;
    }
    h->head_len = (size_t)(eol + 2 - buf);
    /* RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host field */
    if (h->minor == 1 && hosts != 1)
        return fail(err, 400, hosts == 0 ? "missing Host field" : "several Host fields");
    h->keep_alive = !close && (h->minor == 1 || keep);
    return CMCI_HTTP_DONE;

incomplete:
    if (rc == CMCI_HTTP_ERROR)
        return rc;
    if (len >= CMCI_HTTP_MAX_HEAD)
        return fail(err, 431, "request head larger than %zu bytes", CMCI_HTTP_MAX_HEAD);
    return CMCI_HTTP_NEED_MORE;
}

/* ---- chunked transfer coding (RFC 9112 §7.1) -------------------------------------------- */

enum {
    CH_SIZE = 0,   /* chunk-size hex digits */
    CH_BWS,        /* blanks after the chunk size, before ';' or CR */
    CH_EXT,        /* chunk-ext, up to CR */
    CH_SIZE_LF,    /* LF after the chunk-size line */
    CH_DATA,       /* chunk-data */
    CH_DATA_CR,    /* CRLF after chunk-data */
    CH_DATA_LF,
    CH_TRAILER,    /* start of a trailer line, or of the final CRLF */
    CH_TRAILER_LINE,
    CH_TRAILER_LF,
    CH_END_LF,     /* LF of the final CRLF */
    CH_DONE
};

void cmci_http_chunked_init(struct cmci_http_chunked *c)
{
    memset(c, 0, sizeof(*c));
}

int cmci_http_chunked_feed(struct cmci_http_chunked *c, const uint8_t *in, size_t len,
                           size_t *consumed, const uint8_t **data, size_t *data_len,
                           struct cmci_http_error *err)
{
    size_t i = 0;

    *data = NULL;
    *data_len = 0;
    *consumed = 0;
    if (c->state == CH_DONE)
        return CMCI_HTTP_DONE;
    while (i < len) {
        uint8_t b = in[i];

        switch (c->state) {
        case CH_SIZE: {
            int d = hexval(b);

            if (d >= 0) {
                /* 16 hex digits fill 64 bits; the body cap (max_body) ends it far sooner */
                if (++c->digits > 16)
                    goto bad_size;
                c->remaining = c->remaining * 16 + (unsigned)d;
                i++;
                break;
            }
            if (c->digits == 0)
                goto bad_size;
            if (b == '\r') {
                c->state = CH_SIZE_LF;
            } else if (b == ';' || b == ' ' || b == '\t') {
                c->state = b == ';' ? CH_EXT : CH_BWS;
                c->ext = 1;
            } else {
                goto bad_size;
            }
            i++;
            break;
        }
        case CH_BWS:
            /* chunk-ext = *( BWS ";" BWS chunk-ext-name ...): only blanks before the ';' */
            if (b == '\r') {
                c->state = CH_SIZE_LF;
            } else if (b == ';') {
                c->state = CH_EXT;
            } else if ((b != ' ' && b != '\t') || ++c->ext > CMCI_HTTP_MAX_CHUNK_EXT) {
                *consumed = i;
                return fail(err, 400, "malformed chunk extension");
            }
            i++;
            break;
        case CH_EXT:
            if (b == '\r') {
                c->state = CH_SIZE_LF;
            } else if (!is_field_char(b) || ++c->ext > CMCI_HTTP_MAX_CHUNK_EXT) {
                *consumed = i;
                return fail(err, 400, "malformed chunk extension");
            }
            i++;
            break;
        case CH_SIZE_LF:
            if (b != '\n')
                goto bad_size;
            i++;
            c->state = c->remaining == 0 ? CH_TRAILER : CH_DATA;
            break;
        case CH_DATA: {
            size_t n = len - i;

            if ((uint64_t)n > c->remaining)
                n = (size_t)c->remaining;
            c->remaining -= n;
            if (c->remaining == 0) {
                c->state = CH_DATA_CR;
                c->digits = 0;
            }
            *data = in + i;
            *data_len = n;
            *consumed = i + n;
            return CMCI_HTTP_DATA;
        }
        case CH_DATA_CR:
        case CH_DATA_LF:
            if (b != (c->state == CH_DATA_CR ? '\r' : '\n')) {
                *consumed = i;
                return fail(err, 400, "malformed chunked body: no CRLF after chunk data");
            }
            c->state = c->state == CH_DATA_CR ? CH_DATA_LF : CH_SIZE;
            i++;
            break;
        case CH_TRAILER:
            if (b == '\r') {
                c->state = CH_END_LF;
                i++;
                break;
            }
            if (b == ' ' || b == '\t' || !is_tchar(b)) {
                *consumed = i;
                return fail(err, 400, "malformed chunked trailer");
            }
            c->state = CH_TRAILER_LINE; /* the same byte again, as the line's first */
            c->colon = 0;
            break;
        case CH_TRAILER_LINE:
            if (++c->trailer > CMCI_HTTP_MAX_TRAILER) {
                *consumed = i;
                return fail(err, 431, "chunked trailer larger than %zu bytes",
                            CMCI_HTTP_MAX_TRAILER);
            }
            if (b == '\r') {
                if (!c->colon) {
                    *consumed = i;
                    return fail(err, 400, "malformed chunked trailer");
                }
                c->state = CH_TRAILER_LF;
            } else if (b == ':') {
                c->colon = 1;
            } else if (!is_field_char(b)) {
                *consumed = i;
                return fail(err, 400, "malformed chunked trailer");
            }
            i++;
            break;
        case CH_TRAILER_LF:
        case CH_END_LF:
            c->trailer++; /* the CR was counted with its line */
            if (b != '\n') {
                *consumed = i;
                return fail(err, 400, "malformed chunked trailer");
            }
            i++;
            if (c->state == CH_END_LF) {
                c->state = CH_DONE;
                *consumed = i;
                return CMCI_HTTP_DONE;
            }
            c->state = CH_TRAILER;
            break;
        default: /* CH_DONE is handled above */
            *consumed = i;
            return fail(err, 500, "chunked decoder in a bad state");
        }
    }
    *consumed = i;
    return CMCI_HTTP_NEED_MORE;

bad_size:
    *consumed = i;
    return fail(err, 400, "malformed chunk size");
}
