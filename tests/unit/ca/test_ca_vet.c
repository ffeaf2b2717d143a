/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/ca/ca_vet.c: every bad shape of a requested subject or extension is refused
 * with CMC_ERR_BAD_REQUEST and a message naming the field, and good ones are re-encoded
 * as DER (issue 9 item 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/x509v3.h>

#include "ca/ca_local.h"

/* A Name from its DER; NULL when OpenSSL itself does not decode it. Ownership: new. */
static X509_NAME *name_der(const unsigned char *der, size_t len)
{
    const unsigned char *q = der;
    X509_NAME *n = d2i_X509_NAME(NULL, &q, (long)len);

    if (n != NULL && q != der + len) {
        X509_NAME_free(n);
        n = NULL;
    }
    return n;
}

/* A Name of one attribute of string type @p type holding @p len octets. Ownership: new. */
static X509_NAME *name1(int nid, int type, const void *v, int len)
{
    X509_NAME *n = X509_NAME_new();

    assert_non_null(n);
    assert_int_equal(X509_NAME_add_entry_by_NID(n, nid, type, (const unsigned char *)v, len,
                                                -1, 0),
                     1);
    return n;
}

/* Refused as badRequest with @p needle in the message. */
static void expect_name_refused(const X509_NAME *n, const char *needle)
{
    X509_NAME *fresh = NULL;

    assert_non_null(n);
    if (cmci_vet_name("subject", n, &fresh) != CMC_ERR_BAD_REQUEST)
        fail_msg("not refused as badRequest (%s): %s", needle, cmc_error_get0_message());
    assert_null(fresh);
    if (strstr(cmc_error_get0_message(), needle) == NULL)
        fail_msg("\"%s\" not in \"%s\"", needle, cmc_error_get0_message());
}

static void expect_name_ok(const X509_NAME *n, int reencoded)
{
    X509_NAME *fresh = NULL;

    assert_non_null(n);
    if (cmci_vet_name("subject", n, &fresh) != CMC_OK)
        fail_msg("refused: %s", cmc_error_get0_message());
    assert_int_equal(fresh != NULL, reencoded);
    X509_NAME_free(fresh);
}

/* CN=ab as DER, and the same with a BER length, an indefinite length, an empty RDN. */
static const unsigned char cn_ab[] = {0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03,
                                      0x55, 0x04, 0x03, 0x0c, 0x02, 'a',  'b'};
static const unsigned char cn_ab_long_len[] = {0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03,
                                               0x55, 0x04, 0x03, 0x0c, 0x81, 0x02, 'a',  'b'};
static const unsigned char cn_ab_indef[] = {0x30, 0x80, 0x31, 0x0b, 0x30, 0x09, 0x06,
                                            0x03, 0x55, 0x04, 0x03, 0x0c, 0x02, 'a',
                                            'b',  0x00, 0x00};
static const unsigned char cn_ab_empty_rdn[] = {0x30, 0x0f, 0x31, 0x00, 0x31, 0x0b,
                                                0x30, 0x09, 0x06, 0x03, 0x55, 0x04,
                                                0x03, 0x0c, 0x02, 'a',  'b'};
/* CN as a constructed (segmented) UTF8String, BER only */
static const unsigned char cn_ab_constructed[] = {0x30, 0x11, 0x31, 0x0f, 0x30, 0x0d, 0x06,
                                                  0x03, 0x55, 0x04, 0x03, 0x2c, 0x06, 0x0c,
                                                  0x01, 'a',  0x0c, 0x01, 'b'};
/* CN whose value is an INTEGER */
static const unsigned char cn_integer[] = {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03,
                                           0x55, 0x04, 0x03, 0x02, 0x01, 0x05};

static void test_vet_name__not_der_refused(void **state)
{
    X509_NAME *n;

    (void)state;
    expect_name_ok((n = name_der(cn_ab, sizeof(cn_ab))), 0);
    X509_NAME_free(n);
    expect_name_refused((n = name_der(cn_ab_long_len, sizeof(cn_ab_long_len))),
                        "subject is not DER: length not in the fewest octets");
    X509_NAME_free(n);
    expect_name_refused((n = name_der(cn_ab_indef, sizeof(cn_ab_indef))),
                        "subject is not DER: indefinite length");
    X509_NAME_free(n);
    n = name_der(cn_ab_constructed, sizeof(cn_ab_constructed));
    expect_name_refused(n, "subject is not DER: constructed string");
    X509_NAME_free(n);
}

static void test_vet_name__empty_rdn_refused(void **state)
{
    X509_NAME *n = name_der(cn_ab_empty_rdn, sizeof(cn_ab_empty_rdn));

    (void)state;
    expect_name_refused(n, "subject: an empty RelativeDistinguishedName");
    X509_NAME_free(n);
}

static void test_vet_name__bad_values_refused(void **state)
{
    static const struct {
        int nid, type;
        const char *v;
        int len;
        const char *needle;
    } cases[] = {
        {NID_commonName, V_ASN1_UTF8STRING, "a\0b", 3, "subject commonName: contains a control"},
        {NID_commonName, V_ASN1_UTF8STRING, "a\x1b[2J", -1, "commonName: contains a control"},
        {NID_commonName, V_ASN1_UTF8STRING, "\xc2\x85", -1, "commonName: contains a control"},
        {NID_commonName, V_ASN1_UTF8STRING, "\xc0\x80", -1, "commonName: not valid UTF-8"},
        {NID_commonName, V_ASN1_UTF8STRING, "\xed\xa0\x80", -1, "commonName: not valid UTF-8"},
        {NID_commonName, V_ASN1_UTF8STRING, "\x80", -1, "commonName: not valid UTF-8"},
        {NID_commonName, V_ASN1_UTF8STRING, "\xe2\x82", -1, "commonName: not valid UTF-8"},
        {NID_commonName, V_ASN1_UTF8STRING, "", 0, "commonName: empty value"},
        {NID_commonName, V_ASN1_PRINTABLESTRING, "a@b", -1, "commonName: a character Printable"},
        {NID_commonName, V_ASN1_PRINTABLESTRING, "a*b", -1, "commonName: a character Printable"},
        /* the null-prefix name: a NUL is no PrintableString character either */
        {NID_commonName, V_ASN1_PRINTABLESTRING, "www.bank.com\0.evil.com", 23,
         "commonName: a character Printable"},
        {NID_serialNumber, V_ASN1_PRINTABLESTRING, "12\0", 3, "serialNumber: a character Printable"},
        {NID_commonName, V_ASN1_BMPSTRING, "\0a", 2, "commonName: a BMPSTRING is not allowed"},
        {NID_commonName, V_ASN1_T61STRING, "ab", -1, "commonName: a T61STRING is not allowed"},
        {NID_commonName, V_ASN1_IA5STRING, "ab", -1, "commonName: a IA5STRING is not allowed"},
        {NID_countryName, V_ASN1_PRINTABLESTRING, "USA", -1, "countryName: longer than 2"},
        {NID_countryName, V_ASN1_PRINTABLESTRING, "us", -1, "countryName: not two capital"},
        {NID_countryName, V_ASN1_UTF8STRING, "US", -1, "countryName: a UTF8STRING is not"},
        {NID_serialNumber, V_ASN1_UTF8STRING, "1", -1, "serialNumber: a UTF8STRING is not"},
        {NID_pkcs9_emailAddress, V_ASN1_UTF8STRING, "a@b", -1, "emailAddress: a UTF8STRING"},
        {NID_pkcs9_emailAddress, V_ASN1_IA5STRING, "nobody", -1, "emailAddress: not local"},
        {NID_pkcs9_emailAddress, V_ASN1_IA5STRING, "a\x01@b", -1, "emailAddress: a control"},
        {NID_domainComponent, V_ASN1_UTF8STRING, "org", -1, "domainComponent: a UTF8STRING"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        X509_NAME *n = name1(cases[i].nid, cases[i].type, cases[i].v, cases[i].len);

        expect_name_refused(n, cases[i].needle);
        X509_NAME_free(n);
    }
    /* a value that is not a string does not even decode as a Name (OpenSSL's DirectoryString
     * CHOICE), so it never reaches the CA */
    assert_null(name_der(cn_integer, sizeof(cn_integer)));
}

/* RFC 5280 Appendix A: a value one character over each upper bound is refused, one at
 * the bound accepted (characters, not octets: é is two octets). */
static void test_vet_name__upper_bounds(void **state)
{
    static const struct {
        int nid, type;
        int ub;
        const char *unit;
        const char *needle;
    } cases[] = {
        {NID_commonName, V_ASN1_UTF8STRING, 64, "\xc3\xa9", "commonName: longer than 64"},
        {NID_organizationName, V_ASN1_PRINTABLESTRING, 64, "o", "organizationName: longer than 64"},
        {NID_organizationalUnitName, V_ASN1_UTF8STRING, 64, "u", "organizationalUnitName: longer"},
        {NID_localityName, V_ASN1_UTF8STRING, 128, "l", "localityName: longer than 128"},
        {NID_stateOrProvinceName, V_ASN1_UTF8STRING, 128, "s", "stateOrProvinceName: longer"},
        {NID_serialNumber, V_ASN1_PRINTABLESTRING, 64, "1", "serialNumber: longer than 64"},
        {NID_title, V_ASN1_UTF8STRING, 64, "t", "title: longer than 64"},
        {NID_pkcs9_emailAddress, V_ASN1_IA5STRING, 255, "m", "emailAddress: longer than 255"},
    };
    char buf[1200];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t u = strlen(cases[i].unit);

        for (int over = 0; over < 2; over++) {
            int chars = cases[i].ub + over;
            X509_NAME *n;

            for (int c = 0; c < chars; c++)
                memcpy(buf + (size_t)c * u, cases[i].unit, u);
            buf[(size_t)chars * u] = '\0';
            if (cases[i].nid == NID_pkcs9_emailAddress)
                buf[3] = '@';
            n = name1(cases[i].nid, cases[i].type, buf, -1);
            if (over)
                expect_name_refused(n, cases[i].needle);
            else
                expect_name_ok(n, 0);
            X509_NAME_free(n);
        }
    }
    /* the example: a 5000-character commonName */
    {
        char *big = OPENSSL_malloc(5001);
        X509_NAME *n;

        memset(big, 'x', 5000);
        big[5000] = '\0';
        n = name1(NID_commonName, V_ASN1_UTF8STRING, big, -1);
        expect_name_refused(n, "subject commonName: longer than 64 characters");
        X509_NAME_free(n);
        OPENSSL_free(big);
    }
}

/* A multi-valued RDN whose members are out of DER order ({ surname=bbb, CN=aaa }) is
 * re-encoded in order; an already canonical name is used as it is (no copy). */
static void test_vet_name__unsorted_rdn_reencoded(void **state)
{
    static const unsigned char unsorted[] = {0x30, 0x1a, 0x31, 0x18, 0x30, 0x0a, 0x06, 0x03,
                                             0x55, 0x04, 0x04, 0x0c, 0x03, 'b',  'b',  'b',
                                             0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
                                             0x03, 'a',  'a',  'a'};
    X509_NAME *n = name_der(unsorted, sizeof(unsorted)), *fresh = NULL;
    const unsigned char *d = NULL;
    size_t len = 0;

    (void)state;
    assert_non_null(n);
    assert_int_equal(cmci_vet_name("subject", n, &fresh), CMC_OK);
    assert_non_null(fresh);
    assert_int_equal(X509_NAME_get0_der(fresh, &d, &len), 1);
    assert_int_equal(len, sizeof(unsorted));
    assert_memory_equal(d, unsorted, 4);
    assert_memory_equal(d + 4, unsorted + 16, 12); /* CN=aaa first */
    assert_memory_equal(d + 16, unsorted + 4, 12);
    expect_name_ok(fresh, 0);
    X509_NAME_free(fresh);
    X509_NAME_free(n);
}

/* A multi-valued RDN with one attribute type twice ({ CN=a, CN=b }) is refused (X.501
 * §9.3), sorted or not; distinct types in one RDN are taken. Names have at most 32
 * attributes (this CA's limit): 2000 CNs were issued before. */
static void test_vet_name__duplicate_type_in_rdn_and_limit(void **state)
{
    static const unsigned char dup_sorted[] = {0x30, 0x1a, 0x31, 0x18, 0x30, 0x0a, 0x06, 0x03,
                                               0x55, 0x04, 0x03, 0x0c, 0x03, 'a',  'a',  'a',
                                               0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
                                               0x03, 'b',  'b',  'b'};
    X509_NAME *n;

    (void)state;
    expect_name_refused(name_der(dup_sorted, sizeof(dup_sorted)),
                        "subject commonName: twice in one multi-valued RDN");
    n = X509_NAME_new();
    assert_int_equal(X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
                                                (const unsigned char *)"org", -1, -1, 0), 1);
    assert_int_equal(X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_UTF8,
                                                (const unsigned char *)"x", -1, -1, 0), 1);
    assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
                                                (const unsigned char *)"x", -1, -1, -1), 1);
    assert_int_equal(X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_UTF8,
                                                (const unsigned char *)"y", -1, -1, -1), 1);
    expect_name_refused(n, "subject organizationalUnitName: twice in one multi-valued RDN");
    X509_NAME_free(n);
    n = X509_NAME_new();
    for (int i = 0; i < 33; i++) {
        assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
                                                    (const unsigned char *)"cn", -1, -1, 0), 1);
        if (i == 31)
            expect_name_ok(n, 0);
    }
    expect_name_refused(n, "subject: more than 32 attributes");
    X509_NAME_free(n);
}

