/* SPDX-License-Identifier: Apache-2.0 */
/* Engine test fixture: generates a throwaway CA and operator PKI with OpenSSL, writes a
 * cmcd.cnf, builds CMC requests from our ASN.1 types and parses the engine's responses. */
#include "engine_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <cmc/store.h>

#include "engine/engine_local.h"

/* ---- PKI ------------------------------------------------------------------------------ */

EVP_PKEY *ef_key_ec(const char *curve)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
}

EVP_PKEY *ef_key_ec_fixed(const char *label)
{
    unsigned char d[SHA256_DIGEST_LENGTH], pub[65];
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *pt = NULL;
    BIGNUM *priv = NULL;
    BN_CTX *bnctx = BN_CTX_new();
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    EVP_PKEY *pkey = NULL;
    size_t publen;

    /* the scalar is SHA-256(label) reduced mod the group order: same label, same key */
    SHA256((const unsigned char *)label, strlen(label), d);
    if (g == NULL || bnctx == NULL || (priv = BN_bin2bn(d, sizeof(d), NULL)) == NULL
        || BN_mod(priv, priv, EC_GROUP_get0_order(g), bnctx) != 1 || BN_is_zero(priv)
        || (pt = EC_POINT_new(g)) == NULL || EC_POINT_mul(g, pt, priv, NULL, NULL, bnctx) != 1
        || (publen = EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub),
                                        bnctx)) == 0)
        goto out;
    if ((bld = OSSL_PARAM_BLD_new()) == NULL
        || OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1
        || OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, publen) != 1
        || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL
        || (pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL
        || EVP_PKEY_fromdata_init(pctx) != 1
        || EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
out:
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EC_POINT_free(pt);
    BN_clear_free(priv);
    BN_CTX_free(bnctx);
    EC_GROUP_free(g);
    return pkey;
}

ASN1_OCTET_STRING *ef_ski(EVP_PKEY *key)
{
    X509_PUBKEY *xp = NULL;
    const unsigned char *pk = NULL;
    unsigned char md[SHA_DIGEST_LENGTH];
    ASN1_OCTET_STRING *os = NULL;
    int pklen = 0;

    if (X509_PUBKEY_set(&xp, key) != 1
        || X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, xp) != 1)
        goto out;
    SHA1(pk, (size_t)pklen, md);
    if ((os = ASN1_OCTET_STRING_new()) != NULL && ASN1_OCTET_STRING_set(os, md, sizeof(md)) != 1) {
        ASN1_OCTET_STRING_free(os);
        os = NULL;
    }
out:
    X509_PUBKEY_free(xp);
    return os;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;
    int ok;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
        return 0;
    ok = X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

X509 *ef_cert_md(EVP_PKEY *key, const char *cn, long serial, X509 *issuer,
                 EVP_PKEY *issuer_key, const char *ku, const char *eku, const EVP_MD *md)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    int is_ca = ku != NULL && strstr(ku, "keyCertSign") != NULL;
    int ok;

    ok = x != NULL && name != NULL
         && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                       -1, 0) == 1
         && X509_set_version(x, X509_VERSION_3) == 1
         && ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1
         && X509_set_subject_name(x, name) == 1
         && X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) == 1
         && X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL
         && X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 86400) != NULL
         && X509_set_pubkey(x, key) == 1
         && add_ext(x, issuer ? issuer : x, NID_basic_constraints,
                    is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE")
         && (ku == NULL || add_ext(x, issuer ? issuer : x, NID_key_usage, ku))
         && (eku == NULL || add_ext(x, issuer ? issuer : x, NID_ext_key_usage, eku))
         && add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash")
         && X509_sign(x, issuer_key ? issuer_key : key, md) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

X509 *ef_cert(EVP_PKEY *key, const char *cn, long serial, X509 *issuer, EVP_PKEY *issuer_key,
              const char *ku, const char *eku)
{
    return ef_cert_md(key, cn, serial, issuer, issuer_key, ku, eku, EVP_sha256());
}

/* The fixture's CA certificates carry digitalSignature too: the issuing CA signs Full PKI
 * Responses, and a client's CMS_verify applies the S/MIME signing purpose to the signer.
 * Its operators are RAs: RFC 6402 §2.10 id-kp-cmcRA, which cmcd asks of a signer by
 * default (signer_eku). */
#define CA_KU "critical,digitalSignature,keyCertSign,cRLSign"
#define OP_KU "critical,digitalSignature"
#define OP_EKU "cmcRA"

static X509 *mk_cert(EVP_PKEY *key, const char *cn, long serial, X509 *issuer,
                     EVP_PKEY *issuer_key, int is_ca)
{
    return ef_cert(key, cn, serial, issuer, issuer_key, is_ca ? CA_KU : OP_KU,
                   is_ca ? NULL : OP_EKU);
}

X509 *ef_operator_cert(const struct ef_fixture *f, EVP_PKEY *key, const char *cn, long serial,
                       const EVP_MD *md)
{
    return ef_cert_md(key, cn, serial, f->op_ca_cert, f->op_ca_key, OP_KU, OP_EKU, md);
}

EVP_PKEY *ef_key_ec_explicit(const char *curve)
{
    EVP_PKEY *k = ef_key_ec(curve);

    /* OpenSSL 3.0 then writes the curve's parameters in full, not its OID (RFC 5480
     * §2.1.1 specifiedCurve) wherever the public key is encoded */
    if (k != NULL
        && EVP_PKEY_set_utf8_string_param(k, OSSL_PKEY_PARAM_EC_ENCODING,
                                          OSSL_PKEY_EC_ENCODING_EXPLICIT) != 1) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    return k;
}

static int write_pem_cert(const char *dir, const char *file, X509 *x)
{
    char path[256];
    FILE *fp;
    int ok;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if ((fp = fopen(path, "w")) == NULL)
        return 0;
    ok = PEM_write_X509(fp, x) == 1;
    return fclose(fp) == 0 && ok;
}

/* The CA key must be 0600 or cmcd refuses it: create it with that mode. */
static int write_pem_key(const char *dir, const char *file, EVP_PKEY *k)
{
    char path[256];
    FILE *fp;
    int fd, ok;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
        return 0;
    if ((fp = fdopen(fd, "w")) == NULL) {
        close(fd);
        return 0;
    }
    ok = PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL) == 1;
    return fclose(fp) == 0 && ok;
}

