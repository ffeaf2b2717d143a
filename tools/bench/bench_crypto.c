/* SPDX-License-Identifier: Apache-2.0 */
/* cmc-bench crypto baseline: the CPU time of the signatures one enrollment cannot avoid,
 * measured in-process, so server CPU per enrollment can be shown as a multiple of it. */
#include "bench.h"

#include <stdio.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/x509v3.h>

/* Each operation runs @iterations times or until this much CPU time, whichever is first,
 * so an RSA-4096 CA key does not stretch the run. */
#define MAX_CPU_PER_OP 3.0

/* A message about the size of what is signed: CMS signed attributes (~100 bytes) and a
 * certification request's signed part (~250 bytes) are hashed first, so size barely matters. */
static unsigned char msg[256];

static int sign_once(EVP_PKEY *key, const EVP_MD *md, const unsigned char *m, size_t mlen,
                     unsigned char *sig, size_t *siglen)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL && EVP_DigestSignInit(c, NULL, md, NULL, key) == 1
             && EVP_DigestSign(c, sig, siglen, m, mlen) == 1;

    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

static int verify_once(EVP_PKEY *key, const EVP_MD *md, const unsigned char *m, size_t mlen,
                       const unsigned char *sig, size_t siglen)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL && EVP_DigestVerifyInit(c, NULL, md, NULL, key) == 1
             && EVP_DigestVerify(c, sig, siglen, m, mlen) == 1;

    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

/* Seconds of CPU per ECDSA P-256 verification (what the wrapper and POP checks cost). */
static double time_p256_verify(unsigned iterations)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    unsigned char sig[160];
    size_t siglen = sizeof(sig);
    unsigned i;
    double t0, t;

    if (k == NULL || sign_once(k, EVP_sha256(), msg, 200, sig, &siglen) != 0) {
        EVP_PKEY_free(k);
        return -1;
    }
    t0 = bench_cpu_now();
    for (i = 0; i < iterations; i++) {
        if (verify_once(k, EVP_sha256(), msg, 200, sig, siglen) != 0) {
            EVP_PKEY_free(k);
            return -1;
        }
        if (bench_cpu_now() - t0 > MAX_CPU_PER_OP) {
            i++;
            break;
        }
    }
    t = (bench_cpu_now() - t0) / i;
    EVP_PKEY_free(k);
    return t;
}

/* Seconds of CPU per signature with the CA key over a small message (the response). */
static double time_ca_sign(EVP_PKEY *ca, unsigned iterations)
{
    unsigned char sig[1024];
    const EVP_MD *md = bench_req_md_for(ca);
    unsigned i;
    double t0;

    if ((size_t)EVP_PKEY_get_size(ca) > sizeof(sig)) {
        return -1;
    }
    t0 = bench_cpu_now();
    for (i = 0; i < iterations; i++) {
        size_t siglen = sizeof(sig);

        if (sign_once(ca, md, msg, 100, sig, &siglen) != 0) {
            return -1;
        }
        if (bench_cpu_now() - t0 > MAX_CPU_PER_OP) {
            i++;
            break;
        }
    }
    return (bench_cpu_now() - t0) / i;
}

/* Seconds of CPU per X509_sign of a typical end-entity certificate with the CA key: the
 * TBSCertificate is re-encoded and hashed each time, as the CA must. */
static double time_cert_sign(EVP_PKEY *ca, unsigned iterations)
{
    X509 *x = X509_new();
    EVP_PKEY *subj = EVP_EC_gen("P-256");
    X509_NAME *n = bench_req_parse_name("/O=cmc-bench/CN=a typical subject name");
    X509V3_CTX ctx;
    X509_EXTENSION *e1 = NULL, *e2 = NULL;
    unsigned i;
    double t0, t = -1;

    if (x == NULL || subj == NULL || n == NULL || X509_set_version(x, 2) != 1
        || ASN1_INTEGER_set_int64(X509_get_serialNumber(x), 0x1234567890abcdefLL) != 1
        || X509_set_subject_name(x, n) != 1 || X509_set_issuer_name(x, n) != 1
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400) == NULL
        || X509_set_pubkey(x, subj) != 1) {
        goto out;
    }
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    e1 = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:FALSE");
    e2 = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,digitalSignature");
    if (e1 == NULL || e2 == NULL || X509_add_ext(x, e1, -1) != 1 || X509_add_ext(x, e2, -1) != 1) {
        goto out;
    }
    t0 = bench_cpu_now();
    for (i = 0; i < iterations; i++) {
        /* A new serial each time, so no cached encoding is reused. */
        if (ASN1_INTEGER_set_int64(X509_get_serialNumber(x), (int64_t)i + 1) != 1
            || X509_sign(x, ca, bench_req_md_for(ca)) <= 0) {
            goto out;
        }
        if (bench_cpu_now() - t0 > MAX_CPU_PER_OP) {
            i++;
            break;
        }
    }
    t = (bench_cpu_now() - t0) / i;
out:
    X509_EXTENSION_free(e1);
    X509_EXTENSION_free(e2);
    X509_NAME_free(n);
    EVP_PKEY_free(subj);
    X509_free(x);
    return t;
}

int bench_crypto_measure(EVP_PKEY *ca_key, int full, unsigned iterations,
                         struct bench_crypto_cost *out)
{
    memset(out, 0, sizeof(*out));
    memset(msg, 0x42, sizeof(msg));
    if (iterations == 0) {
        iterations = 1;
    }
    out->verify_pop_s = time_p256_verify(iterations);
    out->sign_cert_s = time_cert_sign(ca_key, iterations);
    if (full) {
        out->verify_wrapper_s = time_p256_verify(iterations);
        out->sign_response_s = time_ca_sign(ca_key, iterations);
    }
    if (out->verify_pop_s < 0 || out->sign_cert_s < 0 || out->verify_wrapper_s < 0
        || out->sign_response_s < 0) {
        fprintf(stderr, "cmc-bench: crypto baseline measurement failed\n");
        return -1;
    }
    out->total_s = out->verify_pop_s + out->sign_cert_s + out->verify_wrapper_s
                   + out->sign_response_s;
    return 0;
}
