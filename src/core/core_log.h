/* SPDX-License-Identifier: Apache-2.0 */
/* Logging: one line per event to stderr (or a callback). Never pass secrets here. */
#ifndef CMC_CORE_LOG_H
#define CMC_CORE_LOG_H

enum cmc_log_level { CMC_LOG_ERROR = 0, CMC_LOG_WARN = 1, CMC_LOG_INFO = 2, CMC_LOG_DEBUG = 3 };

void cmci_log_set_level(enum cmc_log_level lvl);
void cmci_log(enum cmc_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define CMC_LOG_ERR(...) cmci_log(CMC_LOG_ERROR, __VA_ARGS__)
#define CMC_LOG_WARN(...) cmci_log(CMC_LOG_WARN, __VA_ARGS__)
#define CMC_LOG_INFO(...) cmci_log(CMC_LOG_INFO, __VA_ARGS__)
#define CMC_LOG_DEBUG(...) cmci_log(CMC_LOG_DEBUG, __VA_ARGS__)

#endif
