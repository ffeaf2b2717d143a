/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's event lines in cmcd's log (docs/configuration.md "Log"): one per issued
 * certificate, naming serial, subject, profile and who authorised it, and one per refused
 * request with the statusString the client was sent. log_level=debug adds every status and
 * (engine_status.c) every request error with its source location. Never a secret: only
 * names, serials, profile names and our own status texts are written, never request bytes,
 * keys or shared secrets. */
#include "engine/engine_local.h"

#include <stdio.h>
#include <string.h>

#include "core/core_log.h"

/* @p in with '"' and '\' escaped, so a key="value" field stays parseable. Cut to @p len. */
static const char *quoted(const char *in, char *out, size_t len)
{
    size_t o = 0;

    for (; *in != '\0' && o + 2 < len; in++) {
        if (*in == '"' || *in == '\\')
            out[o++] = '\\';
        out[o++] = *in;
    }
    out[o] = '\0';
    return out;
}

/* An INTEGER's content octets as upper-case hex, leading zero octets dropped, as `openssl
 * x509 -serial` prints a serial. */
static const char *integer_hex(const ASN1_INTEGER *a, char *out, size_t len)
{
    static const char hexd[] = "0123456789ABCDEF";
    const unsigned char *d = ASN1_STRING_get0_data(a);
    int n = ASN1_STRING_length(a), i = 0;
    size_t o = 0;

    if (ASN1_STRING_type(a) == V_ASN1_NEG_INTEGER && o + 1 < len)
        out[o++] = '-';
    while (i + 1 < n && d[i] == 0)
        i++;
    for (; i < n && o + 2 < len; i++) {
        out[o++] = hexd[d[i] >> 4];
        out[o++] = hexd[d[i] & 15];
    }
    out[o] = '\0';
    return out;
}

/* Who authorised the request: "none" for a Simple PKI Request (its PKCS #10 signature is
 * the proof of possession, nothing more), "pop-key" for a Full PKI Request signed by the key
 * being certified, or the operator/RA certificate that signed it (subject and serial; the
 * issuer and serial of the SignerInfo when CMS matched no certificate to it). */
static const char *signer_text(const struct cmci_txn *t, char *buf, size_t len)
{
    STACK_OF(CMS_SignerInfo) *sis;
    CMS_SignerInfo *si;
    X509 *x = NULL;
    ASN1_OCTET_STRING *keyid = NULL;
    X509_NAME *issuer = NULL;
    ASN1_INTEGER *sno = NULL;
    char name[512], q[600], hex[80];
    int n;

    if (t->signer == CMCI_SIGNER_NONE || t->cms == NULL) {
        return "none";
    }
    if (t->signer == CMCI_SIGNER_POP_KEY) {
        return "pop-key";
    }
    sis = CMS_get0_SignerInfos(t->cms);
    n = sk_CMS_SignerInfo_num(sis);
    if (n <= 0) {
        return "operator";
    }
    si = sk_CMS_SignerInfo_value(sis, 0);
    CMS_SignerInfo_get0_algs(si, NULL, &x, NULL, NULL);
    if (x != NULL && cmci_name_text(X509_get_subject_name(x), name, sizeof(name)) == CMC_OK) {
        snprintf(buf, len, "operator signer_subject=\"%s\" signer_serial=%s%s",
                 quoted(name, q, sizeof(q)),
                 integer_hex(X509_get0_serialNumber(x), hex, sizeof(hex)),
                 n > 1 ? " (first of several signers)" : "");
    } else if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &sno) == 1 && issuer != NULL
               && sno != NULL && cmci_name_text(issuer, name, sizeof(name)) == CMC_OK) {
        snprintf(buf, len, "operator signer_issuer=\"%s\" signer_serial=%s",
                 quoted(name, q, sizeof(q)), integer_hex(sno, hex, sizeof(hex)));
    } else {
        return "operator";
    }
    return buf;
}

