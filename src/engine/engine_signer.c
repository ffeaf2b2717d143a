/* SPDX-License-Identifier: Apache-2.0 */
/* Verifies the SignedData wrapper of a Full PKI Request (rfc5272bis §3.2.1): either signed
 * by the key being certified (sid = subjectKeyIdentifier of a request in the same PKIData,
 * exactly one SignerInfo) or by a certificate chaining to the configured signer trust list.
 *
 * Every SignerInfo goes through the same three steps, whichever path it takes:
 *   1. check_signed_attrs: contentType = eContentType and messageDigest = digest of the
 *      eContent (RFC 5652 §5.3, §5.4, §11.1, §11.2), before any signature is checked;
 *   2. the signature over the DER of the signed attributes, with the request's key or the
 *      signer certificate's key: verify_direct where it can (also the only way for EdDSA
 *      on OpenSSL 3.0, RFC 8419), else CMS_SignerInfo_verify;
 *   3. for a certificate signer: the chain to signer_trust and keyUsage (verify_signer_chains);
 *      the extendedKeyUsage the profile allows is checked once the profile is known
 *      (cmci_signer_authorise, called from engine_request.c). */
#include "engine/engine_local.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* The subjectKeyIdentifier a request asks for: PKCS #10 extensionRequest or the CRMF
 * template's extensions. Ownership: new; caller frees. */
static ASN1_OCTET_STRING *requested_ski(const CMC_TAGGED_REQUEST *r)
{
    STACK_OF(X509_EXTENSION) *exts = NULL;
    ASN1_OCTET_STRING *ski = NULL;

    if (r->type == CMC_TAGGED_REQUEST_TCR) {
        if (cmc_p10_get1_extensions(r->value.tcr->certificationRequest, &exts) == CMC_OK)
            ski = X509V3_get_d2i(exts, NID_subject_key_identifier, NULL, NULL);
        sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    } else if (r->type == CMC_TAGGED_REQUEST_CRM) {
        const CMC_CERT_TEMPLATE *tpl = r->value.crm->certReq->certTemplate;
        ski = X509V3_get_d2i(tpl->extensions, NID_subject_key_identifier, NULL, NULL);
    }
    ERR_clear_error();
    return ski;
}

/* The key of a request as sent: get0, or NULL for a body without one. */
static const CMC_SPKI *request_spki(const CMC_TAGGED_REQUEST *r)
{
    if (r->type == CMC_TAGGED_REQUEST_TCR)
        return cmc_p10_get0_spki(r->value.tcr->certificationRequest);
    if (r->type == CMC_TAGGED_REQUEST_CRM)
        return r->value.crm->certReq->certTemplate->publicKey;
    return NULL;
}

/* The request whose subjectKeyIdentifier extension equals @p keyid: its key as sent
 * (get0: borrowed from @p pd), or NULL. */
static const CMC_SPKI *find_request_spki_by_ski(const CMC_PKIDATA *pd,
                                                const ASN1_OCTET_STRING *keyid)
{
    for (int i = 0; i < sk_CMC_TAGGED_REQUEST_num(pd->reqSequence); i++) {
        const CMC_TAGGED_REQUEST *r = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, i);
        ASN1_OCTET_STRING *ski = requested_ski(r);
        int match = ski != NULL && ASN1_OCTET_STRING_cmp(ski, keyid) == 0;
        ASN1_OCTET_STRING_free(ski);
        if (match)
            return request_spki(r);
    }
    return NULL;
}

/*
 * CMS_SignerInfo_verify takes the signer's key from a certificate. A request's key has no
 * certificate yet, so we hand it a throwaway in-memory X509 carrying only that key and the
 * SKI; nothing about that "certificate" is trusted except the key.
 * CMS re-encodes the certificates it is given, so every field must be encodable: the
 * algorithm identifiers are set to id-alg-noSignature and the signature is one zero octet.
 * Nobody verifies this signature; it only makes the structure well-formed.
 */
