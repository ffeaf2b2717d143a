/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/msg/msg_response.c and msg_client.c: certs-only and signed PKIResponses
 * built here with a test CA, failures reported by name, forged or foreign answers refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/x509v3.h>

#include <cmc/client.h>

#include "asn1/asn1_local.h"
#include "msg/msg_local.h"

struct fixture {
    EVP_PKEY *ca_key, *other_key, *key;
    X509 *ca, *other_ca;
    struct cmc_client_req *full, *simple;
};

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

/* A certificate for @p pub named @p cn, issued by @p issuer (self-signed when NULL). */
static X509 *make_cert(const char *cn, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *issuer_key,
                       int ca)
{
    X509 *x = X509_new();
    X509_NAME *n = NULL;
    static long serial = 100;

    assert_int_equal(cmc_client_parse_dn(cn, &n), CMC_OK);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
    assert_int_equal(X509_set_subject_name(x, n), 1);
    assert_int_equal(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -60));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    assert_int_equal(X509_set_pubkey(x, pub), 1);
    add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash");
    if (ca) {
        add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
        add_ext(x, x, NID_ext_key_usage, "1.3.6.1.5.5.7.3.27");
    } else {
        add_ext(x, issuer, NID_authority_key_identifier, "keyid");
        add_ext(x, x, NID_basic_constraints, "critical,CA:FALSE");
    }
    assert_true(X509_sign(x, issuer_key, EVP_sha256()) > 0);
    X509_NAME_free(n);
    return x;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct cmc_request_params p = {.subject = "/CN=client", .key = NULL};

    if (f == NULL || cmc_client_keygen("ec:P-256", &f->ca_key) != CMC_OK
        || cmc_client_keygen("ec:P-256", &f->other_key) != CMC_OK
        || cmc_client_keygen("ec:P-256", &f->key) != CMC_OK)
        return -1;
    f->ca = make_cert("/CN=Test CA", f->ca_key, NULL, f->ca_key, 1);
    f->other_ca = make_cert("/CN=Test CA", f->other_key, NULL, f->other_key, 1);
    p.key = f->key;
    if (cmc_client_req_new(&p, &f->simple) != CMC_OK)
        return -1;
    p.full = 1;
    if (cmc_client_req_new(&p, &f->full) != CMC_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    cmc_client_req_free(f->full);
    cmc_client_req_free(f->simple);
    X509_free(f->ca);
    X509_free(f->other_ca);
    EVP_PKEY_free(f->ca_key);
    EVP_PKEY_free(f->other_key);
    EVP_PKEY_free(f->key);
    free(f);
    return 0;
}

static uint8_t *to_der(CMS_ContentInfo *cms, size_t *len)
{
    unsigned char *buf = NULL;
    int n = i2d_CMS_ContentInfo(cms, &buf);

    assert_true(n > 0);
    *len = (size_t)n;
    return buf;
}

/* Simple PKI Response: certs-only SignedData (rfc5272bis §4.1). */
static uint8_t *certs_only(STACK_OF(X509) *bag, size_t *len)
{
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, bag, NULL, CMS_PARTIAL | CMS_DETACHED);
    uint8_t *der;

    assert_non_null(cms);
    assert_int_equal(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)), 0);
    der = to_der(cms, len);
    CMS_ContentInfo_free(cms);
    return der;
}

static void push_ctrl(CMC_PKIRESPONSE *pr, uint32_t bpid, int ctrl, ASN1_TYPE *v)
{
    CMC_TAGGED_ATTRIBUTE *ta = CMC_TAGGED_ATTRIBUTE_new();

    assert_non_null(ta);
    ASN1_INTEGER_free(ta->bodyPartID);
    ta->bodyPartID = cmc_body_part_id_new(bpid);
    ASN1_OBJECT_free(ta->attrType);
    ta->attrType = OBJ_dup(cmc_oid_get0_control(ctrl));
    if (ta->attrValues == NULL)
        ta->attrValues = sk_ASN1_TYPE_new_null();
    assert_true(sk_ASN1_TYPE_push(ta->attrValues, v) > 0);
    assert_true(sk_CMC_TAGGED_ATTRIBUTE_push(pr->controlSequence, ta) > 0);
}