static int write_config(struct ef_fixture *f, int sqlite, const char *main_extra)
{
    FILE *fp;

    if (sqlite)
        snprintf(f->db, sizeof(f->db), "%s/cmcd.db", f->dir);
    else
        f->db[0] = '\0';
    snprintf(f->cnf, sizeof(f->cnf), "%s/cmcd.cnf", f->dir);
    if ((fp = fopen(f->cnf, "w")) == NULL)
        return 0;
    fprintf(fp,
            "[cmcd]\n"
            "ca_cert = ca.pem\n"
            "ca_key = ca.key\n"
            "database = %s\n"
            "signer_trust = trust.pem\n"
            "max_controls = 8\n"
            "max_body_parts = 8\n"
            "max_nesting = 1\n"
            "max_body = 20000\n"
            "log_level = error\n"
            "%s"
            "\n[profiles]\n"
            "default = profile_default\n"
            "signed_only = profile_signed\n"
            "p384_only = profile_p384\n"
            "legacy_sha1 = profile_legacy_sha1\n"
            "ra_or_client = profile_ra_or_client\n"
            "any_signer = profile_any_signer\n"
            "eddsa = profile_eddsa\n"
            "\n[profile_default]\n"
            "authorization = open\n"
            "validity_days = 30\n"
            "\n[profile_signed]\n"
            "authorization = signed\n"
            "\n[profile_p384]\n"
            "authorization = open\n"
            "key_types = ec:P-384\n"
            "\n[profile_legacy_sha1]\n"
            "authorization = open\n"
            "allow_sha1 = yes\n"

            "\n[profile_ra_or_client]\n"
            "authorization = signed\n"
            "signer_eku = cmcRA, clientAuth\n"
            "\n[profile_any_signer]\n"
            "authorization = signed\n"
            "signer_eku = any\n"
            "\n[profile_eddsa]\n"
            "authorization = open\n"
            "key_types = ed25519, ed448\n",
            sqlite ? "sqlite:cmcd.db" : "mem:", main_extra ? main_extra : "");
    return fclose(fp) == 0;
}

static EVP_PKEY *fixture_key(int fixed, const char *label)
{
    return fixed ? ef_key_ec_fixed(label) : ef_key_ec("P-256");
}

static int setup(struct ef_fixture *f, int sqlite, int fixed)
{
    EVP_PKEY *rogue_ca_key = NULL;
    X509 *rogue_ca = NULL;
    int ok = 0;

    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cmc-engine-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        f->dir[0] = '\0';
        return 0;
    }
    if ((f->ca_key = fixture_key(fixed, "cmcd fixture CA")) == NULL
        || (f->op_ca_key = fixture_key(fixed, "cmcd fixture operator CA")) == NULL
        || (f->op_key = fixture_key(fixed, "cmcd fixture operator")) == NULL
        || (f->rogue_key = fixture_key(fixed, "cmcd fixture rogue operator")) == NULL
        || (rogue_ca_key = fixture_key(fixed, "cmcd fixture rogue CA")) == NULL)
        goto out;
    if ((f->ca_cert = mk_cert(f->ca_key, "cmcd test CA", 1, NULL, NULL, 1)) == NULL
        || (f->op_ca_cert = mk_cert(f->op_ca_key, "operator CA", 2, NULL, NULL, 1)) == NULL
        || (f->op_cert = mk_cert(f->op_key, "operator", 3, f->op_ca_cert, f->op_ca_key, 0)) == NULL
        || (rogue_ca = mk_cert(rogue_ca_key, "rogue CA", 4, NULL, NULL, 1)) == NULL
        || (f->rogue_cert = mk_cert(f->rogue_key, "operator", 5, rogue_ca, rogue_ca_key, 0))
               == NULL)
        goto out;
    if (!write_pem_key(f->dir, "ca.key", f->ca_key) || !write_pem_cert(f->dir, "ca.pem", f->ca_cert)
        || !write_pem_cert(f->dir, "trust.pem", f->op_ca_cert) || !write_config(f, sqlite, NULL))
        goto out;
    if (cmc_server_ctx_new_from_config(&f->srv, f->cnf) != CMC_OK) {
        fprintf(stderr, "engine fixture: %s\n", cmc_error_get0_message());
        goto out;
    }
    ok = 1;
out:
    EVP_PKEY_free(rogue_ca_key);
    X509_free(rogue_ca);
    if (!ok)
        ef_teardown(f);
    return ok;
}

int ef_setup(struct ef_fixture *f, int sqlite)
{
    return setup(f, sqlite, 0);
}

int ef_setup_fixed(struct ef_fixture *f)
{
    return setup(f, 0, 1);
}

int ef_reload(struct ef_fixture *f, const char *main_extra)
{
    cmc_server_ctx_free(f->srv);
    f->srv = NULL;
    if (!write_config(f, f->db[0] != '\0', main_extra))
        return 0;
    if (cmc_server_ctx_new_from_config(&f->srv, f->cnf) != CMC_OK) {
        fprintf(stderr, "engine fixture: %s\n", cmc_error_get0_message());
        return 0;
    }
    return 1;
}

