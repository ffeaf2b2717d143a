/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/msg/msg_request.c and msg_util.c: requests decode back, signatures and
 * POP verify, SKI and sid agree, body part IDs are unique. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <cmc/client.h>

#include "asn1/asn1_local.h"
#include "msg/msg_local.h"

struct fixture {
    EVP_PKEY *ec;
    EVP_PKEY *ed;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL || cmc_client_keygen("ec:P-256", &f->ec) != CMC_OK
        || cmc_client_keygen("ed25519", &f->ed) != CMC_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    EVP_PKEY_free(f->ec);
    EVP_PKEY_free(f->ed);
    free(f);
    return 0;
}

/* Decode a Full PKI Request into its CMS and PKIData. */
static void decode_full(const struct cmc_client_req *req, CMS_ContentInfo **cms,
                        CMC_PKIDATA **pd)
{
    size_t len;
    const uint8_t *der = cmc_client_req_get0_der(req, &len);
    const unsigned char *p = der;
    ASN1_OCTET_STRING **content;

    *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    assert_non_null(*cms);
    assert_ptr_equal(p, der + len);
    assert_int_equal(OBJ_obj2nid(CMS_get0_type(*cms)), NID_pkcs7_signed);
    assert_int_equal(OBJ_cmp(CMS_get0_eContentType(*cms), cmc_oid_get0(CMC_OID_CCT_PKIDATA)), 0);
    content = CMS_get0_content(*cms);
    assert_non_null(content);
    assert_non_null(*content);
    p = ASN1_STRING_get0_data(*content);
    *pd = d2i_CMC_PKIDATA(NULL, &p, ASN1_STRING_length(*content));
    assert_non_null(*pd);
}

/* Every body part ID (controls, requests by bodyPartID or certReqId) is unique and
 * non-zero (rfc5272bis §3.2.2 / digest §1.1). */
static void assert_unique_ids(const CMC_PKIDATA *pd)
{
    uint32_t ids[16];
    int n = 0;

    for (int i = 0; i < sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence); i++) {
        CMC_TAGGED_ATTRIBUTE *ta = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, i);

        assert_int_equal(cmc_body_part_id_get(ta->bodyPartID, &ids[n++]), CMC_OK);
    }
    for (int i = 0; i < sk_CMC_TAGGED_REQUEST_num(pd->reqSequence); i++) {
        CMC_TAGGED_REQUEST *tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, i);
        const ASN1_INTEGER *a = tr->type == CMC_TAGGED_REQUEST_TCR
                                    ? tr->value.tcr->bodyPartID
                                    : tr->value.crm->certReq->certReqId;

        assert_int_equal(cmc_body_part_id_get(a, &ids[n++]), CMC_OK);
    }
    for (int i = 0; i < n; i++) {
        assert_true(ids[i] != 0);
        for (int j = i + 1; j < n; j++)
            assert_true(ids[i] != ids[j]);
    }
}

static const ASN1_TYPE *control_value(const CMC_PKIDATA *pd, int ctrl)
{
    for (int i = 0; i < sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence); i++) {
        CMC_TAGGED_ATTRIBUTE *ta = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, i);

        if (cmc_oid_control_num(ta->attrType) == ctrl) {
            assert_int_equal(sk_ASN1_TYPE_num(ta->attrValues), 1);
            return sk_ASN1_TYPE_value(ta->attrValues, 0);
        }
    }
    return NULL;
}

static void assert_standard_controls(const CMC_PKIDATA *pd, const char *profile)
{
    const ASN1_TYPE *t;

    t = control_value(pd, CMC_CTRL_TRANSACTION_ID);
    assert_non_null(t);
    assert_int_equal(t->type, V_ASN1_INTEGER);
    assert_int_equal(ASN1_STRING_type(t->value.integer), V_ASN1_INTEGER); /* positive */
    t = control_value(pd, CMC_CTRL_SENDER_NONCE);
    assert_non_null(t);
    assert_int_equal(t->type, V_ASN1_OCTET_STRING);
    assert_int_equal(ASN1_STRING_length(t->value.octet_string), 16);
    t = control_value(pd, CMC_CTRL_REG_INFO);
    if (profile == NULL) {
        assert_null(t);
    } else {
        char want[64];

        snprintf(want, sizeof(want), "profile=%s", profile);
        assert_non_null(t);
        assert_int_equal(t->type, V_ASN1_OCTET_STRING);
        assert_int_equal(ASN1_STRING_length(t->value.octet_string), (int)strlen(want));
        assert_memory_equal(ASN1_STRING_get0_data(t->value.octet_string), want, strlen(want));
    }
}