/* ---- requested extensions ------------------------------------------------------------- */

static struct cmci_profile prof(void)
{
    struct cmci_profile p;

    memset(&p, 0, sizeof(p));
    p.name = (char *)"t";
    p.honor_nids[p.n_honor++] = NID_subject_alt_name;
    p.honor_nids[p.n_honor++] = NID_key_usage;
    p.honor_nids[p.n_honor++] = NID_ext_key_usage;
    return p;
}

/* An extension with @p len raw octets as its extnValue. Ownership: new. */
static X509_EXTENSION *raw_ext(int nid, const unsigned char *v, size_t len)
{
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e;

    assert_int_equal(ASN1_OCTET_STRING_set(os, v, (int)len), 1);
    e = X509_EXTENSION_create_by_NID(NULL, nid, 0, os);
    ASN1_OCTET_STRING_free(os);
    assert_non_null(e);
    return e;
}

static cmc_err vet1(X509_EXTENSION *e, STACK_OF(X509_EXTENSION) **out)
{
    struct cmci_profile p = prof();
    STACK_OF(X509_EXTENSION) *in = sk_X509_EXTENSION_new_null();
    cmc_err rv;

    sk_X509_EXTENSION_push(in, e);
    rv = cmci_vet_extensions(&p, in, 0, out);
    sk_X509_EXTENSION_pop_free(in, X509_EXTENSION_free);
    return rv;
}