static X509 *key_holder(EVP_PKEY *pkey, const ASN1_OCTET_STRING *keyid)
{
    X509 *x = X509_new();
    const X509_ALGOR *tbs_alg, *alg;
    const ASN1_BIT_STRING *sig;
    static const unsigned char zero = 0;

    if (x == NULL || X509_set_version(x, X509_VERSION_3) != 1 || X509_set_pubkey(x, pkey) != 1
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(x), 60) == NULL
        || X509_add1_ext_i2d(x, NID_subject_key_identifier, (void *)keyid, 0, 0) != 1)
        goto err;
    tbs_alg = X509_get0_tbs_sigalg(x);
    X509_get0_signature(&sig, &alg, x);
    /* OpenSSL 3.0 has no setters for an unsigned certificate's algorithm fields; they are
     * owned by x and we only fill them in place. */
    if (X509_ALGOR_set0((X509_ALGOR *)tbs_alg, OBJ_dup(cmc_oid_get0(CMC_OID_ALG_NO_SIGNATURE)),
                        V_ASN1_NULL, NULL) != 1
        || X509_ALGOR_set0((X509_ALGOR *)alg, OBJ_dup(cmc_oid_get0(CMC_OID_ALG_NO_SIGNATURE)),
                           V_ASN1_NULL, NULL) != 1
        || ASN1_BIT_STRING_set((ASN1_BIT_STRING *)sig, (unsigned char *)&zero, 1) != 1)
        goto err;
    return x;
err:
    X509_free(x);
    return NULL;
}

/* The digest of @p data with @p md. An extendable-output function has the length CMS
 * fixes for it: 512 bits for SHAKE256 (RFC 8419 §2.3, RFC 8702 §3), 256 for SHAKE128,
 * twice OpenSSL's default output size in both cases. Returns 1 on success. */
static int content_digest(const EVP_MD *md, const ASN1_OCTET_STRING *data,
                          unsigned char out[EVP_MAX_MD_SIZE], unsigned int *out_len)
{
    EVP_MD_CTX *ctx;
    int ok;

    if ((EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) == 0)
        return EVP_Digest(data->data, (size_t)data->length, out, out_len, md, NULL) == 1;
    *out_len = 2 * (unsigned int)EVP_MD_get_size(md);
    if (*out_len == 0 || *out_len > EVP_MAX_MD_SIZE || (ctx = EVP_MD_CTX_new()) == NULL)
        return 0;
    ok = EVP_DigestInit_ex(ctx, md, NULL) == 1
         && EVP_DigestUpdate(ctx, data->data, (size_t)data->length) == 1
         && EVP_DigestFinalXOF(ctx, out, *out_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

/*
 * The signed attributes every SignerInfo of a PKIData must carry, checked the same way on
 * every path before any signature and before anything is issued: RFC 5652 §5.3 (signedAttrs
 * MUST be present when eContentType is not id-data), §11.1 (contentType MUST equal
 * eContentType: else a signature over bytes signed as something else, relabelled
 * id-cct-PKIData, would count) and §11.2/§5.4 (messageDigest = the digest of the eContent
 * with the SignerInfo's digestAlgorithm). OpenSSL's CMS_verify does not compare contentType,
 * so this is not left to it. Each attribute must occur once with one value.
 */
static cmc_err check_signed_attrs(const struct cmci_txn *t, CMS_SignerInfo *si)
{
    ASN1_OCTET_STRING **content = CMS_get0_content(t->cms);
    const ASN1_OBJECT *ectype = CMS_get0_eContentType(t->cms);
    X509_ALGOR *dig_alg = NULL;
    const ASN1_OBJECT *ct_attr;
    const ASN1_OCTET_STRING *md_attr;
    unsigned char dgst[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    const EVP_MD *md;
    cmc_err rv = CMC_OK;

    CMC_ENSURE(CMS_signed_get_attr_count(si) > 0, CMC_ERR_BAD_MESSAGE_CHECK,
               "the SignerInfo has no signed attributes");
    CMC_ENSURE(content != NULL && *content != NULL, CMC_ERR_BAD_REQUEST,
               "the SignedData has no content");
    /* -3: the attribute must occur exactly once, with exactly one value */
    ct_attr = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3,
                                          V_ASN1_OBJECT);
    md_attr = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
                                          V_ASN1_OCTET_STRING);
    ERR_clear_error();
    if (ct_attr == NULL || md_attr == NULL)
        CMC_BAIL(CMC_ERR_BAD_MESSAGE_CHECK, "the SignerInfo's %s signed attribute is missing, "
                 "repeated or malformed", ct_attr == NULL ? "contentType" : "messageDigest");
    if (OBJ_cmp(ct_attr, ectype) != 0) {
        char got[64], want[64];
        OBJ_obj2txt(got, sizeof(got), ct_attr, 0);
        OBJ_obj2txt(want, sizeof(want), ectype, 0);
        CMC_BAIL(CMC_ERR_BAD_MESSAGE_CHECK,
                 "the signed contentType attribute (%s) is not the eContentType (%s), "
                 "RFC 5652 §11.1", got, want);
    }
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig_alg, NULL);
    if (dig_alg == NULL || (md = EVP_get_digestbyobj(dig_alg->algorithm)) == NULL) {
        char name[64] = "absent";
        if (dig_alg != NULL)
            OBJ_obj2txt(name, sizeof(name), dig_alg->algorithm, 0);
        ERR_clear_error();
        CMC_BAIL(CMC_ERR_BAD_ALG, "the SignerInfo's digest algorithm (%s) is not supported", name);
    }
    if (!content_digest(md, *content, dgst, &dlen))
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "digest of the eContent");
    else if (md_attr->length != (int)dlen || memcmp(md_attr->data, dgst, dlen) != 0)
        rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK,
                       "the eContent does not match the SignerInfo's messageDigest attribute "
                       "(message digest mismatch)");
    ERR_clear_error();
    return rv;
}

