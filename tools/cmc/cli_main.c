/* SPDX-License-Identifier: Apache-2.0 */
/* Entry point of the cmc tool: dispatches the subcommands and holds the file helpers
 * they share. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
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
          "  help CMD describe a command (the same as cmc CMD --help)\n"
          "\n"
          "cmc --version prints the version; see also cmc(1).\n",
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

/* All of @p f, at most CLI_MAX_FILE bytes, NUL-terminated; @p name for messages. */
static cmc_err read_stream(FILE *f, const char *name, uint8_t **buf, size_t *len)
{
    uint8_t *b = NULL;
    size_t n = 0, cap = 0;
    cmc_err rv = CMC_OK;

    *buf = NULL;
    for (;;) {
        if (n == cap) {
            uint8_t *nb;

            if (cap >= CLI_MAX_FILE) {
                rv = cmci_fail(CMC_ERR_LIMIT, "%s: larger than %d bytes", name, CLI_MAX_FILE);
                goto err;
            }
            cap = cap ? cap * 2 : 16384;
            if ((nb = OPENSSL_realloc(b, cap + 1)) == NULL) {
                rv = cmci_fail(CMC_ERR_NOMEM, "%s", name);
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
        rv = cmci_fail(CMC_ERR_IO, "%s: read error", name);
        goto err;
    }
    if (b == NULL && (b = OPENSSL_malloc(1)) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "%s", name);
        goto err;
    }
    b[n] = 0; /* so PEM text can be handled as a string too */
    *buf = b;
    *len = n;
    b = NULL;
err:
    OPENSSL_free(b);
    return rv;
}

cmc_err cli_read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f;
    cmc_err rv;

    *buf = NULL;
    if ((f = fopen(path, "rb")) == NULL)
        return cmci_fail(CMC_ERR_IO, "%s: %s", path, strerror(errno));
    rv = read_stream(f, path, buf, len);
    fclose(f);
    return rv;
}

cmc_err cli_read_stdin(uint8_t **buf, size_t *len)
{
    return read_stream(stdin, "standard input", buf, len);
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

/* What the decoder's passphrase callback saw: whether the key turned out encrypted. */
struct pass_ask {
    const char *pass;
    int asked;
};

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
    struct pass_ask *a = u;
    size_t n;

    (void)rwflag;
    a->asked = 1;
    if (a->pass == NULL || (n = strlen(a->pass)) > (size_t)size)
        return -1;
    memcpy(buf, a->pass, n);
    return (int)n;
}

cmc_err cli_load_key_pass(const char *path, const char *pass, const char *pass_opt,
                          EVP_PKEY **out)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    const unsigned char *p;
    size_t left;
    OSSL_DECODER_CTX *dctx = NULL;
    EVP_PKEY *k = NULL;
    struct pass_ask ask = {pass, 0};
    int ok = 0;

    *out = NULL;
    CMC_GUARD(cli_read_file(path, &buf, &len));
    /* One decoder for PEM and DER, plain, PKCS #8 or encrypted: the same calls as
     * `openssl pkey -passin`, so any key openssl reads, cmc reads. */
    dctx = OSSL_DECODER_CTX_new_for_pkey(&k, NULL, NULL, NULL, EVP_PKEY_KEYPAIR, NULL, NULL);
    if (dctx != NULL && OSSL_DECODER_CTX_set_pem_password_cb(dctx, pass_cb, &ask) == 1) {
        p = buf;
        left = len;
        ok = OSSL_DECODER_from_data(dctx, &p, &left) == 1 && k != NULL;
    }
    OSSL_DECODER_CTX_free(dctx);
    OPENSSL_clear_free(buf, len + 1);
    if (!ok) {
        EVP_PKEY_free(k);
        if (ask.asked && pass == NULL)
            return cmci_fail(CMC_ERR_USAGE, "%s: the key is encrypted; %s", path,
                             pass_opt != NULL ? pass_opt : "encrypted keys are not read here");
        if (ask.asked)
            return cmci_fail(CMC_ERR_DECODE, "%s: cannot decrypt the key (wrong passphrase?)",
                             path);
        ERR_clear_error(); /* "unsupported" from each decoder tried says nothing more */
        return cmci_fail(CMC_ERR_DECODE, "%s: not a private key (PEM or DER)", path);
    }
    ERR_clear_error(); /* decoders that did not match leave errors behind */
    *out = k;
    return CMC_OK;
}

cmc_err cli_load_key(const char *path, EVP_PKEY **out)
{
    return cli_load_key_pass(path, NULL, NULL, out);
}