static int state_setup(void **state, int sqlite)
{
    struct ef_fixture *f = calloc(1, sizeof(*f));

    if (f == NULL || !ef_setup(f, sqlite)) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int ef_state_setup_mem(void **state)
{
    return state_setup(state, 0);
}

int ef_state_setup_sqlite(void **state)
{
    return state_setup(state, 1);
}

int ef_state_teardown(void **state)
{
    struct ef_fixture *f = *state;

    ef_teardown(f);
    free(f);
    return 0;
}

void ef_teardown(struct ef_fixture *f)
{
    DIR *d;
    struct dirent *e;

    cmc_server_ctx_free(f->srv);
    EVP_PKEY_free(f->ca_key);
    EVP_PKEY_free(f->op_ca_key);
    EVP_PKEY_free(f->op_key);
    EVP_PKEY_free(f->rogue_key);
    X509_free(f->ca_cert);
    X509_free(f->op_ca_cert);
    X509_free(f->op_cert);
    X509_free(f->rogue_cert);
    /* the directory only ever holds files this fixture or the store made */
    if (f->dir[0] != '\0' && (d = opendir(f->dir)) != NULL) {
        while ((e = readdir(d)) != NULL) {
            char path[384];
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof(path), "%s/%s", f->dir, e->d_name);
            unlink(path);
        }
        closedir(d);
        rmdir(f->dir);
    }
    memset(f, 0, sizeof(*f));
}

int ef_write_certs(const struct ef_fixture *f, const char *file, X509 *const *certs, size_t n)
{
    char path[256];
    FILE *fp;
    int ok = 1;

    snprintf(path, sizeof(path), "%s/%s", f->dir, file);
    if ((fp = fopen(path, "w")) == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        ok = ok && PEM_write_X509(fp, certs[i]) == 1;
    return fclose(fp) == 0 && ok;
}

long ef_store_count(const struct ef_fixture *f)
{
    uint64_t n = 0;
    if (cmc_store_cert_count(f->srv->store, &n) != CMC_OK)
        return -1;
    return (long)n;
}

/* ---- requests ------------------------------------------------------------------------ */

/* CN=@p cn; @p cn NULL gives an empty Name (no RDNs). New. */
static X509_NAME *cn_name(const char *cn)
{
    X509_NAME *n = X509_NAME_new();
    if (n != NULL && cn != NULL
        && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                      0) != 1) {
        X509_NAME_free(n);
        n = NULL;
    }
    return n;
}

X509_REQ *ef_p10(EVP_PKEY *key, const char *cn)
{
    return ef_p10_md(key, cn, EVP_sha256());
}

X509_REQ *ef_p10_md(EVP_PKEY *key, const char *cn, const EVP_MD *md)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = cn_name(cn);
    ASN1_OCTET_STRING *ski = ef_ski(key);
    STACK_OF(X509_EXTENSION) *exts = NULL;
    int ok;

    ok = req != NULL && name != NULL && ski != NULL && X509_REQ_set_version(req, 0) == 1
         && X509_REQ_set_subject_name(req, name) == 1 && X509_REQ_set_pubkey(req, key) == 1
         && X509V3_add1_i2d(&exts, NID_subject_key_identifier, ski, 0, 0) == 1
         && X509_REQ_add_extensions(req, exts) == 1 && X509_REQ_sign(req, key, md) > 0;
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    ASN1_OCTET_STRING_free(ski);
    X509_NAME_free(name);
    if (!ok) {
        X509_REQ_free(req);
        return NULL;
    }
    return req;
}

uint8_t *ef_p10_der(X509_REQ *req, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_X509_REQ(req, &der);
    if (n <= 0)
        return NULL;
    *len = (size_t)n;
    return der;
}

/* A ProofOfPossession that is not a signature: raVerified, or a POPOPrivKey holding
 * subsequentMessage (RFC 4211 §4.2: encrCert(0), challengeResp(1)). New. */
static CMC_POP *other_pop(enum ef_crm_opt opt)
{
    CMC_POP *pop = CMC_POP_new();
    CMC_POPO_PRIV_KEY *pk;

    if (pop == NULL)
        return NULL;
    if (opt == EF_CRM_RA_VERIFIED) {
        pop->type = CMC_POP_RA_VERIFIED;
        if ((pop->value.raVerified = ASN1_NULL_new()) == NULL)
            goto err;
        return pop;
    }
    if ((pk = CMC_POPO_PRIV_KEY_new()) == NULL)
        goto err;
    if (opt == EF_CRM_ENCR_CERT_KA) {
        pop->type = CMC_POP_KEY_AGREEMENT;
        pop->value.keyAgreement = pk;
    } else {
        pop->type = CMC_POP_KEY_ENCIPHERMENT;
        pop->value.keyEncipherment = pk;
    }
    if (opt == EF_CRM_THIS_MESSAGE) {
        static const unsigned char blob[] = {0x01, 0x02, 0x03};
        pk->type = CMC_POPO_PRIV_KEY_THIS_MESSAGE;
        if ((pk->value.thisMessage = ASN1_BIT_STRING_new()) == NULL
            || ASN1_BIT_STRING_set(pk->value.thisMessage, (unsigned char *)blob, sizeof(blob))
                   != 1)
            goto err;
        return pop;
    }
    pk->type = CMC_POPO_PRIV_KEY_SUBSEQUENT_MESSAGE;
    if ((pk->value.subsequentMessage = ASN1_INTEGER_new()) == NULL
        || ASN1_INTEGER_set(pk->value.subsequentMessage, opt == EF_CRM_CHALLENGE ? 1 : 0) != 1)
        goto err;
    return pop;
err:
    CMC_POP_free(pop);
    return NULL;
}

CMC_CERT_REQ_MSG *ef_crm(EVP_PKEY *key, uint32_t cert_req_id, const char *cn,
                         enum ef_crm_opt opt)
{
    return ef_crm_md(key, cert_req_id, cn, opt, EVP_sha256());
}

