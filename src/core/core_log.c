/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal line logger: timestamp, level, message, one write(2) per line so lines from
 * concurrent request threads never interleave. */
#include "core/core_log.h"

#include <stdarg.h>
#include <stdio.h>
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

void cmci_log(enum cmc_log_level lvl, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    char line[1024];
    struct timespec ts;
    struct tm tm;
    size_t n, msg;
    int k;
    va_list ap;

    if ((int)lvl > log_level)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    k = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s ", ts.tv_nsec / 1000000L, names[lvl]);
    if (k > 0)
        n += (size_t)k;
    msg = n;
    va_start(ap, fmt);
    k = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (k > 0)
        n += (size_t)k < sizeof(line) - n - 1 ? (size_t)k : sizeof(line) - n - 2;
    for (size_t i = msg; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 || c == 0x7f)
            line[i] = '?';
    }
    line[n++] = '\n';
    if (log_sink != NULL) {
        log_sink(log_sink_arg, lvl, line, n);
        return;
    }
    if (write(STDERR_FILENO, line, n) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
}
