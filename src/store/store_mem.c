/* SPDX-License-Identifier: Apache-2.0 */
/* The in-memory store backend: a mutex-protected sorted array, for unit tests of the
 * modules above the store. Nothing is durable; each "mem:" open is a new, empty store. */
#include "store/store_local.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/core_error.h"

/* Only what the method table can read back is kept: the serial and the DER. */
struct mem_entry {
    char *serial_hex;
    uint8_t *der;
    size_t der_len;
};

struct mem_store {
    pthread_mutex_t mu;
    struct mem_entry *v; /* sorted by serial_hex (strcmp) */
    size_t n, cap;
};

/* Binary search: the index of @p serial_hex, or where it would be inserted. */
static size_t find_slot(const struct mem_store *ms, const char *serial_hex, int *found)
{
    size_t lo = 0, hi = ms->n;

    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ms->v[mid].serial_hex, serial_hex);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static cmc_err mem_open(void **state, const char *location)
{
    struct mem_store *ms = NULL;

    *state = NULL;
    /* "mem:" takes no argument; reject one so a typo is not silently ignored. */
    CMC_ENSURE(location[0] == '\0', CMC_ERR_CONFIG, "mem: takes no argument");
    ms = OPENSSL_zalloc(sizeof(*ms));
    CMC_ENSURE(ms != NULL, CMC_ERR_NOMEM, "mem store");
    if (pthread_mutex_init(&ms->mu, NULL) != 0) {
        OPENSSL_free(ms);
        CMC_BAIL(CMC_ERR_INTERNAL, "mutex init");
    }
    *state = ms;
    return CMC_OK;
}

static void mem_close(void *state)
{
    struct mem_store *ms = state;
    size_t i;

    if (ms == NULL)
        return;
    for (i = 0; i < ms->n; i++) {
        OPENSSL_free(ms->v[i].serial_hex);
        OPENSSL_free(ms->v[i].der);
    }
    OPENSSL_free(ms->v);
    pthread_mutex_destroy(&ms->mu);
    OPENSSL_free(ms);
}

/* Caller holds ms->mu. Makes room for one more entry. */
static cmc_err grow(struct mem_store *ms)
{
    struct mem_entry *nv;
    size_t ncap;

    if (ms->n < ms->cap)
        return CMC_OK;
    ncap = ms->cap == 0 ? 64 : ms->cap * 2;
    nv = OPENSSL_realloc(ms->v, ncap * sizeof(*nv));
    CMC_ENSURE(nv != NULL, CMC_ERR_NOMEM, "mem store grow");
    ms->v = nv;
    ms->cap = ncap;
    return CMC_OK;
}

static cmc_err mem_cert_put(void *state, const struct cmc_cert_record *rec)
{
    struct mem_store *ms = state;
    struct mem_entry e = {NULL, NULL, 0};
    size_t at;
    int found;
    cmc_err rv;

    /* Copy outside the lock; the record is borrowed only for this call. */
    e.serial_hex = OPENSSL_strdup(rec->serial_hex);
    e.der = OPENSSL_memdup(rec->der, rec->der_len);
    e.der_len = rec->der_len;
    if (e.serial_hex == NULL || e.der == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "mem store record");
        goto err;
    }

    pthread_mutex_lock(&ms->mu);
    at = find_slot(ms, rec->serial_hex, &found);
    if (found) {
        pthread_mutex_unlock(&ms->mu);
        rv = cmci_fail(CMC_ERR_STORE_DUP, "serial %s already stored", rec->serial_hex);
        goto err;
    }
    rv = grow(ms);
    if (rv != CMC_OK) {
        pthread_mutex_unlock(&ms->mu);
        goto err;
    }
    memmove(&ms->v[at + 1], &ms->v[at], (ms->n - at) * sizeof(ms->v[0]));
    ms->v[at] = e;
    ms->n++;
    pthread_mutex_unlock(&ms->mu);
    return CMC_OK;

err:
    OPENSSL_free(e.serial_hex);
    OPENSSL_free(e.der);
    return rv;
}

static cmc_err mem_cert_get_der(void *state, const char *serial_hex, uint8_t **der,
                                size_t *len)
{
    struct mem_store *ms = state;
    uint8_t *copy = NULL;
    size_t at, n = 0;
    int found;

    pthread_mutex_lock(&ms->mu);
    at = find_slot(ms, serial_hex, &found);
    if (found) {
        n = ms->v[at].der_len;
        copy = OPENSSL_memdup(ms->v[at].der, n);
    }
    pthread_mutex_unlock(&ms->mu);
    CMC_ENSURE(found, CMC_ERR_NOT_FOUND, "serial %s not stored", serial_hex);
    CMC_ENSURE(copy != NULL, CMC_ERR_NOMEM, "copy DER");
    *der = copy;
    *len = n;
    return CMC_OK;
}

static cmc_err mem_cert_count(void *state, uint64_t *count)
{
    struct mem_store *ms = state;

    pthread_mutex_lock(&ms->mu);
    *count = ms->n;
    pthread_mutex_unlock(&ms->mu);
    return CMC_OK;
}

const struct cmc_store_method cmci_store_mem_method = {
    .version = 1,
    .name = "mem",
    .open = mem_open,
    .close = mem_close,
    .cert_put = mem_cert_put,
    .cert_get_der = mem_cert_get_der,
    .cert_count = mem_cert_count,
};
