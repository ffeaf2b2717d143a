/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the client's response reader, cmc_client_parse_response: what a server
 * (or anyone on the path) sends back is untrusted input. Each input is read as the answer
 * to a Simple and to a Full request built once from a fixed test key, against a fixed test
 * CA (both below, made for this target only; they protect nothing). The seed
 * simple_ok.der is a certs-only response with a certificate for that key issued by that
 * CA, so mutations start from the success path. The contract checked: CMC_OK comes with a
 * result holding a certificate; CMC_ERR_DECODE, CMC_ERR_VERIFY and CMC_ERR_REPLAY with no
 * result. Must never crash or leak. */
#include "fuzz.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cmc/client.h>

static const char ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjDCCATGgAwIBAgIUa3D3EVeC1w/bcLZCy9CiGGG3f70wCgYIKoZIzj0EAwIw\n"
    "EjEQMA4GA1UEAwwHZnV6eiBDQTAgFw0yNjExMjMyMTA1MTFaGA8yMTI2MTAzMDIx\n"
    "MDUxMVowEjEQMA4GA1UEAwwHZnV6eiBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEH\n"
    "A0IABOP3F0OO4B3HyUYrJjyqU8/BtLBsgV9F17sPJigxs2dWhQGIPmj3IcFF4ZEr\n"
    "u07Aw/A3BPOkZS3bRrTZfhauvnijYzBhMB0GA1UdDgQWBBQjhdoV3idO+9eagmaG\n"
    "0ddTySk33jAfBgNVHSMEGDAWgBQjhdoV3idO+9eagmaG0ddTySk33jAPBgNVHRMB\n"
    "Af8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAgNJADBGAiEAuZiW\n"
    "ev7rPbEUP2o3FXAQrc4rTQA8Rxm/RMYqKVbNqM0CIQD1kPminAcmDVB69IYI3C4Y\n"
    "RGMODX+jh9mJe7DWPSu5wA==\n"
    "-----END CERTIFICATE-----\n";

static const char client_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgx/ZHa0r8mpJSjm74\n"
    "Y9mWFaNmxzqxvPfCBUjxDbw5UDyhRANCAAQc04M1DEy2dX3dTZauJB8ci50sTIP7\n"
    "JBD16pDRBz7e5ULTkyjbk+1cP3B+CqaQF66qmXH2lEZ4y0UYD6OfzDlE\n"
    "-----END PRIVATE KEY-----\n";

static X509 *ca;
static struct cmc_client_req *reqs[2];

static void init(void)
{
    BIO *b = BIO_new_mem_buf(ca_pem, -1);
    EVP_PKEY *key;
    struct cmc_request_params p = {.subject = "/CN=client"};

    ca = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    b = BIO_new_mem_buf(client_key_pem, -1);
    key = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    p.key = key;
    if (ca == NULL || key == NULL || cmc_client_req_new(&p, &reqs[0]) != CMC_OK)
        __builtin_trap();
    p.full = 1;
    if (cmc_client_req_new(&p, &reqs[1]) != CMC_OK)
        __builtin_trap();
    EVP_PKEY_free(key); /* the requests keep their own reference */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ca == NULL)
        init();
    for (int i = 0; i < 2; i++) {
        struct cmc_enroll_result *res = NULL;
        cmc_err rv = cmc_client_parse_response(reqs[i], ca, data, size, &res);

        if (rv == CMC_OK && (res == NULL || res->cert == NULL))
            __builtin_trap(); /* success must come with the certificate */
        if ((rv == CMC_ERR_DECODE || rv == CMC_ERR_VERIFY || rv == CMC_ERR_REPLAY)
            && res != NULL)
            __builtin_trap(); /* nothing unverified is handed out */
        cmc_enroll_result_free(res);
        cmc_error_clear();
    }
    ERR_clear_error();
    return 0;
}