static void expect_ext_refused(X509_EXTENSION *e, const char *needle)
{
    STACK_OF(X509_EXTENSION) *out = NULL;

    assert_non_null(e);
    assert_int_equal(vet1(e, &out), CMC_ERR_BAD_REQUEST);
    assert_null(out);
    if (strstr(cmc_error_get0_message(), needle) == NULL)
        fail_msg("\"%s\" not in \"%s\"", needle, cmc_error_get0_message());
}

static X509_EXTENSION *san(const char *v)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, v);

    assert_non_null(e);
    return e;
}

/* A GeneralNames of one entry of @p tag (context, primitive) holding @p v. */
static X509_EXTENSION *san_raw(unsigned char tag, const void *v, size_t n)
{
    unsigned char buf[128];

    assert_true(n + 2 < 128);
    buf[0] = 0x30;
    buf[1] = (unsigned char)(n + 2);
    buf[2] = tag;
    buf[3] = (unsigned char)n;
    memcpy(buf + 4, v, n);
    return raw_ext(NID_subject_alt_name, buf, n + 4);
}

static void test_vet_ext__bad_shapes_refused(void **state)
{
    static const unsigned char garbage[] = {0x04, 0x03, 0x01, 0x02, 0x03};
    static const unsigned char junk[] = {0xde, 0xad, 0xbe, 0xef};
    static const unsigned char indef[] = {0x30, 0x80, 0x82, 0x01, 'a', 0x00, 0x00};
    static const unsigned char trailing[] = {0x30, 0x03, 0x82, 0x01, 'a', 0x00};
    static const unsigned char empty[] = {0x30, 0x00};
    static const unsigned char x400[] = {0x30, 0x04, 0xa3, 0x02, 0x30, 0x00};
    static const unsigned char eku_empty[] = {0x30, 0x00};
    static const unsigned char ku_none[] = {0x03, 0x01, 0x00};
    static const unsigned char ip5[] = {192, 0, 2, 1, 7};
    char label64[80];

    (void)state;
    expect_ext_refused(raw_ext(NID_subject_alt_name, garbage, sizeof(garbage)),
                       "requested subjectAltName: extnValue does not decode");
    expect_ext_refused(raw_ext(NID_subject_alt_name, junk, sizeof(junk)),
                       "requested subjectAltName: extnValue is not DER");
    expect_ext_refused(raw_ext(NID_subject_alt_name, indef, sizeof(indef)),
                       "requested subjectAltName: extnValue is not DER");
    expect_ext_refused(raw_ext(NID_subject_alt_name, trailing, sizeof(trailing)),
                       "requested subjectAltName: extnValue");
    expect_ext_refused(raw_ext(NID_subject_alt_name, empty, sizeof(empty)),
                       "subjectAltName: no names");
    expect_ext_refused(raw_ext(NID_subject_alt_name, x400, sizeof(x400)),
                       "subjectAltName name 1: x400Address");
    expect_ext_refused(san_raw(0x82, "a\0b.example", 11), "name 1 (dNSName): not a host name");
    expect_ext_refused(san_raw(0x82, "", 0), "name 1 (dNSName)");
    expect_ext_refused(san("DNS:ok.example,DNS:a..b"), "name 2 (dNSName)");
    expect_ext_refused(san("DNS:-a.example"), "(dNSName)");
    expect_ext_refused(san("DNS:a.example."), "(dNSName)");
    expect_ext_refused(san("DNS:a b.example"), "(dNSName)");
    memset(label64, 'x', 64);
    memcpy(label64 + 64, ".example", 9);
    expect_ext_refused(san_raw(0x82, label64, strlen(label64)), "(dNSName)");
    expect_ext_refused(san("email:nobody"), "name 1 (rfc822Name)");
    expect_ext_refused(san_raw(0x81, "a\0@b", 4), "(rfc822Name)");
    expect_ext_refused(san("URI:relative/path"), "name 1 (uniformResourceIdentifier)");
    expect_ext_refused(san_raw(0x86, "http://a\0b", 10), "(uniformResourceIdentifier)");
    expect_ext_refused(san_raw(0x87, ip5, sizeof(ip5)), "name 1 (iPAddress): not 4 or 16");
    expect_ext_refused(raw_ext(NID_ext_key_usage, eku_empty, sizeof(eku_empty)),
                       "extendedKeyUsage: empty");
    expect_ext_refused(raw_ext(NID_key_usage, ku_none, sizeof(ku_none)), "keyUsage: no bit");
    {
        /* digitalSignature and bit 9, which RFC 5280 §4.2.1.3 does not name */
        static const unsigned char ku_bit9[] = {0x03, 0x03, 0x06, 0x80, 0x40};
        expect_ext_refused(raw_ext(NID_key_usage, ku_bit9, sizeof(ku_bit9)),
                           "keyUsage: bit 9 is not a keyUsage bit");
    }
    {
        /* a directoryName whose commonName holds a NUL */
        X509_NAME *dn = name1(NID_commonName, V_ASN1_UTF8STRING, "a\0b", 3);
        GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
        GENERAL_NAME *g = GENERAL_NAME_new();
        X509_EXTENSION *e;

        GENERAL_NAME_set0_value(g, GEN_DIRNAME, dn);
        sk_GENERAL_NAME_push(gens, g);
        e = X509V3_EXT_i2d(NID_subject_alt_name, 0, gens);
        GENERAL_NAMES_free(gens);
        expect_ext_refused(e, "subjectAltName name 1 (directoryName) commonName: contains a "
                              "control");
    }
    {
        /* RFC 5280 §4.2.1.6: no empty GeneralName, so no empty directoryName either */
        static const unsigned char dir_empty[] = {0x30, 0x04, 0xa4, 0x02, 0x30, 0x00};

        expect_ext_refused(raw_ext(NID_subject_alt_name, dir_empty, sizeof(dir_empty)),
                           "name 1 (directoryName): an empty Name");
    }
    {
        /* otherName UPN (1.3.6.1.4.1.311.20.2.3) whose UTF8String holds a NUL, and one
         * whose IA5String holds an ESC; a clean UPN is taken */
        static const unsigned char upn_nul[] = {0x30, 0x15, 0xa0, 0x13, 0x06, 0x0a, 0x2b, 0x06,
                                                0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03,
                                                0xa0, 0x05, 0x0c, 0x03, 'a', 0x00, 'b'};
        static const unsigned char upn_esc[] = {0x30, 0x15, 0xa0, 0x13, 0x06, 0x0a, 0x2b, 0x06,
                                                0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03,
                                                0xa0, 0x05, 0x16, 0x03, 'a', 0x1b, 'b'};
        unsigned char upn_ok[sizeof(upn_nul)];
        STACK_OF(X509_EXTENSION) *out = NULL;

        expect_ext_refused(raw_ext(NID_subject_alt_name, upn_nul, sizeof(upn_nul)),
                           "name 1 (otherName): a text value with a control character");
        expect_ext_refused(raw_ext(NID_subject_alt_name, upn_esc, sizeof(upn_esc)),
                           "name 1 (otherName)");
        memcpy(upn_ok, upn_nul, sizeof(upn_ok));
        upn_ok[sizeof(upn_ok) - 2] = '@';
        assert_int_equal(vet1(raw_ext(NID_subject_alt_name, upn_ok, sizeof(upn_ok)), &out),
                         CMC_OK);
        assert_int_equal(sk_X509_EXTENSION_num(out), 1);
        sk_X509_EXTENSION_pop_free(out, X509_EXTENSION_free);
    }
}

