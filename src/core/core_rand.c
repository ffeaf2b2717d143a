/* SPDX-License-Identifier: Apache-2.0 */
/* Certificate serial numbers: a millisecond clock prefix and 72 bits from the CSPRNG. */
#include "core/core_rand.h"

#include <stdint.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/rand.h>

cmc_err cmci_random_serial_bytes(unsigned char b[16])
{
    struct timespec ts;
    uint64_t ms;

    /* Why a clock prefix: the store's serial index then grows at its right edge, so a
     * group commit writes a page or two of it instead of one random page per certificate
     * (docs/internals/store.md). The 72 random bits are what makes serials unguessable
     * (CA/B BR 7.1 asks for 64); uniqueness is the store's primary key, not luck. */
    CMC_GUARD_OSSL(RAND_bytes(b + 7, 16 - 7), CMC_ERR_CRYPTO, "RAND_bytes");
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        ts.tv_sec = time(NULL), ts.tv_nsec = 0;
    ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    b[0] = 0x40; /* positive, no DER padding octet, always 16 octets */
    for (int i = 6; i >= 1; i--, ms >>= 8)
        b[i] = (unsigned char)ms;
    return CMC_OK;
}

cmc_err cmci_random_serial(ASN1_INTEGER *dst)
{
    unsigned char b[16];
    BIGNUM *bn;
    int ok;

    CMC_GUARD(cmci_random_serial_bytes(b));
    if ((bn = BN_bin2bn(b, sizeof(b), NULL)) == NULL)
        return cmci_fail_ossl(CMC_ERR_NOMEM, "serial");
    ok = BN_to_ASN1_INTEGER(bn, dst) != NULL;
    BN_free(bn);
    CMC_ENSURE(ok, CMC_ERR_NOMEM, "serial");
    return CMC_OK;
}
