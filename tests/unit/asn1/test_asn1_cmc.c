/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/asn1/asn1_cmc.c: round trips of every type, known DER, malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "asn1/asn1_local.h"
#include "asn1_samples.h"

/* i2d -> cmc_d2i_exact -> i2d must give the same bytes; dup must too. Returns the decoded
 * value for field checks (caller frees with ASN1_item_free). */
static ASN1_VALUE *roundtrip(const ASN1_ITEM *it, const ASN1_VALUE *v, const char *name)
{
    unsigned char *d1 = NULL, *d2 = NULL, *d3 = NULL;
    ASN1_VALUE *back = NULL, *dup;
    size_t l1, l2, l3;

    l1 = sample_i2d(it, v, &d1);
    if (cmc_d2i_exact(it, d1, l1, &back) != CMC_OK)
        fail_msg("%s: decode of own encoding failed: %s", name, cmc_error_get0_message());
    l2 = sample_i2d(it, back, &d2);
    if (l1 != l2 || memcmp(d1, d2, l1) != 0)
        fail_msg("%s: re-encoding differs", name);
    dup = ASN1_item_dup(it, back);
    assert_non_null(dup);
    l3 = sample_i2d(it, dup, &d3);
    assert_int_equal(l3, l1);
    assert_memory_equal(d3, d1, l1);
    ASN1_item_free(dup, it);
    OPENSSL_free(d1);
    OPENSSL_free(d2);
    OPENSSL_free(d3);
    return back;
}

static void test_roundtrip__every_sample(void **state)
{
    for (size_t i = 0; i < cmc_samples_count; i++) {
        const ASN1_ITEM *it = cmc_samples[i].it();
        ASN1_VALUE *v = cmc_samples[i].build();
        ASN1_VALUE *back = roundtrip(it, v, cmc_samples[i].name);

        ASN1_item_free(back, it);
        ASN1_item_free(v, it);
    }
}

static uint32_t bpid(const ASN1_INTEGER *a)
{
    uint32_t v = 0;

    assert_int_equal(cmc_body_part_id_get(a, &v), CMC_OK);
    return v;
}

static void test_pkidata__fields_survive_roundtrip(void **state)
{
    CMC_PKIDATA *d = sample_pkidata();
    CMC_PKIDATA *b = (CMC_PKIDATA *)roundtrip(ASN1_ITEM_rptr(CMC_PKIDATA), (ASN1_VALUE *)d,
                                              "PKIData");
    CMC_TAGGED_ATTRIBUTE *a;
    CMC_TAGGED_REQUEST *r;

    assert_int_equal(sk_CMC_TAGGED_ATTRIBUTE_num(b->controlSequence), 5);
    a = sk_CMC_TAGGED_ATTRIBUTE_value(b->controlSequence, 0);
    assert_int_equal(bpid(a->bodyPartID), 1);
    assert_int_equal(cmc_oid_control_num(a->attrType), CMC_CTRL_TRANSACTION_ID);
    assert_int_equal(ASN1_INTEGER_get(sk_ASN1_TYPE_value(a->attrValues, 0)->value.integer), 42);
    a = sk_CMC_TAGGED_ATTRIBUTE_value(b->controlSequence, 3);
    assert_int_equal(cmc_oid_control_num(a->attrType), CMC_CTRL_IDENTITY_PROOF_V2);
    assert_int_equal(sk_CMC_TAGGED_REQUEST_num(b->reqSequence), 2);
    r = sk_CMC_TAGGED_REQUEST_value(b->reqSequence, 0);
    assert_int_equal(r->type, CMC_TAGGED_REQUEST_TCR);
    assert_int_equal(bpid(r->value.tcr->bodyPartID), 10);
    r = sk_CMC_TAGGED_REQUEST_value(b->reqSequence, 1);
    assert_int_equal(r->type, CMC_TAGGED_REQUEST_CRM);
    assert_int_equal(ASN1_INTEGER_get(r->value.crm->certReq->certReqId), 11);
    assert_int_equal(r->value.crm->popo->type, CMC_POP_SIGNATURE);
    assert_int_equal(bpid(sk_CMC_TAGGED_CONTENT_INFO_value(b->cmsSequence, 0)->bodyPartID), 20);
    assert_int_equal(bpid(sk_CMC_OTHER_MSG_value(b->otherMsgSequence, 0)->bodyPartID), 21);
    /* the received encoding is cached for identity proof */
    assert_non_null(b->enc.enc);
    assert_true(b->enc.len > 0);
    CMC_PKIDATA_free(b);
    CMC_PKIDATA_free(d);
}

