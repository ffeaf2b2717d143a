/* SPDX-License-Identifier: Apache-2.0 */
/* `cmc show`: print a CMC message, certificate or request, as text or JSON. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>

#include <cmc/print.h>

static const char show_help[] =
    "usage: cmc show FILE|- [--json]\n"
    "\n"
    "  FILE    a DER or PEM file (- reads standard input): Full or Simple PKI Request or\n"
    "          Response, PKCS #10, CRMF CertReqMsg, certificate; every block of a PEM\n"
    "          bundle (private keys are never shown)\n"
    "  --json  print one JSON object instead of an indented tree\n"
    "\n"
    "Certificates: names as `openssl x509 -noout -subject -nameopt oneline,-esc_msb,utf8`\n"
    "prints them, serial numbers in hex as `openssl x509 -text` (JSON: as -serial), the\n"
    "SHA-256 fingerprint, and every extension by name with its value.\n";

int cli_show(int argc, char **argv)
{
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *path = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    BIO *out = NULL;
    int json = 0, c, ret = CLI_EXIT_ERROR;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'h': fputs(show_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("show: unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("show needs exactly one FILE");
    path = argv[optind];

    if ((strcmp(path, CLI_STDOUT) == 0 ? cli_read_stdin(&buf, &len)
                                       : cli_read_file(path, &buf, &len)) != CMC_OK) {
        cli_report("show");
        return CLI_EXIT_ERROR;
    }
    /* PEM armour is unwrapped by cmc_print_der itself. */
    if ((out = BIO_new_fp(stdout, BIO_NOCLOSE)) == NULL)
        goto out;
    if (cmc_print_der(out, buf, len, json) != CMC_OK) {
        (void)BIO_flush(out);
        cli_report(strcmp(path, CLI_STDOUT) == 0 ? "standard input" : path);
        goto out;
    }
    (void)BIO_flush(out);
    ret = CLI_EXIT_OK;
out:
    BIO_free(out);
    OPENSSL_free(buf);
    return ret;
}