static ASN1_TYPE *status_v2(long status, long fail, const char *text)
{
    CMC_STATUS_INFO_V2 *si = CMC_STATUS_INFO_V2_new();
    CMC_BODY_PART_REFERENCE *ref = CMC_BODY_PART_REFERENCE_new();
    ASN1_TYPE *t;

    assert_non_null(si);
    assert_non_null(ref);
    if (si->cMCStatus == NULL)
        si->cMCStatus = ASN1_INTEGER_new();
    assert_int_equal(ASN1_INTEGER_set(si->cMCStatus, status), 1);
    ref->type = CMC_BODY_PART_REFERENCE_ID;
    ref->value.bodyPartID = cmc_body_part_id_new(1);
    if (si->bodyList == NULL)
        si->bodyList = sk_CMC_BODY_PART_REFERENCE_new_null();
    assert_true(sk_CMC_BODY_PART_REFERENCE_push(si->bodyList, ref) > 0);
    if (text != NULL) {
        si->statusString = ASN1_UTF8STRING_new();
        assert_int_equal(ASN1_STRING_set(si->statusString, text, -1), 1);
    }
    if (fail >= 0) {
        si->otherInfo = CMC_OTHER_STATUS_INFO_new();
        si->otherInfo->type = CMC_OTHER_STATUS_INFO_FAIL;
        si->otherInfo->value.failInfo = ASN1_INTEGER_new();
        assert_int_equal(ASN1_INTEGER_set(si->otherInfo->value.failInfo, fail), 1);
    }
    t = ASN1_TYPE_pack_sequence(ASN1_ITEM_rptr(CMC_STATUS_INFO_V2), si, NULL);
    assert_non_null(t);
    CMC_STATUS_INFO_V2_free(si);
    return t;
}

struct resp_spec {
    long status;
    long fail;
    const char *text;
    int bad_nonce;
    int no_echo;
};

/* A PKIResponse echoing @p req's transactionId and nonce, signed by @p signer. */
static uint8_t *full_response(const struct cmc_client_req *req, const struct resp_spec *s,
                              X509 *signer, EVP_PKEY *signer_key, STACK_OF(X509) *bag,
                              size_t *len)
{
    CMC_PKIRESPONSE *pr = CMC_PKIRESPONSE_new();
    ASN1_TYPE *t;
    ASN1_OCTET_STRING *os;
    unsigned char *pd = NULL;
    int pd_len;
    uint8_t nonce[CMCI_NONCE_LEN];
    BIO *in;
    CMS_ContentInfo *cms;
    uint8_t *der;
    const unsigned int flags = CMS_BINARY | CMS_PARTIAL;

    assert_non_null(pr);
    if (pr->controlSequence == NULL)
        pr->controlSequence = sk_CMC_TAGGED_ATTRIBUTE_new_null();
    push_ctrl(pr, 1, CMC_CTRL_STATUS_INFO_V2, status_v2(s->status, s->fail, s->text));
    if (!s->no_echo) {
        t = ASN1_TYPE_new();
        ASN1_TYPE_set(t, V_ASN1_INTEGER, ASN1_INTEGER_dup(req->tid));
        push_ctrl(pr, 2, CMC_CTRL_TRANSACTION_ID, t);
        memcpy(nonce, req->nonce, sizeof(nonce));
        if (s->bad_nonce)
            nonce[0] ^= 1;
        os = ASN1_OCTET_STRING_new();
        assert_int_equal(ASN1_OCTET_STRING_set(os, nonce, sizeof(nonce)), 1);
        t = ASN1_TYPE_new();
        ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, os);
        push_ctrl(pr, 3, CMC_CTRL_RECIPIENT_NONCE, t);
    }
    pd_len = i2d_CMC_PKIRESPONSE(pr, &pd);
    assert_true(pd_len > 0);

    cms = CMS_sign(signer, signer_key, bag, NULL, flags);
    assert_non_null(cms);
    assert_int_equal(CMS_set1_eContentType(cms, cmc_oid_get0(CMC_OID_CCT_PKIRESPONSE)), 1);
    in = BIO_new_mem_buf(pd, pd_len);
    assert_int_equal(CMS_final(cms, in, NULL, flags), 1);
    der = to_der(cms, len);
    BIO_free(in);
    CMS_ContentInfo_free(cms);
    OPENSSL_free(pd);
    CMC_PKIRESPONSE_free(pr);
    return der;
}