static void test_status_v2__fields_survive_roundtrip(void **state)
{
    CMC_STATUS_INFO_V2 *s = sample_status_v2_failed();
    CMC_STATUS_INFO_V2 *b = (CMC_STATUS_INFO_V2 *)roundtrip(ASN1_ITEM_rptr(CMC_STATUS_INFO_V2),
                                                            (ASN1_VALUE *)s, "StatusV2");
    CMC_BODY_PART_REFERENCE *r;

    assert_int_equal(ASN1_INTEGER_get(b->cMCStatus), CMC_STATUS_FAILED);
    assert_int_equal(sk_CMC_BODY_PART_REFERENCE_num(b->bodyList), 2);
    r = sk_CMC_BODY_PART_REFERENCE_value(b->bodyList, 0);
    assert_int_equal(r->type, CMC_BODY_PART_REFERENCE_ID);
    assert_int_equal(bpid(r->value.bodyPartID), 10);
    r = sk_CMC_BODY_PART_REFERENCE_value(b->bodyList, 1);
    assert_int_equal(r->type, CMC_BODY_PART_REFERENCE_PATH);
    assert_int_equal(sk_ASN1_INTEGER_num(r->value.bodyPartPath), 2);
    assert_string_equal((const char *)ASN1_STRING_get0_data(b->statusString), "bad request");
    assert_int_equal(b->otherInfo->type, CMC_OTHER_STATUS_INFO_FAIL);
    assert_int_equal(ASN1_INTEGER_get(b->otherInfo->value.failInfo), CMC_FAIL_BAD_REQUEST);
    CMC_STATUS_INFO_V2_free(b);
    CMC_STATUS_INFO_V2_free(s);
}

static const uint8_t *der_of(const ASN1_ITEM *it, const ASN1_VALUE *v, size_t *len)
{
    unsigned char *d = NULL;

    *len = sample_i2d(it, v, &d);
    return d;
}

static void test_known_der__empty_pkidata_and_pkiresponse(void **state)
{
    /* Four (three) empty SEQUENCEs of two octets each: the content length is 8 (6). The
     * digest's "30 0C ..." and "30 09 ..." carry wrong length octets. */
    static const uint8_t pkidata[] = {0x30, 0x08, 0x30, 0x00, 0x30, 0x00,
                                      0x30, 0x00, 0x30, 0x00};
    static const uint8_t pkiresp[] = {0x30, 0x06, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    CMC_PKIDATA *d = CMC_PKIDATA_new();
    CMC_PKIRESPONSE *r = CMC_PKIRESPONSE_new();
    const uint8_t *der;
    size_t len;
    ASN1_VALUE *back = NULL;

    der = der_of(ASN1_ITEM_rptr(CMC_PKIDATA), (ASN1_VALUE *)d, &len);
    assert_int_equal(len, sizeof(pkidata));
    assert_memory_equal(der, pkidata, len);
    OPENSSL_free((void *)der);
    der = der_of(ASN1_ITEM_rptr(CMC_PKIRESPONSE), (ASN1_VALUE *)r, &len);
    assert_int_equal(len, sizeof(pkiresp));
    assert_memory_equal(der, pkiresp, len);
    OPENSSL_free((void *)der);
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_PKIDATA), pkidata, sizeof(pkidata), &back),
                     CMC_OK);
    assert_int_equal(sk_CMC_TAGGED_REQUEST_num(((CMC_PKIDATA *)back)->reqSequence), 0);
    CMC_PKIDATA_free((CMC_PKIDATA *)back);
    CMC_PKIDATA_free(d);
    CMC_PKIRESPONSE_free(r);
}