CMC_CERT_REQ_MSG *ef_crm_md(EVP_PKEY *key, uint32_t cert_req_id, const char *cn,
                            enum ef_crm_opt opt, const EVP_MD *md)
{
    CMC_CERT_REQ_MSG *m = CMC_CERT_REQ_MSG_new();
    ASN1_OCTET_STRING *ski = ef_ski(key);
    CMC_CERT_TEMPLATE *tpl;
    CMC_POPO_SIGNING_KEY *sk;
    int ok = 0;

    if (m == NULL || ski == NULL)
        goto out;
    tpl = m->certReq->certTemplate;
    if (ASN1_INTEGER_set(m->certReq->certReqId, (long)cert_req_id) != 1
        || (tpl->subject = cn_name(cn)) == NULL || cmc_spki_set1_pkey(&tpl->publicKey, key) != CMC_OK
        || X509V3_add1_i2d(&tpl->extensions, NID_subject_key_identifier, ski, 0, 0) != 1)
        goto out;
    if (opt == EF_CRM_CTL_POP_LINK || opt == EF_CRM_CTL_CHANGE_SUBJECT || opt == EF_CRM_CTL_OTHER) {
        /* the value is never read before the verdict; an empty SEQUENCE keeps the DER valid */
        CMC_ATAV *a = CMC_ATAV_new();
        ASN1_STRING *seq = ASN1_STRING_new();
        static const unsigned char empty_seq[] = {0x30, 0x00};
        const ASN1_OBJECT *o = opt == EF_CRM_CTL_POP_LINK
                                   ? cmc_oid_get0_control(CMC_CTRL_POP_LINK_WITNESS_V2)
                               : opt == EF_CRM_CTL_CHANGE_SUBJECT
                                   ? cmc_oid_get0_control(CMC_CTRL_CHANGE_SUBJECT_NAME)
                                   : NULL;

        if (a == NULL || seq == NULL || ASN1_STRING_set(seq, empty_seq, 2) != 1
            || (a->value == NULL && (a->value = ASN1_TYPE_new()) == NULL)
            || (m->certReq->controls == NULL
                && (m->certReq->controls = sk_CMC_ATAV_new_null()) == NULL)) {
            CMC_ATAV_free(a);
            ASN1_STRING_free(seq);
            goto out;
        }
        ASN1_OBJECT_free(a->type);
        a->type = o != NULL ? OBJ_dup(o) : OBJ_txt2obj("1.3.6.1.5.5.7.5.1.1", 1); /* regToken */
        ASN1_TYPE_set(a->value, V_ASN1_SEQUENCE, seq);
        if (a->type == NULL || !sk_CMC_ATAV_push(m->certReq->controls, a)) {
            CMC_ATAV_free(a);
            goto out;
        }
    }
    if (opt == EF_CRM_ENCR_CERT || opt == EF_CRM_ENCR_CERT_KA || opt == EF_CRM_CHALLENGE
        || opt == EF_CRM_THIS_MESSAGE
        || opt == EF_CRM_RA_VERIFIED) {
        if ((m->popo = other_pop(opt)) == NULL)
            goto out;
    } else if (opt != EF_CRM_NO_POPO) {
        if ((m->popo = CMC_POP_new()) == NULL || (sk = CMC_POPO_SIGNING_KEY_new()) == NULL)
            goto out;
        m->popo->type = CMC_POP_SIGNATURE;
        m->popo->value.signature = sk;
        /* RFC 4211 §4.1: without poposkInput the signature is over the DER of certReq */
        if (ASN1_item_sign(ASN1_ITEM_rptr(CMC_CERT_REQUEST), sk->algorithmIdentifier, NULL,
                           sk->signature, m->certReq, key, md) <= 0)
            goto out;
        if (opt == EF_CRM_BAD_SIG)
            sk->signature->data[sk->signature->length - 1] ^= 0x01;
        if (opt == EF_CRM_POPOSK_INPUT) {
            ASN1_TYPE *t = ASN1_TYPE_new();
            if (t == NULL || (sk->poposkInput = sk_ASN1_TYPE_new_null()) == NULL
                || !sk_ASN1_TYPE_push(sk->poposkInput, t)) {
                ASN1_TYPE_free(t);
                goto out;
            }
            ASN1_TYPE_set(t, V_ASN1_NULL, NULL);
        }
    }
    if (opt == EF_CRM_REGINFO) {
        CMC_ATAV *a = CMC_ATAV_new();
        ASN1_UTF8STRING *s = ASN1_UTF8STRING_new();
        if (a == NULL || s == NULL || ASN1_STRING_set(s, "x=y", 3) != 1
            || (m->regInfo = sk_CMC_ATAV_new_null()) == NULL || !sk_CMC_ATAV_push(m->regInfo, a)) {
            CMC_ATAV_free(a);
            ASN1_UTF8STRING_free(s);
            goto out;
        }
        ASN1_OBJECT_free(a->type);
        a->type = OBJ_txt2obj("1.3.6.1.5.5.7.5.2.1", 1); /* id-regInfo-utf8Pairs */
        if (a->value == NULL)
            a->value = ASN1_TYPE_new();
        if (a->type == NULL || a->value == NULL) {
            ASN1_UTF8STRING_free(s);
            goto out;
        }
        ASN1_TYPE_set(a->value, V_ASN1_UTF8STRING, s);
    }
    ok = 1;
out:
    ASN1_OCTET_STRING_free(ski);
    if (!ok) {
        CMC_CERT_REQ_MSG_free(m);
        return NULL;
    }
    return m;
}

