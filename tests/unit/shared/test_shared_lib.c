/* SPDX-License-Identifier: Apache-2.0 */
/* A program linked against libcmc.so only (no static module): it includes nothing but the
 * public headers <cmc/...> and OpenSSL's, and checks that the public API links, resolves
 * from the shared library and works: error names, OIDs, an ASN.1 decode/encode round trip,
 * the mem: store, and a Simple PKI Request enrolled in-process against the server engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cmc/asn1.h>
#include <cmc/client.h>
#include <cmc/error.h>
#include <cmc/print.h>
#include <cmc/server.h>
#include <cmc/store.h>

/* The symbol came from libcmc.so.*, not from a copy linked into this program. */
static void test_shared__symbols_resolve_from_libcmc(void **state)
{
    const void *fns[] = {(const void *)cmc_err_str, (const void *)cmc_server_process,
                         (const void *)d2i_CMC_PKIDATA, (const void *)cmc_client_enroll,
                         (const void *)cmc_store_open, (const void *)cmc_print_der};
    Dl_info info;

    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        memset(&info, 0, sizeof(info));
        assert_int_not_equal(dladdr(fns[i], &info), 0);
        assert_non_null(info.dli_fname);
        if (strstr(info.dli_fname, "libcmc.so") == NULL)
            fail_msg("function %zu resolved from %s", i, info.dli_fname);
    }
}

static void test_shared__error_and_oid_names(void **state)
{
    assert_string_equal(cmc_err_str(CMC_ERR_DECODE), "CMC_ERR_DECODE");
    assert_true(cmc_err_is_fatal(CMC_ERR_NOMEM));
    assert_false(cmc_err_is_fatal(CMC_ERR_DECODE));
    assert_string_equal(cmc_control_name(CMC_CTRL_TRANSACTION_ID), "transactionId");
    assert_int_equal(cmc_oid_control_num(cmc_oid_get0_control(CMC_CTRL_SENDER_NONCE)),
                     CMC_CTRL_SENDER_NONCE);
    assert_non_null(cmc_oid_get0(CMC_OID_CCT_PKIDATA));
}

/* BodyPartList {1, 7, 4294967295}: encode, decode exactly, same bytes again; a trailing
 * byte is refused. */
static void test_shared__body_part_list_round_trip(void **state)
{
    static const uint32_t ids[] = {1, 7, 4294967295u};
    CMC_BODY_PART_LIST *list = CMC_BODY_PART_LIST_new();
    ASN1_VALUE *back = NULL;
    unsigned char *der = NULL, *der2 = NULL, *longer;
    int n, n2;

    assert_non_null(list);
    for (size_t i = 0; i < 3; i++) {
        ASN1_INTEGER *a = cmc_body_part_id_new(ids[i]);
        assert_non_null(a);
        assert_true(sk_ASN1_INTEGER_push(list, a) > 0);
    }
    assert_true((n = i2d_CMC_BODY_PART_LIST(list, &der)) > 0);
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_BODY_PART_LIST), der, (size_t)n, &back),
                     CMC_OK);
    assert_int_equal(sk_ASN1_INTEGER_num((CMC_BODY_PART_LIST *)back), 3);
    for (int i = 0; i < 3; i++) {
        uint32_t v = 0;
        assert_int_equal(
            cmc_body_part_id_get(sk_ASN1_INTEGER_value((CMC_BODY_PART_LIST *)back, i), &v),
            CMC_OK);
        assert_int_equal(v, ids[i]);
    }
    assert_int_equal(n2 = i2d_CMC_BODY_PART_LIST((CMC_BODY_PART_LIST *)back, &der2), n);
    assert_memory_equal(der, der2, (size_t)n);

    longer = OPENSSL_malloc((size_t)n + 1);
    assert_non_null(longer);
    memcpy(longer, der, (size_t)n);
    longer[n] = 0;
    ASN1_item_free(back, ASN1_ITEM_rptr(CMC_BODY_PART_LIST));
    back = NULL;
    assert_int_equal(cmc_d2i_exact(ASN1_ITEM_rptr(CMC_BODY_PART_LIST), longer, (size_t)n + 1,
                                   &back),
                     CMC_ERR_DECODE);
    assert_null(back);
    OPENSSL_free(longer);
    OPENSSL_free(der);
    OPENSSL_free(der2);
    CMC_BODY_PART_LIST_free(list);
}

