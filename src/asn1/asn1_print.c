/* SPDX-License-Identifier: Apache-2.0 */
/* The `cmc show` printer: detects a CMC message, certificate or request in DER or PEM and
 * prints what it carries, in plain words or JSON. */
#include <cmc/print.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "asn1/asn1_local.h"
#include "core/core_error.h"

/*
 * A small emitter so that every printer below is written once for both formats. Plain
 * output is "key: value" lines indented by nesting, with "- " marking the first line of
 * each list element; JSON output is one object. Write errors are remembered (err) and
 * reported once at the end, so the printers read straight down.
 */
#define PR_MAX_DEPTH 32

struct pr {
    BIO *out;
    int json;
    int depth;
    int err;
    int first[PR_MAX_DEPTH];   /* JSON: no comma needed yet at this depth */
    int is_arr[PR_MAX_DEPTH];  /* this depth is a list */
    int dash;                  /* plain: next line starts a list element */
    int complete;              /* a PEM bundle was printed in full, even if a block failed */
};

static void pr_raw(struct pr *p, const char *s, size_t n)
{
    if (n > INT_MAX || (n > 0 && BIO_write(p->out, s, (int)n) != (int)n))
        p->err = 1;
}

static void pr_s(struct pr *p, const char *s)
{
    pr_raw(p, s, strlen(s));
}

/* Length of the well-formed UTF-8 sequence at @p s (at most @p n bytes), 0 if there is none:
 * overlong forms, surrogates and values above U+10FFFF are not well formed (RFC 3629 §3). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned long cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, cp = s[0] & 0x1Fu;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, cp = s[0] & 0x0Fu;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, cp = s[0] & 0x07u;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
        || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static void pr_json_str(struct pr *p, const char *s, size_t n)
{
    char esc[8];

    pr_s(p, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x80) {
            /* JSON text is UTF-8 (RFC 8259 §8.1): a byte that does not start a well-formed
             * sequence (a certificate may hold anything) becomes U+FFFD. */
            size_t l = utf8_len((const unsigned char *)s + i, n - i);

            if (l == 0) {
                pr_s(p, "\\ufffd");
            } else {
                pr_raw(p, s + i, l);
                i += l - 1;
            }
        } else if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            pr_raw(p, esc, 2);
        } else if (c < 0x20 || c == 0x7F) {
            (void)snprintf(esc, sizeof(esc), "\\u%04x", c);
            pr_s(p, esc);
        } else {
            pr_raw(p, (const char *)&s[i], 1);
        }
    }
    pr_s(p, "\"");
}

/* Start one member: the comma and key in JSON, the indentation and key in plain (followed
 * by @p sep: ": " before a value, ":" before a nested block). */
static void pr_key_sep(struct pr *p, const char *key, const char *sep)
{
    if (p->json) {
        if (!p->first[p->depth])
            pr_s(p, ",");
        p->first[p->depth] = 0;
        if (key != NULL && !p->is_arr[p->depth]) {
            pr_json_str(p, key, strlen(key));
            pr_s(p, ":");
        }
        return;
    }
    /* a scalar list element sits one level deeper than its list's key */
    int ind = p->depth + (p->is_arr[p->depth] ? 1 : 0);

    for (int i = 1; i < ind; i++)
        pr_s(p, "  ");
    if (ind > 0)
        pr_s(p, p->dash ? "- " : "  ");
    p->dash = 0;
    if (key != NULL && !p->is_arr[p->depth]) {
        pr_s(p, key);
        pr_s(p, sep);
    }
}

static void pr_key(struct pr *p, const char *key)
{
    pr_key_sep(p, key, ": ");
}

static void pr_open(struct pr *p, const char *key, int arr)
{
    if (p->depth + 1 >= PR_MAX_DEPTH) {
        p->err = 1;
        return;
    }
    if (p->json) {
        pr_key(p, key);
        pr_s(p, arr ? "[" : "{");
    } else if (key != NULL || p->dash || !p->is_arr[p->depth]) {
        /* a titled block; an untitled element of a list just nests */
        if (key != NULL) {
            pr_key_sep(p, key, ":");
            pr_s(p, "\n");
        }
    }
    p->depth++;
    p->first[p->depth] = 1;
    p->is_arr[p->depth] = arr;
    if (!p->json && p->is_arr[p->depth - 1] && key == NULL)
        p->dash = 1;
}

static void pr_close(struct pr *p)
{
    if (p->depth == 0)
        return;
    if (p->json)
        pr_s(p, p->is_arr[p->depth] ? "]" : "}");
    p->depth--;
    p->dash = 0;
}

static void pr_elem(struct pr *p)
{
    /* plain: each element of a list starts with a dash */
    if (!p->json)
        p->dash = 1;
}

