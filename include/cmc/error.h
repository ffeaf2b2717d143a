/* SPDX-License-Identifier: Apache-2.0 */
/* cmc/error.h: the one error type of libcmc and the thread-local error record. */
#ifndef CMC_ERROR_H
#define CMC_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * CMC_API marks the public functions: libcmc is compiled with -fvisibility=hidden, so these
 * are the only symbols libcmc.so exports. The attribute is the same when building and when
 * using the library (on a declaration it only says where the definition is visible).
 * Predefining CMC_API overrides it; tests/unit/shared does that to list the API.
 */
#ifndef CMC_API
#if defined(__GNUC__)
#define CMC_API __attribute__((visibility("default")))
#else
#define CMC_API
#endif
#endif
#define CMC_WUR __attribute__((warn_unused_result))

/*
 * Every fallible function of libcmc returns a cmc_err: CMC_OK (0) or a negative code.
 * Codes come in bands (STYLE 3.3); the band tells a caller what kind of thing went wrong,
 * the code what exactly. The engine maps codes to a CMCFailInfo in one table
 * (src/engine/engine_failinfo.c).
 */
typedef enum cmc_err {
    CMC_OK = 0,
    /* usage: the caller passed something it should not have */
    CMC_ERR_USAGE = -100,
    CMC_ERR_CONFIG = -101,
    CMC_ERR_NOT_FOUND = -102,
    CMC_ERR_EXISTS = -103,
    CMC_ERR_IO = -104,
    /* decode / bad input from a peer */
    CMC_ERR_DECODE = -200,
    CMC_ERR_BAD_REQUEST = -201,
    CMC_ERR_BAD_POP = -202,
    CMC_ERR_REPLAY = -203,
    CMC_ERR_LIMIT = -204,
    CMC_ERR_BAD_MESSAGE_CHECK = -205, /* CMS wrapper signature does not verify */
    CMC_ERR_UNSUPPORTED = -206,       /* understood, but not supported (noSupport) */
    CMC_ERR_BAD_ALG = -207,
    CMC_ERR_UNSUPPORTED_EXT = -208,
    CMC_ERR_BAD_TIME = -209,
    CMC_ERR_BAD_CERT_ID = -210,
    CMC_ERR_BAD_IDENTITY = -211,
    CMC_ERR_POP_REQUIRED = -212,      /* a request without a proof of possession */
    /* crypto */
    CMC_ERR_CRYPTO = -300,
    CMC_ERR_VERIFY = -301,
    /* store */
    CMC_ERR_STORE = -400,
    CMC_ERR_STORE_DUP = -401, /* unique constraint, e.g. a serial number repeated */
    /* transport */
    CMC_ERR_TRANSPORT = -500,
    CMC_ERR_HTTP = -501,
    /* policy */
    CMC_ERR_NOT_AUTHORIZED = -600,
    CMC_ERR_PENDING = -601,
    CMC_ERR_UNKNOWN_PROFILE = -602,
    /* fatal */
    CMC_ERR_NOMEM = -900,
    CMC_ERR_INTERNAL = -901
} cmc_err;

/** @return a static, human-readable name for @p err ("CMC_ERR_DECODE"). Never NULL. */
CMC_API const char *cmc_err_str(cmc_err err);

/** @return 1 when @p err is in the fatal band (the process or context is unusable). */
CMC_API int cmc_err_is_fatal(cmc_err err);

/**
 * The last error recorded on this thread: a short message for users, plus the first
 * OpenSSL error in parentheses if one was queued. It carries no source location (see
 * cmc_error_get0_location).
 * Ownership: get0: the string lives until the next libcmc call on this thread.
 */
CMC_API const char *cmc_error_get0_message(void);
/**
 * Where in libcmc the last error was recorded, as "file.c:line" ("" when there is none):
 * for debug logs and bug reports, not for messages to users.
 * Ownership: get0: the string lives until the next libcmc call on this thread.
 */
CMC_API const char *cmc_error_get0_location(void);
CMC_API cmc_err cmc_error_get_code(void);

/** Forget the recorded error and OpenSSL's error queue (the engine does this per request). */
CMC_API void cmc_error_clear(void);

#ifdef __cplusplus
}
#endif
#endif