/* IMPLICIT TAGS: the context tag replaces the SEQUENCE tag. */
static void test_known_der__implicit_tags(void **state)
{
    const struct {
        const char *name;
        size_t off;
        uint8_t tag;
    } want[] = {
        {"taggedRequest_tcr", 0, 0xA0},
        {"taggedRequest_crm", 0, 0xA1},
        {"taggedRequest_orm", 0, 0xA2},
        {"otherStatusInfo_ext", 0, 0xA1},
        {"pop_raVerified", 0, 0x80},
        {"pop_signature", 0, 0xA1},
        {"pop_keyEncipherment", 0, 0xA2}, /* explicit: A2 then 81 (subsequentMessage) */
        {"pop_keyEncipherment", 2, 0x81},
        {"popoPrivKey_agreeMAC", 0, 0xA3},
    };

    for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
        for (size_t i = 0; i < cmc_samples_count; i++) {
            ASN1_VALUE *v;
            const uint8_t *der;
            size_t len;

            if (strcmp(cmc_samples[i].name, want[w].name) != 0)
                continue;
            v = cmc_samples[i].build();
            der = der_of(cmc_samples[i].it(), v, &len);
            if (der[want[w].off] != want[w].tag)
                fail_msg("%s: byte %zu is %02X, want %02X", want[w].name, want[w].off,
                         der[want[w].off], want[w].tag);
            OPENSSL_free((void *)der);
            ASN1_item_free(v, cmc_samples[i].it());
        }
    }
}

static void test_change_subject_name__subject_alt_is_a1(void **state)
{
    CMC_CHANGE_SUBJECT_NAME *c = CMC_CHANGE_SUBJECT_NAME_new();
    GENERAL_NAME *g = GENERAL_NAME_new();
    ASN1_IA5STRING *s = ASN1_IA5STRING_new();
    const uint8_t want[] = {0x30, 0x0B, 0xA1, 0x09, 0x82, 0x07, 'a', '.', 'e', 'x', 'a', 'm', 'p'};
    const uint8_t *der;
    size_t len;

    assert_true(ASN1_STRING_set(s, "a.examp", 7));
    GENERAL_NAME_set0_value(g, GEN_DNS, s);
    c->subjectAlt = sk_GENERAL_NAME_new_null();
    assert_true(sk_GENERAL_NAME_push(c->subjectAlt, g) > 0);
    der = der_of(ASN1_ITEM_rptr(CMC_CHANGE_SUBJECT_NAME), (ASN1_VALUE *)c, &len);
    assert_int_equal(len, sizeof(want));
    assert_memory_equal(der, want, len);
    OPENSSL_free((void *)der);
    /* subject absent, subjectAlt present: the optional untagged Name must be skipped */
    CMC_CHANGE_SUBJECT_NAME_free(
        (CMC_CHANGE_SUBJECT_NAME *)roundtrip(ASN1_ITEM_rptr(CMC_CHANGE_SUBJECT_NAME),
                                             (ASN1_VALUE *)c, "ChangeSubjectName/alt"));
    sk_GENERAL_NAME_pop_free(c->subjectAlt, GENERAL_NAME_free);
    c->subjectAlt = NULL;
    c->subject = X509_NAME_new();
    assert_true(X509_NAME_add_entry_by_txt(c->subject, "CN", MBSTRING_ASC,
                                           (const unsigned char *)"x", -1, -1, 0));
    CMC_CHANGE_SUBJECT_NAME_free(
        (CMC_CHANGE_SUBJECT_NAME *)roundtrip(ASN1_ITEM_rptr(CMC_CHANGE_SUBJECT_NAME),
                                             (ASN1_VALUE *)c, "ChangeSubjectName/subject"));
    CMC_CHANGE_SUBJECT_NAME_free(c);
}

