/* SPDX-License-Identifier: Apache-2.0 */
/* Builds Simple and Full PKI Requests (rfc5272bis §3) for the load generator and the tests,
 * including deliberately broken ones. */
#include "bench_req.h"

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <cmc/asn1.h>

#include "asn1/asn1_local.h"

/* Body part IDs of the controls we send; the certification request gets REQ_ID. */
enum { ID_TRANSACTION = 1, ID_NONCE = 2, ID_REGINFO = 3, ID_UNKNOWN = 4, REQ_ID = 10 };

#define OID_PKIDATA "1.3.6.1.5.5.7.12.2"
#define OID_UNKNOWN_CONTROL "1.3.6.1.5.5.7.7.99"

const EVP_MD *bench_req_md_for(const EVP_PKEY *key)
{
    if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448")) {
        return NULL;
    }
    return EVP_sha256();
}

X509_NAME *bench_req_parse_name(const char *dn)
{
    X509_NAME *name = X509_NAME_new();
    char buf[512];
    char *p;
    size_t n = strlen(dn);

    if (name == NULL || n == 0 || n >= sizeof(buf) || dn[0] != '/') {
        goto err;
    }
    memcpy(buf, dn, n + 1);
    p = buf + 1;
    /* "/K=V/K=V": each component up to the next '/' (no escapes: test names are plain). */
    while (*p != '\0') {
        char *end = strchr(p, '/');
        char *eq;

        if (end != NULL) {
            *end = '\0';
        }
        eq = strchr(p, '=');
        if (eq == NULL || eq == p) {
            goto err;
        }
        *eq = '\0';
        if (X509_NAME_add_entry_by_txt(name, p, MBSTRING_UTF8, (unsigned char *)eq + 1, -1, -1,
                                       0) != 1) {
            goto err;
        }
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    return name;
err:
    X509_NAME_free(name);
    return NULL;
}

/* The SubjectKeyIdentifier extension for @key: SHA-1 of the subjectPublicKey bits, method
 * (1) of RFC 5280 §4.2.1.2, which is what a self-signed Full request names its signer by. */
static X509_EXTENSION *make_ski(EVP_PKEY *key, ASN1_OCTET_STRING **ski_out)
{
    X509_PUBKEY *pk = NULL;
    ASN1_OCTET_STRING *ski = NULL;
    X509_EXTENSION *ext = NULL;
    const unsigned char *bits;
    int bits_len;
    unsigned char md[SHA_DIGEST_LENGTH];

    if (X509_PUBKEY_set(&pk, key) != 1
        || X509_PUBKEY_get0_param(NULL, &bits, &bits_len, NULL, pk) != 1) {
        goto out;
    }
    SHA1(bits, (size_t)bits_len, md);
    ski = ASN1_OCTET_STRING_new();
    if (ski == NULL || ASN1_OCTET_STRING_set(ski, md, sizeof(md)) != 1) {
        goto out;
    }
    ext = X509V3_EXT_i2d(NID_subject_key_identifier, 0, ski);
    if (ext != NULL && ski_out != NULL) {
        *ski_out = ski;
        ski = NULL;
    }
out:
    ASN1_OCTET_STRING_free(ski);
    X509_PUBKEY_free(pk);
    return ext;
}

/* Flip one byte of a DER blob's last byte: in a CSR that is inside the signature value. */
static X509_REQ *corrupt_req_signature(X509_REQ *req)
{
    unsigned char *der = NULL, *p;
    const unsigned char *cp;
    X509_REQ *bad = NULL;
    int len = i2d_X509_REQ(req, NULL);

    if (len <= 0 || (der = OPENSSL_malloc((size_t)len)) == NULL) {
        return NULL;
    }
    p = der;
    if (i2d_X509_REQ(req, &p) == len) {
        der[len - 1] ^= 0x5a;
        cp = der;
        bad = d2i_X509_REQ(NULL, &cp, len);
    }
    OPENSSL_free(der);
    return bad;
}

static X509_REQ *make_p10(const struct bench_req_params *p, int with_ski)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = bench_req_parse_name(p->subject);
    STACK_OF(X509_EXTENSION) *exts = NULL;
    X509_EXTENSION *ski = NULL;

    if (req == NULL || name == NULL || X509_REQ_set_version(req, 0) != 1
        || X509_REQ_set_subject_name(req, name) != 1 || X509_REQ_set_pubkey(req, p->key) != 1) {
        goto err;
    }
    if (with_ski) {
        /* rfc5272bis §3.2.1.2: a request that signs its own wrapper carries its SKI. */
        if ((ski = make_ski(p->key, NULL)) == NULL || (exts = sk_X509_EXTENSION_new_null()) == NULL
            || sk_X509_EXTENSION_push(exts, ski) <= 0) {
            goto err;
        }
        ski = NULL;
        if (X509_REQ_add_extensions(req, exts) != 1) {
            goto err;
        }
    }
    if (X509_REQ_sign(req, p->key, bench_req_md_for(p->key)) <= 0) {
        goto err;
    }
    if (p->fault == BENCH_FAULT_BAD_POP) {
        X509_REQ *bad = corrupt_req_signature(req);

        X509_REQ_free(req);
        req = bad;
    }
    X509_NAME_free(name);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return req;
err:
    X509_EXTENSION_free(ski);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_NAME_free(name);
    X509_REQ_free(req);
    return NULL;
}

