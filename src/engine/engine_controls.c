/* SPDX-License-Identifier: Apache-2.0 */
/* The one control table: id-cmc number -> {name, kind, handler}. A reader finds how any
 * control is treated here, in one hop. rfc5272bis §6 defines the controls. */
#include "engine/engine_local.h"

#include <string.h>

/*
 * How a control found in PKIData.controlSequence is treated.
 * HANDLE:       processed by the handler.
 * UNSUPPORTED:  recognised; this server does not implement it yet. It gets a noSupport
 *               status and the certification requests of the PKIData are not processed,
 *               because issuing while ignoring e.g. an identity proof or an RA's template
 *               change would issue something the requester did not ask for.
 * RESPONSE_ONLY:a control the draft allows only in a PKIResponse: badRequest.
 * IN_REQUEST:   an attribute that belongs inside a PKCS #10 or CRMF request, not in the
 *               controlSequence: badRequest.
 */
enum ctl_kind { CTL_HANDLE, CTL_UNSUPPORTED, CTL_RESPONSE_ONLY, CTL_IN_REQUEST };

typedef cmc_err (*ctl_handler)(struct cmci_txn *t, uint32_t bpid, const ASN1_TYPE *v);

struct ctl_def {
    int num;
    enum ctl_kind kind;
    ctl_handler handler;
};

static cmc_err want_type(const ASN1_TYPE *v, int type, const char *what)
{
    CMC_ENSURE(v != NULL && ASN1_TYPE_get(v) == type, CMC_ERR_BAD_REQUEST,
               "%s value has the wrong ASN.1 type", what);
    return CMC_OK;
}

/*
 * What a response echoes: transactionId (rfc5272bis §6.6), the requester's senderNonce,
 * returned as recipientNonce (§6.6), and every dataReturn (§6.4, "MUST be returned"). The
 * rules for what counts are here, once, and used both by cmci_controls_echo and by the
 * handlers below, so an answer echoes the same values whatever else is wrong with the
 * request: a control with exactly one value of the right type (a senderNonce of 1 to 64
 * octets), the first of each kind, at most 8 dataReturns.
 */
static int echo_tid_ok(const ASN1_TYPE *v)
{
    return v != NULL && ASN1_TYPE_get(v) == V_ASN1_INTEGER;
}

static int echo_nonce_ok(const ASN1_TYPE *v)
{
    return v != NULL && ASN1_TYPE_get(v) == V_ASN1_OCTET_STRING
           && v->value.octet_string->length > 0 && v->value.octet_string->length <= 64;
}

static int echo_data_return_ok(const ASN1_TYPE *v)
{
    return v != NULL && ASN1_TYPE_get(v) == V_ASN1_OCTET_STRING;
}

void cmci_controls_echo(struct cmci_txn *t)
{
    STACK_OF(CMC_TAGGED_ATTRIBUTE) *cs = t->pkidata->controlSequence;

    t->transaction_id = NULL;
    t->sender_nonce = NULL;
    t->n_data_return = 0;
    for (int i = 0; i < sk_CMC_TAGGED_ATTRIBUTE_num(cs); i++) {
        const CMC_TAGGED_ATTRIBUTE *a = sk_CMC_TAGGED_ATTRIBUTE_value(cs, i);
        const ASN1_TYPE *v;

        if (sk_ASN1_TYPE_num(a->attrValues) != 1)
            continue;
        v = sk_ASN1_TYPE_value(a->attrValues, 0);
        switch (cmc_oid_control_num(a->attrType)) {
        case CMC_CTRL_TRANSACTION_ID:
            if (t->transaction_id == NULL && echo_tid_ok(v))
                t->transaction_id = v->value.integer;
            break;
        case CMC_CTRL_SENDER_NONCE:
            if (t->sender_nonce == NULL && echo_nonce_ok(v))
                t->sender_nonce = v->value.octet_string;
            break;
        case CMC_CTRL_DATA_RETURN:
            if (t->n_data_return < CMCI_MAX_DATA_RETURN && echo_data_return_ok(v))
                t->data_return[t->n_data_return++] = v->value.octet_string;
            break;
        default:
            break;
        }
    }
}

