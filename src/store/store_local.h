/* SPDX-License-Identifier: Apache-2.0 */
/* Internal interface of the store module: the backend method tables and test hooks. */
#ifndef CMC_STORE_LOCAL_H
#define CMC_STORE_LOCAL_H

#include <stdint.h>

#include <cmc/store.h>

/* The largest certificate a store accepts; get_der allocates what was stored, so this
 * also bounds that allocation. Real certificates are a few KiB. */
#define CMCI_STORE_DER_MAX (1u << 20)

/* The opaque handle of cmc/store.h: a method table plus the backend's state. */
struct cmc_store {
    const struct cmc_store_method *meth;
    void *state;
};

/* from store_sqlite.c */
extern const struct cmc_store_method cmci_store_sqlite_method;

/* Test-only: how many write transactions the SQLite writer thread has committed on @p st
 * since it was opened; 0 when @p st is not a SQLite store. Lets tests prove that
 * concurrent cert_put calls were grouped into fewer commits. */
uint64_t cmci_store_sqlite_commit_count(const struct cmc_store *st);
/* Test-only: how many times the writer waited for a batch to fill (collect()). */
uint64_t cmci_store_sqlite_collect_count(const struct cmc_store *st);

/* from store_mem.c */
extern const struct cmc_store_method cmci_store_mem_method;

#endif