/* Can the one-pass check below take this key and signature algorithm? ECDSA and RSA
 * PKCS #1 v1.5 with the SignerInfo's digest; everything else (RSASSA-PSS parameters)
 * goes through CMS_SignerInfo_verify. EdDSA is handled by the caller. */
static int simple_sig_alg(EVP_PKEY *pkey, const X509_ALGOR *sig_alg, const EVP_MD *md)
{
    int nid = OBJ_obj2nid(sig_alg->algorithm), dig = 0, pk = 0;

    if (EVP_PKEY_is_a(pkey, "EC"))
        return nid == NID_X9_62_id_ecPublicKey
               || (OBJ_find_sigid_algs(nid, &dig, &pk) && pk == NID_X9_62_id_ecPublicKey
                   && dig == EVP_MD_get_type(md));
    if (EVP_PKEY_is_a(pkey, "RSA"))
        return nid == NID_rsaEncryption
               || (OBJ_find_sigid_algs(nid, &dig, &pk) && pk == NID_rsaEncryption
                   && dig == EVP_MD_get_type(md));
    return 0;
}

/* The EdDSA key types and what RFC 8419 asks of a SignerInfo made with them. */
static int eddsa_nid(EVP_PKEY *pkey)
{
    return EVP_PKEY_is_a(pkey, "ED25519") ? NID_ED25519
         : EVP_PKEY_is_a(pkey, "ED448")   ? NID_ED448
                                          : NID_undef;
}

/*
 * The SignerInfo's signature over the DER of its signed attributes (RFC 5652 §5.4), checked
 * directly with @p pkey (the request's key, or the signer certificate's). It is what
 * CMS_SignerInfo_verify does, but that can only take the key from a certificate, and making
 * one (key_holder) costs OpenSSL 3.0 an encoder and a decoder run -- 40% of a Full request's
 * CPU (docs/benchmark.md). It is also the only way to verify EdDSA: OpenSSL 3.0 hands the
 * digest name to the EdDSA provider, which refuses it. RFC 8419 §3: Ed25519/Ed448 sign the
 * signed attributes themselves (PureEdDSA, no prehash), with signatureAlgorithm id-Ed25519 /
 * id-Ed448 and digestAlgorithm SHA-512 / SHAKE256 (§2.3).
 * The signed attributes were checked before (check_signed_attrs).
 * Returns 0 when the algorithms are not ones this handles (the caller then uses
 * CMS_SignerInfo_verify), else 1 with *rv set; @p bad_sig is the statusString of a
 * signature that does not verify.
 */