/* An otherName value holding a SET whose members are out of DER order (X.690 §11.6) is
 * refused: OpenSSL keeps an open type's SET octets as they came, so it cannot be
 * re-encoded. The same SET in order is taken. At most 64 names per subjectAltName. */
static void test_vet_ext__othername_set_order_and_name_limit(void **state)
{
    /* otherName { 1.2.3.4, [0] SET { INTEGER 2, INTEGER 1 } } */
    static const unsigned char set_unsorted[] = {0x30, 0x11, 0xa0, 0x0f, 0x06, 0x03, 0x2a,
                                                 0x03, 0x04, 0xa0, 0x08, 0x31, 0x06, 0x02,
                                                 0x01, 0x02, 0x02, 0x01, 0x01};
    /* otherName { 1.2.3.4, [0] SEQUENCE { SET { OCTET STRING "b", OCTET STRING "a" } } } */
    static const unsigned char nested_unsorted[] = {0x30, 0x13, 0xa0, 0x11, 0x06, 0x03, 0x2a,
                                                    0x03, 0x04, 0xa0, 0x0a, 0x30, 0x08, 0x31,
                                                    0x06, 0x04, 0x01, 'b',  0x04, 0x01, 'a'};
    unsigned char sorted[sizeof(set_unsorted)];
    STACK_OF(X509_EXTENSION) *out = NULL;
    char *many = OPENSSL_malloc(65 * 16);
    size_t at = 0;

    (void)state;
    expect_ext_refused(raw_ext(NID_subject_alt_name, set_unsorted, sizeof(set_unsorted)),
                       "subjectAltName name 1 (otherName): a SET in the value is not in DER "
                       "order");
    expect_ext_refused(raw_ext(NID_subject_alt_name, nested_unsorted, sizeof(nested_unsorted)),
                       "name 1 (otherName): a SET");
    memcpy(sorted, set_unsorted, sizeof(sorted));
    sorted[15] = 0x01;
    sorted[18] = 0x02;
    assert_int_equal(vet1(raw_ext(NID_subject_alt_name, sorted, sizeof(sorted)), &out), CMC_OK);
    sk_X509_EXTENSION_pop_free(out, X509_EXTENSION_free);
    out = NULL;

    assert_non_null(many);
    for (int i = 0; i < 65; i++)
        at += (size_t)snprintf(many + at, 65 * 16 - at, "%sDNS:h%d.example", i ? "," : "", i);
    expect_ext_refused(san(many), "subjectAltName: more than 64 names");
    *strrchr(many, ',') = '\0';
    assert_int_equal(vet1(san(many), &out), CMC_OK);
    sk_X509_EXTENSION_pop_free(out, X509_EXTENSION_free);
    OPENSSL_free(many);
}