static STACK_OF(X509) *bag_of(X509 *a, X509 *b)
{
    STACK_OF(X509) *sk = sk_X509_new_null();

    assert_true(sk_X509_push(sk, a) > 0);
    if (b != NULL)
        assert_true(sk_X509_push(sk, b) > 0);
    return sk;
}

static void test_parse__simple_response_returns_cert_and_chain(void **state)
{
    struct fixture *f = *state;
    X509 *leaf = make_cert("/CN=client", f->key, f->ca, f->ca_key, 0);
    STACK_OF(X509) *bag = bag_of(f->ca, leaf); /* order must not matter */
    struct cmc_enroll_result *res = NULL;
    size_t len;
    uint8_t *der = certs_only(bag, &len);

    assert_int_equal(cmc_client_parse_response(f->simple, f->ca, der, len, &res), CMC_OK);
    assert_non_null(res);
    assert_int_equal(res->full_response, 0);
    assert_int_equal(X509_cmp(res->cert, leaf), 0);
    assert_int_equal(sk_X509_num(res->chain), 1);
    assert_int_equal(X509_cmp(sk_X509_value(res->chain, 0), f->ca), 0);
    assert_string_equal(res->status_name, "success");
    cmc_enroll_result_free(res);
    OPENSSL_free(der);
    sk_X509_free(bag);
    X509_free(leaf);
}

static void test_parse__full_success(void **state)
{
    struct fixture *f = *state;
    X509 *leaf = make_cert("/CN=client", f->key, f->ca, f->ca_key, 0);
    STACK_OF(X509) *bag = bag_of(leaf, NULL);
    struct resp_spec s = {.status = CMC_STATUS_SUCCESS, .fail = -1};
    struct cmc_enroll_result *res = NULL;
    size_t len;
    uint8_t *der = full_response(f->full, &s, f->ca, f->ca_key, bag, &len);

    assert_int_equal(cmc_client_parse_response(f->full, f->ca, der, len, &res), CMC_OK);
    assert_int_equal(res->full_response, 1);
    assert_int_equal(X509_cmp(res->cert, leaf), 0);
    assert_int_equal(res->status_count, 1);
    assert_int_equal(res->statuses[0].version, 2);
    assert_int_equal(res->statuses[0].body_count, 1);
    assert_int_equal(res->statuses[0].body_list[0], 1);
    assert_int_equal(res->status, CMC_STATUS_SUCCESS);
    cmc_enroll_result_free(res);
    OPENSSL_free(der);
    sk_X509_free(bag);
    X509_free(leaf);
}

static void failed_case(void **state, long fail, const char *name, cmc_err want)
{
    struct fixture *f = *state;
    struct resp_spec s = {.status = CMC_STATUS_FAILED, .fail = fail,
                          .text = "unknown profile \"x\""};
    struct cmc_enroll_result *res = NULL;
    size_t len;
    uint8_t *der = full_response(f->full, &s, f->ca, f->ca_key, NULL, &len);

    assert_int_equal(cmc_client_parse_response(f->full, f->ca, der, len, &res), want);
    assert_non_null(res);
    assert_null(res->cert);
    assert_string_equal(res->status_name, "failed");
    assert_string_equal(res->fail_info_name, name);
    assert_string_equal(res->status_string, "unknown profile \"x\"");
    cmc_enroll_result_free(res);
    OPENSSL_free(der);
}

static void test_parse__failed_status_gives_names(void **state)
{
    failed_case(state, CMC_FAIL_BAD_REQUEST, "badRequest", CMC_ERR_BAD_REQUEST);
    failed_case(state, CMC_FAIL_BAD_IDENTITY, "badIdentity", CMC_ERR_NOT_AUTHORIZED);
    failed_case(state, CMC_FAIL_POP_FAILED, "popFailed", CMC_ERR_BAD_POP);
}