/* rfc5272bis §6.6: transactionId INTEGER, echoed in the response (cmci_controls_echo took
 * the first good one; any other is a second transactionId). */
static cmc_err h_transaction_id(struct cmci_txn *t, uint32_t bpid, const ASN1_TYPE *v)
{
    CMC_GUARD(want_type(v, V_ASN1_INTEGER, "transactionId"));
    CMC_ENSURE(t->transaction_id == v->value.integer, CMC_ERR_BAD_REQUEST,
               "more than one transactionId");
    return CMC_OK;
}

/* rfc5272bis §6.6: senderNonce comes back as our recipientNonce. */
static cmc_err h_sender_nonce(struct cmci_txn *t, uint32_t bpid, const ASN1_TYPE *v)
{
    CMC_GUARD(want_type(v, V_ASN1_OCTET_STRING, "senderNonce"));
    CMC_ENSURE(echo_nonce_ok(v), CMC_ERR_BAD_REQUEST, "senderNonce must be 1 to 64 octets");
    CMC_ENSURE(t->sender_nonce == v->value.octet_string, CMC_ERR_BAD_REQUEST,
               "more than one senderNonce");
    return CMC_OK;
}

/* rfc5272bis §6.6: recipientNonce echoes a senderNonce this server sent earlier in the same
 * transaction. This server answers every enrollment in one round trip and keeps no
 * transaction state yet, so no server nonce is outstanding to compare it with; the value
 * is syntax-checked and accepted. Multi-round flows (pending, confirm) will check it. */
static cmc_err h_recipient_nonce(struct cmci_txn *t, uint32_t bpid, const ASN1_TYPE *v)
{
    return want_type(v, V_ASN1_OCTET_STRING, "recipientNonce");
}

/* rfc5272bis §6.4: dataReturn is opaque and MUST be echoed (cmci_controls_echo kept it,
 * unless there were more than this server echoes). */
static cmc_err h_data_return(struct cmci_txn *t, uint32_t bpid, const ASN1_TYPE *v)
{
    CMC_GUARD(want_type(v, V_ASN1_OCTET_STRING, "dataReturn"));
    for (size_t i = 0; i < t->n_data_return; i++)
        if (t->data_return[i] == v->value.octet_string)
            return CMC_OK;
    CMC_BAIL(CMC_ERR_BAD_REQUEST, "too many dataReturn controls: this server echoes at most %d",
             CMCI_MAX_DATA_RETURN);
}

/* One "profile=NAME" statement of a regInfo. The profile must be unambiguous: an empty
 * name or one with a NUL byte (which would otherwise compare equal to the part before it)
 * is badRequest, and so is a second statement, in this or another regInfo control, that
 * names a different profile -- "last one wins" would let whoever appends to a request
 * change its profile. Naming the same profile again changes nothing and is accepted. */
static cmc_err reg_info_profile(struct cmci_txn *t, const char *v, size_t n)
{
    const struct cmci_profile *p;
    char name[64];

    CMC_ENSURE(n > 0, CMC_ERR_BAD_REQUEST, "empty profile name");
    CMC_ENSURE(memchr(v, '\0', n) == NULL, CMC_ERR_BAD_REQUEST,
               "the profile name contains a NUL byte");
    CMC_ENSURE(n < sizeof(name), CMC_ERR_BAD_REQUEST, "profile name too long");
    memcpy(name, v, n);
    name[n] = '\0';
    if ((p = cmci_ca_get0_profile(t->srv->ca, name)) == NULL) {
        /* names are printable; anything else is not echoed back */
        for (size_t i = 0; i < n; i++)
            if (name[i] < 0x20 || name[i] > 0x7e)
                name[i] = '?';
        CMC_BAIL(CMC_ERR_UNKNOWN_PROFILE, "unknown profile \"%s\"", name);
    }
    CMC_ENSURE(t->profile == NULL || t->profile == p, CMC_ERR_BAD_REQUEST,
               "conflicting profile names \"%s\" and \"%s\"", t->profile->name, p->name);
    t->profile = p;
    return CMC_OK;
}