static void pr_str_n(struct pr *p, const char *key, const char *v, size_t n)
{
    if (p->is_arr[p->depth])
        pr_elem(p);
    pr_key(p, key);
    if (p->json) {
        pr_json_str(p, v, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        /* plain output goes to a terminal: never pass control characters through */
        pr_raw(p, (c < 0x20 || c == 0x7F) ? "?" : &v[i], 1);
    }
    pr_s(p, "\n");
}

static void pr_str(struct pr *p, const char *key, const char *v)
{
    pr_str_n(p, key, v, strlen(v));
}

static void pr_num(struct pr *p, const char *key, long long v)
{
    char buf[32];

    (void)snprintf(buf, sizeof(buf), "%lld", v);
    if (p->is_arr[p->depth])
        pr_elem(p);
    pr_key(p, key);
    pr_s(p, buf);
    if (!p->json)
        pr_s(p, "\n");
}

/* A JSON boolean; "true"/"false" in plain output. */
static void pr_bool(struct pr *p, const char *key, int v)
{
    if (p->is_arr[p->depth])
        pr_elem(p);
    pr_key(p, key);
    pr_s(p, v ? "true" : "false");
    if (!p->json)
        pr_s(p, "\n");
}

static void pr_hex(struct pr *p, const char *key, const unsigned char *d, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    char two[2];

    if (p->is_arr[p->depth])
        pr_elem(p);
    pr_key(p, key);
    if (p->json)
        pr_s(p, "\"");
    for (size_t i = 0; i < n; i++) {
        two[0] = hx[d[i] >> 4];
        two[1] = hx[d[i] & 15];
        pr_raw(p, two, 2);
    }
    pr_s(p, p->json ? "\"" : "\n");
}

/* ---- value helpers ------------------------------------------------------------------ */

/* JSON numbers are doubles to most readers (jq, JavaScript): an integer beyond 2^53 would
 * be rounded, so such a value is written as a decimal string instead. */
static void pr_asn1_int(struct pr *p, const char *key, const ASN1_INTEGER *a)
{
    BIGNUM *bn = a == NULL ? NULL : ASN1_INTEGER_to_BN(a, NULL);
    char *dec = bn == NULL ? NULL : BN_bn2dec(bn);

    if (dec != NULL) {
        if (p->json && BN_num_bits(bn) <= 53) {
            if (p->is_arr[p->depth])
                pr_elem(p);
            pr_key(p, key);
            pr_s(p, dec);
        } else {
            pr_str(p, key, dec);
        }
    } else {
        pr_str(p, key, "?");
    }
    OPENSSL_free(dec);
    BN_free(bn);
}

/* An integer that is an identifier, not a quantity (a transactionId): always a decimal
 * string in JSON, so its type does not depend on its size. */
static void pr_asn1_int_str(struct pr *p, const char *key, const ASN1_INTEGER *a)
{
    BIGNUM *bn = a == NULL ? NULL : ASN1_INTEGER_to_BN(a, NULL);
    char *dec = bn == NULL ? NULL : BN_bn2dec(bn);

    pr_str(p, key, dec != NULL ? dec : "?");
    OPENSSL_free(dec);
    BN_free(bn);
}

/*
 * A serial number in hex, as openssl prints it: plain output like `openssl x509 -text`
 * (lower case, bytes separated by colons: "7f:03:a1"), JSON like `openssl x509 -serial`
 * (upper case, no separators: "7F03A1"), a string either way. Both show the magnitude's
 * bytes; a negative serial (invalid in a certificate, RFC 5280 §4.1.2.2, but decodable) is
 * marked as openssl marks it.
 */
static void pr_serial(struct pr *p, const char *key, const ASN1_INTEGER *a)
{
    static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
    const char *hx = p->json ? up : lo;
    const unsigned char *d;
    char *buf;
    size_t n, o = 0;

    if (a == NULL) {
        pr_str(p, key, "?");
        return;
    }
    d = ASN1_STRING_get0_data(a);
    n = (size_t)ASN1_STRING_length(a);
    /* "(Negative)" + 3 characters a byte; "00" for an empty (zero) value */
    if ((buf = OPENSSL_malloc(12 + 3 * n + 3)) == NULL) {
        p->err = 1;
        return;
    }
    if (ASN1_STRING_type(a) == V_ASN1_NEG_INTEGER)
        o += (size_t)snprintf(buf, 12, "%s", p->json ? "-" : "(Negative)");
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && !p->json)
            buf[o++] = ':';
        buf[o++] = hx[d[i] >> 4];
        buf[o++] = hx[d[i] & 15];
    }
    if (n == 0) {
        buf[o++] = '0';
        buf[o++] = '0';
    }
    pr_str_n(p, key, buf, o);
    OPENSSL_free(buf);
}

static void pr_oid(struct pr *p, const char *key, const ASN1_OBJECT *o)
{
    char buf[128];

    if (o == NULL || OBJ_obj2txt(buf, sizeof(buf), o, 1) <= 0)
        (void)snprintf(buf, sizeof(buf), "?");
    pr_str(p, key, buf);
}

static void pr_alg(struct pr *p, const char *key, const X509_ALGOR *a)
{
    const ASN1_OBJECT *o = NULL;
    char buf[160];
    char num[128];

    if (a != NULL)
        X509_ALGOR_get0(&o, NULL, NULL, a);
    if (o == NULL || OBJ_obj2txt(num, sizeof(num), o, 1) <= 0) {
        pr_str(p, key, "?");
        return;
    }
    if (OBJ_obj2nid(o) != NID_undef)
        (void)snprintf(buf, sizeof(buf), "%s (%s)", OBJ_nid2ln(OBJ_obj2nid(o)), num);
    else
        (void)snprintf(buf, sizeof(buf), "%s", num);
    pr_str(p, key, buf);
}

static void pr_name(struct pr *p, const char *key, const X509_NAME *n)
{
    BIO *m = BIO_new(BIO_s_mem());
    char *s = NULL;
    long len;

    /* `openssl x509 -noout -subject` order and form (its default, oneline: the most
     * significant RDN first, "C = DE, O = x, CN = y"), with UTF-8 shown as itself rather
     * than as \C3\BC escapes: exactly `-nameopt oneline,-esc_msb,utf8`. Control
     * characters stay escaped (ESC_CTRL is part of oneline). */
    if (m == NULL || n == NULL
        || X509_NAME_print_ex(m, n, 0, (XN_FLAG_ONELINE | ASN1_STRFLGS_UTF8_CONVERT)
                                           & ~ASN1_STRFLGS_ESC_MSB) < 0) {
        pr_str(p, key, n == NULL ? "(none)" : "?");
        BIO_free(m);
        return;
    }
    len = BIO_get_mem_data(m, &s);
    pr_str_n(p, key, s == NULL ? "" : s, len > 0 ? (size_t)len : 0);
    BIO_free(m);
}

static void pr_time(struct pr *p, const char *key, const ASN1_TIME *t)
{
    BIO *m = BIO_new(BIO_s_mem());
    char *s = NULL;
    long len;

    if (m == NULL || t == NULL || ASN1_TIME_print_ex(m, t, ASN1_DTFLGS_ISO8601) != 1) {
        pr_str(p, key, "?");
        BIO_free(m);
        return;
    }
    len = BIO_get_mem_data(m, &s);
    pr_str_n(p, key, s == NULL ? "" : s, len > 0 ? (size_t)len : 0);
    BIO_free(m);
}