CMC_PKIDATA *ef_pkidata_new(void)
{
    CMC_PKIDATA *pd = CMC_PKIDATA_new();

    if (pd == NULL)
        return NULL;
    if ((pd->controlSequence == NULL
         && (pd->controlSequence = sk_CMC_TAGGED_ATTRIBUTE_new_null()) == NULL)
        || (pd->reqSequence == NULL && (pd->reqSequence = sk_CMC_TAGGED_REQUEST_new_null()) == NULL)
        || (pd->cmsSequence == NULL
            && (pd->cmsSequence = sk_CMC_TAGGED_CONTENT_INFO_new_null()) == NULL)
        || (pd->otherMsgSequence == NULL
            && (pd->otherMsgSequence = sk_CMC_OTHER_MSG_new_null()) == NULL)) {
        CMC_PKIDATA_free(pd);
        return NULL;
    }
    return pd;
}

static int set_id(ASN1_INTEGER **slot, uint32_t id)
{
    ASN1_INTEGER *a = cmc_body_part_id_new(id);
    if (a == NULL)
        return 0;
    ASN1_INTEGER_free(*slot);
    *slot = a;
    return 1;
}

int ef_add_control(CMC_PKIDATA *pd, uint32_t id, const ASN1_OBJECT *type, ASN1_TYPE *value)
{
    CMC_TAGGED_ATTRIBUTE *a = CMC_TAGGED_ATTRIBUTE_new();

    if (a == NULL || !set_id(&a->bodyPartID, id))
        goto err;
    ASN1_OBJECT_free(a->attrType);
    if ((a->attrType = OBJ_dup(type)) == NULL)
        goto err;
    if (a->attrValues == NULL && (a->attrValues = sk_ASN1_TYPE_new_null()) == NULL)
        goto err;
    if (!sk_ASN1_TYPE_push(a->attrValues, value))
        goto err;
    value = NULL;
    if (!sk_CMC_TAGGED_ATTRIBUTE_push(pd->controlSequence, a))
        goto err;
    return 1;
err:
    ASN1_TYPE_free(value);
    CMC_TAGGED_ATTRIBUTE_free(a);
    return 0;
}

int ef_add_ctl_octets(CMC_PKIDATA *pd, uint32_t id, int num, const void *p, size_t n)
{
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_TYPE *t = ASN1_TYPE_new();

    if (os == NULL || t == NULL || ASN1_OCTET_STRING_set(os, p, (int)n) != 1) {
        ASN1_OCTET_STRING_free(os);
        ASN1_TYPE_free(t);
        return 0;
    }
    ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, os);
    return ef_add_control(pd, id, cmc_oid_get0_control(num), t);
}

int ef_add_ctl_int(CMC_PKIDATA *pd, uint32_t id, int num, long v)
{
    ASN1_INTEGER *i = ASN1_INTEGER_new();
    ASN1_TYPE *t = ASN1_TYPE_new();

    if (i == NULL || t == NULL || ASN1_INTEGER_set(i, v) != 1) {
        ASN1_INTEGER_free(i);
        ASN1_TYPE_free(t);
        return 0;
    }
    ASN1_TYPE_set(t, V_ASN1_INTEGER, i);
    return ef_add_control(pd, id, cmc_oid_get0_control(num), t);
}

int ef_add_profile(CMC_PKIDATA *pd, uint32_t id, const char *name)
{
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "profile=%s", name);
    return ef_add_ctl_octets(pd, id, CMC_CTRL_REG_INFO, buf, (size_t)n);
}

int ef_add_tcr(CMC_PKIDATA *pd, uint32_t id, X509_REQ *req)
{
    CMC_TAGGED_REQUEST *r = CMC_TAGGED_REQUEST_new();
    CMC_TAGGED_CERT_REQUEST *tcr = CMC_TAGGED_CERT_REQUEST_new();
    CMC_P10 *dup = NULL;

    if (r == NULL || tcr == NULL || cmc_p10_from_x509_req(req, &dup) != CMC_OK
        || !set_id(&tcr->bodyPartID, id)) {
        CMC_P10_free(dup);
        CMC_TAGGED_CERT_REQUEST_free(tcr);
        CMC_TAGGED_REQUEST_free(r);
        return 0;
    }
    CMC_P10_free(tcr->certificationRequest);
    tcr->certificationRequest = dup;
    r->type = CMC_TAGGED_REQUEST_TCR;
    r->value.tcr = tcr;
    if (!sk_CMC_TAGGED_REQUEST_push(pd->reqSequence, r)) {
        CMC_TAGGED_REQUEST_free(r);
        return 0;
    }
    return 1;
}

int ef_add_crm(CMC_PKIDATA *pd, CMC_CERT_REQ_MSG *m)
{
    CMC_TAGGED_REQUEST *r;

    if (m == NULL)
        return 0;
    if ((r = CMC_TAGGED_REQUEST_new()) == NULL) {
        CMC_CERT_REQ_MSG_free(m);
        return 0;
    }
    r->type = CMC_TAGGED_REQUEST_CRM;
    r->value.crm = m;
    if (!sk_CMC_TAGGED_REQUEST_push(pd->reqSequence, r)) {
        CMC_TAGGED_REQUEST_free(r);
        return 0;
    }
    return 1;
}

int ef_add_cms(CMC_PKIDATA *pd, uint32_t id, const uint8_t *der, size_t len)
{
    CMC_TAGGED_CONTENT_INFO *tci = CMC_TAGGED_CONTENT_INFO_new();
    ASN1_STRING *s = ASN1_STRING_type_new(V_ASN1_SEQUENCE);
    ASN1_TYPE *t = ASN1_TYPE_new();

    /* an ANY holding a SEQUENCE keeps the whole encoding, tag and length included */
    if (tci == NULL || s == NULL || t == NULL || !set_id(&tci->bodyPartID, id)
        || ASN1_STRING_set(s, der, (int)len) != 1) {
        ASN1_STRING_free(s);
        ASN1_TYPE_free(t);
        CMC_TAGGED_CONTENT_INFO_free(tci);
        return 0;
    }
    ASN1_TYPE_set(t, V_ASN1_SEQUENCE, s);
    ASN1_TYPE_free(tci->contentInfo);
    tci->contentInfo = t;
    if (!sk_CMC_TAGGED_CONTENT_INFO_push(pd->cmsSequence, tci)) {
        CMC_TAGGED_CONTENT_INFO_free(tci);
        return 0;
    }
    return 1;
}

