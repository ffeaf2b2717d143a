/* SPDX-License-Identifier: Apache-2.0 */
/* A strict DER reader for peer input: checks an encoding is DER (X.690 §10) before any
 * decoder sees it, because OpenSSL's d2i also takes BER. */
#include "asn1/asn1_local.h"
#include "core/core_error.h"

#include <string.h>

/*
 * OpenSSL's template decoder accepts BER: indefinite lengths, lengths in more octets than
 * needed, constructed (segmented) strings, BOOLEAN TRUE as any non-zero octet. A request
 * in such a form decodes, and parts of it (a Name, an extension) keep their received
 * octets when re-encoded, so the CA would sign non-DER bytes. This walk refuses them up
 * front, in one pass over the bytes and without allocating:
 *   - definite lengths only, in the fewest octets (X.690 §10.1), at most 4 length octets;
 *   - tag numbers in the fewest octets;
 *   - universal types: BOOLEAN 00/FF (§11.1), INTEGER and ENUMERATED in the fewest octets
 *     (§8.3.2), BIT STRING with 0-7 unused bits that are zero (§11.2), NULL empty, OBJECT
 *     IDENTIFIER sub-identifiers in the fewest octets (§8.19.2), UTCTime and
 *     GeneralizedTime ending in Z without a trailing fractional zero (§11.7, §11.8), every
 *     string type primitive (§10.2), SEQUENCE and SET constructed;
 *   - the contents of every constructed encoding are checked the same way, to a depth of
 *     CMCI_DER_MAX_DEPTH.
 * Not checked here: the order of SET OF elements (§11.6) and omitted DEFAULT values; Names
 * and extensions the CA signs are decoded and re-encoded anyway (src/ca/ca_vet.c).
 */
#define CMCI_DER_MAX_DEPTH 48

struct der_cur {
    const uint8_t *base; /* for offsets in messages */
    const char *what;
};

static cmc_err der_bad(const struct der_cur *c, const uint8_t *at, const char *why)
{
    return cmci_fail(CMC_ERR_DECODE, "%s is not DER: %s at offset %zu", c->what, why,
                     (size_t)(at - c->base));
}

static int is_string_tag(unsigned long tag)
{
    switch (tag) {
    case 3:  /* BIT STRING */
    case 4:  /* OCTET STRING */
    case 12: /* UTF8String */
    case 18: /* NumericString */
    case 19: /* PrintableString */
    case 20: /* TeletexString */
    case 21: /* VideotexString */
    case 22: /* IA5String */
    case 23: /* UTCTime */
    case 24: /* GeneralizedTime */
    case 25: /* GraphicString */
    case 26: /* VisibleString */
    case 27: /* GeneralString */
    case 28: /* UniversalString */
    case 30: /* BMPString */
        return 1;
    default:
        return 0;
    }
}

