/* SPDX-License-Identifier: Apache-2.0 */
/* cmc-bench: load generator for cmcd; sets up a demo CA and a loopback cmcd, drives it with
 * concurrent keep-alive clients and reports throughput, latency, CPU per enrollment against
 * the bare crypto cost, and RSS. */
#include "bench.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#define KEY_POOL_MAX 2000
#define CRYPTO_ITERATIONS 2000

/* Targets printed beside the figures (docs/benchmark.md); missing one is not an error. */
#define TARGET_RATE 3000.0
#define TARGET_P99_MS 30.0
#define TARGET_RATIO 2.0
#define TARGET_RSS_PCT 10.0

struct options {
    int all;
    const char *ca_key_type;
    const char *mode;
    unsigned clients;
    size_t count;
    size_t warmup;
    int warmup_set;
    const char *keep;
    double max_seconds;
    unsigned server_threads; /* 0: cmcd's default for this machine */
    char bindir[512];
};

struct scenario {
    const char *label;
    const char *ca_key_type;
    enum bench_req_kind kind;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: cmc-bench [--all] [--ca-key-type ec:P-256|rsa:2048|...]\n"
            "                 [--mode simple|full-crmf] [--clients 64] [--count 20000]\n"
            "                 [--warmup N] [--max-seconds 600] [--keep DIR] [--bindir DIR]\n"
            "                 [--server-threads N]\n"
            "  --all      three runs: P-256 CA simple, RSA-2048 CA simple, P-256 CA full-crmf\n"
            "  --count    measured requests per run (100000 for an RSS flatness run)\n"
            "  --keep     keep each run's CA directory, database and cmcd.log under DIR\n"
            "  --server-threads  cmcd worker threads (default: see docs/benchmark.md)\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > 100000000ULL) {
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    int i;
    size_t v;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--all") == 0) {
            o->all = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            exit(0);
        }
        if (val == NULL) {
            usage();
            return -1;
        }
        i++;
        if (strcmp(a, "--ca-key-type") == 0) {
            o->ca_key_type = val;
        } else if (strcmp(a, "--mode") == 0) {
            if (strcmp(val, "simple") != 0 && strcmp(val, "full-crmf") != 0) {
                usage();
                return -1;
            }
            o->mode = val;
        } else if (strcmp(a, "--clients") == 0 && parse_size(val, &v) == 0 && v >= 1 && v <= 4096) {
            o->clients = (unsigned)v;
        } else if (strcmp(a, "--count") == 0 && parse_size(val, &v) == 0 && v >= 1) {
            o->count = v;
        } else if (strcmp(a, "--warmup") == 0 && parse_size(val, &v) == 0) {
            o->warmup = v;
            o->warmup_set = 1;
        } else if (strcmp(a, "--max-seconds") == 0 && parse_size(val, &v) == 0 && v >= 1) {
            o->max_seconds = (double)v;
        } else if (strcmp(a, "--server-threads") == 0 && parse_size(val, &v) == 0 && v >= 1
                   && v <= 256) {
            o->server_threads = (unsigned)v;
        } else if (strcmp(a, "--keep") == 0) {
            o->keep = val;
        } else if (strcmp(a, "--bindir") == 0) {
            snprintf(o->bindir, sizeof(o->bindir), "%s", val);
        } else {
            usage();
            return -1;
        }
    }
    return 0;
}

/* cmc and cmcd are siblings of this executable (build/tools/). */
static int find_bindir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0) {
        return -1;
    }
    exe[n] = '\0';
    if ((slash = strrchr(exe, '/')) == NULL) {
        return -1;
    }
    *slash = '\0';
    if (strlen(exe) >= cap)
        return -1;
    memcpy(out, exe, strlen(exe) + 1);
    return 0;
}

/* --- request generation, spread over the CPUs ------------------------------------------- */

struct gen_job {
    enum bench_req_kind kind;
    EVP_PKEY **keys;
    size_t nkeys;
    struct bench_reqset *rs;
    size_t from, to;
    int failed;
};

static void *gen_main(void *arg)
{
    struct gen_job *j = arg;
    size_t i;
    char subject[64];

    for (i = j->from; i < j->to; i++) {
        struct bench_req_params p = {0};

        if (i < j->nkeys) {
            j->keys[i] = EVP_EC_gen("P-256");
            if (j->keys[i] == NULL) {
                j->failed = 1;
                return NULL;
            }
        }
        snprintf(subject, sizeof(subject), "/O=cmc-bench/CN=bench client %zu", i);
        p.kind = j->kind;
        p.subject = subject;
        p.key = j->keys[i % j->nkeys];
        if (i >= j->nkeys && p.key == NULL) {
            /* Keys are made by the first pass of each worker; a worker whose slice starts
             * past the key pool uses keys another worker may not have made yet. */
            j->failed = 2;
            return NULL;
        }
        if (bench_req_build(&p, &j->rs->der[i], &j->rs->len[i]) != 0) {
            j->failed = 1;
            return NULL;
        }
    }
    return NULL;
}

