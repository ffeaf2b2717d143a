/* SPDX-License-Identifier: Apache-2.0 */
/* Builds Simple PKI Requests (PKCS #10) and Full PKI Requests (SignedData over PKIData)
 * as the client sends them (rfc5272bis §3.1, §3.2). */
#include "msg/msg_local.h"

#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "asn1/asn1_local.h"

/* The largest profile name we put in regInfo: the text is bilateral (rfc5272bis §6.12),
 * and our server reads it as a config section name. */
#define PROFILE_MAX_LEN 128

static cmc_err build_exts(const struct cmc_request_params *p, int add_ski,
                          STACK_OF(X509_EXTENSION) **out)
{
    STACK_OF(X509_EXTENSION) *exts = NULL;
    X509_EXTENSION *ext = NULL;
    cmc_err rv = CMC_OK;

    *out = NULL;
    if (!add_ski && p->dns_count == 0)
        return CMC_OK;
    if ((exts = sk_X509_EXTENSION_new_null()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "extensions");
        goto err;
    }
    if (add_ski) {
        if ((rv = cmci_msg_ski_ext(p->key, &ext)) != CMC_OK)
            goto err;
        if (sk_X509_EXTENSION_push(exts, ext) <= 0) {
            rv = cmci_fail(CMC_ERR_NOMEM, "extensions");
            goto err;
        }
        ext = NULL;
    }
    if (p->dns_count > 0) {
        if ((rv = cmci_msg_san_ext(p->dns, p->dns_count, &ext)) != CMC_OK)
            goto err;
        if (sk_X509_EXTENSION_push(exts, ext) <= 0) {
            rv = cmci_fail(CMC_ERR_NOMEM, "extensions");
            goto err;
        }
        ext = NULL;
    }
    *out = exts;
    exts = NULL;
err:
    X509_EXTENSION_free(ext);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return rv;
}

/* PKCS #10 (RFC 2986) for the subject and key; extensions travel in an extensionRequest
 * attribute (PKCS #9). */
static cmc_err build_p10(const struct cmc_request_params *p, int add_ski, X509_REQ **out)
{
    X509_REQ *req = NULL;
    X509_NAME *name = NULL;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    cmc_err rv;

    *out = NULL;
    if ((rv = cmc_client_parse_dn(p->subject, &name)) != CMC_OK)
        goto err;
    if ((rv = build_exts(p, add_ski, &exts)) != CMC_OK)
        goto err;
    if ((req = X509_REQ_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "PKCS #10");
        goto err;
    }
    if (X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1
        || X509_REQ_set_subject_name(req, name) != 1 || X509_REQ_set_pubkey(req, p->key) != 1
        || (exts != NULL && X509_REQ_add_extensions(req, exts) != 1)) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "PKCS #10");
        goto err;
    }
    /* The PKCS #10 signature is the proof of possession (rfc5272bis §3.2.1.2). */
    if (X509_REQ_sign(req, p->key, cmci_msg_sign_md(p->key)) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "sign PKCS #10");
        goto err;
    }
    *out = req;
    req = NULL;
err:
    X509_REQ_free(req);
    X509_NAME_free(name);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return rv;
}

/* Replace a template-allocated INTEGER with a body part ID. */
static cmc_err set_bpid(ASN1_INTEGER **field, uint32_t id)
{
    ASN1_INTEGER *a = cmc_body_part_id_new(id);

    CMC_ENSURE(a != NULL, CMC_ERR_NOMEM, "bodyPartID");
    ASN1_INTEGER_free(*field);
    *field = a;
    return CMC_OK;
}

/*
 * CRMF CertReqMsg (RFC 4211) under the rfc5272bis §3.2.1.3 rules: certReqId is the body
 * part ID, the template has subject and publicKey, POP is a signature over the DER of
 * CertRequest with no poposkInput (§3.2.1.3.2: the name and key are already in the
 * template, which the signature covers), and the CRMF regInfo field stays empty (the CMC
 * regInfo control is used instead).
 */
