/* SPDX-License-Identifier: Apache-2.0 */
/* The capped dynamic buffer. */
#include "core/core_buf.h"

#include <string.h>

#include <openssl/crypto.h>

void cmci_dynbuf_init(struct cmc_dynbuf *b, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->cap = cap;
}

cmc_err cmci_dynbuf_add(struct cmc_dynbuf *b, const void *data, size_t len)
{
    if (len > b->cap || b->len > b->cap - len)
        CMC_BAIL(CMC_ERR_LIMIT, "buffer cap of %zu bytes reached", b->cap);
    if (b->len + len > b->alloc) {
        size_t want = b->alloc ? b->alloc : 1024;
        uint8_t *p;
        while (want < b->len + len)
            want = want > b->cap / 2 ? b->cap : want * 2;
        if (want > b->cap)
            want = b->cap; /* never allocate past the cap, not even the first chunk */
        p = OPENSSL_clear_realloc(b->ptr, b->alloc, want);
        if (p == NULL)
            CMC_BAIL(CMC_ERR_NOMEM, "dynbuf grow to %zu", want);
        b->ptr = p;
        b->alloc = want;
    }
    if (len > 0)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    return CMC_OK;
}

uint8_t *cmci_dynbuf_take(struct cmc_dynbuf *b, size_t *len)
{
    uint8_t *p = b->ptr;
    *len = b->len;
    b->ptr = NULL;
    b->len = b->alloc = 0;
    return p;
}

void cmci_dynbuf_free(struct cmc_dynbuf *b)
{
    OPENSSL_clear_free(b->ptr, b->alloc);
    b->ptr = NULL;
    b->len = b->alloc = 0;
}

size_t cmci_der_header(unsigned char *out, unsigned char tag, size_t len)
{
    size_t n = 0, k = 0;

    out[n++] = tag;
    if (len < 0x80) {
        out[n++] = (unsigned char)len;
        return n;
    }
    for (size_t v = len; v > 0; v >>= 8)
        k++;
    out[n++] = (unsigned char)(0x80 | k);
    while (k-- > 0)
        out[n++] = (unsigned char)(len >> (8 * k));
    return n;
}
