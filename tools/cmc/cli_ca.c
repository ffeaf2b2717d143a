/* SPDX-License-Identifier: Apache-2.0 */
/* `cmc ca init`: create a CA directory (key, self-signed certificate, cmcd.cnf) that
 * cmcd can start from. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "core/core_rand.h"

#include <cmc/client.h>

#include "core/core_error.h"

static const char ca_help[] =
    "usage: cmc ca init --dir DIR [--subject DN] [--key-type TYPE] [--days N] [--demo]\n"
    "                   [--import-cert FILE --import-key FILE] [--signer-trust FILE]\n"
    "\n"
    "  --dir DIR            directory to create (mode 0700); must not hold a cmcd.cnf\n"
    "  --subject DN         CA name (default \"/CN=cmcd CA\")\n"
    "  --key-type TYPE      rsa:2048|rsa:3072|ec:P-256|ec:P-384|ed25519 (default ec:P-256)\n"
    "  --days N             CA certificate lifetime (default 3650)\n"
    "  --demo               the default profile issues to any request with a valid proof\n"
    "                       of possession (authorization = open); never for production\n"
    "  --import-cert FILE   use an existing CA certificate ...\n"
    "  --import-key FILE    ... and its private key instead of creating them\n"
    "  --signer-trust FILE  certificates whose signatures on Full PKI Requests are\n"
    "                       trusted (copied to DIR/trust.pem); an operator certificate\n"
    "                       needs keyUsage digitalSignature and extendedKeyUsage cmcRA\n";

#define DEFAULT_SUBJECT "/CN=cmcd CA"
#define DEFAULT_KEY_TYPE "ec:P-256"
#define DEFAULT_DAYS 3650
#define MAX_DAYS 36500

struct ca_opts {
    const char *dir, *subject, *key_type, *import_cert, *import_key, *signer_trust;
    long days;
    int demo;
};

enum { OPT_DIR = 256, OPT_SUBJECT, OPT_KEY_TYPE, OPT_DAYS, OPT_DEMO, OPT_IMPORT_CERT,
       OPT_IMPORT_KEY, OPT_SIGNER_TRUST, OPT_HELP };

static const struct option ca_longopts[] = {
    {"dir", required_argument, NULL, OPT_DIR},
    {"subject", required_argument, NULL, OPT_SUBJECT},
    {"key-type", required_argument, NULL, OPT_KEY_TYPE},
    {"days", required_argument, NULL, OPT_DAYS},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"import-cert", required_argument, NULL, OPT_IMPORT_CERT},
    {"import-key", required_argument, NULL, OPT_IMPORT_KEY},
    {"signer-trust", required_argument, NULL, OPT_SIGNER_TRUST},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

static int parse_opts(int argc, char **argv, struct ca_opts *o)
{
    int c;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", ca_longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DIR: o->dir = optarg; break;
        case OPT_SUBJECT: o->subject = optarg; break;
        case OPT_KEY_TYPE: o->key_type = optarg; break;
        case OPT_DAYS: {
            char *end = NULL;

            o->days = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || o->days < 1 || o->days > MAX_DAYS)
                return cli_usage_error("--days wants 1..%d, not \"%s\"", MAX_DAYS, optarg);
            break;
        }
        case OPT_DEMO: o->demo = 1; break;
        case OPT_IMPORT_CERT: o->import_cert = optarg; break;
        case OPT_IMPORT_KEY: o->import_key = optarg; break;
        case OPT_SIGNER_TRUST: o->signer_trust = optarg; break;
        case OPT_HELP: fputs(ca_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("ca init: unknown or incomplete option \"%s\"",
                                        argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("ca init: unexpected argument \"%s\"", argv[optind]);
    if (o->dir == NULL)
        return cli_usage_error("ca init needs --dir");
    if ((o->import_cert == NULL) != (o->import_key == NULL))
        return cli_usage_error("--import-cert and --import-key go together");
    if (o->import_cert != NULL && (o->subject || o->key_type || o->days))
        return cli_usage_error("--subject, --key-type and --days do not apply to an "
                               "imported CA");
    /* cmcd refuses to start with a signed profile and no signer_trust (nothing could ever
     * be authorised), so a production setup must name its signers now. */
    if (!o->demo && o->signer_trust == NULL)
        return cli_usage_error("without --demo the default profile is \"authorization = "
                               "signed\", which needs --signer-trust FILE (the operator or RA "
                               "certificates, or their CA, allowed to sign requests)");
    if (o->subject == NULL)
        o->subject = DEFAULT_SUBJECT;
    if (o->key_type == NULL)
        o->key_type = DEFAULT_KEY_TYPE;
    if (o->days == 0)
        o->days = DEFAULT_DAYS;
    return -1;
}

