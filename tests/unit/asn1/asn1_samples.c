/* SPDX-License-Identifier: Apache-2.0 */
/* Sample values of every cmc_asn1 type, with the field values an independent decoder must
 * see (used by unit tests, tests/interop/gen_asn1_vectors.c and the fuzz seeds). */
#include "asn1_samples.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Test code: an allocation failure here is a broken test environment, so abort loudly. */
#define NN(x) need((x) != NULL, #x, __LINE__)
#define OK1(x) need((x) == 1, #x, __LINE__)

static void need(int ok, const char *what, int line)
{
    if (!ok) {
        fprintf(stderr, "asn1_samples.c:%d: %s failed\n", line, what);
        abort();
    }
}

/* ---- leaf builders ---------------------------------------------------------------- */

static ASN1_INTEGER *s_int(long v)
{
    ASN1_INTEGER *a = ASN1_INTEGER_new();

    NN(a);
    OK1(ASN1_INTEGER_set(a, v));
    return a;
}

static ASN1_INTEGER *s_bpid(uint32_t v)
{
    ASN1_INTEGER *a = cmc_body_part_id_new(v);

    NN(a);
    return a;
}

static ASN1_OCTET_STRING *s_oct(const char *s)
{
    ASN1_OCTET_STRING *o = ASN1_OCTET_STRING_new();

    NN(o);
    OK1(ASN1_OCTET_STRING_set(o, (const unsigned char *)s, (int)strlen(s)));
    return o;
}

static ASN1_UTF8STRING *s_utf8(const char *s)
{
    ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();

    NN(u);
    OK1(ASN1_STRING_set(u, s, (int)strlen(s)));
    return u;
}

static ASN1_OBJECT *s_oid(const char *txt)
{
    ASN1_OBJECT *o = OBJ_txt2obj(txt, 1);

    NN(o);
    return o;
}

static X509_ALGOR *s_alg(int nid)
{
    X509_ALGOR *a = X509_ALGOR_new();

    NN(a);
    OK1(X509_ALGOR_set0(a, OBJ_nid2obj(nid), V_ASN1_UNDEF, NULL));
    return a;
}

static X509_NAME *s_name(const char *cn)
{
    X509_NAME *n = X509_NAME_new();

    NN(n);
    OK1(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                   0));
    return n;
}

static GENERAL_NAME *s_gn(int type, const char *s)
{
    GENERAL_NAME *g = GENERAL_NAME_new();
    ASN1_IA5STRING *ia5;

    NN(g);
    if (type == GEN_DIRNAME) {
        GENERAL_NAME_set0_value(g, GEN_DIRNAME, s_name(s));
        return g;
    }
    ia5 = ASN1_IA5STRING_new();
    NN(ia5);
    OK1(ASN1_STRING_set(ia5, s, (int)strlen(s)));
    GENERAL_NAME_set0_value(g, type, ia5);
    return g;
}

static ASN1_GENERALIZEDTIME *s_gtime(const char *s)
{
    ASN1_GENERALIZEDTIME *t = ASN1_GENERALIZEDTIME_new();

    NN(t);
    OK1(ASN1_GENERALIZEDTIME_set_string(t, s));
    return t;
}

static CMC_BODY_PART_LIST *s_list(int n, ...)
{
    CMC_BODY_PART_LIST *l = sk_ASN1_INTEGER_new_null();
    va_list ap;

    NN(l);
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        need(sk_ASN1_INTEGER_push(l, s_bpid(va_arg(ap, uint32_t))) > 0, "push", __LINE__);
    va_end(ap);
    return l;
}

static ASN1_TYPE *s_any_der(const unsigned char *der, long len)
{
    const unsigned char *p = der;
    ASN1_TYPE *t = d2i_ASN1_TYPE(NULL, &p, len);

    NN(t);
    return t;
}

static ASN1_TYPE *s_any_int(long v)
{
    ASN1_TYPE *t = ASN1_TYPE_new();

    NN(t);
    ASN1_TYPE_set(t, V_ASN1_INTEGER, s_int(v));
    return t;
}

static ASN1_TYPE *s_any_oct(const char *s)
{
    ASN1_TYPE *t = ASN1_TYPE_new();

    NN(t);
    ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, s_oct(s));
    return t;
}

static ASN1_TYPE *s_any_utf8(const char *s)
{
    ASN1_TYPE *t = ASN1_TYPE_new();

    NN(t);
    ASN1_TYPE_set(t, V_ASN1_UTF8STRING, s_utf8(s));
    return t;
}

static ASN1_BIT_STRING *s_bits(const char *s)
{
    ASN1_BIT_STRING *b = ASN1_BIT_STRING_new();

    NN(b);
    OK1(ASN1_BIT_STRING_set(b, (unsigned char *)s, (int)strlen(s)));
    /* whole octets: no unused bits, so the encoding is fixed */
    b->flags = (b->flags & ~0x07L) | ASN1_STRING_FLAG_BITS_LEFT;
    return b;
}

/* id-data ContentInfo with an empty OCTET STRING: 30 0F 06 09 <id-data> A0 02 04 00 */
static const unsigned char content_info_der[] = {
    0x30, 0x0F, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
    0xA0, 0x02, 0x04, 0x00};

static ASN1_TYPE *s_content_info(void)
{
    return s_any_der(content_info_der, (long)sizeof(content_info_der));
}

EVP_PKEY *sample_key(void)
{
    static EVP_PKEY *key;

    if (key == NULL) {
        key = EVP_EC_gen("P-256");
        NN(key);
    }
    return key;
}

X509_REQ *sample_p10(const char *cn)
{
    X509_REQ *r = X509_REQ_new();

    NN(r);
    OK1(X509_REQ_set_version(r, X509_REQ_VERSION_1));
    X509_NAME *n = s_name(cn);
    OK1(X509_REQ_set_subject_name(r, n));
    X509_NAME_free(n);
    OK1(X509_REQ_set_pubkey(r, sample_key()));
    need(X509_REQ_sign(r, sample_key(), EVP_sha256()) > 0, "X509_REQ_sign", __LINE__);
    return r;
}

static X509_EXTENSION *s_key_usage_ext(void)
{
    /* keyUsage digitalSignature|keyEncipherment: 03 02 05 A0 */
    static const unsigned char ku[] = {0x03, 0x02, 0x05, 0xA0};
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e;

    NN(os);
    OK1(ASN1_OCTET_STRING_set(os, ku, (int)sizeof(ku)));
    e = X509_EXTENSION_create_by_NID(NULL, NID_key_usage, 1, os);
    NN(e);
    ASN1_OCTET_STRING_free(os);
    return e;
}

/* ---- CMC types -------------------------------------------------------------------- */

static CMC_TAGGED_ATTRIBUTE *s_tagged_attr(uint32_t bpid, int ctrl, ASN1_TYPE *value)
{
    CMC_TAGGED_ATTRIBUTE *a = CMC_TAGGED_ATTRIBUTE_new();

    NN(a);
    ASN1_INTEGER_free(a->bodyPartID);
    a->bodyPartID = s_bpid(bpid);
    ASN1_OBJECT_free(a->attrType);
    a->attrType = OBJ_dup(cmc_oid_get0_control(ctrl));
    NN(a->attrType);
    need(sk_ASN1_TYPE_push(a->attrValues, value) > 0, "push", __LINE__);
    return a;
}

/* The value of a control as an ANY: re-read from its DER. */
static ASN1_TYPE *s_any_item(const ASN1_ITEM *it, ASN1_VALUE *v)
{
    unsigned char *der = NULL;
    size_t len = sample_i2d(it, v, &der);
    ASN1_TYPE *t = s_any_der(der, (long)len);

    OPENSSL_free(der);
    ASN1_item_free(v, it);
    return t;
}

