/* SPDX-License-Identifier: Apache-2.0 */
/* Shared pieces of the cmc command-line tool: exit codes, file and PEM helpers. */
#ifndef CMC_CLI_H
#define CMC_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cmc/error.h>

/* Exit codes (docs/man/cmc.1.md). 64 is EX_USAGE of sysexits(3). */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,     /* local problem: files, keys, verification */
    CLI_EXIT_CMC = 2,       /* the server answered with a CMC failure */
    CLI_EXIT_TRANSPORT = 3, /* no usable answer from the server */
    CLI_EXIT_USAGE = 64
};

/* Largest file the tool reads: certificates, keys and CMC messages are far smaller. */
#define CLI_MAX_FILE (4 * 1024 * 1024)

/* Path meaning standard output (`--out -`). */
#define CLI_STDOUT "-"

int cli_enroll(int argc, char **argv);
int cli_show(int argc, char **argv);
int cli_ca(int argc, char **argv);

/* "cmc: <fmt>\n" on stderr; returns CLI_EXIT_USAGE with a pointer to --help. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "cmc: <what>: <last libcmc error>\n" on stderr. */
void cli_report(const char *what);
/* Print @p s to stderr with control characters replaced, so text from a server cannot
 * drive the terminal. */
void cli_put_sanitised(const char *s);

/* Whole file into an OPENSSL_malloc'd buffer, at most CLI_MAX_FILE bytes. */
cmc_err cli_read_file(const char *path, uint8_t **buf, size_t *len) CMC_WUR;
/* The same for standard input. */
cmc_err cli_read_stdin(uint8_t **buf, size_t *len) CMC_WUR;
/* PEM or DER. Ownership: new. */
cmc_err cli_load_cert(const char *path, X509 **out) CMC_WUR;
/* Every certificate of a PEM file (at least one). Ownership: new. */
cmc_err cli_load_certs(const char *path, STACK_OF(X509) **out) CMC_WUR;
/* An unencrypted PEM or DER private key. Ownership: new. */
cmc_err cli_load_key(const char *path, EVP_PKEY **out) CMC_WUR;
/* A PEM or DER private key, encrypted (PKCS #8 or traditional PEM) or not. @p pass (may be
 * NULL) decrypts it; an encrypted key without @p pass is refused naming @p pass_opt, the
 * option that would supply it. Ownership: new. */
cmc_err cli_load_key_pass(const char *path, const char *pass, const char *pass_opt,
                          EVP_PKEY **out) CMC_WUR;

/* The secret named by an openssl -passin style source: "pass:TEXT", "env:VAR",
 * "file:PATH" (first line), "fd:N" (first line) or "stdin". @p what names the option in
 * messages. Ownership: *out is new (cli_free_pass). */
cmc_err cli_get_pass(const char *spec, const char *what, char **out) CMC_WUR;
/* Wipe and free a secret from cli_get_pass; NULL is a no-op. */
void cli_free_pass(char *pass);

/* Check, before any side effect, that @p path can be created: its directory exists and is
 * writable, and (unless @p overwrite) nothing is there yet. */
cmc_err cli_check_new_file(const char *path, int overwrite) CMC_WUR;

/* Write a PEM private key to a new file, mode 0600; fails if the file exists. */
cmc_err cli_write_key(const char *path, EVP_PKEY *key) CMC_WUR;
/* The same; with @p pass (non-empty) the key is written as an encrypted PKCS #8
 * (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC). */
cmc_err cli_write_key_pass(const char *path, EVP_PKEY *key, const char *pass) CMC_WUR;
/* Write PEM certificates (@p first, then @p rest) to @p path with @p mode.
 * @p excl: fail if the file exists. */
cmc_err cli_write_certs(const char *path, X509 *first, STACK_OF(X509) *rest, int excl,
                        unsigned mode) CMC_WUR;
/* Write @p text to a new file (fails if it exists). */
cmc_err cli_write_text(const char *path, const char *text, unsigned mode) CMC_WUR;

#endif