static cmc_err build_crm(const struct cmc_request_params *p, int add_ski,
                         CMC_CERT_REQ_MSG **out)
{
    CMC_CERT_REQ_MSG *msg = NULL;
    CMC_CERT_REQUEST *cr;
    CMC_CERT_TEMPLATE *tmpl;
    CMC_POPO_SIGNING_KEY *sig;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    X509_NAME *name = NULL;
    cmc_err rv;

    *out = NULL;
    if ((rv = cmc_client_parse_dn(p->subject, &name)) != CMC_OK)
        goto err;
    if ((rv = build_exts(p, add_ski, &exts)) != CMC_OK)
        goto err;
    if ((msg = CMC_CERT_REQ_MSG_new()) == NULL
        || (msg->certReq == NULL && (msg->certReq = CMC_CERT_REQUEST_new()) == NULL)) {
        rv = cmci_fail(CMC_ERR_NOMEM, "CertReqMsg");
        goto err;
    }
    cr = msg->certReq;
    if ((rv = set_bpid(&cr->certReqId, CMCI_BPID_REQUEST)) != CMC_OK)
        goto err;
    if (cr->certTemplate == NULL && (cr->certTemplate = CMC_CERT_TEMPLATE_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "CertTemplate");
        goto err;
    }
    tmpl = cr->certTemplate;
    X509_NAME_free(tmpl->subject);
    tmpl->subject = name;
    name = NULL;
    if ((rv = cmc_spki_set1_pkey(&tmpl->publicKey, p->key)) != CMC_OK)
        goto err;
    tmpl->extensions = exts;
    exts = NULL;

    if ((msg->popo = CMC_POP_new()) == NULL
        || (sig = CMC_POPO_SIGNING_KEY_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "POP");
        goto err;
    }
    msg->popo->type = CMC_POP_SIGNATURE;
    msg->popo->value.signature = sig;
    if ((sig->algorithmIdentifier == NULL && (sig->algorithmIdentifier = X509_ALGOR_new()) == NULL)
        || (sig->signature == NULL && (sig->signature = ASN1_BIT_STRING_new()) == NULL)) {
        rv = cmci_fail(CMC_ERR_NOMEM, "POP");
        goto err;
    }
    /* RFC 4211 §4.1: with poposkInput absent the signature is over DER(certReq). */
    if (ASN1_item_sign(ASN1_ITEM_rptr(CMC_CERT_REQUEST), sig->algorithmIdentifier, NULL,
                       sig->signature, cr, p->key, cmci_msg_sign_md(p->key)) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "sign CertRequest (POP)");
        goto err;
    }
    *out = msg;
    msg = NULL;
err:
    CMC_CERT_REQ_MSG_free(msg);
    X509_NAME_free(name);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return rv;
}

/* One TaggedAttribute (rfc5272bis §3.2.1.1) holding one value; takes @p *val on success. */
static cmc_err push_control(CMC_PKIDATA *pd, uint32_t bpid, int ctrl, ASN1_TYPE **val)
{
    CMC_TAGGED_ATTRIBUTE *ta = NULL;
    const ASN1_OBJECT *oid = cmc_oid_get0_control(ctrl);
    cmc_err rv = CMC_OK;

    CMC_ENSURE(oid != NULL, CMC_ERR_INTERNAL, "no OID for control %d", ctrl);
    if ((ta = CMC_TAGGED_ATTRIBUTE_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "control");
        goto err;
    }
    if ((rv = set_bpid(&ta->bodyPartID, bpid)) != CMC_OK)
        goto err;
    ASN1_OBJECT_free(ta->attrType);
    if ((ta->attrType = OBJ_dup(oid)) == NULL
        || (ta->attrValues == NULL && (ta->attrValues = sk_ASN1_TYPE_new_null()) == NULL)
        || sk_ASN1_TYPE_push(ta->attrValues, *val) <= 0) {
        rv = cmci_fail(CMC_ERR_NOMEM, "control");
        goto err;
    }
    *val = NULL;
    if (sk_CMC_TAGGED_ATTRIBUTE_push(pd->controlSequence, ta) <= 0) {
        rv = cmci_fail(CMC_ERR_NOMEM, "control");
        goto err;
    }
    ta = NULL;
err:
    CMC_TAGGED_ATTRIBUTE_free(ta);
    return rv;
}