static cmc_err add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;
    int ok;

    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (e == NULL)
        return cmci_fail_ossl(CMC_ERR_CRYPTO, "extension %s", OBJ_nid2sn(nid));
    ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    CMC_ENSURE(ok == 1, CMC_ERR_NOMEM, "extension");
    return CMC_OK;
}

/* The CA certificate's signature digest: matched to the key's strength (SHA-384 for
 * P-384), none for Ed25519 (RFC 8410). */
static const EVP_MD *ca_md(const EVP_PKEY *key)
{
    if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
        return NULL;
    if (EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_bits(key) > 256)
        return EVP_sha384();
    return EVP_sha256();
}

/*
 * A self-signed v3 CA certificate (RFC 5280 §4.2.1.9, §4.2.1.3). No extendedKeyUsage:
 * id-kp-cmcCA would be allowed, but OpenSSL and others apply a CA's EKU to the whole
 * chain, so TLS clients would refuse the serverAuth certificates this CA issues.
 */
static cmc_err make_ca_cert(const struct ca_opts *o, EVP_PKEY *key, X509 **out)
{
    X509 *x = NULL;
    X509_NAME *name = NULL;
    cmc_err rv;

    *out = NULL;
    CMC_GUARD(cmc_client_parse_dn(o->subject, &name));
    if (X509_NAME_entry_count(name) == 0) {
        X509_NAME_free(name);
        CMC_BAIL(CMC_ERR_USAGE, "a CA needs a non-empty subject (RFC 5280 §4.1.2.6)");
    }
    /* RFC 5280 §4.1.2.2: positive, at most 20 octets; 127 random bits here. */
    if ((x = X509_new()) == NULL) {
        rv = cmci_fail(CMC_ERR_NOMEM, "CA certificate");
        goto err;
    }
    if ((rv = cmci_random_serial(X509_get_serialNumber(x))) != CMC_OK)
        goto err;
    if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_subject_name(x, name) != 1
        || X509_set_issuer_name(x, name) != 1
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_time_adj_ex(X509_getm_notAfter(x), (int)o->days, 0, NULL) == NULL
        || X509_set_pubkey(x, key) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "CA certificate");
        goto err;
    }
    if ((rv = add_ext(x, NID_basic_constraints, "critical,CA:TRUE")) != CMC_OK
        || (rv = add_ext(x, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"))
               != CMC_OK
        || (rv = add_ext(x, NID_subject_key_identifier, "hash")) != CMC_OK
        || (rv = add_ext(x, NID_authority_key_identifier, "keyid:always")) != CMC_OK)
        goto err;
    if (X509_sign(x, key, ca_md(key)) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "sign CA certificate");
        goto err;
    }
    *out = x;
    x = NULL;
    rv = CMC_OK;
err:
    X509_free(x);
    X509_NAME_free(name);
    return rv;
}

/*
 * OpenSSL 3.0 cannot make EdDSA CMS signatures, so an Ed25519/Ed448 CA signs its Full PKI
 * Responses with a separate P-256 key certified by the CA: EKU id-kp-cmcCA
 * (rfc5272bis §7), keyUsage digitalSignature. Clients check it chains to the CA.
 */