/* The CA sets subjectAltName's criticality (RFC 5280 §4.2.1.6: critical exactly when the
 * subject is empty), not the requester; issuerAltName is never critical (§4.2.1.7). */
static void test_vet_ext__san_criticality_is_the_cas(void **state)
{
    struct cmci_profile p = prof();
    STACK_OF(X509_EXTENSION) *in = sk_X509_EXTENSION_new_null(), *out = NULL;
    X509_EXTENSION *e = san("DNS:crit.example");

    (void)state;
    p.honor_nids[p.n_honor++] = NID_issuer_alt_name;
    X509_EXTENSION_set_critical(e, 1);
    sk_X509_EXTENSION_push(in, e);
    e = X509V3_EXT_conf_nid(NULL, NULL, NID_issuer_alt_name, "DNS:ian.example");
    assert_non_null(e);
    X509_EXTENSION_set_critical(e, 1);
    sk_X509_EXTENSION_push(in, e);
    assert_int_equal(cmci_vet_extensions(&p, in, 0, &out), CMC_OK);
    assert_int_equal(X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(out, 0)), 0);
    assert_int_equal(X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(out, 1)), 0);
    sk_X509_EXTENSION_pop_free(out, X509_EXTENSION_free);
    /* a non-critical SAN with an empty subject is made critical */
    X509_EXTENSION_set_critical(sk_X509_EXTENSION_value(in, 0), 0);
    assert_int_equal(cmci_vet_extensions(&p, in, 1, &out), CMC_OK);
    assert_int_equal(X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(out, 0)), 1);
    sk_X509_EXTENSION_pop_free(out, X509_EXTENSION_free);
    sk_X509_EXTENSION_pop_free(in, X509_EXTENSION_free);
}

