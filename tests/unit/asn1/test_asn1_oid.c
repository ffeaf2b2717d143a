/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/asn1/asn1_oid.c: OIDs, control numbers and names, BodyPartID helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>

#include <cmc/asn1.h>

static void check_oid_text(enum cmc_oid which, const char *want)
{
    char buf[64];
    const ASN1_OBJECT *o = cmc_oid_get0(which);

    assert_non_null(o);
    assert_true(OBJ_obj2txt(buf, sizeof(buf), o, 1) > 0);
    assert_string_equal(buf, want);
}

static void test_oid_get0__well_known(void **state)
{
    check_oid_text(CMC_OID_CCT_PKIDATA, "1.3.6.1.5.5.7.12.2");
    check_oid_text(CMC_OID_CCT_PKIRESPONSE, "1.3.6.1.5.5.7.12.3");
    check_oid_text(CMC_OID_AA_CMC_UNSIGNED_DATA, "1.2.840.113549.1.9.16.2.34");
    check_oid_text(CMC_OID_ALG_NO_SIGNATURE, "1.3.6.1.5.5.7.6.2");
    check_oid_text(CMC_OID_KP_CMC_CA, "1.3.6.1.5.5.7.3.27");
    check_oid_text(CMC_OID_KP_CMC_RA, "1.3.6.1.5.5.7.3.28");
    assert_null(cmc_oid_get0(CMC_OID_COUNT));
    /* OpenSSL knows id-cct-PKIData by NID: our object must compare equal to it */
    assert_int_equal(OBJ_cmp(cmc_oid_get0(CMC_OID_CCT_PKIDATA), OBJ_nid2obj(NID_id_cct_PKIData)),
                     0);
}

static void test_oid_control__num_roundtrip(void **state)
{
    char buf[64];

    for (int n = 1; n <= 99; n++) {
        const ASN1_OBJECT *o = cmc_oid_get0_control(n);

        assert_non_null(o);
        assert_int_equal(cmc_oid_control_num(o), n);
    }
    assert_true(OBJ_obj2txt(buf, sizeof(buf), cmc_oid_get0_control(34), 1) > 0);
    assert_string_equal(buf, "1.3.6.1.5.5.7.7.34");
    assert_null(cmc_oid_get0_control(0));
    assert_null(cmc_oid_get0_control(100));
}

static void test_oid_control_num__not_a_control(void **state)
{
    ASN1_OBJECT *o;

    assert_int_equal(cmc_oid_control_num(NULL), -1);
    assert_int_equal(cmc_oid_control_num(cmc_oid_get0(CMC_OID_CCT_PKIDATA)), -1);
    o = OBJ_txt2obj("1.3.6.1.5.5.7.7.200", 1); /* two-octet arc */
    assert_int_equal(cmc_oid_control_num(o), -1);
    ASN1_OBJECT_free(o);
    o = OBJ_txt2obj("1.3.6.1.5.5.7.7", 1); /* the arc itself */
    assert_int_equal(cmc_oid_control_num(o), -1);
    ASN1_OBJECT_free(o);
    o = OBJ_txt2obj("1.3.6.1.5.5.7.7.25.1", 1);
    assert_int_equal(cmc_oid_control_num(o), -1);
    ASN1_OBJECT_free(o);
    o = OBJ_txt2obj("1.3.6.1.5.5.7.7.120", 1);
    assert_int_equal(cmc_oid_control_num(o), 120);
    ASN1_OBJECT_free(o);
}

static void test_names__table(void **state)
{
    assert_string_equal(cmc_control_name(25), "statusInfoV2");
    assert_string_equal(cmc_control_name(34), "identityProofV2");
    assert_string_equal(cmc_control_name(33), "popLinkWitnessV2");
    assert_string_equal(cmc_control_name(5), "transactionId");
    assert_string_equal(cmc_control_name(32), "controlProcessed");
    assert_string_equal(cmc_control_name(37), "responseBody");
    assert_string_equal(cmc_control_name(12), "unknown");
    assert_string_equal(cmc_control_name(-1), "unknown");
    assert_string_equal(cmc_status_name(0), "success");
    assert_string_equal(cmc_status_name(2), "failed");
    assert_string_equal(cmc_status_name(1), "unknown");
    assert_string_equal(cmc_status_name(7), "partial");
    assert_string_equal(cmc_fail_info_name(2), "badRequest");
    assert_string_equal(cmc_fail_info_name(13), "authDataFail");
    assert_string_equal(cmc_fail_info_name(14), "unknown");
    assert_string_equal(cmc_fail_info_name(-5), "unknown");
}

static void test_body_part_id__new_get(void **state)
{
    uint32_t v = 0;
    ASN1_INTEGER *a = cmc_body_part_id_new(4294967295u);

    assert_non_null(a);
    assert_int_equal(cmc_body_part_id_get(a, &v), CMC_OK);
    assert_int_equal(v, 4294967295u);
    ASN1_INTEGER_free(a);
    a = cmc_body_part_id_new(0);
    assert_int_equal(cmc_body_part_id_get(a, &v), CMC_OK);
    assert_int_equal(v, 0);
    ASN1_INTEGER_set(a, -3);
    assert_int_equal(cmc_body_part_id_get(a, &v), CMC_ERR_DECODE);
    ASN1_INTEGER_free(a);
}

static void *get_many(void *arg)
{
    const ASN1_OBJECT **out = arg;

    *out = cmc_oid_get0_control(25);
    return NULL;
}

/* The first callers may race: all must see the same object. */
static void test_oid_get0__threads_see_one_object(void **state)
{
    pthread_t t[8];
    const ASN1_OBJECT *got[8];

    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, get_many, &got[i]), 0);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_ptr_equal(got[i], got[0]);
    }
    assert_non_null(got[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oid_get0__threads_see_one_object),
        cmocka_unit_test(test_oid_get0__well_known),
        cmocka_unit_test(test_oid_control__num_roundtrip),
        cmocka_unit_test(test_oid_control_num__not_a_control),
        cmocka_unit_test(test_names__table),
        cmocka_unit_test(test_body_part_id__new_get),
    };

    return cmocka_run_group_tests_name("asn1_oid", tests, NULL, NULL);
}
