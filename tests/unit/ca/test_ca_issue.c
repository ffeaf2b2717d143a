/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/ca/ca_issue.c: serials, profile extensions, honoured and dropped requested
 * extensions, key policy, lifetime capped by the CA, and the record in the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/bn.h>

#include "ca/ca_local.h"
#include "unit/ca/ca_test_util.h"

struct fx {
    char dir[256];
    struct cmci_ca *ca;
};

static int setup(void **state)
{
    static struct fx f;
    char path[300];

    memset(&f, 0, sizeof(f));
    if (ca_test_make_dir(f.dir, sizeof(f.dir)) != 0)
        return -1;
    if (ca_test_write(f.dir, "cmcd.cnf",
                      CA_TEST_BASE_CONF "[cmcd]\ndatabase = mem:\n"
                                        "[profiles]\nlong = p_long\nrsa3k = p_rsa\n"
                                        "percert = p_percert\nbare = p_bare\n"
                                        "subca = p_subca\ncertsign = p_certsign\n"
                                        "auto = p_auto\n"
                                        "[p_default]\nhonor_extensions = subjectAltName\n"
                                        "key_types = ec:P-256,rsa:2048\n"
                                        "[p_long]\nauthorization = open\nvalidity_days = 9000\n"
                                        "[p_rsa]\nauthorization = open\nkey_types = rsa:3072\n"
                                        /* "copy" in a value: evaluated per issuance */
                                        "[p_percert]\nauthorization = open\nextensions = x_pc\n"
                                        "[x_pc]\nkeyUsage = digitalSignature\n"
                                        "nsComment = a copy\nsubjectKeyIdentifier = hash\n"
                                        /* no extension section at all */
                                        "[p_bare]\nauthorization = open\n"
                                        "[p_subca]\nauthorization = open\nca = yes\n"
                                        "[p_certsign]\nauthorization = open\n"
                                        "extensions = x_cs\n"
                                        "[x_cs]\nkeyUsage = keyCertSign\n"
                                        "[p_auto]\nauthorization = open\nkey_usage = auto\n"
                                        "key_types = ec:P-256,rsa:2048,ed25519\n"
                                        "extensions = x_auto\n"
                                        "honor_extensions = subjectAltName,keyUsage\n"
                                        "[x_auto]\nbasicConstraints = critical,CA:FALSE\n"
                                        "extendedKeyUsage = clientAuth\n"
                                        "[profiles]\nwide = p_wide\n"
                                        "[p_wide]\nauthorization = open\nextensions = ext\n"
                                        "honor_extensions = subjectAltName,keyUsage,"
                                        "extendedKeyUsage,certificatePolicies\n")
        != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/cmcd.cnf", f.dir);
    if (cmci_ca_load(&f.ca, path) != CMC_OK) {
        fprintf(stderr, "%s\n", cmc_error_get0_message());
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    cmci_ca_free(f->ca);
    ca_test_rmdir(f->dir);
    return 0;
}

static X509_NAME *name(const char *cn)
{
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    return n;
}

/* cmci_ca_issue, and the certificate decoded as a relying party would. Ownership: new. */
static cmc_err issue(struct fx *f, const struct cmci_profile *p, const X509_NAME *n,
                     const CMC_SPKI *spki, const STACK_OF(X509_EXTENSION) *req, X509 **x)
{
    struct cmci_blob b = {NULL, 0};
    const unsigned char *q;
    cmc_err rv = cmci_ca_issue(f->ca, p, n, spki, req, &b, NULL);

    *x = NULL;
    if (rv != CMC_OK)
        return rv;
    q = b.der;
    *x = d2i_X509(NULL, &q, (long)b.len);
    assert_non_null(*x);
    assert_ptr_equal(q, b.der + b.len); /* nothing after the certificate */
    OPENSSL_free(b.der);
    return CMC_OK;
}

/* The key as a request carries it. Ownership: new. */
static CMC_SPKI *spki_of(EVP_PKEY *k)
{
    CMC_SPKI *s = NULL;

    assert_int_equal(cmc_spki_set1_pkey(&s, k), CMC_OK);
    return s;
}

static void test_ca_issue__profile_extensions_and_requested(void **state)
{
    struct fx *f = *state;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509_NAME *n = name("device");
    STACK_OF(X509_EXTENSION) *req = sk_X509_EXTENSION_new_null();
    X509_EXTENSION *san, *eku;
    X509 *x = NULL;
    X509V3_CTX ctx;
    uint64_t before = 0, after = 0;

    X509V3_set_ctx(&ctx, NULL, NULL, NULL, NULL, 0);
    san = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "DNS:device.example");
    eku = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, "codeSigning");
    sk_X509_EXTENSION_push(req, san);
    sk_X509_EXTENSION_push(req, eku);

    assert_int_equal(cmc_store_cert_count(f->ca->store, &before), CMC_OK);
    CMC_SPKI *spki = spki_of(k);

    assert_int_equal(issue(f, f->ca->default_profile, n, spki, req, &x), CMC_OK);
    CMC_SPKI_free(spki);
    assert_non_null(x);
    assert_int_equal(X509_verify(x, f->ca->key), 1);
    /* the certified key is the request's, copied without re-encoding (the issued X509
     * holds no decoded key, so read it back from its DER as a relying party would) */
    {
        unsigned char *der = NULL;
        const unsigned char *p;
        int len = i2d_X509(x, &der);
        X509 *back;

        assert_true(len > 0);
        p = der;
        back = d2i_X509(NULL, &p, len);
        assert_non_null(back);
        assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(back), k), 1);
        X509_free(back);
        OPENSSL_free(der);
    }
    /* profile extensions applied; requested SAN honoured; requested EKU dropped */
    assert_true(X509_get_ext_by_NID(x, NID_basic_constraints, -1) >= 0);
    assert_true(X509_get_ext_by_NID(x, NID_subject_key_identifier, -1) >= 0);
    assert_true(X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0);
    assert_true(X509_get_ext_by_NID(x, NID_ext_key_usage, -1) < 0);
    assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(f->ca->cert)), 0);
    /* recorded before returning */
    assert_int_equal(cmc_store_cert_count(f->ca->store, &after), CMC_OK);
    assert_int_equal(after, before + 1);
    {
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        char *hex = BN_bn2hex(bn);
        uint8_t *der = NULL;
        size_t len = 0;
        /* at least 64 random bits: our serials are 127 bits with the top bits fixed */
        assert_true(BN_num_bits(bn) >= 120);
        assert_int_equal(cmc_store_cert_get_der(f->ca->store, hex, &der, &len), CMC_OK);
        assert_true(len > 0);
        OPENSSL_free(der);
        OPENSSL_free(hex);
        BN_free(bn);
    }
    X509_free(x);
    sk_X509_EXTENSION_pop_free(req, X509_EXTENSION_free);
    X509_NAME_free(n);
    EVP_PKEY_free(k);
}

