/* SPDX-License-Identifier: Apache-2.0 */
/* cmc/print.h: a human-readable (or JSON) dump of CMC messages and what they carry, for
 * `cmc show` and for logs. */
#ifndef CMC_PRINT_H
#define CMC_PRINT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bio.h>

#include <cmc/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Detect what @p der holds and print it to @p out in plain words, or as one JSON object
 * when @p json is non-zero. Recognised, in this order: a CMS ContentInfo carrying a
 * SignedData (Full PKI Request with id-cct-PKIData, Full PKI Response with
 * id-cct-PKIResponse, Simple PKI Response = certs-only), an X.509 certificate, a PKCS #10
 * request, a CRMF CertReqMsg, a bare PKIData or PKIResponse. PEM input ("-----BEGIN") is
 * accepted and unwrapped first. Signatures are not verified.
 * @return CMC_OK; CMC_ERR_DECODE for input that is none of these (nothing useful is
 *   printed then); CMC_ERR_IO when writing to @p out fails; CMC_ERR_USAGE for NULL.
 * Ownership: borrows everything.
 * Thread-safety: safe; no shared state.
 */
CMC_API cmc_err cmc_print_der(BIO *out, const uint8_t *der, size_t len, int json) CMC_WUR;

#ifdef __cplusplus
}
#endif
#endif
