/* SPDX-License-Identifier: Apache-2.0 */
/* `cmc enroll`: request a certificate over HTTP with a Simple or Full PKI Request and
 * save the certificate and its chain. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cmc/asn1.h>
#include <cmc/client.h>

#include "core/core_error.h"

static const char enroll_help[] =
    "usage: cmc enroll --server URL --ca-cert FILE --subject DN\n"
    "                  (--key FILE [--key-pass SRC] | --new-key TYPE --key-out FILE\n"
    "                   [--key-out-pass SRC])\n"
    "                  [--full [--crmf]] [--profile NAME]\n"
    "                  [--sign-cert FILE --sign-key FILE [--sign-key-pass SRC]]\n"
    "                  [--dns NAME]... --out CERT|- [--chain-out FILE] [--force]\n"
    "                  [--tls-ca FILE] [--timeout S]\n"
    "\n"
    "  --server URL         CMC endpoint, http:// or https://, e.g. http://127.0.0.1:8080/cmc\n"
    "  --ca-cert FILE       CA certificate the answer must be signed by and chain to\n"
    "  --subject DN         /CN=name/O=org (a backslash escapes '/')\n"
    "  --key FILE           existing private key (PEM or DER, encrypted or not)\n"
    "  --key-pass SRC       passphrase of --key: pass:TEXT, env:VAR, file:PATH, fd:N, stdin\n"
    "  --new-key TYPE       rsa:2048|rsa:3072|rsa:4096|ec:P-256|ec:P-384|ed25519|ed448,\n"
    "                       saved to --key-out (mode 0600, never overwritten)\n"
    "  --key-out-pass SRC   encrypt the --key-out file (PKCS #8, AES-256-CBC) with this\n"
    "  --full               Full PKI Request (SignedData over PKIData) instead of PKCS #10\n"
    "  --crmf               with --full: a CRMF request instead of PKCS #10\n"
    "  --profile NAME       with --full: ask for a server profile (regInfo)\n"
    "  --sign-cert FILE     with --full: sign as this operator/RA (PEM, chain may follow)\n"
    "  --sign-key FILE      the operator/RA private key\n"
    "  --sign-key-pass SRC  passphrase of --sign-key (as --key-pass)\n"
    "  --dns NAME           subjectAltName dNSName; repeatable\n"
    "  --out CERT           where to save the certificate (PEM); - writes the certificate\n"
    "                       and then its chain to standard output\n"
    "  --chain-out FILE     where to save the chain (default: CERT.chain.pem; - for\n"
    "                       standard output)\n"
    "  --force              replace existing --out and --chain-out files\n"
    "  --tls-ca FILE        https: trust this CA (PEM) for the server's TLS certificate\n"
    "                       (default: $SSL_CERT_FILE, else the system's store)\n"
    "  --timeout S          seconds for the whole exchange (default 30)\n"
    "\n"
    "Everything is checked before a key is written or the server is contacted. Messages\n"
    "go to standard error; standard output carries only what --out - asks for.\n";

struct enroll_opts {
    const char *server, *ca_cert, *subject, *key, *new_key, *key_out, *profile;
    const char *sign_cert, *sign_key, *out, *chain_out, *tls_ca;
    const char *key_pass, *key_out_pass, *sign_key_pass;
    const char *dns[CMC_CLIENT_MAX_DNS];
    size_t dns_count;
    int full, crmf, force;
    unsigned timeout;
};

enum { OPT_SERVER = 256, OPT_CA, OPT_SUBJECT, OPT_KEY, OPT_NEW_KEY, OPT_KEY_OUT, OPT_FULL,
       OPT_CRMF, OPT_PROFILE, OPT_SIGN_CERT, OPT_SIGN_KEY, OPT_DNS, OPT_OUT, OPT_CHAIN_OUT,
       OPT_TIMEOUT, OPT_HELP, OPT_KEY_PASS, OPT_KEY_OUT_PASS, OPT_SIGN_KEY_PASS, OPT_TLS_CA,
       OPT_FORCE };

static const struct option enroll_longopts[] = {
    {"server", required_argument, NULL, OPT_SERVER},
    {"ca-cert", required_argument, NULL, OPT_CA},
    {"subject", required_argument, NULL, OPT_SUBJECT},
    {"key", required_argument, NULL, OPT_KEY},
    {"key-pass", required_argument, NULL, OPT_KEY_PASS},
    {"new-key", required_argument, NULL, OPT_NEW_KEY},
    {"key-out", required_argument, NULL, OPT_KEY_OUT},
    {"key-out-pass", required_argument, NULL, OPT_KEY_OUT_PASS},
    {"full", no_argument, NULL, OPT_FULL},
    {"crmf", no_argument, NULL, OPT_CRMF},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"sign-cert", required_argument, NULL, OPT_SIGN_CERT},
    {"sign-key", required_argument, NULL, OPT_SIGN_KEY},
    {"sign-key-pass", required_argument, NULL, OPT_SIGN_KEY_PASS},
    {"dns", required_argument, NULL, OPT_DNS},
    {"out", required_argument, NULL, OPT_OUT},
    {"chain-out", required_argument, NULL, OPT_CHAIN_OUT},
    {"force", no_argument, NULL, OPT_FORCE},
    {"tls-ca", required_argument, NULL, OPT_TLS_CA},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

/* Each missing option on its own line, so one run tells the user everything to add. */
static int missing(int *count, const char *what)
{
    fprintf(stderr, "cmc: enroll: missing %s\n", what);
    (*count)++;
    return 0;
}