int ef_add_other_msg(CMC_PKIDATA *pd, uint32_t id)
{
    CMC_OTHER_MSG *o = CMC_OTHER_MSG_new();
    ASN1_TYPE *t = ASN1_TYPE_new();

    if (o == NULL || t == NULL || !set_id(&o->bodyPartID, id)) {
        ASN1_TYPE_free(t);
        CMC_OTHER_MSG_free(o);
        return 0;
    }
    ASN1_TYPE_set(t, V_ASN1_NULL, NULL);
    ASN1_TYPE_free(o->otherMsgValue);
    o->otherMsgValue = t;
    ASN1_OBJECT_free(o->otherMsgType);
    if ((o->otherMsgType = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1)) == NULL
        || !sk_CMC_OTHER_MSG_push(pd->otherMsgSequence, o)) {
        CMC_OTHER_MSG_free(o);
        return 0;
    }
    return 1;
}

int ef_add_orm(CMC_PKIDATA *pd, uint32_t id)
{
    CMC_TAGGED_REQUEST *r = CMC_TAGGED_REQUEST_new();
    CMC_OTHER_REQ_MSG *o = CMC_OTHER_REQ_MSG_new();
    ASN1_TYPE *t = ASN1_TYPE_new();

    if (r == NULL || o == NULL || t == NULL || !set_id(&o->bodyPartID, id)) {
        ASN1_TYPE_free(t);
        CMC_OTHER_REQ_MSG_free(o);
        CMC_TAGGED_REQUEST_free(r);
        return 0;
    }
    ASN1_TYPE_set(t, V_ASN1_NULL, NULL);
    ASN1_TYPE_free(o->requestMessageValue);
    o->requestMessageValue = t;
    r->type = CMC_TAGGED_REQUEST_ORM;
    r->value.orm = o;
    ASN1_OBJECT_free(o->requestMessageType);
    if ((o->requestMessageType = OBJ_txt2obj("1.3.6.1.4.1.99999.2", 1)) == NULL
        || !sk_CMC_TAGGED_REQUEST_push(pd->reqSequence, r)) {
        CMC_TAGGED_REQUEST_free(r);
        return 0;
    }
    return 1;
}

uint8_t *ef_pkidata_der(const CMC_PKIDATA *pd, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_CMC_PKIDATA(pd, &der);
    if (n <= 0)
        return NULL;
    *len = (size_t)n;
    return der;
}

/* ---- CMS wrappers -------------------------------------------------------------------- */

static uint8_t *cms_der(CMS_ContentInfo *cms, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_CMS_ContentInfo(cms, &der);
    if (n <= 0)
        return NULL;
    *len = (size_t)n;
    return der;
}

/* @p md NULL: CMS_sign's default digest for the key. @p pss: an RSA key signs with
 * RSASSA-PSS (SHA-256 unless @p md says otherwise). */
static uint8_t *sign_with_ex(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                             X509 *signer, EVP_PKEY *key, const EVP_MD *md, unsigned flags,
                             int pss, size_t *len)
{
    BIO *in = BIO_new_mem_buf(content, (int)clen);
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si = NULL;
    uint8_t *der = NULL;

    if (in == NULL)
        return NULL;
    if (md == NULL && !pss) {
        cms = CMS_sign(signer, key, NULL, NULL, flags | CMS_BINARY | CMS_PARTIAL);
    } else if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags | CMS_BINARY | CMS_PARTIAL)) == NULL
               || (si = CMS_add1_signer(cms, signer, key, md != NULL ? md : EVP_sha256(),
                                        flags | (pss ? CMS_KEY_PARAM : 0)))
                      == NULL
               || (pss && EVP_PKEY_CTX_set_rsa_padding(CMS_SignerInfo_get0_pkey_ctx(si),
                                                       RSA_PKCS1_PSS_PADDING)
                              <= 0)) {
        CMS_ContentInfo_free(cms);
        cms = NULL;
    }
    if (cms != NULL && CMS_set1_eContentType(cms, ctype) == 1
        && CMS_final(cms, in, NULL, CMS_BINARY) == 1)
        der = cms_der(cms, len);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    return der;
}

static uint8_t *sign_with(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                          X509 *signer, EVP_PKEY *key, const EVP_MD *md, unsigned flags,
                          size_t *len)
{
    return sign_with_ex(content, clen, ctype, signer, key, md, flags, 0, len);
}

uint8_t *ef_sign_pop(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                     EVP_PKEY *key, size_t *len)
{
    return ef_sign_pop_flags(content, clen, ctype, key, 0, len);
}

uint8_t *ef_sign_pop_flags(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                           EVP_PKEY *key, unsigned flags, size_t *len)
{
    return ef_sign_md(content, clen, ctype, NULL, key, NULL, flags, len);
}

static uint8_t *sign_pop_or_cert(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                                 X509 *cert, EVP_PKEY *key, const EVP_MD *md, unsigned flags,
                                 int pss, size_t *len)
{
    /* CMS_sign wants a certificate; a bare X509 holding only the key and its SKI makes
     * CMS_USE_KEYID write sid = subjectKeyIdentifier, which is all rfc5272bis asks. */
    X509 *holder;
    ASN1_OCTET_STRING *ski;
    uint8_t *der = NULL;

    if (cert != NULL)
        return sign_with_ex(content, clen, ctype, cert, key, md, flags, pss, len);
    holder = X509_new();
    ski = ef_ski(key);
    if (holder != NULL && ski != NULL && X509_set_pubkey(holder, key) == 1
        && X509_add1_ext_i2d(holder, NID_subject_key_identifier, ski, 0, 0) == 1)
        der = sign_with_ex(content, clen, ctype, holder, key, md,
                           flags | CMS_USE_KEYID | CMS_NOCERTS, pss, len);
    ASN1_OCTET_STRING_free(ski);
    X509_free(holder);
    return der;
}