static cmc_err push_octets(CMC_PKIDATA *pd, uint32_t bpid, int ctrl, const void *data,
                           size_t len)
{
    ASN1_TYPE *t = NULL;
    ASN1_OCTET_STRING *os = NULL;
    cmc_err rv = CMC_OK;

    if ((t = ASN1_TYPE_new()) == NULL || (os = ASN1_OCTET_STRING_new()) == NULL
        || ASN1_OCTET_STRING_set(os, data, (int)len) != 1) {
        rv = cmci_fail(CMC_ERR_NOMEM, "control value");
        goto err;
    }
    ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, os);
    os = NULL;
    rv = push_control(pd, bpid, ctrl, &t);
err:
    ASN1_OCTET_STRING_free(os);
    ASN1_TYPE_free(t);
    return rv;
}

/* transactionId (rfc5272bis §6.6): a random positive INTEGER. 8 bytes with the top bit
 * cleared (so it stays positive) and the lowest bit of the first byte set (so it keeps
 * its 8 octets) leave 62 random bits, enough that two clients do not collide. */
static cmc_err new_tid(ASN1_INTEGER **out)
{
    uint8_t b[8];
    BIGNUM *bn = NULL;
    cmc_err rv = CMC_OK;

    *out = NULL;
    CMC_GUARD_OSSL(RAND_bytes(b, sizeof(b)), CMC_ERR_CRYPTO, "random transactionId");
    b[0] = (uint8_t)((b[0] & 0x7f) | 0x01);
    if ((bn = BN_bin2bn(b, sizeof(b), NULL)) == NULL || (*out = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
        rv = cmci_fail(CMC_ERR_NOMEM, "transactionId");
    BN_free(bn);
    return rv;
}

static cmc_err build_pkidata(struct cmc_client_req *req, const struct cmc_request_params *p,
                             int add_ski, uint8_t **der, size_t *der_len)
{
    CMC_PKIDATA *pd = NULL;
    CMC_TAGGED_REQUEST *tr = NULL;
    ASN1_TYPE *t = NULL;
    ASN1_INTEGER *tid = NULL;
    X509_REQ *p10 = NULL;
    unsigned char *buf = NULL;
    uint32_t bpid = CMCI_BPID_FIRST_CONTROL;
    int len;
    cmc_err rv = CMC_OK;

    *der = NULL;
    if ((pd = CMC_PKIDATA_new()) == NULL
        || (pd->controlSequence == NULL
            && (pd->controlSequence = sk_CMC_TAGGED_ATTRIBUTE_new_null()) == NULL)
        || (pd->reqSequence == NULL
            && (pd->reqSequence = sk_CMC_TAGGED_REQUEST_new_null()) == NULL)
        || (tr = CMC_TAGGED_REQUEST_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "PKIData");
        goto err;
    }

    /* Controls: transactionId, senderNonce, regInfo, with IDs after the request's. */
    if ((rv = new_tid(&req->tid)) != CMC_OK)
        goto err;
    if ((t = ASN1_TYPE_new()) == NULL || (tid = ASN1_INTEGER_dup(req->tid)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "transactionId");
        goto err;
    }
    ASN1_TYPE_set(t, V_ASN1_INTEGER, tid);
    tid = NULL;
    if ((rv = push_control(pd, bpid++, CMC_CTRL_TRANSACTION_ID, &t)) != CMC_OK)
        goto err;
    if (RAND_bytes(req->nonce, sizeof(req->nonce)) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "random senderNonce");
        goto err;
    }
    if ((rv = push_octets(pd, bpid++, CMC_CTRL_SENDER_NONCE, req->nonce, sizeof(req->nonce)))
        != CMC_OK)
        goto err;
    if (p->profile != NULL) {
        char info[PROFILE_MAX_LEN + sizeof("profile=")];
        int n = snprintf(info, sizeof(info), "profile=%s", p->profile);

        /* rfc5272bis §6.12: regInfo is an OCTET STRING of bilateral content; ours is the
         * UTF-8 text profile=NAME (docs/configuration.md). */
        if (n < 0 || (size_t)n >= sizeof(info) || p->profile[0] == '\0') {
            rv = cmci_fail(CMC_ERR_USAGE, "profile name must be 1..%d bytes", PROFILE_MAX_LEN);
            goto err;
        }
        if ((rv = push_octets(pd, bpid++, CMC_CTRL_REG_INFO, info, (size_t)n)) != CMC_OK)
            goto err;
    }

    /* The one TaggedRequest, body part 1. */
    if (p->crmf) {
        tr->type = CMC_TAGGED_REQUEST_CRM;
        if ((rv = build_crm(p, add_ski, &tr->value.crm)) != CMC_OK)
            goto err;
    } else {
        tr->type = CMC_TAGGED_REQUEST_TCR;
        if ((tr->value.tcr = CMC_TAGGED_CERT_REQUEST_new()) == NULL) {
            rv = cmci_fail(CMC_ERR_NOMEM, "TaggedCertificationRequest");
            goto err;
        }
        if ((rv = set_bpid(&tr->value.tcr->bodyPartID, CMCI_BPID_REQUEST)) != CMC_OK)
            goto err;
        if ((rv = build_p10(p, add_ski, &p10)) != CMC_OK)
            goto err;
        CMC_P10_free(tr->value.tcr->certificationRequest);
        tr->value.tcr->certificationRequest = NULL;
        if ((rv = cmc_p10_from_x509_req(p10, &tr->value.tcr->certificationRequest)) != CMC_OK)
            goto err;
    }
    if (sk_CMC_TAGGED_REQUEST_push(pd->reqSequence, tr) <= 0) {
        rv = cmci_fail(CMC_ERR_NOMEM, "reqSequence");
        goto err;
    }
    tr = NULL;

    if ((len = i2d_CMC_PKIDATA(pd, &buf)) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "encode PKIData");
        goto err;
    }
    *der = buf;
    *der_len = (size_t)len;
err:
    X509_REQ_free(p10);
    ASN1_INTEGER_free(tid);
    ASN1_TYPE_free(t);
    CMC_TAGGED_REQUEST_free(tr);
    CMC_PKIDATA_free(pd);
    return rv;
}

