/* SPDX-License-Identifier: Apache-2.0 */
/* cmcd: the CMC CA daemon. Loads the configuration, then serves the engine over HTTP
 * (rfc5273bis §3) until SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cmc/server.h>

#include "core/core_log.h"
#include "transport/transport_http.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: cmcd --config FILE [--listen HOST:PORT]\n"
               "  Serves a CMC certification authority over HTTP (POST to the configured path,\n"
               "  /cmc by default). See docs/configuration.md for the configuration file.\n");
}

/* "127.0.0.1:8080", "[::1]:8080", ":8080" */
static int split_listen(const char *s, char *host, size_t hlen, unsigned *port)
{
    const char *colon;
    char *end;
    unsigned long p;
    size_t n;

    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (rb == NULL || rb[1] != ':')
            return -1;
        n = (size_t)(rb - s - 1);
        if (n >= hlen)
            return -1;
        memcpy(host, s + 1, n);
        host[n] = '\0';
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return -1;
        n = (size_t)(colon - s);
        if (n >= hlen)
            return -1;
        memcpy(host, s, n);
        host[n] = '\0';
        if (n == 0)
            snprintf(host, hlen, "0.0.0.0");
    }
    p = strtoul(colon + 1, &end, 10);
    if (*end != '\0' || end == colon + 1 || p > 65535)
        return -1;
    *port = (unsigned)p;
    return 0;
}

static void handle(void *arg, const struct cmc_http_request *req, struct cmc_http_response *resp)
{
    struct cmc_server_ctx *ctx = arg;
    struct cmc_server_answer ans;
    enum cmc_request_kind kind =
        req->kind == CMC_HTTP_KIND_PKCS10 ? CMC_REQUEST_SIMPLE : CMC_REQUEST_FULL;

    if (cmc_server_process(ctx, kind, req->body, req->body_len, &ans) != CMC_OK
        && ans.http_status == 0) {
        resp->status = 500;
        snprintf(resp->reason, sizeof(resp->reason), "internal error");
        snprintf(resp->log, sizeof(resp->log), "fatal: %s", cmc_error_get0_message());
        cmc_server_answer_clear(&ans);
        return;
    }
    resp->status = ans.http_status;
    resp->content_type = ans.content_type;
    resp->body = ans.body;
    resp->body_len = ans.body_len;
    ans.body = NULL; /* handed to the transport, which frees it after sending */
    snprintf(resp->reason, sizeof(resp->reason), "%s", ans.reason);
    snprintf(resp->log, sizeof(resp->log), "%s", ans.log);
    cmc_server_answer_clear(&ans);
}

int main(int argc, char **argv)
{
    const char *config = NULL, *listen = NULL;
    struct cmc_server_ctx *ctx = NULL;
    struct cmc_http_server *srv = NULL;
    struct cmc_http_server_config hc;
    struct sigaction sa;
    char host[256];
    unsigned port;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "cmcd: unknown argument \"%s\"\n", argv[i]);
            usage(stderr);
            return 64;
        }
    }
    if (config == NULL) {
        usage(stderr);
        return 64;
    }
    if (cmc_server_ctx_new_from_config(&ctx, config) != CMC_OK) {
        fprintf(stderr, "cmcd: %s\n", cmc_error_get0_message());
        return 1;
    }
    if (listen == NULL)
        listen = cmc_server_ctx_get0_listen(ctx);
    if (split_listen(listen, host, sizeof(host), &port) != 0) {
        fprintf(stderr, "cmcd: listen address \"%s\": expected HOST:PORT\n", listen);
        cmc_server_ctx_free(ctx);
        return 1;
    }
    memset(&hc, 0, sizeof(hc));
    hc.host = host;
    hc.port = port;
    hc.threads = cmc_server_ctx_get_threads(ctx);
    hc.max_body = cmc_server_ctx_get_max_body(ctx);
    hc.conn_timeout_s = cmc_server_ctx_get_conn_timeout(ctx);
    hc.max_connections = cmc_server_ctx_get_max_connections(ctx);
    hc.path_prefix = cmc_server_ctx_get0_path(ctx);

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (cmci_http_server_start(&srv, &hc, handle, ctx) != CMC_OK) {
        fprintf(stderr, "cmcd: cannot listen on %s: %s\n", listen, cmc_error_get0_message());
        cmc_server_ctx_free(ctx);
        return 1;
    }
    CMC_LOG_INFO("cmcd listening on http://%s%s%s:%u%s (config %s, %u threads)",
                 strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
                 cmci_http_server_port(srv), hc.path_prefix, config, hc.threads);
    while (!stop_requested)
        pause();
    CMC_LOG_INFO("cmcd stopping");
    cmci_http_server_stop(srv);
    cmc_server_ctx_free(ctx);
    return 0;
}