/* rfc5272bis §6.12: regInfo is bilateral. Ours: UTF-8 "key=value" pairs separated by '&'
 * or newlines; "profile" names the certificate profile (reg_info_profile). Other keys are
 * left to later features and do not change issuance. */
static cmc_err h_reg_info(struct cmci_txn *t, uint32_t bpid, const ASN1_TYPE *v)
{
    const ASN1_OCTET_STRING *os;
    const char *p, *end;

    CMC_GUARD(want_type(v, V_ASN1_OCTET_STRING, "regInfo"));
    os = v->value.octet_string;
    p = (const char *)os->data;
    end = p + os->length;
    while (p < end) {
        const char *e = p, *eq;
        while (e < end && *e != '&' && *e != '\n')
            e++;
        eq = memchr(p, '=', (size_t)(e - p));
        /* "profile" with or without '=': both name the profile, an absent value is empty */
        if ((size_t)((eq ? eq : e) - p) == 7 && memcmp(p, "profile", 7) == 0)
            CMC_GUARD(reg_info_profile(t, eq ? eq + 1 : e, eq ? (size_t)(e - eq - 1) : 0));
        p = e + 1;
    }
    return CMC_OK;
}

static const struct ctl_def table[] = {
    {CMC_CTRL_STATUS_INFO, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_IDENTIFICATION, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_IDENTITY_PROOF, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_DATA_RETURN, CTL_HANDLE, h_data_return},
    {CMC_CTRL_TRANSACTION_ID, CTL_HANDLE, h_transaction_id},
    {CMC_CTRL_SENDER_NONCE, CTL_HANDLE, h_sender_nonce},
    {CMC_CTRL_RECIPIENT_NONCE, CTL_HANDLE, h_recipient_nonce},
    {CMC_CTRL_ADD_EXTENSIONS, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_ENCRYPTED_POP, CTL_RESPONSE_ONLY, NULL},
    {CMC_CTRL_DECRYPTED_POP, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_LRA_POP_WITNESS, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_GET_CERT, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_GET_CRL, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_REVOKE_REQUEST, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_REG_INFO, CTL_HANDLE, h_reg_info},
    {CMC_CTRL_RESPONSE_INFO, CTL_RESPONSE_ONLY, NULL},
    {CMC_CTRL_QUERY_PENDING, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_POP_LINK_RANDOM, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_POP_LINK_WITNESS, CTL_IN_REQUEST, NULL},
    {CMC_CTRL_CONFIRM_CERT_ACCEPTANCE, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_STATUS_INFO_V2, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_TRUSTED_ANCHORS, CTL_RESPONSE_ONLY, NULL},
    {CMC_CTRL_AUTH_DATA, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_BATCH_REQUESTS, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_BATCH_RESPONSES, CTL_RESPONSE_ONLY, NULL},
    {CMC_CTRL_PUBLISH_CERT, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_MOD_CERT_TEMPLATE, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_CONTROL_PROCESSED, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_POP_LINK_WITNESS_V2, CTL_IN_REQUEST, NULL},
    {CMC_CTRL_IDENTITY_PROOF_V2, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_RA_IDENTITY_WITNESS, CTL_UNSUPPORTED, NULL},
    {CMC_CTRL_CHANGE_SUBJECT_NAME, CTL_IN_REQUEST, NULL},
    {CMC_CTRL_RESPONSE_BODY, CTL_RESPONSE_ONLY, NULL},
};

static const struct ctl_def *lookup(const ASN1_OBJECT *oid)
{
    int n = cmc_oid_control_num(oid);
    if (n < 0)
        return NULL;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].num == n)
            return &table[i];
    return NULL;
}

static void skip(struct cmci_txn *t, const char *why)
{
    if (!t->skip_requests) {
        t->skip_requests = 1;
        snprintf(t->skip_reason, sizeof(t->skip_reason), "%s", why);
    }
}

