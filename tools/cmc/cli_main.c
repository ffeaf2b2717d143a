/* SPDX-License-Identifier: Apache-2.0 */
/* Entry point of the cmc tool: dispatches the subcommands and holds the file helpers
 * they share. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "core/core_error.h"

static void usage(FILE *to)
{
    fputs("usage: cmc <command> [options]\n"
          "\n"
          "commands:\n"
          "  enroll   request a certificate from a CMC server (rfc5272bis)\n"
          "  show     print a CMC message, certificate or request\n"
          "  ca init  create a CA directory with a key, certificate and cmcd.cnf\n"
          "\n"
          "cmc <command> --help describes each command; see also cmc(1).\n",
          to);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("cmc: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (try --help)\n", stderr);
    return CLI_EXIT_USAGE;
}

void cli_put_sanitised(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        /* UTF-8 continuation and lead bytes (>= 0x80) pass; C0 controls and DEL do not. */
        fputc(c < 0x20 || c == 0x7f ? '?' : c, stderr);
    }
}

void cli_report(const char *what)
{
    const char *msg = cmc_error_get0_message();
    const char *loc = strrchr(msg, '[');
    size_t len = strlen(msg);

    /* The record ends in " [file.c:line]", which helps developers, not users. */
    if (loc != NULL && loc > msg && loc[-1] == ' ' && msg[len - 1] == ']'
        && strstr(loc, ".c:") != NULL)
        len = (size_t)(loc - msg - 1);
    fprintf(stderr, "cmc: %s: ", what);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];

        fputc(c < 0x20 || c == 0x7f ? '?' : c, stderr);
    }
    fputc('\n', stderr);
}

cmc_err cli_read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = NULL;
    uint8_t *b = NULL;
    size_t n = 0, cap = 0;
    cmc_err rv = CMC_OK;

    *buf = NULL;
    if ((f = fopen(path, "rb")) == NULL)
        return cmci_fail(CMC_ERR_IO, "%s: %s", path, strerror(errno));
    for (;;) {
        if (n == cap) {
            uint8_t *nb;

            if (cap >= CLI_MAX_FILE) {
                rv = cmci_fail(CMC_ERR_LIMIT, "%s: larger than %d bytes", path, CLI_MAX_FILE);
                goto err;
            }
            cap = cap ? cap * 2 : 16384;
            if ((nb = OPENSSL_realloc(b, cap + 1)) == NULL) {
                rv = cmci_fail(CMC_ERR_NOMEM, "%s", path);
                goto err;
            }
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - n, f);

        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rv = cmci_fail(CMC_ERR_IO, "%s: read error", path);
        goto err;
    }
    if (b == NULL && (b = OPENSSL_malloc(1)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "%s", path);
        goto err;
    }
    b[n] = 0; /* so PEM text can be handled as a string too */
    *buf = b;
    *len = n;
    b = NULL;
err:
    OPENSSL_free(b);
    fclose(f);
    return rv;
}

static int is_pem(const uint8_t *b, size_t len)
{
    return len >= 10 && memmem(b, len < 4096 ? len : 4096, "-----BEGIN", 10) != NULL;
}

cmc_err cli_load_certs(const char *path, STACK_OF(X509) **out)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    BIO *bio = NULL;
    STACK_OF(X509) *sk = NULL;
    X509 *x = NULL;
    cmc_err rv;

    *out = NULL;
    CMC_GUARD(cli_read_file(path, &buf, &len));
    if ((sk = sk_X509_new_null()) == NULL || (bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "%s", path);
        goto err;
    }
    if (is_pem(buf, len)) {
        while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
            if (sk_X509_push(sk, x) <= 0) {
                rv = cmci_fail(CMC_ERR_NOMEM, "%s", path);
                goto err;
            }
            x = NULL;
        }
        ERR_clear_error(); /* the end of the file reads as "no start line" */
    } else {
        const unsigned char *p = buf;

        if ((x = d2i_X509(NULL, &p, (long)len)) != NULL && sk_X509_push(sk, x) > 0)
            x = NULL;
    }
    if (sk_X509_num(sk) == 0) {
        rv = cmci_fail(CMC_ERR_DECODE, "%s: no certificate in the file", path);
        goto err;
    }
    *out = sk;
    sk = NULL;
    rv = CMC_OK;