/* CertReqMsg { certReq { certReqId = bodyPartID, certTemplate { subject, publicKey,
 * extensions { SKI } } }, popo signature { alg, sig over DER(certReq) } } (RFC 4211 §4.1). */
static CMC_CERT_REQ_MSG *make_crmf(const struct bench_req_params *p, uint32_t id)
{
    CMC_CERT_REQ_MSG *msg = CMC_CERT_REQ_MSG_new();
    CMC_CERT_REQUEST *cr = CMC_CERT_REQUEST_new();
    CMC_CERT_TEMPLATE *tmpl = CMC_CERT_TEMPLATE_new();
    CMC_POP *pop = CMC_POP_new();
    CMC_POPO_SIGNING_KEY *sk = CMC_POPO_SIGNING_KEY_new();
    X509_EXTENSION *ski = NULL;

    if (msg == NULL || cr == NULL || tmpl == NULL || pop == NULL || sk == NULL) {
        goto err;
    }
    X509_NAME_free(tmpl->subject);
    tmpl->subject = bench_req_parse_name(p->subject);
    if (tmpl->subject == NULL || cmc_spki_set1_pkey(&tmpl->publicKey, p->key) != CMC_OK) {
        goto err;
    }
    sk_X509_EXTENSION_pop_free(tmpl->extensions, X509_EXTENSION_free);
    if ((tmpl->extensions = sk_X509_EXTENSION_new_null()) == NULL
        || (ski = make_ski(p->key, NULL)) == NULL
        || sk_X509_EXTENSION_push(tmpl->extensions, ski) <= 0) {
        goto err;
    }
    ski = NULL;
    ASN1_INTEGER_free(cr->certReqId);
    if ((cr->certReqId = ASN1_INTEGER_new()) == NULL || ASN1_INTEGER_set_uint64(cr->certReqId, id) != 1) {
        goto err;
    }
    CMC_CERT_TEMPLATE_free(cr->certTemplate);
    cr->certTemplate = tmpl;
    tmpl = NULL;

    /* The signature covers the DER of certReq exactly (RFC 4211 §4.1, no poposkInput). */
    if (ASN1_item_sign(ASN1_ITEM_rptr(CMC_CERT_REQUEST), sk->algorithmIdentifier, NULL,
                       sk->signature, cr, p->key, bench_req_md_for(p->key)) <= 0) {
        goto err;
    }
    if (p->fault == BENCH_FAULT_BAD_POP && sk->signature->length > 0) {
        sk->signature->data[sk->signature->length - 1] ^= 0x5a;
    }
    pop->type = CMC_POP_SIGNATURE;
    pop->value.signature = sk;
    sk = NULL;
    CMC_CERT_REQUEST_free(msg->certReq);
    msg->certReq = cr;
    cr = NULL;
    CMC_POP_free(msg->popo);
    msg->popo = pop;
    return msg;
err:
    X509_EXTENSION_free(ski);
    CMC_POPO_SIGNING_KEY_free(sk);
    CMC_POP_free(pop);
    CMC_CERT_TEMPLATE_free(tmpl);
    CMC_CERT_REQUEST_free(cr);
    CMC_CERT_REQ_MSG_free(msg);
    return NULL;
}