cmc_err cmci_controls_process(struct cmci_txn *t)
{
    STACK_OF(CMC_TAGGED_ATTRIBUTE) *cs = t->pkidata->controlSequence;
    int n = sk_CMC_TAGGED_ATTRIBUTE_num(cs);
    uint32_t *unknown = NULL;
    size_t n_unknown = 0;
    int any_unknown = 0;
    char buf[200];

    /* First what the answer echoes, whatever happens below (an unrecognised control
     * included): rfc5272bis §6.4 and §6.6 ask for it on every response. */
    cmci_controls_echo(t);

    /* Pass 1, rfc5272bis §3.2.1.2: an unrecognised control fails the whole PKIData with
     * badRequest and a bodyList naming the unrecognised controls; nothing else is done. */
    for (int i = 0; i < n; i++) {
        const CMC_TAGGED_ATTRIBUTE *a = sk_CMC_TAGGED_ATTRIBUTE_value(cs, i);
        uint32_t id;
        if (lookup(a->attrType) != NULL)
            continue;
        /* n is bounded by max_controls (check_structure), so this is too */
        if (!any_unknown && (unknown = OPENSSL_malloc((size_t)n * sizeof(*unknown))) == NULL)
            return cmci_fail(CMC_ERR_NOMEM, "unrecognised controls");
        any_unknown = 1;
        if (cmc_body_part_id_get(a->bodyPartID, &id) == CMC_OK)
            unknown[n_unknown++] = id;
    }
    if (any_unknown) {
        cmc_err st = cmci_txn_status(t, CMC_ERR_BAD_REQUEST, unknown, n_unknown,
                                     "unrecognised control");
        OPENSSL_free(unknown);
        CMC_GUARD(st);
        skip(t, "the request carries an unrecognised control");
        return CMC_ERR_BAD_REQUEST;
    }

    /* Pass 2: run each control. A control that fails gets its own status; the requests of
     * the PKIData are then not processed (they get a status saying why). */
    for (int i = 0; i < n; i++) {
        const CMC_TAGGED_ATTRIBUTE *a = sk_CMC_TAGGED_ATTRIBUTE_value(cs, i);
        const struct ctl_def *d = lookup(a->attrType);
        const char *name = cmc_control_name(d->num);
        uint32_t id;
        cmc_err rv;

        CMC_GUARD(cmc_body_part_id_get(a->bodyPartID, &id));
        switch (d->kind) {
        case CTL_HANDLE:
            /* rfc5272bis §3.2.1.2: attrValues is a SET OF; our controls take exactly one */
            if (sk_ASN1_TYPE_num(a->attrValues) != 1) {
                CMC_GUARD(cmci_txn_status(t, CMC_ERR_BAD_REQUEST, &id, 1,
                                          "%s must carry exactly one value", name));
                skip(t, "a control is malformed");
                break;
            }
            rv = d->handler(t, id, sk_ASN1_TYPE_value(a->attrValues, 0));
            if (rv != CMC_OK) {
                if (cmc_err_is_fatal(rv))
                    return rv;
                CMC_GUARD(cmci_txn_status(t, rv, &id, 1, "%s: %s", name,
                                          cmci_error_public_text(buf, sizeof(buf))));
                skip(t, "a control could not be processed");
            }
            break;
        case CTL_UNSUPPORTED:
            CMC_GUARD(cmci_txn_status(t, CMC_ERR_UNSUPPORTED, &id, 1,
                                      "%s is not supported by this server", name));
            skip(t, "a control is not supported by this server");
            break;
        case CTL_RESPONSE_ONLY:
            CMC_GUARD(cmci_txn_status(t, CMC_ERR_BAD_REQUEST, &id, 1,
                                      "%s is only valid in a PKIResponse", name));
            skip(t, "a control is misplaced");
            break;
        case CTL_IN_REQUEST:
        default:
            CMC_GUARD(cmci_txn_status(t, CMC_ERR_BAD_REQUEST, &id, 1,
                                      "%s belongs inside a certification request", name));
            skip(t, "a control is misplaced");
            break;
        }
    }
    return CMC_OK;
}