/* The profile extensions a certificate gets are exactly what OpenSSL's own evaluation of
 * the section gives for it, whether the profile's extensions were made once at load
 * (cache_extensions) or are evaluated per issuance. */
static void check_profile_exts(struct fx *f, const struct cmci_profile *p, int cached)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509_NAME *n = name("ext");
    CMC_SPKI *spki = spki_of(k);
    X509 *x = NULL, *y = X509_new();
    X509V3_CTX ctx;

    assert_non_null(p);
    assert_int_equal(p->ext_cached != NULL, cached);
    assert_int_equal(issue(f, p, n, spki, NULL, &x), CMC_OK);
    assert_int_equal(X509_set_pubkey(y, k), 1);
    X509V3_set_ctx(&ctx, f->ca->cert, y, NULL, NULL, 0);
    X509V3_set_nconf(&ctx, f->ca->conf);
    assert_int_equal(X509V3_EXT_add_nconf(f->ca->conf, &ctx, p->ext_section, y), 1);
    assert_true(X509_get_ext_count(y) >= 3);
    /* the section's, then authorityKeyIdentifier when the section has none (it is required) */
    assert_int_equal(X509_get_ext_count(x),
                     X509_get_ext_count(y)
                         + (X509_get_ext_by_NID(y, NID_authority_key_identifier, -1) < 0));
    assert_true(X509_get_ext_by_NID(x, NID_authority_key_identifier, -1) >= 0);
    for (int i = 0; i < X509_get_ext_count(y); i++) {
        unsigned char *a = NULL, *b = NULL;
        int la = i2d_X509_EXTENSION(X509_get_ext(x, i), &a);
        int lb = i2d_X509_EXTENSION(X509_get_ext(y, i), &b);

        assert_true(la > 0);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, (size_t)la);
        OPENSSL_free(a);
        OPENSSL_free(b);
    }
    X509_free(x);
    X509_free(y);
    CMC_SPKI_free(spki);
    X509_NAME_free(n);
    EVP_PKEY_free(k);
}

static void test_ca_issue__cached_extensions_equal_openssl(void **state)
{
    struct fx *f = *state;

    check_profile_exts(f, f->ca->default_profile, 1);
    check_profile_exts(f, cmci_ca_get0_profile(f->ca, "percert"), 0);
}