/* One control: TaggedAttribute { id, oid, SET { value } }; takes @value on success. */
static int add_control(CMC_PKIDATA *pd, uint32_t id, ASN1_OBJECT *oid, ASN1_TYPE *value)
{
    CMC_TAGGED_ATTRIBUTE *ta = CMC_TAGGED_ATTRIBUTE_new();

    if (ta == NULL || oid == NULL) {
        goto err;
    }
    ASN1_INTEGER_free(ta->bodyPartID);
    ASN1_OBJECT_free(ta->attrType);
    ta->attrType = oid;
    oid = NULL;
    if ((ta->bodyPartID = cmc_body_part_id_new(id)) == NULL) {
        goto err;
    }
    if (ta->attrValues == NULL && (ta->attrValues = sk_ASN1_TYPE_new_null()) == NULL) {
        goto err;
    }
    if (sk_ASN1_TYPE_push(ta->attrValues, value) <= 0) {
        goto err;
    }
    if (sk_CMC_TAGGED_ATTRIBUTE_push(pd->controlSequence, ta) <= 0) {
        sk_ASN1_TYPE_pop(ta->attrValues);
        goto err;
    }
    return 0;
err:
    ASN1_OBJECT_free(oid);
    CMC_TAGGED_ATTRIBUTE_free(ta);
    return -1;
}

static ASN1_TYPE *octets_value(const void *data, size_t len)
{
    ASN1_TYPE *t = ASN1_TYPE_new();
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();

    if (t == NULL || os == NULL || ASN1_OCTET_STRING_set(os, data, (int)len) != 1) {
        ASN1_TYPE_free(t);
        ASN1_OCTET_STRING_free(os);
        return NULL;
    }
    ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, os);
    return t;
}

static int add_controls(CMC_PKIDATA *pd, const struct bench_req_params *p)
{
    ASN1_TYPE *v = NULL;
    ASN1_INTEGER *tid = NULL;
    unsigned char rnd[16];
    uint64_t tidv;

    /* transactionId (id-cmc 5, INTEGER) and senderNonce (id-cmc 6, OCTET STRING), both
     * random so that replay detection never refuses a benchmark request. */
    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        return -1;
    }
    memcpy(&tidv, rnd, sizeof(tidv));
    tidv >>= 1;
    if ((tid = ASN1_INTEGER_new()) == NULL || ASN1_INTEGER_set_uint64(tid, tidv) != 1
        || (v = ASN1_TYPE_new()) == NULL) {
        ASN1_INTEGER_free(tid);
        return -1;
    }
    ASN1_TYPE_set(v, V_ASN1_INTEGER, tid);
    if (add_control(pd, ID_TRANSACTION, OBJ_dup(cmc_oid_get0_control(CMC_CTRL_TRANSACTION_ID)), v)
        != 0) {
        ASN1_TYPE_free(v);
        return -1;
    }
    if (RAND_bytes(rnd, sizeof(rnd)) != 1 || (v = octets_value(rnd, sizeof(rnd))) == NULL) {
        return -1;
    }
    if (add_control(pd, ID_NONCE, OBJ_dup(cmc_oid_get0_control(CMC_CTRL_SENDER_NONCE)), v) != 0) {
        ASN1_TYPE_free(v);
        return -1;
    }
    if (p->profile != NULL) {
        /* docs/configuration.md: regInfo (id-cmc 18) holding the text "profile=NAME". */
        char text[200];
        int n = snprintf(text, sizeof(text), "profile=%s", p->profile);

        if (n < 0 || (size_t)n >= sizeof(text) || (v = octets_value(text, (size_t)n)) == NULL) {
            return -1;
        }
        if (add_control(pd, ID_REGINFO, OBJ_dup(cmc_oid_get0_control(CMC_CTRL_REG_INFO)), v) != 0) {
            ASN1_TYPE_free(v);
            return -1;
        }
    }
    if (p->fault == BENCH_FAULT_UNKNOWN_CTRL) {
        if ((v = ASN1_TYPE_new()) == NULL) {
            return -1;
        }
        ASN1_TYPE_set(v, V_ASN1_NULL, NULL);
        if (add_control(pd, ID_UNKNOWN, OBJ_txt2obj(OID_UNKNOWN_CONTROL, 1), v) != 0) {
            ASN1_TYPE_free(v);
            return -1;
        }
    }
    return 0;
}

