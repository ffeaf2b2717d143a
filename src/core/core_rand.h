/* SPDX-License-Identifier: Apache-2.0 */
/* Certificate serial numbers, shared by the CA and `cmc ca init`. */
#ifndef CMC_CORE_RAND_H
#define CMC_CORE_RAND_H

#include <openssl/asn1.h>

#include "core/core_error.h"

/* Fill @p dst with a 16-octet positive serial: 0x40, 48 bits of milliseconds since the
 * epoch (big-endian), then 72 bits from the CSPRNG. RFC 5280 §4.1.2.2 allows 20 octets;
 * CA/B BR 7.1 asks for at least 64 random bits. */
cmc_err cmci_random_serial(ASN1_INTEGER *dst) CMC_WUR;
/* The same 16 octets as bytes: the content octets of the DER INTEGER. */
cmc_err cmci_random_serial_bytes(unsigned char b[16]) CMC_WUR;

#endif