static void test_ca_issue__serials_unique(void **state)
{
    struct fx *f = *state;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509_NAME *n = name("many");
    ASN1_INTEGER *seen[100];
    CMC_SPKI *spki = spki_of(k);

    for (int i = 0; i < 100; i++) {
        X509 *x = NULL;
        assert_int_equal(issue(f, f->ca->default_profile, n, spki, NULL, &x), CMC_OK);
        seen[i] = ASN1_INTEGER_dup(X509_get0_serialNumber(x));
        for (int j = 0; j < i; j++)
            assert_int_not_equal(ASN1_INTEGER_cmp(seen[i], seen[j]), 0);
        X509_free(x);
    }
    for (int i = 0; i < 100; i++)
        ASN1_INTEGER_free(seen[i]);
    CMC_SPKI_free(spki);
    X509_NAME_free(n);
    EVP_PKEY_free(k);
}

static void test_ca_issue__lifetime_capped_by_ca(void **state)
{
    struct fx *f = *state;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509_NAME *n = name("long");
    X509 *x = NULL;
    CMC_SPKI *spki = spki_of(k);

    assert_int_equal(issue(f, cmci_ca_get0_profile(f->ca, "long"), n, spki, NULL, &x),
                     CMC_OK);
    CMC_SPKI_free(spki);
    assert_int_equal(ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(f->ca->cert)), 0);
    X509_free(x);
    X509_NAME_free(n);
    EVP_PKEY_free(k);
}

/* The TBSCertificate inside a Certificate: the first element of its outer SEQUENCE. */
static void tbs_of(const struct cmci_blob *cert, const unsigned char **tbs, size_t *len)
{
    const unsigned char *p = cert->der;
    long olen, ilen;
    int tag, cls;

    assert_int_equal(ASN1_get_object(&p, &olen, &tag, &cls, (long)cert->len), V_ASN1_CONSTRUCTED);
    *tbs = p;
    assert_int_equal(ASN1_get_object(&p, &ilen, &tag, &cls, olen), V_ASN1_CONSTRUCTED);
    *len = (size_t)(p - *tbs) + (size_t)ilen;
}

/* A Name from its DER. Ownership: new. */
static X509_NAME *name_der(const unsigned char *der, size_t len)
{
    const unsigned char *q = der;
    X509_NAME *n = d2i_X509_NAME(NULL, &q, (long)len);

    assert_non_null(n);
    assert_ptr_equal(q, der + len);
    return n;
}

/* @p n with entries (field, UTF-8 value, string type, new RDN or not) added. */
static void add(X509_NAME *n, const char *field, const char *v, int type, int same_rdn)
{
    assert_int_equal(X509_NAME_add_entry_by_txt(n, field, type, (const unsigned char *)v, -1, -1,
                                                same_rdn ? -1 : 0),
                     1);
}

/* A string of @p n copies of @p unit. Ownership: new. */
static char *repeat(const char *unit, size_t n)
{
    size_t u = strlen(unit);
    char *s = OPENSSL_malloc(u * n + 1);

    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * u, unit, u);
    s[u * n] = '\0';
    return s;
}

