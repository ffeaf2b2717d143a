/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the whole server engine: cmc_server_process (src/engine/engine*.c, with
 * the CA and store behind it) fed each input as a Full and as a Simple PKI Request.
 *
 * Functions exercised: cmc_server_process, and through it open_pkidata, check_structure,
 * check_nesting, cmci_verify_wrapper, cmci_controls_process, cmci_requests_process,
 * cmci_process_simple, cmci_ca_issue, cmci_response_full/simple.
 *
 * Oracle, beyond "no crash, no leak": the engine never returns an error for peer input;
 * the answer is 200, 400 or 413 (never 500: the CA can always sign and the mem: store
 * cannot fail); and every 200 answer parses and its signature verifies against the CA
 * certificate (ef_parse).
 *
 * Determinism: the server context is built once, on the first input, by the engine test
 * fixture with keys derived from fixed labels (ef_setup_fixed), so seeds signed by the
 * fixture's operator verify in every run. Serial numbers, nonces and ECDSA signatures still
 * come from OpenSSL's RNG and validity from the clock; no branch of the engine depends on
 * those values. */
#include "fuzz.h"

#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <cmc/server.h>

#include "engine_fixture.h"

/* The mem: store keeps every issued certificate; start over before it grows large. */
#define FUZZ_ENGINE_MAX_STORED 5000

static struct ef_fixture fx;
static int fx_ready;

static void fx_free(void)
{
    if (fx_ready)
        ef_teardown(&fx);
    fx_ready = 0;
}

static void run_one(enum cmc_request_kind kind, const uint8_t *data, size_t size)
{
    struct cmc_server_answer ans;
    struct ef_resp r;

    if (cmc_server_process(fx.srv, kind, data, size, &ans) != CMC_OK)
        __builtin_trap();
    switch (ans.http_status) {
    case 200:
        if (ans.body == NULL || ans.content_type == NULL
            || !ef_parse(&fx, ans.body, ans.body_len, &r))
            __builtin_trap();
        ef_resp_free(&r);
        break;
    case 400:
    case 413:
        if (ans.body != NULL || ans.reason[0] == '\0')
            __builtin_trap();
        break;
    default:
        __builtin_trap();
    }
    cmc_server_answer_clear(&ans);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fx_ready) {
        if (!ef_setup_fixed(&fx))
            __builtin_trap();
        fx_ready = 1;
        atexit(fx_free);
    }
    run_one(CMC_REQUEST_FULL, data, size);
    run_one(CMC_REQUEST_SIMPLE, data, size);
    if (ef_store_count(&fx) > FUZZ_ENGINE_MAX_STORED) {
        cmc_server_ctx_free(fx.srv);
        fx.srv = NULL;
        if (cmc_server_ctx_new_from_config(&fx.srv, fx.cnf) != CMC_OK)
            __builtin_trap();
    }
    ERR_clear_error();
    cmc_error_clear();
    return 0;
}