static void pr_gn(struct pr *p, const char *key, const GENERAL_NAME *g)
{
    int type = 0;
    const void *v = g == NULL ? NULL : GENERAL_NAME_get0_value(g, &type);

    if (v == NULL) {
        pr_str(p, key, "?");
    } else if (type == GEN_DIRNAME) {
        pr_name(p, key, v);
    } else if (type == GEN_DNS || type == GEN_URI || type == GEN_EMAIL) {
        const ASN1_IA5STRING *s = v;

        pr_str_n(p, key, (const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
    } else {
        pr_str(p, key, "(other GeneralName)");
    }
}

static void pr_pkey(struct pr *p, const char *key, EVP_PKEY *k)
{
    char buf[96];

    if (k == NULL) {
        pr_str(p, key, "(none)");
        return;
    }
    (void)snprintf(buf, sizeof(buf), "%s %d bits",
                   EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "?",
                   EVP_PKEY_get_bits(k));
    pr_str(p, key, buf);
}

static void pr_spki(struct pr *p, const char *key, const CMC_SPKI *spki)
{
    EVP_PKEY *k = NULL;

    if (spki == NULL) {
        pr_pkey(p, key, NULL);
    } else if (cmc_spki_get1_pkey(spki, &k) != CMC_OK) {
        pr_str(p, key, "(malformed or unsupported key)");
    } else {
        pr_pkey(p, key, k);
        EVP_PKEY_free(k);
    }
}

static void pr_bpid_list(struct pr *p, const char *key, const CMC_BODY_PART_LIST *l)
{
    pr_open(p, key, 1);
    for (int i = 0; i < sk_ASN1_INTEGER_num(l); i++)
        pr_asn1_int(p, NULL, sk_ASN1_INTEGER_value(l, i));
    pr_close(p);
    if (!p->json && sk_ASN1_INTEGER_num(l) <= 0 && key != NULL)
        pr_str(p, NULL, "(empty)");
}

static void pr_ref_list(struct pr *p, const char *key,
                        const STACK_OF(CMC_BODY_PART_REFERENCE) *l)
{
    pr_open(p, key, 1);
    for (int i = 0; i < sk_CMC_BODY_PART_REFERENCE_num(l); i++) {
        const CMC_BODY_PART_REFERENCE *r = sk_CMC_BODY_PART_REFERENCE_value(l, i);

        if (r->type == CMC_BODY_PART_REFERENCE_ID) {
            pr_asn1_int(p, NULL, r->value.bodyPartID);
        } else {
            pr_open(p, NULL, 0);
            pr_bpid_list(p, "bodyPartPath", r->value.bodyPartPath);
            pr_close(p);
        }
    }
    pr_close(p);
}

/* Decode an ANY (a control value) as @p it; NULL when it is not one. */
static ASN1_VALUE *any_as(const ASN1_TYPE *t, const ASN1_ITEM *it)
{
    unsigned char *der = NULL;
    int len = i2d_ASN1_TYPE(t, &der);
    ASN1_VALUE *v = NULL;

    if (len > 0 && cmc_d2i_exact(it, der, (size_t)len, &v) != CMC_OK)
        v = NULL;
    OPENSSL_free(der);
    return v;
}

static void pr_any_hex(struct pr *p, const char *key, const ASN1_TYPE *t)
{
    unsigned char *der = NULL;
    int len = i2d_ASN1_TYPE(t, &der);

    if (len > 0)
        pr_hex(p, key, der, (size_t)len);
    else
        pr_str(p, key, "?");
    OPENSSL_free(der);
}

static void pr_pend_info(struct pr *p, const CMC_PEND_INFO *pi)
{
    pr_open(p, "pendInfo", 0);
    pr_hex(p, "pendToken", ASN1_STRING_get0_data(pi->pendToken),
           (size_t)ASN1_STRING_length(pi->pendToken));
    pr_time(p, "pendTime", pi->pendTime);
    pr_close(p);
}

static void pr_status_common(struct pr *p, const ASN1_INTEGER *status, const ASN1_UTF8STRING *s)
{
    long v = ASN1_INTEGER_get(status);

    pr_str(p, "status", cmc_status_name(v));
    pr_num(p, "statusValue", v);
    if (s != NULL)
        pr_str_n(p, "statusString", (const char *)ASN1_STRING_get0_data(s),
                 (size_t)ASN1_STRING_length(s));
}

static void pr_fail_info(struct pr *p, const ASN1_INTEGER *fi)
{
    long v = ASN1_INTEGER_get(fi);

    pr_str(p, "failInfo", cmc_fail_info_name(v));
    pr_num(p, "failInfoValue", v);
}

static int pr_status_v2(struct pr *p, const ASN1_TYPE *t)
{
    CMC_STATUS_INFO_V2 *s = (CMC_STATUS_INFO_V2 *)any_as(t, ASN1_ITEM_rptr(CMC_STATUS_INFO_V2));

    if (s == NULL)
        return 0;
    pr_status_common(p, s->cMCStatus, s->statusString);
    pr_ref_list(p, "bodyList", s->bodyList);
    if (s->otherInfo != NULL && s->otherInfo->type == CMC_OTHER_STATUS_INFO_FAIL) {
        pr_fail_info(p, s->otherInfo->value.failInfo);
    } else if (s->otherInfo != NULL && s->otherInfo->type == CMC_OTHER_STATUS_INFO_PEND) {
        pr_pend_info(p, s->otherInfo->value.pendInfo);
    } else if (s->otherInfo != NULL) {
        pr_open(p, "extendedFailInfo", 0);
        pr_oid(p, "failInfoOID", s->otherInfo->value.extendedFailInfo->failInfoOID);
        pr_any_hex(p, "failInfoValue", s->otherInfo->value.extendedFailInfo->failInfoValue);
        pr_close(p);
    }
    CMC_STATUS_INFO_V2_free(s);
    return 1;
}

static int pr_status_v1(struct pr *p, const ASN1_TYPE *t)
{
    CMC_STATUS_INFO *s = (CMC_STATUS_INFO *)any_as(t, ASN1_ITEM_rptr(CMC_STATUS_INFO));

    if (s == NULL)
        return 0;
    pr_status_common(p, s->cMCStatus, s->statusString);
    pr_bpid_list(p, "bodyList", s->bodyList);
    if (s->otherInfo != NULL && s->otherInfo->type == CMC_OTHER_INFO_FAIL)
        pr_fail_info(p, s->otherInfo->value.failInfo);
    else if (s->otherInfo != NULL)
        pr_pend_info(p, s->otherInfo->value.pendInfo);
    CMC_STATUS_INFO_free(s);
    return 1;
}

/* identityProofV2 and popLinkWitnessV2 share a shape: two algorithms and a witness. */
static int pr_witness_v2(struct pr *p, const ASN1_TYPE *t)
{
    CMC_IDENTITY_PROOF_V2 *w =
        (CMC_IDENTITY_PROOF_V2 *)any_as(t, ASN1_ITEM_rptr(CMC_IDENTITY_PROOF_V2));

    if (w == NULL)
        return 0;
    pr_alg(p, "hashAlgorithm", w->proofAlgID);
    pr_alg(p, "macAlgorithm", w->macAlgId);
    pr_hex(p, "witness", ASN1_STRING_get0_data(w->witness), (size_t)ASN1_STRING_length(w->witness));
    CMC_IDENTITY_PROOF_V2_free(w);
    return 1;
}

static int pr_revoke(struct pr *p, const ASN1_TYPE *t)
{
    CMC_REVOKE_REQUEST *r = (CMC_REVOKE_REQUEST *)any_as(t, ASN1_ITEM_rptr(CMC_REVOKE_REQUEST));

    if (r == NULL)
        return 0;
    pr_name(p, "issuer", r->issuerName);
    pr_serial(p, "serialNumber", r->serialNumber);
    pr_num(p, "reason", ASN1_ENUMERATED_get(r->reason));
    if (r->invalidityDate != NULL)
        pr_time(p, "invalidityDate", r->invalidityDate);
    if (r->passphrase != NULL)
        pr_str(p, "sharedSecret", "(present, not shown)");
    if (r->comment != NULL)
        pr_str_n(p, "comment", (const char *)ASN1_STRING_get0_data(r->comment),
                 (size_t)ASN1_STRING_length(r->comment));
    CMC_REVOKE_REQUEST_free(r);
    return 1;
}

static int pr_cert_id(struct pr *p, const ASN1_TYPE *t)
{
    CMC_CERT_ID *c = (CMC_CERT_ID *)any_as(t, ASN1_ITEM_rptr(CMC_CERT_ID));

    if (c == NULL)
        return 0;
    pr_name(p, "issuer", c->issuer);
    pr_serial(p, "serialNumber", c->serialNumber);
    CMC_CERT_ID_free(c);
    return 1;
}

static int pr_get_cert(struct pr *p, const ASN1_TYPE *t)
{
    CMC_GET_CERT *g = (CMC_GET_CERT *)any_as(t, ASN1_ITEM_rptr(CMC_GET_CERT));

    if (g == NULL)
        return 0;
    pr_gn(p, "issuer", g->issuerName);
    pr_serial(p, "serialNumber", g->serialNumber);
    CMC_GET_CERT_free(g);
    return 1;
}

static int pr_list_value(struct pr *p, const ASN1_TYPE *t)
{
    CMC_BODY_PART_LIST *l = (CMC_BODY_PART_LIST *)any_as(t, ASN1_ITEM_rptr(CMC_BODY_PART_LIST));

    if (l == NULL)
        return 0;
    pr_bpid_list(p, "bodyParts", l);
    CMC_BODY_PART_LIST_free(l);
    return 1;
}

static int pr_controls_processed(struct pr *p, const ASN1_TYPE *t)
{
    CMC_CONTROLS_PROCESSED *c =
        (CMC_CONTROLS_PROCESSED *)any_as(t, ASN1_ITEM_rptr(CMC_CONTROLS_PROCESSED));

    if (c == NULL)
        return 0;
    pr_ref_list(p, "bodyList", c->bodyList);
    CMC_CONTROLS_PROCESSED_free(c);
    return 1;
}

static int pr_mod_cert_template(struct pr *p, const ASN1_TYPE *t)
{
    CMC_MOD_CERT_TEMPLATE *m =
        (CMC_MOD_CERT_TEMPLATE *)any_as(t, ASN1_ITEM_rptr(CMC_MOD_CERT_TEMPLATE));

    if (m == NULL)
        return 0;
    pr_bpid_list(p, "pkiDataReference", m->pkiDataReference);
    pr_bpid_list(p, "certReferences", m->certReferences);
    pr_str(p, "replace", m->replace == 0 ? "false" : "true");
    if (m->certTemplate->subject != NULL)
        pr_name(p, "subject", m->certTemplate->subject);
    CMC_MOD_CERT_TEMPLATE_free(m);
    return 1;
}

static int pr_lra_witness(struct pr *p, const ASN1_TYPE *t)
{
    CMC_LRA_POP_WITNESS *w = (CMC_LRA_POP_WITNESS *)any_as(t, ASN1_ITEM_rptr(CMC_LRA_POP_WITNESS));

    if (w == NULL)
        return 0;
    pr_asn1_int(p, "pkiDataBodyid", w->pkiDataBodyid);
    pr_bpid_list(p, "bodyIds", w->bodyIds);
    CMC_LRA_POP_WITNESS_free(w);
    return 1;
}

static int pr_decrypted_pop(struct pr *p, const ASN1_TYPE *t)
{
    CMC_DECRYPTED_POP *d = (CMC_DECRYPTED_POP *)any_as(t, ASN1_ITEM_rptr(CMC_DECRYPTED_POP));

    if (d == NULL)
        return 0;
    pr_asn1_int(p, "bodyPartID", d->bodyPartID);
    pr_alg(p, "thePOPAlgID", d->thePOPAlgID);
    pr_hex(p, "thePOP", ASN1_STRING_get0_data(d->thePOP), (size_t)ASN1_STRING_length(d->thePOP));
    CMC_DECRYPTED_POP_free(d);
    return 1;
}

static int pr_encrypted_pop(struct pr *p, const ASN1_TYPE *t)
{
    CMC_ENCRYPTED_POP *e = (CMC_ENCRYPTED_POP *)any_as(t, ASN1_ITEM_rptr(CMC_ENCRYPTED_POP));

    if (e == NULL)
        return 0;
    pr_str(p, "request", e->request->type == CMC_TAGGED_REQUEST_TCR   ? "tcr"
                         : e->request->type == CMC_TAGGED_REQUEST_CRM ? "crm"
                                                                      : "orm");
    pr_alg(p, "thePOPAlgID", e->thePOPAlgID);
    pr_alg(p, "witnessAlgID", e->witnessAlgID);
    pr_hex(p, "witness", ASN1_STRING_get0_data(e->witness), (size_t)ASN1_STRING_length(e->witness));
    CMC_ENCRYPTED_POP_free(e);
    return 1;
}

static int pr_trust_anchors(struct pr *p, const ASN1_TYPE *t)
{
    CMC_PUBLISH_TRUST_ANCHORS *a =
        (CMC_PUBLISH_TRUST_ANCHORS *)any_as(t, ASN1_ITEM_rptr(CMC_PUBLISH_TRUST_ANCHORS));

    if (a == NULL)
        return 0;
    pr_asn1_int(p, "seqNumber", a->seqNumber);
    pr_alg(p, "hashAlgorithm", a->hashAlgorithm);
    pr_open(p, "anchorHashes", 1);
    for (int i = 0; i < sk_ASN1_OCTET_STRING_num(a->anchorHashes); i++) {
        const ASN1_OCTET_STRING *h = sk_ASN1_OCTET_STRING_value(a->anchorHashes, i);

        pr_hex(p, NULL, ASN1_STRING_get0_data(h), (size_t)ASN1_STRING_length(h));
    }
    pr_close(p);
    CMC_PUBLISH_TRUST_ANCHORS_free(a);
    return 1;
}

static int pr_add_extensions(struct pr *p, const ASN1_TYPE *t)
{
    CMC_ADD_EXTENSIONS *a = (CMC_ADD_EXTENSIONS *)any_as(t, ASN1_ITEM_rptr(CMC_ADD_EXTENSIONS));

    if (a == NULL)
        return 0;
    pr_asn1_int(p, "pkiDataReference", a->pkiDataReference);
    pr_bpid_list(p, "certReferences", a->certReferences);
    pr_open(p, "extensions", 1);
    for (int i = 0; i < sk_X509_EXTENSION_num(a->extensions); i++)
        pr_oid(p, NULL, X509_EXTENSION_get_object(sk_X509_EXTENSION_value(a->extensions, i)));
    pr_close(p);
    CMC_ADD_EXTENSIONS_free(a);
    return 1;
}

/* OCTET STRING controls: hex always, and the text too when it is printable. */
static int pr_octets(struct pr *p, const ASN1_TYPE *t, int text)
{
    const ASN1_STRING *s;
    const unsigned char *d;
    int n;

    if (t->type != V_ASN1_OCTET_STRING)
        return 0;
    s = t->value.octet_string;
    d = ASN1_STRING_get0_data(s);
    n = ASN1_STRING_length(s);
    pr_hex(p, "hex", d, (size_t)n);
    if (text) {
        int printable = 1;

        for (int i = 0; i < n; i++)
            if (d[i] < 0x20 || d[i] > 0x7E)
                printable = 0;
        if (printable)
            pr_str_n(p, "text", (const char *)d, (size_t)n);
    }
    return 1;
}

/* Print one control value by its id-cmc number; 0 when it did not decode as expected. */
static int pr_control_value(struct pr *p, int n, const ASN1_TYPE *t)
{
    switch (n) {
    case CMC_CTRL_STATUS_INFO: return pr_status_v1(p, t);
    case CMC_CTRL_STATUS_INFO_V2: return pr_status_v2(p, t);
    case CMC_CTRL_IDENTIFICATION:
        if (t->type != V_ASN1_UTF8STRING)
            return 0;
        pr_str_n(p, "text", (const char *)ASN1_STRING_get0_data(t->value.utf8string),
                 (size_t)ASN1_STRING_length(t->value.utf8string));
        return 1;
    case CMC_CTRL_TRANSACTION_ID:
    case CMC_CTRL_AUTH_DATA:
        if (t->type != V_ASN1_INTEGER)
            return 0;
        if (n == CMC_CTRL_AUTH_DATA)
            pr_asn1_int(p, "bodyPartID", t->value.integer);
        else
            pr_asn1_int_str(p, "transactionId", t->value.integer);
        return 1;
    case CMC_CTRL_DATA_RETURN:
    case CMC_CTRL_REG_INFO:
    case CMC_CTRL_RESPONSE_INFO:
        return pr_octets(p, t, 1);
    case CMC_CTRL_IDENTITY_PROOF:
    case CMC_CTRL_SENDER_NONCE:
    case CMC_CTRL_RECIPIENT_NONCE:
    case CMC_CTRL_QUERY_PENDING:
    case CMC_CTRL_POP_LINK_RANDOM:
    case CMC_CTRL_POP_LINK_WITNESS:
        return pr_octets(p, t, 0);
    case CMC_CTRL_IDENTITY_PROOF_V2:
    case CMC_CTRL_POP_LINK_WITNESS_V2:
        return pr_witness_v2(p, t);
    case CMC_CTRL_ADD_EXTENSIONS: return pr_add_extensions(p, t);
    case CMC_CTRL_ENCRYPTED_POP: return pr_encrypted_pop(p, t);
    case CMC_CTRL_DECRYPTED_POP: return pr_decrypted_pop(p, t);
    case CMC_CTRL_LRA_POP_WITNESS: return pr_lra_witness(p, t);
    case CMC_CTRL_GET_CERT: return pr_get_cert(p, t);
    case CMC_CTRL_REVOKE_REQUEST: return pr_revoke(p, t);
    case CMC_CTRL_CONFIRM_CERT_ACCEPTANCE: return pr_cert_id(p, t);
    case CMC_CTRL_TRUSTED_ANCHORS: return pr_trust_anchors(p, t);
    case CMC_CTRL_BATCH_REQUESTS:
    case CMC_CTRL_BATCH_RESPONSES:
    case CMC_CTRL_RA_IDENTITY_WITNESS:
    case CMC_CTRL_RESPONSE_BODY:
        return pr_list_value(p, t);
    case CMC_CTRL_MOD_CERT_TEMPLATE: return pr_mod_cert_template(p, t);
    case CMC_CTRL_CONTROL_PROCESSED: return pr_controls_processed(p, t);
    default: return 0;
    }
}

static void pr_controls(struct pr *p, const STACK_OF(CMC_TAGGED_ATTRIBUTE) *cs)
{
    pr_open(p, "controls", 1);
    for (int i = 0; i < sk_CMC_TAGGED_ATTRIBUTE_num(cs); i++) {
        const CMC_TAGGED_ATTRIBUTE *a = sk_CMC_TAGGED_ATTRIBUTE_value(cs, i);
        int n = cmc_oid_control_num(a->attrType);

        pr_open(p, NULL, 0);
        pr_asn1_int(p, "bodyPartID", a->bodyPartID);
        pr_str(p, "control", n > 0 ? cmc_control_name(n) : "unknown");
        pr_oid(p, "oid", a->attrType);
        pr_open(p, "values", 1);
        for (int j = 0; j < sk_ASN1_TYPE_num(a->attrValues); j++) {
            const ASN1_TYPE *t = sk_ASN1_TYPE_value(a->attrValues, j);

            pr_open(p, NULL, 0);
            if (n <= 0 || !pr_control_value(p, n, t)) {
                if (n > 0 && strcmp(cmc_control_name(n), "unknown") != 0)
                    pr_str(p, "note", "value did not decode as this control's type");
                pr_any_hex(p, "der", t);
            }
            pr_close(p);
        }
        pr_close(p);
        pr_close(p);
    }
    pr_close(p);
}

static const char *pop_kind(const CMC_POP *pop)
{
    if (pop == NULL)
        return "none";
    switch (pop->type) {
    case CMC_POP_RA_VERIFIED: return "raVerified";
    case CMC_POP_SIGNATURE: return "signature";
    case CMC_POP_KEY_ENCIPHERMENT: return "keyEncipherment";
    case CMC_POP_KEY_AGREEMENT: return "keyAgreement";
    default: return "unknown";
    }
}

/* Text of a memory BIO with openssl's line breaks folded: "Full Name:\n  URI:x" becomes
 * "Full Name: URI:x", separate lines become "a, b". */
static void pr_mem_folded(struct pr *p, const char *key, BIO *m)
{
    char *s = NULL;
    long len = BIO_get_mem_data(m, &s);
    char *out = len > 0 ? OPENSSL_malloc((size_t)len * 2 + 1) : NULL;
    size_t o = 0;
    int line_start = 1;

    if (out == NULL) {
        pr_str(p, key, "");
        return;
    }
    for (long i = 0; i < len; i++) {
        if (s[i] == '\n' || s[i] == '\r') {
            line_start = 1;
            continue;
        }
        if (line_start && (s[i] == ' ' || s[i] == '\t'))
            continue;
        if (line_start && o > 0) {
            if (out[o - 1] != ':') {
                out[o++] = ',';
            }
            out[o++] = ' ';
        }
        line_start = 0;
        out[o++] = s[i];
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    pr_str_n(p, key, out, o);
    OPENSSL_free(out);
}

/* The entries of a subjectAltName, one string each, as openssl prints them ("DNS:x",
 * "IP Address:127.0.0.1"), so that a name holding ", " cannot be split wrongly. */
static void pr_san_list(struct pr *p, X509_EXTENSION *e)
{
    GENERAL_NAMES *gens = X509V3_EXT_d2i(e);

    if (gens == NULL) {
        ERR_clear_error();
        return;
    }
    pr_open(p, "names", 1);
    for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
        BIO *m = BIO_new(BIO_s_mem());

        if (m == NULL || GENERAL_NAME_print(m, sk_GENERAL_NAME_value(gens, i)) != 1)
            pr_str(p, NULL, "?");
        else
            pr_mem_folded(p, NULL, m);
        BIO_free(m);
    }
    pr_close(p);
    GENERAL_NAMES_free(gens);
}

/*
 * Extensions by name, with their values in the words of `openssl x509 -text` (the same
 * X509V3_EXT_print): "name" is openssl's long name (the dotted OID when it has none),
 * "value" its text on one line, or the hex of extnValue when openssl cannot print it.
 */
static void pr_extensions(struct pr *p, const char *key, const STACK_OF(X509_EXTENSION) *exts)
{
    pr_open(p, key, 1);
    for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);
        const ASN1_OBJECT *o = X509_EXTENSION_get_object(e);
        const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(e);
        int nid = OBJ_obj2nid(o);
        BIO *m = BIO_new(BIO_s_mem());

        pr_open(p, NULL, 0);
        if (nid != NID_undef)
            pr_str(p, "name", OBJ_nid2ln(nid));
        else
            pr_oid(p, "name", o);
        pr_oid(p, "oid", o);
        pr_bool(p, "critical", X509_EXTENSION_get_critical(e) > 0);
        if (m != NULL && X509V3_EXT_print(m, e, 0, 0) == 1) {
            pr_mem_folded(p, "value", m);
        } else {
            ERR_clear_error();
            pr_hex(p, "der", ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v));
        }
        BIO_free(m);
        if (nid == NID_subject_alt_name || nid == NID_issuer_alt_name)
            pr_san_list(p, e);
        pr_close(p);
    }
    pr_close(p);
}

