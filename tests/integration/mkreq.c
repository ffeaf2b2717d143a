/* SPDX-License-Identifier: Apache-2.0 */
/* cmc-mkreq: writes one Simple or Full PKI Request (good or deliberately broken) to a DER
 * file, for the integration tests to post with curl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "bench_req.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: cmc-mkreq --kind simple|full-p10|full-crmf --key KEY.pem --subject /CN=x\n"
            "                 [--profile NAME] [--sign-cert CERT.pem --sign-key KEY.pem]\n"
            "                 [--bad pop|wrapper|dup-id|unknown-control] --out FILE.der\n");
}

static EVP_PKEY *load_key(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = NULL;

    if (f != NULL) {
        k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
    }
    if (k == NULL) {
        fprintf(stderr, "cmc-mkreq: cannot read private key %s\n", path);
    }
    return k;
}

static X509 *load_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *x = NULL;

    if (f != NULL) {
        x = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
    }
    if (x == NULL) {
        fprintf(stderr, "cmc-mkreq: cannot read certificate %s\n", path);
    }
    return x;
}

int main(int argc, char **argv)
{
    struct bench_req_params p = {0};
    const char *kind = NULL, *key = NULL, *out = NULL, *scert = NULL, *skey = NULL, *bad = NULL;
    uint8_t *der = NULL;
    size_t len = 0;
    FILE *f;
    int i, rc = 1;

    for (i = 1; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];

        if (strcmp(o, "--kind") == 0) {
            kind = v;
        } else if (strcmp(o, "--key") == 0) {
            key = v;
        } else if (strcmp(o, "--subject") == 0) {
            p.subject = v;
        } else if (strcmp(o, "--profile") == 0) {
            p.profile = v;
        } else if (strcmp(o, "--sign-cert") == 0) {
            scert = v;
        } else if (strcmp(o, "--sign-key") == 0) {
            skey = v;
        } else if (strcmp(o, "--bad") == 0) {
            bad = v;
        } else if (strcmp(o, "--out") == 0) {
            out = v;
        } else {
            usage();
            return 2;
        }
    }
    if (i != argc || kind == NULL || key == NULL || p.subject == NULL || out == NULL
        || (scert == NULL) != (skey == NULL)) {
        usage();
        return 2;
    }
    if (strcmp(kind, "simple") == 0) {
        p.kind = BENCH_REQ_SIMPLE;
    } else if (strcmp(kind, "full-p10") == 0) {
        p.kind = BENCH_REQ_FULL_P10;
    } else if (strcmp(kind, "full-crmf") == 0) {
        p.kind = BENCH_REQ_FULL_CRMF;
    } else {
        usage();
        return 2;
    }
    if (bad == NULL) {
        p.fault = BENCH_FAULT_NONE;
    } else if (strcmp(bad, "pop") == 0) {
        p.fault = BENCH_FAULT_BAD_POP;
    } else if (strcmp(bad, "wrapper") == 0) {
        p.fault = BENCH_FAULT_BAD_WRAPPER;
    } else if (strcmp(bad, "dup-id") == 0) {
        p.fault = BENCH_FAULT_DUP_ID;
    } else if (strcmp(bad, "unknown-control") == 0) {
        p.fault = BENCH_FAULT_UNKNOWN_CTRL;
    } else {
        usage();
        return 2;
    }
    if ((p.key = load_key(key)) == NULL) {
        goto out;
    }
    if (scert != NULL
        && ((p.sign_cert = load_cert(scert)) == NULL || (p.sign_key = load_key(skey)) == NULL)) {
        goto out;
    }
    if (bench_req_build(&p, &der, &len) != 0) {
        fprintf(stderr, "cmc-mkreq: building the request failed\n");
        ERR_print_errors_fp(stderr);
        goto out;
    }
    if ((f = fopen(out, "wb")) == NULL) {
        fprintf(stderr, "cmc-mkreq: cannot write %s\n", out);
        goto out;
    }
    if (fwrite(der, 1, len, f) != len) {
        fclose(f);
        fprintf(stderr, "cmc-mkreq: short write to %s\n", out);
        goto out;
    }
    if (fclose(f) != 0) {
        goto out;
    }
    rc = 0;
out:
    OPENSSL_free(der);
    EVP_PKEY_free(p.key);
    EVP_PKEY_free(p.sign_key);
    X509_free(p.sign_cert);
    return rc;
}