/* The SKI extension value must be SHA-1 of the public key bits. */
static void assert_ski(const STACK_OF(X509_EXTENSION) *exts, EVP_PKEY *key,
                       ASN1_OCTET_STRING **ski_out)
{
    uint8_t want[20];
    ASN1_OCTET_STRING *ski;
    int crit = 0;

    ski = X509V3_get_d2i(exts, NID_subject_key_identifier, &crit, NULL);
    assert_non_null(ski);
    assert_int_equal(cmci_msg_key_id(key, want), CMC_OK);
    assert_int_equal(ASN1_STRING_length(ski), 20);
    assert_memory_equal(ASN1_STRING_get0_data(ski), want, 20);
    *ski_out = ski;
}

/* The single SignerInfo names the SKI and verifies with a throwaway cert of the key. */
static void assert_keyid_signed(CMS_ContentInfo *cms, EVP_PKEY *key,
                                const ASN1_OCTET_STRING *ski)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    ASN1_OCTET_STRING *keyid = NULL;
    X509_NAME *iss = NULL;
    ASN1_INTEGER *sno = NULL;
    STACK_OF(X509) *certs = sk_X509_new_null();
    X509 *tmp = NULL;
    BIO *out = BIO_new(BIO_s_mem());

    assert_int_equal(sk_CMS_SignerInfo_num(sis), 1);
    assert_int_equal(CMS_SignerInfo_get0_signer_id(sk_CMS_SignerInfo_value(sis, 0), &keyid,
                                                   &iss, &sno), 1);
    assert_non_null(keyid);
    assert_null(iss);
    assert_int_equal(ASN1_OCTET_STRING_cmp(keyid, ski), 0);
    /* Signed attributes are present (contentType, messageDigest). */
    assert_true(CMS_signed_get_attr_count(sk_CMS_SignerInfo_value(sis, 0)) >= 2);

    assert_int_equal(cmci_msg_keyid_cert(key, &tmp), CMC_OK);
    assert_true(sk_X509_push(certs, tmp) > 0);
    assert_int_equal(CMS_verify(cms, certs, NULL, NULL, out,
                                CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY), 1);
    assert_null(CMS_get1_certs(cms)); /* no certificates in the bag */
    sk_X509_pop_free(certs, X509_free);
    BIO_free(out);
}

static void test_req_new__simple_is_signed_pkcs10(void **state)
{
    struct fixture *f = *state;
    const char *dns[] = {"a.example", "b.example"};
    struct cmc_request_params p = {.subject = "/CN=host/O=Example", .key = f->ec,
                                   .dns = dns, .dns_count = 2};
    struct cmc_client_req *req = NULL;
    const unsigned char *der;
    size_t len;
    X509_REQ *x;
    STACK_OF(X509_EXTENSION) *exts;
    GENERAL_NAMES *gens;
    char cn[64];

    assert_int_equal(cmc_client_req_new(&p, &req), CMC_OK);
    assert_string_equal(cmc_client_req_get0_content_type(req), "application/pkcs10");
    der = cmc_client_req_get0_der(req, &len);
    x = d2i_X509_REQ(NULL, &der, (long)len);
    assert_non_null(x);
    assert_int_equal(X509_REQ_verify(x, f->ec), 1);
    assert_int_equal(X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(x), NID_commonName,
                                               cn, sizeof(cn)), 4);
    assert_string_equal(cn, "host");
    exts = X509_REQ_get_extensions(x);
    gens = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
    assert_non_null(gens);
    assert_int_equal(sk_GENERAL_NAME_num(gens), 2);
    GENERAL_NAMES_free(gens);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(x);
    cmc_client_req_free(req);
}