/* The request shapes of the equality test: names and requested-extension sets. */
#define N_NAMES 5
#define N_EXTSETS 4
static void make_shapes(X509_NAME *names[N_NAMES], STACK_OF(X509_EXTENSION) *exts[N_EXTSETS])
{
    /* a multi-valued RDN whose members are out of DER order: { SN=bbb, CN=aaa } */
    static const unsigned char unsorted[] = {0x30, 0x1a, 0x31, 0x18, 0x30, 0x0a, 0x06, 0x03,
                                             0x55, 0x04, 0x04, 0x0c, 0x03, 'b',  'b',  'b',
                                             0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
                                             0x03, 'a',  'a',  'a'};
    X509V3_CTX ctx;
    char *cn64 = repeat("\xc3\xa9", 64), *l128 = repeat("l", 128), *mail = repeat("m", 243);
    char *email;
    const char *sans[] = {
        "DNS:a.example,DNS:*.wild.example,IP:192.0.2.1,IP:2001:db8::1,"
        "email:user@example.org,URI:https://example.org/x?y=1,RID:1.2.3.4,"
        "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@example.org,dirName:dir_sect",
        "critical,DNS:only.example", /* the CA, not the requester, sets criticality */
    };

    for (int i = 0; i < N_NAMES; i++)
        names[i] = i == 4 ? NULL : X509_NAME_new();
    /* UTF8String, and a multi-valued RDN (CN + UID) */
    add(names[0], "O", "Z\xc3\xbcrich AG", MBSTRING_UTF8, 0);
    add(names[0], "CN", "device", V_ASN1_UTF8STRING, 0);
    add(names[0], "UID", "42", V_ASN1_UTF8STRING, 1);
    /* PrintableString throughout, country, serialNumber */
    add(names[1], "C", "CH", V_ASN1_PRINTABLESTRING, 0);
    add(names[1], "O", "Example (Test) Ltd.", V_ASN1_PRINTABLESTRING, 0);
    add(names[1], "OU", "Ops/Unit-2", V_ASN1_PRINTABLESTRING, 0);
    add(names[1], "CN", "printable host", V_ASN1_PRINTABLESTRING, 0);
    add(names[1], "serialNumber", "A-1234", V_ASN1_PRINTABLESTRING, 0);
    /* long but legal: 64 two-octet characters, 128-character locality, 255-octet email */
    email = OPENSSL_malloc(300);
    snprintf(email, 300, "%s@example.org", mail);
    assert_int_equal(strlen(email), 255);
    add(names[2], "DC", "org", V_ASN1_IA5STRING, 0);
    add(names[2], "DC", "example", V_ASN1_IA5STRING, 0);
    add(names[2], "L", l128, V_ASN1_UTF8STRING, 0);
    add(names[2], "ST", l128, V_ASN1_UTF8STRING, 0);
    add(names[2], "emailAddress", email, V_ASN1_IA5STRING, 0);
    add(names[2], "CN", cn64, V_ASN1_UTF8STRING, 0);
    /* unsorted multi-valued RDN: re-encoded */
    X509_NAME_free(names[3]);
    names[3] = name_der(unsorted, sizeof(unsorted));
    names[4] = X509_NAME_dup(names[0]);
    add(names[4], "title", "Dr", V_ASN1_PRINTABLESTRING, 0);

    X509V3_set_ctx(&ctx, NULL, NULL, NULL, NULL, 0);
    {
        CONF *conf = NCONF_new(NULL);
        long eline = 0;
        BIO *b = BIO_new_mem_buf("[dir_sect]\nC=DE\nO=Dir Org\nCN=dir\n", -1);

        assert_int_equal(NCONF_load_bio(conf, b, &eline), 1);
        X509V3_set_nconf(&ctx, conf);
        for (int i = 0; i < N_EXTSETS; i++)
            exts[i] = i == 0 ? NULL : sk_X509_EXTENSION_new_null();
        /* every kind of SAN entry, plus keyUsage, extendedKeyUsage, certificatePolicies */
        sk_X509_EXTENSION_push(exts[1], X509V3_EXT_nconf_nid(conf, &ctx, NID_subject_alt_name,
                                                             sans[0]));
        sk_X509_EXTENSION_push(exts[1], X509V3_EXT_nconf_nid(conf, &ctx, NID_key_usage,
                                                             "critical,digitalSignature"));
        sk_X509_EXTENSION_push(exts[1], X509V3_EXT_nconf_nid(conf, &ctx, NID_ext_key_usage,
                                                             "clientAuth,codeSigning"));
        sk_X509_EXTENSION_push(exts[1], X509V3_EXT_nconf_nid(conf, &ctx,
                                                             NID_certificate_policies,
                                                             "2.23.140.1.2.1"));
        sk_X509_EXTENSION_push(exts[2], X509V3_EXT_nconf_nid(conf, &ctx, NID_subject_alt_name,
                                                             sans[1]));
        sk_X509_EXTENSION_push(exts[3], X509V3_EXT_nconf_nid(conf, &ctx, NID_ext_key_usage,
                                                             "serverAuth"));
        for (int i = 1; i < N_EXTSETS; i++)
            for (int k = 0; k < sk_X509_EXTENSION_num(exts[i]); k++)
                assert_non_null(sk_X509_EXTENSION_value(exts[i], k));
        NCONF_free(conf);
        BIO_free(b);
    }
    OPENSSL_free(cn64);
    OPENSSL_free(l128);
    OPENSSL_free(mail);
    OPENSSL_free(email);
}

/* The direct DER path (ca_der.c) and OpenSSL's X509 object give the same TBSCertificate,
 * octet for octet, for the same serial and time, over the shapes a request can take:
 * UTF8String and PrintableString names, multi-valued RDNs (one sent out of DER order,
 * which both re-encode the same way), values at their RFC 5280 upper bounds, SAN entries
 * of every kind, each honourable extension, EC, RSA and Ed25519 keys (keyUsage by key
 * type), profiles with and without extension sections, a lifetime capped by the CA, and
 * GeneralizedTime outside 1950-2049. Every certificate verifies with the CA key and is DER
 * by our strict reader; AKI and SKI are always there. */