/* A line being built by appending: cut at its capacity, never NUL-terminated. */
struct line_buf {
    char *p;
    size_t n, cap;
};

static void put(struct line_buf *b, const char *s)
{
    size_t k = strlen(s);

    if (k > b->cap - b->n)
        k = b->cap - b->n;
    memcpy(b->p + b->n, s, k);
    b->n += k;
}

static void put_u32(struct line_buf *b, uint32_t v)
{
    char d[10];
    size_t k = 0;

    do {
        d[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (k > 0 && b->n < b->cap)
        b->p[b->n++] = d[--k];
}

/* One line per issued certificate, on the request path: appended piece by piece rather
 * than through vsnprintf, and the subject copied for quoting only when it holds a '"' or
 * '\'. The text is what the format "issued serial=%s subject=\"%s\" profile=%s request=%s
 * bodyPart=%u signer=%s" gives. */
void cmci_log_issued(const struct cmci_txn *t, const struct cmci_profile *p, uint32_t id,
                     const struct cmci_issued_note *note)
{
    char signer_buf[900], subj[600], msg[2048];
    const char *subject = note->subject;
    struct line_buf b = {msg, 0, sizeof(msg)};

    if (!cmci_log_enabled(CMC_LOG_INFO))
        return;
    if (strpbrk(subject, "\"\\") != NULL)
        subject = quoted(subject, subj, sizeof(subj));
    put(&b, "issued serial=");
    put(&b, note->serial_hex);
    put(&b, " subject=\"");
    put(&b, subject);
    put(&b, "\" profile=");
    put(&b, p->name);
    put(&b, t->kind == CMC_REQUEST_SIMPLE ? " request=simple bodyPart=" : " request=full bodyPart=");
    put_u32(&b, id);
    put(&b, " signer=");
    put(&b, signer_text(t, signer_buf, sizeof(signer_buf)));
    cmci_log_text(CMC_LOG_INFO, msg, b.n);
}

/* "3" or "3,4,5": the body parts a status names. */
static const char *ids_text(const struct cmci_status *s, char *buf, size_t len)
{
    size_t o = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < s->n_ids && o < len; i++) {
        int k = snprintf(buf + o, len - o, "%s%u", i > 0 ? "," : "", s->ids[i]);
        if (k < 0)
            break;
        o += (size_t)k;
    }
    return buf;
}

static void log_status(enum cmc_log_level lvl, const char *what, const struct cmci_txn *t,
                       const struct cmci_status *s, size_t more)
{
    char ids[200], reason[420], tail[64] = "";

    if (more > 0)
        snprintf(tail, sizeof(tail), " other_failures=%zu", more);
    cmci_log(lvl, "%s %s request bodyPart=%s status=%s%s%s reason=\"%s\" issued=%zu%s", what,
             t->kind == CMC_REQUEST_SIMPLE ? "simple" : "full", ids_text(s, ids, sizeof(ids)),
             cmc_status_name(s->status), s->fail_info >= 0 ? " failInfo=" : "",
             s->fail_info >= 0 ? cmc_fail_info_name(s->fail_info) : "",
             quoted(s->text, reason, sizeof(reason)), t->n_issued_ids, tail);
}

void cmci_log_refused(const struct cmci_txn *t)
{
    const struct cmci_status *first = NULL;
    size_t n_bad = 0;

    if (!cmci_log_enabled(CMC_LOG_INFO))
        return;
    for (size_t i = 0; i < t->n_statuses; i++) {
        if (t->statuses[i].status == CMC_STATUS_SUCCESS)
            continue;
        if (first == NULL)
            first = &t->statuses[i];
        n_bad++;
        /* debug: every status; info: one line per request, so a request with many body
         * parts cannot fill the log */
        if (cmci_log_enabled(CMC_LOG_DEBUG))
            log_status(CMC_LOG_DEBUG, "status of", t, &t->statuses[i], 0);
    }
    if (first != NULL)
        log_status(CMC_LOG_INFO, "refused", t, first, n_bad - 1);
}