static void pr_crm(struct pr *p, const CMC_CERT_REQ_MSG *m)
{
    const CMC_CERT_TEMPLATE *t = m->certReq->certTemplate;

    pr_asn1_int(p, "certReqId", m->certReq->certReqId);
    pr_name(p, "subject", t->subject);
    pr_spki(p, "publicKey", t->publicKey);
    pr_str(p, "pop", pop_kind(m->popo));
    if (t->extensions != NULL)
        pr_extensions(p, "requestedExtensions", t->extensions);
    if (m->certReq->controls != NULL)
        pr_num(p, "crmfControls", sk_CMC_ATAV_num(m->certReq->controls));
}

static void pr_p10(struct pr *p, const CMC_P10 *r)
{
    STACK_OF(X509_EXTENSION) *exts = NULL;

    pr_name(p, "subject", cmc_p10_get0_subject(r));
    pr_spki(p, "publicKey", cmc_p10_get0_spki(r));
    pr_alg(p, "signatureAlgorithm", r->sigAlg);
    pr_num(p, "attributes", cmc_p10_get_attr_count(r));
    /* RFC 2985 §5.4.2 extensionRequest: what the requester asks to have certified. */
    if (cmc_p10_get1_extensions(r, &exts) != CMC_OK) {
        cmc_error_clear();
        ERR_clear_error();
        pr_str(p, "requestedExtensions", "(malformed extensionRequest)");
    } else if (exts != NULL) {
        pr_extensions(p, "requestedExtensions", exts);
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

static void pr_requests(struct pr *p, const STACK_OF(CMC_TAGGED_REQUEST) *rs)
{
    pr_open(p, "requests", 1);
    for (int i = 0; i < sk_CMC_TAGGED_REQUEST_num(rs); i++) {
        const CMC_TAGGED_REQUEST *r = sk_CMC_TAGGED_REQUEST_value(rs, i);

        pr_open(p, NULL, 0);
        if (r->type == CMC_TAGGED_REQUEST_TCR) {
            pr_str(p, "kind", "tcr (PKCS#10)");
            pr_asn1_int(p, "bodyPartID", r->value.tcr->bodyPartID);
            pr_p10(p, r->value.tcr->certificationRequest);
        } else if (r->type == CMC_TAGGED_REQUEST_CRM) {
            pr_str(p, "kind", "crm (CRMF)");
            pr_crm(p, r->value.crm);
        } else {
            pr_str(p, "kind", "orm (other)");
            pr_asn1_int(p, "bodyPartID", r->value.orm->bodyPartID);
            pr_oid(p, "type", r->value.orm->requestMessageType);
        }
        pr_close(p);
    }
    pr_close(p);
}

static void pr_cms_seq(struct pr *p, const STACK_OF(CMC_TAGGED_CONTENT_INFO) *cs)
{
    pr_open(p, "cmsSequence", 1);
    for (int i = 0; i < sk_CMC_TAGGED_CONTENT_INFO_num(cs); i++)
        pr_asn1_int(p, NULL, sk_CMC_TAGGED_CONTENT_INFO_value(cs, i)->bodyPartID);
    pr_close(p);
}

static void pr_other_seq(struct pr *p, const STACK_OF(CMC_OTHER_MSG) *os)
{
    pr_open(p, "otherMsgSequence", 1);
    for (int i = 0; i < sk_CMC_OTHER_MSG_num(os); i++) {
        const CMC_OTHER_MSG *o = sk_CMC_OTHER_MSG_value(os, i);

        pr_open(p, NULL, 0);
        pr_asn1_int(p, "bodyPartID", o->bodyPartID);
        pr_oid(p, "type", o->otherMsgType);
        pr_close(p);
    }
    pr_close(p);
}

static void pr_pkidata(struct pr *p, const CMC_PKIDATA *d)
{
    pr_controls(p, d->controlSequence);
    pr_requests(p, d->reqSequence);
    pr_cms_seq(p, d->cmsSequence);
    pr_other_seq(p, d->otherMsgSequence);
}

static void pr_pkiresponse(struct pr *p, const CMC_PKIRESPONSE *r)
{
    pr_controls(p, r->controlSequence);
    pr_cms_seq(p, r->cmsSequence);
    pr_other_seq(p, r->otherMsgSequence);
}

/* A certificate in full: what `openssl x509 -text` shows, minus the key and signature
 * bytes, plus the SHA-256 fingerprint in the form of `openssl x509 -fingerprint -sha256`. */
static void pr_cert(struct pr *p, X509 *x)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char fp[3 * EVP_MAX_MD_SIZE + 1];
    static const char hx[] = "0123456789ABCDEF";
    const STACK_OF(X509_EXTENSION) *exts = X509_get0_extensions(x);
    const X509_ALGOR *sig = NULL;

    pr_name(p, "subject", X509_get_subject_name(x));
    pr_name(p, "issuer", X509_get_issuer_name(x));
    pr_serial(p, "serialNumber", X509_get0_serialNumber(x));
    pr_num(p, "version", X509_get_version(x) + 1);
    X509_get0_signature(NULL, &sig, x);
    pr_alg(p, "signatureAlgorithm", sig);
    pr_time(p, "notBefore", X509_get0_notBefore(x));
    pr_time(p, "notAfter", X509_get0_notAfter(x));
    pr_pkey(p, "publicKey", X509_get0_pubkey(x));
    if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1 && mdlen > 0) {
        for (unsigned int i = 0; i < mdlen; i++) {
            fp[3 * i] = hx[md[i] >> 4];
            fp[3 * i + 1] = hx[md[i] & 15];
            fp[3 * i + 2] = ':';
        }
        fp[3 * mdlen - 1] = '\0';
        pr_str(p, "sha256Fingerprint", fp);
    } else {
        ERR_clear_error();
        pr_str(p, "sha256Fingerprint", "?");
    }
    if (exts != NULL)
        pr_extensions(p, "extensions", exts);
}