static void test_ca_build__direct_der_equals_openssl(void **state)
{
    struct fx *f = *state;
    EVP_PKEY *k = EVP_EC_gen("P-256"), *rk = EVP_RSA_gen(2048);
    EVP_PKEY *ek = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    X509_NAME *names[N_NAMES];
    STACK_OF(X509_EXTENSION) *exts[N_EXTSETS];
    /* the last: an RSA key whose AlgorithmIdentifier lacks the NULL parameters (RFC 3279
     * §2.3.1 requires it): both paths sign it with the NULL */
    CMC_SPKI *spkis[] = {spki_of(k), spki_of(rk), spki_of(ek), spki_of(rk)};
    const struct cmci_profile *profiles[] = {f->ca->default_profile,
                                             cmci_ca_get0_profile(f->ca, "long"),
                                             cmci_ca_get0_profile(f->ca, "rsa3k"),
                                             cmci_ca_get0_profile(f->ca, "bare"),
                                             cmci_ca_get0_profile(f->ca, "subca"),
                                             cmci_ca_get0_profile(f->ca, "certsign"),
                                             cmci_ca_get0_profile(f->ca, "auto"),
                                             cmci_ca_get0_profile(f->ca, "wide")};
    const time_t times[] = {time(NULL), (time_t)-1000000000 /* 1938 */,
                            (time_t)2524608000 /* 2050-01-01 */ - 86400 * 10};
    const size_t n_prof = sizeof(profiles) / sizeof(profiles[0]);
    unsigned char serial[16];
    int checked = 0;

    assert_int_equal(X509_ALGOR_set0(spkis[3]->algorithm, OBJ_nid2obj(NID_rsaEncryption),
                                     V_ASN1_UNDEF, NULL),
                     1);
    make_shapes(names, exts);
    for (int i = 0; i < 16; i++)
        serial[i] = (unsigned char)(0x40 + i * 7);

    for (size_t pi = 0; pi < n_prof; pi++) {
        assert_non_null(profiles[pi]);
        assert_int_equal(profiles[pi]->der_ok, 1);
    }
    for (size_t pi = 0; pi < n_prof; pi++)
        for (size_t ki = 0; ki < 4; ki++)
            for (size_t ti = 0; ti < 3; ti++)
                for (size_t ni = 0; ni < N_NAMES; ni++)
                    for (size_t ei = 0; ei < N_EXTSETS; ei++) {
                        struct cmci_blob a = {NULL, 0}, b = {NULL, 0};
                        const unsigned char *ta, *tb, *q;
                        size_t la, lb;
                        int wide = pi == n_prof - 1;
                        X509 *x;

                        assert_int_equal(cmci_ca_build(f->ca, profiles[pi], names[ni],
                                                       spkis[ki], exts[ei], serial, times[ti],
                                                       0, &a),
                                         CMC_OK);
                        assert_int_equal(cmci_ca_build(f->ca, profiles[pi], names[ni],
                                                       spkis[ki], exts[ei], serial, times[ti],
                                                       1, &b),
                                         CMC_OK);
                        tbs_of(&a, &ta, &la);
                        tbs_of(&b, &tb, &lb);
                        assert_int_equal(la, lb);
                        assert_memory_equal(ta, tb, la);
                        assert_int_equal(cmci_der_check("certificate", a.der, a.len), CMC_OK);
                        q = a.der;
                        x = d2i_X509(NULL, &q, (long)a.len);
                        assert_non_null(x);
                        assert_int_equal(X509_verify(x, f->ca->key), 1);
                        /* SAN is honoured by every profile; EKU only by "wide" (or set
                         * by the auto profile itself) */
                        assert_int_equal(X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0,
                                         ei == 1 || ei == 2);
                        /* RFC 5280 §4.2.1.6: the subject is not empty, so SAN is not
                         * critical, although set 2 asked for it */
                        if (ei == 1 || ei == 2)
                            assert_int_equal(X509_EXTENSION_get_critical(X509_get_ext(
                                                 x, X509_get_ext_by_NID(x, NID_subject_alt_name,
                                                                        -1))),
                                             0);
                        assert_int_equal(X509_get_ext_by_NID(x, NID_ext_key_usage, -1) >= 0,
                                         pi == 6 || (wide && (ei == 1 || ei == 3)));
                        if (ki == 1 || ki == 3) {
                            X509_ALGOR *pa = NULL;
                            int ptype = V_ASN1_UNDEF;

                            assert_int_equal(X509_PUBKEY_get0_param(NULL, NULL, NULL, &pa,
                                                                    X509_get_X509_PUBKEY(x)),
                                             1);
                            X509_ALGOR_get0(NULL, &ptype, NULL, pa);
                            assert_int_equal(ptype, V_ASN1_NULL);
                        }
                        assert_true(X509_get_ext_by_NID(x, NID_subject_key_identifier, -1) >= 0);
                        assert_true(X509_get_ext_by_NID(x, NID_authority_key_identifier, -1)
                                    >= 0);
                        X509_free(x);
                        OPENSSL_free(a.der);
                        OPENSSL_free(b.der);
                        checked++;
                    }
    assert_int_equal(checked, (int)(n_prof * 4 * 3 * N_NAMES * N_EXTSETS));
    /* the out-of-order RDN was signed in DER order (a before b) */
    {
        struct cmci_blob a = {NULL, 0};
        const unsigned char *q;
        X509 *x;
        const unsigned char *sd = NULL;
        size_t sl = 0;

        assert_int_equal(cmci_ca_build(f->ca, profiles[0], names[3], spkis[0], NULL, serial,
                                       times[0], 0, &a),
                         CMC_OK);
        q = a.der;
        x = d2i_X509(NULL, &q, (long)a.len);
        assert_int_equal(X509_NAME_get0_der(X509_get_subject_name(x), &sd, &sl), 1);
        assert_int_equal(sl, 28);
        assert_int_equal(sd[15], 'a');
        assert_int_equal(sd[27], 'b');
        X509_free(x);
        OPENSSL_free(a.der);
    }
    for (size_t ki = 0; ki < 4; ki++)
        CMC_SPKI_free(spkis[ki]);
    for (int i = 0; i < N_EXTSETS; i++)
        sk_X509_EXTENSION_pop_free(exts[i], X509_EXTENSION_free);
    for (int i = 0; i < N_NAMES; i++)
        X509_NAME_free(names[i]);
    EVP_PKEY_free(k);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(ek);
}

