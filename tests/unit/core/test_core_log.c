/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/core/core_log.c: the level filter, the sink, and that every event is
 * exactly one line whatever text a requester managed to put into it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/core_log.h"

static char captured[4096];
static size_t n_lines;

static void sink(void *arg, enum cmc_log_level lvl, const char *line, size_t len)
{
    size_t used = strlen(captured);

    (void)arg;
    (void)lvl;
    if (used + len < sizeof(captured)) {
        memcpy(captured + used, line, len);
        captured[used + len] = '\0';
    }
    n_lines++;
}

static int setup(void **state)
{
    captured[0] = '\0';
    n_lines = 0;
    cmci_log_set_sink(sink, NULL);
    return 0;
}

static int teardown(void **state)
{
    cmci_log_set_sink(NULL, NULL);
    cmci_log_set_level(CMC_LOG_INFO);
    return 0;
}

static void test_log__level_filters_and_sink_gets_lines(void **state)
{
    cmci_log_set_level(CMC_LOG_INFO);
    assert_true(cmci_log_enabled(CMC_LOG_INFO));
    assert_false(cmci_log_enabled(CMC_LOG_DEBUG));
    CMC_LOG_DEBUG("hidden %d", 1);
    CMC_LOG_INFO("shown %d", 2);
    CMC_LOG_ERR("error %d", 3);
    assert_int_equal(n_lines, 2);
    assert_null(strstr(captured, "hidden"));
    assert_non_null(strstr(captured, " info shown 2\n"));
    assert_non_null(strstr(captured, " error error 3\n"));

    cmci_log_set_level(CMC_LOG_DEBUG);
    assert_true(cmci_log_enabled(CMC_LOG_DEBUG));
    CMC_LOG_DEBUG("now %s", "visible");
    assert_non_null(strstr(captured, " debug now visible\n"));
}

/* A newline or escape in logged text (say, a requester's subject) must not start a forged
 * line or reach a terminal: control characters are written as '?'. */
static void test_log__control_characters_cannot_forge_lines(void **state)
{
    cmci_log_set_level(CMC_LOG_INFO);
    CMC_LOG_INFO("reason=\"%s\"", "bad\n2030-01-01T00:00:00.000Z info issued serial=1\x1b[2J");
    assert_int_equal(n_lines, 1);
    assert_non_null(strstr(captured, "bad?2030-01-01"));
    assert_non_null(strstr(captured, "serial=1?[2J\"\n"));
    assert_ptr_equal(strchr(captured, '\n'), captured + strlen(captured) - 1);
}

/* The scan that makes control characters '?' reads eight octets at a time: every control
 * octet at every position is still caught, every other octet (UTF-8 included) kept, and
 * cmci_log and cmci_log_text write the same line after the same "TIME LEVEL " prefix. */
static void test_log__every_control_octet_at_every_position(void **state)
{
    static const unsigned char others[] = {0x20, 0x41, 0x7e, 0x80, 0x9b, 0xc3, 0xff};

    cmci_log_set_level(CMC_LOG_INFO);
    for (int c = 0; c < 0x100; c++) {
        int control = c < 0x20 || c == 0x7f;

        if (c == 0 || (!control && memchr(others, c, sizeof(others)) == NULL))
            continue; /* NUL ends a C string; the other octets are alike */
        for (size_t pos = 0; pos < 24; pos++) {
            char msg[25], want[25];

            memset(msg, 'a' + (int)(pos % 26), 24);
            msg[24] = '\0';
            msg[pos] = (char)c;
            memcpy(want, msg, sizeof(want));
            want[pos] = control ? '?' : (char)c;
            for (int text = 0; text < 2; text++) {
                captured[0] = '\0';
                n_lines = 0;
                if (text)
                    cmci_log_text(CMC_LOG_INFO, msg, strlen(msg));
                else
                    CMC_LOG_INFO("%s", msg);
                assert_int_equal(n_lines, 1);
                /* 2026-12-04T17:48:35.123Z info MSG\n */
                assert_int_equal(strlen(captured), 24 + 6 + 24 + 1);
                assert_true(captured[4] == '-' && captured[7] == '-' && captured[10] == 'T'
                            && captured[13] == ':' && captured[16] == ':' && captured[19] == '.'
                            && captured[23] == 'Z');
                assert_memory_equal(captured + 24, " info ", 6);
                assert_memory_equal(captured + 30, want, 24);
                assert_int_equal(captured[54], '\n');
            }
        }
    }
}

/* A message longer than a line is cut at the same place by both entry points. */
static void test_log__long_message_cut_alike(void **state)
{
    char big[3000], a[1100], b[1100];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cmci_log_set_level(CMC_LOG_INFO);
    captured[0] = '\0';
    CMC_LOG_INFO("%s", big);
    snprintf(a, sizeof(a), "%s", strchr(captured, 'x'));
    captured[0] = '\0';
    cmci_log_text(CMC_LOG_INFO, big, strlen(big));
    snprintf(b, sizeof(b), "%s", strchr(captured, 'x'));
    assert_string_equal(a, b);
    assert_int_equal(a[strlen(a) - 1], '\n');
}

/* Unicode bidirectional controls and other format characters in UTF-8 (a subject with
 * U+202E RIGHT-TO-LEFT OVERRIDE would display the rest of the line reversed), C1 controls
 * and U+2028/U+2029 become one '?' each; other non-ASCII text is kept as it is. */
static void test_log__bidi_and_format_characters_are_neutralised(void **state)
{
    cmci_log_set_level(CMC_LOG_INFO);
    CMC_LOG_INFO("subject=\"%s\"", "CN=a\xe2\x80\xaegpj.exe" /* U+202E */
                                   "|\xe2\x80\xaa|\xe2\x80\xab|\xe2\x80\xac|\xe2\x80\xad" /* 202A-D */
                                   "|\xe2\x81\xa6|\xe2\x81\xa7|\xe2\x81\xa8|\xe2\x81\xa9" /* 2066-9 */
                                   "|\xe2\x80\x8e|\xe2\x80\x8f|\xd8\x9c" /* LRM RLM ALM */
                                   "|\xc2\x85|\xc2\x9b|\xe2\x80\xa8|\xe2\x80\xa9" /* NEL CSI LS PS */
                                   "|J\xc3\xbcrgen \xe2\x80\x94 \xe2\x80\x8d\xe2\x82\xac");
    assert_int_equal(n_lines, 1);
    assert_non_null(strstr(captured, "subject=\"CN=a?gpj.exe|?|?|?|?|?|?|?|?|?|?|?|?|?|?|?|"
                                     "J\xc3\xbcrgen \xe2\x80\x94 \xe2\x80\x8d\xe2\x82\xac\"\n"));
    assert_null(strstr(captured, "\xe2\x80\xae"));
    assert_ptr_equal(strchr(captured, '\n'), captured + strlen(captured) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_log__level_filters_and_sink_gets_lines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_log__bidi_and_format_characters_are_neutralised,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_log__control_characters_cannot_forge_lines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_log__every_control_octet_at_every_position,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_log__long_message_cut_alike, setup, teardown),
    };
    return cmocka_run_group_tests_name("core_log", tests, NULL, NULL);
}