static CMC_TAGGED_ATTRIBUTE *b_tagged_attribute(void)
{
    return s_tagged_attr(1, CMC_CTRL_TRANSACTION_ID, s_any_int(42));
}

static CMC_TAGGED_CERT_REQUEST *b_tagged_cert_request(void)
{
    CMC_TAGGED_CERT_REQUEST *t = CMC_TAGGED_CERT_REQUEST_new();

    NN(t);
    ASN1_INTEGER_free(t->bodyPartID);
    t->bodyPartID = s_bpid(10);
    X509_REQ *r = sample_p10("tcr.example");

    CMC_P10_free(t->certificationRequest);
    t->certificationRequest = NULL;
    need(cmc_p10_from_x509_req(r, &t->certificationRequest) == CMC_OK, "cmc_p10_from_x509_req",
         __LINE__);
    X509_REQ_free(r);
    return t;
}

static CMC_OTHER_REQ_MSG *b_other_req_msg(void)
{
    CMC_OTHER_REQ_MSG *o = CMC_OTHER_REQ_MSG_new();

    NN(o);
    ASN1_INTEGER_free(o->bodyPartID);
    o->bodyPartID = s_bpid(12);
    ASN1_OBJECT_free(o->requestMessageType);
    o->requestMessageType = s_oid("1.2.3.4");
    ASN1_TYPE_free(o->requestMessageValue);
    o->requestMessageValue = s_any_oct("orm");
    return o;
}

/* ---- CRMF types ------------------------------------------------------------------- */

static CMC_ATAV *b_atav(void)
{
    CMC_ATAV *a = CMC_ATAV_new();

    NN(a);
    ASN1_OBJECT_free(a->type);
    a->type = s_oid("1.3.6.1.5.5.7.5.1.1"); /* id-regCtrl-regToken */
    ASN1_TYPE_free(a->value);
    a->value = s_any_utf8("token");
    return a;
}

static CMC_OPTIONAL_VALIDITY *b_optional_validity(void)
{
    CMC_OPTIONAL_VALIDITY *v = CMC_OPTIONAL_VALIDITY_new();

    NN(v);
    v->notBefore = ASN1_TIME_new();
    v->notAfter = ASN1_TIME_new();
    NN(v->notBefore);
    NN(v->notAfter);
    OK1(ASN1_TIME_set_string_X509(v->notBefore, "20260101000000Z"));
    OK1(ASN1_TIME_set_string_X509(v->notAfter, "20270101000000Z"));
    return v;
}

static CMC_CERT_TEMPLATE *b_cert_template(void)
{
    CMC_CERT_TEMPLATE *t = CMC_CERT_TEMPLATE_new();

    NN(t);
    t->version = s_int(2);
    t->serialNumber = s_int(4660);
    t->signingAlg = s_alg(NID_ecdsa_with_SHA256);
    t->issuer = s_name("Issuer CA");
    t->validity = b_optional_validity();
    t->subject = s_name("crm.example");
    need(cmc_spki_set1_pkey(&t->publicKey, sample_key()) == CMC_OK, "spki", __LINE__);
    t->issuerUID = s_bits("iu");
    t->subjectUID = s_bits("su");
    t->extensions = sk_X509_EXTENSION_new_null();
    NN(t->extensions);
    need(sk_X509_EXTENSION_push(t->extensions, s_key_usage_ext()) > 0, "push", __LINE__);
    return t;
}

/* A minimal template as a CMC client sends it: subject and publicKey (§3.2.1.3.2). */
static CMC_CERT_TEMPLATE *s_min_template(const char *cn)
{
    CMC_CERT_TEMPLATE *t = CMC_CERT_TEMPLATE_new();

    NN(t);
    t->subject = s_name(cn);
    need(cmc_spki_set1_pkey(&t->publicKey, sample_key()) == CMC_OK, "spki", __LINE__);
    return t;
}

static CMC_CERT_REQUEST *b_cert_request(void)
{
    CMC_CERT_REQUEST *r = CMC_CERT_REQUEST_new();

    NN(r);
    ASN1_INTEGER_free(r->certReqId);
    r->certReqId = s_int(11);
    CMC_CERT_TEMPLATE_free(r->certTemplate);
    r->certTemplate = b_cert_template();
    r->controls = sk_CMC_ATAV_new_null();
    NN(r->controls);
    need(sk_CMC_ATAV_push(r->controls, b_atav()) > 0, "push", __LINE__);
    return r;
}

static CMC_POPO_SIGNING_KEY *b_popo_signing_key(void)
{
    CMC_POPO_SIGNING_KEY *s = CMC_POPO_SIGNING_KEY_new();

    NN(s);
    X509_ALGOR_free(s->algorithmIdentifier);
    s->algorithmIdentifier = s_alg(NID_ecdsa_with_SHA256);
    ASN1_BIT_STRING_free(s->signature);
    s->signature = s_bits("not-a-real-signature");
    return s;
}

static CMC_POPO_PRIV_KEY *s_priv_key(int type)
{
    CMC_POPO_PRIV_KEY *k = CMC_POPO_PRIV_KEY_new();
    /* PKMACValue elements: AlgorithmIdentifier hmacWithSHA256, BIT STRING */
    static const unsigned char alg[] = {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48,
                                        0x86, 0xF7, 0x0D, 0x02, 0x09};
    static const unsigned char bits[] = {0x03, 0x03, 0x00, 0xAB, 0xCD};

    NN(k);
    k->type = type;
    switch (type) {
    case CMC_POPO_PRIV_KEY_THIS_MESSAGE:
        k->value.thisMessage = s_bits("this");
        break;
    case CMC_POPO_PRIV_KEY_SUBSEQUENT_MESSAGE:
        k->value.subsequentMessage = s_int(1); /* challengeResp */
        break;
    case CMC_POPO_PRIV_KEY_DH_MAC:
        k->value.dhMAC = s_bits("dhmac");
        break;
    case CMC_POPO_PRIV_KEY_AGREE_MAC:
    default:
        k->value.agreeMAC = sk_ASN1_TYPE_new_null();
        NN(k->value.agreeMAC);
        need(sk_ASN1_TYPE_push(k->value.agreeMAC, s_any_der(alg, sizeof(alg))) > 0, "push",
             __LINE__);
        need(sk_ASN1_TYPE_push(k->value.agreeMAC, s_any_der(bits, sizeof(bits))) > 0, "push",
             __LINE__);
        break;
    }
    return k;
}

static CMC_POPO_PRIV_KEY *b_popo_priv_key(void)
{
    return s_priv_key(CMC_POPO_PRIV_KEY_SUBSEQUENT_MESSAGE);
}

static CMC_POPO_PRIV_KEY *b_popo_priv_key_agree(void)
{
    return s_priv_key(CMC_POPO_PRIV_KEY_AGREE_MAC);
}

static CMC_POP *s_pop(int type)
{
    CMC_POP *p = CMC_POP_new();

    NN(p);
    p->type = type;
    switch (type) {
    case CMC_POP_RA_VERIFIED:
        p->value.raVerified = ASN1_NULL_new();
        NN(p->value.raVerified);
        break;
    case CMC_POP_SIGNATURE:
        p->value.signature = b_popo_signing_key();
        break;
    case CMC_POP_KEY_ENCIPHERMENT:
        p->value.keyEncipherment = s_priv_key(CMC_POPO_PRIV_KEY_SUBSEQUENT_MESSAGE);
        break;
    default:
        p->value.keyAgreement = s_priv_key(CMC_POPO_PRIV_KEY_DH_MAC);
        break;
    }
    return p;
}

