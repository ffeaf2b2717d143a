/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/asn1/asn1_der.c: DER encodings pass, each BER-only form is refused with
 * its reason (X.690 §10, §11). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "asn1/asn1_local.h"

struct der_case {
    const char *name;
    const char *hex;
    const char *why; /* NULL: DER */
};

static const struct der_case cases[] = {
    {"sequence of int and null", "3005020101 0500", NULL},
    {"high tag", "bf1f02 0500", NULL},
    {"long length",
     "0481800000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000",
     NULL},
    {"utctime", "170d3236313230343137303030305a", NULL},
    {"gentime", "180f32303530303130313030303030305a", NULL},
    {"gentime fraction", "181132303530303130313030303030302e355a", NULL},
    {"indefinite", "30800201010000", "indefinite length at offset 0"},
    {"long form short", "30810302010 1", "length not in the fewest octets"},
    {"leading zero length", "3082000302010 1", "length not in the fewest octets"},
    {"five length octets", "308500000000030201 01", "length too long"},
    {"truncated", "3005020101", "truncated"},
    {"eoc", "0000", "end-of-contents"},
    {"bool 01", "010101", "BOOLEAN not 00 or FF"},
    {"int padded", "02020001", "INTEGER not in the fewest octets"},
    {"int ff padded", "0202ff80", "INTEGER not in the fewest octets"},
    {"int empty", "0200", "INTEGER not in the fewest octets"},
    {"bitstring unused 8", "03020800", "BIT STRING unused bits"},
    {"bitstring unused nonzero", "03020781", "BIT STRING unused bits"},
    {"null content", "050100", "NULL with contents"},
    {"oid padded", "0603 2a8001", "sub-identifier not in the fewest octets"},
    {"oid truncated", "06022a86", "OBJECT IDENTIFIER truncated"},
    {"constructed octets", "2406040161040162", "constructed string"},
    {"primitive sequence", "1000", "primitive SEQUENCE or SET"},
    {"utctime no z", "170d3236313230343137303030302b", "UTCTime not"},
    {"gentime trailing 0", "181232303530303130313030303030302e35305a", "GeneralizedTime not"},
    {"high tag padded", "bf800105 0500", "tag number not in the fewest octets"},
    {"high tag small", "bf050105", "tag number not in the fewest octets"},
    {"nested indefinite", "3006 3080 05000000", "indefinite length at offset 2"},
};

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;

    for (; *h != '\0'; h++) {
        unsigned v;

        if (*h == ' ')
            continue;
        assert_true(n / 2 < cap);
        v = (unsigned)(*h <= '9' ? *h - '0' : (*h | 0x20) - 'a' + 10);
        if (n % 2 == 0)
            out[n / 2] = (uint8_t)(v << 4);
        else
            out[n / 2] |= (uint8_t)v;
        n++;
    }
    assert_int_equal(n % 2, 0);
    return n / 2;
}

static void test_der_check__table(void **state)
{
    uint8_t buf[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = unhex(cases[i].hex, buf, sizeof(buf));
        cmc_err rv = cmci_der_check("input", buf, n);

        if (cases[i].why == NULL) {
            if (rv != CMC_OK)
                fail_msg("%s: refused: %s", cases[i].name, cmc_error_get0_message());
        } else {
            if (rv != CMC_ERR_DECODE)
                fail_msg("%s: accepted", cases[i].name);
            if (strstr(cmc_error_get0_message(), cases[i].why) == NULL)
                fail_msg("%s: \"%s\" not in \"%s\"", cases[i].name, cases[i].why,
                         cmc_error_get0_message());
        }
    }
}

/* Nesting is bounded: 60 nested SEQUENCEs are refused, not a deep recursion. */
static void test_der_check__depth_bounded(void **state)
{
    uint8_t buf[120];

    (void)state;
    for (int i = 0; i < 60; i++) {
        buf[2 * i] = 0x30;
        buf[2 * i + 1] = (uint8_t)(2 * (59 - i));
    }
    assert_int_equal(cmci_der_check("input", buf, 120), CMC_ERR_DECODE);
    assert_non_null(strstr(cmc_error_get0_message(), "nested too deeply"));
    assert_int_equal(cmci_der_check("input", buf + 80, 40), CMC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_der_check__table),
        cmocka_unit_test(test_der_check__depth_bounded),
    };
    return cmocka_run_group_tests_name("asn1_der", tests, NULL, NULL);
}
