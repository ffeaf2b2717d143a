/* SPDX-License-Identifier: Apache-2.0 */
/* Sample values of every cmc_asn1 type with fixed field values, shared by the unit tests,
 * the pyasn1 interop vector generator and the fuzz seed corpus. Test code only. */
#ifndef CMC_TEST_ASN1_SAMPLES_H
#define CMC_TEST_ASN1_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>

#include "asn1/asn1_local.h"

/*
 * One sample: the item, a builder that returns a new value with every field set (aborts on
 * allocation failure: this is test code), and what an independent decoder must find.
 * expect is a JSON object mapping a path ("bodyList/0/bodyPartID", "@choice" for the
 * chosen CHOICE alternative) to a JSON number, or to a string "hex:..", "oid:..",
 * "str:..", "present" or "absent".
 */
struct cmc_sample {
    const char *name;     /* file stem, e.g. "statusInfoV2_failed" */
    ASN1_ITEM_EXP *it;    /* call it() for the ASN1_ITEM */
    ASN1_VALUE *(*build)(void);
    const char *pymodule; /* "rfc6402" or "rfc4211" */
    const char *pytype;   /* class name in that module */
    const char *expect;
};

extern const struct cmc_sample cmc_samples[];
extern const size_t cmc_samples_count;

/* The one key every sample request uses (EC P-256, generated once). get0. */
EVP_PKEY *sample_key(void);
X509_REQ *sample_p10(const char *cn);

CMC_PKIDATA *sample_pkidata(void);
CMC_PKIRESPONSE *sample_pkiresponse(void);
CMC_CERT_REQ_MSG *sample_cert_req_msg(void);
CMC_STATUS_INFO_V2 *sample_status_v2_failed(void);

/* i2d into a new buffer; aborts on failure. The caller OPENSSL_free()s *der. */
size_t sample_i2d(const ASN1_ITEM *it, const ASN1_VALUE *v, unsigned char **der);

#endif