static void full_p10_roundtrip(EVP_PKEY *key)
{
    struct cmc_request_params p = {.subject = "/CN=full", .key = key, .full = 1,
                                   .profile = "server"};
    struct cmc_client_req *req = NULL;
    CMS_ContentInfo *cms;
    CMC_PKIDATA *pd;
    CMC_TAGGED_REQUEST *tr;
    CMC_P10 *x;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    ASN1_OCTET_STRING *ski;
    uint32_t id;

    assert_int_equal(cmc_client_req_new(&p, &req), CMC_OK);
    assert_string_equal(cmc_client_req_get0_content_type(req),
                        "application/pkcs7-mime; smime-type=CMC-request");
    decode_full(req, &cms, &pd);
    assert_int_equal(sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence), 3);
    assert_standard_controls(pd, "server");
    assert_int_equal(sk_CMC_TAGGED_REQUEST_num(pd->reqSequence), 1);
    assert_int_equal(sk_CMC_TAGGED_CONTENT_INFO_num(pd->cmsSequence), 0);
    assert_int_equal(sk_CMC_OTHER_MSG_num(pd->otherMsgSequence), 0);
    assert_unique_ids(pd);
    tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, 0);
    assert_int_equal(tr->type, CMC_TAGGED_REQUEST_TCR);
    assert_int_equal(cmc_body_part_id_get(tr->value.tcr->bodyPartID, &id), CMC_OK);
    assert_int_equal(id, 1);
    x = tr->value.tcr->certificationRequest;
    assert_int_equal(cmc_p10_verify(x, key), CMC_OK);
    assert_int_equal(cmc_p10_get1_extensions(x, &exts), CMC_OK);
    assert_ski(exts, key, &ski);
    assert_keyid_signed(cms, key, ski);
    ASN1_OCTET_STRING_free(ski);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    CMC_PKIDATA_free(pd);
    CMS_ContentInfo_free(cms);
    cmc_client_req_free(req);
}

static void test_req_new__full_p10_decodes_and_verifies(void **state)
{
    struct fixture *f = *state;

    full_p10_roundtrip(f->ec);
}

/* RFC 8419 SignerInfo of an EdDSA key signing its own Full request (msg_request.c
 * sign_eddsa, since OpenSSL 3.0's CMS cannot): sid = SKI, digestAlgorithm SHA-512 (Ed25519)
 * or SHAKE256 (Ed448) with no parameters, contentType and messageDigest signed attributes,
 * signatureAlgorithm id-Ed25519/id-Ed448 with no parameters, and a PureEdDSA signature over
 * the DER of the signed attributes that verifies with the key. */
static void eddsa_self_signed(EVP_PKEY *key, int sig_nid, int md_nid, size_t md_len)
{
    struct cmc_request_params p = {.subject = "/CN=ed", .key = key, .full = 1};
    struct cmc_client_req *req = NULL;
    CMS_ContentInfo *cms;
    CMC_PKIDATA *pd;
    CMS_SignerInfo *si;
    X509_ALGOR *dig = NULL, *sig = NULL;
    ASN1_OCTET_STRING *keyid = NULL, *ski = NULL, **content;
    X509_NAME *iss = NULL;
    ASN1_INTEGER *sno = NULL;
    const ASN1_OBJECT *ct;
    const ASN1_OCTET_STRING *md_attr;
    unsigned char dgst[64], *abuf = NULL;
    int alen = 0;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    STACK_OF(X509_EXTENSION) *exts = NULL;

    assert_int_equal(cmc_client_req_new(&p, &req), CMC_OK);
    decode_full(req, &cms, &pd);
    assert_int_equal(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)), 1);
    si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    assert_int_equal(CMS_SignerInfo_get0_signer_id(si, &keyid, &iss, &sno), 1);
    assert_int_equal(cmc_p10_get1_extensions(
                         sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, 0)->value.tcr->certificationRequest,
                         &exts), CMC_OK);
    assert_ski(exts, key, &ski);
    assert_int_equal(ASN1_OCTET_STRING_cmp(keyid, ski), 0);
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
    assert_int_equal(OBJ_obj2nid(dig->algorithm), md_nid);
    assert_null(dig->parameter);
    assert_int_equal(OBJ_obj2nid(sig->algorithm), sig_nid);
    assert_null(sig->parameter);
    ct = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
    assert_non_null(ct);
    assert_int_equal(OBJ_cmp(ct, cmc_oid_get0(CMC_OID_CCT_PKIDATA)), 0);
    md_attr = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
                                          V_ASN1_OCTET_STRING);
    assert_non_null(md_attr);
    content = CMS_get0_content(cms);
    assert_true(content != NULL && *content != NULL);
    assert_int_equal(EVP_DigestInit_ex(mctx, EVP_get_digestbynid(md_nid), NULL), 1);
    assert_int_equal(EVP_DigestUpdate(mctx, (*content)->data, (size_t)(*content)->length), 1);
    if (md_nid == NID_shake256)
        assert_int_equal(EVP_DigestFinalXOF(mctx, dgst, md_len), 1);
    else
        assert_int_equal(EVP_DigestFinal_ex(mctx, dgst, NULL), 1);
    assert_int_equal(md_attr->length, (int)md_len);
    assert_memory_equal(md_attr->data, dgst, md_len);
    assert_int_equal(cmci_signed_attrs_der(si, &abuf, &alen), CMC_OK);
    EVP_MD_CTX_reset(mctx);
    assert_int_equal(EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, key), 1);
    assert_int_equal(EVP_DigestVerify(mctx, CMS_SignerInfo_get0_signature(si)->data,
                                      (size_t)CMS_SignerInfo_get0_signature(si)->length, abuf,
                                      (size_t)alen), 1);
    assert_null(CMS_get1_certs(cms)); /* no certificates in the bag */
    OPENSSL_free(abuf);
    EVP_MD_CTX_free(mctx);
    ASN1_OCTET_STRING_free(ski);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    CMC_PKIDATA_free(pd);
    CMS_ContentInfo_free(cms);
    cmc_client_req_free(req);
}