/* Good extensions come back re-encoded (a keyUsage with BER trailing zero bits in DER
 * form), in request order, unhonoured ones dropped unread, criticality kept. */
static void test_vet_ext__reencoded(void **state)
{
    static const unsigned char ku_ber[] = {0x03, 0x02, 0x00, 0x80}; /* 0 unused bits */
    static const unsigned char ku_der[] = {0x03, 0x02, 0x07, 0x80};
    static const unsigned char junk[] = {0xde, 0xad};
    struct cmci_profile p = prof();
    STACK_OF(X509_EXTENSION) *in = sk_X509_EXTENSION_new_null(), *out = NULL;
    X509_EXTENSION *ku = raw_ext(NID_key_usage, ku_ber, sizeof(ku_ber));
    const ASN1_OCTET_STRING *d;

    (void)state;
    X509_EXTENSION_set_critical(ku, 1);
    sk_X509_EXTENSION_push(in, san("DNS:*.example.org,IP:2001:db8::1,URI:urn:x:y,"
                                   "email:a@b.example,RID:1.2.3"));
    sk_X509_EXTENSION_push(in, raw_ext(NID_crl_distribution_points, junk, sizeof(junk)));
    sk_X509_EXTENSION_push(in, ku);
    if (cmci_vet_extensions(&p, in, 0, &out) != CMC_OK)
        fail_msg("%s", cmc_error_get0_message());
    assert_int_equal(sk_X509_EXTENSION_num(out), 2);
    assert_int_equal(OBJ_obj2nid(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(out, 0))),
                     NID_subject_alt_name);
    assert_ptr_not_equal(sk_X509_EXTENSION_value(out, 0), sk_X509_EXTENSION_value(in, 0));
    d = X509_EXTENSION_get_data(sk_X509_EXTENSION_value(out, 1));
    assert_int_equal(ASN1_STRING_length(d), sizeof(ku_der));
    assert_memory_equal(ASN1_STRING_get0_data(d), ku_der, sizeof(ku_der));
    assert_int_equal(X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(out, 1)), 1);
    sk_X509_EXTENSION_pop_free(out, X509_EXTENSION_free);
    sk_X509_EXTENSION_pop_free(in, X509_EXTENSION_free);
}

