/* SPDX-License-Identifier: Apache-2.0 */
/* Writes the seed corpus of tests/fuzz/fuzz_engine.c: good and bad Simple and Full PKI
 * Requests built with the engine fixture, whose fixed operator keys match the fuzz target's.
 * Usage: engine_seedgen DIR   (the committed seeds live in tests/fuzz/corpus/engine/) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <cmc/client.h>

#include "engine_fixture.h"

static int failures;

/* Write @p der (taking ownership) as DIR/NAME; a NULL @p der is a builder failure.
 * @p lenp is read here, after the builder in the argument list has set it: the order in
 * which a call's arguments are evaluated is unspecified. */
static void put(const char *dir, const char *name, uint8_t *der, const size_t *lenp)
{
    size_t len = lenp ? *lenp : 0;

    char path[512];
    FILE *fp;

    if (der == NULL) {
        fprintf(stderr, "engine_seedgen: cannot build %s\n", name);
        failures++;
        return;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fp = fopen(path, "wb")) == NULL || fwrite(der, 1, len, fp) != len) {
        fprintf(stderr, "engine_seedgen: cannot write %s\n", path);
        failures++;
    }
    if (fp != NULL)
        fclose(fp);
    OPENSSL_free(der);
}

static CMC_PKIDATA *tcr(EVP_PKEY *key, uint32_t id)
{
    CMC_PKIDATA *pd = ef_pkidata_new();
    X509_REQ *req = ef_p10(key, "seed client");

    if (pd == NULL || req == NULL || !ef_add_tcr(pd, id, req)) {
        CMC_PKIDATA_free(pd);
        pd = NULL;
    }
    X509_REQ_free(req);
    return pd;
}

/* Copy of @p der with @p extra trailing bytes (zeros), or truncated by -@p extra. */
static uint8_t *resize(const uint8_t *der, size_t len, long extra, size_t *out)
{
    size_t n = (size_t)((long)len + extra);
    uint8_t *p = OPENSSL_zalloc(n);

    if (p != NULL)
        memcpy(p, der, extra < 0 ? n : len);
    *out = n;
    return p;
}

static void crm_seed(const char *dir, const char *name, EVP_PKEY *key, enum ef_crm_opt opt)
{
    CMC_PKIDATA *pd = ef_pkidata_new();
    size_t len = 0;
    uint8_t *der = NULL;

    if (pd != NULL && ef_add_crm(pd, ef_crm(key, 3, "seed crmf", opt))
        && ef_add_ctl_int(pd, 1, CMC_CTRL_TRANSACTION_ID, 3))
        der = ef_full_pop(pd, key, &len);
    put(dir, name, der, &len);
    CMC_PKIDATA_free(pd);
}

static void eddsa_seed(const char *dir, const char *name, const char *type)
{
    EVP_PKEY *key = NULL;
    struct cmc_client_req *req = NULL;
    struct cmc_request_params p = {.subject = "/CN=seed eddsa", .full = 1, .profile = "eddsa"};
    const uint8_t *der;
    size_t len = 0;

    if (cmc_client_keygen(type, &key) == CMC_OK) {
        p.key = key;
        if (cmc_client_req_new(&p, &req) == CMC_OK) {
            der = cmc_client_req_get0_der(req, &len);
            put(dir, name, OPENSSL_memdup(der, len), &len);
        }
    }
    if (req == NULL)
        put(dir, name, NULL, NULL);
    cmc_client_req_free(req);
    EVP_PKEY_free(key);
}