static void test_req_new__full_ed25519_self_signed(void **state)
{
    struct fixture *f = *state;

    eddsa_self_signed(f->ed, NID_ED25519, NID_sha512, 64);
}

static void test_req_new__full_ed448_self_signed(void **state)
{
    EVP_PKEY *key = NULL;

    (void)state;
    assert_int_equal(cmc_client_keygen("ed448", &key), CMC_OK);
    eddsa_self_signed(key, NID_ED448, NID_shake256, 64);
    EVP_PKEY_free(key);
}

static void full_crmf_roundtrip(EVP_PKEY *key, X509 *op, EVP_PKEY *op_key)
{
    const char *dns[] = {"crmf.example"};
    struct cmc_request_params p = {.subject = "/CN=crmf/O=Example", .key = key, .full = 1,
                                   .crmf = 1, .dns = dns, .dns_count = 1,
                                   .signer_cert = op, .signer_key = op_key};
    struct cmc_client_req *req = NULL;
    CMS_ContentInfo *cms;
    CMC_PKIDATA *pd;
    CMC_TAGGED_REQUEST *tr;
    CMC_CERT_REQ_MSG *crm;
    CMC_POPO_SIGNING_KEY *sig;
    ASN1_OCTET_STRING *ski;
    EVP_PKEY *tpk;
    uint32_t id;

    assert_int_equal(cmc_client_req_new(&p, &req), CMC_OK);
    decode_full(req, &cms, &pd);
    assert_int_equal(sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence), 2);
    assert_standard_controls(pd, NULL);
    assert_unique_ids(pd);
    tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, 0);
    assert_int_equal(tr->type, CMC_TAGGED_REQUEST_CRM);
    crm = tr->value.crm;
    assert_int_equal(cmc_body_part_id_get(crm->certReq->certReqId, &id), CMC_OK);
    assert_int_equal(id, 1);
    assert_null(crm->regInfo); /* rfc5272bis §3.2.1.3: MUST NOT be used */
    assert_non_null(crm->certReq->certTemplate->subject);
    assert_int_equal(cmc_spki_get1_pkey(crm->certReq->certTemplate->publicKey, &tpk), CMC_OK);
    assert_int_equal(EVP_PKEY_eq(tpk, key), 1);
    EVP_PKEY_free(tpk);
    if (op == NULL)
        assert_ski(crm->certReq->certTemplate->extensions, key, &ski);
    else
        ski = NULL;

    /* POP: POPOSigningKey without poposkInput, over DER(CertRequest) as received. */
    assert_non_null(crm->popo);
    assert_int_equal(crm->popo->type, CMC_POP_SIGNATURE);
    sig = crm->popo->value.signature;
    assert_null(sig->poposkInput);
    assert_int_equal(ASN1_item_verify(ASN1_ITEM_rptr(CMC_CERT_REQUEST), sig->algorithmIdentifier,
                                      sig->signature, crm->certReq, key), 1);
    if (op == NULL)
        assert_keyid_signed(cms, key, ski);
    ASN1_OCTET_STRING_free(ski);
    CMC_PKIDATA_free(pd);
    CMS_ContentInfo_free(cms);
    cmc_client_req_free(req);
}

