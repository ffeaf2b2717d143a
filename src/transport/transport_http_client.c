/* SPDX-License-Identifier: Apache-2.0 */
/* The libcurl client side of rfc5273bis §3.1: POST one PKI Request, read one capped
 * PKI Response. */
#include "transport/transport_http_client.h"

#include <pthread.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "core/core_buf.h"

#define HTTP_CLIENT_DEFAULT_TIMEOUT_S 60L

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

/* curl_global_init is not thread-safe and must run once per process. */
static void curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
    struct cmc_dynbuf buf;
    int over; /* the cap was hit */
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct sink *s = userp;
    size_t n = size * nmemb;

    if (cmci_dynbuf_add(&s->buf, data, n) != CMC_OK) {
        s->over = 1;
        return 0; /* anything but n makes curl stop with CURLE_WRITE_ERROR */
    }
    return n;
}

void cmci_http_result_clear(struct cmci_http_result *r)
{
    if (r == NULL)
        return;
    OPENSSL_free(r->content_type);
    OPENSSL_free(r->body);
    memset(r, 0, sizeof(*r));
}

cmc_err cmci_http_post(const char *url, const char *content_type, const uint8_t *body,
                       size_t len, size_t max_resp, long timeout_s, const char *tls_ca_file,
                       struct cmci_http_result *out)
{
    CURL *h = NULL;
    struct curl_slist *hdrs = NULL, *tmp;
    struct sink sink;
    char errbuf[CURL_ERROR_SIZE];
    char ctline[256];
    const char *rct = NULL;
    long status = 0;
    CURLcode cc;
    cmc_err rv = CMC_OK;
    int n;

    CMC_ENSURE_REF(out);
    memset(out, 0, sizeof(*out));
    CMC_ENSURE_REF(url);
    CMC_ENSURE_REF(content_type);
    CMC_ENSURE(body != NULL || len == 0, CMC_ERR_USAGE, "body is NULL");
    CMC_ENSURE(max_resp > 0, CMC_ERR_USAGE, "max_resp must be positive");
    n = snprintf(ctline, sizeof(ctline), "Content-Type: %s", content_type);
    CMC_ENSURE(n > 0 && (size_t)n < sizeof(ctline) && strpbrk(content_type, "\r\n") == NULL,
               CMC_ERR_USAGE, "bad content type");
    pthread_once(&curl_once, curl_init_once);
    CMC_ENSURE(curl_init_rc == CURLE_OK, CMC_ERR_TRANSPORT, "curl_global_init: %s",
               curl_easy_strerror(curl_init_rc));
    if (timeout_s <= 0)
        timeout_s = HTTP_CLIENT_DEFAULT_TIMEOUT_S;

    cmci_dynbuf_init(&sink.buf, max_resp);
    sink.over = 0;
    errbuf[0] = '\0';

    h = curl_easy_init();
    if (h == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "curl_easy_init");
        goto out;
    }
    tmp = curl_slist_append(hdrs, ctline);
    if (tmp == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "curl header list");
        goto out;
    }
    hdrs = tmp;

    /* Options that cannot fail with valid arguments are set without checks; a bad one would
     * surface as an error from curl_easy_perform anyway. rfc5273bis §3.1: POST, binary body;
     * no redirects (a redirected POST is easily turned into a GET), http(s) only. */
    (void)curl_easy_setopt(h, CURLOPT_URL, url);
    (void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    (void)curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    (void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    (void)curl_easy_setopt(h, CURLOPT_POST, 1L);
    (void)curl_easy_setopt(h, CURLOPT_POSTFIELDS, (const char *)(body ? body : (const uint8_t *)""));
    (void)curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    (void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    (void)curl_easy_setopt(h, CURLOPT_USERAGENT, "cmc");
    (void)curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
    (void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout_s);
    /* a declared Content-Length above the cap fails before a byte is read */
    (void)curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_resp);
    (void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    (void)curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    (void)curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    /* https: the server certificate must chain to this bundle instead of the system's
     * (a private CA is the usual case for a CMC server). Peer and host name checks stay
     * on: libcurl's defaults, never relaxed here. */
    if (tls_ca_file != NULL && curl_easy_setopt(h, CURLOPT_CAINFO, tls_ca_file) != CURLE_OK) {
        rv = cmci_fail(CMC_ERR_TRANSPORT, "this libcurl cannot take a TLS CA file (%s)",
                       tls_ca_file);
        goto out;
    }

    cc = curl_easy_perform(h);
    if (sink.over || cc == CURLE_FILESIZE_EXCEEDED) {
        rv = cmci_fail(CMC_ERR_LIMIT, "POST %s: response larger than %zu bytes", url, max_resp);
        goto out;
    }
    if (cc == CURLE_OUT_OF_MEMORY) {
        rv = cmci_fail(CMC_ERR_NOMEM, "POST %s: out of memory", url);
        goto out;
    }
    if (cc != CURLE_OK) {
        rv = cmci_fail(CMC_ERR_TRANSPORT, "POST %s: %s", url,
                       errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
        goto out;
    }
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status <= 0) {
        rv = cmci_fail(CMC_ERR_TRANSPORT, "POST %s: no HTTP status", url);
        goto out;
    }
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &rct) == CURLE_OK && rct != NULL) {
        out->content_type = OPENSSL_strdup(rct);
        if (out->content_type == NULL) {
            rv = cmci_fail(CMC_ERR_NOMEM, "content type copy");
            goto out;
        }
    }
    out->status = status;
    out->body = cmci_dynbuf_take(&sink.buf, &out->body_len);

out:
    if (rv != CMC_OK)
        cmci_http_result_clear(out);
    cmci_dynbuf_free(&sink.buf);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return rv;
}