static CMC_PKIDATA *make_pkidata(const struct bench_req_params *p)
{
    CMC_PKIDATA *pd = CMC_PKIDATA_new();
    CMC_TAGGED_REQUEST *tr = CMC_TAGGED_REQUEST_new();
    /* Duplicate: the request takes the transactionId control's ID (rfc5272bis §3.2.3
     * requires unique IDs in one PKIData). */
    uint32_t id = p->fault == BENCH_FAULT_DUP_ID ? ID_TRANSACTION : REQ_ID;

    if (pd == NULL || tr == NULL || add_controls(pd, p) != 0) {
        goto err;
    }
    if (p->kind == BENCH_REQ_FULL_CRMF) {
        tr->type = CMC_TAGGED_REQUEST_CRM;
        if ((tr->value.crm = make_crmf(p, id)) == NULL) {
            goto err;
        }
    } else {
        CMC_TAGGED_CERT_REQUEST *tcr = CMC_TAGGED_CERT_REQUEST_new();
        X509_REQ *req = NULL;

        tr->type = CMC_TAGGED_REQUEST_TCR;
        tr->value.tcr = tcr;
        if (tcr == NULL) {
            goto err;
        }
        ASN1_INTEGER_free(tcr->bodyPartID);
        CMC_P10_free(tcr->certificationRequest);
        tcr->certificationRequest = NULL;
        req = make_p10(p, 1);
        if ((tcr->bodyPartID = cmc_body_part_id_new(id)) == NULL || req == NULL
            || cmc_p10_from_x509_req(req, &tcr->certificationRequest) != CMC_OK) {
            X509_REQ_free(req);
            goto err;
        }
        X509_REQ_free(req);
    }
    if (sk_CMC_TAGGED_REQUEST_push(pd->reqSequence, tr) <= 0) {
        goto err;
    }
    return pd;
err:
    CMC_TAGGED_REQUEST_free(tr);
    CMC_PKIDATA_free(pd);
    return NULL;
}

/* A throwaway certificate for @key holding its SKI, only so CMS_add1_signer can name the
 * signer by subjectKeyIdentifier; it is never put in the message (CMS_NOCERTS). */
static X509 *self_signer(EVP_PKEY *key)
{
    X509 *x = X509_new();
    X509_NAME *n = bench_req_parse_name("/CN=self");
    X509_EXTENSION *ski = make_ski(key, NULL);

    if (x == NULL || n == NULL || ski == NULL || X509_set_version(x, 2) != 1
        || ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1
        || X509_set_subject_name(x, n) != 1 || X509_set_issuer_name(x, n) != 1
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(x), 3600) == NULL || X509_set_pubkey(x, key) != 1
        || X509_add_ext(x, ski, -1) != 1 || X509_sign(x, key, bench_req_md_for(key)) <= 0) {
        X509_free(x);
        x = NULL;
    }
    X509_EXTENSION_free(ski);
    X509_NAME_free(n);
    return x;
}