uint8_t *ef_sign_md(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype, X509 *cert,
                    EVP_PKEY *key, const EVP_MD *md, unsigned flags, size_t *len)
{
    return sign_pop_or_cert(content, clen, ctype, cert, key, md, flags, 0, len);
}

uint8_t *ef_sign_pop_pss(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                         EVP_PKEY *key, unsigned flags, size_t *len)
{
    return sign_pop_or_cert(content, clen, ctype, NULL, key, NULL, flags, 1, len);
}

uint8_t *ef_sign_cert(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                      X509 *cert, EVP_PKEY *key, size_t *len)
{
    return sign_with(content, clen, ctype, cert, key, NULL, 0, len);
}

uint8_t *ef_sign_cert_flags(const uint8_t *content, size_t clen, const ASN1_OBJECT *ctype,
                            X509 *cert, EVP_PKEY *key, unsigned flags, size_t *len)
{
    return sign_with(content, clen, ctype, cert, key, NULL, flags, len);
}

uint8_t *ef_full_pop(const CMC_PKIDATA *pd, EVP_PKEY *key, size_t *len)
{
    size_t n = 0;
    uint8_t *body = ef_pkidata_der(pd, &n);
    uint8_t *der = body ? ef_sign_pop(body, n, cmc_oid_get0(CMC_OID_CCT_PKIDATA), key, len) : NULL;
    OPENSSL_free(body);
    return der;
}

uint8_t *ef_full_cert(const CMC_PKIDATA *pd, X509 *cert, EVP_PKEY *key, size_t *len)
{
    size_t n = 0;
    uint8_t *body = ef_pkidata_der(pd, &n);
    uint8_t *der =
        body ? ef_sign_cert(body, n, cmc_oid_get0(CMC_OID_CCT_PKIDATA), cert, key, len) : NULL;
    OPENSSL_free(body);
    return der;
}

uint8_t *ef_relabel(const uint8_t *der, size_t len, const ASN1_OBJECT *ctype, size_t *out_len)
{
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    uint8_t *out = NULL;

    if (cms != NULL && CMS_set1_eContentType(cms, ctype) == 1)
        out = cms_der(cms, out_len);
    CMS_ContentInfo_free(cms);
    return out;
}

uint8_t *ef_tamper_signature(const uint8_t *der, size_t len, size_t *out_len)
{
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    CMS_SignerInfo *si;
    ASN1_OCTET_STRING *sig;
    uint8_t *out = NULL;

    if (cms == NULL)
        return NULL;
    si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    if (si != NULL && (sig = CMS_SignerInfo_get0_signature(si)) != NULL && sig->length > 0) {
        /* the last byte of an ECDSA signature is inside s: the DER stays valid */
        sig->data[sig->length - 1] ^= 0x01;
        out = cms_der(cms, out_len);
    }
    CMS_ContentInfo_free(cms);
    return out;
}

uint8_t *ef_enveloped(X509 *rcpt, size_t *len)
{
    static const char msg[] = "not a PKIData";
    STACK_OF(X509) *rc = sk_X509_new_null();
    BIO *in = BIO_new_mem_buf(msg, sizeof(msg) - 1);
    CMS_ContentInfo *cms = NULL;
    uint8_t *der = NULL;

    if (rc != NULL && in != NULL && sk_X509_push(rc, rcpt)
        && (cms = CMS_encrypt(rc, in, EVP_aes_128_cbc(), CMS_BINARY)) != NULL)
        der = cms_der(cms, len);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    sk_X509_free(rc);
    return der;
}

uint8_t *ef_data_ci(size_t *len)
{
    static const char msg[] = "plain data";
    BIO *in = BIO_new_mem_buf(msg, sizeof(msg) - 1);
    CMS_ContentInfo *cms = in ? CMS_data_create(in, CMS_BINARY) : NULL;
    uint8_t *der = cms ? cms_der(cms, len) : NULL;

    CMS_ContentInfo_free(cms);
    BIO_free(in);
    return der;
}

/* ---- responses ----------------------------------------------------------------------- */

static int take_status(struct ef_resp *r, const ASN1_TYPE *v)
{
    CMC_STATUS_INFO_V2 *si;
    struct ef_status *s;

    if (r->n_st == EF_MAX_STATUS || v == NULL || ASN1_TYPE_get(v) != V_ASN1_SEQUENCE)
        return 0;
    si = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(CMC_STATUS_INFO_V2), v);
    if (si == NULL)
        return 0;
    s = &r->st[r->n_st++];
    memset(s, 0, sizeof(*s));
    s->status = (int)ASN1_INTEGER_get(si->cMCStatus);
    s->fail_info = -1;
    if (si->otherInfo != NULL && si->otherInfo->type == CMC_OTHER_STATUS_INFO_FAIL)
        s->fail_info = ASN1_INTEGER_get(si->otherInfo->value.failInfo);
    for (int i = 0; i < sk_CMC_BODY_PART_REFERENCE_num(si->bodyList) && s->n_ids < 16; i++) {
        const CMC_BODY_PART_REFERENCE *ref = sk_CMC_BODY_PART_REFERENCE_value(si->bodyList, i);
        uint32_t id = 0xFFFFFFFFu;
        if (ref->type == CMC_BODY_PART_REFERENCE_ID
            && cmc_body_part_id_get(ref->value.bodyPartID, &id) != CMC_OK)
            id = 0xFFFFFFFFu;
        s->ids[s->n_ids++] = id;
    }
    if (si->statusString != NULL)
        snprintf(s->text, sizeof(s->text), "%.*s", si->statusString->length,
                 (const char *)si->statusString->data);
    CMC_STATUS_INFO_V2_free(si);
    return 1;
}