static CMC_POP *b_pop_ra(void) { return s_pop(CMC_POP_RA_VERIFIED); }
static CMC_POP *b_pop_sig(void) { return s_pop(CMC_POP_SIGNATURE); }
static CMC_POP *b_pop_kenc(void) { return s_pop(CMC_POP_KEY_ENCIPHERMENT); }
static CMC_POP *b_pop_kagree(void) { return s_pop(CMC_POP_KEY_AGREEMENT); }

static CMC_CERT_REQ_MSG *b_cert_req_msg(void)
{
    CMC_CERT_REQ_MSG *m = CMC_CERT_REQ_MSG_new();

    NN(m);
    CMC_CERT_REQUEST_free(m->certReq);
    m->certReq = b_cert_request();
    m->popo = s_pop(CMC_POP_SIGNATURE);
    m->regInfo = sk_CMC_ATAV_new_null();
    NN(m->regInfo);
    need(sk_CMC_ATAV_push(m->regInfo, b_atav()) > 0, "push", __LINE__);
    return m;
}

CMC_CERT_REQ_MSG *sample_cert_req_msg(void)
{
    return b_cert_req_msg();
}

/* The crm a CMC client sends: certReqId 11, minimal template, POP by signature. */
static CMC_CERT_REQ_MSG *s_crm_min(void)
{
    CMC_CERT_REQ_MSG *m = CMC_CERT_REQ_MSG_new();

    NN(m);
    ASN1_INTEGER_set(m->certReq->certReqId, 11);
    CMC_CERT_TEMPLATE_free(m->certReq->certTemplate);
    m->certReq->certTemplate = s_min_template("crm.example");
    m->popo = s_pop(CMC_POP_SIGNATURE);
    return m;
}

static CMC_SINGLE_PUB_INFO *b_single_pub_info(void)
{
    CMC_SINGLE_PUB_INFO *s = CMC_SINGLE_PUB_INFO_new();

    NN(s);
    ASN1_INTEGER_set(s->pubMethod, 2); /* web */
    s->pubLocation = s_gn(GEN_URI, "http://pub.example/");
    return s;
}

static CMC_PKI_PUBLICATION_INFO *b_pki_publication_info(void)
{
    CMC_PKI_PUBLICATION_INFO *p = CMC_PKI_PUBLICATION_INFO_new();

    NN(p);
    ASN1_INTEGER_set(p->action, 1); /* pleasePublish */
    p->pubInfos = sk_CMC_SINGLE_PUB_INFO_new_null();
    NN(p->pubInfos);
    need(sk_CMC_SINGLE_PUB_INFO_push(p->pubInfos, b_single_pub_info()) > 0, "push", __LINE__);
    return p;
}

/* ---- CMC types, continued --------------------------------------------------------- */

static CMC_TAGGED_REQUEST *s_tagged_request(int type)
{
    CMC_TAGGED_REQUEST *r = CMC_TAGGED_REQUEST_new();

    NN(r);
    r->type = type;
    if (type == CMC_TAGGED_REQUEST_TCR)
        r->value.tcr = b_tagged_cert_request();
    else if (type == CMC_TAGGED_REQUEST_CRM)
        r->value.crm = s_crm_min();
    else
        r->value.orm = b_other_req_msg();
    return r;
}

static CMC_TAGGED_REQUEST *b_tr_tcr(void) { return s_tagged_request(CMC_TAGGED_REQUEST_TCR); }
static CMC_TAGGED_REQUEST *b_tr_crm(void) { return s_tagged_request(CMC_TAGGED_REQUEST_CRM); }
static CMC_TAGGED_REQUEST *b_tr_orm(void) { return s_tagged_request(CMC_TAGGED_REQUEST_ORM); }

static CMC_TAGGED_CONTENT_INFO *b_tagged_content_info(void)
{
    CMC_TAGGED_CONTENT_INFO *t = CMC_TAGGED_CONTENT_INFO_new();

    NN(t);
    ASN1_INTEGER_free(t->bodyPartID);
    t->bodyPartID = s_bpid(20);
    ASN1_TYPE_free(t->contentInfo);
    t->contentInfo = s_content_info();
    return t;
}

static CMC_OTHER_MSG *b_other_msg(void)
{
    CMC_OTHER_MSG *o = CMC_OTHER_MSG_new();

    NN(o);
    ASN1_INTEGER_free(o->bodyPartID);
    o->bodyPartID = s_bpid(21);
    ASN1_OBJECT_free(o->otherMsgType);
    o->otherMsgType = s_oid("1.2.3.5");
    ASN1_TYPE_free(o->otherMsgValue);
    o->otherMsgValue = s_any_utf8("other");
    return o;
}

static CMC_BODY_PART_REFERENCE *s_ref_id(uint32_t id)
{
    CMC_BODY_PART_REFERENCE *r = CMC_BODY_PART_REFERENCE_new();

    NN(r);
    r->type = CMC_BODY_PART_REFERENCE_ID;
    r->value.bodyPartID = s_bpid(id);
    return r;
}

static CMC_BODY_PART_REFERENCE *b_ref_id(void) { return s_ref_id(7); }

static CMC_BODY_PART_REFERENCE *b_ref_path(void)
{
    CMC_BODY_PART_REFERENCE *r = CMC_BODY_PART_REFERENCE_new();

    NN(r);
    r->type = CMC_BODY_PART_REFERENCE_PATH;
    r->value.bodyPartPath = s_list(2, 1u, 2u);
    return r;
}

static CMC_BODY_PART_LIST *b_body_part_list(void) { return s_list(3, 1u, 2u, 4294967295u); }

static CMC_PEND_INFO *b_pend_info(void)
{
    CMC_PEND_INFO *p = CMC_PEND_INFO_new();

    NN(p);
    ASN1_OCTET_STRING_free(p->pendToken);
    p->pendToken = s_oct("pend-token");
    ASN1_GENERALIZEDTIME_free(p->pendTime);
    p->pendTime = s_gtime("20260301120000Z");
    return p;
}

static CMC_OTHER_INFO *b_other_info(void)
{
    CMC_OTHER_INFO *o = CMC_OTHER_INFO_new();

    NN(o);
    o->type = CMC_OTHER_INFO_FAIL;
    o->value.failInfo = s_int(CMC_FAIL_BAD_REQUEST);
    return o;
}

static CMC_STATUS_INFO *b_status_info(void)
{
    CMC_STATUS_INFO *s = CMC_STATUS_INFO_new();

    NN(s);
    ASN1_INTEGER_set(s->cMCStatus, CMC_STATUS_FAILED);
    sk_ASN1_INTEGER_pop_free(s->bodyList, ASN1_INTEGER_free);
    s->bodyList = s_list(2, 1u, 2u);
    s->statusString = s_utf8("nope");
    s->otherInfo = b_other_info();
    return s;
}

static CMC_STATUS_INFO *b_status_info_pend(void)
{
    CMC_STATUS_INFO *s = CMC_STATUS_INFO_new();

    NN(s);
    ASN1_INTEGER_set(s->cMCStatus, CMC_STATUS_PENDING);
    sk_ASN1_INTEGER_pop_free(s->bodyList, ASN1_INTEGER_free);
    s->bodyList = s_list(1, 10u);
    s->otherInfo = CMC_OTHER_INFO_new();
    NN(s->otherInfo);
    s->otherInfo->type = CMC_OTHER_INFO_PEND;
    s->otherInfo->value.pendInfo = b_pend_info();
    return s;
}

