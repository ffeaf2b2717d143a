/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the PKCS #10 and SubjectPublicKeyInfo decoders of src/asn1/asn1_p10.c:
 * cmc_d2i_exact on CMC_P10 and CMC_SPKI, re-encoding, the key builder cmc_spki_get1_pkey
 * (EC point checks, RSAPublicKey parsing, the generic fallback), the signature check and
 * the extensionRequest reader. Deterministic. Must never crash or leak. */
#include "fuzz.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cmc/asn1.h>

static void key_of(const CMC_SPKI *s, const CMC_P10 *p)
{
    EVP_PKEY *k = NULL;
    STACK_OF(X509_EXTENSION) *exts = NULL;

    if (cmc_spki_get1_pkey(s, &k) == CMC_OK) {
        if (k == NULL)
            __builtin_trap(); /* CMC_OK must come with a key */
        if (p != NULL)
            if (cmc_p10_verify(p, k) != CMC_OK)
                cmc_error_clear(); /* a bad signature is an ordinary outcome here */
        EVP_PKEY_free(k);
    } else if (k != NULL) {
        __builtin_trap(); /* a failure must not hand out a key */
    }
    if (p != NULL && cmc_p10_get1_extensions(p, &exts) == CMC_OK)
        sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    cmc_error_clear();
    ERR_clear_error();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ASN1_VALUE *v = NULL;
    unsigned char *der = NULL;

    if (size == 0)
        return 0;
    if (cmc_d2i_exact(ASN1_ITEM_rptr(CMC_P10), data, size, &v) == CMC_OK) {
        const CMC_P10 *p = (const CMC_P10 *)v;
        if (i2d_CMC_P10(p, &der) <= 0)
            __builtin_trap();
        OPENSSL_free(der);
        der = NULL;
        key_of(cmc_p10_get0_spki(p), p);
        CMC_P10_free((CMC_P10 *)v);
    }
    v = NULL;
    if (cmc_d2i_exact(ASN1_ITEM_rptr(CMC_SPKI), data, size, &v) == CMC_OK) {
        if (i2d_CMC_SPKI((CMC_SPKI *)v, &der) <= 0)
            __builtin_trap();
        OPENSSL_free(der);
        key_of((const CMC_SPKI *)v, NULL);
        CMC_SPKI_free((CMC_SPKI *)v);
    }
    cmc_error_clear();
    ERR_clear_error();
    return 0;
}