/* RFC 5280 §4.2: one instance of an extension; a request with two SANs is refused rather
 * than one of them picked. */
static void test_ca_build__duplicate_requested_extension_refused(void **state)
{
    struct fx *f = *state;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    CMC_SPKI *spki = spki_of(k);
    X509_NAME *n = name("dup");
    STACK_OF(X509_EXTENSION) *req = sk_X509_EXTENSION_new_null();
    unsigned char serial[16] = {0x40};
    struct cmci_blob a = {NULL, 0};

    sk_X509_EXTENSION_push(req, X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
                                                    "DNS:a.example"));
    sk_X509_EXTENSION_push(req, X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
                                                    "DNS:b.example"));
    for (int via = 0; via < 2; via++) {
        assert_int_equal(cmci_ca_build(f->ca, f->ca->default_profile, n, spki, req, serial,
                                       time(NULL), via, &a),
                         CMC_ERR_BAD_REQUEST);
        assert_null(a.der);
        assert_non_null(strstr(cmc_error_get0_message(), "subjectAltName: more than once"));
    }
    sk_X509_EXTENSION_pop_free(req, X509_EXTENSION_free);
    X509_NAME_free(n);
    CMC_SPKI_free(spki);
    EVP_PKEY_free(k);
}

/* Issue under profile @p name for @p k; the certificate decoded. Ownership: new. */
static X509 *issue_for(struct fx *f, const char *pname, EVP_PKEY *k)
{
    const struct cmci_profile *p = cmci_ca_get0_profile(f->ca, pname);
    X509_NAME *n = name("req-ext");
    CMC_SPKI *spki = spki_of(k);
    X509 *x = NULL;

    assert_non_null(p);
    assert_int_equal(issue(f, p, n, spki, NULL, &x), CMC_OK);
    CMC_SPKI_free(spki);
    X509_NAME_free(n);
    return x;
}

/* keyUsage bits of @p x as a number (bit 0 = digitalSignature); -1 when absent. @p crit
 * receives its criticality. */
static long ku_bits(X509 *x, int *crit)
{
    ASN1_BIT_STRING *ku = X509_get_ext_d2i(x, NID_key_usage, crit, NULL);
    long v = 0;

    if (ku == NULL)
        return -1;
    for (int i = 0; i < 9; i++)
        if (ASN1_BIT_STRING_get_bit(ku, i))
            v |= 1L << i;
    ASN1_BIT_STRING_free(ku);
    return v;
}

/* RFC 5280 §4.2.1.1/§4.2.1.2: a profile without any extension section still gives
 * authorityKeyIdentifier (the CA's subjectKeyIdentifier) and subjectKeyIdentifier (SHA-1
 * of the key bits), nothing else: it is not a CA profile. */
