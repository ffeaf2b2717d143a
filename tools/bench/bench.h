/* SPDX-License-Identifier: Apache-2.0 */
/* cmc-bench internals shared by its files: server process control, the HTTP load loop and
 * the in-process crypto baseline. */
#ifndef CMC_BENCH_H
#define CMC_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "bench_req.h"

/* --- bench_proc.c: the CA directory and the cmcd process ------------------------------- */

struct bench_server {
    char dir[512];       /* CA directory (cmcd.cnf, ca.pem, ca.key, cmcd.db) */
    char bindir[512];    /* where cmc and cmcd live */
    unsigned port;
    pid_t pid;
};

/* `cmc ca init --dir DIR --demo --key-type TYPE`. @return 0 or -1 (message printed). */
int bench_ca_init(struct bench_server *s, const char *key_type);
/* Set KEY = VALUE in the [cmcd] section of DIR/cmcd.cnf (replaced or added). */
int bench_conf_set(const struct bench_server *s, const char *key, const char *value);
/* Start cmcd on a free 127.0.0.1 port and wait (at most 10 s) until it accepts. */
int bench_server_start(struct bench_server *s);
/* SIGTERM, a bounded wait, then SIGKILL. */
void bench_server_stop(struct bench_server *s);
/* utime + stime of the process, in seconds; negative on error. */
double bench_proc_cpu_seconds(pid_t pid);
/* VmRSS in kB; 0 on error. */
unsigned long bench_proc_rss_kb(pid_t pid);
/* Remove a directory tree we created (only regular files and one level of directories). */
void bench_rmtree(const char *dir);
double bench_now(void);         /* CLOCK_MONOTONIC seconds */
double bench_cpu_now(void);     /* CLOCK_PROCESS_CPUTIME_ID seconds */

/* --- bench_http.c: the load loop ----------------------------------------------------- */

struct bench_reqset {
    uint8_t **der;
    size_t *len;
    size_t n;
    const char *content_type;       /* request media type */
    const char *expect_type;        /* response media type that means success */
    int check_full_status;          /* parse each Full PKI Response and require success */
};

struct bench_load_result {
    double wall_s;
    double *latency_ms;  /* one per completed request, unsorted; caller frees */
    size_t done;
    size_t errors;
};

/* Send @count requests (round-robin over @rs) from @clients keep-alive connections to
 * 127.0.0.1:@port/cmc, as fast as the server answers. Bounded by @max_seconds wall time. */
int bench_load_run(unsigned port, const struct bench_reqset *rs, unsigned clients, size_t count,
                   double max_seconds, struct bench_load_result *out);

/* --- bench_crypto.c: the bare cost of the crypto one enrollment needs ----------------- */

struct bench_crypto_cost {
    double verify_wrapper_s; /* ECDSA P-256 verify of the SignedData signature (Full only) */
    double verify_pop_s;     /* ECDSA P-256 verify of the request's POP */
    double sign_cert_s;      /* X509_sign of the new certificate with the CA key */
    double sign_response_s;  /* CA key signature over the response's signed attributes (Full) */
    double total_s;
};

/* Measure single-threaded with CLOCK_PROCESS_CPUTIME_ID; @full adds the wrapper and
 * response signatures. */
int bench_crypto_measure(EVP_PKEY *ca_key, int full, unsigned iterations,
                         struct bench_crypto_cost *out);

#endif