/* The first line of what @p fd holds (at most 4 KiB), as openssl's -passin fd:/file: do. */
static cmc_err read_line_fd(int fd, const char *what, char **out)
{
    char buf[4096];
    size_t n = 0;

    while (n < sizeof(buf) - 1) {
        ssize_t r = read(fd, buf + n, 1);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return cmci_fail(CMC_ERR_IO, "%s: read: %s", what, strerror(errno));
        if (r == 0 || buf[n] == '\n')
            break;
        n++;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *out = OPENSSL_strdup(buf);
    OPENSSL_cleanse(buf, sizeof(buf));
    CMC_ENSURE(*out != NULL, CMC_ERR_NOMEM, "%s", what);
    return CMC_OK;
}

cmc_err cli_get_pass(const char *spec, const char *what, char **out)
{
    *out = NULL;
    if (strncmp(spec, "pass:", 5) == 0) {
        *out = OPENSSL_strdup(spec + 5);
    } else if (strncmp(spec, "env:", 4) == 0) {
        const char *v = getenv(spec + 4);

        CMC_ENSURE(v != NULL, CMC_ERR_USAGE, "%s: the environment variable %s is not set",
                   what, spec + 4);
        *out = OPENSSL_strdup(v);
    } else if (strncmp(spec, "file:", 5) == 0) {
        int fd = open(spec + 5, O_RDONLY | O_CLOEXEC);
        cmc_err rv;

        CMC_ENSURE(fd >= 0, CMC_ERR_IO, "%s: %s: %s", what, spec + 5, strerror(errno));
        rv = read_line_fd(fd, what, out);
        close(fd);
        return rv;
    } else if (strncmp(spec, "fd:", 3) == 0) {
        char *end = NULL;
        long fd = strtol(spec + 3, &end, 10);

        CMC_ENSURE(end != spec + 3 && *end == '\0' && fd >= 0 && fd <= INT_MAX, CMC_ERR_USAGE,
                   "%s: fd: wants a file descriptor number", what);
        return read_line_fd((int)fd, what, out);
    } else if (strcmp(spec, "stdin") == 0) {
        return read_line_fd(STDIN_FILENO, what, out);
    } else {
        /* The argument itself is not repeated: it may well be the secret, typed bare. */
        CMC_BAIL(CMC_ERR_USAGE, "%s wants pass:TEXT, env:VAR, file:PATH, fd:N or stdin", what);
    }
    CMC_ENSURE(*out != NULL, CMC_ERR_NOMEM, "%s", what);
    return CMC_OK;
}

void cli_free_pass(char *pass)
{
    if (pass != NULL)
        OPENSSL_clear_free(pass, strlen(pass));
}

cmc_err cli_check_new_file(const char *path, int overwrite)
{
    struct stat st;
    const char *slash;
    char *dir;
    int e = 0;

    CMC_ENSURE(path[0] != '\0', CMC_ERR_USAGE, "empty file name");
    if (lstat(path, &st) == 0) {
        CMC_ENSURE(!S_ISDIR(st.st_mode), CMC_ERR_USAGE, "%s is a directory; give a file name",
                   path);
        CMC_ENSURE(overwrite, CMC_ERR_EXISTS, "%s already exists; refusing to overwrite it",
                   path);
        /* Replacing follows no symlink and truncates no device. */
        CMC_ENSURE(S_ISREG(st.st_mode), CMC_ERR_USAGE, "%s is not a regular file", path);
    } else if (errno != ENOENT) {
        CMC_BAIL(CMC_ERR_IO, "%s: %s", path, strerror(errno));
    }
    slash = strrchr(path, '/');
    if (slash == NULL)
        dir = OPENSSL_strdup(".");
    else if (slash == path)
        dir = OPENSSL_strdup("/");
    else
        dir = OPENSSL_strndup(path, (size_t)(slash - path));
    CMC_ENSURE(dir != NULL, CMC_ERR_NOMEM, "%s", path);
    if (stat(dir, &st) != 0)
        e = errno;
    else if (!S_ISDIR(st.st_mode))
        e = ENOTDIR;
    else if (access(dir, W_OK | X_OK) != 0)
        e = errno;
    if (e != 0) {
        cmc_err rv = cmci_fail(CMC_ERR_IO, "%s: cannot create a file in %s: %s", path, dir,
                               strerror(e));

        OPENSSL_free(dir);
        return rv;
    }
    OPENSSL_free(dir);
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
    return cli_write_key_pass(path, key, NULL);
}

cmc_err cli_write_key_pass(const char *path, EVP_PKEY *key, const char *pass)
{
    BIO *bio = NULL;
    int ok;

    CMC_ENSURE(pass == NULL || pass[0] != '\0', CMC_ERR_USAGE,
               "%s: an empty passphrase protects nothing", path);
    CMC_GUARD(open_out(path, 1, 0600, &bio));
    /* PKCS #8 EncryptedPrivateKeyInfo; OpenSSL 3 makes it PBES2 with PBKDF2-HMAC-SHA256
     * and AES-256-CBC, the same as `openssl pkey -aes256`. */
    if (pass != NULL)
        ok = PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), pass, (int)strlen(pass),
                                           NULL, NULL) == 1;
    else
        ok = PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1;
    return close_out(bio, ok, path);
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

static void version(void)
{
    printf("cmc %s (%s)\n", CMC_VERSION, OpenSSL_version(OPENSSL_VERSION));
}

/* `cmc help CMD` is `cmc CMD --help`. */
static int help(const char *cmd)
{
    char help_opt[] = "--help", init[] = "init", name[16];
    char *av[] = {name, help_opt, NULL};
    char *av_ca[] = {name, init, help_opt, NULL};

    if (cmd == NULL) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    (void)snprintf(name, sizeof(name), "%s", cmd);
    if (strcmp(cmd, "enroll") == 0)
        return cli_enroll(2, av);
    if (strcmp(cmd, "show") == 0)
        return cli_show(2, av);
    if (strcmp(cmd, "ca") == 0)
        return cli_ca(3, av_ca);
    usage(stderr);
    return cli_usage_error("help: unknown command \"%s\"", cmd);
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
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0
        || strcmp(argv[1], "version") == 0) {
        version();
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "help") == 0)
        return argc > 3 ? cli_usage_error("help takes one command name") : help(argv[2]);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return help(NULL);
    usage(stderr);
    return cli_usage_error("unknown command \"%s\"", argv[1]);
}
