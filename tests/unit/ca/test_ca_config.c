/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/ca/ca_config.c: a good configuration loads; every broken one is refused
 * with CMC_ERR_CONFIG and a message naming the file, the section and the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ca/ca_local.h"
#include "unit/ca/ca_test_util.h"

static char dir[256];

static int setup(void **state)
{
    return ca_test_make_dir(dir, sizeof(dir));
}

static int teardown(void **state)
{
    ca_test_rmdir(dir);
    return 0;
}

/* Load TEXT as cmcd.cnf; on failure check the message names every needle. */
static cmc_err load_text(const char *text, const char *const *needles)
{
    char path[300];
    struct cmci_ca *ca = NULL;
    cmc_err rv;

    snprintf(path, sizeof(path), "%s/cmcd.cnf", dir);
    assert_int_equal(ca_test_write(dir, "cmcd.cnf", text), 0);
    rv = cmci_ca_load(&ca, path);
    if (rv != CMC_OK) {
        assert_null(ca);
        for (size_t i = 0; needles != NULL && needles[i] != NULL; i++) {
            if (strstr(cmc_error_get0_message(), needles[i]) == NULL)
                fail_msg("\"%s\" not in \"%s\"", needles[i], cmc_error_get0_message());
        }
    }
    cmci_ca_free(ca);
    return rv;
}

static void test_ca_load__good_config(void **state)
{
    char path[300];
    struct cmci_ca *ca = NULL;

    snprintf(path, sizeof(path), "%s/cmcd.cnf", dir);
    assert_int_equal(ca_test_write(dir, "cmcd.cnf",
                                   CA_TEST_BASE_CONF "[cmcd]\nthreads = 8\nmax_body = 4096\n"), 0);
    assert_int_equal(cmci_ca_load(&ca, path), CMC_OK);
    assert_non_null(ca);
    assert_int_equal(ca->threads, 8);
    assert_int_equal(ca->limits.max_body, 4096);
    assert_int_equal(ca->limits.max_nesting, 3);
    assert_string_equal(ca->default_profile->name, "default");
    assert_int_equal(ca->default_profile->authz, CMCI_AUTHZ_OPEN);
    assert_int_equal(ca->default_profile->validity_days, 365);
    assert_ptr_equal(ca->resp_cert, ca->cert);
    cmci_ca_free(ca);
}

static void test_ca_load__unknown_authorization(void **state)
{
    const char *needles[] = {"cmcd.cnf", "[p_default]", "authorization", "approval", NULL};
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nauthorization = approval\n", needles),
                     CMC_ERR_CONFIG);
}

static void test_ca_load__signed_without_trust(void **state)
{
    const char *needles[] = {"[p_default]", "authorization", "signer_trust", NULL};
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nauthorization = signed\n", needles),
                     CMC_ERR_CONFIG);
}

static void test_ca_load__bad_number(void **state)
{
    const char *needles[] = {"[cmcd]", "max_body", "\"lots\"", NULL};
    const char *needles2[] = {"[p_default]", "validity_days", NULL};
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[cmcd]\nmax_body = lots\n", needles),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nvalidity_days = 0\n", needles2),
                     CMC_ERR_CONFIG);
}

static void test_ca_load__missing_profile_section(void **state)
{
    const char *needles[] = {"[profiles]", "other", "[p_other] does not exist", NULL};
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[profiles]\nother = p_other\n", needles),
                     CMC_ERR_CONFIG);
}

static void test_ca_load__unknown_default_profile(void **state)
{
    const char *needles[] = {"[cmcd]", "default_profile", "nope", NULL};
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[cmcd]\ndefault_profile = nope\n", needles),
                     CMC_ERR_CONFIG);
}

static void test_ca_load__bad_extension_section(void **state)
{
    const char *needles[] = {"[ext]", "invalid extension", NULL};
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[ext]\nkeyUsage = frobnicate\n", needles),
                     CMC_ERR_CONFIG);
}

static void test_ca_load__bad_key_types(void **state)
{
    const char *needles[] = {"[p_default]", "key_types", "rsa:1024", NULL};
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nkey_types = rsa:1024\n", needles),
                     CMC_ERR_CONFIG);
}