static int wrap_signed(const struct bench_req_params *p, const unsigned char *pd_der, int pd_len,
                       uint8_t **der, size_t *der_len)
{
    CMS_ContentInfo *cms = NULL;
    X509 *self = NULL;
    X509 *cert = p->sign_cert;
    EVP_PKEY *key = p->sign_key;
    BIO *in = NULL;
    ASN1_OBJECT *ct = NULL;
    CMS_SignerInfo *si;
    unsigned int flags = CMS_BINARY | CMS_NOSMIMECAP;
    unsigned char *out = NULL, *q;
    int len, rv = -1;

    if (cert == NULL) {
        if ((self = self_signer(p->key)) == NULL) {
            goto out;
        }
        cert = self;
        key = p->key;
        flags |= CMS_USE_KEYID | CMS_NOCERTS;
    }
    if ((in = BIO_new_mem_buf(pd_der, pd_len)) == NULL
        || (cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_BINARY)) == NULL
        || (ct = OBJ_txt2obj(OID_PKIDATA, 1)) == NULL || CMS_set1_eContentType(cms, ct) != 1
        || (si = CMS_add1_signer(cms, cert, key, bench_req_md_for(key), flags)) == NULL
        || CMS_final(cms, in, NULL, CMS_BINARY) != 1) {
        goto out;
    }
    if (p->fault == BENCH_FAULT_BAD_WRAPPER) {
        ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);

        if (sig == NULL || sig->length < 8) {
            goto out;
        }
        sig->data[sig->length / 2] ^= 0x5a;
    }
    if ((len = i2d_CMS_ContentInfo(cms, NULL)) <= 0 || (out = OPENSSL_malloc((size_t)len)) == NULL) {
        goto out;
    }
    q = out;
    if (i2d_CMS_ContentInfo(cms, &q) != len) {
        goto out;
    }
    *der = out;
    *der_len = (size_t)len;
    out = NULL;
    rv = 0;
out:
    OPENSSL_free(out);
    ASN1_OBJECT_free(ct);
    BIO_free(in);
    CMS_ContentInfo_free(cms);
    X509_free(self);
    return rv;
}

int bench_req_build(const struct bench_req_params *p, uint8_t **der, size_t *der_len)
{
    X509_REQ *req = NULL;
    CMC_PKIDATA *pd = NULL;
    unsigned char *buf = NULL, *q;
    int len, rv = -1;

    *der = NULL;
    *der_len = 0;
    if (p->key == NULL || p->subject == NULL) {
        return -1;
    }
    if (p->kind == BENCH_REQ_SIMPLE) {
        if ((req = make_p10(p, 0)) == NULL || (len = i2d_X509_REQ(req, NULL)) <= 0
            || (buf = OPENSSL_malloc((size_t)len)) == NULL) {
            goto out;
        }
        q = buf;
        if (i2d_X509_REQ(req, &q) != len) {
            goto out;
        }
        *der = buf;
        *der_len = (size_t)len;
        buf = NULL;
        rv = 0;
        goto out;
    }
    if ((pd = make_pkidata(p)) == NULL || (len = i2d_CMC_PKIDATA(pd, NULL)) <= 0
        || (buf = OPENSSL_malloc((size_t)len)) == NULL) {
        goto out;
    }
    q = buf;
    if (i2d_CMC_PKIDATA(pd, &q) != len) {
        goto out;
    }
    rv = wrap_signed(p, buf, len, der, der_len);
out:
    OPENSSL_free(buf);
    CMC_PKIDATA_free(pd);
    X509_REQ_free(req);
    return rv;
}