err:
    X509_free(x);
    sk_X509_pop_free(sk, X509_free);
    BIO_free(bio);
    OPENSSL_free(buf);
    return rv;
}

cmc_err cli_load_cert(const char *path, X509 **out)
{
    STACK_OF(X509) *sk = NULL;

    *out = NULL;
    CMC_GUARD(cli_load_certs(path, &sk));
    *out = sk_X509_shift(sk);
    sk_X509_pop_free(sk, X509_free);
    return CMC_OK;
}

cmc_err cli_load_key(const char *path, EVP_PKEY **out)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    BIO *bio = NULL;
    EVP_PKEY *k = NULL;

    *out = NULL;
    CMC_GUARD(cli_read_file(path, &buf, &len));
    if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL) {
        if (is_pem(buf, len)) {
            k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        } else {
            const unsigned char *p = buf;

            k = d2i_AutoPrivateKey(NULL, &p, (long)len);
        }
    }
    BIO_free(bio);
    OPENSSL_clear_free(buf, len + 1);
    if (k == NULL)
        return cmci_fail_ossl(CMC_ERR_DECODE, "%s: not an unencrypted private key", path);
    *out = k;
    return CMC_OK;
}

/* A BIO over a freshly created file. O_EXCL when asked, so nothing is overwritten and a
 * symlink planted at the path is not followed. */
static cmc_err open_out(const char *path, int excl, unsigned mode, BIO **out)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC);
    int fd = open(path, flags, (mode_t)mode);

    *out = NULL;
    if (fd < 0)
        return cmci_fail(errno == EEXIST ? CMC_ERR_EXISTS : CMC_ERR_IO, "%s: %s", path,
                         strerror(errno));
    /* An existing file opened without O_EXCL keeps its mode: set ours. */
    if (fchmod(fd, (mode_t)mode) != 0 || (*out = BIO_new_fd(fd, BIO_CLOSE)) == NULL) {
        close(fd);
        return cmci_fail(CMC_ERR_IO, "%s: %s", path, strerror(errno));
    }
    return CMC_OK;
}

static cmc_err close_out(BIO *bio, int ok, const char *path)
{
    int flushed = ok && BIO_flush(bio) == 1;

    BIO_free(bio);
    if (!flushed) {
        unlink(path); /* never leave half a key or certificate behind */
        return cmci_fail_ossl(CMC_ERR_IO, "%s: write failed", path);
    }
    return CMC_OK;
}

cmc_err cli_write_key(const char *path, EVP_PKEY *key)
{
    BIO *bio = NULL;

    CMC_GUARD(open_out(path, 1, 0600, &bio));
    return close_out(bio, PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1,
                     path);
}

cmc_err cli_write_certs(const char *path, X509 *first, STACK_OF(X509) *rest, int excl,
                        unsigned mode)
{
    BIO *bio = NULL;
    int ok;

    CMC_GUARD(open_out(path, excl, mode, &bio));
    ok = first == NULL || PEM_write_bio_X509(bio, first) == 1;
    for (int i = 0; ok && i < sk_X509_num(rest); i++)
        ok = PEM_write_bio_X509(bio, sk_X509_value(rest, i)) == 1;
    return close_out(bio, ok, path);
}

cmc_err cli_write_text(const char *path, const char *text, unsigned mode)
{
    BIO *bio = NULL;
    int len = (int)strlen(text);

    CMC_GUARD(open_out(path, 1, mode, &bio));
    return close_out(bio, BIO_write(bio, text, len) == len, path);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "enroll") == 0)
        return cli_enroll(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return cli_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "ca") == 0)
        return cli_ca(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    usage(stderr);
    return cli_usage_error("unknown command \"%s\"", argv[1]);
}
