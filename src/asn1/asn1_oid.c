/* SPDX-License-Identifier: Apache-2.0 */
/* CMC object identifiers, control/status/failInfo names, BodyPartID helpers and strict DER
 * decoding (cmc_d2i_exact). */
#include <cmc/asn1.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "core/core_error.h"

/* id-cmc arc, rfc5272bis Appendix A: id-cmc ::= {id-pkix 7} = 1.3.6.1.5.5.7.7. These are
 * the content octets of the OID (no tag, no length); control N < 128 adds one octet. */
static const uint8_t id_cmc_prefix[] = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x07};
#define CMC_CONTROL_MAX 99

static const char *const oid_text[CMC_OID_COUNT] = {
    [CMC_OID_CCT_PKIDATA] = "1.3.6.1.5.5.7.12.2",
    [CMC_OID_CCT_PKIRESPONSE] = "1.3.6.1.5.5.7.12.3",
    [CMC_OID_AA_CMC_UNSIGNED_DATA] = "1.2.840.113549.1.9.16.2.34",
    [CMC_OID_ALG_NO_SIGNATURE] = "1.3.6.1.5.5.7.6.2",
    [CMC_OID_KP_CMC_CA] = "1.3.6.1.5.5.7.3.27",
    [CMC_OID_KP_CMC_RA] = "1.3.6.1.5.5.7.3.28",
};

/* Built once and never freed: callers hold get0 pointers for the life of the process. A
 * failed allocation leaves a NULL entry, which the getters return as NULL. */
static CRYPTO_ONCE oid_once = CRYPTO_ONCE_STATIC_INIT;
static ASN1_OBJECT *oid_objs[CMC_OID_COUNT];
static ASN1_OBJECT *control_objs[CMC_CONTROL_MAX + 1];

static void oid_init(void)
{
    char txt[32];

    for (int i = 0; i < CMC_OID_COUNT; i++)
        oid_objs[i] = OBJ_txt2obj(oid_text[i], 1);
    for (int n = 1; n <= CMC_CONTROL_MAX; n++) {
        (void)snprintf(txt, sizeof(txt), "1.3.6.1.5.5.7.7.%d", n);
        control_objs[n] = OBJ_txt2obj(txt, 1);
    }
}

const ASN1_OBJECT *cmc_oid_get0(enum cmc_oid which)
{
    if ((int)which < 0 || which >= CMC_OID_COUNT)
        return NULL;
    if (CRYPTO_THREAD_run_once(&oid_once, oid_init) != 1)
        return NULL;
    return oid_objs[which];
}

const ASN1_OBJECT *cmc_oid_get0_control(int n)
{
    if (n < 1 || n > CMC_CONTROL_MAX)
        return NULL;
    if (CRYPTO_THREAD_run_once(&oid_once, oid_init) != 1)
        return NULL;
    return control_objs[n];
}

int cmc_oid_control_num(const ASN1_OBJECT *obj)
{
    const unsigned char *d;
    size_t len;

    if (obj == NULL)
        return -1;
    d = OBJ_get0_data(obj);
    len = OBJ_length(obj);
    /* One extra octet with the high bit clear is an arc below 128; longer arcs are not
     * CMC controls. This runs per control per request, so it must not allocate. */
    if (d == NULL || len != sizeof(id_cmc_prefix) + 1 ||
        memcmp(d, id_cmc_prefix, sizeof(id_cmc_prefix)) != 0)
        return -1;
    if (d[len - 1] == 0 || (d[len - 1] & 0x80) != 0)
        return -1;
    return d[len - 1];
}

/* rfc5272bis control table (digest §1.4). 33/34 follow RFC 6402, IANA and the draft's
 * table, not the draft module, which swaps them. */