static void pr_certs(struct pr *p, CMS_ContentInfo *cms)
{
    STACK_OF(X509) *certs = CMS_get1_certs(cms);

    pr_open(p, "certificates", 1);
    for (int i = 0; i < sk_X509_num(certs); i++) {
        pr_open(p, NULL, 0);
        pr_cert(p, sk_X509_value(certs, i));
        pr_close(p);
    }
    pr_close(p);
    sk_X509_pop_free(certs, X509_free);
}

static void pr_signers(struct pr *p, CMS_ContentInfo *cms)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);

    pr_open(p, "signers", 1);
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
        ASN1_OCTET_STRING *keyid = NULL;
        X509_NAME *issuer = NULL;
        ASN1_INTEGER *sno = NULL;

        pr_open(p, NULL, 0);
        if (CMS_SignerInfo_get0_signer_id(sk_CMS_SignerInfo_value(sis, i), &keyid, &issuer,
                                          &sno) != 1) {
            pr_str(p, "sid", "?");
        } else if (keyid != NULL) {
            pr_hex(p, "subjectKeyIdentifier", ASN1_STRING_get0_data(keyid),
                   (size_t)ASN1_STRING_length(keyid));
        } else {
            pr_name(p, "issuer", issuer);
            pr_serial(p, "serialNumber", sno);
        }
        pr_close(p);
    }
    pr_close(p);
}