/* Parse and cross-check the options; returns -1 to go on, else an exit code. */
static int parse_opts(int argc, char **argv, struct enroll_opts *o)
{
    int c, nmiss = 0;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", enroll_longopts, NULL)) != -1) {
        switch (c) {
        case OPT_SERVER: o->server = optarg; break;
        case OPT_CA: o->ca_cert = optarg; break;
        case OPT_SUBJECT: o->subject = optarg; break;
        case OPT_KEY: o->key = optarg; break;
        case OPT_KEY_PASS: o->key_pass = optarg; break;
        case OPT_NEW_KEY: o->new_key = optarg; break;
        case OPT_KEY_OUT: o->key_out = optarg; break;
        case OPT_KEY_OUT_PASS: o->key_out_pass = optarg; break;
        case OPT_FULL: o->full = 1; break;
        case OPT_CRMF: o->crmf = 1; break;
        case OPT_PROFILE: o->profile = optarg; break;
        case OPT_SIGN_CERT: o->sign_cert = optarg; break;
        case OPT_SIGN_KEY: o->sign_key = optarg; break;
        case OPT_SIGN_KEY_PASS: o->sign_key_pass = optarg; break;
        case OPT_DNS:
            if (o->dns_count == CMC_CLIENT_MAX_DNS)
                return cli_usage_error("at most %d --dns names", CMC_CLIENT_MAX_DNS);
            if (optarg[0] == '\0')
                return cli_usage_error("--dns wants a host name, not an empty string");
            o->dns[o->dns_count++] = optarg;
            break;
        case OPT_OUT: o->out = optarg; break;
        case OPT_CHAIN_OUT: o->chain_out = optarg; break;
        case OPT_FORCE: o->force = 1; break;
        case OPT_TLS_CA: o->tls_ca = optarg; break;
        case OPT_TIMEOUT: {
            char *end = NULL;
            unsigned long v = strtoul(optarg, &end, 10);

            if (end == optarg || *end != '\0' || v == 0 || v > 3600)
                return cli_usage_error("--timeout wants 1..3600 seconds, not \"%s\"", optarg);
            o->timeout = (unsigned)v;
            break;
        }
        case 'h':
        case OPT_HELP: fputs(enroll_help, stdout); return CLI_EXIT_OK;
        default:
            if (optopt != 0 && optopt >= OPT_SERVER)
                return cli_usage_error("enroll: %s needs a value", argv[optind - 1]);
            return cli_usage_error("enroll: unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("enroll: unexpected argument \"%s\"", argv[optind]);
    if (o->server == NULL)
        missing(&nmiss, "--server URL (the CMC endpoint, e.g. http://127.0.0.1:8080/cmc)");
    if (o->ca_cert == NULL)
        missing(&nmiss, "--ca-cert FILE (the CA certificate the answer must chain to)");
    if (o->subject == NULL)
        missing(&nmiss, "--subject DN (e.g. /CN=host.example)");
    if (o->key == NULL && o->new_key == NULL)
        missing(&nmiss, "--key FILE or --new-key TYPE (the key to certify)");
    if (o->new_key != NULL && o->key_out == NULL)
        missing(&nmiss, "--key-out FILE (where --new-key saves the new key)");
    if (o->out == NULL)
        missing(&nmiss, "--out CERT (where to save the certificate; - for standard output)");
    if (o->sign_cert != NULL && o->sign_key == NULL)
        missing(&nmiss, "--sign-key FILE (the private key of --sign-cert)");
    if (o->sign_key != NULL && o->sign_cert == NULL)
        missing(&nmiss, "--sign-cert FILE (the certificate of --sign-key)");
    if (nmiss > 0)
        return cli_usage_error("enroll: %d required option%s missing", nmiss,
                               nmiss == 1 ? "" : "s");
    if (o->key != NULL && o->new_key != NULL)
        return cli_usage_error("enroll takes --key or --new-key, not both");
    if (o->key_out != NULL && o->new_key == NULL)
        return cli_usage_error("--key-out goes with --new-key (an existing --key is not copied)");
    if (o->key_pass != NULL && o->key == NULL)
        return cli_usage_error("--key-pass goes with --key");
    if (o->key_out_pass != NULL && o->key_out == NULL)
        return cli_usage_error("--key-out-pass goes with --new-key and --key-out");
    if (o->sign_key_pass != NULL && o->sign_key == NULL)
        return cli_usage_error("--sign-key-pass goes with --sign-key");
    if (!o->full && (o->crmf || o->profile || o->sign_cert))
        return cli_usage_error("--crmf, --profile and --sign-cert need --full");
    /* rfc5273bis §3: CMC travels over HTTP; nothing else is worth a round trip. */
    if (strncasecmp(o->server, "http://", 7) != 0 && strncasecmp(o->server, "https://", 8) != 0)
        return cli_usage_error("--server \"%s\": the URL must start with http:// or https://",
                               o->server);
    if (o->tls_ca != NULL && strncasecmp(o->server, "https://", 8) != 0)
        return cli_usage_error("--tls-ca applies to an https:// --server only");
    return -1;
}

/* The exit code and message for a failed enrollment. */
static int report_failure(cmc_err rv, const struct cmc_enroll_result *res)
{
    if (res != NULL && res->status != CMC_STATUS_SUCCESS) {
        /* rfc5272bis §6.1: the server's own verdict, by name. */
        fprintf(stderr, "cmc: enrollment failed: status %s", res->status_name);
        if (res->fail_info_name != NULL)
            fprintf(stderr, ", failInfo %s", res->fail_info_name);
        if (res->status_string != NULL) {
            fputs(": ", stderr);
            cli_put_sanitised(res->status_string);
        }
        fputc('\n', stderr);
        return CLI_EXIT_CMC;
    }
    if (rv == CMC_ERR_TRANSPORT || rv == CMC_ERR_HTTP || rv == CMC_ERR_LIMIT) {
        cli_report("enrollment failed");
        return CLI_EXIT_TRANSPORT;
    }
    cli_report("enrollment failed");
    return rv == CMC_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
}

/* Certificates as PEM to standard output. */
static cmc_err write_certs_stdout(X509 *first, STACK_OF(X509) *rest)
{
    BIO *bio = BIO_new_fp(stdout, BIO_NOCLOSE);
    int ok = bio != NULL && (first == NULL || PEM_write_bio_X509(bio, first) == 1);

    for (int i = 0; ok && i < sk_X509_num(rest); i++)
        ok = PEM_write_bio_X509(bio, sk_X509_value(rest, i)) == 1;
    ok = ok && BIO_flush(bio) == 1;
    BIO_free(bio);
    CMC_ENSURE(ok && fflush(stdout) == 0, CMC_ERR_IO, "standard output: write failed");
    return CMC_OK;
}

/* libcurl reads a CA file as PEM only: a DER certificate would fail later as a TLS error. */
static int pem_file(const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int ok;

    if (cli_read_file(path, &buf, &len) != CMC_OK)
        return 0;
    ok = memmem(buf, len, "-----BEGIN CERTIFICATE-----", 27) != NULL;
    OPENSSL_free(buf);
    if (!ok)
        (void)cmci_fail(CMC_ERR_DECODE, "%s: a TLS CA file must be PEM", path);
    return ok;
}

/* The passphrase options, read once, before anything else happens. */
struct enroll_secrets {
    char *key_pass, *key_out_pass, *sign_key_pass;
};

static int get_secrets(const struct enroll_opts *o, struct enroll_secrets *sec)
{
    if ((o->key_pass != NULL && cli_get_pass(o->key_pass, "--key-pass", &sec->key_pass) != CMC_OK)
        || (o->key_out_pass != NULL
            && cli_get_pass(o->key_out_pass, "--key-out-pass", &sec->key_out_pass) != CMC_OK)
        || (o->sign_key_pass != NULL
            && cli_get_pass(o->sign_key_pass, "--sign-key-pass", &sec->sign_key_pass) != CMC_OK)) {
        cli_report("passphrase");
        return CLI_EXIT_USAGE;
    }
    if (sec->key_out_pass != NULL && sec->key_out_pass[0] == '\0') {
        fputs("cmc: --key-out-pass: an empty passphrase protects nothing\n", stderr);
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* Every output file can be created: nothing is written, nothing is asked of the server,
 * until all of them can. */
static int check_outputs(const struct enroll_opts *o, const char *chain_path)
{
    static const char force_hint[] =
        "cmc: (--force replaces it; the certificate files hold nothing secret)\n";

    if (o->key_out != NULL && strcmp(o->key_out, CLI_STDOUT) == 0) {
        fputs("cmc: --key-out: a private key is written to a file, not to standard output\n",
              stderr);
        return CLI_EXIT_USAGE;
    }
    if (o->key_out != NULL && (strcmp(o->key_out, o->out) == 0
                               || (chain_path != NULL && strcmp(o->key_out, chain_path) == 0))) {
        fputs("cmc: --key-out names the same file as --out or --chain-out\n", stderr);
        return CLI_EXIT_USAGE;
    }
    if (chain_path != NULL && strcmp(chain_path, o->out) == 0
        && strcmp(chain_path, CLI_STDOUT) != 0) {
        fputs("cmc: --chain-out names the same file as --out\n", stderr);
        return CLI_EXIT_USAGE;
    }
    /* A private key is never replaced, whatever --force says. */
    if (o->key_out != NULL && cli_check_new_file(o->key_out, 0) != CMC_OK) {
        cli_report("--key-out");
        return CLI_EXIT_ERROR;
    }
    if (strcmp(o->out, CLI_STDOUT) != 0 && cli_check_new_file(o->out, o->force) != CMC_OK) {
        cli_report("--out");
        if (cmc_error_get_code() == CMC_ERR_EXISTS)
            fputs(force_hint, stderr);
        return CLI_EXIT_ERROR;
    }
    if (chain_path != NULL && strcmp(chain_path, CLI_STDOUT) != 0
        && cli_check_new_file(chain_path, o->force) != CMC_OK) {
        cli_report("--chain-out");
        if (cmc_error_get_code() == CMC_ERR_EXISTS)
            fputs(force_hint, stderr);
        return CLI_EXIT_ERROR;
    }
    return -1;
}

int cli_enroll(int argc, char **argv)
{
    struct enroll_opts o = {0};
    struct enroll_secrets sec = {0};
    struct cmc_enroll_params p = {0};
    struct cmc_enroll_result *res = NULL;
    struct cmc_client_req *dry = NULL;
    X509 *ca = NULL;
    X509_NAME *subject = NULL;
    EVP_PKEY *key = NULL, *sign_key = NULL;
    STACK_OF(X509) *sign_certs = NULL, *tls_ca = NULL;
    X509 *sign_cert = NULL;
    char *chain_path = NULL;
    const char *tls_ca_file;
    int ret, to_stdout;
    cmc_err rv;

    if ((ret = parse_opts(argc, argv, &o)) >= 0)
        return ret;
    ret = CLI_EXIT_ERROR;
    to_stdout = strcmp(o.out, CLI_STDOUT) == 0;

    /*
     * Everything that can be checked is checked before the first side effect (the new key
     * file, then the request to the CA): a mistake costs a re-run, never a stray key file
     * that blocks the retry or a certificate issued and then lost.
     */
    if ((rv = cmc_client_parse_dn(o.subject, &subject)) != CMC_OK) {
        cli_report("--subject");
        ret = CLI_EXIT_USAGE;
        goto out;
    }
    if ((ret = get_secrets(&o, &sec)) >= 0)
        goto out;
    ret = CLI_EXIT_ERROR;
    if (o.chain_out == NULL && !to_stdout) {
        size_t n = strlen(o.out) + sizeof(".chain.pem");

        if ((chain_path = malloc(n)) == NULL)
            goto out;
        snprintf(chain_path, n, "%s.chain.pem", o.out);
    }
    if ((ret = check_outputs(&o, chain_path ? chain_path : o.chain_out)) >= 0)
        goto out;
    ret = CLI_EXIT_ERROR;

    if (cli_load_cert(o.ca_cert, &ca) != CMC_OK) {
        cli_report("--ca-cert");
        goto out;
    }
    /* --tls-ca, else SSL_CERT_FILE (the variable OpenSSL and curl read), else libcurl's
     * built-in store. Parsed here so a wrong file is told as such, not as a TLS failure. */
    tls_ca_file = o.tls_ca;
    if (tls_ca_file == NULL && strncasecmp(o.server, "https://", 8) == 0) {
        const char *env = getenv("SSL_CERT_FILE");

        tls_ca_file = env != NULL && env[0] != '\0' ? env : NULL;
    }
    if (tls_ca_file != NULL && (cli_load_certs(tls_ca_file, &tls_ca) != CMC_OK
                                || !pem_file(tls_ca_file))) {
        cli_report(o.tls_ca != NULL ? "--tls-ca" : "SSL_CERT_FILE");
        goto out;
    }
    if (o.sign_cert != NULL) {
        if (cli_load_certs(o.sign_cert, &sign_certs) != CMC_OK) {
            cli_report("--sign-cert");
            goto out;
        }
        sign_cert = sk_X509_shift(sign_certs); /* the rest is its chain */
        if (cli_load_key_pass(o.sign_key, sec.sign_key_pass,
                              "give its passphrase with --sign-key-pass", &sign_key) != CMC_OK) {
            cli_report("--sign-key");
            goto out;
        }
        if (X509_check_private_key(sign_cert, sign_key) != 1) {
            ERR_clear_error();
            fprintf(stderr, "cmc: --sign-key %s is not the key of --sign-cert %s\n", o.sign_key,
                    o.sign_cert);
            goto out;
        }
    }
    if (o.key != NULL) {
        if (cli_load_key_pass(o.key, sec.key_pass, "give its passphrase with --key-pass", &key)
            != CMC_OK) {
            cli_report("--key");
            goto out;
        }
    } else if ((rv = cmc_client_keygen(o.new_key, &key)) != CMC_OK) {
        cli_report("--new-key");
        ret = rv == CMC_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
        goto out;
    }

    p.url = o.server;
    p.ca_cert = ca;
    p.timeout_s = o.timeout;
    p.tls_ca_file = tls_ca_file;
    p.req.subject = o.subject;
    p.req.key = key;
    p.req.dns = o.dns;
    p.req.dns_count = o.dns_count;
    p.req.full = o.full;
    p.req.crmf = o.crmf;
    p.req.profile = o.profile;
    p.req.signer_cert = sign_cert;
    p.req.signer_key = sign_key;
    p.req.signer_chain = sign_certs;
    /* A dry run of the request builder: whatever it refuses (a DNS name, a key it cannot
     * sign CMS with) is refused before the key file exists. The cost is one signature. */
    if ((rv = cmc_client_req_new(&p.req, &dry)) != CMC_OK) {
        cli_report("request");
        ret = rv == CMC_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
        goto out;
    }

    if (o.new_key != NULL) {
        /* Saved before enrolling: an issued certificate must never outlive its key. */
        if (cli_write_key_pass(o.key_out, key, sec.key_out_pass) != CMC_OK) {
            cli_report("--key-out");
            goto out;
        }
        fprintf(stderr, "cmc: new %s key saved to %s%s\n", o.new_key, o.key_out,
                sec.key_out_pass != NULL ? " (encrypted)" : "");
    }
    if ((rv = cmc_client_enroll(&p, &res)) != CMC_OK) {
        ret = report_failure(rv, res);
        goto out;
    }

    if (to_stdout) {
        /* The certificate first, so `openssl x509` reads it; then its chain, unless
         * --chain-out takes that. */
        if (write_certs_stdout(res->cert, o.chain_out == NULL ? res->chain : NULL) != CMC_OK) {
            cli_report("--out -");
            goto out;
        }
    } else if (cli_write_certs(o.out, res->cert, NULL, !o.force, 0644) != CMC_OK) {
        cli_report("--out");
        /* Issued and recorded by the CA, so not lost: print it for the user to keep. */
        fputs("cmc: the issued certificate follows on standard output\n", stderr);
        (void)write_certs_stdout(res->cert, res->chain);
        goto out;
    } else {
        fprintf(stderr, "cmc: certificate saved to %s\n", o.out);
    }
    if (chain_path != NULL || o.chain_out != NULL) {
        const char *cp = chain_path ? chain_path : o.chain_out;

        if (strcmp(cp, CLI_STDOUT) == 0) {
            if (write_certs_stdout(NULL, res->chain) != CMC_OK) {
                cli_report("--chain-out -");
                goto out;
            }
        } else if (cli_write_certs(cp, NULL, res->chain, !o.force, 0644) != CMC_OK) {
            cli_report("--chain-out");
            goto out;
        } else {
            fprintf(stderr, "cmc: chain (%d certificate%s) saved to %s\n",
                    sk_X509_num(res->chain), sk_X509_num(res->chain) == 1 ? "" : "s", cp);
        }
    }
    ret = CLI_EXIT_OK;
out:
    free(chain_path);
    cmc_client_req_free(dry);
    cmc_enroll_result_free(res);
    X509_NAME_free(subject);
    X509_free(ca);
    sk_X509_pop_free(tls_ca, X509_free);
    X509_free(sign_cert);
    sk_X509_pop_free(sign_certs, X509_free);
    EVP_PKEY_free(sign_key);
    EVP_PKEY_free(key);
    cli_free_pass(sec.key_pass);
    cli_free_pass(sec.key_out_pass);
    cli_free_pass(sec.sign_key_pass);
    return ret;
}
