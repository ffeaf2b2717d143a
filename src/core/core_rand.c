/* SPDX-License-Identifier: Apache-2.0 */
/* Random certificate serial numbers. */
#include "core/core_rand.h"

#include <openssl/bn.h>
#include <openssl/rand.h>

cmc_err cmci_random_serial(ASN1_INTEGER *dst)
{
    unsigned char b[16];
    BIGNUM *bn;
    int ok;

    CMC_GUARD_OSSL(RAND_bytes(b, sizeof(b)), CMC_ERR_CRYPTO, "RAND_bytes");
    b[0] = (unsigned char)((b[0] & 0x7F) | 0x40);
    if ((bn = BN_bin2bn(b, sizeof(b), NULL)) == NULL)
        return cmci_fail_ossl(CMC_ERR_NOMEM, "serial");
    ok = BN_to_ASN1_INTEGER(bn, dst) != NULL;
    BN_free(bn);
    CMC_ENSURE(ok, CMC_ERR_NOMEM, "serial");
    return CMC_OK;
}