static cmc_err pr_signed_data(struct pr *p, CMS_ContentInfo *cms)
{
    const ASN1_OBJECT *ect = CMS_get0_eContentType(cms);
    ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
    const ASN1_OCTET_STRING *os = pos == NULL ? NULL : *pos;
    int nsig = sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms));
    int is_req = ect != NULL && OBJ_cmp(ect, cmc_oid_get0(CMC_OID_CCT_PKIDATA)) == 0;
    int is_resp = ect != NULL && OBJ_cmp(ect, cmc_oid_get0(CMC_OID_CCT_PKIRESPONSE)) == 0;
    ASN1_VALUE *body = NULL;
    const ASN1_ITEM *it = is_req ? ASN1_ITEM_rptr(CMC_PKIDATA) : ASN1_ITEM_rptr(CMC_PKIRESPONSE);

    if ((is_req || is_resp) && os != NULL) {
        CMC_GUARD(cmc_d2i_exact(it, ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os),
                                &body));
        pr_str(p, "type", is_req ? "Full PKI Request" : "Full PKI Response");
        pr_str(p, "wrapper", "CMS SignedData");
        pr_oid(p, "eContentType", ect);
        pr_signers(p, cms);
        pr_certs(p, cms);
        if (is_req)
            pr_pkidata(p, (CMC_PKIDATA *)body);
        else
            pr_pkiresponse(p, (CMC_PKIRESPONSE *)body);
        ASN1_item_free(body, it);
        return CMC_OK;
    }
    /* rfc5272bis §4.1: certs-only means no signers and no eContent; OpenSSL may hold an
     * empty id-data OCTET STRING there, which carries nothing either. */
    if (nsig <= 0 && (os == NULL || ASN1_STRING_length(os) == 0) &&
        (ect == NULL || OBJ_obj2nid(ect) == NID_pkcs7_data)) {
        pr_str(p, "type", "Simple PKI Response");
        pr_str(p, "wrapper", "CMS SignedData (certs-only)");
        pr_certs(p, cms);
        return CMC_OK;
    }
    pr_str(p, "type", "CMS SignedData");
    pr_oid(p, "eContentType", ect);
    pr_signers(p, cms);
    pr_certs(p, cms);
    return CMC_OK;
}

