/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal line logger: timestamp, level, message, one write(2) per line so lines from
 * concurrent request threads never interleave. */
#include "core/core_log.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int log_level = CMC_LOG_INFO;
static cmci_log_sink_cb log_sink;
static void *log_sink_arg;

void cmci_log_set_level(enum cmc_log_level lvl)
{
    log_level = (int)lvl;
}

int cmci_log_enabled(enum cmc_log_level lvl)
{
    return (int)lvl <= log_level;
}

void cmci_log_set_sink(cmci_log_sink_cb cb, void *arg)
{
    log_sink = cb;
    log_sink_arg = arg;
}

/*
 * "YYYY-MM-DDTHH:MM:SS.mmmZ LEVEL " at @p line; returns its length (at most 32). The
 * seconds part is formatted once per second and thread (gmtime_r and strftime cost more
 * than the rest of an access line), the milliseconds by hand.
 */
static size_t line_prefix(enum cmc_log_level lvl, char *line)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    static _Thread_local struct {
        time_t sec;
        size_t len;
        char text[24];
    } cache = {(time_t)-1, 0, ""};
    struct timespec ts;
    struct tm tm;
    size_t n;
    long ms;
    const char *name = names[lvl];

    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cache.sec || cache.len == 0) {
        gmtime_r(&ts.tv_sec, &tm);
        cache.len = strftime(cache.text, sizeof(cache.text), "%Y-%m-%dT%H:%M:%S", &tm);
        cache.sec = ts.tv_sec;
    }
    memcpy(line, cache.text, cache.len);
    n = cache.len;
    ms = ts.tv_nsec / 1000000L;
    line[n++] = '.';
    line[n++] = (char)('0' + ms / 100 % 10);
    line[n++] = (char)('0' + ms / 10 % 10);
    line[n++] = (char)('0' + ms % 10);
    line[n++] = 'Z';
    line[n++] = ' ';
    while (*name != '\0')
        line[n++] = *name++;
    line[n++] = ' ';
    return n;
}

/*
 * The length of the UTF-8 sequence at @p s (of @p left bytes) when it encodes a character
 * that changes how a line reads rather than what it says, else 0: the C1 controls
 * (U+0080-U+009F, C2 80-C2 9F), the line and paragraph separators U+2028/U+2029, and the
 * Unicode bidirectional controls (UAX #9 §2: U+061C, U+200E/U+200F, U+202A-U+202E,
 * U+2066-U+2069). A U+202E (right-to-left override) in a requester's subject would make
 * the rest of the log line display reversed ("Trojan Source", CVE-2021-42574).
 */
static size_t format_char_len(const unsigned char *s, size_t left)
{
    if (left >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
        return 2;
    if (left >= 2 && s[0] == 0xd8 && s[1] == 0x9c)
        return 2;
    if (left >= 3 && s[0] == 0xe2 && s[1] == 0x80
        && (s[2] == 0x8e || s[2] == 0x8f || (s[2] >= 0xa8 && s[2] <= 0xae)))
        return 3;
    if (left >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
        return 3;
    return 0;
}

/* Control characters (C0, DEL) and the characters format_char_len names, in the message
 * part line[from, n), become one '?' each: a requester's text can neither start a forged
 * line, nor reach a terminal, nor reorder what a reader sees. Returns the new length. */
static size_t neutralise(char *line, size_t from, size_t n)
{
    size_t w = from;

    for (size_t i = from; i < n;) {
        const unsigned char *c = (const unsigned char *)line + i;
        size_t k;

        if (*c < 0x20 || *c == 0x7f) {
            line[w++] = '?';
            i++;
        } else if (*c >= 0xc2 && (k = format_char_len(c, n - i)) > 0) {
            line[w++] = '?';
            i += k;
        } else {
            line[w++] = line[i++];
        }
    }
    return w;
}

/* The line in @p line[0..n) whose message starts at @p msg: what neutralise() names made
 * '?', a '\n' added (line has room for it), then written. */
static void line_emit(enum cmc_log_level lvl, char *line, size_t msg, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    size_t i = msg;

    /* eight octets at a time while all are printable ASCII: (w - 0x20..) & ~w has a high
     * bit set exactly when some octet is below 0x20, (x - 0x01..) & ~x when some octet of
     * x = w ^ 0x7f.. is zero, w itself when some octet is 0x80 or above (UTF-8, which
     * neutralise() reads as characters) */
    for (; i + 8 <= n; i += 8) {
        uint64_t w, x;

        memcpy(&w, line + i, 8);
        x = w ^ (ones * 0x7f);
        if ((((w - ones * 0x20) & ~w) | ((x - ones) & ~x) | w) & highs)
            break;
    }
    n = neutralise(line, i, n);
    line[n++] = '\n';
    if (log_sink != NULL) {
        log_sink(log_sink_arg, lvl, line, n);
        return;
    }
    if (write(STDERR_FILENO, line, n) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
}

void cmci_log(enum cmc_log_level lvl, const char *fmt, ...)
{
    char line[1024];
    size_t n, msg;
    int k;
    va_list ap;

    if ((int)lvl > log_level)
        return;
    n = msg = line_prefix(lvl, line);
    va_start(ap, fmt);
    k = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (k > 0)
        n += (size_t)k < sizeof(line) - n - 1 ? (size_t)k : sizeof(line) - n - 2;
    line_emit(lvl, line, msg, n);
}

void cmci_log_text(enum cmc_log_level lvl, const char *text, size_t len)
{
    char line[1024];
    size_t n, msg;

    if ((int)lvl > log_level)
        return;
    n = msg = line_prefix(lvl, line);
    if (len > sizeof(line) - n - 2)
        len = sizeof(line) - n - 2; /* cut as cmci_log cuts */
    memcpy(line + n, text, len);
    line_emit(lvl, line, msg, n + len);
}