static int verify_direct(CMS_SignerInfo *si, EVP_PKEY *pkey, const char *bad_sig, cmc_err *rv)
{
    X509_ALGOR *dig_alg = NULL, *sig_alg = NULL;
    const ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
    unsigned char *abuf = NULL;
    int alen = 0, ed = eddsa_nid(pkey);
    const EVP_MD *md;
    EVP_MD_CTX *mctx = NULL;

    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig_alg, &sig_alg);
    if (dig_alg == NULL || sig_alg == NULL
        || (md = EVP_get_digestbyobj(dig_alg->algorithm)) == NULL)
        return 0;
    if (ed == NID_undef && !simple_sig_alg(pkey, sig_alg, md))
        return 0;
    *rv = CMC_OK;
    if (ed != NID_undef) {
        int want_md = ed == NID_ED25519 ? NID_sha512 : NID_shake256;
        if (OBJ_obj2nid(sig_alg->algorithm) != ed || sig_alg->parameter != NULL) {
            *rv = cmci_fail(CMC_ERR_BAD_ALG, "an %s key signs with signatureAlgorithm %s and no "
                            "parameters (RFC 8419 §3)", OBJ_nid2sn(ed), OBJ_nid2sn(ed));
            goto out;
        }
        if (EVP_MD_get_type(md) != want_md) {
            *rv = cmci_fail(CMC_ERR_BAD_ALG, "with %s the SignerInfo's digest algorithm must be "
                            "%s (RFC 8419 §2.3)", OBJ_nid2sn(ed), OBJ_nid2sn(want_md));
            goto out;
        }
    }
    if ((*rv = cmci_signed_attrs_der(si, &abuf, &alen)) != CMC_OK)
        goto out;
    if (sig == NULL || (mctx = EVP_MD_CTX_new()) == NULL) {
        *rv = cmci_fail(CMC_ERR_NOMEM, "verify context");
        goto out;
    }
    /* PureEdDSA takes no digest: NULL, not the SignerInfo's digestAlgorithm */
    if (EVP_DigestVerifyInit(mctx, NULL, ed != NID_undef ? NULL : md, NULL, pkey) != 1
        || EVP_DigestVerify(mctx, sig->data, (size_t)sig->length, abuf, (size_t)alen) != 1)
        *rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK, "%s", bad_sig);
out:
    ERR_clear_error();
    EVP_MD_CTX_free(mctx);
    OPENSSL_free(abuf);
    return 1;
}

/*
 * The key algorithm the SignerInfo's signatureAlgorithm names -- that of a signature OID
 * (sha256WithRSAEncryption, ecdsa-with-SHA384, RSASSA-PSS, Ed25519) or a bare key OID --
 * must be the signer key's. The field is not signed, and the CMS_SignerInfo_verify
 * fallback verifies with the key and the digestAlgorithm whatever it says: an ECDSA
 * signature labelled sha256WithRSAEncryption was issued. (Its digest is held to the
 * digestAlgorithm's by ca_alg.c.)
 */
static cmc_err check_sig_alg_key(CMS_SignerInfo *si, EVP_PKEY *pkey)
{
    X509_ALGOR *sig_alg = NULL;
    int nid, dig = NID_undef, pk = NID_undef, ok;

    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
    CMC_ENSURE(sig_alg != NULL, CMC_ERR_BAD_ALG, "the SignerInfo has no signatureAlgorithm");
    nid = OBJ_obj2nid(sig_alg->algorithm);
    if (!OBJ_find_sigid_algs(nid, &dig, &pk) || pk == NID_undef)
        pk = nid;
    switch (pk) {
    case NID_rsaEncryption:
    case NID_rsassaPss:
        ok = EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS");
        break;
    case NID_X9_62_id_ecPublicKey:
        ok = EVP_PKEY_is_a(pkey, "EC");
        break;
    case NID_ED25519:
        ok = EVP_PKEY_is_a(pkey, "ED25519");
        break;
    case NID_ED448:
        ok = EVP_PKEY_is_a(pkey, "ED448");
        break;
    default:
        ok = 0;
    }
    CMC_ENSURE(ok, CMC_ERR_BAD_ALG, "the SignerInfo's signatureAlgorithm %s is not one for "
                                    "the signer's %s key", nid != NID_undef ? OBJ_nid2ln(nid)
                                                                            : "(unknown)",
               EVP_PKEY_get0_type_name(pkey) != NULL ? EVP_PKEY_get0_type_name(pkey) : "");
    return CMC_OK;
}

/* The signature of @p si with the key of the signer certificate already set on it:
 * directly when verify_direct takes the algorithms, else CMS_SignerInfo_verify. */
static cmc_err verify_signature(CMS_SignerInfo *si, EVP_PKEY *pkey, const char *bad_sig)
{
    cmc_err rv = CMC_OK;

    CMC_GUARD(check_sig_alg_key(si, pkey));
    if (verify_direct(si, pkey, bad_sig, &rv))
        return rv;
    if (CMS_SignerInfo_verify(si) != 1)
        return cmci_fail_ossl(CMC_ERR_BAD_MESSAGE_CHECK, "%s", bad_sig);
    ERR_clear_error();
    return CMC_OK;
}

