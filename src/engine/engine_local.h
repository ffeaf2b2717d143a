/* SPDX-License-Identifier: Apache-2.0 */
/* The server engine's per-request state and internal interfaces (no I/O anywhere here). */
#ifndef CMC_ENGINE_LOCAL_H
#define CMC_ENGINE_LOCAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/cms.h>

#include <cmc/server.h>

#include "asn1/asn1_local.h"
#include "ca/ca_local.h"
#include "core/core_error.h"

/* What one request works with: the configuration it took when it started and the shared
 * key pool. A reload never changes a view under a running request (engine.c). */
struct cmci_view {
    struct cmci_ca *ca;
    struct cmci_key_pool *keys;
};

/*
 * The server. The configuration is swapped on reload while requests run, RCU-like with two
 * slots (engine.c, snapshot_take): the current one is slot[gen & 1]; readers[i] counts
 * the requests using slot[i]. A reload fills the other slot, bumps gen, then waits for the
 * old slot's readers to finish before freeing it. A request pays one atomic increment and
 * one decrement.
 */
struct cmc_server_ctx {
    struct cmci_key_pool *keys;   /* request keys, reused (cmci_spki_lease_pkey) */
    struct cmc_store *store;      /* owned; every configuration borrows it */
    char *config_path;
    _Atomic(struct cmci_ca *) slot[2];
    atomic_ulong gen;
    atomic_ulong readers[2];
    pthread_mutex_t reload_lock;  /* one reload at a time */
};

/* How the SignedData wrapper of a Full PKI Request was signed (rfc5272bis §3.2.1). */
enum cmci_signer {
    CMCI_SIGNER_NONE = 0,    /* Simple PKI Request: no wrapper */
    CMCI_SIGNER_POP_KEY = 1, /* by the key being certified, sid = subjectKeyIdentifier */
    CMCI_SIGNER_TRUSTED = 2  /* by a certificate chaining to signer_trust */
};

/* One CMCStatusInfoV2 the response will carry. */
#define CMCI_STATUS_MAX_IDS 16
struct cmci_status {
    int status;          /* enum cmc_status */
    long fail_info;      /* enum cmc_fail_info, or -1 */
    uint32_t ids[CMCI_STATUS_MAX_IDS];
    size_t n_ids;
    char text[200];
};

/* The most dataReturn controls (rfc5272bis §6.4) one response echoes; more is badRequest. */
#define CMCI_MAX_DATA_RETURN 8
/* SignerInfos in a Full PKI Request's SignedData (engine_signer.c: each one digests the eContent) */
#define CMCI_MAX_SIGNER_INFOS 4

/* Everything one request creates; cmci_txn_free releases it all (STYLE 3.4). */
struct cmci_txn {
    const struct cmci_view *srv;
    enum cmc_request_kind kind;
    CMS_ContentInfo *cms;       /* owned: the Full PKI Request wrapper */
    CMC_PKIDATA *pkidata;       /* owned */
    CMC_P10 *simple;            /* owned: the Simple PKI Request */
    enum cmci_signer signer;
    /* borrowed from pkidata: what the response echoes */
    const ASN1_INTEGER *transaction_id;
    const ASN1_OCTET_STRING *sender_nonce;
    const ASN1_OCTET_STRING *data_return[CMCI_MAX_DATA_RETURN];
    size_t n_data_return;
    const struct cmci_profile *profile;
    struct cmci_status *statuses;
    size_t n_statuses, cap_statuses;
    struct cmci_blob issued[64]; /* owned: the issued certificates, DER, parallel to issued_ids */
    uint32_t issued_ids[64];
    size_t n_issued_ids;
    int skip_requests;          /* a control failed: cert requests are not processed */
    char skip_reason[160];
};

/* from engine_status.c: recording statuses and mapping errors to CMCFailInfo */
/* Map an error code to a CMCStatus and CMCFailInfo (-1 for none). One table, one place. */
void cmci_failinfo_map(cmc_err code, int *status, long *fail_info);
/* Add a status for body parts; a failure code is mapped through cmci_failinfo_map. */
cmc_err cmci_txn_status(struct cmci_txn *t, cmc_err code, const uint32_t *ids, size_t n_ids,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6))) CMC_WUR;
/* The current error record's message without its source location, for statusString. */
const char *cmci_error_public_text(char *buf, size_t len);

/* from engine_controls.c: the one table of controls */
/* Recognise and run every control of the PKIData. Unrecognised controls fail the whole
 * PKIData (rfc5272bis §3.2.1.2); returns CMC_OK when requests may go on. */
cmc_err cmci_controls_process(struct cmci_txn *t) CMC_WUR;
/* Take from t->pkidata what every answer echoes (transactionId, senderNonce as
 * recipientNonce, dataReturn; rfc5272bis §6.4, §6.6), borrowed into t. For any PKIData that
 * decoded, also when the message fails as a whole (docs/conformance.md). */
void cmci_controls_echo(struct cmci_txn *t);

/* from engine_signer.c */
/* Verify the SignedData wrapper of a Full PKI Request and set t->signer. */
cmc_err cmci_verify_wrapper(struct cmci_txn *t) CMC_WUR;
/* A request signed by certificates (t->signer == CMCI_SIGNER_TRUSTED): may its signers act
 * as operator or RA for profile @p p (signer_eku)? CMC_ERR_NOT_AUTHORIZED when not;
 * CMC_OK for any other kind of signer. */
cmc_err cmci_signer_authorise(const struct cmci_txn *t, const struct cmci_profile *p) CMC_WUR;

/* from engine_request.c */
/* CMC_OK, or the error that kept a body part's status from being recorded. */
cmc_err cmci_requests_process(struct cmci_txn *t) CMC_WUR;
cmc_err cmci_process_simple(struct cmci_txn *t);

/* from engine_log.c: the event lines of cmcd's log (never a secret) */
/* One info line per issued certificate: serial, subject, profile, request kind, body part
 * and who authorised it (t->signer). */
void cmci_log_issued(const struct cmci_txn *t, const struct cmci_profile *p, uint32_t id,
                     const struct cmci_issued_note *note);
/* One info line for a request with any failed status: the first one's body parts,
 * status, failInfo and statusString, and how many more failed; debug logs every one. */
void cmci_log_refused(const struct cmci_txn *t);

/* from engine_response.c */
cmc_err cmci_response_simple(struct cmci_txn *t, uint8_t **der, size_t *len) CMC_WUR;
cmc_err cmci_response_full(struct cmci_txn *t, uint8_t **der, size_t *len) CMC_WUR;

#endif