const char *cmc_control_name(int n)
{
    switch (n) {
    case CMC_CTRL_STATUS_INFO: return "statusInfo";
    case CMC_CTRL_IDENTIFICATION: return "identification";
    case CMC_CTRL_IDENTITY_PROOF: return "identityProof";
    case CMC_CTRL_DATA_RETURN: return "dataReturn";
    case CMC_CTRL_TRANSACTION_ID: return "transactionId";
    case CMC_CTRL_SENDER_NONCE: return "senderNonce";
    case CMC_CTRL_RECIPIENT_NONCE: return "recipientNonce";
    case CMC_CTRL_ADD_EXTENSIONS: return "addExtensions";
    case CMC_CTRL_ENCRYPTED_POP: return "encryptedPOP";
    case CMC_CTRL_DECRYPTED_POP: return "decryptedPOP";
    case CMC_CTRL_LRA_POP_WITNESS: return "lraPOPWitness";
    case CMC_CTRL_GET_CERT: return "getCert";
    case CMC_CTRL_GET_CRL: return "getCRL";
    case CMC_CTRL_REVOKE_REQUEST: return "revokeRequest";
    case CMC_CTRL_REG_INFO: return "regInfo";
    case CMC_CTRL_RESPONSE_INFO: return "responseInfo";
    case CMC_CTRL_QUERY_PENDING: return "queryPending";
    case CMC_CTRL_POP_LINK_RANDOM: return "popLinkRandom";
    case CMC_CTRL_POP_LINK_WITNESS: return "popLinkWitness";
    case CMC_CTRL_CONFIRM_CERT_ACCEPTANCE: return "confirmCertAcceptance";
    case CMC_CTRL_STATUS_INFO_V2: return "statusInfoV2";
    case CMC_CTRL_TRUSTED_ANCHORS: return "trustedAnchors";
    case CMC_CTRL_AUTH_DATA: return "authData";
    case CMC_CTRL_BATCH_REQUESTS: return "batchRequests";
    case CMC_CTRL_BATCH_RESPONSES: return "batchResponses";
    case CMC_CTRL_PUBLISH_CERT: return "publishCert";
    case CMC_CTRL_MOD_CERT_TEMPLATE: return "modCertTemplate";
    case CMC_CTRL_CONTROL_PROCESSED: return "controlProcessed";
    case CMC_CTRL_POP_LINK_WITNESS_V2: return "popLinkWitnessV2";
    case CMC_CTRL_IDENTITY_PROOF_V2: return "identityProofV2";
    case CMC_CTRL_RA_IDENTITY_WITNESS: return "raIdentityWitness";
    case CMC_CTRL_CHANGE_SUBJECT_NAME: return "changeSubjectName";
    case CMC_CTRL_RESPONSE_BODY: return "responseBody";
    default: return "unknown";
    }
}

/* rfc5272bis §6.1.3; 1 is reserved. */
const char *cmc_status_name(long v)
{
    switch (v) {
    case CMC_STATUS_SUCCESS: return "success";
    case CMC_STATUS_FAILED: return "failed";
    case CMC_STATUS_PENDING: return "pending";
    case CMC_STATUS_NO_SUPPORT: return "noSupport";
    case CMC_STATUS_CONFIRM_REQUIRED: return "confirmRequired";
    case CMC_STATUS_POP_REQUIRED: return "popRequired";
    case CMC_STATUS_PARTIAL: return "partial";
    default: return "unknown";
    }
}

/* rfc5272bis §6.1.4 (the module misspells unsupportedExt; we print the prose name). */
const char *cmc_fail_info_name(long v)
{
    static const char *const names[] = {
        "badAlg", "badMessageCheck", "badRequest", "badTime", "badCertId",
        "unsupportedExt", "mustArchiveKeys", "badIdentity", "popRequired", "popFailed",
        "noKeyReuse", "internalCAError", "tryLater", "authDataFail",
    };

    if (v < 0 || v >= (long)(sizeof(names) / sizeof(names[0])))
        return "unknown";
    return names[v];
}

/* BodyPartID ::= INTEGER (0..4294967295), rfc5272bis §3.2.2. */
cmc_err cmc_body_part_id_get(const ASN1_INTEGER *a, uint32_t *out)
{
    uint64_t v = 0;

    CMC_ENSURE_REF(out);
    *out = 0;
    CMC_ENSURE(a != NULL, CMC_ERR_DECODE, "BodyPartID missing");
    if (ASN1_INTEGER_get_uint64(&v, a) != 1) {
        /* negative, or wider than 64 bits: both outside the BodyPartID range */
        ERR_clear_error();
        CMC_BAIL(CMC_ERR_DECODE, "BodyPartID out of range (negative or too large)");
    }
    CMC_ENSURE(v <= UINT32_MAX, CMC_ERR_DECODE, "BodyPartID %llu above 4294967295",
               (unsigned long long)v);
    *out = (uint32_t)v;
    return CMC_OK;
}

ASN1_INTEGER *cmc_body_part_id_new(uint32_t id)
{
    ASN1_INTEGER *a = ASN1_INTEGER_new();

    if (a == NULL)
        return NULL;
    if (ASN1_INTEGER_set_uint64(a, id) != 1) {
        ASN1_INTEGER_free(a);
        return NULL;
    }
    return a;
}

/* d2i_* accepts a prefix of its input and ignores what follows; a protocol message with
 * bytes after the top-level object is malformed (and a place to smuggle data), so every
 * decode of peer input goes through this. */
cmc_err cmc_d2i_exact(const ASN1_ITEM *it, const uint8_t *der, size_t len, ASN1_VALUE **out)
{
    const unsigned char *p = der;
    ASN1_VALUE *v;

    CMC_ENSURE_REF(out);
    *out = NULL;
    CMC_ENSURE_REF(it);
    CMC_ENSURE_REF(der);
    CMC_ENSURE(len > 0 && len <= LONG_MAX, CMC_ERR_DECODE, "%s: bad input length %zu",
               it->sname, len);
    v = ASN1_item_d2i(NULL, &p, (long)len, it);
    if (v == NULL)
        return cmci_fail_ossl(CMC_ERR_DECODE, "%s: not a valid DER encoding", it->sname);
    if (p != der + len) {
        ASN1_item_free(v, it);
        CMC_BAIL(CMC_ERR_DECODE, "%s: %zu trailing bytes after the encoding", it->sname,
                 (size_t)(der + len - p));
    }
    *out = v;
    return CMC_OK;
}