/* An empty PKIData through d2i/i2d/dup and the printer. */
static void test_shared__pkidata_and_print(void **state)
{
    CMC_PKIDATA *pd = CMC_PKIDATA_new(), *dup;
    unsigned char *der = NULL;
    const unsigned char *p;
    BIO *out = BIO_new(BIO_s_mem());
    char *text = NULL;
    int n;

    assert_non_null(pd);
    assert_non_null(out);
    assert_true((n = i2d_CMC_PKIDATA(pd, &der)) > 0);
    p = der;
    assert_non_null(dup = d2i_CMC_PKIDATA(NULL, &p, n));
    assert_ptr_equal(p, der + n);
    CMC_PKIDATA_free(dup);
    assert_non_null(dup = CMC_PKIDATA_dup(pd));
    CMC_PKIDATA_free(dup);
    assert_int_equal(cmc_print_der(out, der, (size_t)n, 0), CMC_OK);
    assert_true(BIO_get_mem_data(out, &text) > 0);
    BIO_free(out);
    OPENSSL_free(der);
    CMC_PKIDATA_free(pd);
}

static void test_shared__mem_store(void **state)
{
    static const uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    struct cmc_cert_record rec = {.serial_hex = "0A", .subject = "CN=x", .issuer = "CN=ca",
                                  .profile = "default", .der = der, .der_len = sizeof(der)};
    struct cmc_store *st = NULL;
    uint8_t *back = NULL;
    size_t len = 0;
    uint64_t count = 99;

    assert_int_equal(cmc_store_open(&st, "mem:"), CMC_OK);
    assert_int_equal(cmc_store_cert_count(st, &count), CMC_OK);
    assert_int_equal(count, 0);
    assert_int_equal(cmc_store_cert_put(st, &rec), CMC_OK);
    assert_int_equal(cmc_store_cert_put(st, &rec), CMC_ERR_STORE_DUP);
    assert_int_equal(cmc_store_cert_get_der(st, "0A", &back, &len), CMC_OK);
    assert_int_equal(len, sizeof(der));
    assert_memory_equal(back, der, sizeof(der));
    OPENSSL_free(back);
    cmc_store_free(st);
}

/* ---- an enrollment, client and server both through libcmc.so ---------------------------- */

struct pki {
    char dir[64];
    char cnf[128];
    EVP_PKEY *ca_key;
    X509 *ca_cert;
    struct cmc_server_ctx *srv;
};

/* A self-signed P-256 CA made with OpenSSL, its files and a cmcd.cnf (docs/configuration.md). */
static void pki_make(struct pki *k)
{
    char path[160];
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    FILE *fp;
    int fd;

    snprintf(k->dir, sizeof(k->dir), "/tmp/cmc-shared-XXXXXX");
    assert_non_null(mkdtemp(k->dir));
    assert_int_equal(cmc_client_keygen("ec:P-256", &k->ca_key), CMC_OK);
    assert_non_null(k->ca_cert = X509_new());
    assert_non_null(name);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                                (const unsigned char *)"shared test CA", -1,
                                                -1, 0),
                     1);
    assert_int_equal(X509_set_version(k->ca_cert, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(k->ca_cert), 1), 1);
    assert_int_equal(X509_set_subject_name(k->ca_cert, name), 1);
    assert_int_equal(X509_set_issuer_name(k->ca_cert, name), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(k->ca_cert), -3600));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(k->ca_cert), 86400));
    assert_int_equal(X509_set_pubkey(k->ca_cert, k->ca_key), 1);
    X509V3_set_ctx(&v3, k->ca_cert, k->ca_cert, NULL, NULL, 0);
    assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
                                              "critical,CA:TRUE"));
    assert_int_equal(X509_add_ext(k->ca_cert, ext, -1), 1);
    X509_EXTENSION_free(ext);
    assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
                                              "critical,digitalSignature,keyCertSign"));
    assert_int_equal(X509_add_ext(k->ca_cert, ext, -1), 1);
    X509_EXTENSION_free(ext);
    assert_true(X509_sign(k->ca_cert, k->ca_key, EVP_sha256()) > 0);
    X509_NAME_free(name);

    snprintf(path, sizeof(path), "%s/ca.key", k->dir);
    assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
    assert_non_null(fp = fdopen(fd, "w"));
    assert_int_equal(PEM_write_PrivateKey(fp, k->ca_key, NULL, NULL, 0, NULL, NULL), 1);
    assert_int_equal(fclose(fp), 0);
    snprintf(path, sizeof(path), "%s/ca.pem", k->dir);
    assert_non_null(fp = fopen(path, "w"));
    assert_int_equal(PEM_write_X509(fp, k->ca_cert), 1);
    assert_int_equal(fclose(fp), 0);
    snprintf(k->cnf, sizeof(k->cnf), "%s/cmcd.cnf", k->dir);
    assert_non_null(fp = fopen(k->cnf, "w"));
    fprintf(fp, "[cmcd]\nca_cert = ca.pem\nca_key = ca.key\ndatabase = mem:\nlog_level = error\n"
                "\n[profiles]\ndefault = profile_default\n"
                "\n[profile_default]\nauthorization = open\nvalidity_days = 1\n");
    assert_int_equal(fclose(fp), 0);
    if (cmc_server_ctx_new_from_config(&k->srv, k->cnf) != CMC_OK)
        fail_msg("server config: %s", cmc_error_get0_message());
}

