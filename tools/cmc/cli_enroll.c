/* SPDX-License-Identifier: Apache-2.0 */
/* `cmc enroll`: request a certificate over HTTP with a Simple or Full PKI Request and
 * save the certificate and its chain. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmc/asn1.h>
#include <cmc/client.h>

#include "core/core_error.h"

static const char enroll_help[] =
    "usage: cmc enroll --server URL --ca-cert FILE --subject DN\n"
    "                  (--key FILE | --new-key TYPE --key-out FILE)\n"
    "                  [--full [--crmf]] [--profile NAME]\n"
    "                  [--sign-cert FILE --sign-key FILE] [--dns NAME]...\n"
    "                  --out CERT [--chain-out FILE] [--timeout S]\n"
    "\n"
    "  --server URL      CMC endpoint, e.g. http://127.0.0.1:8080/cmc\n"
    "  --ca-cert FILE    CA certificate the answer must be signed by and chain to\n"
    "  --subject DN      /CN=name/O=org\n"
    "  --key FILE        existing private key (PEM or DER, unencrypted)\n"
    "  --new-key TYPE    rsa:2048|rsa:3072|ec:P-256|ec:P-384|ed25519|ed448, saved to --key-out\n"
    "  --full            Full PKI Request (SignedData over PKIData) instead of PKCS #10\n"
    "  --crmf            with --full: a CRMF request instead of PKCS #10\n"
    "  --profile NAME    with --full: ask for a server profile (regInfo)\n"
    "  --sign-cert FILE  with --full: sign as this operator/RA (PEM, chain may follow)\n"
    "  --sign-key FILE   the operator/RA private key\n"
    "  --dns NAME        subjectAltName dNSName; repeatable\n"
    "  --out CERT        where to save the certificate (PEM)\n"
    "  --chain-out FILE  where to save the chain (default: CERT.chain.pem)\n"
    "  --timeout S       seconds for the whole exchange (default 30)\n";

struct enroll_opts {
    const char *server, *ca_cert, *subject, *key, *new_key, *key_out, *profile;
    const char *sign_cert, *sign_key, *out, *chain_out;
    const char *dns[CMC_CLIENT_MAX_DNS];
    size_t dns_count;
    int full, crmf;
    unsigned timeout;
};

enum { OPT_SERVER = 256, OPT_CA, OPT_SUBJECT, OPT_KEY, OPT_NEW_KEY, OPT_KEY_OUT, OPT_FULL,
       OPT_CRMF, OPT_PROFILE, OPT_SIGN_CERT, OPT_SIGN_KEY, OPT_DNS, OPT_OUT, OPT_CHAIN_OUT,
       OPT_TIMEOUT, OPT_HELP };

static const struct option enroll_longopts[] = {
    {"server", required_argument, NULL, OPT_SERVER},
    {"ca-cert", required_argument, NULL, OPT_CA},
    {"subject", required_argument, NULL, OPT_SUBJECT},
    {"key", required_argument, NULL, OPT_KEY},
    {"new-key", required_argument, NULL, OPT_NEW_KEY},
    {"key-out", required_argument, NULL, OPT_KEY_OUT},
    {"full", no_argument, NULL, OPT_FULL},
    {"crmf", no_argument, NULL, OPT_CRMF},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"sign-cert", required_argument, NULL, OPT_SIGN_CERT},
    {"sign-key", required_argument, NULL, OPT_SIGN_KEY},
    {"dns", required_argument, NULL, OPT_DNS},
    {"out", required_argument, NULL, OPT_OUT},
    {"chain-out", required_argument, NULL, OPT_CHAIN_OUT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

/* Parse and cross-check the options; returns -1 to go on, else an exit code. */
static int parse_opts(int argc, char **argv, struct enroll_opts *o)
{
    int c;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", enroll_longopts, NULL)) != -1) {
        switch (c) {
        case OPT_SERVER: o->server = optarg; break;
        case OPT_CA: o->ca_cert = optarg; break;
        case OPT_SUBJECT: o->subject = optarg; break;
        case OPT_KEY: o->key = optarg; break;
        case OPT_NEW_KEY: o->new_key = optarg; break;
        case OPT_KEY_OUT: o->key_out = optarg; break;
        case OPT_FULL: o->full = 1; break;
        case OPT_CRMF: o->crmf = 1; break;
        case OPT_PROFILE: o->profile = optarg; break;
        case OPT_SIGN_CERT: o->sign_cert = optarg; break;
        case OPT_SIGN_KEY: o->sign_key = optarg; break;
        case OPT_DNS:
            if (o->dns_count == CMC_CLIENT_MAX_DNS)
                return cli_usage_error("at most %d --dns names", CMC_CLIENT_MAX_DNS);
            o->dns[o->dns_count++] = optarg;
            break;
        case OPT_OUT: o->out = optarg; break;
        case OPT_CHAIN_OUT: o->chain_out = optarg; break;
        case OPT_TIMEOUT: {
            char *end = NULL;
            unsigned long v = strtoul(optarg, &end, 10);

            if (end == optarg || *end != '\0' || v == 0 || v > 3600)
                return cli_usage_error("--timeout wants 1..3600 seconds, not \"%s\"", optarg);
            o->timeout = (unsigned)v;
            break;
        }
        case OPT_HELP: fputs(enroll_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("enroll: unknown or incomplete option \"%s\"",
                                        argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("enroll: unexpected argument \"%s\"", argv[optind]);
    if (o->server == NULL || o->ca_cert == NULL || o->subject == NULL || o->out == NULL)
        return cli_usage_error("enroll needs --server, --ca-cert, --subject and --out");
    if ((o->key == NULL) == (o->new_key == NULL))
        return cli_usage_error("enroll needs exactly one of --key and --new-key");
    if ((o->new_key != NULL) != (o->key_out != NULL))
        return cli_usage_error("--new-key and --key-out go together");
    if (!o->full && (o->crmf || o->profile || o->sign_cert))
        return cli_usage_error("--crmf, --profile and --sign-cert need --full");
    if ((o->sign_cert == NULL) != (o->sign_key == NULL))
        return cli_usage_error("--sign-cert and --sign-key go together");
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

int cli_enroll(int argc, char **argv)
{
    struct enroll_opts o = {0};
    struct cmc_enroll_params p = {0};
    struct cmc_enroll_result *res = NULL;
    X509 *ca = NULL;
    EVP_PKEY *key = NULL, *sign_key = NULL;
    STACK_OF(X509) *sign_certs = NULL;
    X509 *sign_cert = NULL;
    char *chain_path = NULL;
    int ret;
    cmc_err rv;

    if ((ret = parse_opts(argc, argv, &o)) >= 0)
        return ret;
    ret = CLI_EXIT_ERROR;

    if (cli_load_cert(o.ca_cert, &ca) != CMC_OK) {
        cli_report("--ca-cert");
        goto out;
    }
    if (o.sign_cert != NULL) {
        if (cli_load_certs(o.sign_cert, &sign_certs) != CMC_OK) {
            cli_report("--sign-cert");
            goto out;
        }
        sign_cert = sk_X509_shift(sign_certs); /* the rest is its chain */
        if (cli_load_key(o.sign_key, &sign_key) != CMC_OK) {
            cli_report("--sign-key");
            goto out;
        }
    }
    if (o.key != NULL) {
        if (cli_load_key(o.key, &key) != CMC_OK) {
            cli_report("--key");
            goto out;
        }
    } else {
        if ((rv = cmc_client_keygen(o.new_key, &key)) != CMC_OK) {
            cli_report("--new-key");
            ret = rv == CMC_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
            goto out;
        }
        /* Saved before enrolling: an issued certificate must never outlive its key. */
        if (cli_write_key(o.key_out, key) != CMC_OK) {
            cli_report("--key-out");
            goto out;
        }
        printf("cmc: new %s key saved to %s\n", o.new_key, o.key_out);
    }

    p.url = o.server;
    p.ca_cert = ca;
    p.timeout_s = o.timeout;
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
    if ((rv = cmc_client_enroll(&p, &res)) != CMC_OK) {
        ret = report_failure(rv, res);
        goto out;
    }

    if (o.chain_out == NULL) {
        size_t n = strlen(o.out) + sizeof(".chain.pem");

        if ((chain_path = malloc(n)) == NULL)
            goto out;
        snprintf(chain_path, n, "%s.chain.pem", o.out);
    }
    if (cli_write_certs(o.out, res->cert, NULL, 0, 0644) != CMC_OK) {
        cli_report("--out");
        goto out;
    }
    printf("cmc: certificate saved to %s\n", o.out);
    if (cli_write_certs(chain_path ? chain_path : o.chain_out, NULL, res->chain, 0, 0644)
        != CMC_OK) {
        cli_report("--chain-out");
        goto out;
    }
    printf("cmc: chain (%d certificate%s) saved to %s\n", sk_X509_num(res->chain),
           sk_X509_num(res->chain) == 1 ? "" : "s", chain_path ? chain_path : o.chain_out);
    ret = CLI_EXIT_OK;
out:
    free(chain_path);
    cmc_enroll_result_free(res);
    X509_free(ca);
    X509_free(sign_cert);
    sk_X509_pop_free(sign_certs, X509_free);
    EVP_PKEY_free(sign_key);
    EVP_PKEY_free(key);
    return ret;
}
