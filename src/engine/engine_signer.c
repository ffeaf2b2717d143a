/* SPDX-License-Identifier: Apache-2.0 */
/* Verifies the SignedData wrapper of a Full PKI Request (rfc5272bis §3.2.1): either signed
 * by the key being certified (sid = subjectKeyIdentifier of a request in the same PKIData,
 * exactly one SignerInfo) or by a certificate chaining to the configured signer trust list. */
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
 * CMS_verify finds a signer's certificate by its sid. A request's key has no certificate
 * yet, so we hand it a throwaway in-memory X509 carrying only that key and the SKI; with
 * CMS_NO_SIGNER_CERT_VERIFY nothing about that "certificate" is trusted except the key,
 * and the signed attributes and content digest are checked as for any signer.
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

/* SignedAttributes as DER for the signature check: RFC 5652 §5.4 has the signature over
 * the DER of the SET OF, with the SET tag, whatever the [0] IMPLICIT form sent. */
typedef STACK_OF(X509_ATTRIBUTE) CMCI_SIGNED_ATTRS;
ASN1_ITEM_TEMPLATE(CMCI_SIGNED_ATTRS) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SET_ORDER, 0, SignedAttributes, X509_ATTRIBUTE)
static_ASN1_ITEM_TEMPLATE_END(CMCI_SIGNED_ATTRS)

/* Can the one-pass check below take this key and signature algorithm? ECDSA and RSA
 * PKCS #1 v1.5 with the SignerInfo's digest; everything else (RSASSA-PSS parameters,
 * EdDSA) goes through CMS_verify. */
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

/*
 * The SignerInfo checks of RFC 5652 §5.4 and §5.6 done directly with the request's key:
 * contentType attribute = eContentType, messageDigest attribute = digest of eContent, and
 * the signature over the DER of the signed attributes. It is what CMS_verify does with a
 * signer certificate, but CMS_verify can only take the key from a certificate, and making
 * one (key_holder) costs OpenSSL 3.0 an encoder and a decoder run -- 40% of a Full
 * request's CPU (docs/benchmark.md). Returns 0 when the algorithms are not ones this
 * handles (the caller then uses CMS_verify), else 1 with *rv set.
 */
static int verify_direct(struct cmci_txn *t, CMS_SignerInfo *si, EVP_PKEY *pkey, cmc_err *rv)
{
    X509_ALGOR *dig_alg = NULL, *sig_alg = NULL;
    ASN1_OCTET_STRING **content = CMS_get0_content(t->cms);
    const ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
    ASN1_OCTET_STRING *md_attr;
    ASN1_OBJECT *ct_attr;
    CMCI_SIGNED_ATTRS *attrs = NULL;
    unsigned char dgst[EVP_MAX_MD_SIZE], *abuf = NULL;
    unsigned int dlen = 0;
    int alen, n = CMS_signed_get_attr_count(si);
    const EVP_MD *md;
    EVP_MD_CTX *mctx = NULL;

    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig_alg, &sig_alg);
    if (dig_alg == NULL || sig_alg == NULL
        || (md = EVP_get_digestbyobj(dig_alg->algorithm)) == NULL
        || !simple_sig_alg(pkey, sig_alg, md))
        return 0;
    *rv = CMC_OK;
    /* RFC 5652 §5.3: signedAttrs MUST be present when eContentType is not id-data */
    if (n <= 0 || content == NULL || *content == NULL || sig == NULL) {
        *rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK, "the SignerInfo has no signed attributes");
        goto out;
    }
    /* -3: the attribute must occur exactly once */
    ct_attr = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3,
                                          V_ASN1_OBJECT);
    md_attr = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
                                          V_ASN1_OCTET_STRING);
    if (ct_attr == NULL || OBJ_cmp(ct_attr, CMS_get0_eContentType(t->cms)) != 0
        || md_attr == NULL) {
        *rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK,
                        "the SignerInfo's contentType or messageDigest attribute is missing or wrong");
        goto out;
    }
    if (EVP_Digest((*content)->data, (size_t)(*content)->length, dgst, &dlen, md, NULL) != 1
        || md_attr->length != (int)dlen || memcmp(md_attr->data, dgst, dlen) != 0) {
        *rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK,
                        "the SignedData signature does not verify with the key being certified "
                        "(message digest mismatch)");
        goto out;
    }
    if ((attrs = sk_X509_ATTRIBUTE_new_reserve(NULL, n)) == NULL) {
        *rv = cmci_fail(CMC_ERR_NOMEM, "signed attributes");
        goto out;
    }
    for (int i = 0; i < n; i++)
        (void)sk_X509_ATTRIBUTE_push(attrs, CMS_signed_get_attr(si, i)); /* reserved: no fail */
    if ((alen = ASN1_item_i2d((ASN1_VALUE *)attrs, &abuf, ASN1_ITEM_rptr(CMCI_SIGNED_ATTRS))) <= 0
        || (mctx = EVP_MD_CTX_new()) == NULL) {
        *rv = cmci_fail_ossl(CMC_ERR_NOMEM, "signed attributes");
        goto out;
    }
    if (EVP_DigestVerifyInit(mctx, NULL, md, NULL, pkey) != 1
        || EVP_DigestVerify(mctx, sig->data, (size_t)sig->length, abuf, (size_t)alen) != 1) {
        *rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK,
                        "the SignedData signature does not verify with the key being certified");
        goto out;
    }
    t->signer = CMCI_SIGNER_POP_KEY;
out:
    ERR_clear_error();
    EVP_MD_CTX_free(mctx);
    OPENSSL_free(abuf);
    sk_X509_ATTRIBUTE_free(attrs); /* the attributes are the SignerInfo's */
    return 1;
}

