/* SPDX-License-Identifier: Apache-2.0 */
/* cmc_client_enroll: the HTTP binding of the client (rfc5273bis §3.1). It is the one file
 * of src/msg that sits above src/transport and is built as its own library, cmc_client, so
 * cmc_msg stays free of the network stack. */
#include "msg/msg_local.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "transport/transport_http_client.h"

/* How much of a non-2xx text/plain body we quote back: one line is all a user needs. */
#define HTTP_REASON_MAX 160

struct http_arg {
    const char *url;
    unsigned timeout_s;
    const char *tls_ca_file;
};

/* Copy at most one line of printable ASCII, so a hostile server cannot drive the
 * terminal through our error message. */
static void quote_reason(const uint8_t *body, size_t len, char *buf, size_t cap)
{
    size_t n = 0;

    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        if (body[i] == '\n' || body[i] == '\r')
            break;
        buf[n++] = (body[i] >= 0x20 && body[i] < 0x7f) ? (char)body[i] : '?';
    }
    buf[n] = '\0';
}

static cmc_err http_post(void *arg, const char *content_type, const uint8_t *body,
                         size_t len, uint8_t **resp, size_t *resp_len, long *http_status)
{
    const struct http_arg *a = arg;
    struct cmci_http_result r;
    cmc_err rv;

    *resp = NULL;
    *resp_len = 0;
    CMC_GUARD(cmci_http_post(a->url, content_type, body, len, CMC_CLIENT_MAX_RESPONSE,
                             (long)(a->timeout_s ? a->timeout_s : 30), a->tls_ca_file, &r));
    *http_status = r.status;
    /* rfc5273bis §3.1: a CMC answer, success or failure, always comes with a 2xx code;
     * anything else is the transport's own complaint. */
    if (r.status < 200 || r.status > 299) {
        char reason[HTTP_REASON_MAX];

        quote_reason(r.body, r.body_len, reason, sizeof(reason));
        rv = cmci_fail(CMC_ERR_HTTP, "%s answered HTTP %ld%s%s", a->url, r.status,
                       reason[0] ? ": " : "", reason);
        cmci_http_result_clear(&r);
        return rv;
    }
    if (r.body == NULL || r.body_len == 0) {
        cmci_http_result_clear(&r);
        CMC_BAIL(CMC_ERR_DECODE, "%s answered with an empty body", a->url);
    }
    *resp = r.body;
    *resp_len = r.body_len;
    r.body = NULL;
    cmci_http_result_clear(&r);
    return CMC_OK;
}

cmc_err cmc_client_enroll(const struct cmc_enroll_params *p, struct cmc_enroll_result **out)
{
    struct http_arg a;

    CMC_ENSURE_REF(out);
    *out = NULL;
    CMC_ENSURE_REF(p);
    CMC_ENSURE(p->url != NULL, CMC_ERR_USAGE, "a server URL is required");
    /* rfc5273bis §3 binds CMC to HTTP only; a typo'd scheme is told as such here rather
     * than as libcurl's "unsupported protocol" after the request was built and signed. */
    CMC_ENSURE(strncasecmp(p->url, "http://", 7) == 0 || strncasecmp(p->url, "https://", 8) == 0,
               CMC_ERR_USAGE, "%s: the server URL must start with http:// or https://", p->url);
    a.url = p->url;
    a.timeout_s = p->timeout_s;
    a.tls_ca_file = p->tls_ca_file;
    return cmc_client_enroll_with(p, http_post, &a, out);
}