/* BOOLEAN DEFAULT TRUE: TRUE is omitted (DER), FALSE is encoded, absent reads as TRUE. */
static void test_mod_cert_template__replace_default(void **state)
{
    CMC_MOD_CERT_TEMPLATE *m = CMC_MOD_CERT_TEMPLATE_new();
    CMC_MOD_CERT_TEMPLATE *back = NULL;
    const uint8_t *der;
    size_t len_true, len_false, len_unset;

    assert_non_null(m);
    assert_true(sk_ASN1_INTEGER_push(m->pkiDataReference, cmc_body_part_id_new(0)) > 0);
    assert_true(sk_ASN1_INTEGER_push(m->certReferences, cmc_body_part_id_new(10)) > 0);
    m->replace = -1;
    der = der_of(ASN1_ITEM_rptr(CMC_MOD_CERT_TEMPLATE), (ASN1_VALUE *)m, &len_unset);
    OPENSSL_free((void *)der);
    m->replace = 1;
    der = der_of(ASN1_ITEM_rptr(CMC_MOD_CERT_TEMPLATE), (ASN1_VALUE *)m, &len_true);
    assert_int_equal(len_true, len_unset);
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_MOD_CERT_TEMPLATE), der, len_true,
                                   (ASN1_VALUE **)&back),
                     CMC_OK);
    assert_int_not_equal(back->replace, 0);
    CMC_MOD_CERT_TEMPLATE_free(back);
    OPENSSL_free((void *)der);
    m->replace = 0;
    der = der_of(ASN1_ITEM_rptr(CMC_MOD_CERT_TEMPLATE), (ASN1_VALUE *)m, &len_false);
    assert_int_equal(len_false, len_true + 3); /* 01 01 00 */
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_MOD_CERT_TEMPLATE), der, len_false,
                                   (ASN1_VALUE **)&back),
                     CMC_OK);
    assert_int_equal(back->replace, 0);
    CMC_MOD_CERT_TEMPLATE_free(back);
    OPENSSL_free((void *)der);
    CMC_MOD_CERT_TEMPLATE_free(m);
}

/* ---- negative ----------------------------------------------------------------------- */

static void test_decode__every_truncation_fails(void **state)
{
    CMC_PKIDATA *d = sample_pkidata();
    unsigned char *der = NULL;
    size_t len = sample_i2d(ASN1_ITEM_rptr(CMC_PKIDATA), (ASN1_VALUE *)d, &der);
    ASN1_VALUE *v = NULL;

    for (size_t cut = 1; cut < len; cut++) {
        if (cmc_d2i_exact(ASN1_ITEM_rptr(CMC_PKIDATA), der, cut, &v) != CMC_ERR_DECODE)
            fail_msg("truncation to %zu of %zu accepted", cut, len);
        assert_null(v);
    }
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_PKIDATA), der, 0, &v), CMC_ERR_DECODE);
    OPENSSL_free(der);
    CMC_PKIDATA_free(d);
}

static void test_decode__trailing_bytes_refused(void **state)
{
    static const uint8_t der[] = {0x30, 0x06, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x00};
    const unsigned char *p = der;
    ASN1_VALUE *v = NULL;
    CMC_PKIRESPONSE *r;

    /* plain d2i accepts the prefix: that is why cmc_d2i_exact exists */
    r = d2i_CMC_PKIRESPONSE(NULL, &p, (long)sizeof(der));
    assert_non_null(r);
    CMC_PKIRESPONSE_free(r);
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_PKIRESPONSE), der, sizeof(der), &v),
                     CMC_ERR_DECODE);
    assert_null(v);
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_PKIRESPONSE), der, sizeof(der) - 1, &v),
                     CMC_OK);
    CMC_PKIRESPONSE_free((CMC_PKIRESPONSE *)v);
}

static void test_decode__wrong_outer_tag_refused(void **state)
{
    static const uint8_t set[] = {0x31, 0x06, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    static const uint8_t three[] = {0x30, 0x06, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    ASN1_VALUE *v = NULL;

    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_PKIRESPONSE), set, sizeof(set), &v),
                     CMC_ERR_DECODE);
    /* a PKIResponse is not a PKIData: the fourth sequence is missing */
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_PKIDATA), three, sizeof(three), &v),
                     CMC_ERR_DECODE);
    assert_null(v);
}

