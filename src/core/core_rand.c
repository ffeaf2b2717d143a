/* SPDX-License-Identifier: Apache-2.0 */
/* Certificate serial numbers: a millisecond clock prefix and 72 bits from the CSPRNG. */
#include "core/core_rand.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/rand.h>

/*
 * A thread draws the random part of its serials from the DRBG in blocks: one RAND_bytes
 * call per 28 serials instead of one each. Each call has a fixed cost (the DRBG's fork and
 * reseed checks, a getpid, the CTR_DRBG update) that was about 2 % of a Simple enrollment's
 * server CPU (docs/benchmark.md). What serials need (CA/B BR 7.1) is that they cannot be
 * predicted before issuance; a block holds up to 27 future serials' random octets in
 * cmcd's memory, where anyone who could read them could read the CA key too. A forked
 * child starts with an empty block, so parent and child never hand out the same octets;
 * if the fork handler cannot be registered, every serial draws from the DRBG directly.
 */
#define SERIAL_RANDOM 9 /* octets: 72 bits */
static __thread unsigned char serial_pool[SERIAL_RANDOM * 28];
static __thread size_t serial_pool_left;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static int atfork_ok;

static void drop_pool_in_child(void)
{
    serial_pool_left = 0;
}

static void register_atfork(void)
{
    atfork_ok = pthread_atfork(NULL, NULL, drop_pool_in_child) == 0;
}

static cmc_err serial_random(unsigned char out[SERIAL_RANDOM])
{
    if (pthread_once(&atfork_once, register_atfork) != 0 || !atfork_ok) {
        CMC_GUARD_OSSL(RAND_bytes(out, SERIAL_RANDOM), CMC_ERR_CRYPTO, "RAND_bytes");
        return CMC_OK;
    }
    if (serial_pool_left < SERIAL_RANDOM) {
        CMC_GUARD_OSSL(RAND_bytes(serial_pool, (int)sizeof(serial_pool)), CMC_ERR_CRYPTO,
                       "RAND_bytes");
        serial_pool_left = sizeof(serial_pool);
    }
    serial_pool_left -= SERIAL_RANDOM;
    memcpy(out, serial_pool + serial_pool_left, SERIAL_RANDOM);
    return CMC_OK;
}

cmc_err cmci_random_serial_bytes(unsigned char b[16])
{
    struct timespec ts;
    uint64_t ms;

    /* Why a clock prefix: the store's serial index then grows at its right edge, so a
     * group commit writes a page or two of it instead of one random page per certificate
     * (docs/internals/store.md). The 72 random bits are what makes serials unguessable
     * (CA/B BR 7.1 asks for 64); uniqueness is the store's primary key, not luck. */
    CMC_GUARD(serial_random(b + 16 - SERIAL_RANDOM));
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