/* ---- SubjectPublicKeyInfo --------------------------------------------------------------- */

/* The key as a request carries it, its parameters then set to @p ptype (V_ASN1_UNDEF:
 * absent, V_ASN1_NULL, V_ASN1_OBJECT with @p obj). Ownership: new. */
static CMC_SPKI *spki_with(EVP_PKEY *k, int ptype, int obj)
{
    CMC_SPKI *s = NULL;
    const ASN1_OBJECT *alg = NULL;

    assert_int_equal(cmc_spki_set1_pkey(&s, k), CMC_OK);
    X509_ALGOR_get0(&alg, NULL, NULL, s->algorithm);
    assert_int_equal(X509_ALGOR_set0(s->algorithm, OBJ_nid2obj(OBJ_obj2nid(alg)), ptype,
                                     ptype == V_ASN1_OBJECT ? OBJ_nid2obj(obj) : NULL),
                     1);
    return s;
}

static void expect_spki_refused(CMC_SPKI *s, const char *needle)
{
    CMC_SPKI *fresh = NULL;

    assert_int_equal(cmci_vet_spki(s, &fresh), CMC_ERR_BAD_ALG);
    assert_null(fresh);
    if (strstr(cmc_error_get0_message(), needle) == NULL)
        fail_msg("\"%s\" not in \"%s\"", needle, cmc_error_get0_message());
    CMC_SPKI_free(s);
}