static void test_ca_issue__no_extension_section_has_key_identifiers(void **state)
{
    struct fx *f = *state;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509 *x = issue_for(f, "bare", k);
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
    const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(x);
    const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(x);
    unsigned char md[SHA_DIGEST_LENGTH];

    assert_int_equal(X509_get_ext_count(x), 2);
    assert_non_null(ski);
    assert_non_null(aki);
    assert_int_equal(ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(f->ca->cert)), 0);
    SHA1(ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits), md);
    assert_int_equal(ASN1_STRING_length(ski), SHA_DIGEST_LENGTH);
    assert_memory_equal(ASN1_STRING_get0_data(ski), md, SHA_DIGEST_LENGTH);
    assert_int_equal(X509_get_ext_by_NID(x, NID_basic_constraints, -1), -1);
    X509_free(x);
    EVP_PKEY_free(k);
}

/* RFC 5280 §4.2.1.9 and §4.2.1.3: a CA profile (ca = yes, or keyCertSign in the section)
 * gets basicConstraints critical cA TRUE and, when the section sets none, keyUsage critical
 * keyCertSign, cRLSign. */
static void test_ca_issue__ca_profile_has_basic_constraints(void **state)
{
    struct fx *f = *state;
    EVP_PKEY *k = EVP_EC_gen("P-256");
    const char *names[] = {"subca", "certsign"};

    for (size_t i = 0; i < 2; i++) {
        X509 *x = issue_for(f, names[i], k);
        int crit = -1;
        BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);

        assert_non_null(bc);
        assert_true(bc->ca);
        assert_int_equal(crit, 1);
        BASIC_CONSTRAINTS_free(bc);
        /* keyCertSign (5), plus cRLSign (6) when the CA chose the keyUsage */
        assert_int_equal(ku_bits(x, &crit), i == 0 ? (1L << 5) | (1L << 6) : 1L << 5);
        assert_int_equal(crit, i == 0);
        assert_non_null(X509_get0_subject_key_id(x));
        assert_non_null(X509_get0_authority_key_id(x));
        X509_free(x);
    }
    EVP_PKEY_free(k);
}

/* key_usage = auto: keyUsage by the key's type (RFC 5280 §4.2.1.3): digitalSignature for EC
 * and Ed25519 keys (never keyEncipherment, which they cannot do), digitalSignature and
 * keyEncipherment for RSA; critical; a requested keyUsage does not replace it. */
static void test_ca_issue__key_usage_auto_by_key_type(void **state)
{
    struct fx *f = *state;
    EVP_PKEY *keys[] = {EVP_EC_gen("P-256"), EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"),
                        EVP_RSA_gen(2048)};
    const long want[] = {1, 1, 1 | 4};

    for (size_t i = 0; i < 3; i++) {
        X509 *x = issue_for(f, "auto", keys[i]);
        int crit = 0;

        assert_int_equal(ku_bits(x, &crit), want[i]);
        assert_int_equal(crit, 1);
        X509_free(x);
        EVP_PKEY_free(keys[i]);
    }
}

/* A profile whose extensions are evaluated per certificate has no direct path; issuing
 * through it still works (the X509 object path). */
static void test_ca_build__per_certificate_profile_uses_x509(void **state)
{
    struct fx *f = *state;
    const struct cmci_profile *p = cmci_ca_get0_profile(f->ca, "percert");
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509_NAME *n = name("percert");
    CMC_SPKI *spki = spki_of(k);
    X509 *x = NULL;

    assert_non_null(p);
    assert_int_equal(p->der_ok, 0);
    assert_int_equal(issue(f, p, n, spki, NULL, &x), CMC_OK);
    assert_true(X509_get_ext_by_NID(x, NID_netscape_comment, -1) >= 0);
    assert_int_equal(X509_verify(x, f->ca->key), 1);
    X509_free(x);
    CMC_SPKI_free(spki);
    X509_NAME_free(n);
    EVP_PKEY_free(k);
}

static void test_ca_check_key__policy(void **state)
{
    struct fx *f = *state;
    EVP_PKEY *p256 = EVP_EC_gen("P-256");
    EVP_PKEY *p384 = EVP_EC_gen("P-384");
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    const struct cmci_profile *rsa3k = cmci_ca_get0_profile(f->ca, "rsa3k");

    assert_int_equal(cmci_ca_check_key(f->ca->default_profile, p256), CMC_OK);
    assert_int_equal(cmci_ca_check_key(f->ca->default_profile, p384), CMC_ERR_BAD_ALG);
    assert_non_null(strstr(cmc_error_get0_message(), "secp384r1"));
    assert_int_equal(cmci_ca_check_key(f->ca->default_profile, ed), CMC_ERR_BAD_ALG);
    assert_int_equal(cmci_ca_check_key(rsa3k, p256), CMC_ERR_BAD_ALG);
    EVP_PKEY_free(p256);
    EVP_PKEY_free(p384);
    EVP_PKEY_free(ed);
}

