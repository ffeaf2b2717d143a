/* SPDX-License-Identifier: Apache-2.0 */
/* Random certificate serial numbers, shared by the CA and `cmc ca init`. */
#ifndef CMC_CORE_RAND_H
#define CMC_CORE_RAND_H

#include <openssl/asn1.h>

#include "core/core_error.h"

/* Fill @p dst with 127 random bits from the CSPRNG: positive, top bit of the first octet
 * clear (no DER padding octet) and the next one set (always 16 octets). RFC 5280 §4.1.2.2
 * allows 20 octets; CA/B BR 7.1 asks for at least 64 random bits. */
cmc_err cmci_random_serial(ASN1_INTEGER *dst) CMC_WUR;

#endif