/* The digest for the SignerInfo: SHA-256, except that RFC 8419 §2.3 fixes SHA-512 for
 * Ed25519 and SHAKE256 (512-bit output) for Ed448. */
static const EVP_MD *cms_md(const EVP_PKEY *key)
{
    if (EVP_PKEY_is_a(key, "ED25519"))
        return EVP_sha512();
    if (EVP_PKEY_is_a(key, "ED448"))
        return EVP_shake256();
    return EVP_sha256();
}

static int is_eddsa(const EVP_PKEY *key)
{
    return EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448");
}

/*
 * Finish an Ed25519/Ed448 SignerInfo that CMS_add1_signer (CMS_PARTIAL) began with sid and
 * digestAlgorithm, and put @p content in the SignedData. OpenSSL 3.0 and 3.1 cannot sign
 * it themselves: they pass a digest name to the EdDSA signature provider, which refuses it.
 * RFC 8419 §3: signedAttrs are required (contentType, messageDigest with the §2.3 digest),
 * the signature is PureEdDSA over their DER (RFC 5652 §5.4) and signatureAlgorithm is
 * id-Ed25519/id-Ed448 with no parameters (RFC 8410 §3).
 */
static cmc_err sign_eddsa(CMS_ContentInfo *cms, CMS_SignerInfo *si, EVP_PKEY *key,
                          const uint8_t *content, size_t len)
{
    const EVP_MD *md = cms_md(key);
    unsigned char dgst[64], *abuf = NULL, *sig = NULL;
    size_t sig_len = 0;
    int alen = 0;
    ASN1_OCTET_STRING **pos;
    X509_ALGOR *sig_alg = NULL;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    cmc_err rv = CMC_OK;

    /* the digest of the eContent; SHAKE256 gives 512 bits here (RFC 8419 §2.3) */
    if (mctx == NULL || EVP_DigestInit_ex(mctx, md, NULL) != 1
        || EVP_DigestUpdate(mctx, content, len) != 1
        || ((EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)
                ? EVP_DigestFinalXOF(mctx, dgst, sizeof(dgst))
                : EVP_DigestFinal_ex(mctx, dgst, NULL)) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "digest of the PKIData");
        goto err;
    }
    if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                    cmc_oid_get0(CMC_OID_CCT_PKIDATA), -1) != 1
        || CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, dgst,
                                       (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)
                                           ? (int)sizeof(dgst) : EVP_MD_get_size(md)) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "signed attributes");
        goto err;
    }
    if ((rv = cmci_signed_attrs_der(si, &abuf, &alen)) != CMC_OK)
        goto err;
    EVP_MD_CTX_reset(mctx);
    if (EVP_DigestSignInit(mctx, NULL, NULL, NULL, key) != 1
        || EVP_DigestSign(mctx, NULL, &sig_len, abuf, (size_t)alen) != 1
        || (sig = OPENSSL_malloc(sig_len)) == NULL
        || EVP_DigestSign(mctx, sig, &sig_len, abuf, (size_t)alen) != 1
        || ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)sig_len) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "EdDSA signature");
        goto err;
    }
    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
    if (sig_alg == NULL
        || X509_ALGOR_set0(sig_alg, OBJ_nid2obj(EVP_PKEY_is_a(key, "ED25519") ? NID_ED25519
                                                                              : NID_ED448),
                           V_ASN1_UNDEF, NULL) != 1
        || CMS_set_detached(cms, 0) != 1 || (pos = CMS_get0_content(cms)) == NULL
        || *pos == NULL || ASN1_OCTET_STRING_set(*pos, content, (int)len) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "SignedData");
        goto err;
    }
