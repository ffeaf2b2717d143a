/* SPDX-License-Identifier: Apache-2.0 */
/* cmc_server_ctx_reload (cmcd's SIGHUP): a new configuration (limits, trust list) takes
 * effect for the requests that follow, a broken one is refused and the old one serves on,
 * and reloads while other threads process requests lose no request and no certificate (run
 * it under CMC_ASAN to see that no configuration is freed while a request uses it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "engine_fixture.h"

/* Replace the first @p from in the fixture's cmcd.cnf by @p to (written whole, renamed). */
static void cnf_replace(const struct ef_fixture *f, const char *from, const char *to)
{
    char tmp[160], buf[8192], out[8192];
    FILE *fp = fopen(f->cnf, "r");
    size_t n;
    char *at;

    assert_non_null(fp);
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    assert_non_null(at = strstr(buf, from));
    assert_true(n - strlen(from) + strlen(to) < sizeof(out));
    snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
    snprintf(tmp, sizeof(tmp), "%s.new", f->cnf);
    assert_non_null(fp = fopen(tmp, "w"));
    assert_int_equal(fputs(out, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(rename(tmp, f->cnf), 0);
}

static uint8_t *simple_request(const char *curve, const char *cn, size_t *len)
{
    EVP_PKEY *key = ef_key_ec(curve);
    X509_REQ *req;
    uint8_t *der;

    assert_non_null(key);
    assert_non_null(req = ef_p10(key, cn));
    assert_non_null(der = ef_p10_der(req, len));
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    return der;
}

static int answer_status(struct ef_fixture *f, const uint8_t *der, size_t len)
{
    struct cmc_server_answer ans;
    int st;

    assert_int_equal(cmc_server_process(f->srv, CMC_REQUEST_SIMPLE, der, len, &ans), CMC_OK);
    st = ans.http_status;
    cmc_server_answer_clear(&ans);
    return st;
}

/* A limit changed in the file applies to the next request; changed back, likewise. */
static void test_reload__new_limit_applies(void **state)
{
    struct ef_fixture *f = *state;
    size_t len = 0;
    uint8_t *der = simple_request("P-384", "reload limit", &len);

    assert_true(len > 256); /* the smallest max_body */
    assert_int_equal(answer_status(f, der, len), 200);
    cnf_replace(f, "max_body = 20000", "max_body = 256");
    assert_int_equal(cmc_server_ctx_reload(f->srv), CMC_OK);
    assert_int_equal(cmc_server_ctx_get_max_body(f->srv), 256);
    assert_int_equal(answer_status(f, der, len), 413);
    cnf_replace(f, "max_body = 256", "max_body = 20000");
    assert_int_equal(cmc_server_ctx_reload(f->srv), CMC_OK);
    assert_int_equal(answer_status(f, der, len), 200);
    OPENSSL_free(der);
}

/* A broken file changes nothing and says why, naming the key. */
static void test_reload__broken_file_keeps_the_old_one(void **state)
{
    struct ef_fixture *f = *state;
    size_t len = 0;
    uint8_t *der = simple_request("P-256", "reload broken", &len);

    cnf_replace(f, "validity_days = 30", "validity_days = thirty");
    assert_int_equal(cmc_server_ctx_reload(f->srv), CMC_ERR_CONFIG);
    assert_non_null(strstr(cmc_error_get0_message(), "validity_days"));
    assert_int_equal(cmc_server_ctx_get_max_body(f->srv), 20000);
    assert_int_equal(answer_status(f, der, len), 200);
    cnf_replace(f, "validity_days = thirty", "validity_days = 30");
    assert_int_equal(cmc_server_ctx_reload(f->srv), CMC_OK);
    assert_int_equal(answer_status(f, der, len), 200);
    OPENSSL_free(der);
}

/* The signer trust list is reloaded too: an operator trusted before is not after its CA
 * left the list (and the other way round). */
static int operator_issued(struct ef_fixture *f)
{
    EVP_PKEY *key = ef_key_ec("P-256");
    X509_REQ *req = ef_p10(key, "reload operator");
    CMC_PKIDATA *pd = ef_pkidata_new();
    struct ef_resp r;
    char ct[96];
    size_t len = 0;
    uint8_t *der;
    int issued;

    assert_true(key != NULL && req != NULL && pd != NULL);
    assert_true(ef_add_tcr(pd, 1, req));
    assert_true(ef_add_profile(pd, 2, "signed_only"));
    assert_non_null(der = ef_full_cert(pd, f->op_cert, f->op_key, &len));
    assert_true(ef_run(f, CMC_REQUEST_FULL, der, len, &r, ct, sizeof(ct)));
    issued = ef_find_cert(f, &r, key) != NULL;
    ef_resp_free(&r);
    OPENSSL_free(der);
    CMC_PKIDATA_free(pd);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    return issued;
}

static void test_reload__trust_list(void **state)
{
    struct ef_fixture *f = *state;
    char path[160];
    FILE *fp;

    assert_true(operator_issued(f));
    /* a trust list holding only an unrelated certificate (the issuing CA's) */
    snprintf(path, sizeof(path), "%s/other-trust.pem", f->dir);
    assert_non_null(fp = fopen(path, "w"));
    assert_int_equal(PEM_write_X509(fp, f->ca_cert), 1);
    assert_int_equal(fclose(fp), 0);
    cnf_replace(f, "signer_trust = trust.pem", "signer_trust = other-trust.pem");
    assert_int_equal(cmc_server_ctx_reload(f->srv), CMC_OK);
    assert_false(operator_issued(f));
    cnf_replace(f, "signer_trust = other-trust.pem", "signer_trust = trust.pem");
    assert_int_equal(cmc_server_ctx_reload(f->srv), CMC_OK);
    assert_true(operator_issued(f));
}

struct worker {
    struct ef_fixture *f;
    const uint8_t *der;
    size_t len;
    atomic_int *stop;
    long ok, bad;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    while (!atomic_load(w->stop)) {
        struct cmc_server_answer ans;

        if (cmc_server_process(w->f->srv, CMC_REQUEST_SIMPLE, w->der, w->len, &ans) == CMC_OK
            && ans.http_status == 200)
            w->ok++;
        else
            w->bad++;
        cmc_server_answer_clear(&ans);
    }
    return NULL;
}

/* Reloads while four threads issue: every request answered 200, every certificate stored. */
static void test_reload__concurrent_requests(void **state)
{
    struct ef_fixture *f = *state;
    struct worker w[4];
    pthread_t th[4];
    atomic_int stop;
    size_t len = 0;
    uint8_t *der = simple_request("P-256", "reload concurrent", &len);
    long before = ef_store_count(f), ok = 0;

    atomic_init(&stop, 0);
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){.f = f, .der = der, .len = len, .stop = &stop};
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 30; i++) {
        cnf_replace(f, i % 2 == 0 ? "validity_days = 30" : "validity_days = 31",
                    i % 2 == 0 ? "validity_days = 31" : "validity_days = 30");
        assert_int_equal(cmc_server_ctx_reload(f->srv), CMC_OK);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].bad, 0);
        ok += w[i].ok;
    }
    assert_true(ok > 0);
    assert_int_equal(ef_store_count(f), before + ok);
    OPENSSL_free(der);
}

int main(void)
{
#define TS(fn) cmocka_unit_test_setup_teardown(fn, ef_state_setup_sqlite, ef_state_teardown)
    const struct CMUnitTest tests[] = {
        TS(test_reload__new_limit_applies),
        TS(test_reload__broken_file_keeps_the_old_one),
        TS(test_reload__trust_list),
        TS(test_reload__concurrent_requests),
    };

    return cmocka_run_group_tests_name("engine_reload", tests, NULL, NULL);
}