static CMC_EXTENDED_FAIL_INFO *b_extended_fail_info(void)
{
    CMC_EXTENDED_FAIL_INFO *e = CMC_EXTENDED_FAIL_INFO_new();

    NN(e);
    ASN1_OBJECT_free(e->failInfoOID);
    e->failInfoOID = s_oid("1.2.3.6");
    ASN1_TYPE_free(e->failInfoValue);
    e->failInfoValue = s_any_int(7);
    return e;
}

static CMC_OTHER_STATUS_INFO *s_osi(int type)
{
    CMC_OTHER_STATUS_INFO *o = CMC_OTHER_STATUS_INFO_new();

    NN(o);
    o->type = type;
    if (type == CMC_OTHER_STATUS_INFO_FAIL)
        o->value.failInfo = s_int(CMC_FAIL_BAD_REQUEST);
    else if (type == CMC_OTHER_STATUS_INFO_PEND)
        o->value.pendInfo = b_pend_info();
    else
        o->value.extendedFailInfo = b_extended_fail_info();
    return o;
}

static CMC_OTHER_STATUS_INFO *b_osi_fail(void) { return s_osi(CMC_OTHER_STATUS_INFO_FAIL); }
static CMC_OTHER_STATUS_INFO *b_osi_pend(void) { return s_osi(CMC_OTHER_STATUS_INFO_PEND); }
static CMC_OTHER_STATUS_INFO *b_osi_ext(void) { return s_osi(CMC_OTHER_STATUS_INFO_EXTENDED); }

static CMC_STATUS_INFO_V2 *s_status_v2(long status, int osi, const char *text)
{
    CMC_STATUS_INFO_V2 *s = CMC_STATUS_INFO_V2_new();

    NN(s);
    ASN1_INTEGER_set(s->cMCStatus, status);
    need(sk_CMC_BODY_PART_REFERENCE_push(s->bodyList, s_ref_id(10)) > 0, "push", __LINE__);
    need(sk_CMC_BODY_PART_REFERENCE_push(s->bodyList, b_ref_path()) > 0, "push", __LINE__);
    if (text != NULL)
        s->statusString = s_utf8(text);
    if (osi >= 0)
        s->otherInfo = s_osi(osi);
    return s;
}

CMC_STATUS_INFO_V2 *sample_status_v2_failed(void)
{
    return s_status_v2(CMC_STATUS_FAILED, CMC_OTHER_STATUS_INFO_FAIL, "bad request");
}

static CMC_STATUS_INFO_V2 *b_sv2_failed(void) { return sample_status_v2_failed(); }

static CMC_STATUS_INFO_V2 *b_sv2_pending(void)
{
    return s_status_v2(CMC_STATUS_PENDING, CMC_OTHER_STATUS_INFO_PEND, NULL);
}

static CMC_STATUS_INFO_V2 *b_sv2_extended(void)
{
    return s_status_v2(CMC_STATUS_FAILED, CMC_OTHER_STATUS_INFO_EXTENDED, "ext");
}

static CMC_ADD_EXTENSIONS *b_add_extensions(void)
{
    CMC_ADD_EXTENSIONS *a = CMC_ADD_EXTENSIONS_new();

    NN(a);
    ASN1_INTEGER_set(a->pkiDataReference, 0);
    sk_ASN1_INTEGER_pop_free(a->certReferences, ASN1_INTEGER_free);
    a->certReferences = s_list(1, 10u);
    need(sk_X509_EXTENSION_push(a->extensions, s_key_usage_ext()) > 0, "push", __LINE__);
    return a;
}

static CMC_ENCRYPTED_POP *b_encrypted_pop(void)
{
    CMC_ENCRYPTED_POP *e = CMC_ENCRYPTED_POP_new();

    NN(e);
    CMC_TAGGED_REQUEST_free(e->request);
    e->request = s_tagged_request(CMC_TAGGED_REQUEST_TCR);
    ASN1_TYPE_free(e->cms);
    e->cms = s_content_info();
    X509_ALGOR_free(e->thePOPAlgID);
    e->thePOPAlgID = s_alg(NID_hmacWithSHA256);
    X509_ALGOR_free(e->witnessAlgID);
    e->witnessAlgID = s_alg(NID_sha256);
    ASN1_OCTET_STRING_free(e->witness);
    e->witness = s_oct("witness");
    return e;
}

static CMC_DECRYPTED_POP *b_decrypted_pop(void)
{
    CMC_DECRYPTED_POP *d = CMC_DECRYPTED_POP_new();

    NN(d);
    ASN1_INTEGER_set(d->bodyPartID, 10);
    X509_ALGOR_free(d->thePOPAlgID);
    d->thePOPAlgID = s_alg(NID_hmacWithSHA256);
    ASN1_OCTET_STRING_free(d->thePOP);
    d->thePOP = s_oct("the-pop");
    return d;
}

static CMC_LRA_POP_WITNESS *b_lra_pop_witness(void)
{
    CMC_LRA_POP_WITNESS *l = CMC_LRA_POP_WITNESS_new();

    NN(l);
    ASN1_INTEGER_set(l->pkiDataBodyid, 0);
    sk_ASN1_INTEGER_pop_free(l->bodyIds, ASN1_INTEGER_free);
    l->bodyIds = s_list(2, 10u, 11u);
    return l;
}

static CMC_GET_CERT *b_get_cert(void)
{
    CMC_GET_CERT *g = CMC_GET_CERT_new();

    NN(g);
    GENERAL_NAME_free(g->issuerName);
    g->issuerName = s_gn(GEN_DIRNAME, "Issuer CA");
    ASN1_INTEGER_set(g->serialNumber, 4660);
    return g;
}

static CMC_GET_CRL *b_get_crl(void)
{
    CMC_GET_CRL *g = CMC_GET_CRL_new();

    NN(g);
    X509_NAME_free(g->issuerName);
    g->issuerName = s_name("Issuer CA");
    g->cRLName = s_gn(GEN_URI, "http://crl.example/ca.crl");
    g->time = s_gtime("20260101000000Z");
    g->reasons = ASN1_BIT_STRING_new();
    NN(g->reasons);
    OK1(ASN1_BIT_STRING_set_bit(g->reasons, 1, 1)); /* keyCompromise */
    return g;
}

static CMC_REVOKE_REQUEST *b_revoke_request(void)
{
    CMC_REVOKE_REQUEST *r = CMC_REVOKE_REQUEST_new();

    NN(r);
    X509_NAME_free(r->issuerName);
    r->issuerName = s_name("Issuer CA");
    ASN1_INTEGER_set(r->serialNumber, 4660);
    OK1(ASN1_ENUMERATED_set(r->reason, 1)); /* keyCompromise */
    r->invalidityDate = s_gtime("20260102000000Z");
    r->passphrase = s_oct("secret");
    r->comment = s_utf8("lost laptop");
    return r;
}

static CMC_CERT_ID *b_cert_id(void)
{
    CMC_CERT_ID *c = CMC_CERT_ID_new();

    NN(c);
    X509_NAME_free(c->issuer);
    c->issuer = s_name("Issuer CA");
    ASN1_INTEGER_set(c->serialNumber, 4660);
    return c;
}

static CMC_IDENTITY_PROOF_V2 *b_identity_proof_v2(void)
{
    CMC_IDENTITY_PROOF_V2 *p = CMC_IDENTITY_PROOF_V2_new();

    NN(p);
    X509_ALGOR_free(p->proofAlgID);
    p->proofAlgID = s_alg(NID_sha256);
    X509_ALGOR_free(p->macAlgId);
    p->macAlgId = s_alg(NID_hmacWithSHA256);
    ASN1_OCTET_STRING_free(p->witness);
    p->witness = s_oct("identity-witness");
    return p;
}