/* A self-signed operator certificate. */
static void make_operator(X509 **op_out, EVP_PKEY **key_out, X509_NAME **name_out)
{
    EVP_PKEY *op_key = NULL;
    X509 *op = X509_new();
    X509_NAME *n = NULL;

    assert_int_equal(cmc_client_keygen("ec:P-256", &op_key), CMC_OK);
    assert_int_equal(cmc_client_parse_dn("/CN=operator", &n), CMC_OK);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(op), 7), 1);
    assert_int_equal(X509_set_subject_name(op, n), 1);
    assert_int_equal(X509_set_issuer_name(op, n), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(op), 0));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(op), 3600));
    assert_int_equal(X509_set_pubkey(op, op_key), 1);
    assert_true(X509_sign(op, op_key, EVP_sha256()) > 0);
    *op_out = op;
    *key_out = op_key;
    *name_out = n;
}

static void test_req_new__full_crmf_pop_verifies(void **state)
{
    struct fixture *f = *state;

    full_crmf_roundtrip(f->ec, NULL, NULL);
}

/* The CRMF POP itself is signed with Ed25519 (no digest); the wrapper by an operator. */
static void test_req_new__full_crmf_ed25519_pop_verifies(void **state)
{
    struct fixture *f = *state;
    X509 *op;
    EVP_PKEY *op_key;
    X509_NAME *n;

    make_operator(&op, &op_key, &n);
    full_crmf_roundtrip(f->ed, op, op_key);
    X509_NAME_free(n);
    X509_free(op);
    EVP_PKEY_free(op_key);
}

static void test_req_new__operator_signed_uses_issuer_serial(void **state)
{
    struct fixture *f = *state;
    EVP_PKEY *op_key;
    X509 *op;
    X509_NAME *n;
    struct cmc_request_params p = {.subject = "/CN=dev", .key = f->ec, .full = 1};
    struct cmc_client_req *req = NULL;
    CMS_ContentInfo *cms;
    CMC_PKIDATA *pd;
    STACK_OF(CMS_SignerInfo) *sis;
    STACK_OF(X509) *bag;
    ASN1_OCTET_STRING *keyid = NULL;
    X509_NAME *iss = NULL;
    ASN1_INTEGER *sno = NULL;
    CMC_P10 *x;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    BIO *out = BIO_new(BIO_s_mem());

    make_operator(&op, &op_key, &n);
    p.signer_cert = op;
    p.signer_key = op_key;

    assert_int_equal(cmc_client_req_new(&p, &req), CMC_OK);
    decode_full(req, &cms, &pd);
    sis = CMS_get0_SignerInfos(cms);
    assert_int_equal(sk_CMS_SignerInfo_num(sis), 1);
    assert_int_equal(CMS_SignerInfo_get0_signer_id(sk_CMS_SignerInfo_value(sis, 0), &keyid,
                                                   &iss, &sno), 1);
    assert_null(keyid);
    assert_int_equal(X509_NAME_cmp(iss, n), 0);
    assert_int_equal(ASN1_INTEGER_get(sno), 7);
    bag = CMS_get1_certs(cms);
    assert_int_equal(sk_X509_num(bag), 1);
    assert_int_equal(CMS_verify(cms, NULL, NULL, NULL, out,
                                CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY), 1);
    /* Not self-signed: no SKI is added to the request. */
    x = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, 0)->value.tcr->certificationRequest;
    assert_int_equal(cmc_p10_get1_extensions(x, &exts), CMC_OK);
    assert_null(X509V3_get_d2i(exts, NID_subject_key_identifier, NULL, NULL));
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    sk_X509_pop_free(bag, X509_free);
    BIO_free(out);
    CMC_PKIDATA_free(pd);
    CMS_ContentInfo_free(cms);
    cmc_client_req_free(req);
    X509_NAME_free(n);
    X509_free(op);
    EVP_PKEY_free(op_key);
}