/* The SPKI the CA signs has the AlgorithmIdentifier its key type fixes (attack item 2):
 * rsaEncryption without its NULL (RFC 3279 §2.3.1) gets the NULL, as OpenSSL writes it;
 * canonical ones are used as they are (no copy); EC without a named curve and EdDSA with
 * parameters (RFC 8410 §3) are refused as badAlg saying why. */
static void test_vet_spki__canonical(void **state)
{
    EVP_PKEY *rsa = EVP_RSA_gen(2048), *ec = EVP_EC_gen("P-256");
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    CMC_SPKI *s, *fresh = NULL;
    unsigned char *want = NULL, *got = NULL;
    int wlen, glen;

    (void)state;
    /* canonical: used as is */
    s = spki_with(rsa, V_ASN1_NULL, 0);
    assert_int_equal(cmci_vet_spki(s, &fresh), CMC_OK);
    assert_null(fresh);
    wlen = i2d_PUBKEY(rsa, &want);
    assert_int_equal(i2d_CMC_SPKI(s, &got), wlen);
    assert_memory_equal(got, want, (size_t)wlen);
    OPENSSL_free(got);
    got = NULL;
    CMC_SPKI_free(s);
    s = spki_with(ec, V_ASN1_OBJECT, NID_X9_62_prime256v1);
    assert_int_equal(cmci_vet_spki(s, &fresh), CMC_OK);
    assert_null(fresh);
    CMC_SPKI_free(s);
    s = spki_with(ed, V_ASN1_UNDEF, 0);
    assert_int_equal(cmci_vet_spki(s, &fresh), CMC_OK);
    assert_null(fresh);
    CMC_SPKI_free(s);
    /* rsaEncryption without NULL: re-encoded with it, the same DER OpenSSL writes */
    s = spki_with(rsa, V_ASN1_UNDEF, 0);
    assert_int_equal(cmci_vet_spki(s, &fresh), CMC_OK);
    assert_non_null(fresh);
    glen = i2d_CMC_SPKI(fresh, &got);
    assert_int_equal(glen, wlen);
    assert_memory_equal(got, want, (size_t)wlen);
    OPENSSL_free(got);
    CMC_SPKI_free(fresh);
    CMC_SPKI_free(s);
    /* refused */
    expect_spki_refused(spki_with(rsa, V_ASN1_OBJECT, NID_sha256), "must be NULL");
    expect_spki_refused(spki_with(ec, V_ASN1_NULL, 0), "must name its curve");
    expect_spki_refused(spki_with(ed, V_ASN1_NULL, 0),
                        "ED25519 public key: the parameters must be absent");
    OPENSSL_free(want);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(ed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vet_name__not_der_refused),
        cmocka_unit_test(test_vet_name__empty_rdn_refused),
        cmocka_unit_test(test_vet_name__bad_values_refused),
        cmocka_unit_test(test_vet_name__upper_bounds),
        cmocka_unit_test(test_vet_name__unsorted_rdn_reencoded),
        cmocka_unit_test(test_vet_ext__bad_shapes_refused),
        cmocka_unit_test(test_vet_ext__reencoded),
        cmocka_unit_test(test_vet_name__duplicate_type_in_rdn_and_limit),
        cmocka_unit_test(test_vet_ext__othername_set_order_and_name_limit),
        cmocka_unit_test(test_vet_ext__san_criticality_is_the_cas),
        cmocka_unit_test(test_vet_spki__canonical),
    };
    return cmocka_run_group_tests_name("ca_vet", tests, NULL, NULL);
}