static CMC_POP_LINK_WITNESS_V2 *b_pop_link_witness_v2(void)
{
    CMC_POP_LINK_WITNESS_V2 *p = CMC_POP_LINK_WITNESS_V2_new();

    NN(p);
    X509_ALGOR_free(p->keyGenAlgorithm);
    p->keyGenAlgorithm = s_alg(NID_sha256);
    X509_ALGOR_free(p->macAlgorithm);
    p->macAlgorithm = s_alg(NID_hmacWithSHA256);
    ASN1_OCTET_STRING_free(p->witness);
    p->witness = s_oct("link-witness");
    return p;
}

static CMC_PUBLISH_TRUST_ANCHORS *b_publish_trust_anchors(void)
{
    CMC_PUBLISH_TRUST_ANCHORS *p = CMC_PUBLISH_TRUST_ANCHORS_new();

    NN(p);
    ASN1_INTEGER_set(p->seqNumber, 7);
    X509_ALGOR_free(p->hashAlgorithm);
    p->hashAlgorithm = s_alg(NID_sha256);
    need(sk_ASN1_OCTET_STRING_push(p->anchorHashes, s_oct("hash-1")) > 0, "push", __LINE__);
    need(sk_ASN1_OCTET_STRING_push(p->anchorHashes, s_oct("hash-2")) > 0, "push", __LINE__);
    return p;
}

static CMC_PUBLICATION_INFO *b_publication_info(void)
{
    CMC_PUBLICATION_INFO *p = CMC_PUBLICATION_INFO_new();

    NN(p);
    X509_ALGOR_free(p->hashAlg);
    p->hashAlg = s_alg(NID_sha256);
    need(sk_ASN1_OCTET_STRING_push(p->certHashes, s_oct("cert-hash")) > 0, "push", __LINE__);
    CMC_PKI_PUBLICATION_INFO_free(p->pubInfo);
    p->pubInfo = b_pki_publication_info();
    return p;
}

static CMC_MOD_CERT_TEMPLATE *s_mod_cert_template(int replace)
{
    CMC_MOD_CERT_TEMPLATE *m = CMC_MOD_CERT_TEMPLATE_new();

    NN(m);
    sk_ASN1_INTEGER_pop_free(m->pkiDataReference, ASN1_INTEGER_free);
    m->pkiDataReference = s_list(1, 0u);
    sk_ASN1_INTEGER_pop_free(m->certReferences, ASN1_INTEGER_free);
    m->certReferences = s_list(1, 10u);
    m->replace = replace;
    CMC_CERT_TEMPLATE_free(m->certTemplate);
    m->certTemplate = CMC_CERT_TEMPLATE_new();
    NN(m->certTemplate);
    m->certTemplate->subject = s_name("mod.example");
    return m;
}

static CMC_MOD_CERT_TEMPLATE *b_mct_false(void) { return s_mod_cert_template(0); }
static CMC_MOD_CERT_TEMPLATE *b_mct_default(void) { return s_mod_cert_template(1); }

static CMC_CONTROLS_PROCESSED *b_controls_processed(void)
{
    CMC_CONTROLS_PROCESSED *c = CMC_CONTROLS_PROCESSED_new();

    NN(c);
    need(sk_CMC_BODY_PART_REFERENCE_push(c->bodyList, s_ref_id(3)) > 0, "push", __LINE__);
    need(sk_CMC_BODY_PART_REFERENCE_push(c->bodyList, b_ref_path()) > 0, "push", __LINE__);
    return c;
}

static CMC_CHANGE_SUBJECT_NAME *b_change_subject_name(void)
{
    CMC_CHANGE_SUBJECT_NAME *c = CMC_CHANGE_SUBJECT_NAME_new();

    NN(c);
    c->subject = s_name("new.example");
    c->subjectAlt = sk_GENERAL_NAME_new_null();
    NN(c->subjectAlt);
    need(sk_GENERAL_NAME_push(c->subjectAlt, s_gn(GEN_DNS, "new.example")) > 0, "push",
         __LINE__);
    return c;
}

static CMC_UNSIGNED_DATA *b_unsigned_data(void)
{
    CMC_UNSIGNED_DATA *u = CMC_UNSIGNED_DATA_new();

    NN(u);
    sk_ASN1_INTEGER_pop_free(u->bodyPartPath, ASN1_INTEGER_free);
    u->bodyPartPath = s_list(2, 1u, 2u);
    ASN1_OBJECT_free(u->identifier);
    u->identifier = s_oid("1.2.3.7");
    ASN1_TYPE_free(u->content);
    u->content = s_any_oct("unsigned");
    return u;
}

/* A Full PKI Request body: several controls, a tcr and a crm, a cms and an otherMsg. */
CMC_PKIDATA *sample_pkidata(void)
{
    CMC_PKIDATA *d = CMC_PKIDATA_new();
    CMC_TAGGED_ATTRIBUTE *ctrl[] = {
        s_tagged_attr(1, CMC_CTRL_TRANSACTION_ID, s_any_int(42)),
        s_tagged_attr(2, CMC_CTRL_SENDER_NONCE, s_any_oct("nonce-0123456789")),
        s_tagged_attr(3, CMC_CTRL_IDENTIFICATION, s_any_utf8("alice")),
        s_tagged_attr(4, CMC_CTRL_IDENTITY_PROOF_V2,
                      s_any_item(ASN1_ITEM_rptr(CMC_IDENTITY_PROOF_V2),
                                 (ASN1_VALUE *)b_identity_proof_v2())),
        s_tagged_attr(5, CMC_CTRL_REG_INFO, s_any_oct("reg-info")),
    };

    NN(d);
    for (size_t i = 0; i < sizeof(ctrl) / sizeof(ctrl[0]); i++)
        need(sk_CMC_TAGGED_ATTRIBUTE_push(d->controlSequence, ctrl[i]) > 0, "push", __LINE__);
    need(sk_CMC_TAGGED_REQUEST_push(d->reqSequence, b_tr_tcr()) > 0, "push", __LINE__);
    need(sk_CMC_TAGGED_REQUEST_push(d->reqSequence, b_tr_crm()) > 0, "push", __LINE__);
    need(sk_CMC_TAGGED_CONTENT_INFO_push(d->cmsSequence, b_tagged_content_info()) > 0, "push",
         __LINE__);
    need(sk_CMC_OTHER_MSG_push(d->otherMsgSequence, b_other_msg()) > 0, "push", __LINE__);
    return d;
}

/* A Full PKI Response body: statusInfoV2 failed/badRequest for 10, a recipientNonce. */
CMC_PKIRESPONSE *sample_pkiresponse(void)
{
    CMC_PKIRESPONSE *r = CMC_PKIRESPONSE_new();
    CMC_TAGGED_ATTRIBUTE *ctrl[] = {
        s_tagged_attr(1, CMC_CTRL_STATUS_INFO_V2,
                      s_any_item(ASN1_ITEM_rptr(CMC_STATUS_INFO_V2),
                                 (ASN1_VALUE *)sample_status_v2_failed())),
        s_tagged_attr(2, CMC_CTRL_RECIPIENT_NONCE, s_any_oct("nonce-0123456789")),
        s_tagged_attr(3, CMC_CTRL_TRANSACTION_ID, s_any_int(42)),
    };

    NN(r);
    for (size_t i = 0; i < sizeof(ctrl) / sizeof(ctrl[0]); i++)
        need(sk_CMC_TAGGED_ATTRIBUTE_push(r->controlSequence, ctrl[i]) > 0, "push", __LINE__);
    need(sk_CMC_TAGGED_CONTENT_INFO_push(r->cmsSequence, b_tagged_content_info()) > 0, "push",
         __LINE__);
    need(sk_CMC_OTHER_MSG_push(r->otherMsgSequence, b_other_msg()) > 0, "push", __LINE__);
    return r;
}

