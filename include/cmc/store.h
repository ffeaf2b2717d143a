/* SPDX-License-Identifier: Apache-2.0 */
/* cmc/store.h: the one storage interface (a versioned method table, like sqlite3_vfs) and
 * the certificate record every backend keeps. SQLite is the default backend; PostgreSQL
 * can follow behind the same table. */
#ifndef CMC_STORE_H
#define CMC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <cmc/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One issued certificate as the store keeps it. All pointers are borrowed by cert_put. */
struct cmc_cert_record {
    const char *serial_hex;  /* upper-case hex of the serial, no leading "0x"; unique */
    const char *subject;     /* RFC 2253 string, for operators and look-ups */
    const char *issuer;      /* RFC 2253 string */
    const char *profile;     /* profile name the certificate was issued under */
    int64_t not_before;      /* seconds since the epoch, UTC */
    int64_t not_after;
    int64_t issued_at;
    const uint8_t *der;      /* the certificate, DER */
    size_t der_len;
};

/*
 * A backend. New members are only ever appended; a backend sets version to the number of
 * the last member group it fills (1 today).
 *
 * IMPORTANT: cert_put returns only after the record is durable (committed and fsync'd);
 * the CA sends a certificate to a client only after cert_put returned CMC_OK. Backends may
 * batch concurrent cert_put calls into one commit (group commit), but never return before
 * that commit is on disk. A serial number that is already stored fails with
 * CMC_ERR_STORE_DUP and changes nothing.
 *
 * Thread-safety: every method may be called from many threads at once.
 */
struct cmc_store_method {
    int version;
    const char *name; /* "sqlite", "mem" */
    cmc_err (*open)(void **state, const char *location);
    void (*close)(void *state);
    cmc_err (*cert_put)(void *state, const struct cmc_cert_record *rec);
    /* Ownership: *der is allocated with OPENSSL_malloc; the caller frees it. */
    cmc_err (*cert_get_der)(void *state, const char *serial_hex, uint8_t **der, size_t *len);
    cmc_err (*cert_count)(void *state, uint64_t *count);
};

struct cmc_store; /* opaque: a method table plus its state */

/**
 * Open a store from a location string: "sqlite:PATH" (PATH relative to the working
 * directory unless absolute) or "mem:" (process memory, for tests).
 * Ownership: *out is new; free with cmc_store_free.
 */
CMC_API cmc_err cmc_store_open(struct cmc_store **out, const char *location) CMC_WUR;
CMC_API void cmc_store_free(struct cmc_store *st);
CMC_API cmc_err cmc_store_cert_put(struct cmc_store *st, const struct cmc_cert_record *rec) CMC_WUR;
CMC_API cmc_err cmc_store_cert_get_der(struct cmc_store *st, const char *serial_hex, uint8_t **der,
                                       size_t *len) CMC_WUR;
CMC_API cmc_err cmc_store_cert_count(struct cmc_store *st, uint64_t *count) CMC_WUR;

#ifdef __cplusplus
}
#endif
#endif