static cmc_err make_resp_signer(const struct ca_opts *o, X509 *ca, EVP_PKEY *ca_key,
                                EVP_PKEY **key_out, X509 **out)
{
    X509 *x = NULL;
    EVP_PKEY *key = NULL;
    X509_NAME *name = NULL;
    cmc_err rv;

    *out = NULL;
    *key_out = NULL;
    CMC_GUARD(cmc_client_keygen("ec:P-256", &key));
    if ((name = X509_NAME_dup(X509_get_subject_name(ca))) == NULL
        || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      (const unsigned char *)"CMC response signer", -1, -1, 0) != 1
        || (x = X509_new()) == NULL) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "response signer");
        goto err;
    }
    if ((rv = cmci_random_serial(X509_get_serialNumber(x))) != CMC_OK)
        goto err;
    if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_subject_name(x, name) != 1
        || X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_set1_notAfter(x, X509_get0_notAfter(ca)) != 1 || X509_set_pubkey(x, key) != 1) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "response signer");
        goto err;
    }
    {
        X509V3_CTX ctx;
        static const struct { int nid; const char *v; } exts[] = {
            {NID_basic_constraints, "critical,CA:FALSE"},
            {NID_key_usage, "critical,digitalSignature"},
            {NID_ext_key_usage, "1.3.6.1.5.5.7.3.27"},
            {NID_subject_key_identifier, "hash"},
            {NID_authority_key_identifier, "keyid:always"},
        };
        X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
        for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
            X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, exts[i].nid, exts[i].v);
            int ok = e != NULL && X509_add_ext(x, e, -1) == 1;
            X509_EXTENSION_free(e);
            if (!ok) {
                rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "response signer extension");
                goto err;
            }
        }
    }
    if (X509_sign(x, ca_key, ca_md(ca_key)) <= 0) {
        rv = cmci_fail_ossl(CMC_ERR_CRYPTO, "sign response signer");
        goto err;
    }
    *out = x;
    *key_out = key;
    x = NULL;
    key = NULL;
    rv = CMC_OK;
err:
    X509_NAME_free(name);
    X509_free(x);
    EVP_PKEY_free(key);
    return rv;
}

/* An end-entity certificate in --signer-trust is an operator or RA certificate: cmcd takes
 * its signatures only with keyUsage digitalSignature and, by default (signer_eku), the
 * extendedKeyUsage id-kp-cmcRA (RFC 6402 §2.10). Say so now rather than at the first
 * refused request. CA certificates are not checked: they vouch for the operators. */
static void warn_signers(STACK_OF(X509) *trust)
{
    for (int i = 0; i < sk_X509_num(trust); i++) {
        X509 *x = sk_X509_value(trust, i);
        EXTENDED_KEY_USAGE *eku;
        int ra = 0;
        char name[256];

        /* a CA that may sign certificates; `openssl req -x509` marks every certificate
         * CA:TRUE, so an operator's own is told apart by its keyUsage */
        if (X509_check_ca(x) != 0 && (X509_get_key_usage(x) & KU_KEY_CERT_SIGN) != 0)
            continue;
        eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
        for (int j = 0; j < sk_ASN1_OBJECT_num(eku); j++)
            ra = ra || OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, j)) == NID_cmcRA;
        EXTENDED_KEY_USAGE_free(eku);
        ERR_clear_error();
        X509_NAME_oneline(X509_get_subject_name(x), name, sizeof(name));
        if ((X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) == 0)
            fprintf(stderr, "cmc: warning: signer certificate %s has no keyUsage "
                            "digitalSignature: cmcd will refuse its signatures\n", name);
        else if (!ra)
            fprintf(stderr, "cmc: warning: signer certificate %s has no extendedKeyUsage "
                            "cmcRA: cmcd refuses its signatures unless a profile's signer_eku "
                            "lists one it has (docs/configuration.md)\n", name);
    }
}

static int needs_resp_signer(const EVP_PKEY *key)
{
    return EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448");
}

