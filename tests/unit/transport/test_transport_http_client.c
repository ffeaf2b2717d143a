/* SPDX-License-Identifier: Apache-2.0 */
/* Tests for src/transport/transport_http_client.c against a loopback test server: answers,
 * the response cap, and what "no answer" looks like. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "transport/transport_http.h"
#include "transport/transport_http_client.h"

#define RESP_CT "application/pkcs7-mime; smime-type=CMC-response"
#define REQ_CT "application/pkcs7-mime; smime-type=CMC-Request"

static struct cmc_http_server *srv;
static char url[128];

/* Answers the body twice over, so a response can be made larger than a request; "SLOW"
 * stalls for 3 s, longer than the client timeout used below. */
static void double_handler(void *arg, const struct cmc_http_request *req,
                           struct cmc_http_response *resp)
{
    if (req->body_len == 4 && memcmp(req->body, "SLOW", 4) == 0)
        sleep(3);
    resp->body = OPENSSL_malloc(req->body_len * 2);
    if (resp->body == NULL) {
        resp->status = 500;
        return;
    }
    memcpy(resp->body, req->body, req->body_len);
    memcpy(resp->body + req->body_len, req->body, req->body_len);
    resp->body_len = req->body_len * 2;
    resp->content_type = RESP_CT;
    resp->status = 200;
}

static int group_setup(void **state)
{
    struct cmc_http_server_config cfg = {
        .host = "127.0.0.1", .threads = 2, .max_body = 4096, .conn_timeout_s = 5,
        .max_connections = 16, .path_prefix = "/cmc"};

    if (cmci_http_server_start(&srv, &cfg, double_handler, NULL) != CMC_OK)
        return -1;
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/cmc", cmci_http_server_port(srv));
    return 0;
}

static int group_teardown(void **state)
{
    cmci_http_server_stop(srv);
    return 0;
}

static void test_http_post__answer_returned(void **state)
{
    struct cmci_http_result res;

    assert_int_equal(cmci_http_post(url, REQ_CT, (const uint8_t *)"abc", 3, 1024, 5, NULL, &res),
                     CMC_OK);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.content_type, RESP_CT);
    assert_int_equal(res.body_len, 6);
    assert_memory_equal(res.body, "abcabc", 6);
    cmci_http_result_clear(&res);
    assert_null(res.body);
    assert_null(res.content_type);
    cmci_http_result_clear(NULL);
}

static void test_http_post__large_body_within_caps(void **state)
{
    static uint8_t body[4096];
    struct cmci_http_result res;

    memset(body, 0x30, sizeof(body));
    /* over 1 KiB, so curl asks "Expect: 100-continue" and the server must grant it */
    assert_int_equal(cmci_http_post(url, "application/pkcs10", body, sizeof(body), 8192, 5, NULL,
                                    &res),
                     CMC_OK);
    assert_int_equal(res.status, 200);
    assert_int_equal(res.body_len, 8192);
    cmci_http_result_clear(&res);
}

static void test_http_post__transport_status_is_not_an_error(void **state)
{
    struct cmci_http_result res;

    assert_int_equal(cmci_http_post(url, "text/plain", (const uint8_t *)"abc", 3, 1024, 5, NULL,
                                    &res),
                     CMC_OK);
    assert_int_equal(res.status, 415);
    assert_non_null(res.content_type);
    assert_non_null(strstr(res.content_type, "text/plain"));
    assert_true(res.body_len > 0);
    assert_int_equal(res.body[res.body_len - 1], '\n');
    cmci_http_result_clear(&res);
}

static void test_http_post__response_over_cap_is_limit(void **state)
{
    struct cmci_http_result res;

    assert_int_equal(cmci_http_post(url, REQ_CT, (const uint8_t *)"0123456789", 10, 19, 5, NULL,
                                    &res),
                     CMC_ERR_LIMIT);
    assert_null(res.body);
    assert_null(res.content_type);
    /* exactly the cap is fine */
    assert_int_equal(cmci_http_post(url, REQ_CT, (const uint8_t *)"0123456789", 10, 20, 5, NULL,
                                    &res),
                     CMC_OK);
    cmci_http_result_clear(&res);
}

static void test_http_post__closed_port_is_transport_error(void **state)
{
    struct sockaddr_in sa;
    socklen_t salen = sizeof(sa);
    struct cmci_http_result res;
    char dead[128];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    /* a port bound but not listening refuses connections, and stays ours meanwhile */
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
    snprintf(dead, sizeof(dead), "http://127.0.0.1:%u/cmc", (unsigned)ntohs(sa.sin_port));

    assert_int_equal(cmci_http_post(dead, REQ_CT, (const uint8_t *)"x", 1, 1024, 5, NULL, &res),
                     CMC_ERR_TRANSPORT);
    assert_int_equal(cmc_error_get_code(), CMC_ERR_TRANSPORT);
    assert_non_null(strstr(cmc_error_get0_message(), dead));
    assert_null(res.body);
    close(fd);
}

static void test_http_post__timeout_is_transport_error(void **state)
{
    struct cmci_http_result res;

    assert_int_equal(cmci_http_post(url, REQ_CT, (const uint8_t *)"SLOW", 4, 1024, 1, NULL, &res),
                     CMC_ERR_TRANSPORT);
    assert_non_null(strstr(cmc_error_get0_message(), url));
}

static void test_http_post__bad_arguments_are_usage_errors(void **state)
{
    struct cmci_http_result res;

    assert_int_equal(cmci_http_post(NULL, REQ_CT, (const uint8_t *)"x", 1, 10, 1, NULL, &res),
                     CMC_ERR_USAGE);
    assert_int_equal(cmci_http_post(url, NULL, (const uint8_t *)"x", 1, 10, 1, NULL, &res),
                     CMC_ERR_USAGE);
    assert_int_equal(cmci_http_post(url, "a\r\nX-Injected: 1", (const uint8_t *)"x", 1, 10, 1, NULL,
                                    &res),
                     CMC_ERR_USAGE);
    assert_int_equal(cmci_http_post(url, REQ_CT, NULL, 1, 10, 1, NULL, &res), CMC_ERR_USAGE);
    assert_int_equal(cmci_http_post(url, REQ_CT, (const uint8_t *)"x", 1, 10, 1, NULL, NULL),
                     CMC_ERR_USAGE);
    assert_int_equal(cmci_http_post("ftp://127.0.0.1/x", REQ_CT, (const uint8_t *)"x", 1, 10,
                                    1, NULL, &res),
                     CMC_ERR_TRANSPORT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_post__answer_returned),
        cmocka_unit_test(test_http_post__large_body_within_caps),
        cmocka_unit_test(test_http_post__transport_status_is_not_an_error),
        cmocka_unit_test(test_http_post__response_over_cap_is_limit),
        cmocka_unit_test(test_http_post__closed_port_is_transport_error),
        cmocka_unit_test(test_http_post__timeout_is_transport_error),
        cmocka_unit_test(test_http_post__bad_arguments_are_usage_errors),
    };

    return cmocka_run_group_tests_name("transport_http_client", tests, group_setup,
                                       group_teardown);
}