static void reqset_free(struct bench_reqset *rs)
{
    size_t i;

    if (rs->der != NULL) {
        for (i = 0; i < rs->n; i++) {
            OPENSSL_free(rs->der[i]);
        }
    }
    free(rs->der);
    free(rs->len);
    memset(rs, 0, sizeof(*rs));
}

/* @n requests of @kind over a pool of at most KEY_POOL_MAX P-256 keys. Full requests all
 * differ anyway (fresh transactionId and senderNonce), so the server's replay check never
 * fires; Simple requests are reused round-robin by the load loop. */
static int make_requests(enum bench_req_kind kind, size_t n, struct bench_reqset *rs)
{
    size_t nkeys = n < KEY_POOL_MAX ? n : KEY_POOL_MAX, i;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nthreads = ncpu > 0 && ncpu < 64 ? (unsigned)ncpu : 1, t;
    EVP_PKEY **keys = calloc(nkeys, sizeof(*keys));
    struct gen_job jobs[64];
    pthread_t tids[64];
    int rc = 0;

    memset(rs, 0, sizeof(*rs));
    rs->der = calloc(n, sizeof(*rs->der));
    rs->len = calloc(n, sizeof(*rs->len));
    if (keys == NULL || rs->der == NULL || rs->len == NULL) {
        free(keys);
        reqset_free(rs);
        return -1;
    }
    rs->n = n;
    /* Two phases: first the key pool together with its own requests, then the rest, so a
     * worker never uses a key that is still being generated. */
    for (int phase = 0; phase < 2; phase++) {
        size_t lo = phase == 0 ? 0 : nkeys, hi = phase == 0 ? nkeys : n;
        size_t per = (hi - lo + nthreads - 1) / nthreads;
        unsigned started = 0;

        if (hi <= lo) {
            continue;
        }
        for (t = 0; t < nthreads; t++) {
            size_t from = lo + per * t, to = from + per > hi ? hi : from + per;

            if (from >= hi) {
                break;
            }
            jobs[t] = (struct gen_job){kind, keys, nkeys, rs, from, to, 0};
            if (pthread_create(&tids[t], NULL, gen_main, &jobs[t]) != 0) {
                rc = -1;
                break;
            }
            started++;
        }
        for (t = 0; t < started; t++) {
            pthread_join(tids[t], NULL);
            if (jobs[t].failed) {
                rc = -1;
            }
        }
        if (rc != 0) {
            break;
        }
    }
    for (i = 0; i < nkeys; i++) {
        EVP_PKEY_free(keys[i]);
    }
    free(keys);
    if (rc != 0) {
        fprintf(stderr, "cmc-bench: generating requests failed\n");
        ERR_print_errors_fp(stderr);
        reqset_free(rs);
    }
    return rc;
}

