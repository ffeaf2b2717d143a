/* SPDX-License-Identifier: Apache-2.0 */
/* Internal interface of the client message layer (src/msg): the request object and the
 * helpers its files share. */
#ifndef CMC_MSG_LOCAL_H
#define CMC_MSG_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cmc/client.h>

#include "core/core_error.h"

/* rfc5272bis §6.6: a 16-byte nonce gives 128 bits, well above the draft's "sufficient
 * randomness". */
#define CMCI_NONCE_LEN 16
/* Body part IDs we use; unique within one PKIData (rfc5272bis §3.2.2). */
#define CMCI_BPID_REQUEST 1u
#define CMCI_BPID_FIRST_CONTROL 2u

struct cmc_client_req {
    int full;
    EVP_PKEY *key;             /* up-ref of the key being certified */
    ASN1_INTEGER *tid;         /* transactionId; Full only */
    uint8_t nonce[CMCI_NONCE_LEN]; /* senderNonce; Full only */
    uint8_t *der;              /* OPENSSL_malloc'd request bytes */
    size_t der_len;
};

/* from msg_util.c */

/* SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 §4.2.1.2 method 1). */
cmc_err cmci_msg_key_id(const EVP_PKEY *key, uint8_t out[20]) CMC_WUR;
/* A subjectKeyIdentifier extension holding cmci_msg_key_id(key). Ownership: *out new. */
cmc_err cmci_msg_ski_ext(const EVP_PKEY *key, X509_EXTENSION **out) CMC_WUR;
/* A subjectAltName extension of dNSNames. Ownership: *out new. */
cmc_err cmci_msg_san_ext(const char *const *dns, size_t n, X509_EXTENSION **out) CMC_WUR;
/* The digest to sign with: SHA-256, or NULL for keys that hash internally (Ed25519/448). */
const EVP_MD *cmci_msg_sign_md(const EVP_PKEY *key);
/* A self-signed throwaway certificate holding only @p key's public key and its SKI, so
 * CMS_add1_signer can name the signer by subjectKeyIdentifier. Ownership: *out new. */
cmc_err cmci_msg_keyid_cert(EVP_PKEY *key, X509 **out) CMC_WUR;

#endif
