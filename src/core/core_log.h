/* SPDX-License-Identifier: Apache-2.0 */
/* Logging: one line per event to stderr (or a sink). Never pass secrets here. */
#ifndef CMC_CORE_LOG_H
#define CMC_CORE_LOG_H

#include <stddef.h>

enum cmc_log_level { CMC_LOG_ERROR = 0, CMC_LOG_WARN = 1, CMC_LOG_INFO = 2, CMC_LOG_DEBUG = 3 };

void cmci_log_set_level(enum cmc_log_level lvl);
/* 1 when a line at @p lvl would be written: guards work done only to build a log line. */
int cmci_log_enabled(enum cmc_log_level lvl);
/* Write one line: "TIME LEVEL message\n". Control characters in the message (a requester's
 * text can end up in it) are written as '?', so an event is always exactly one line. */
void cmci_log(enum cmc_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with a message already formatted (@p len octets, no '\n'): for lines on the
 * request path, where vsnprintf would be most of the cost. */
void cmci_log_text(enum cmc_log_level lvl, const char *text, size_t len);

/* Where lines go instead of stderr (NULL: back to stderr). @p line is the whole line with
 * its '\n', valid only during the call. Meant for tests, and for embedders; set it before
 * any thread logs. */
typedef void (*cmci_log_sink_cb)(void *arg, enum cmc_log_level lvl, const char *line, size_t len);
void cmci_log_set_sink(cmci_log_sink_cb cb, void *arg);

#define CMC_LOG_ERR(...) cmci_log(CMC_LOG_ERROR, __VA_ARGS__)
#define CMC_LOG_WARN(...) cmci_log(CMC_LOG_WARN, __VA_ARGS__)
#define CMC_LOG_INFO(...) cmci_log(CMC_LOG_INFO, __VA_ARGS__)
#define CMC_LOG_DEBUG(...) cmci_log(CMC_LOG_DEBUG, __VA_ARGS__)

#endif