/* cmci_name_text writes what X509_NAME_print_ex(XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)
 * writes, cut to the buffer, for every name: plain ones (its own fast path) and those with
 * characters RFC 2253 escapes, leading '#' or spaces, trailing spaces, control and non-ASCII
 * octets, multi-valued RDNs, other string types and unknown attributes (OpenSSL's path). */
static void test_ca_name_text__equals_openssl(void **state)
{
    static const int nids[] = {NID_commonName, NID_organizationName,
                               NID_organizationalUnitName, NID_countryName,
                               NID_localityName, NID_pkcs9_emailAddress,
                               NID_domainComponent, NID_serialNumber, NID_userId, NID_title};
    static const int types[] = {V_ASN1_PRINTABLESTRING, V_ASN1_UTF8STRING, V_ASN1_IA5STRING,
                                V_ASN1_PRINTABLESTRING, V_ASN1_UTF8STRING, V_ASN1_T61STRING};
    static const char plain[] = "abcXYZ019 -.'()/:=?@_";
    static const char odd[] = ",+\"\\<>;# \x01\x7f\xc3\xa9\xff";
    static const size_t lens[] = {512, 600, 1, 2, 5, 9, 17, 40};
    ASN1_OBJECT *unknown = OBJ_txt2obj("1.2.3.4.5", 1);
    uint32_t seed = 12345;
    int fast_like = 0;

    (void)state;
    assert_non_null(unknown);
    for (int round = 0; round < 4000; round++) {
        X509_NAME *n = X509_NAME_new();
        int entries;
        int all_plain = 1;

        assert_non_null(n);
        seed = seed * 1103515245u + 12345u;
        entries = (int)(seed >> 16) % 5;
        for (int e = 0; e < entries; e++) {
            unsigned char v[24];
            int vlen, type, set, special;

            seed = seed * 1103515245u + 12345u;
            vlen = 1 + (int)(seed >> 16) % 20;
            special = ((seed >> 8) & 7) == 0;
            type = types[(seed >> 4) % (sizeof(types) / sizeof(types[0]))];
            set = e > 0 && ((seed >> 12) & 15) == 0 ? -1 : 0;
            for (int k = 0; k < vlen; k++) {
                seed = seed * 1103515245u + 12345u;
                v[k] = special && ((seed >> 20) & 3) == 0
                           ? (unsigned char)odd[(seed >> 8) % (sizeof(odd) - 1)]
                           : (unsigned char)plain[(seed >> 8) % (sizeof(plain) - 1)];
            }
            all_plain &= !special && set == 0 && type != V_ASN1_T61STRING && v[0] != ' '
                         && v[vlen - 1] != ' ';
            if (((seed >> 24) & 31) == 0) {
                all_plain = 0;
                assert_int_equal(X509_NAME_add_entry_by_OBJ(n, unknown, type, v, vlen, -1,
                                                            set),
                                 1);
            } else {
                assert_int_equal(X509_NAME_add_entry_by_NID(
                                     n, nids[(seed >> 3) % (sizeof(nids) / sizeof(nids[0]))],
                                     type, v, vlen, -1, set),
                                 1);
            }
        }
        fast_like += all_plain && entries > 0;
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            char want[600], got[600];
            BIO *b = BIO_new(BIO_s_mem());
            int k;

            assert_non_null(b);
            X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
            k = BIO_read(b, want, (int)lens[l] - 1);
            want[k > 0 ? k : 0] = '\0';
            BIO_free(b);
            memset(got, 'x', sizeof(got));
            assert_int_equal(cmci_name_text(n, got, lens[l]), CMC_OK);
            assert_string_equal(got, want);
        }
        X509_NAME_free(n);
    }
    /* the fast path was exercised, not only OpenSSL's */
    assert_true(fast_like > 1000);
    ASN1_OBJECT_free(unknown);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ca_issue__profile_extensions_and_requested),
        cmocka_unit_test(test_ca_issue__cached_extensions_equal_openssl),
        cmocka_unit_test(test_ca_issue__serials_unique),
        cmocka_unit_test(test_ca_issue__lifetime_capped_by_ca),
        cmocka_unit_test(test_ca_build__direct_der_equals_openssl),
        cmocka_unit_test(test_ca_build__duplicate_requested_extension_refused),
        cmocka_unit_test(test_ca_build__per_certificate_profile_uses_x509),
        cmocka_unit_test(test_ca_issue__no_extension_section_has_key_identifiers),
        cmocka_unit_test(test_ca_issue__ca_profile_has_basic_constraints),
        cmocka_unit_test(test_ca_issue__key_usage_auto_by_key_type),
        cmocka_unit_test(test_ca_check_key__policy),
        cmocka_unit_test(test_ca_name_text__equals_openssl),
    };
    return cmocka_run_group_tests_name("ca_issue", tests, setup, teardown);
}