/* The algorithm policy's configuration (docs/configuration.md): the CA signs with nothing it
 * would refuse from a requester (no MD5, no SHA-1), no curve below 256 bits, and the
 * allow_sha1 switches take yes or no only. */
static void test_ca_load__weak_algorithms(void **state)
{
    const char *md5[] = {"[p_default]", "digest", "md5", "too weak", NULL};
    const char *sha1[] = {"[p_default]", "digest", "sha1", "too weak", NULL};
    const char *p192[] = {"[p_default]", "key_types", "ec:P-192", "256 bits", NULL};
    const char *b_prof[] = {"[p_default]", "allow_sha1", "maybe", "yes or no", NULL};
    const char *b_main[] = {"[cmcd]", "allow_sha1", "1", "yes or no", NULL};
    char path[300];
    struct cmci_ca *ca = NULL;

    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\ndigest = md5\n", md5),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\ndigest = sha1\n", sha1),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nkey_types = ec:P-192\n", p192),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nallow_sha1 = maybe\n", b_prof),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[cmcd]\nallow_sha1 = 1\n", b_main),
                     CMC_ERR_CONFIG);
    /* both switches default to no, and yes is read */
    snprintf(path, sizeof(path), "%s/cmcd.cnf", dir);
    assert_int_equal(ca_test_write(dir, "cmcd.cnf", CA_TEST_BASE_CONF), 0);
    assert_int_equal(cmci_ca_load(&ca, path), CMC_OK);
    assert_false(ca->allow_sha1);
    assert_false(ca->default_profile->allow_sha1);
    cmci_ca_free(ca);
    ca = NULL;
    assert_int_equal(ca_test_write(dir, "cmcd.cnf",
                                   CA_TEST_BASE_CONF "[cmcd]\nallow_sha1 = yes\n"
                                                     "[p_default]\nallow_sha1 = yes\n"
                                                     "key_types = ec:P-521,ec:brainpoolP256r1\n"),
                     0);
    assert_int_equal(cmci_ca_load(&ca, path), CMC_OK);
    assert_true(ca->allow_sha1);
    assert_true(ca->default_profile->allow_sha1);
    cmci_ca_free(ca);
}

/* signer_eku: names and dotted OIDs load, "any" too, the default is cmcRA (RFC 6402
 * §2.10); an unknown name or an empty list is refused naming section and key. */
static void test_ca_load__signer_eku(void **state)
{
    const char *bad[] = {"[p_default]", "signer_eku", "\"frobnicate\"", NULL};
    const char *empty[] = {"[p_default]", "signer_eku", "empty list", NULL};
    char path[300];
    struct cmci_ca *ca = NULL;
    const struct cmci_profile *p;
    ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.99999.7", 1);

    assert_non_null(oid);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nsigner_eku = cmcRA, frobnicate\n",
                               bad), CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nsigner_eku = ,\n", empty),
                     CMC_ERR_CONFIG);
    snprintf(path, sizeof(path), "%s/cmcd.cnf", dir);
    assert_int_equal(ca_test_write(dir, "cmcd.cnf", CA_TEST_BASE_CONF), 0);
    assert_int_equal(cmci_ca_load(&ca, path), CMC_OK);
    p = ca->default_profile;
    assert_int_equal(p->n_signer_eku, 1);
    assert_int_equal(OBJ_obj2nid(p->signer_eku[0]), NID_cmcRA);
    assert_false(p->signer_eku_any);
    cmci_ca_free(ca);
    ca = NULL;
    assert_int_equal(ca_test_write(dir, "cmcd.cnf", CA_TEST_BASE_CONF
                                   "[p_default]\nsigner_eku = clientAuth 1.3.6.1.4.1.99999.7, any\n"),
                     0);
    assert_int_equal(cmci_ca_load(&ca, path), CMC_OK);
    p = ca->default_profile;
    assert_int_equal(p->n_signer_eku, 2);
    assert_int_equal(OBJ_obj2nid(p->signer_eku[0]), NID_client_auth);
    assert_int_equal(OBJ_cmp(p->signer_eku[1], oid), 0);
    assert_true(p->signer_eku_any);
    ASN1_OBJECT_free(oid);
    cmci_ca_free(ca);
}