int main(int argc, char **argv)
{
    static const uint8_t nonce[16] = "seed-nonce-00001";
    struct ef_fixture f;
    EVP_PKEY *key = ef_key_ec_fixed("cmcd seed client"), *k384 = ef_key_ec("P-384");
    X509_REQ *req = key ? ef_p10(key, "seed simple") : NULL;
    CMC_PKIDATA *pd;
    ASN1_TYPE *t;
    const char *dir;
    uint8_t *der, *der2, *body;
    size_t len = 0, len2 = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    if (key == NULL || k384 == NULL || req == NULL || !ef_setup_fixed(&f)) {
        fprintf(stderr, "engine_seedgen: fixture setup failed\n");
        return 1;
    }

    /* Simple PKI Requests */
    der = ef_p10_der(req, &len);
    put(dir, "simple_good.der", resize(der, len, 0, &len2), &len2);
    put(dir, "simple_trailing.der", resize(der, len, 1, &len2), &len2);
    put(dir, "simple_truncated.der", resize(der, len, -9, &len2), &len2);
    if (der != NULL)
        der[len - 1] ^= 0x01;
    put(dir, "simple_bad_pop.der", der, &len);

    /* Full PKI Requests that issue */
    pd = tcr(key, 4);
    if (pd != NULL && ef_add_ctl_int(pd, 1, CMC_CTRL_TRANSACTION_ID, 99)
        && ef_add_ctl_octets(pd, 2, CMC_CTRL_SENDER_NONCE, nonce, sizeof(nonce))
        && ef_add_ctl_octets(pd, 3, CMC_CTRL_DATA_RETURN, "seed", 4)
        && ef_add_profile(pd, 5, "default")) {
        der = ef_full_pop(pd, key, &len);
        put(dir, "full_tcr_pop.der", der, &len);
        der = ef_full_pop(pd, key, &len);
        put(dir, "full_tcr_pop_trailing.der", der ? resize(der, len, 2, &len2) : NULL, &len2);
        OPENSSL_free(der);
        der = ef_full_pop(pd, key, &len);
        put(dir, "full_tampered.der", der ? ef_tamper_signature(der, len, &len2) : NULL, &len2);
        OPENSSL_free(der);
        put(dir, "full_tcr_operator.der", ef_full_cert(pd, f.op_cert, f.op_key, &len), &len);
        put(dir, "full_tcr_rogue.der", ef_full_cert(pd, f.rogue_cert, f.rogue_key, &len), &len);
        /* the signer certificate left out (RFC 5652 §5.1), and an operator signature over
         * id-data relabelled id-cct-PKIData (RFC 5652 §11.1) */
        body = ef_pkidata_der(pd, &len2);
        der = body ? ef_sign_cert_flags(body, len2, cmc_oid_get0(CMC_OID_CCT_PKIDATA), f.op_cert,
                                        f.op_key, CMS_NOCERTS, &len)
                   : NULL;
        put(dir, "full_operator_nocerts.der", der, &len);
        der = body ? ef_sign_cert(body, len2, OBJ_nid2obj(NID_pkcs7_data), f.op_cert, f.op_key,
                                  &len)
                   : NULL;
        put(dir, "full_operator_relabelled.der",
            der ? ef_relabel(der, len, cmc_oid_get0(CMC_OID_CCT_PKIDATA), &len2) : NULL, &len2);
        OPENSSL_free(der);
        OPENSSL_free(body);
    }
    CMC_PKIDATA_free(pd);
    crm_seed(dir, "full_crm_pop.der", key, EF_CRM_GOOD);
    crm_seed(dir, "full_crm_poposk_input.der", key, EF_CRM_POPOSK_INPUT);
    crm_seed(dir, "full_crm_reginfo.der", key, EF_CRM_REGINFO);
    crm_seed(dir, "full_crm_no_popo.der", key, EF_CRM_NO_POPO);
    crm_seed(dir, "full_crm_bad_pop.der", key, EF_CRM_BAD_SIG);

    /* profiles and policy */
    pd = tcr(key, 1);
    if (pd != NULL && ef_add_profile(pd, 2, "signed_only")) {
        put(dir, "full_signed_only_operator.der", ef_full_cert(pd, f.op_cert, f.op_key, &len),
            &len);
        put(dir, "full_signed_only_pop.der", ef_full_pop(pd, key, &len), &len);
    }
    CMC_PKIDATA_free(pd);
    pd = tcr(key, 1);
    if (pd != NULL && ef_add_profile(pd, 2, "no-such-profile"))
        put(dir, "full_unknown_profile.der", ef_full_pop(pd, key, &len), &len);
    CMC_PKIDATA_free(pd);
    pd = tcr(k384, 1);
    if (pd != NULL && ef_add_profile(pd, 2, "p384_only"))
        put(dir, "full_p384_profile.der", ef_full_pop(pd, k384, &len), &len);
    CMC_PKIDATA_free(pd);

    /* structure and controls */
    pd = tcr(key, 3);
    if (pd != NULL && ef_add_ctl_int(pd, 3, CMC_CTRL_TRANSACTION_ID, 1))
        put(dir, "full_duplicate_ids.der", ef_full_pop(pd, key, &len), &len);
    CMC_PKIDATA_free(pd);
    pd = tcr(key, 1);
    if (pd != NULL && ef_add_ctl_int(pd, 0, CMC_CTRL_TRANSACTION_ID, 1))
        put(dir, "full_id_zero.der", ef_full_pop(pd, key, &len), &len);
    CMC_PKIDATA_free(pd);
    pd = tcr(key, 4);
    if (pd != NULL && (t = ASN1_TYPE_new()) != NULL) {
        ASN1_TYPE_set(t, V_ASN1_NULL, NULL);
        if (ef_add_control(pd, 2, cmc_oid_get0_control(99), t))
            put(dir, "full_unknown_control.der", ef_full_pop(pd, key, &len), &len);
    }
    CMC_PKIDATA_free(pd);
    pd = tcr(key, 2);
    if (pd != NULL && ef_add_ctl_octets(pd, 6, CMC_CTRL_IDENTITY_PROOF_V2, "witness", 7)
        && ef_add_ctl_int(pd, 7, CMC_CTRL_RESPONSE_BODY, 1)
        && ef_add_ctl_octets(pd, 8, CMC_CTRL_RECIPIENT_NONCE, nonce, sizeof(nonce)))
        put(dir, "full_unsupported_controls.der", ef_full_pop(pd, key, &len), &len);
    CMC_PKIDATA_free(pd);
    pd = tcr(key, 20);
    for (uint32_t i = 1; pd != NULL && i <= 9; i++)
        if (!ef_add_ctl_octets(pd, i, CMC_CTRL_DATA_RETURN, "d", 1))
            break;
    if (pd != NULL)
        put(dir, "full_9_controls.der", ef_full_pop(pd, key, &len), &len);
    CMC_PKIDATA_free(pd);
    pd = tcr(key, 1);
    for (uint32_t i = 2; pd != NULL && i <= 9; i++)
        if (!ef_add_other_msg(pd, i))
            break;
    if (pd != NULL)
        put(dir, "full_9_body_parts.der", ef_full_pop(pd, key, &len), &len);
    CMC_PKIDATA_free(pd);

    /* nesting: one level (accepted) and two (refused) */
    {
        CMC_PKIDATA *inner = ef_pkidata_new(), *middle = ef_pkidata_new();
        der = inner ? ef_full_cert(inner, f.op_cert, f.op_key, &len) : NULL;
        pd = tcr(key, 1);
        if (der != NULL && pd != NULL && ef_add_cms(pd, 2, der, len))
            put(dir, "full_nested_1.der", ef_full_pop(pd, key, &len2), &len2);
        CMC_PKIDATA_free(pd);
        der2 = NULL;
        if (der != NULL && middle != NULL && ef_add_cms(middle, 1, der, len))
            der2 = ef_full_cert(middle, f.op_cert, f.op_key, &len2);
        pd = tcr(key, 1);
        if (der2 != NULL && pd != NULL && ef_add_cms(pd, 2, der2, len2))
            put(dir, "full_nested_2.der", ef_full_pop(pd, key, &len), &len);
        CMC_PKIDATA_free(pd);
        OPENSSL_free(der);
        OPENSSL_free(der2);
        CMC_PKIDATA_free(inner);
        CMC_PKIDATA_free(middle);
    }

    /* RFC 8419: Ed25519 / Ed448 keys signing their own request (the client library builds
     * the SignerInfo OpenSSL 3.0's CMS cannot) */
    eddsa_seed(dir, "full_ed25519_pop.der", "ed25519");
    eddsa_seed(dir, "full_ed448_pop.der", "ed448");

    /* other content types */
    put(dir, "enveloped.der", ef_enveloped(f.ca_cert, &len), &len);
    put(dir, "data.der", ef_data_ci(&len), &len);
    {
        static const char junk[] = "not DER";
        uint8_t *p = OPENSSL_memdup(junk, sizeof(junk) - 1);
        len = sizeof(junk) - 1;
        put(dir, "garbage.bin", p, &len);
    }

    X509_REQ_free(req);
    EVP_PKEY_free(key);
    EVP_PKEY_free(k384);
    ef_teardown(&f);
    return failures == 0 ? 0 : 1;
}