static void pki_free(struct pki *k)
{
    const char *files[] = {"ca.key", "ca.pem", "cmcd.cnf"};
    char path[160];

    cmc_server_ctx_free(k->srv);
    EVP_PKEY_free(k->ca_key);
    X509_free(k->ca_cert);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", k->dir, files[i]);
        unlink(path);
    }
    rmdir(k->dir);
}

/* The transport of cmc_client_enroll_with: the server engine, in-process. */
static cmc_err post_to_engine(void *arg, const char *content_type, const uint8_t *body,
                              size_t len, uint8_t **resp, size_t *resp_len, long *http_status)
{
    struct pki *k = arg;
    struct cmc_server_answer ans;
    cmc_err rv;

    rv = cmc_server_process(k->srv,
                            strcmp(content_type, CMC_MEDIA_PKCS10) == 0 ? CMC_REQUEST_SIMPLE
                                                                        : CMC_REQUEST_FULL,
                            body, len, &ans);
    if (rv != CMC_OK)
        return rv;
    *http_status = ans.http_status;
    *resp = ans.body;
    *resp_len = ans.body_len;
    ans.body = NULL;
    cmc_server_answer_clear(&ans);
    return CMC_OK;
}

static void test_shared__enroll_in_process(void **state)
{
    struct pki k;
    EVP_PKEY *key = NULL;
    struct cmc_enroll_result *res = NULL;
    struct cmc_enroll_params p;

    memset(&k, 0, sizeof(k));
    pki_make(&k);
    assert_int_equal(cmc_client_keygen("ec:P-256", &key), CMC_OK);
    for (int full = 0; full <= 1; full++) {
        memset(&p, 0, sizeof(p));
        p.ca_cert = k.ca_cert;
        p.req.subject = "/CN=shared library client";
        p.req.key = key;
        p.req.full = full;
        if (cmc_client_enroll_with(&p, post_to_engine, &k, &res) != CMC_OK)
            fail_msg("enroll (full=%d): %s", full, cmc_error_get0_message());
        assert_non_null(res);
        assert_non_null(res->cert);
        assert_int_equal(res->full_response, full);
        assert_int_equal(X509_check_private_key(res->cert, key), 1);
        cmc_enroll_result_free(res);
        res = NULL;
    }
    EVP_PKEY_free(key);
    pki_free(&k);
}

/* cmc_client_enroll takes http:// and https:// URLs only (rfc5273bis §3), and says so
 * before building anything. */
static void test_shared__enroll_url_scheme(void **state)
{
    struct pki k;
    EVP_PKEY *key = NULL;
    struct cmc_enroll_result *res = NULL;
    struct cmc_enroll_params p;

    memset(&k, 0, sizeof(k));
    pki_make(&k);
    assert_int_equal(cmc_client_keygen("ec:P-256", &key), CMC_OK);
    memset(&p, 0, sizeof(p));
    p.ca_cert = k.ca_cert;
    p.req.subject = "/CN=scheme";
    p.req.key = key;
    p.timeout_s = 2;
    p.url = "ftp://127.0.0.1/cmc";
    assert_int_equal(cmc_client_enroll(&p, &res), CMC_ERR_USAGE);
    assert_non_null(strstr(cmc_error_get0_message(), "http:// or https://"));
    assert_null(res);
    p.url = "127.0.0.1:8080/cmc";
    assert_int_equal(cmc_client_enroll(&p, &res), CMC_ERR_USAGE);
    /* an accepted scheme (any case) reaches the network: nothing listens on port 1 */
    p.url = "HTTP://127.0.0.1:1/cmc";
    assert_int_equal(cmc_client_enroll(&p, &res), CMC_ERR_TRANSPORT);
    assert_null(res);
    EVP_PKEY_free(key);
    pki_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared__symbols_resolve_from_libcmc),
        cmocka_unit_test(test_shared__error_and_oid_names),
        cmocka_unit_test(test_shared__body_part_list_round_trip),
        cmocka_unit_test(test_shared__pkidata_and_print),
        cmocka_unit_test(test_shared__mem_store),
        cmocka_unit_test(test_shared__enroll_in_process),
        cmocka_unit_test(test_shared__enroll_url_scheme),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