static void test_ca_load__key_readable_by_others(void **state)
{
    const char *needles[] = {"[cmcd]", "ca_key", "0644", NULL};
    char path[300];
    snprintf(path, sizeof(path), "%s/ca.key", dir);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(load_text(CA_TEST_BASE_CONF, needles), CMC_ERR_CONFIG);
    assert_int_equal(chmod(path, 0600), 0);
}

static void test_ca_load__missing_ca_cert(void **state)
{
    const char *needles[] = {"[cmcd]", "ca_cert", "missing", NULL};
    assert_int_equal(load_text("[cmcd]\nca_key = ca.key\n", needles), CMC_ERR_CONFIG);
}

static void test_ca_load__syntax_error(void **state)
{
    const char *needles[] = {"cmcd.cnf", "line", NULL};
    assert_int_equal(load_text("[cmcd\nca_cert = x\n", needles), CMC_ERR_CONFIG);
}

static void test_ca_load__bad_database(void **state)
{
    const char *needles[] = {"[cmcd]", "database", NULL};
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[cmcd]\ndatabase = oracle:prod\n", needles),
                     CMC_ERR_CONFIG);
}

/* key_usage and ca (docs/configuration.md): values that cannot hold are refused at load,
 * naming the key, rather than giving certificates without what RFC 5280 requires. */
static void test_ca_load__profile_key_usage_and_ca(void **state)
{
    const char *n_val[] = {"[p_default]", "key_usage", "\"digitalSignature\"", NULL};
    const char *n_both[] = {"[p_default]", "key_usage", "extension section", NULL};
    const char *n_ca[] = {"[p_default]", "key_usage", "CA profile", NULL};
    const char *n_ski[] = {"[ext]", "subjectKeyIdentifier", "none", NULL};
    const char *n_aki[] = {"[ext]", "authorityKeyIdentifier", "none", NULL};
    const char *n_cano[] = {"[p_default]", "ca", "\"no\"", NULL};
    const char *n_bcf[] = {"[p_default]", "ca", "cA FALSE", NULL};
    const char *n_bool[] = {"[p_default]", "ca", "\"maybe\"", NULL};

    if (load_text(CA_TEST_BASE_CONF "[p_default]\nkey_usage = auto\n", NULL) != CMC_OK)
        fail_msg("%s", cmc_error_get0_message());
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nkey_usage = digitalSignature\n",
                               n_val),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nkey_usage = auto\n"
                                                 "[ext]\nkeyUsage = digitalSignature\n",
                               n_both),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nkey_usage = auto\nca = yes\n"
                                                 "[ext]\nbasicConstraints = critical,CA:TRUE\n",
                               n_ca),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[ext]\nsubjectKeyIdentifier = none\n", n_ski),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[ext]\nauthorityKeyIdentifier = none\n", n_aki),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nca = no\n"
                                                 "[ext]\nbasicConstraints = critical,CA:TRUE\n",
                               n_cano),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nca = yes\n", n_bcf),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nca = maybe\n", n_bool),
                     CMC_ERR_CONFIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ca_load__good_config),
        cmocka_unit_test(test_ca_load__unknown_authorization),
        cmocka_unit_test(test_ca_load__signed_without_trust),
        cmocka_unit_test(test_ca_load__bad_number),
        cmocka_unit_test(test_ca_load__missing_profile_section),
        cmocka_unit_test(test_ca_load__unknown_default_profile),
        cmocka_unit_test(test_ca_load__bad_extension_section),
        cmocka_unit_test(test_ca_load__bad_key_types),
        cmocka_unit_test(test_ca_load__weak_algorithms),
        cmocka_unit_test(test_ca_load__key_readable_by_others),
        cmocka_unit_test(test_ca_load__missing_ca_cert),
        cmocka_unit_test(test_ca_load__syntax_error),
        cmocka_unit_test(test_ca_load__bad_database),
        cmocka_unit_test(test_ca_load__profile_key_usage_and_ca),
        cmocka_unit_test(test_ca_load__signer_eku),
    };
    return cmocka_run_group_tests_name("ca_config", tests, setup, teardown);
}