#define POP_BAD_SIG "the SignedData signature does not verify with the key being certified"
#define CERT_BAD_SIG "the SignedData signature does not verify"

static cmc_err verify_by_pop_key(struct cmci_txn *t, EVP_PKEY *leased, const CMC_SPKI *spki,
                                 const ASN1_OCTET_STRING *keyid)
{
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(t->cms), 0);
    EVP_PKEY *pkey = NULL;
    X509 *holder = NULL;
    cmc_err rv = CMC_OK;

    CMC_GUARD(check_sig_alg_key(si, leased));
    if (verify_direct(si, leased, POP_BAD_SIG, &rv)) {
        if (rv == CMC_OK)
            t->signer = CMCI_SIGNER_POP_KEY;
        return rv;
    }
    /* CMS_SignerInfo_set1_signer_cert keeps a reference to the holder's key in the
     * SignerInfo, which lives as long as the request; a leased key must not outlive its
     * lease, so this path has a key of its own. */
    if ((rv = cmc_spki_get1_pkey(spki, &pkey)) != CMC_OK)
        return rv;
    if ((holder = key_holder(pkey, keyid)) == NULL) {
        rv = cmci_fail_ossl(CMC_ERR_NOMEM, "key holder");
        goto out;
    }
    /* The sid already matched this request's SKI, so the holder is attached to the one
     * SignerInfo directly rather than looked up by keyid: that lookup hashes the holder's
     * DER first, and when the hash fails OpenSSL 3.0 answers "signer certificate not
     * found" (every POP-signed request failed that way before key_holder filled in the
     * algorithm fields). */
    CMS_SignerInfo_set1_signer_cert(si, holder);
    if (CMS_SignerInfo_verify(si) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_BAD_MESSAGE_CHECK, POP_BAD_SIG);
        goto out;
    }
    ERR_clear_error();
    t->signer = CMCI_SIGNER_POP_KEY;
out:
    X509_free(holder);
    EVP_PKEY_free(pkey);
    return rv;
}

/* The certificate @p si names (sid) in @p certs: get0, or NULL. */
static X509 *find_cert(CMS_SignerInfo *si, const STACK_OF(X509) *certs)
{
    for (int i = 0; i < sk_X509_num(certs); i++)
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0)
            return sk_X509_value(certs, i);
    return NULL;
}

/*
 * Attach to every SignerInfo its signer certificate: from the signer trust list first, then
 * from the SignedData's certificates. RFC 5652 §5.1 lets a signer leave its certificate
 * out when the recipient has it, and an operator certificate listed in signer_trust is
 * exactly that case. Looking in the trust list first also means a certificate the message
 * carries never stands in for a listed one with the same issuer and serial number.
 */
static cmc_err find_signer_certs(struct cmci_txn *t, const STACK_OF(X509) *msg_certs)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(t->cms);

    for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
        X509 *x = find_cert(si, t->srv->ca->signer_trust_certs);

        if (x == NULL)
            x = find_cert(si, msg_certs);
        if (x == NULL) {
            ASN1_OCTET_STRING *keyid = NULL;
            X509_NAME *issuer = NULL;
            ASN1_INTEGER *sno = NULL;
            char who[120] = "";

            if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &sno) == 1 && issuer != NULL)
                X509_NAME_oneline(issuer, who, sizeof(who));
            ERR_clear_error();
            CMC_BAIL(CMC_ERR_BAD_MESSAGE_CHECK,
                     "the signer certificate%s%s is neither in the request nor in the signer "
                     "trust list", who[0] ? " issued by " : "", who);
        }
        CMS_SignerInfo_set1_signer_cert(si, x);
    }
    return CMC_OK;
}

/*
 * RFC 5280 §4.2.1.9: a certificate without basicConstraints cA=TRUE MUST NOT be used to
 * verify certificate signatures. X509_verify_cert holds every issuer below the anchor to
 * that, but with PARTIAL_CHAIN the anchor may be any listed certificate, and OpenSSL lets
 * an anchor without basicConstraints issue when its keyUsage has keyCertSign. A listed
 * operator certificate vouches for itself, never for certificates it signed. Accepted
 * above the signer: cA=TRUE (1), or a self-signed version 1 root (3).
 */