static CMC_PKIRESPONSE *b_pkiresponse_pending(void)
{
    CMC_PKIRESPONSE *r = CMC_PKIRESPONSE_new();

    NN(r);
    need(sk_CMC_TAGGED_ATTRIBUTE_push(
             r->controlSequence,
             s_tagged_attr(1, CMC_CTRL_STATUS_INFO_V2,
                           s_any_item(ASN1_ITEM_rptr(CMC_STATUS_INFO_V2),
                                      (ASN1_VALUE *)b_sv2_pending()))) > 0,
         "push", __LINE__);
    return r;
}

size_t sample_i2d(const ASN1_ITEM *it, const ASN1_VALUE *v, unsigned char **der)
{
    int len;

    *der = NULL;
    len = ASN1_item_i2d(v, der, it);
    need(len > 0, "ASN1_item_i2d", __LINE__);
    return (size_t)len;
}

/* ---- the table -------------------------------------------------------------------- */

#define W(fn, T)                                                                          \
    static ASN1_VALUE *w_##fn(void) { return (ASN1_VALUE *)fn(); }
W(b_tagged_attribute, CMC_TAGGED_ATTRIBUTE)
W(b_tagged_cert_request, CMC_TAGGED_CERT_REQUEST)
W(b_other_req_msg, CMC_OTHER_REQ_MSG)
W(b_tr_tcr, CMC_TAGGED_REQUEST)
W(b_tr_crm, CMC_TAGGED_REQUEST)
W(b_tr_orm, CMC_TAGGED_REQUEST)
W(b_tagged_content_info, CMC_TAGGED_CONTENT_INFO)
W(b_other_msg, CMC_OTHER_MSG)
W(sample_pkidata, CMC_PKIDATA)
W(sample_pkiresponse, CMC_PKIRESPONSE)
W(b_pkiresponse_pending, CMC_PKIRESPONSE)
W(b_ref_id, CMC_BODY_PART_REFERENCE)
W(b_ref_path, CMC_BODY_PART_REFERENCE)
W(b_body_part_list, CMC_BODY_PART_LIST)
W(b_pend_info, CMC_PEND_INFO)
W(b_other_info, CMC_OTHER_INFO)
W(b_status_info, CMC_STATUS_INFO)
W(b_status_info_pend, CMC_STATUS_INFO)
W(b_extended_fail_info, CMC_EXTENDED_FAIL_INFO)
W(b_osi_fail, CMC_OTHER_STATUS_INFO)
W(b_osi_pend, CMC_OTHER_STATUS_INFO)
W(b_osi_ext, CMC_OTHER_STATUS_INFO)
W(b_sv2_failed, CMC_STATUS_INFO_V2)
W(b_sv2_pending, CMC_STATUS_INFO_V2)
W(b_sv2_extended, CMC_STATUS_INFO_V2)
W(b_add_extensions, CMC_ADD_EXTENSIONS)
W(b_encrypted_pop, CMC_ENCRYPTED_POP)
W(b_decrypted_pop, CMC_DECRYPTED_POP)
W(b_lra_pop_witness, CMC_LRA_POP_WITNESS)
W(b_get_cert, CMC_GET_CERT)
W(b_get_crl, CMC_GET_CRL)
W(b_revoke_request, CMC_REVOKE_REQUEST)
W(b_cert_id, CMC_CERT_ID)
W(b_identity_proof_v2, CMC_IDENTITY_PROOF_V2)
W(b_pop_link_witness_v2, CMC_POP_LINK_WITNESS_V2)
W(b_publish_trust_anchors, CMC_PUBLISH_TRUST_ANCHORS)
W(b_publication_info, CMC_PUBLICATION_INFO)
W(b_mct_false, CMC_MOD_CERT_TEMPLATE)
W(b_mct_default, CMC_MOD_CERT_TEMPLATE)
W(b_controls_processed, CMC_CONTROLS_PROCESSED)
W(b_change_subject_name, CMC_CHANGE_SUBJECT_NAME)
W(b_unsigned_data, CMC_UNSIGNED_DATA)
W(b_atav, CMC_ATAV)
W(b_optional_validity, CMC_OPTIONAL_VALIDITY)
W(b_cert_template, CMC_CERT_TEMPLATE)
W(b_cert_request, CMC_CERT_REQUEST)
W(b_popo_signing_key, CMC_POPO_SIGNING_KEY)
W(b_popo_priv_key, CMC_POPO_PRIV_KEY)
W(b_popo_priv_key_agree, CMC_POPO_PRIV_KEY)
W(b_pop_ra, CMC_POP)
W(b_pop_sig, CMC_POP)
W(b_pop_kenc, CMC_POP)
W(b_pop_kagree, CMC_POP)
W(b_cert_req_msg, CMC_CERT_REQ_MSG)
W(b_single_pub_info, CMC_SINGLE_PUB_INFO)
W(b_pki_publication_info, CMC_PKI_PUBLICATION_INFO)

#define S(name, T, fn, mod, py, exp) {name, ASN1_ITEM_ref(T), w_##fn, mod, py, exp}