static void test_req_new__two_requests_differ_in_tid_and_nonce(void **state)
{
    struct fixture *f = *state;
    struct cmc_request_params p = {.subject = "/CN=x", .key = f->ec, .full = 1};
    struct cmc_client_req *a = NULL, *b = NULL;

    assert_int_equal(cmc_client_req_new(&p, &a), CMC_OK);
    assert_int_equal(cmc_client_req_new(&p, &b), CMC_OK);
    assert_int_not_equal(ASN1_INTEGER_cmp(a->tid, b->tid), 0);
    assert_true(memcmp(a->nonce, b->nonce, sizeof(a->nonce)) != 0);
    cmc_client_req_free(a);
    cmc_client_req_free(b);
}

static void test_req_new__bad_params_are_usage_errors(void **state)
{
    struct fixture *f = *state;
    const char *bad_dns[] = {"bad name"};
    struct cmc_request_params p = {.subject = "/CN=x", .key = f->ec, .crmf = 1};
    struct cmc_client_req *req = (void *)1;

    assert_int_equal(cmc_client_req_new(&p, &req), CMC_ERR_USAGE); /* CRMF needs full */
    assert_null(req);
    p.crmf = 0;
    p.subject = "CN=x";
    assert_int_equal(cmc_client_req_new(&p, &req), CMC_ERR_USAGE);
    p.subject = "/XX=x";
    assert_int_equal(cmc_client_req_new(&p, &req), CMC_ERR_USAGE);
    p.subject = "/CN=x";
    p.dns = bad_dns;
    p.dns_count = 1;
    assert_int_equal(cmc_client_req_new(&p, &req), CMC_ERR_USAGE);
    p.dns_count = 0;
    p.full = 1;
    p.profile = "";
    assert_int_equal(cmc_client_req_new(&p, &req), CMC_ERR_USAGE);
    assert_null(req);
}

static void test_parse_dn__escapes_and_empty(void **state)
{
    X509_NAME *n = NULL;
    char buf[64];

    assert_int_equal(cmc_client_parse_dn("/CN=a\\/b/O=Org=x", &n), CMC_OK);
    assert_int_equal(X509_NAME_entry_count(n), 2);
    X509_NAME_get_text_by_NID(n, NID_commonName, buf, sizeof(buf));
    assert_string_equal(buf, "a/b");
    X509_NAME_get_text_by_NID(n, NID_organizationName, buf, sizeof(buf));
    assert_string_equal(buf, "Org=x");
    X509_NAME_free(n);
    assert_int_equal(cmc_client_parse_dn("", &n), CMC_OK);
    assert_int_equal(X509_NAME_entry_count(n), 0);
    X509_NAME_free(n);
    assert_int_equal(cmc_client_parse_dn("/CN=x/", &n), CMC_OK);
    assert_int_equal(X509_NAME_entry_count(n), 1);
    X509_NAME_free(n);
    assert_int_equal(cmc_client_parse_dn("/CN=", &n), CMC_ERR_USAGE);
    assert_null(n);
    assert_int_equal(cmc_client_parse_dn("/CN", &n), CMC_ERR_USAGE);
    assert_int_equal(cmc_client_parse_dn("//CN=x", &n), CMC_ERR_USAGE);
}

static void test_keygen__types(void **state)
{
    EVP_PKEY *k = NULL;

    assert_int_equal(cmc_client_keygen("ec:P-384", &k), CMC_OK);
    assert_int_equal(EVP_PKEY_get_bits(k), 384);
    EVP_PKEY_free(k);
    assert_int_equal(cmc_client_keygen("rsa:1024", &k), CMC_ERR_USAGE);
    assert_null(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req_new__simple_is_signed_pkcs10),
        cmocka_unit_test(test_req_new__full_p10_decodes_and_verifies),
        cmocka_unit_test(test_req_new__full_ed25519_self_signed),
        cmocka_unit_test(test_req_new__full_ed448_self_signed),
        cmocka_unit_test(test_req_new__full_crmf_pop_verifies),
        cmocka_unit_test(test_req_new__full_crmf_ed25519_pop_verifies),
        cmocka_unit_test(test_req_new__operator_signed_uses_issuer_serial),
        cmocka_unit_test(test_req_new__two_requests_differ_in_tid_and_nonce),
        cmocka_unit_test(test_req_new__bad_params_are_usage_errors),
        cmocka_unit_test(test_parse_dn__escapes_and_empty),
        cmocka_unit_test(test_keygen__types),
    };

    return cmocka_run_group_tests_name("msg_request", tests, setup, teardown);
}
