/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/ca/ca_config.c, the known-keys check: a key cmcd does not read, in [cmcd]
 * or in a profile section, is a configuration error naming file, section and key (it used
 * to be ignored, leaving a default in force). Extension sections are OpenSSL's and the
 * unnamed top section holds variables: neither is checked. */
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

/* Load @p text as cmcd.cnf. On failure the message must hold every needle and no source
 * location (messages are for operators: issue 9 item 15). */
static cmc_err load_text(const char *text, const char *const *needles)
{
    char path[300];
    struct cmci_ca *ca = NULL;
    cmc_err rv;

    snprintf(path, sizeof(path), "%s/cmcd.cnf", dir);
    assert_int_equal(ca_test_write(dir, "cmcd.cnf", text), 0);
    rv = cmci_ca_load(&ca, path);
    if (rv != CMC_OK) {
        const char *m = cmc_error_get0_message();

        assert_null(ca);
        for (size_t i = 0; needles != NULL && needles[i] != NULL; i++)
            if (strstr(m, needles[i]) == NULL)
                fail_msg("\"%s\" not in \"%s\"", needles[i], m);
        if (strstr(m, ".c:") != NULL)
            fail_msg("a source location in \"%s\"", m);
    }
    cmci_ca_free(ca);
    return rv;
}

static void test_config_keys__unknown_key_in_main_section(void **state)
{
    const char *needles[] = {"cmcd.cnf: [cmcd] max_conections: unknown key",
                             "did you mean max_connections?", NULL};
    const char *far[] = {"cmcd.cnf: [cmcd] frobnicate: unknown key", NULL};

    assert_int_equal(load_text(CA_TEST_BASE_CONF "[cmcd]\nmax_conections = 10\n", needles),
                     CMC_ERR_CONFIG);
    assert_int_equal(load_text(CA_TEST_BASE_CONF "[cmcd]\nfrobnicate = yes\n", far),
                     CMC_ERR_CONFIG);
}

/* A typo of a required key is reported as the typo, not as "ca_cert: missing". */
static void test_config_keys__typo_reported_before_missing_key(void **state)
{
    const char *needles[] = {"[cmcd] ca_certt: unknown key (did you mean ca_cert?)", NULL};

    assert_int_equal(load_text("[cmcd]\nca_certt = ca.pem\nca_key = ca.key\n"
                               "[profiles]\ndefault = p_default\n"
                               "[p_default]\nauthorization = open\n",
                               needles),
                     CMC_ERR_CONFIG);
}

static void test_config_keys__unknown_key_in_profile_section(void **state)
{
    const char *needles[] = {"cmcd.cnf: [p_default] validity: unknown key",
                             "did you mean validity_days?", NULL};

    assert_int_equal(load_text(CA_TEST_BASE_CONF "[p_default]\nvalidity = 30\n", needles),
                     CMC_ERR_CONFIG);
}

/* A profile listed under a custom profiles section is checked too. */
static void test_config_keys__custom_profiles_section(void **state)
{
    const char *needles[] = {"[p_other] colour: unknown key", NULL};

    assert_int_equal(load_text("[cmcd]\nca_cert = ca.pem\nca_key = ca.key\n"
                               "database = sqlite:cmcd.db\nprofiles = my_profiles\n"
                               "[my_profiles]\ndefault = p_other\n"
                               "[p_other]\nauthorization = open\ncolour = blue\n",
                               needles),
                     CMC_ERR_CONFIG);
}

/* Every documented key loads; extension sections (OpenSSL's keys) and the unnamed section
 * (variables) are not checked. */
static void test_config_keys__known_keys_and_other_sections_accepted(void **state)
{
    assert_int_equal(load_text("dir = .\n" CA_TEST_BASE_CONF
                               "[cmcd]\nlisten = 127.0.0.1:0\npath = /cmc\nthreads = 2\n"
                               "max_body = 4096\nmax_nesting = 1\nmax_body_parts = 4\n"
                               "max_controls = 4\nconn_timeout = 5\nmax_connections = 8\n"
                               "log_level = debug\ndefault_profile = default\n"
                               "profiles = profiles\n"
                               "[p_default]\nvalidity_days = 30\ndigest = sha256\n"
                               "key_types = ec:P-256\nhonor_extensions = subjectAltName\n"
                               "[ext]\nnsComment = \"any OpenSSL extension key\"\n",
                               NULL),
                     CMC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_config_keys__unknown_key_in_main_section, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_keys__typo_reported_before_missing_key,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_keys__unknown_key_in_profile_section, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_keys__custom_profiles_section, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_keys__known_keys_and_other_sections_accepted,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("ca_config_keys", tests, NULL, NULL);
}