static int chain_issuers_are_cas(X509_STORE_CTX *ctx)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);

    for (int i = 1; i < sk_X509_num(chain); i++) {
        int ca = X509_check_ca(sk_X509_value(chain, i));

        if (ca != 1 && ca != 3)
            return 0;
    }
    return 1;
}

/* Every signer certificate must chain to signer_trust, using the certificates carried in
 * the SignedData as intermediates, and be a certificate for signing: RFC 5280 §4.2.1.3,
 * digitalSignature where keyUsage is present (a TLS server certificate with
 * keyEncipherment only does not sign requests). */
static cmc_err verify_signer_chains(struct cmci_txn *t, STACK_OF(X509) *msg_certs)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(t->cms);
    X509_STORE_CTX *ctx = NULL;
    cmc_err rv = CMC_OK;

    if ((ctx = X509_STORE_CTX_new()) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "verify context");
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis) && rv == CMC_OK; i++) {
        X509 *signer = NULL;

        CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, i), NULL, &signer, NULL, NULL);
        if (X509_STORE_CTX_init(ctx, t->srv->ca->signer_trust, signer, msg_certs) != 1)
            rv = cmci_fail_ossl(CMC_ERR_NOMEM, "verify context");
        else if (X509_verify_cert(ctx) != 1)
            rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK,
                           "the signer certificate does not chain to the signer trust list: %s",
                           X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
        else if (!chain_issuers_are_cas(ctx))
            rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK,
                           "the signer certificate does not chain to the signer trust list: "
                           "it is issued by a certificate that is not a CA (RFC 5280 §4.2.1.9)");
        else if ((X509_get_key_usage(signer) & KU_DIGITAL_SIGNATURE) == 0)
            /* X509_get_key_usage: every bit set when the extension is absent */
            rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK,
                           "the signer certificate's keyUsage does not allow digitalSignature");
        X509_STORE_CTX_cleanup(ctx);
    }
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    return rv;
}

/* Signed by one or more certificates: each signer certificate found, each signature
 * verified, then each chain. The signatures come first, so that a tampered message and an
 * untrusted signer are told apart in the statusString. */
static cmc_err verify_by_certificates(struct cmci_txn *t)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(t->cms);
    STACK_OF(X509) *msg_certs = CMS_get1_certs(t->cms); /* NULL when there are none */
    cmc_err rv;

    if ((rv = find_signer_certs(t, msg_certs)) != CMC_OK)
        goto out;
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
        X509 *signer = NULL;

        CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);
        if ((rv = verify_signature(si, X509_get0_pubkey(signer), CERT_BAD_SIG)) != CMC_OK)
            goto out;
    }
    if (t->srv->ca->signer_trust == NULL) {
        rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK,
                       "the request is signed by a certificate, and this server trusts no signers");
        goto out;
    }
    if ((rv = verify_signer_chains(t, msg_certs)) != CMC_OK)
        goto out;
    t->signer = CMCI_SIGNER_TRUSTED;
out:
    ERR_clear_error();
    sk_X509_pop_free(msg_certs, X509_free);
    return rv;
}

/* Does the (single) SignerInfo's sid name a certificate of signer_trust or of the
 * SignedData? */
static int sid_names_a_certificate(struct cmci_txn *t)
{
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(t->cms), 0);
    STACK_OF(X509) *msg_certs = CMS_get1_certs(t->cms);
    int found = find_cert(si, t->srv->ca->signer_trust_certs) != NULL
                || find_cert(si, msg_certs) != NULL;

    sk_X509_pop_free(msg_certs, X509_free);
    ERR_clear_error();
    return found;
}

