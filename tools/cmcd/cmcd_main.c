/* SPDX-License-Identifier: Apache-2.0 */
/* cmcd: the CMC CA daemon. Loads the configuration, then serves the engine over HTTP
 * (rfc5273bis §3) until SIGINT or SIGTERM; SIGHUP reloads the configuration. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cmc/server.h>

#include "core/core_log.h"
#include "transport/transport_http.h"

/* A stop that takes longer than this (a handler stuck in a store commit, say) ends the
 * process anyway: SIGTERM must stop cmcd in bounded time. Every issued certificate is
 * committed before it is answered, so nothing issued is lost. */
#define STOP_TIMEOUT_S 10
#define STOP_TIMEOUT_TEXT "10" /* the same, for the async-signal-safe message */

/* What the HTTP server was started with: these need a restart to change. */
struct started {
    char listen[256];
    char path[256];
    char database[512];
    unsigned threads, conn_timeout, max_connections, max_conn_per_ip;
    int listen_from_cli; /* --listen given: the config's listen is not used anyway */
};

static void on_stop_timeout(int sig)
{
    static const char msg[] =
        "cmcd: stop did not finish within " STOP_TIMEOUT_TEXT " s; exiting now\n";

    (void)sig;
    /* async-signal-safe only */
    (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
    _exit(1);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: cmcd --config FILE [--listen HOST:PORT]\n"
               "  Serves a CMC certification authority over HTTP (POST to the configured path,\n"
               "  /cmc by default). See docs/configuration.md for the configuration file.\n"
               "  SIGHUP reloads the configuration; SIGTERM or SIGINT stops.\n");
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

static void note_restart(const char *key, const char *was, const char *now)
{
    CMC_LOG_WARN("reload: %s changed from \"%s\" to \"%s\"; it takes effect after a restart "
                 "(still using \"%s\")", key, was, now, was);
}

static void note_restart_u(const char *key, unsigned was, unsigned now)
{
    char a[16], b[16];

    if (was == now)
        return;
    snprintf(a, sizeof(a), "%u", was);
    snprintf(b, sizeof(b), "%u", now);
    note_restart(key, a, b);
}

/*
 * SIGHUP: the engine swaps in the new configuration (profiles, trust lists, CA files,
 * engine limits, log level) or keeps the old one and says why; the transport takes the
 * limits it can change while serving. The rest is fixed until a restart: say which.
 */
static void reload(struct cmc_server_ctx *ctx, struct cmc_http_server *srv, const char *config,
                   const struct started *st)
{
    CMC_LOG_INFO("SIGHUP: reloading %s", config);
    if (cmc_server_ctx_reload(ctx) != CMC_OK) {
        CMC_LOG_ERR("reload of %s failed; still serving the previous configuration: %s",
                    config, cmc_error_get0_message());
        return;
    }
    cmci_http_server_set_limits(srv, cmc_server_ctx_get_max_body(ctx),
                                cmc_server_ctx_get_request_timeout(ctx));
    if (!st->listen_from_cli && strcmp(st->listen, cmc_server_ctx_get0_listen(ctx)) != 0)
        note_restart("listen", st->listen, cmc_server_ctx_get0_listen(ctx));
    if (strcmp(st->path, cmc_server_ctx_get0_path(ctx)) != 0)
        note_restart("path", st->path, cmc_server_ctx_get0_path(ctx));
    if (strcmp(st->database, cmc_server_ctx_get0_database(ctx)) != 0)
        note_restart("database", st->database, cmc_server_ctx_get0_database(ctx));
    note_restart_u("threads", st->threads, cmc_server_ctx_get_threads(ctx));
    note_restart_u("conn_timeout", st->conn_timeout, cmc_server_ctx_get_conn_timeout(ctx));
    note_restart_u("max_connections", st->max_connections,
                   cmc_server_ctx_get_max_connections(ctx));
    note_restart_u("max_connections_per_ip", st->max_conn_per_ip,
                   cmc_server_ctx_get_max_connections_per_ip(ctx));
    CMC_LOG_INFO("configuration reloaded from %s", config);
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
    struct started st;
    struct sigaction sa;
    sigset_t sigs;
    char host[256];
    unsigned port;
    int sig = 0;

    /*
     * Signals are taken synchronously by this thread only (sigwait below): blocked here,
     * before any thread exists (the store's writer, the HTTP workers), so every
     * thread inherits the mask and none of them is ever interrupted by one. No handler runs,
     * so a signal can neither be lost between a flag test and pause() nor find the process
     * in an unsafe state; one that arrives while we are busy stays pending.
     */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0) {
        fprintf(stderr, "cmcd: cannot block signals\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

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
    memset(&st, 0, sizeof(st));
    st.listen_from_cli = listen != NULL;
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
    hc.request_timeout_s = cmc_server_ctx_get_request_timeout(ctx);
    hc.max_connections = cmc_server_ctx_get_max_connections(ctx);
    hc.max_conn_per_ip = cmc_server_ctx_get_max_connections_per_ip(ctx);
    hc.path_prefix = cmc_server_ctx_get0_path(ctx);
    snprintf(st.listen, sizeof(st.listen), "%s", cmc_server_ctx_get0_listen(ctx));
    snprintf(st.path, sizeof(st.path), "%s", hc.path_prefix);
    snprintf(st.database, sizeof(st.database), "%s", cmc_server_ctx_get0_database(ctx));
    st.threads = hc.threads;
    st.conn_timeout = hc.conn_timeout_s;
    st.max_connections = hc.max_connections;
    st.max_conn_per_ip = hc.max_conn_per_ip;

    if (cmci_http_server_start(&srv, &hc, handle, ctx) != CMC_OK) {
        fprintf(stderr, "cmcd: cannot listen on %s: %s\n", listen, cmc_error_get0_message());
        cmc_server_ctx_free(ctx);
        return 1;
    }
    CMC_LOG_INFO("cmcd listening on http://%s%s%s:%u%s (config %s, %u threads)",
                 strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
                 cmci_http_server_port(srv), st.path, config, cmci_http_server_threads(srv));

    for (;;) {
        if (sigwait(&sigs, &sig) != 0)
            continue;
        if (sig != SIGHUP)
            break;
        reload(ctx, srv, config, &st);
    }
    CMC_LOG_INFO("cmcd stopping (%s)", sig == SIGINT ? "SIGINT" : "SIGTERM");
    /* Bounded stop: SIGALRM is not blocked, its handler ends the process. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_timeout;
    sigaction(SIGALRM, &sa, NULL);
    alarm(STOP_TIMEOUT_S);
    cmci_http_server_stop(srv);
    cmc_server_ctx_free(ctx);
    CMC_LOG_INFO("cmcd stopped");
    return 0;
}