static int take_octets(ASN1_OCTET_STRING **slot, const ASN1_TYPE *v)
{
    if (*slot != NULL || v == NULL || ASN1_TYPE_get(v) != V_ASN1_OCTET_STRING)
        return 0;
    return (*slot = ASN1_OCTET_STRING_dup(v->value.octet_string)) != NULL;
}

static int parse_pkiresponse(struct ef_resp *r, const uint8_t *der, size_t len)
{
    CMC_PKIRESPONSE *pr = NULL;
    int ok = 1;

    if (cmc_d2i_exact(ASN1_ITEM_rptr(CMC_PKIRESPONSE), der, len, (ASN1_VALUE **)&pr) != CMC_OK)
        return 0;
    for (int i = 0; ok && i < sk_CMC_TAGGED_ATTRIBUTE_num(pr->controlSequence); i++) {
        const CMC_TAGGED_ATTRIBUTE *a = sk_CMC_TAGGED_ATTRIBUTE_value(pr->controlSequence, i);
        const ASN1_TYPE *v;
        if (sk_ASN1_TYPE_num(a->attrValues) != 1) {
            ok = 0;
            break;
        }
        v = sk_ASN1_TYPE_value(a->attrValues, 0);
        switch (cmc_oid_control_num(a->attrType)) {
        case CMC_CTRL_STATUS_INFO_V2:
            ok = take_status(r, v);
            break;
        case CMC_CTRL_TRANSACTION_ID:
            ok = r->tid == NULL && ASN1_TYPE_get(v) == V_ASN1_INTEGER
                 && (r->tid = ASN1_INTEGER_dup(v->value.integer)) != NULL;
            break;
        case CMC_CTRL_SENDER_NONCE:
            ok = take_octets(&r->sender_nonce, v);
            break;
        case CMC_CTRL_RECIPIENT_NONCE:
            ok = take_octets(&r->recipient_nonce, v);
            break;
        case CMC_CTRL_DATA_RETURN:
            ok = r->n_data_return < 8 && take_octets(&r->data_return[r->n_data_return++], v);
            break;
        default:
            ok = 0; /* the engine sends nothing else today; a surprise fails the test */
            break;
        }
    }
    CMC_PKIRESPONSE_free(pr);
    return ok;
}

int ef_parse(const struct ef_fixture *f, const uint8_t *der, size_t len, struct ef_resp *r)
{
    CMS_ContentInfo *cms = NULL;
    X509_STORE *store = NULL;
    BIO *out = NULL;
    char *p;
    long n;
    int ok = 0;

    memset(r, 0, sizeof(*r));
    {
        const unsigned char *q = der;
        cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
        if (cms == NULL || q != der + len)
            goto out;
    }
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
        goto out;
    if ((r->certs = CMS_get1_certs(cms)) == NULL)
        r->certs = sk_X509_new_null();
    if (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) == 0) {
        /* certs-only: no signer, and no PKIResponse inside */
        r->certs_only = OBJ_obj2nid(CMS_get0_eContentType(cms)) == NID_pkcs7_data;
        ok = r->certs_only;
        goto out;
    }
    if (OBJ_cmp(CMS_get0_eContentType(cms), cmc_oid_get0(CMC_OID_CCT_PKIRESPONSE)) != 0)
        goto out;
    if ((store = X509_STORE_new()) == NULL || X509_STORE_add_cert(store, f->ca_cert) != 1
        || (out = BIO_new(BIO_s_mem())) == NULL)
        goto out;
    if (CMS_verify(cms, NULL, store, NULL, out, CMS_BINARY) != 1) {
        ERR_print_errors_fp(stderr);
        goto out;
    }
    n = BIO_get_mem_data(out, &p);
    ok = n > 0 && parse_pkiresponse(r, (const uint8_t *)p, (size_t)n);
out:
    BIO_free(out);
    X509_STORE_free(store);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return ok;
}

void ef_resp_free(struct ef_resp *r)
{
    ASN1_INTEGER_free(r->tid);
    ASN1_OCTET_STRING_free(r->sender_nonce);
    ASN1_OCTET_STRING_free(r->recipient_nonce);
    for (size_t i = 0; i < r->n_data_return; i++)
        ASN1_OCTET_STRING_free(r->data_return[i]);
    sk_X509_pop_free(r->certs, X509_free);
    memset(r, 0, sizeof(*r));
}

X509 *ef_find_cert(const struct ef_fixture *f, const struct ef_resp *r, EVP_PKEY *key)
{
    for (int i = 0; i < sk_X509_num(r->certs); i++) {
        X509 *x = sk_X509_value(r->certs, i);
        if (EVP_PKEY_eq(X509_get0_pubkey(x), key) == 1
            && X509_check_issued(f->ca_cert, x) == X509_V_OK
            && X509_verify(x, X509_get0_pubkey(f->ca_cert)) == 1)
            return x;
    }
    ERR_clear_error();
    return NULL;
}

int ef_run(struct ef_fixture *f, enum cmc_request_kind kind, const uint8_t *in, size_t len,
           struct ef_resp *r, char *content_type, size_t ct_len)
{
    struct cmc_server_answer ans;
    int ok;

    memset(r, 0, sizeof(*r));
    if (cmc_server_process(f->srv, kind, in, len, &ans) != CMC_OK)
        return 0;
    if (content_type != NULL)
        snprintf(content_type, ct_len, "%s", ans.content_type ? ans.content_type : "");
    ok = ans.http_status == 200 && ans.body != NULL && ef_parse(f, ans.body, ans.body_len, r);
    if (!ok)
        fprintf(stderr, "ef_run: http %d %s\n", ans.http_status, ans.reason);
    cmc_server_answer_clear(&ans);
    return ok;
}
