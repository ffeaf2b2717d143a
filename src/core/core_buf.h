/* SPDX-License-Identifier: Apache-2.0 */
/* Borrowed byte slices and a capped, growable owned buffer (STYLE 3.4). */
#ifndef CMC_CORE_BUF_H
#define CMC_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "core/core_error.h"

/*
 * An owned growable buffer with a mandatory cap, fixed at init: appending past the cap
 * fails with CMC_ERR_LIMIT and never grows the buffer. Freed contents are wiped, since a
 * buffer may have held a request with secrets in it.
 */
struct cmc_dynbuf {
    uint8_t *ptr;
    size_t len;
    size_t alloc;
    size_t cap;
};

void cmci_dynbuf_init(struct cmc_dynbuf *b, size_t cap);
cmc_err cmci_dynbuf_add(struct cmc_dynbuf *b, const void *data, size_t len) CMC_WUR;
/* Hand the bytes to the caller (OPENSSL_free them); the buffer is left empty. */
uint8_t *cmci_dynbuf_take(struct cmc_dynbuf *b, size_t *len);
void cmci_dynbuf_free(struct cmc_dynbuf *b);

/* The most identifier and length octets cmci_der_header writes. */
#define CMCI_DER_HEADER_MAX 6

/* X.690 §8.1.2-8.1.3 (DER): one-octet identifier @p tag and the definite length of @p len
 * content octets, written to @p out; returns how many octets (at most CMCI_DER_HEADER_MAX,
 * since lengths here stay far below 2^32). For the encoders that write DER directly. */
size_t cmci_der_header(unsigned char *out, unsigned char tag, size_t len);

#endif