/* Hex of "nonce-0123456789" etc. are spelled out so that the manifest is self-contained. */
const struct cmc_sample cmc_samples[] = {
    S("taggedAttribute", CMC_TAGGED_ATTRIBUTE, b_tagged_attribute, "rfc6402", "TaggedAttribute",
      "{\"bodyPartID\":1,\"attrType\":\"oid:1.3.6.1.5.5.7.7.5\",\"attrValues/0\":\"hex:02012a\"}"),
    S("taggedCertificationRequest", CMC_TAGGED_CERT_REQUEST, b_tagged_cert_request, "rfc6402",
      "TaggedCertificationRequest",
      "{\"bodyPartID\":10,\"certificationRequest/certificationRequestInfo/version\":0}"),
    S("otherReqMsg", CMC_OTHER_REQ_MSG, b_other_req_msg, NULL, NULL, NULL),
    S("taggedRequest_tcr", CMC_TAGGED_REQUEST, b_tr_tcr, "rfc6402", "TaggedRequest",
      "{\"@choice\":\"tcr\",\"tcr/bodyPartID\":10}"),
    S("taggedRequest_crm", CMC_TAGGED_REQUEST, b_tr_crm, "rfc6402", "TaggedRequest",
      "{\"@choice\":\"crm\",\"crm/certReq/certReqId\":11,"
      "\"crm/certReq/certTemplate/subject\":\"present\","
      "\"crm/certReq/certTemplate/publicKey\":\"present\",\"crm/popo/@choice\":\"signature\"}"),
    S("taggedRequest_orm", CMC_TAGGED_REQUEST, b_tr_orm, "rfc6402", "TaggedRequest",
      "{\"@choice\":\"orm\",\"orm/bodyPartID\":12,\"orm/requestMessageType\":\"oid:1.2.3.4\","
      "\"orm/requestMessageValue\":\"hex:04036f726d\"}"),
    S("taggedContentInfo", CMC_TAGGED_CONTENT_INFO, b_tagged_content_info, "rfc6402",
      "TaggedContentInfo",
      "{\"bodyPartID\":20,\"contentInfo/contentType\":\"oid:1.2.840.113549.1.7.1\"}"),
    S("otherMsg", CMC_OTHER_MSG, b_other_msg, "rfc6402", "OtherMsg",
      "{\"bodyPartID\":21,\"otherMsgType\":\"oid:1.2.3.5\","
      "\"otherMsgValue\":\"hex:0c056f74686572\"}"),
    S("pkiData", CMC_PKIDATA, sample_pkidata, "rfc6402", "PKIData",
      "{\"controlSequence/#\":5,\"controlSequence/0/attrType\":\"oid:1.3.6.1.5.5.7.7.5\","
      "\"controlSequence/1/attrType\":\"oid:1.3.6.1.5.5.7.7.6\","
      "\"controlSequence/1/attrValues/0\":\"hex:04106e6f6e63652d30313233343536373839\","
      "\"controlSequence/3/attrType\":\"oid:1.3.6.1.5.5.7.7.34\","
      "\"reqSequence/#\":2,\"reqSequence/0/@choice\":\"tcr\",\"reqSequence/1/@choice\":\"crm\","
      "\"reqSequence/1/crm/certReq/certReqId\":11,\"cmsSequence/0/bodyPartID\":20,"
      "\"otherMsgSequence/0/bodyPartID\":21}"),
    S("pkiResponse", CMC_PKIRESPONSE, sample_pkiresponse, "rfc6402", "PKIResponse",
      "{\"controlSequence/#\":3,\"controlSequence/0/attrType\":\"oid:1.3.6.1.5.5.7.7.25\","
      "\"controlSequence/1/attrType\":\"oid:1.3.6.1.5.5.7.7.7\","
      "\"cmsSequence/0/bodyPartID\":20,\"otherMsgSequence/0/bodyPartID\":21}"),
    S("pkiResponse_pending", CMC_PKIRESPONSE, b_pkiresponse_pending, "rfc6402", "PKIResponse",
      "{\"controlSequence/#\":1,\"cmsSequence/#\":0,\"otherMsgSequence/#\":0}"),
    S("bodyPartReference_id", CMC_BODY_PART_REFERENCE, b_ref_id, "rfc6402", "BodyPartReference",
      "{\"@choice\":\"bodyPartID\",\"bodyPartID\":7}"),
    S("bodyPartReference_path", CMC_BODY_PART_REFERENCE, b_ref_path, "rfc6402",
      "BodyPartReference",
      "{\"@choice\":\"bodyPartPath\",\"bodyPartPath/0\":1,\"bodyPartPath/1\":2}"),
    S("bodyPartList", CMC_BODY_PART_LIST, b_body_part_list, "rfc6402", "BodyPartList",
      "{\"#\":3,\"0\":1,\"1\":2,\"2\":4294967295}"),
    S("pendInfo", CMC_PEND_INFO, b_pend_info, "rfc6402", "PendInfo",
      "{\"pendToken\":\"hex:70656e642d746f6b656e\",\"pendTime\":\"str:20260301120000Z\"}"),
    S("otherInfo", CMC_OTHER_INFO, b_other_info, NULL, NULL, NULL),
    S("statusInfo_failed", CMC_STATUS_INFO, b_status_info, "rfc6402", "CMCStatusInfo",
      "{\"cMCStatus\":2,\"bodyList/0\":1,\"bodyList/1\":2,\"statusString\":\"str:nope\","
      "\"otherInfo/@choice\":\"failInfo\",\"otherInfo/failInfo\":2}"),
    S("statusInfo_pending", CMC_STATUS_INFO, b_status_info_pend, "rfc6402", "CMCStatusInfo",
      "{\"cMCStatus\":3,\"bodyList/0\":10,\"statusString\":\"absent\","
      "\"otherInfo/@choice\":\"pendInfo\","
      "\"otherInfo/pendInfo/pendToken\":\"hex:70656e642d746f6b656e\"}"),
    S("extendedFailInfo", CMC_EXTENDED_FAIL_INFO, b_extended_fail_info, NULL, NULL, NULL),
    S("otherStatusInfo_fail", CMC_OTHER_STATUS_INFO, b_osi_fail, NULL, NULL, NULL),
    S("otherStatusInfo_pend", CMC_OTHER_STATUS_INFO, b_osi_pend, NULL, NULL, NULL),
    S("otherStatusInfo_ext", CMC_OTHER_STATUS_INFO, b_osi_ext, NULL, NULL, NULL),
    S("statusInfoV2_failed", CMC_STATUS_INFO_V2, b_sv2_failed, "fixed", "CMCStatusInfoV2",
      "{\"cMCStatus\":2,\"bodyList/0/@choice\":\"bodyPartID\",\"bodyList/0/bodyPartID\":10,"
      "\"bodyList/1/bodyPartPath/1\":2,\"statusString\":\"str:bad request\","
      "\"otherInfo/@choice\":\"failInfo\",\"otherInfo/failInfo\":2}"),
    S("statusInfoV2_pending", CMC_STATUS_INFO_V2, b_sv2_pending, "fixed", "CMCStatusInfoV2",
      "{\"cMCStatus\":3,\"statusString\":\"absent\",\"otherInfo/@choice\":\"pendInfo\","
      "\"otherInfo/pendInfo/pendTime\":\"str:20260301120000Z\"}"),
    S("statusInfoV2_extended", CMC_STATUS_INFO_V2, b_sv2_extended, "fixed", "CMCStatusInfoV2",
      "{\"cMCStatus\":2,\"otherInfo/@choice\":\"extendedFailInfo\","
      "\"otherInfo/extendedFailInfo/failInfoOID\":\"oid:1.2.3.6\","
      "\"otherInfo/extendedFailInfo/failInfoValue\":\"hex:020107\"}"),
    S("addExtensions", CMC_ADD_EXTENSIONS, b_add_extensions, "rfc6402", "AddExtensions",
      "{\"pkiDataReference\":0,\"certReferences/0\":10,"
      "\"extensions/0/extnID\":\"oid:2.5.29.15\",\"extensions/0/critical\":1}"),
    S("encryptedPOP", CMC_ENCRYPTED_POP, b_encrypted_pop, "rfc6402", "EncryptedPOP",
      "{\"request/@choice\":\"tcr\",\"cms/contentType\":\"oid:1.2.840.113549.1.7.1\","
      "\"thePOPAlgID/algorithm\":\"oid:1.2.840.113549.2.9\","
      "\"witnessAlgID/algorithm\":\"oid:2.16.840.1.101.3.4.2.1\","
      "\"witness\":\"hex:7769746e657373\"}"),
    S("decryptedPOP", CMC_DECRYPTED_POP, b_decrypted_pop, "rfc6402", "DecryptedPOP",
      "{\"bodyPartID\":10,\"thePOPAlgID/algorithm\":\"oid:1.2.840.113549.2.9\","
      "\"thePOP\":\"hex:7468652d706f70\"}"),
    S("lraPopWitness", CMC_LRA_POP_WITNESS, b_lra_pop_witness, "rfc6402", "LraPopWitness",
      "{\"pkiDataBodyid\":0,\"bodyIds/0\":10,\"bodyIds/1\":11}"),
    S("getCert", CMC_GET_CERT, b_get_cert, "rfc6402", "GetCert",
      "{\"issuerName/@choice\":\"directoryName\",\"serialNumber\":4660}"),
    S("getCRL", CMC_GET_CRL, b_get_crl, "rfc6402", "GetCRL",
      "{\"issuerName\":\"present\",\"cRLName/@choice\":\"uniformResourceIdentifier\","
      "\"cRLName/uniformResourceIdentifier\":\"str:http://crl.example/ca.crl\","
      "\"time\":\"str:20260101000000Z\",\"reasons\":\"present\"}"),
    S("revokeRequest", CMC_REVOKE_REQUEST, b_revoke_request, "rfc6402", "RevokeRequest",
      "{\"serialNumber\":4660,\"reason\":1,\"invalidityDate\":\"str:20260102000000Z\","
      "\"passphrase\":\"hex:736563726574\",\"comment\":\"str:lost laptop\"}"),
    S("cmcCertId", CMC_CERT_ID, b_cert_id, "rfc6402", "CMCCertId",
      "{\"issuer\":\"present\",\"serialNumber\":4660}"),
    S("identityProofV2", CMC_IDENTITY_PROOF_V2, b_identity_proof_v2, "rfc6402",
      "IdentifyProofV2",
      "{\"proofAlgID/algorithm\":\"oid:2.16.840.1.101.3.4.2.1\","
      "\"macAlgId/algorithm\":\"oid:1.2.840.113549.2.9\","
      "\"witness\":\"hex:6964656e746974792d7769746e657373\"}"),
    S("popLinkWitnessV2", CMC_POP_LINK_WITNESS_V2, b_pop_link_witness_v2, "rfc6402",
      "PopLinkWitnessV2",
      "{\"keyGenAlgorithm/algorithm\":\"oid:2.16.840.1.101.3.4.2.1\","
      "\"macAlgorithm/algorithm\":\"oid:1.2.840.113549.2.9\","
      "\"witness\":\"hex:6c696e6b2d7769746e657373\"}"),
    S("publishTrustAnchors", CMC_PUBLISH_TRUST_ANCHORS, b_publish_trust_anchors, "rfc6402",
      "PublishTrustAnchors",
      "{\"seqNumber\":7,\"hashAlgorithm/algorithm\":\"oid:2.16.840.1.101.3.4.2.1\","
      "\"anchorHashes/#\":2,\"anchorHashes/1\":\"hex:686173682d32\"}"),
    S("cmcPublicationInfo", CMC_PUBLICATION_INFO, b_publication_info, "rfc6402",
      "CMCPublicationInfo",
      "{\"certHashes/0\":\"hex:636572742d68617368\",\"pubInfo/action\":1,"
      "\"pubInfo/pubInfos/0/pubMethod\":2}"),
    S("modCertTemplate_false", CMC_MOD_CERT_TEMPLATE, b_mct_false, "rfc6402", "ModCertTemplate",
      "{\"pkiDataReference/0\":0,\"certReferences/0\":10,\"replace\":0,"
      "\"certTemplate/subject\":\"present\"}"),
    S("modCertTemplate_default", CMC_MOD_CERT_TEMPLATE, b_mct_default, "rfc6402",
      "ModCertTemplate", "{\"replace\":1,\"certTemplate/publicKey\":\"absent\"}"),
    S("controlsProcessed", CMC_CONTROLS_PROCESSED, b_controls_processed, "rfc6402",
      "ControlsProcessed",
      "{\"bodyList/0/bodyPartID\":3,\"bodyList/1/@choice\":\"bodyPartPath\"}"),
    S("changeSubjectName", CMC_CHANGE_SUBJECT_NAME, b_change_subject_name, "fixed",
      "ChangeSubjectName",
      "{\"subject\":\"present\",\"subjectAlt/0/dNSName\":\"str:new.example\"}"),
    S("cmcUnsignedData", CMC_UNSIGNED_DATA, b_unsigned_data, "rfc6402", "CMCUnsignedData",
      "{\"bodyPartPath/0\":1,\"identifier\":\"oid:1.2.3.7\","
      "\"content\":\"hex:0408756e7369676e6564\"}"),
    S("atav", CMC_ATAV, b_atav, "rfc4211", "AttributeTypeAndValue",
      "{\"type\":\"oid:1.3.6.1.5.5.7.5.1.1\",\"value\":\"hex:0c05746f6b656e\"}"),
    S("optionalValidity", CMC_OPTIONAL_VALIDITY, b_optional_validity, "rfc4211",
      "OptionalValidity",
      "{\"notBefore/@choice\":\"utcTime\",\"notAfter/utcTime\":\"str:270101000000Z\"}"),
    S("certTemplate", CMC_CERT_TEMPLATE, b_cert_template, "rfc4211", "CertTemplate",
      "{\"version\":2,\"serialNumber\":4660,"
      "\"signingAlg/algorithm\":\"oid:1.2.840.10045.4.3.2\",\"issuer\":\"present\","
      "\"validity/notBefore\":\"present\",\"subject\":\"present\","
      "\"publicKey/algorithm/algorithm\":\"oid:1.2.840.10045.2.1\","
      "\"extensions/0/extnID\":\"oid:2.5.29.15\"}"),
    S("certRequest", CMC_CERT_REQUEST, b_cert_request, "rfc4211", "CertRequest",
      "{\"certReqId\":11,\"controls/0/type\":\"oid:1.3.6.1.5.5.7.5.1.1\"}"),
    S("popoSigningKey", CMC_POPO_SIGNING_KEY, b_popo_signing_key, "rfc4211", "POPOSigningKey",
      "{\"poposkInput\":\"absent\","
      "\"algorithmIdentifier/algorithm\":\"oid:1.2.840.10045.4.3.2\"}"),
    S("popoPrivKey_subsequent", CMC_POPO_PRIV_KEY, b_popo_priv_key, "rfc4211", "POPOPrivKey",
      "{\"@choice\":\"subsequentMessage\",\"subsequentMessage\":1}"),
    S("popoPrivKey_agreeMAC", CMC_POPO_PRIV_KEY, b_popo_priv_key_agree, "rfc4211",
      "POPOPrivKey",
      "{\"@choice\":\"agreeMAC\",\"agreeMAC/algId/algorithm\":\"oid:1.2.840.113549.2.9\"}"),
    S("pop_raVerified", CMC_POP, b_pop_ra, "rfc4211", "ProofOfPossession",
      "{\"@choice\":\"raVerified\"}"),
    S("pop_signature", CMC_POP, b_pop_sig, "rfc4211", "ProofOfPossession",
      "{\"@choice\":\"signature\","
      "\"signature/algorithmIdentifier/algorithm\":\"oid:1.2.840.10045.4.3.2\"}"),
    S("pop_keyEncipherment", CMC_POP, b_pop_kenc, "rfc4211", "ProofOfPossession",
      "{\"@choice\":\"keyEncipherment\","
      "\"keyEncipherment/@choice\":\"subsequentMessage\","
      "\"keyEncipherment/subsequentMessage\":1}"),
    S("pop_keyAgreement", CMC_POP, b_pop_kagree, "rfc4211", "ProofOfPossession",
      "{\"@choice\":\"keyAgreement\",\"keyAgreement/@choice\":\"dhMAC\"}"),
    S("certReqMsg", CMC_CERT_REQ_MSG, b_cert_req_msg, "rfc4211", "CertReqMsg",
      "{\"certReq/certReqId\":11,\"popo/@choice\":\"signature\","
      "\"regInfo/0/type\":\"oid:1.3.6.1.5.5.7.5.1.1\"}"),
    S("singlePubInfo", CMC_SINGLE_PUB_INFO, b_single_pub_info, "rfc4211", "SinglePubInfo",
      "{\"pubMethod\":2,\"pubLocation/uniformResourceIdentifier\":\"str:http://pub.example/\"}"),
    S("pkiPublicationInfo", CMC_PKI_PUBLICATION_INFO, b_pki_publication_info, "rfc4211",
      "PKIPublicationInfo", "{\"action\":1,\"pubInfos/#\":1}"),
};
const size_t cmc_samples_count = sizeof(cmc_samples) / sizeof(cmc_samples[0]);
