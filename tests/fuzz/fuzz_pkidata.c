/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the CMC ASN.1 decoders: cmc_d2i_exact on PKIData, PKIResponse, CertReqMsg
 * and CMCStatusInfoV2, re-encoding (i2d) of what decodes, and cmc_print_der (plain and JSON)
 * into a null BIO. Deterministic: no clock, no randomness. Must never crash or leak. */
#include "fuzz.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include <cmc/print.h>

#include "asn1/asn1_local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ASN1_ITEM *items[] = {
        ASN1_ITEM_rptr(CMC_PKIDATA),
        ASN1_ITEM_rptr(CMC_PKIRESPONSE),
        ASN1_ITEM_rptr(CMC_CERT_REQ_MSG),
        ASN1_ITEM_rptr(CMC_STATUS_INFO_V2),
    };
    BIO *null = BIO_new(BIO_s_null());

    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        ASN1_VALUE *v = NULL;
        unsigned char *der = NULL;

        if (size == 0 || cmc_d2i_exact(items[i], data, size, &v) != CMC_OK)
            continue;
        /* what decoded must encode again (a cached enc is written back as is) */
        if (ASN1_item_i2d(v, &der, items[i]) <= 0)
            __builtin_trap();
        OPENSSL_free(der);
        ASN1_item_free(v, items[i]);
    }
    if (null != NULL && size > 0) {
        /* a null BIO never fails to write, so only OK and DECODE are legitimate */
        for (int json = 0; json <= 1; json++) {
            cmc_err rv = cmc_print_der(null, data, size, json);

            if (rv != CMC_OK && rv != CMC_ERR_DECODE)
                __builtin_trap();
        }
    }
    BIO_free(null);
    ERR_clear_error();
    cmc_error_clear();
    return 0;
}