static cmc_err verify_by_pop_key(struct cmci_txn *t, EVP_PKEY *leased, const CMC_SPKI *spki,
                                 const ASN1_OCTET_STRING *keyid)
{
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(t->cms), 0);
    EVP_PKEY *pkey = NULL;
    X509 *holder = NULL;
    cmc_err rv = CMC_OK;

    if (verify_direct(t, si, leased, &rv))
        return rv;
    /* CMS_verify keeps a reference to the holder's key in the SignerInfo, which lives as
     * long as the request; a leased key must not outlive its lease, so this path has a key
     * of its own. */
    if ((rv = cmc_spki_get1_pkey(spki, &pkey)) != CMC_OK)
        return rv;
    if ((holder = key_holder(pkey, keyid)) == NULL) {
        rv = cmci_fail_ossl(CMC_ERR_NOMEM, "key holder");
        goto out;
    }
    /* The sid already matched this request's SKI, so the holder is attached to the one
     * SignerInfo directly rather than offered to CMS_verify for a keyid lookup: that lookup
     * hashes the holder's DER first, and when the hash fails OpenSSL 3.0 answers "signer
     * certificate not found" (every POP-signed request failed that way before key_holder
     * filled in the algorithm fields). */
    CMS_SignerInfo_set1_signer_cert(si, holder);
    if (CMS_verify(t->cms, NULL, NULL, NULL, NULL, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_BAD_MESSAGE_CHECK,
                            "the SignedData signature does not verify with the key being certified");
        goto out;
    }
    ERR_clear_error();
    t->signer = CMCI_SIGNER_POP_KEY;
out:
    X509_free(holder);
    EVP_PKEY_free(pkey);
    return rv;
}

/* Every signer certificate CMS_verify matched must chain to signer_trust, using the
 * certificates carried in the SignedData as intermediates. */
static cmc_err verify_signer_chains(struct cmci_txn *t)
{
    STACK_OF(X509) *signers = CMS_get0_signers(t->cms);
    STACK_OF(X509) *untrusted = CMS_get1_certs(t->cms);
    X509_STORE_CTX *ctx = NULL;
    cmc_err rv = CMC_OK;

    if (sk_X509_num(signers) <= 0) {
        rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK, "no signer certificate found");
        goto out;
    }
    if ((ctx = X509_STORE_CTX_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "verify context");
        goto out;
    }
    for (int i = 0; i < sk_X509_num(signers); i++) {
        int ok;
        if (X509_STORE_CTX_init(ctx, t->srv->ca->signer_trust, sk_X509_value(signers, i),
                                untrusted) != 1) {
            rv = cmci_fail_ossl(CMC_ERR_NOMEM, "verify context");
            goto out;
        }
        ok = X509_verify_cert(ctx);
        if (ok != 1) {
            rv = cmci_fail(CMC_ERR_BAD_MESSAGE_CHECK,
                           "the signer certificate does not chain to the signer trust list: %s",
                           X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
            goto out;
        }
        X509_STORE_CTX_cleanup(ctx);
    }
out:
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    sk_X509_free(signers);
    sk_X509_pop_free(untrusted, X509_free);
    return rv;
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
    /* The algorithm policy (ca_alg.c) for every SignerInfo, before either path verifies. */
    CMC_GUARD(cmci_alg_check_signed_data(t->srv->ca, t->cms));
    /* RFC 5652 §5.3: signedAttrs MUST be present when eContentType is not id-data. Checked
     * here for every signer, because CMS_verify (operator signers, and the POP-key
     * fallback) accepts a SignerInfo without them. */
    for (int i = 0; i < n; i++)
        CMC_ENSURE(CMS_signed_get_attr_count(sk_CMS_SignerInfo_value(sis, i)) > 0,
                   CMC_ERR_BAD_MESSAGE_CHECK, "the SignerInfo has no signed attributes");

    if (n == 1
        && CMS_SignerInfo_get0_signer_id(sk_CMS_SignerInfo_value(sis, 0), &keyid, &issuer, &sno) == 1
        && keyid != NULL) {
        const CMC_SPKI *spki = find_request_spki_by_ski(t->pkidata, keyid);
        struct cmci_key_lease key;

        if (spki != NULL && cmci_spki_lease_pkey(t->srv->keys, spki, &key) == CMC_OK) {
            cmc_err rv = verify_by_pop_key(t, key.pkey, spki, keyid);
            cmci_key_lease_end(&key);
            return rv;
        }
        /* A malformed key is reported on its own body part; here it just matches nothing.
         * Else: a subjectKeyIdentifier of an operator certificate; verified below. */
        if (spki != NULL)
            cmc_error_clear();
    }

    /* A signer with a certificate. First the signature alone, so that a tampered message
     * and an untrusted signer are told apart in the statusString. */
    if (CMS_verify(t->cms, NULL, NULL, NULL, NULL, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1)
        return cmci_fail_ossl(CMC_ERR_BAD_MESSAGE_CHECK,
                              "the SignedData signature does not verify");
    ERR_clear_error();
    CMC_ENSURE(t->srv->ca->signer_trust != NULL, CMC_ERR_BAD_MESSAGE_CHECK,
               "the request is signed by a certificate, and this server trusts no signers");
    /* The signatures are good; now only the signers' chains. Checking them here instead of a
     * second CMS_verify keeps each signature verified once per request. */
    CMC_GUARD(verify_signer_chains(t));
    t->signer = CMCI_SIGNER_TRUSTED;
    return CMC_OK;
}
