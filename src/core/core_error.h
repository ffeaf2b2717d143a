/* SPDX-License-Identifier: Apache-2.0 */
/* Internal error record and the result macros every module uses (STYLE 3.3). */
#ifndef CMC_CORE_ERROR_H
#define CMC_CORE_ERROR_H

#include <cmc/error.h>

/*
 * One idiom, two shapes.
 *
 * Internally a function that can fail returns cmc_err and is declared CMC_WUR, so an
 * ignored result does not compile quietly (-Werror in CI). We use the public enum rather
 * than an s2n-style wrapper struct because the same value crosses the public boundary
 * unchanged and the code reads plainly; the warn_unused_result attribute gives the
 * protection that mattered in s2n_result.
 *
 * Shape A (owns nothing): CMC_ENSURE / CMC_GUARD / CMC_GUARD_OSSL return at once.
 * Shape B (owns something): NULL-initialise owned locals, then on failure
 *   rv = cmci_fail(CMC_ERR_X, "why"); goto err;
 * with exactly one label.
 */

/* Record @p code with a message at file:line and return @p code. Captures the first
 * OpenSSL error of the queue when @p ossl is non-zero. */
cmc_err cmci_error_set(cmc_err code, int ossl, const char *file, int line, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));

#define cmci_fail(code, ...) cmci_error_set((code), 0, __FILE__, __LINE__, __VA_ARGS__)
#define cmci_fail_ossl(code, ...) cmci_error_set((code), 1, __FILE__, __LINE__, __VA_ARGS__)

#define CMC_BAIL(code, ...) return cmci_fail((code), __VA_ARGS__)

#define CMC_ENSURE(cond, code, ...)                                                        \
    do {                                                                                   \
        if (!(cond))                                                                       \
            return cmci_fail((code), __VA_ARGS__);                                         \
    } while (0)

#define CMC_ENSURE_REF(p) CMC_ENSURE((p) != NULL, CMC_ERR_USAGE, "%s is NULL", #p)

#define CMC_GUARD(expr)                                                                    \
    do {                                                                                   \
        cmc_err cmc_guard_rv_ = (expr);                                                    \
        if (cmc_guard_rv_ != CMC_OK)                                                       \
            return cmc_guard_rv_;                                                          \
    } while (0)

/* OpenSSL calls: anything but exactly 1 is failure (verify calls may return -1). */
#define CMC_GUARD_OSSL(call, code, ...)                                                    \
    do {                                                                                   \
        if ((call) != 1)                                                                   \
            return cmci_fail_ossl((code), __VA_ARGS__);                                    \
    } while (0)

/* Invariant: abort in debug builds, fail the request in release builds. */
#ifdef NDEBUG
#define CMC_ASSERT(x)                                                                      \
    do {                                                                                   \
        if (!(x))                                                                          \
            return cmci_fail(CMC_ERR_INTERNAL, "assertion failed: %s", #x);                \
    } while (0)
#else
#include <assert.h>
#define CMC_ASSERT(x) assert(x)
#endif

#endif