/* A failure sent before the server read our controls may lack the echo; it still counts. */
static void test_parse__failure_without_echo_is_reported(void **state)
{
    struct fixture *f = *state;
    struct resp_spec s = {.status = CMC_STATUS_FAILED, .fail = CMC_FAIL_BAD_MESSAGE_CHECK,
                          .no_echo = 1};
    struct cmc_enroll_result *res = NULL;
    size_t len;
    uint8_t *der = full_response(f->full, &s, f->ca, f->ca_key, NULL, &len);

    assert_int_equal(cmc_client_parse_response(f->full, f->ca, der, len, &res),
                     CMC_ERR_BAD_MESSAGE_CHECK);
    assert_null(res->status_string);
    cmc_enroll_result_free(res);
    OPENSSL_free(der);
}

static void test_parse__wrong_signer_is_verify_error(void **state)
{
    struct fixture *f = *state;
    X509 *leaf = make_cert("/CN=client", f->key, f->ca, f->ca_key, 0);
    STACK_OF(X509) *bag = bag_of(leaf, NULL);
    struct resp_spec s = {.status = CMC_STATUS_SUCCESS, .fail = -1};
    struct cmc_enroll_result *res = (void *)1;
    size_t len;
    /* Same name as the real CA, different key. */
    uint8_t *der = full_response(f->full, &s, f->other_ca, f->other_key, bag, &len);

    assert_int_equal(cmc_client_parse_response(f->full, f->ca, der, len, &res), CMC_ERR_VERIFY);
    assert_null(res);
    OPENSSL_free(der);
    sk_X509_free(bag);
    X509_free(leaf);
}

static void test_parse__cert_for_another_key_is_refused(void **state)
{
    struct fixture *f = *state;
    X509 *leaf = make_cert("/CN=client", f->other_key, f->ca, f->ca_key, 0);
    STACK_OF(X509) *bag = bag_of(leaf, NULL); /* the signer adds the CA itself */
    struct resp_spec s = {.status = CMC_STATUS_SUCCESS, .fail = -1};
    struct cmc_enroll_result *res = (void *)1;
    size_t len;
    uint8_t *der = full_response(f->full, &s, f->ca, f->ca_key, bag, &len);
    uint8_t *simple;

    assert_int_equal(cmc_client_parse_response(f->full, f->ca, der, len, &res), CMC_ERR_VERIFY);
    assert_null(res);
    assert_true(sk_X509_push(bag, f->ca) > 0);
    simple = certs_only(bag, &len);
    assert_int_equal(cmc_client_parse_response(f->simple, f->ca, simple, len, &res),
                     CMC_ERR_VERIFY);
    OPENSSL_free(simple);
    OPENSSL_free(der);
    sk_X509_free(bag);
    X509_free(leaf);
}

/* Our key, but issued by someone else: must not chain to the given CA. */
static void test_parse__cert_from_other_ca_is_refused(void **state)
{
    struct fixture *f = *state;
    X509 *leaf = make_cert("/CN=client", f->key, f->other_ca, f->other_key, 0);
    STACK_OF(X509) *bag = bag_of(leaf, f->other_ca);
    struct cmc_enroll_result *res = (void *)1;
    size_t len;
    uint8_t *der = certs_only(bag, &len);

    assert_int_equal(cmc_client_parse_response(f->simple, f->ca, der, len, &res),
                     CMC_ERR_VERIFY);
    assert_null(res);
    OPENSSL_free(der);
    sk_X509_free(bag);
    X509_free(leaf);
}

static void test_parse__wrong_nonce_is_replay(void **state)
{
    struct fixture *f = *state;
    X509 *leaf = make_cert("/CN=client", f->key, f->ca, f->ca_key, 0);
    STACK_OF(X509) *bag = bag_of(leaf, NULL);
    struct resp_spec s = {.status = CMC_STATUS_SUCCESS, .fail = -1, .bad_nonce = 1};
    struct cmc_enroll_result *res = NULL;
    size_t len;
    uint8_t *der = full_response(f->full, &s, f->ca, f->ca_key, bag, &len);

    assert_int_equal(cmc_client_parse_response(f->full, f->ca, der, len, &res), CMC_ERR_REPLAY);
    assert_null(res);
    s.bad_nonce = 0;
    s.no_echo = 1;
    OPENSSL_free(der);
    der = full_response(f->full, &s, f->ca, f->ca_key, bag, &len);
    assert_int_equal(cmc_client_parse_response(f->full, f->ca, der, len, &res), CMC_ERR_REPLAY);
    OPENSSL_free(der);
    sk_X509_free(bag);
    X509_free(leaf);
}