/* Decode exactly one object of a type with a d2i function; NULL when not. */
#define TRY_D2I(T, fn, der, len)                                                             \
    do {                                                                                     \
        const unsigned char *q_ = (der);                                                     \
        T *v_ = (len) <= LONG_MAX ? fn(NULL, &q_, (long)(len)) : NULL;                       \
        if (v_ != NULL && q_ != (der) + (len)) {                                             \
            T##_free(v_);                                                                    \
            v_ = NULL;                                                                       \
        }                                                                                    \
        found_##T = v_;                                                                      \
    } while (0)

static cmc_err print_der(struct pr *p, const uint8_t *der, size_t len)
{
    CMS_ContentInfo *found_CMS_ContentInfo = NULL;
    X509 *found_X509 = NULL;
    CMC_P10 *found_CMC_P10 = NULL;
    ASN1_VALUE *v = NULL;
    cmc_err rv = CMC_OK;

    TRY_D2I(CMS_ContentInfo, d2i_CMS_ContentInfo, der, len);
    if (found_CMS_ContentInfo != NULL) {
        if (OBJ_obj2nid(CMS_get0_type(found_CMS_ContentInfo)) == NID_pkcs7_signed) {
            rv = pr_signed_data(p, found_CMS_ContentInfo);
        } else {
            pr_str(p, "type", "CMS ContentInfo");
            pr_oid(p, "contentType", CMS_get0_type(found_CMS_ContentInfo));
        }
        CMS_ContentInfo_free(found_CMS_ContentInfo);
        return rv;
    }
    TRY_D2I(X509, d2i_X509, der, len);
    if (found_X509 != NULL) {
        pr_str(p, "type", "X.509 certificate");
        pr_cert(p, found_X509);
        X509_free(found_X509);
        return CMC_OK;
    }
    TRY_D2I(CMC_P10, d2i_CMC_P10, der, len);
    if (found_CMC_P10 != NULL) {
        pr_str(p, "type", "PKCS#10 certification request (Simple PKI Request)");
        pr_p10(p, found_CMC_P10);
        CMC_P10_free(found_CMC_P10);
        return CMC_OK;
    }
    if (cmc_d2i_exact(ASN1_ITEM_rptr(CMC_CERT_REQ_MSG), der, len, &v) == CMC_OK) {
        pr_str(p, "type", "CRMF CertReqMsg");
        pr_crm(p, (CMC_CERT_REQ_MSG *)v);
        CMC_CERT_REQ_MSG_free((CMC_CERT_REQ_MSG *)v);
        return CMC_OK;
    }
    if (cmc_d2i_exact(ASN1_ITEM_rptr(CMC_PKIDATA), der, len, &v) == CMC_OK) {
        pr_str(p, "type", "PKIData (unwrapped)");
        pr_pkidata(p, (CMC_PKIDATA *)v);
        CMC_PKIDATA_free((CMC_PKIDATA *)v);
        return CMC_OK;
    }
    if (cmc_d2i_exact(ASN1_ITEM_rptr(CMC_PKIRESPONSE), der, len, &v) == CMC_OK) {
        pr_str(p, "type", "PKIResponse (unwrapped)");
        pr_pkiresponse(p, (CMC_PKIRESPONSE *)v);
        CMC_PKIRESPONSE_free((CMC_PKIRESPONSE *)v);
        return CMC_OK;
    }
    ERR_clear_error();
    CMC_BAIL(CMC_ERR_DECODE,
             "not a CMC message, certificate, PKCS#10 or CRMF request (%zu bytes)", len);
}