cmc_err cmci_verify_wrapper(struct cmci_txn *t)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(t->cms);
    int n = sk_CMS_SignerInfo_num(sis);
    ASN1_OCTET_STRING *keyid = NULL;
    X509_NAME *issuer = NULL;
    ASN1_INTEGER *sno = NULL;

    /* An unsigned SignedData is only meaningful for a shared-secret revocation request
     * (rfc5272bis §6.11), which this server does not support yet. */
    CMC_ENSURE(n > 0, CMC_ERR_BAD_MESSAGE_CHECK, "the SignedData has no signer");
    /* Each SignerInfo costs a digest of the whole eContent before anything is trusted, so
     * their number is bounded: a request needs one signer (the requester's key, or an RA),
     * an RA chain at most a few. */
    CMC_ENSURE(n <= CMCI_MAX_SIGNER_INFOS, CMC_ERR_BAD_REQUEST,
               "the SignedData has %d SignerInfos; at most %d are accepted", n,
               CMCI_MAX_SIGNER_INFOS);
    /* The algorithm policy (ca_alg.c) for every SignerInfo, before either path verifies. */
    CMC_GUARD(cmci_alg_check_signed_data(t->srv->ca, t->cms));
    /* Step 1 for every signer, on every path, before any signature is looked at. */
    for (int i = 0; i < n; i++)
        CMC_GUARD(check_signed_attrs(t, sk_CMS_SignerInfo_value(sis, i)));

    if (n == 1
        && CMS_SignerInfo_get0_signer_id(sk_CMS_SignerInfo_value(sis, 0), &keyid, &issuer, &sno) == 1
        && keyid != NULL) {
        const CMC_SPKI *spki = find_request_spki_by_ski(t->pkidata, keyid);
        struct cmci_key_lease key;

        if (spki != NULL && cmci_spki_lease_pkey(t->srv->keys, spki, &key) == CMC_OK) {
            cmc_err rv = verify_by_pop_key(t, key.pkey, spki, keyid);
            cmci_key_lease_end(&key);
            /* A request may ask for any subjectKeyIdentifier, an RA certificate's too (it
             * is public). When the key being certified did not sign, a certificate with
             * that identifier may have: the RA that wraps the request signing with a keyid
             * sid (RFC 5652 §5.3). Try it, so a requester cannot block its own RA; the
             * certificate path grants nothing the POP path would have. */
            if (rv != CMC_ERR_BAD_MESSAGE_CHECK || !sid_names_a_certificate(t))
                return rv;
            cmc_error_clear();
            t->signer = CMCI_SIGNER_NONE;
            return verify_by_certificates(t);
        }
        /* A malformed key is reported on its own body part; here it just matches nothing.
         * Else: a subjectKeyIdentifier of an operator certificate; verified below. */
        if (spki != NULL)
            cmc_error_clear();
    }
    return verify_by_certificates(t);
}

/* Does @p x have an extendedKeyUsage @p p accepts of operator and RA signers?
 * 1 yes, 0 no, -1 it has no (decodable, single) extendedKeyUsage extension at all. */
static int signer_eku_ok(const struct cmci_profile *p, X509 *x)
{
    EXTENDED_KEY_USAGE *eku;
    int crit = 0, ok = 0;

    if (p->signer_eku_any)
        return 1;
    /* NULL when the extension is absent, repeated (crit -2) or does not decode: a
     * certificate without an EKU is not taken for an RA's (docs/configuration.md). An
     * anyExtendedKeyUsage is only what it says when the profile lists it. */
    if ((eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL)) == NULL) {
        ERR_clear_error();
        return -1;
    }
    for (int i = 0; !ok && i < sk_ASN1_OBJECT_num(eku); i++)
        for (size_t j = 0; !ok && j < p->n_signer_eku; j++)
            ok = OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), p->signer_eku[j]) == 0;
    EXTENDED_KEY_USAGE_free(eku);
    return ok;
}

cmc_err cmci_signer_authorise(const struct cmci_txn *t, const struct cmci_profile *p)
{
    STACK_OF(CMS_SignerInfo) *sis;

    if (t->signer != CMCI_SIGNER_TRUSTED)
        return CMC_OK;
    sis = CMS_get0_SignerInfos(t->cms);
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
        X509 *signer = NULL;
        char who[96] = "";
        int ok;

        CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, i), NULL, &signer, NULL, NULL);
        if (signer == NULL)
            CMC_BAIL(CMC_ERR_INTERNAL, "a verified SignerInfo has no signer certificate");
        if ((ok = signer_eku_ok(p, signer)) == 1)
            continue;
        X509_NAME_oneline(X509_get_subject_name(signer), who, sizeof(who));
        if (ok < 0)
            CMC_BAIL(CMC_ERR_NOT_AUTHORIZED,
                     "profile %s: the signer certificate %s has no extendedKeyUsage "
                     "(signer_eku = %s)", p->name, who, p->signer_eku_text);
        CMC_BAIL(CMC_ERR_NOT_AUTHORIZED,
                 "profile %s: the signer certificate %s has no extendedKeyUsage in "
                 "signer_eku = %s", p->name, who, p->signer_eku_text);
    }
    return CMC_OK;
}