static void test_decode__unknown_choice_tag_refused(void **state)
{
    /* TaggedRequest with [3]: no such alternative */
    static const uint8_t tr[] = {0xA3, 0x03, 0x02, 0x01, 0x01};
    /* BodyPartReference as an OCTET STRING */
    static const uint8_t bpr[] = {0x04, 0x01, 0x01};
    /* OtherStatusInfo with [2] */
    static const uint8_t osi[] = {0xA2, 0x03, 0x02, 0x01, 0x01};
    ASN1_VALUE *v = NULL;

    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_TAGGED_REQUEST), tr, sizeof(tr), &v),
                     CMC_ERR_DECODE);
    assert_int_equal(
        cmc_d2i_exact(ASN1_ITEM_rptr(CMC_BODY_PART_REFERENCE), bpr, sizeof(bpr), &v),
        CMC_ERR_DECODE);
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_OTHER_STATUS_INFO), osi, sizeof(osi), &v),
                     CMC_ERR_DECODE);
    assert_null(v);
}

static void test_decode__body_part_id_out_of_range(void **state)
{
    /* TaggedAttribute{bodyPartID -1 | 2^32, transactionId, {1}} decodes as ASN.1 (INTEGER is
     * unbounded) but cmc_body_part_id_get refuses the value. */
    static const uint8_t neg[] = {0x30, 0x12, 0x02, 0x01, 0xFF, 0x06, 0x08, 0x2B, 0x06, 0x01,
                                  0x05, 0x05, 0x07, 0x07, 0x05, 0x31, 0x03, 0x02, 0x01, 0x01};
    static const uint8_t big[] = {0x30, 0x16, 0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x06,
                                  0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x07, 0x05, 0x31,
                                  0x03, 0x02, 0x01, 0x01};
    static const uint8_t max[] = {0x30, 0x16, 0x02, 0x05, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x06,
                                  0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x07, 0x05, 0x31,
                                  0x03, 0x02, 0x01, 0x01};
    CMC_TAGGED_ATTRIBUTE *a = NULL;
    uint32_t id = 7;

    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_TAGGED_ATTRIBUTE), neg, sizeof(neg),
                                   (ASN1_VALUE **)&a),
                     CMC_OK);
    assert_int_equal(cmc_body_part_id_get(a->bodyPartID, &id), CMC_ERR_DECODE);
    assert_int_equal(id, 0);
    CMC_TAGGED_ATTRIBUTE_free(a);
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_TAGGED_ATTRIBUTE), big, sizeof(big),
                                   (ASN1_VALUE **)&a),
                     CMC_OK);
    assert_int_equal(cmc_body_part_id_get(a->bodyPartID, &id), CMC_ERR_DECODE);
    CMC_TAGGED_ATTRIBUTE_free(a);
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_TAGGED_ATTRIBUTE), max, sizeof(max),
                                   (ASN1_VALUE **)&a),
                     CMC_OK);
    assert_int_equal(cmc_body_part_id_get(a->bodyPartID, &id), CMC_OK);
    assert_int_equal(id, 4294967295u);
    CMC_TAGGED_ATTRIBUTE_free(a);
    assert_int_equal(cmc_body_part_id_get(NULL, &id), CMC_ERR_DECODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip__every_sample),
        cmocka_unit_test(test_pkidata__fields_survive_roundtrip),
        cmocka_unit_test(test_status_v2__fields_survive_roundtrip),
        cmocka_unit_test(test_known_der__empty_pkidata_and_pkiresponse),
        cmocka_unit_test(test_known_der__implicit_tags),
        cmocka_unit_test(test_change_subject_name__subject_alt_is_a1),
        cmocka_unit_test(test_mod_cert_template__replace_default),
        cmocka_unit_test(test_decode__every_truncation_fails),
        cmocka_unit_test(test_decode__trailing_bytes_refused),
        cmocka_unit_test(test_decode__wrong_outer_tag_refused),
        cmocka_unit_test(test_decode__unknown_choice_tag_refused),
        cmocka_unit_test(test_decode__body_part_id_out_of_range),
    };

    return cmocka_run_group_tests_name("asn1_cmc", tests, NULL, NULL);
}
