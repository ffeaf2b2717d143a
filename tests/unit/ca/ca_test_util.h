/* SPDX-License-Identifier: Apache-2.0 */
/* Test helpers for the CA module: a temporary directory with a CA key and certificate. */
#ifndef CMC_CA_TEST_UTIL_H
#define CMC_CA_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* Make DIR with ca.key (0600) and ca.pem (self-signed P-256 CA). Returns 0 on success. */
static inline int ca_test_make_dir(char *dir, size_t len)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    char path[512];
    FILE *f;
    int ok = 0;

    snprintf(dir, len, "/tmp/cmc-ca-test-XXXXXX");
    if (mkdtemp(dir) == NULL || k == NULL || x == NULL || n == NULL)
        goto out;
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"Unit CA", -1, -1, 0);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, n);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    X509_set_pubkey(x, k);
    {
        X509V3_CTX ctx;
        X509_EXTENSION *e;
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
        e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    if (X509_sign(x, k, EVP_sha256()) <= 0)
        goto out;
    snprintf(path, sizeof(path), "%s/ca.pem", dir);
    if ((f = fopen(path, "w")) == NULL)
        goto out;
    PEM_write_X509(f, x);
    fclose(f);
    snprintf(path, sizeof(path), "%s/ca.key", dir);
    if ((f = fopen(path, "w")) == NULL)
        goto out;
    chmod(path, 0600);
    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    ok = 1;
out:
    X509_NAME_free(n);
    X509_free(x);
    EVP_PKEY_free(k);
    return ok ? 0 : -1;
}

static inline int ca_test_write(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    fputs(text, f);
    fclose(f);
    return 0;
}

static inline void ca_test_rmdir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        /* best effort */
    }
}

#define CA_TEST_BASE_CONF                                                                  \
    "[cmcd]\nca_cert = ca.pem\nca_key = ca.key\ndatabase = sqlite:cmcd.db\n"            \
    "[profiles]\ndefault = p_default\n"                                                    \
    "[p_default]\nauthorization = open\nextensions = ext\n"                               \
    "[ext]\nbasicConstraints = critical,CA:FALSE\nsubjectKeyIdentifier = hash\n"          \
    "authorityKeyIdentifier = keyid\n"

#endif
