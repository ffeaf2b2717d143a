/* SPDX-License-Identifier: Apache-2.0 */
/* The public store API: parses a location string, picks the backend and checks every
 * argument once, so each backend can trust what it is handed. */
#include "store/store_local.h"

#include <string.h>

#include <openssl/crypto.h>

#include "core/core_error.h"

/* RFC 5280 §4.1.2.2 caps serials at 20 octets (40 hex digits); we allow some slack for
 * certificates imported from CAs that did not follow it, and no more. */
#define SERIAL_HEX_MAX 64

static const struct {
    const char *prefix;
    const struct cmc_store_method *meth;
} backends[] = {
    {"sqlite:", &cmci_store_sqlite_method},
    {"mem:", &cmci_store_mem_method},
};

/* The contract says upper-case hex; enforcing it here means a look-up can never miss a
 * stored record just because two callers spelt the same serial differently. */
static cmc_err check_serial(const char *serial_hex)
{
    size_t len;

    CMC_ENSURE_REF(serial_hex);
    len = strlen(serial_hex);
    CMC_ENSURE(len > 0 && len <= SERIAL_HEX_MAX, CMC_ERR_USAGE, "serial_hex length %zu", len);
    CMC_ENSURE(strspn(serial_hex, "0123456789ABCDEF") == len, CMC_ERR_USAGE,
               "serial_hex is not upper-case hex");
    return CMC_OK;
}

cmc_err cmc_store_open(struct cmc_store **out, const char *location)
{
    const struct cmc_store_method *meth = NULL;
    const char *rest = NULL;
    struct cmc_store *st = NULL;
    cmc_err rv;
    size_t i;

    CMC_ENSURE_REF(out);
    *out = NULL;
    CMC_ENSURE_REF(location);
    for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        size_t n = strlen(backends[i].prefix);
        if (strncmp(location, backends[i].prefix, n) == 0) {
            meth = backends[i].meth;
            rest = location + n;
            break;
        }
    }
    CMC_ENSURE(meth != NULL, CMC_ERR_CONFIG, "unknown store location '%s'", location);

    st = OPENSSL_zalloc(sizeof(*st));
    if (st == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "store handle");
        goto err;
    }
    st->meth = meth;
    rv = meth->open(&st->state, rest);
    if (rv != CMC_OK)
        goto err; /* the backend recorded why */
    *out = st;
    return CMC_OK;

err:
    OPENSSL_free(st);
    return rv;
}

void cmc_store_free(struct cmc_store *st)
{
    if (st == NULL)
        return;
    st->meth->close(st->state);
    OPENSSL_free(st);
}

cmc_err cmc_store_cert_put(struct cmc_store *st, const struct cmc_cert_record *rec)
{
    CMC_ENSURE_REF(st);
    CMC_ENSURE_REF(rec);
    CMC_GUARD(check_serial(rec->serial_hex));
    CMC_ENSURE(rec->der != NULL && rec->der_len > 0, CMC_ERR_USAGE, "record has no DER");
    CMC_ENSURE(rec->der_len <= CMCI_STORE_DER_MAX, CMC_ERR_LIMIT, "DER of %zu bytes",
               rec->der_len);
    return st->meth->cert_put(st->state, rec);
}

cmc_err cmc_store_cert_get_der(struct cmc_store *st, const char *serial_hex, uint8_t **der,
                               size_t *len)
{
    CMC_ENSURE_REF(der);
    *der = NULL;
    CMC_ENSURE_REF(len);
    *len = 0;
    CMC_ENSURE_REF(st);
    CMC_GUARD(check_serial(serial_hex));
    return st->meth->cert_get_der(st->state, serial_hex, der, len);
}

cmc_err cmc_store_cert_count(struct cmc_store *st, uint64_t *count)
{
    CMC_ENSURE_REF(count);
    *count = 0;
    CMC_ENSURE_REF(st);
    return st->meth->cert_count(st->state, count);
}