static void test_parse__garbage_and_trailing_bytes_are_decode_errors(void **state)
{
    struct fixture *f = *state;
    X509 *leaf = make_cert("/CN=client", f->key, f->ca, f->ca_key, 0);
    STACK_OF(X509) *bag = bag_of(leaf, NULL);
    struct cmc_enroll_result *res = NULL;
    size_t len;
    uint8_t *der = certs_only(bag, &len);
    uint8_t *longer = OPENSSL_malloc(len + 1);
    const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};

    memcpy(longer, der, len);
    longer[len] = 0;
    assert_int_equal(cmc_client_parse_response(f->simple, f->ca, longer, len + 1, &res),
                     CMC_ERR_DECODE);
    assert_int_equal(cmc_client_parse_response(f->simple, f->ca, der, len - 1, &res),
                     CMC_ERR_DECODE);
    assert_int_equal(cmc_client_parse_response(f->simple, f->ca, junk, sizeof(junk), &res),
                     CMC_ERR_DECODE);
    assert_null(res);
    OPENSSL_free(longer);
    OPENSSL_free(der);
    sk_X509_free(bag);
    X509_free(leaf);
}

/* An in-process "server" for cmc_client_enroll_with: issues for whatever key asked. */
struct fake_server {
    struct fixture *f;
    int calls;
    const char *content_type;
};

static cmc_err fake_post(void *arg, const char *content_type, const uint8_t *body, size_t len,
                         uint8_t **resp, size_t *resp_len, long *http_status)
{
    struct fake_server *srv = arg;
    const unsigned char *p = body;
    X509_REQ *x = d2i_X509_REQ(NULL, &p, (long)len);
    X509 *leaf;
    STACK_OF(X509) *bag;

    srv->calls++;
    srv->content_type = content_type;
    assert_non_null(x);
    leaf = make_cert("/CN=issued", X509_REQ_get0_pubkey(x), srv->f->ca, srv->f->ca_key, 0);
    bag = bag_of(leaf, srv->f->ca);
    *resp = certs_only(bag, resp_len);
    *http_status = 200;
    sk_X509_free(bag);
    X509_free(leaf);
    X509_REQ_free(x);
    return CMC_OK;
}

static void test_enroll_with__simple_round_trip(void **state)
{
    struct fixture *f = *state;
    struct fake_server srv = {.f = f};
    struct cmc_enroll_params p = {.ca_cert = f->ca,
                                  .req = {.subject = "/CN=rt", .key = f->key}};
    struct cmc_enroll_result *res = NULL;

    assert_int_equal(cmc_client_enroll_with(&p, fake_post, &srv, &res), CMC_OK);
    assert_int_equal(srv.calls, 1);
    assert_string_equal(srv.content_type, CMC_MEDIA_PKCS10);
    assert_non_null(res->cert);
    assert_int_equal(res->http_status, 200);
    cmc_enroll_result_free(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse__simple_response_returns_cert_and_chain),
        cmocka_unit_test(test_parse__full_success),
        cmocka_unit_test(test_parse__failed_status_gives_names),
        cmocka_unit_test(test_parse__failure_without_echo_is_reported),
        cmocka_unit_test(test_parse__wrong_signer_is_verify_error),
        cmocka_unit_test(test_parse__cert_for_another_key_is_refused),
        cmocka_unit_test(test_parse__cert_from_other_ca_is_refused),
        cmocka_unit_test(test_parse__wrong_nonce_is_replay),
        cmocka_unit_test(test_parse__garbage_and_trailing_bytes_are_decode_errors),
        cmocka_unit_test(test_enroll_with__simple_round_trip),
    };

    return cmocka_run_group_tests_name("msg_response", tests, setup, teardown);
}