/* docs/configuration.md, section by section. Paths are relative to the file's folder. */
static char *make_config(const struct ca_opts *o, int resp_signer)
{
    static const char fmt[] =
        "# cmcd configuration, written by `cmc ca init` (see docs/configuration.md).\n"
        "# Relative paths are relative to this file's directory.\n"
        "\n"
        "[cmcd]\n"
        "ca_cert = ca.pem\n"
        "ca_key = ca.key\n"
        "database = sqlite:cmcd.db\n"
        "%s"
        "%s"
        "default_profile = default\n"
        "profiles = profiles\n"
        "\n"
        "[profiles]\n"
        "default = profile_default\n"
        "%s"
        "\n"
        "[profile_default]\n"
        "%s"
        "validity_days = 365\n"
        "extensions = ext_default\n"
        "# keyUsage by the key's type: digitalSignature for EC and EdDSA keys,\n"
        "# digitalSignature, keyEncipherment for RSA keys\n"
        "key_usage = auto\n"
        "honor_extensions = subjectAltName\n"
        "\n"
        "%s"
        "[ext_default]\n"
        "basicConstraints = critical,CA:FALSE\n"
        "extendedKeyUsage = clientAuth,serverAuth\n"
        "subjectKeyIdentifier = hash\n"
        "authorityKeyIdentifier = keyid\n";
    const char *trust = o->signer_trust ? "signer_trust = trust.pem\n" : "";
    const char *resp = resp_signer ? "# OpenSSL 3.0 cannot make EdDSA CMS signatures: Full PKI Responses are\n"
                                     "# signed by this key, certified by the CA (EKU id-kp-cmcCA).\n"
                                     "response_signer_cert = resp.pem\n"
                                     "response_signer_key = resp.key\n"
                                   : "";
    /* The signed profile only when someone can sign: cmcd rejects it otherwise. */
    const char *signed_line = o->signer_trust
                                  ? "signed_only = profile_signed\n"
                                  : "# signed_only = profile_signed  (needs signer_trust)\n";
    const char *signed_sect = o->signer_trust ? "[profile_signed]\n"
                                                "authorization = signed\n"
                                                "validity_days = 365\n"
                                                "extensions = ext_default\n"
                                                "key_usage = auto\n"
                                                "honor_extensions = subjectAltName\n"
                                                "\n"
                                              : "";
    const char *auth = o->demo
                           ? "# demo setting — anything with a valid proof of possession is "
                             "issued; use \"signed\" in production\n"
                             "authorization = open\n"
                           : "authorization = signed\n";
    size_t n = sizeof(fmt) + strlen(resp) + strlen(trust) + strlen(signed_line) + strlen(auth)
               + strlen(signed_sect);
    char *text = malloc(n);

    if (text != NULL)
        snprintf(text, n, fmt, resp, trust, signed_line, auth, signed_sect);
    return text;
}

/* DIR/NAME into @p buf; 0 when it does not fit. */
static int join(char *buf, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(buf, cap, "%s/%s", dir, name);

    return n > 0 && (size_t)n < cap;
}