static int looks_pem(const uint8_t *d, size_t len)
{
    static const char mark[] = "-----BEGIN";
    size_t i = 0;

    while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    return len - i >= sizeof(mark) - 1 && memcmp(d + i, mark, sizeof(mark) - 1) == 0;
}

/* Most PEM blocks one input may hold (a chain, a bundle of trust anchors). */
#define PR_MAX_PEM_BLOCKS 1000

/* One PEM block of a bundle, as an element of the "objects" list. A private key is never
 * printed: `cmc show` is for what may be shown. */
static cmc_err pr_pem_block(struct pr *p, const char *label, const unsigned char *data, long dlen)
{
    cmc_err rv = CMC_OK;

    pr_open(p, NULL, 0);
    if (strstr(label, "PRIVATE KEY") != NULL) {
        pr_str(p, "type", "private key (not shown)");
    } else if ((rv = print_der(p, data, (size_t)dlen)) != CMC_OK) {
        pr_str(p, "type", "unrecognised");
        pr_str(p, "pem", label);
        pr_str(p, "error", cmc_error_get0_message());
    }
    pr_close(p);
    return rv;
}

/* Every PEM block of @p der: one alone is printed as itself, several as a "PEM bundle"
 * whose "objects" are printed in order. */
static cmc_err pr_pem(struct pr *p, const uint8_t *der, size_t len)
{
    BIO *mem = BIO_new_mem_buf(der, (int)len);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long dlen = 0;
    int count = 0, bad = 0;
    cmc_err rv = CMC_OK;

    if (mem == NULL)
        return cmci_fail_ossl(CMC_ERR_NOMEM, "BIO_new_mem_buf");
    /* Count first, so a single block prints exactly as its DER would. */
    while (count <= PR_MAX_PEM_BLOCKS && PEM_read_bio(mem, &name, &header, &data, &dlen) == 1) {
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        name = header = NULL;
        data = NULL;
        count++;
    }
    ERR_clear_error();
    if (count == 0 || count > PR_MAX_PEM_BLOCKS) {
        BIO_free(mem);
        CMC_BAIL(CMC_ERR_DECODE, count == 0 ? "PEM input does not decode"
                                            : "more than %d PEM blocks", PR_MAX_PEM_BLOCKS);
    }
    (void)BIO_reset(mem);
    if (count > 1) {
        pr_str(p, "type", "PEM bundle");
        pr_num(p, "count", count);
        pr_open(p, "objects", 1);
    }
    for (int i = 0; i < count && PEM_read_bio(mem, &name, &header, &data, &dlen) == 1; i++) {
        if (count == 1) {
            rv = strstr(name, "PRIVATE KEY") != NULL
                     ? cmci_fail(CMC_ERR_DECODE, "a private key is not shown")
                     : print_der(p, data, (size_t)dlen);
        } else if (pr_pem_block(p, name, data, dlen) != CMC_OK) {
            bad++;
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        name = header = NULL;
        data = NULL;
    }
    ERR_clear_error();
    if (count > 1) {
        pr_close(p);
        p->complete = 1;
        if (bad > 0)
            rv = cmci_fail(CMC_ERR_DECODE, "%d of %d PEM blocks not recognised", bad, count);
    }
    BIO_free(mem);
    return rv;
}

cmc_err cmc_print_der(BIO *out, const uint8_t *der, size_t len, int json)
{
    struct pr p;
    cmc_err rv;

    CMC_ENSURE_REF(out);
    CMC_ENSURE_REF(der);
    CMC_ENSURE(len > 0 && len <= INT_MAX, CMC_ERR_DECODE, "empty or oversized input");
    memset(&p, 0, sizeof(p));
    p.out = out;
    p.json = json;
    p.first[0] = 1;
    if (json)
        pr_s(&p, "{");
    rv = looks_pem(der, len) ? pr_pem(&p, der, len) : print_der(&p, der, len);
    /* A bundle with an unrecognised block was still printed in full: close the JSON. */
    if (rv != CMC_OK && !p.complete)
        return rv;
    if (json)
        pr_s(&p, "}\n");
    if (p.err)
        return cmci_fail(CMC_ERR_IO, "writing the printout failed");
    return rv;
}
