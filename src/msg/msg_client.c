/* SPDX-License-Identifier: Apache-2.0 */
/* One enrollment round trip over a caller-supplied transport: build, post, check, read. */
#include "msg/msg_local.h"

#include <openssl/crypto.h>

cmc_err cmc_client_enroll_with(const struct cmc_enroll_params *p, cmc_client_post_cb post,
                               void *post_arg, struct cmc_enroll_result **out)
{
    struct cmc_client_req *req = NULL;
    uint8_t *resp = NULL;
    size_t resp_len = 0;
    long http_status = 0;
    const uint8_t *der;
    size_t der_len;
    cmc_err rv;

    CMC_ENSURE_REF(out);
    *out = NULL;
    CMC_ENSURE_REF(p);
    CMC_ENSURE_REF(post);
    CMC_ENSURE(p->ca_cert != NULL, CMC_ERR_USAGE, "the CA certificate is required");

    if ((rv = cmc_client_req_new(&p->req, &req)) != CMC_OK)
        goto err;
    der = cmc_client_req_get0_der(req, &der_len);
    if ((rv = post(post_arg, cmc_client_req_get0_content_type(req), der, der_len, &resp,
                   &resp_len, &http_status)) != CMC_OK)
        goto err;
    rv = cmc_client_parse_response(req, p->ca_cert, resp, resp_len, out);
    if (*out != NULL)
        (*out)->http_status = http_status;
err:
    OPENSSL_free(resp);
    cmc_client_req_free(req);
    return rv;
}