int cli_ca(int argc, char **argv)
{
    struct ca_opts o = {0};
    char p_cnf[4096], p_key[4096], p_pem[4096], p_trust[4096], p_rkey[4096], p_rpem[4096];
    EVP_PKEY *rkey = NULL;
    X509 *rcert = NULL;
    struct stat st;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    STACK_OF(X509) *trust = NULL;
    char *cnf = NULL;
    int ret;

    if (argc < 2 || strcmp(argv[1], "init") != 0) {
        if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
            fputs(ca_help, stdout);
            return CLI_EXIT_OK;
        }
        return cli_usage_error("ca: the only subcommand is \"init\"");
    }
    if ((ret = parse_opts(argc - 1, argv + 1, &o)) >= 0)
        return ret;
    ret = CLI_EXIT_ERROR;
    if (!join(p_cnf, sizeof(p_cnf), o.dir, "cmcd.cnf") || !join(p_key, sizeof(p_key), o.dir, "ca.key")
        || !join(p_pem, sizeof(p_pem), o.dir, "ca.pem")
        || !join(p_trust, sizeof(p_trust), o.dir, "trust.pem")
        || !join(p_rkey, sizeof(p_rkey), o.dir, "resp.key")
        || !join(p_rpem, sizeof(p_rpem), o.dir, "resp.pem"))
        return cli_usage_error("--dir is too long");

    /* Refuse before creating anything, so a second run never half-overwrites a CA. */
    if (lstat(p_cnf, &st) == 0) {
        fprintf(stderr, "cmc: %s already exists; refusing to overwrite it (remove it or use "
                        "another --dir)\n", p_cnf);
        return CLI_EXIT_ERROR;
    }
    if (o.import_cert != NULL) {
        if (cli_load_cert(o.import_cert, &cert) != CMC_OK) {
            cli_report("--import-cert");
            goto out;
        }
        if (cli_load_key(o.import_key, &key) != CMC_OK) {
            cli_report("--import-key");
            goto out;
        }
        if (X509_check_private_key(cert, key) != 1) {
            fprintf(stderr, "cmc: %s is not the key of %s\n", o.import_key, o.import_cert);
            goto out;
        }
        if (X509_check_ca(cert) < 1) {
            fprintf(stderr, "cmc: %s is not a CA certificate (basicConstraints CA:TRUE)\n",
                    o.import_cert);
            goto out;
        }
    } else {
        if (cmc_client_keygen(o.key_type, &key) != CMC_OK) {
            cli_report("--key-type");
            ret = CLI_EXIT_USAGE;
            goto out;
        }
        if (make_ca_cert(&o, key, &cert) != CMC_OK) {
            cli_report("CA certificate");
            goto out;
        }
    }
    if (o.signer_trust != NULL && cli_load_certs(o.signer_trust, &trust) != CMC_OK) {
        cli_report("--signer-trust");
        goto out;
    }
    warn_signers(trust);
    if (needs_resp_signer(key) && make_resp_signer(&o, cert, key, &rkey, &rcert) != CMC_OK) {
        cli_report("response signer");
        goto out;
    }
    if ((cnf = make_config(&o, rcert != NULL)) == NULL)
        goto out;

    if (mkdir(o.dir, 0700) != 0) {
        int e = errno;

        if (e != EEXIST || stat(o.dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "cmc: cannot create %s: %s\n", o.dir,
                    strerror(e != EEXIST ? e : ENOTDIR));
            goto out;
        }
    }

    /* Key first and exclusively (0600): an existing key is never replaced. The config
     * comes last, so its presence means the directory is complete. */
    if (cli_write_key(p_key, key) != CMC_OK) {
        cli_report("CA key");
        goto out;
    }
    if (cli_write_certs(p_pem, cert, NULL, 1, 0644) != CMC_OK) {
        cli_report("CA certificate");
        goto out;
    }
    if (rcert != NULL
        && (cli_write_key(p_rkey, rkey) != CMC_OK
            || cli_write_certs(p_rpem, rcert, NULL, 1, 0644) != CMC_OK)) {
        cli_report("response signer");
        goto out;
    }
    if (trust != NULL && cli_write_certs(p_trust, NULL, trust, 1, 0644) != CMC_OK) {
        cli_report("signer trust");
        goto out;
    }
    if (cli_write_text(p_cnf, cnf, 0644) != CMC_OK) {
        cli_report("configuration");
        goto out;
    }
    /* What was made goes to stderr with every other message: stdout is for data only. */
    fprintf(stderr, "cmc: CA key         %s (mode 0600)\n", p_key);
    fprintf(stderr, "cmc: CA certificate %s\n", p_pem);
    if (rcert != NULL)
        fprintf(stderr,
                "cmc: response signer %s, %s (EdDSA CAs cannot sign CMS on OpenSSL 3.0)\n",
                p_rpem, p_rkey);
    if (trust != NULL)
        fprintf(stderr, "cmc: signer trust   %s (%d certificate%s)\n", p_trust,
                sk_X509_num(trust), sk_X509_num(trust) == 1 ? "" : "s");
    fprintf(stderr, "cmc: configuration  %s (default profile: authorization = %s)\n", p_cnf,
            o.demo ? "open (demo)" : "signed");
    if (trust == NULL)
        fprintf(stderr, "cmc: note: no signer_trust, so no \"signed\" profile (--signer-trust)\n");
    ret = CLI_EXIT_OK;
out:
    free(cnf);
    sk_X509_pop_free(trust, X509_free);
    X509_free(cert);
    EVP_PKEY_free(key);
    X509_free(rcert);
    EVP_PKEY_free(rkey);
    return ret;
}
