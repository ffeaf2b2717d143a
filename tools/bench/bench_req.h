/* SPDX-License-Identifier: Apache-2.0 */
/* Request builder shared by cmc-bench and the integration tests' cmc-mkreq: Simple and Full
 * PKI Requests built straight from the ASN.1 types and OpenSSL CMS, so the tests exercise
 * the server with an encoder independent of libcmc's client, and can make broken variants
 * the client would never produce. */
#ifndef CMC_BENCH_REQ_H
#define CMC_BENCH_REQ_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

enum bench_req_kind {
    BENCH_REQ_SIMPLE = 0,   /* bare PKCS #10 (application/pkcs10) */
    BENCH_REQ_FULL_P10 = 1, /* PKIData with a TaggedCertificationRequest, in SignedData */
    BENCH_REQ_FULL_CRMF = 2 /* PKIData with a CertReqMsg, in SignedData */
};

/* One deliberate fault per request, for negative tests. */
enum bench_req_fault {
    BENCH_FAULT_NONE = 0,
    BENCH_FAULT_BAD_POP,      /* a byte of the request's POP signature flipped */
    BENCH_FAULT_BAD_WRAPPER,  /* a byte of the SignerInfo signature flipped after signing */
    BENCH_FAULT_DUP_ID,       /* the certification request reuses a control's bodyPartID */
    BENCH_FAULT_UNKNOWN_CTRL  /* an extra control id-cmc 99, which no server knows */
};

struct bench_req_params {
    enum bench_req_kind kind;
    enum bench_req_fault fault;
    EVP_PKEY *key;          /* the key to certify (also signs a self-signed wrapper) */
    const char *subject;    /* "/CN=name/O=org" */
    const char *profile;    /* NULL: no regInfo control, the server's default profile */
    X509 *sign_cert;        /* NULL: wrapper signed by @key, signer named by its SKI */
    EVP_PKEY *sign_key;
};

/**
 * Build one request as DER.
 * @return 0 on success, -1 on failure (OpenSSL's error queue says why).
 * Ownership: *der is OPENSSL_malloc'd; the caller OPENSSL_free()s it.
 */
int bench_req_build(const struct bench_req_params *p, uint8_t **der, size_t *der_len);

/* Parse "/CN=a/O=b" into a new X509_NAME, or NULL. */
X509_NAME *bench_req_parse_name(const char *dn);

/* The digest to sign with @key: SHA-256, or NULL for keys that take none (Ed25519). */
const EVP_MD *bench_req_md_for(const EVP_PKEY *key);

#endif
