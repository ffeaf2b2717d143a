/* SPDX-License-Identifier: Apache-2.0 */
/* The request decisions of the HTTP transport (rfc5273bis §3.1), pure functions: media type,
 * method, path, framing and declared size. The server itself is http_server.c. */
#include "transport/transport_http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "transport/http_server.h"

#define MT_PKCS10 "application/pkcs10"
#define MT_PKCS7 "application/pkcs7-mime"

/* Copy @p src into @p dst as one printable line: peer-controlled text must not be able to
 * forge log lines or response lines (libmicrohttpd percent-decodes the path, so "%0a" would
 * arrive as a newline). */
void cmci_http_copy_line(char *dst, size_t dstsz, const char *src)
{
    size_t i = 0;

    if (src != NULL) {
        for (; src[i] != '\0' && i + 1 < dstsz; i++) {
            unsigned char c = (unsigned char)src[i];
            dst[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
        }
    }
    dst[i] = '\0';
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

    cmci_http_copy_line(shown, sizeof(shown), ct);
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
            cmci_http_copy_line(v, sizeof(v), val);
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

int cmci_http_check_head(const struct cmc_http_head *h, enum cmc_http_kind *kind, char *reason,
                         size_t reasonsz)
{
    /* the server never passes an empty prefix (cmci_http_server_start makes it "/") */
    const char *prefix = h->prefix != NULL && h->prefix[0] != '\0' ? h->prefix : "/";
    char path[128], method[16]; /* as copied for the access log (struct http_req) */
    char why[160];

    cmci_http_copy_line(path, sizeof(path), h->url);
    cmci_http_copy_line(method, sizeof(method), h->method);
    if (!path_allowed(prefix, h->url != NULL ? h->url : "")) {
        snprintf(reason, reasonsz, "not found: %s", path);
        return 404;
    }
    /* rfc5273bis §3.1: requests use POST */
    if (h->method == NULL || strcmp(h->method, "POST") != 0) {
        snprintf(reason, reasonsz, "method not allowed: %s; use POST", method);
        return 405;
    }
    /* RFC 9112 §6.3: framing we cannot be sure of is refused before the body is read, so
     * no two parties can disagree on where this request ends (request smuggling). */
    if (h->content_length_count > 1) {
        snprintf(reason, reasonsz, "several Content-Length fields");
        return 400;
    }
    if (h->transfer_encoding != NULL) {
        char te[48];

        if (h->content_length != NULL) {
            snprintf(reason, reasonsz, "both Content-Length and Transfer-Encoding");
            return 400;
        }
        if (strcasecmp(skip_ows(h->transfer_encoding), "chunked") != 0) {
            /* RFC 9112 §6.1: a transfer coding the server does not understand */
            cmci_http_copy_line(te, sizeof(te), h->transfer_encoding);
            snprintf(reason, reasonsz, "unsupported Transfer-Encoding: %s; only chunked", te);
            return 501;
        }
    }
    if (!cmci_http_classify_content_type(h->content_type, kind, why, sizeof(why))) {
        snprintf(reason, reasonsz, "%s", why);
        return 415;
    }
    /* A declared length is checked before a single body byte is read. The parser
     * (http_parse.c) has refused a Content-Length that is not digits; one above 2^64 comes
     * here saturated, and is too large like any other. */
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
            return 413;
        }
        if (v == 0) {
            snprintf(reason, reasonsz, "empty request body");
            return 400;
        }
    }
    return 0;
}