/* --- one run --------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, size_t n, double p)
{
    size_t i;

    if (n == 0) {
        return 0;
    }
    i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

static EVP_PKEY *load_ca_key(const char *dir)
{
    char path[600];
    FILE *f;
    EVP_PKEY *k = NULL;

    snprintf(path, sizeof(path), "%s/ca.key", dir);
    if ((f = fopen(path, "r")) != NULL) {
        k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
    }
    if (k == NULL) {
        fprintf(stderr, "cmc-bench: cannot read the CA key %s\n", path);
    }
    return k;
}

static const char *mark(int ok)
{
    return ok ? "ok  " : "MISS";
}

static int run_scenario(const struct options *o, const struct scenario *sc, unsigned run_no)
{
    struct bench_server srv;
    struct bench_reqset all = {0}, warm, main_rs;
    struct bench_load_result wres = {0}, res = {0};
    struct bench_crypto_cost cc;
    EVP_PKEY *cakey = NULL;
    char base[400], val[32];
    int full = sc->kind == BENCH_REQ_FULL_CRMF, rc = -1, created_tmp = 0;
    unsigned threads = o->server_threads;
    size_t warmup = o->warmup_set ? o->warmup : (o->count / 10 < 2000 ? o->count / 10 : 2000);
    size_t pool;
    int crypto_ok;
    double cpu0, cpu1, rate, p50, p99, per_enroll, ratio, rss_pct;
    unsigned long rss_idle, rss0, rss1;

    memset(&srv, 0, sizeof(srv));
    snprintf(srv.bindir, sizeof(srv.bindir), "%s", o->bindir);
    if (o->keep != NULL) {
        mkdir(o->keep, 0700);
        snprintf(base, sizeof(base), "%s/run%u-%s", o->keep, run_no, sc->label);
        bench_rmtree(base);
        if (mkdir(base, 0700) != 0) {
            fprintf(stderr, "cmc-bench: cannot create %s\n", base);
            return -1;
        }
    } else {
        snprintf(base, sizeof(base), "%s/cmc-bench.XXXXXX",
                 getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
        if (mkdtemp(base) == NULL) {
            perror("cmc-bench: mkdtemp");
            return -1;
        }
        created_tmp = 1;
    }
    snprintf(srv.dir, sizeof(srv.dir), "%s/ca", base);

    printf("\n== run %u: %s CA, %s, %u clients, %zu requests (+%zu warm-up) ==\n", run_no,
           sc->ca_key_type, full ? "Full PKI Request (CRMF)" : "Simple PKI Request (PKCS#10)",
           o->clients, o->count, warmup);
    fflush(stdout);

    /* Requests first, so the server's starting RSS is measured idle. */
    pool = full ? o->count + warmup : (o->count + warmup < KEY_POOL_MAX ? o->count + warmup
                                                                          : KEY_POOL_MAX);
    {
        double t0 = bench_now();

        if (make_requests(sc->kind, pool, &all) != 0) {
            goto out;
        }
        printf("  generated %zu requests (P-256 keys) in %.1f s\n", pool, bench_now() - t0);
    }
    all.content_type = full ? "application/pkcs7-mime; smime-type=CMC-request"
                            : "application/pkcs10";
    all.expect_type = full ? "application/pkcs7-mime; smime-type=CMC-response"
                           : "application/pkcs7-mime; smime-type=certs-only";
    all.check_full_status = full;
    warm = all;
    main_rs = all;
    if (full) {
        /* Full requests are never re-sent: warm-up and the measured run use disjoint parts. */
        warm.n = warmup > 0 ? warmup : 1;
        main_rs.der = all.der + warmup;
        main_rs.len = all.len + warmup;
        main_rs.n = o->count;
    }

    if (bench_ca_init(&srv, sc->ca_key_type) != 0) {
        goto out;
    }
    snprintf(val, sizeof(val), "%u", threads);
    /* by default cmcd runs with the thread count an operator gets (its config default) */
    if (threads > 0 && bench_conf_set(&srv, "threads", val) != 0) {
        goto out;
    }
    snprintf(val, sizeof(val), "%u", o->clients * 2 + 16);
    if (bench_conf_set(&srv, "max_connections", val) != 0) {
        goto out;
    }
    if (bench_server_start(&srv) != 0) {
        goto out;
    }
    rss_idle = bench_proc_rss_kb(srv.pid);
    if (warmup > 0 && bench_load_run(srv.port, &warm, o->clients, warmup, o->max_seconds, &wres) != 0) {
        goto out;
    }
    rss0 = bench_proc_rss_kb(srv.pid);
    cpu0 = bench_proc_cpu_seconds(srv.pid);
    if (bench_load_run(srv.port, &main_rs, o->clients, o->count, o->max_seconds, &res) != 0) {
        goto out;
    }
    cpu1 = bench_proc_cpu_seconds(srv.pid);
    rss1 = bench_proc_rss_kb(srv.pid);
    bench_server_stop(&srv);

    /* Crypto baseline after the server stopped, so the two never share the CPUs. */
    if ((cakey = load_ca_key(srv.dir)) == NULL) {
        goto out;
    }
    crypto_ok = bench_crypto_measure(cakey, full, CRYPTO_ITERATIONS, &cc) == 0;

    qsort(res.latency_ms, res.done, sizeof(double), cmp_double);
    p50 = percentile(res.latency_ms, res.done, 0.50);
    p99 = percentile(res.latency_ms, res.done, 0.99);
    rate = res.wall_s > 0 ? (double)res.done / res.wall_s : 0;
    per_enroll = res.done > 0 && cpu0 >= 0 && cpu1 >= 0 ? (cpu1 - cpu0) / (double)res.done : 0;
    ratio = crypto_ok && cc.total_s > 0 ? per_enroll / cc.total_s : 0;
    rss_pct = rss0 > 0 ? 100.0 * ((double)rss1 - (double)rss0) / (double)rss0 : 0;

    printf("  %-34s %12s   %s\n", "figure", "measured", "target");
    printf("  %-34s %12.1f   >= %.0f %s\n", "enrollments/s", rate, TARGET_RATE,
           mark(rate >= TARGET_RATE));
    printf("  %-34s %12.2f\n", "latency p50 (ms)", p50);
    printf("  %-34s %12.2f   <= %.0f %s\n", "latency p99 (ms)", p99, TARGET_P99_MS,
           mark(p99 <= TARGET_P99_MS));
    printf("  %-34s %12.1f\n", "server CPU per enrollment (us)", per_enroll * 1e6);
    if (crypto_ok) {
        printf("  %-34s %12.1f\n", "crypto CPU per enrollment (us)", cc.total_s * 1e6);
        if (full) {
            printf("  %-34s %12.1f\n", "  verify wrapper, P-256 (us)", cc.verify_wrapper_s * 1e6);
        }
        printf("  %-34s %12.1f\n", "  verify POP, P-256 (us)", cc.verify_pop_s * 1e6);
        printf("  %-34s %12.1f\n", "  sign certificate, CA key (us)", cc.sign_cert_s * 1e6);
        if (full) {
            printf("  %-34s %12.1f\n", "  sign response, CA key (us)", cc.sign_response_s * 1e6);
        }
        printf("  %-34s %12.2f   <= %.0f %s\n", "ratio server/crypto CPU", ratio, TARGET_RATIO,
               mark(ratio <= TARGET_RATIO));
    }
    printf("  %-34s %12lu\n", "server RSS idle (kB)", rss_idle);
    printf("  %-34s %12lu\n", "server RSS after warm-up (kB)", rss0);
    printf("  %-34s %12lu\n", "server RSS at end (kB)", rss1);
    printf("  %-34s %+12.1f   within +-%.0f %s\n", "RSS change over the run (%)", rss_pct,
           TARGET_RSS_PCT, mark(rss_pct <= TARGET_RSS_PCT && rss_pct >= -TARGET_RSS_PCT));
    printf("  %-34s %12zu\n", "errors", res.errors + wres.errors);
    printf("  %-34s %12.1f\n", "wall time of measured run (s)", res.wall_s);
    if (o->keep != NULL) {
        printf("  kept: %s (cmcd.cnf, cmcd.db, cmcd.log)\n", srv.dir);
    }
    fflush(stdout);
    rc = (res.errors + wres.errors == 0 && crypto_ok) ? 0 : 1;