err:
    OPENSSL_free(sig);
    OPENSSL_free(abuf);
    EVP_MD_CTX_free(mctx);
    return rv;
}

/* SignedData{id-cct-PKIData} (rfc5272bis §3.2). Signed attributes stay: with them the
 * contentType is signed too, which the ForgedAttributes note of the draft relies on. */
static cmc_err sign_pkidata(const struct cmc_request_params *p, const uint8_t *pd,
                            size_t pd_len, uint8_t **der, size_t *der_len)
{
    const unsigned int base = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
    EVP_PKEY *key = p->signer_cert != NULL ? p->signer_key : p->key;
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si;
    X509 *keyid_cert = NULL;
    BIO *in = NULL;
    unsigned char *buf = NULL;
    int len;
    cmc_err rv = CMC_OK;

    *der = NULL;
    if (pd_len > INT_MAX) {
        rv = cmci_fail(CMC_ERR_LIMIT, "PKIData too large");
        goto err;
    }
    if ((cms = CMS_sign(NULL, NULL, NULL, NULL, base)) == NULL
        || CMS_set1_eContentType(cms, cmc_oid_get0(CMC_OID_CCT_PKIDATA)) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "SignedData");
        goto err;
    }
    if (p->signer_cert != NULL) {
        /* An operator or RA signs: sid is issuerAndSerialNumber and its certificate and
         * chain travel in the bag so the server can build the path. */
        if ((si = CMS_add1_signer(cms, p->signer_cert, key, cms_md(key), base)) == NULL) {
            rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "add signer (signer certificate and key)");
            goto err;
        }
        for (int i = 0; i < sk_X509_num(p->signer_chain); i++) {
            if (CMS_add1_cert(cms, sk_X509_value(p->signer_chain, i)) != 1) {
                rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "add chain certificate");
                goto err;
            }
        }
    } else {
        /* rfc5272bis §3.2.1.3.1: signed with the key being certified, sid is the
         * subjectKeyIdentifier carried in the request. No certificate exists yet, so the
         * bag stays empty. */
        if ((rv = cmci_msg_keyid_cert(key, &keyid_cert)) != CMC_OK)
            goto err;
        if ((si = CMS_add1_signer(cms, keyid_cert, key, cms_md(key),
                                  base | CMS_USE_KEYID | CMS_NOCERTS)) == NULL) {
            rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "add signer (own key)");
            goto err;
        }
    }
    /* CMS_PARTIAL: nothing is signed yet. EdDSA is finished by hand (sign_eddsa), the
     * rest by CMS_final. */
    if (is_eddsa(key)) {
        if ((rv = sign_eddsa(cms, si, key, pd, pd_len)) != CMC_OK)
            goto err;
    } else if ((in = BIO_new_mem_buf(pd, (int)pd_len)) == NULL
               || CMS_final(cms, in, NULL, base) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "sign PKIData");
        goto err;
    }
    if ((len = i2d_CMS_ContentInfo(cms, &buf)) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "encode ContentInfo");
        goto err;
    }
    *der = buf;
    *der_len = (size_t)len;