static int digits(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/* The universal types whose DER form is more than "primitive with a definite length". */
static cmc_err check_primitive(const struct der_cur *c, unsigned long tag, const uint8_t *v,
                               size_t n)
{
    switch (tag) {
    case 0:
        return der_bad(c, v, "end-of-contents octets");
    case 1: /* BOOLEAN */
        if (n != 1 || (v[0] != 0x00 && v[0] != 0xff))
            return der_bad(c, v, "BOOLEAN not 00 or FF");
        return CMC_OK;
    case 2:  /* INTEGER */
    case 10: /* ENUMERATED */
        if (n == 0 || (n > 1 && ((v[0] == 0x00 && v[1] < 0x80) || (v[0] == 0xff && v[1] >= 0x80))))
            return der_bad(c, v, "INTEGER not in the fewest octets");
        return CMC_OK;
    case 3: /* BIT STRING */
        if (n == 0 || v[0] > 7 || (n == 1 && v[0] != 0)
            || (n > 1 && (v[n - 1] & ((1u << v[0]) - 1u)) != 0))
            return der_bad(c, v, "BIT STRING unused bits");
        return CMC_OK;
    case 5: /* NULL */
        if (n != 0)
            return der_bad(c, v, "NULL with contents");
        return CMC_OK;
    case 6: /* OBJECT IDENTIFIER */
        if (n == 0 || (v[n - 1] & 0x80) != 0)
            return der_bad(c, v, "OBJECT IDENTIFIER truncated");
        for (size_t i = 0; i < n; i++)
            if (v[i] == 0x80 && (i == 0 || (v[i - 1] & 0x80) == 0))
                return der_bad(c, v, "OBJECT IDENTIFIER sub-identifier not in the fewest octets");
        return CMC_OK;
    case 23: /* UTCTime: YYMMDDHHMMSSZ */
        if (n != 13 || v[12] != 'Z' || !digits(v, 12))
            return der_bad(c, v, "UTCTime not YYMMDDHHMMSSZ");
        return CMC_OK;
    case 24: /* GeneralizedTime: YYYYMMDDHHMMSS[.f*]Z, no trailing zero in the fraction */
        if (n < 15 || v[n - 1] != 'Z' || !digits(v, 14)
            || (n > 15 && (v[14] != '.' || n < 17 || !digits(v + 15, n - 16) || v[n - 2] == '0')))
            return der_bad(c, v, "GeneralizedTime not YYYYMMDDHHMMSS[.f]Z");
        return CMC_OK;
    default:
        return CMC_OK;
    }
}

/* The TLVs of [p, end): each one DER, and nothing else. */
static cmc_err walk(const struct der_cur *c, const uint8_t *p, const uint8_t *end, int depth)
{
    if (depth > CMCI_DER_MAX_DEPTH)
        return der_bad(c, p, "nested too deeply");
    while (p < end) {
        const uint8_t *at = p;
        unsigned cls = *p >> 6, constructed = *p & 0x20;
        unsigned long tag = *p++ & 0x1f;
        size_t len;

        if (tag == 0x1f) { /* high tag number form: base 128, at most 4 octets */
            int k = 0;

            tag = 0;
            if (p < end && *p == 0x80)
                return der_bad(c, at, "tag number not in the fewest octets");
            do {
                if (p == end || ++k > 4)
                    return der_bad(c, at, "tag number too long");
                tag = (tag << 7) | (*p & 0x7f);
            } while (*p++ & 0x80);
            if (tag < 0x1f)
                return der_bad(c, at, "tag number not in the fewest octets");
        }
        if (p == end)
            return der_bad(c, at, "truncated");
        if (*p == 0x80)
            return der_bad(c, at, "indefinite length");
        if (*p < 0x80) {
            len = *p++;
        } else {
            size_t nl = *p++ & 0x7fu;

            if (nl > 4 || (size_t)(end - p) < nl)
                return der_bad(c, at, "length too long");
            if (*p == 0)
                return der_bad(c, at, "length not in the fewest octets");
            len = 0;
            for (size_t i = 0; i < nl; i++)
                len = (len << 8) | *p++;
            if (len < 0x80)
                return der_bad(c, at, "length not in the fewest octets");
        }
        if ((size_t)(end - p) < len)
            return der_bad(c, at, "truncated");
        if (cls == 0) { /* universal */
            if (constructed && is_string_tag(tag))
                return der_bad(c, at, "constructed string");
            if (!constructed && (tag == 16 || tag == 17))
                return der_bad(c, at, "primitive SEQUENCE or SET");
            if (!constructed)
                CMC_GUARD(check_primitive(c, tag, p, len));
        }
        if (constructed)
            CMC_GUARD(walk(c, p, p + len, depth + 1));
        p += len;
    }
    return CMC_OK;
}

cmc_err cmci_der_check(const char *what, const uint8_t *der, size_t len)
{
    struct der_cur c = {der, what};

    CMC_ENSURE(der != NULL && len > 0, CMC_ERR_DECODE, "%s is empty", what);
    return walk(&c, der, der + len, 0);
}