out:
    bench_server_stop(&srv);
    EVP_PKEY_free(cakey);
    free(wres.latency_ms);
    free(res.latency_ms);
    reqset_free(&all);
    if (created_tmp) {
        bench_rmtree(base);
    }
    return rc;
}

int main(int argc, char **argv)
{
    struct options o = {0};
    static const struct scenario all[] = {
        {"p256-simple", "ec:P-256", BENCH_REQ_SIMPLE},
        {"rsa2048-simple", "rsa:2048", BENCH_REQ_SIMPLE},
        {"p256-full-crmf", "ec:P-256", BENCH_REQ_FULL_CRMF},
    };
    struct scenario one;
    char label[64];
    unsigned i;
    int rc = 0;

    o.ca_key_type = "ec:P-256";
    o.mode = "simple";
    o.clients = 64;
    o.count = 20000;
    o.max_seconds = 600;
    if (parse_args(argc, argv, &o) != 0) {
        return 2;
    }
    if (o.bindir[0] == '\0' && find_bindir(o.bindir, sizeof(o.bindir)) != 0) {
        fprintf(stderr, "cmc-bench: cannot find my own directory; use --bindir\n");
        return 2;
    }
    if (o.server_threads)
        printf("cmc-bench: cmc/cmcd from %s, %ld CPUs, cmcd threads = %u\n", o.bindir,
               sysconf(_SC_NPROCESSORS_ONLN), o.server_threads);
    else
        printf("cmc-bench: cmc/cmcd from %s, %ld CPUs, cmcd threads = cmcd's default\n",
               o.bindir, sysconf(_SC_NPROCESSORS_ONLN));
    if (o.all) {
        for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
            int r = run_scenario(&o, &all[i], i + 1);

            if (r != 0) {
                rc = 1;
            }
        }
    } else {
        snprintf(label, sizeof(label), "%s-%s", o.ca_key_type, o.mode);
        for (i = 0; label[i] != '\0'; i++) {
            if (label[i] == ':') {
                label[i] = '_';
            }
        }
        one.label = label;
        one.ca_key_type = o.ca_key_type;
        one.kind = strcmp(o.mode, "full-crmf") == 0 ? BENCH_REQ_FULL_CRMF : BENCH_REQ_SIMPLE;
        rc = run_scenario(&o, &one, 1) != 0;
    }
    return rc;
}