err:
    BIO_free(in);
    X509_free(keyid_cert);
    CMS_ContentInfo_free(cms);
    return rv;
}

static cmc_err check_params(const struct cmc_request_params *p)
{
    CMC_ENSURE_REF(p);
    CMC_ENSURE(p->subject != NULL, CMC_ERR_USAGE, "a subject is required");
    CMC_ENSURE(p->key != NULL, CMC_ERR_USAGE, "a key is required");
    CMC_ENSURE(p->dns_count == 0 || p->dns != NULL, CMC_ERR_USAGE, "dns is NULL");
    CMC_ENSURE(p->dns_count <= CMC_CLIENT_MAX_DNS, CMC_ERR_USAGE, "at most %d DNS names",
               CMC_CLIENT_MAX_DNS);
    CMC_ENSURE(p->full || (!p->crmf && p->profile == NULL && p->signer_cert == NULL),
               CMC_ERR_USAGE, "CRMF, a profile and a signer need a Full PKI Request");
    CMC_ENSURE((p->signer_cert == NULL) == (p->signer_key == NULL), CMC_ERR_USAGE,
               "a signer certificate needs its key and the other way round");
    return CMC_OK;
}

cmc_err cmc_client_req_new(const struct cmc_request_params *p, struct cmc_client_req **out)
{
    struct cmc_client_req *req = NULL;
    X509_REQ *p10 = NULL;
    uint8_t *pd = NULL;
    size_t pd_len = 0;
    unsigned char *buf = NULL;
    int len;
    cmc_err rv;

    CMC_ENSURE_REF(out);
    *out = NULL;
    CMC_GUARD(check_params(p));

    if ((req = OPENSSL_zalloc(sizeof(*req))) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "request");
        goto err;
    }
    if (EVP_PKEY_up_ref(p->key) != 1) {
        rv = cmci_fail(CMC_ERR_INTERNAL, "key up-ref");
        goto err;
    }
    req->key = p->key;
    req->full = p->full;

    if (!p->full) {
        if ((rv = build_p10(p, 0, &p10)) != CMC_OK)
            goto err;
        if ((len = i2d_X509_REQ(p10, &buf)) <= 0) {
            rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "encode PKCS #10");
            goto err;
        }
        req->der = buf;
        req->der_len = (size_t)len;
    } else {
        int self = p->signer_cert == NULL;

        if ((rv = build_pkidata(req, p, self, &pd, &pd_len)) != CMC_OK)
            goto err;
        if ((rv = sign_pkidata(p, pd, pd_len, &req->der, &req->der_len)) != CMC_OK)
            goto err;
    }
    *out = req;
    req = NULL;
    rv = CMC_OK;
err:
    OPENSSL_free(pd);
    X509_REQ_free(p10);
    cmc_client_req_free(req);
    return rv;
}

void cmc_client_req_free(struct cmc_client_req *req)
{
    if (req == NULL)
        return;
    EVP_PKEY_free(req->key);
    ASN1_INTEGER_free(req->tid);
    OPENSSL_free(req->der);
    OPENSSL_clear_free(req, sizeof(*req));
}

const uint8_t *cmc_client_req_get0_der(const struct cmc_client_req *req, size_t *len)
{
    *len = req->der_len;
    return req->der;
}

const char *cmc_client_req_get0_content_type(const struct cmc_client_req *req)
{
    return req->full ? CMC_MEDIA_CMC_REQUEST : CMC_MEDIA_PKCS10;
}

int cmc_client_req_is_full(const struct cmc_client_req *req)
{
    return req->full;
}
