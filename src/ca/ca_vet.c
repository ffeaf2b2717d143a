/* SPDX-License-Identifier: Apache-2.0 */
/* What a requester contributes to a certificate -- the subject Name and the requested
 * extensions the profile honours -- checked against RFC 5280 and re-encoded, so that the CA
 * signs only strict DER with valid content, never the request's own bytes. */
#include "ca/ca_local.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/*
 * Names. RFC 5280 §4.1.2.4 and Appendix A: Name ::= SEQUENCE OF RelativeDistinguishedName,
 * RDN ::= SET SIZE (1..MAX) OF AttributeTypeAndValue; DirectoryString values are
 * PrintableString or UTF8String when a CA encodes them ("CAs conforming to this profile
 * MUST use either the PrintableString or UTF8String encoding"), each SIZE (1..ub-...).
 * The upper bounds below are Appendix A's (ub-common-name 64, ...); attributes Appendix A
 * does not bound take X.520's, and attributes this table does not know take 256.
 */
#define T_PRINT 1u /* PrintableString */
#define T_UTF8 2u  /* UTF8String */
#define T_IA5 4u   /* IA5String */
#define T_DIR (T_PRINT | T_UTF8)

static const struct attr_rule {
    int nid;
    size_t ub; /* characters */
    unsigned types;
} attr_rules[] = {
    {NID_commonName, 64, T_DIR},            /* ub-common-name */
    {NID_surname, 32768, T_DIR},            /* ub-name */
    {NID_givenName, 32768, T_DIR},          /* ub-name */
    {NID_initials, 32768, T_DIR},           /* ub-name */
    {NID_generationQualifier, 32768, T_DIR}, /* ub-name */
    {NID_name, 32768, T_DIR},               /* ub-name */
    {NID_countryName, 2, T_PRINT},          /* ub-country-name-alpha-length, exactly 2 */
    {NID_localityName, 128, T_DIR},         /* ub-locality-name */
    {NID_stateOrProvinceName, 128, T_DIR},  /* ub-state-name */
    {NID_organizationName, 64, T_DIR},      /* ub-organization-name */
    {NID_organizationalUnitName, 64, T_DIR}, /* ub-organizational-unit-name */
    {NID_title, 64, T_DIR},                 /* ub-title */
    {NID_serialNumber, 64, T_PRINT},        /* ub-serial-number */
    {NID_dnQualifier, 256, T_PRINT},        /* PrintableString, unbounded */
    {NID_pseudonym, 128, T_DIR},            /* ub-pseudonym */
    {NID_pkcs9_emailAddress, 255, T_IA5},   /* ub-emailaddress-length */
    {NID_domainComponent, 63, T_IA5},       /* RFC 4519 IA5String; a DNS label's 63 */
    {NID_streetAddress, 128, T_DIR},        /* X.520 ub-street-address */
    {NID_postalCode, 40, T_DIR},            /* X.520 ub-postal-code */
    {NID_businessCategory, 128, T_DIR},     /* X.520 ub-business-category */
    {NID_description, 1024, T_DIR},         /* X.520 ub-description */
    {NID_userId, 256, T_DIR},               /* RFC 4519 UID */
};
static const struct attr_rule attr_other = {NID_undef, 256, T_DIR | T_IA5};

static const struct attr_rule *rule_of(int nid)
{
    for (size_t i = 0; i < sizeof(attr_rules) / sizeof(attr_rules[0]); i++)
        if (attr_rules[i].nid == nid)
            return &attr_rules[i];
    return &attr_other;
}

/* X.680 §41.4 PrintableString: A-Z a-z 0-9 space ' ( ) + , - . / : = ?
 * c != 0 first: strchr() finds the string's own terminating NUL, so without it a NUL byte
 * would pass as printable (the null-prefix CN "www.bank.com\0.evil.com"). */
static int printable_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
           || (c != 0 && strchr(" '()+,-./:=?", c) != NULL);
}

/*
 * Characters of a UTF-8 string, or a negative reason: not well-formed UTF-8 (RFC 3629 §4:
 * no overlong forms, no surrogates, nothing above U+10FFFF), or a control character (C0,
 * DEL, C1) -- a NUL byte in particular, which truncates the name for C readers.
 */
#define UTF8_BAD (-1L)
#define UTF8_CONTROL (-2L)
static long utf8_chars(const unsigned char *s, size_t n)
{
    long chars = 0;

    for (size_t i = 0; i < n; chars++) {
        unsigned long cp;
        size_t k;

        if (s[i] < 0x80) {
            cp = s[i];
            k = 1;
        } else if ((s[i] & 0xe0) == 0xc0) {
            cp = s[i] & 0x1fu;
            k = 2;
        } else if ((s[i] & 0xf0) == 0xe0) {
            cp = s[i] & 0x0fu;
            k = 3;
        } else if ((s[i] & 0xf8) == 0xf0) {
            cp = s[i] & 0x07u;
            k = 4;
        } else {
            return UTF8_BAD;
        }
        if (n - i < k)
            return UTF8_BAD;
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return UTF8_BAD;
            cp = (cp << 6) | (s[i + j] & 0x3fu);
        }
        if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000)
            || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return UTF8_BAD;
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
            return UTF8_CONTROL;
        i += k;
    }
    return chars;
}

/* One attribute value: string type, characters, size. @p what names it in messages. */
static cmc_err vet_value(const char *what, const char *attr, const struct attr_rule *r,
                         const ASN1_STRING *v)
{
    const unsigned char *d = ASN1_STRING_get0_data(v);
    size_t n = (size_t)ASN1_STRING_length(v);
    int type = ASN1_STRING_type(v);
    long chars = (long)n;

    if (type == V_ASN1_UTF8STRING && (r->types & T_UTF8)) {
        chars = utf8_chars(d, n);
        CMC_ENSURE(chars != UTF8_BAD, CMC_ERR_BAD_REQUEST, "%s %s: not valid UTF-8", what,
                   attr);
        CMC_ENSURE(chars != UTF8_CONTROL, CMC_ERR_BAD_REQUEST,
                   "%s %s: contains a control character (NUL included)", what, attr);
    } else if (type == V_ASN1_PRINTABLESTRING && (r->types & T_PRINT)) {
        for (size_t i = 0; i < n; i++)
            CMC_ENSURE(printable_char(d[i]), CMC_ERR_BAD_REQUEST,
                       "%s %s: a character PrintableString does not allow (X.680 §41.4)",
                       what, attr);
    } else if (type == V_ASN1_IA5STRING && (r->types & T_IA5)) {
        for (size_t i = 0; i < n; i++)
            CMC_ENSURE(d[i] >= 0x20 && d[i] < 0x7f, CMC_ERR_BAD_REQUEST,
                       "%s %s: a control or non-ASCII character in an IA5String", what, attr);
    } else {
        CMC_BAIL(CMC_ERR_BAD_REQUEST, "%s %s: a %s is not allowed (RFC 5280 §4.1.2.4: %s)",
                 what, attr, ASN1_tag2str(type),
                 r->types == T_PRINT ? "PrintableString"
                 : r->types == T_IA5 ? "IA5String"
                 : r->types == T_DIR ? "PrintableString or UTF8String"
                                     : "PrintableString, UTF8String or IA5String");
    }
    CMC_ENSURE(n > 0, CMC_ERR_BAD_REQUEST, "%s %s: empty value", what, attr);
    CMC_ENSURE((size_t)chars <= r->ub, CMC_ERR_BAD_REQUEST,
               "%s %s: longer than %zu characters (RFC 5280 Appendix A)", what, attr, r->ub);
    if (r->nid == NID_countryName)
        CMC_ENSURE(n == 2 && d[0] >= 'A' && d[0] <= 'Z' && d[1] >= 'A' && d[1] <= 'Z',
                   CMC_ERR_BAD_REQUEST, "%s countryName: not two capital letters (ISO 3166)",
                   what);
    if (r->nid == NID_pkcs9_emailAddress) {
        const unsigned char *at = memchr(d, '@', n);
        CMC_ENSURE(at != NULL && at != d && at != d + n - 1, CMC_ERR_BAD_REQUEST,
                   "%s emailAddress: not local-part@domain", what);
    }
    return CMC_OK;
}

/* One TLV of DER already checked by cmci_der_check: low tag numbers only (a Name has
 * nothing else). Returns 0 when @p p is at @p end or the identifier is not @p want. */
static int next_tlv(const uint8_t **p, const uint8_t *end, int want, const uint8_t **v,
                    size_t *n)
{
    const uint8_t *q = *p;
    size_t len;

    if (end - q < 2 || (want >= 0 && q[0] != want) || (q[0] & 0x1f) == 0x1f)
        return 0;
    q++;
    if (*q < 0x80) {
        len = *q++;
    } else {
        size_t nl = *q++ & 0x7fu;
        len = 0;
        while (nl-- > 0)
            len = (len << 8) | *q++;
    }
    *v = q;
    *n = len;
    *p = q + len;
    return 1;
}

/* OpenSSL's order for SET OF members (der_cmp in tasn_enc.c), which its re-encoding of a
 * multi-valued RDN follows: octets, then length. */
static int der_order(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);

    return c != 0 ? c : (na > nb) - (na < nb);
}

/*
 * Check the encoding of @p n: DER, a SEQUENCE OF non-empty SETs of SEQUENCE { OID, value }
 * with each multi-valued RDN's members in order. *sorted is 0 when only that order is off
 * (a re-encoding fixes it); anything else is refused.
 */
static cmc_err vet_name_der(const char *what, const X509_NAME *n, int *sorted)
{
    const unsigned char *der = NULL, *p, *end, *rdn, *rend, *ava, *v;
    size_t len = 0, rlen, alen, vlen;
    int entries = 0;

    *sorted = 1;
    CMC_ENSURE(X509_NAME_get0_der(n, &der, &len) == 1, CMC_ERR_NOMEM, "%s: encode", what);
    if (cmci_der_check(what, der, len) != CMC_OK)
        return CMC_ERR_BAD_REQUEST; /* the record says where */
    p = der;
    end = der + len;
    CMC_ENSURE(next_tlv(&p, end, 0x30, &rdn, &rlen) && p == end, CMC_ERR_BAD_REQUEST,
               "%s: not a Name", what);
    for (p = rdn, end = rdn + rlen; p < end;) {
        const uint8_t *prev = NULL;
        size_t prev_len = 0;

        CMC_ENSURE(next_tlv(&p, end, 0x31, &ava, &alen), CMC_ERR_BAD_REQUEST,
                   "%s: a RelativeDistinguishedName is not a SET", what);
        CMC_ENSURE(alen > 0, CMC_ERR_BAD_REQUEST,
                   "%s: an empty RelativeDistinguishedName (RFC 5280: SET SIZE (1..MAX))", what);
        for (rend = ava + alen; ava < rend; entries++) {
            const uint8_t *start = ava, *body, *q;
            size_t blen;

            CMC_ENSURE(next_tlv(&ava, rend, 0x30, &body, &blen), CMC_ERR_BAD_REQUEST,
                       "%s: an AttributeTypeAndValue is not a SEQUENCE", what);
            q = body;
            CMC_ENSURE(next_tlv(&q, body + blen, 0x06, &v, &vlen)
                           && next_tlv(&q, body + blen, -1, &v, &vlen) && q == body + blen,
                       CMC_ERR_BAD_REQUEST,
                       "%s: an AttributeTypeAndValue is not { type, one value }", what);
            if (prev != NULL && der_order(prev, prev_len, start, (size_t)(ava - start)) > 0)
                *sorted = 0;
            prev = start;
            prev_len = (size_t)(ava - start);
        }
    }
    /* every member the bytes hold is one entry of the decoded name, and no more */
    CMC_ENSURE(entries == X509_NAME_entry_count(n), CMC_ERR_BAD_REQUEST, "%s: not a Name",
               what);
    return CMC_OK;
}

/* A copy of @p n made from its entries, so encoded afresh (multi-valued RDNs sorted).
 * Ownership: new. */
static cmc_err name_reencode(const X509_NAME *n, X509_NAME **out)
{
    X509_NAME *fresh = X509_NAME_new();
    const unsigned char *der;
    size_t len;
    int last = -1;

    *out = NULL;
    CMC_ENSURE(fresh != NULL, CMC_ERR_NOMEM, "name");
    for (int i = 0; i < X509_NAME_entry_count(n); i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
        int set = X509_NAME_ENTRY_set(e);

        if (X509_NAME_add_entry(fresh, e, -1, set == last ? -1 : 0) != 1) {
            X509_NAME_free(fresh);
            return cmci_fail_ossl(CMC_ERR_NOMEM, "name");
        }
        last = set;
    }
    if (X509_NAME_get0_der(fresh, &der, &len) != 1) {
        X509_NAME_free(fresh);
        return cmci_fail_ossl(CMC_ERR_NOMEM, "name");
    }
    *out = fresh;
    return CMC_OK;
}

cmc_err cmci_vet_name(const char *what, const X509_NAME *n, X509_NAME **fresh)
{
    int sorted = 1, count = X509_NAME_entry_count(n);

    *fresh = NULL;
    /* RFC 5280 sets no bound on the number of RDNs; this CA does (docs/conformance.md), so
     * that a request cannot have thousands of attributes signed and stored */
    CMC_ENSURE(count <= CMCI_NAME_MAX_ATTRS, CMC_ERR_BAD_REQUEST,
               "%s: more than %d attributes (this CA's limit)", what, CMCI_NAME_MAX_ATTRS);
    /* the values first: OpenSSL cannot even encode a name holding invalid UTF-8 */
    for (int i = 0; i < count; i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
        const ASN1_OBJECT *o = X509_NAME_ENTRY_get_object(e);
        int nid = OBJ_obj2nid(o), set = X509_NAME_ENTRY_set(e);
        char buf[64];
        /* a known attribute's name is OpenSSL's constant: nothing formatted per entry */
        const char *attr = nid != NID_undef ? OBJ_nid2ln(nid) : NULL;

        if (attr == NULL) {
            attr = buf;
            if (OBJ_obj2txt(buf, sizeof(buf), o, 1) <= 0)
                snprintf(buf, sizeof(buf), "attribute %d", i + 1);
        }
        CMC_GUARD(vet_value(what, attr, rule_of(nid), X509_NAME_ENTRY_get_data(e)));
        /* A multi-valued RDN names one entry by several distinct attributes (X.501 §9.3:
         * "the set ... shall not contain two values of the same attribute type"); two
         * commonNames in one RDN make the name ambiguous for matching. Entries of one RDN
         * are adjacent, so only the ones just before are compared. */
        for (int k = i - 1; k >= 0 && X509_NAME_ENTRY_set(X509_NAME_get_entry(n, k)) == set;
             k--)
            CMC_ENSURE(OBJ_cmp(o, X509_NAME_ENTRY_get_object(X509_NAME_get_entry(n, k))) != 0,
                       CMC_ERR_BAD_REQUEST,
                       "%s %s: twice in one multi-valued RDN (X.501 §9.3)", what, attr);
    }
    CMC_GUARD(vet_name_der(what, n, &sorted));
    /* canonical already (the usual case): the bytes as they are are the re-encoding */
    return sorted ? CMC_OK : name_reencode(n, fresh);
}

/*
 * subjectAltName / issuerAltName entries (RFC 5280 §4.2.1.6): IA5String names non-empty,
 * printable ASCII (no NUL, no space); dNSName in the preferred name syntax (letter-digit-
 * hyphen labels of 1-63, 253 in all, "*." allowed first); rfc822Name local@domain; URI
 * absolute (a scheme); iPAddress 4 or 16 octets; directoryName a Name as above.
 * x400Address and ediPartyName are not accepted.
 */
static int ia5_ok(const ASN1_IA5STRING *s)
{
    const unsigned char *d = ASN1_STRING_get0_data(s);
    int n = ASN1_STRING_length(s);

    if (n <= 0 || n > 2048)
        return 0;
    for (int i = 0; i < n; i++)
        if (d[i] <= 0x20 || d[i] >= 0x7f)
            return 0;
    return 1;
}

static int dns_ok(const ASN1_IA5STRING *s)
{
    const unsigned char *d = ASN1_STRING_get0_data(s);
    size_t n = (size_t)ASN1_STRING_length(s), i = 0;

    if (n > 253)
        return 0;
    if (n > 2 && d[0] == '*' && d[1] == '.')
        i = 2;
    while (i < n) {
        size_t k = i;

        while (k < n && d[k] != '.') {
            if (!((d[k] >= 'a' && d[k] <= 'z') || (d[k] >= 'A' && d[k] <= 'Z')
                  || (d[k] >= '0' && d[k] <= '9') || d[k] == '-'))
                return 0;
            k++;
        }
        if (k == i || k - i > 63 || d[i] == '-' || d[k - 1] == '-')
            return 0;
        if (k < n && k == n - 1)
            return 0; /* a trailing dot */
        i = k + 1;
    }
    return n > 0;
}

static int uri_ok(const ASN1_IA5STRING *s)
{
    const unsigned char *d = ASN1_STRING_get0_data(s);
    int n = ASN1_STRING_length(s), i = 0;

    if (n < 2 || !((d[0] >= 'a' && d[0] <= 'z') || (d[0] >= 'A' && d[0] <= 'Z')))
        return 0;
    while (i < n && ((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' && d[i] <= 'Z')
                     || (d[i] >= '0' && d[i] <= '9') || d[i] == '+' || d[i] == '-'
                     || d[i] == '.'))
        i++;
    return i < n - 1 && d[i] == ':';
}

static int email_ok(const ASN1_IA5STRING *s)
{
    const unsigned char *d = ASN1_STRING_get0_data(s);
    int n = ASN1_STRING_length(s), at = -1;

    for (int i = 0; i < n; i++)
        if (d[i] == '@')
            at = i;
    return at > 0 && at < n - 1 && n <= 255;
}

/* An otherName value that is a UTF8String or IA5String: well-formed, no control
 * characters. Values of other types are the type's business. 1 when acceptable. */
static int othername_text_ok(const ASN1_TYPE *v)
{
    const ASN1_STRING *s;
    const unsigned char *d;
    int n;

    if (v == NULL || (v->type != V_ASN1_UTF8STRING && v->type != V_ASN1_IA5STRING))
        return 1;
    s = v->value.asn1_string;
    d = ASN1_STRING_get0_data(s);
    n = ASN1_STRING_length(s);
    if (v->type == V_ASN1_UTF8STRING)
        return utf8_chars(d, (size_t)n) >= 0;
    for (int i = 0; i < n; i++)
        if (d[i] < 0x20 || d[i] >= 0x7f)
            return 0;
    return 1;
}

/* One TLV of checked DER (cmci_der_check), any tag number: the encoding starts at *start,
 * its contents are [*body, *body + *blen), and *p moves past it. 0 when nothing is left. */
static int any_tlv(const uint8_t **p, const uint8_t *end, const uint8_t **start,
                   const uint8_t **body, size_t *blen)
{
    const uint8_t *q = *p;
    size_t len;

    if (q >= end)
        return 0;
    *start = q;
    if ((*q++ & 0x1f) == 0x1f)
        while (q < end && (*q++ & 0x80) != 0) {
        }
    if (q >= end)
        return 0;
    if (*q < 0x80) {
        len = *q++;
    } else {
        size_t nl = *q++ & 0x7fu;

        len = 0;
        while (nl-- > 0 && q < end)
            len = (len << 8) | *q++;
    }
    if ((size_t)(end - q) < len)
        return 0;
    *body = q;
    *blen = len;
    *p = q + len;
    return 1;
}

/*
 * X.690 §11.6: the members of a SET OF in DER are in ascending order of their encodings,
 * and §10.3 the components of a SET in the order of their tags. An otherName value is an
 * open type the CA cannot re-encode (OpenSSL keeps a SET's octets as they came), so every
 * SET in it is checked instead: members ordered by identifier (class and number, the
 * constructed bit aside), equal identifiers by their whole encodings -- which is §11.6
 * for a SET OF and §10.3 for a SET. @p depth is bounded by cmci_der_check's walk.
 */
static int sets_in_der_order(const uint8_t *p, const uint8_t *end, int depth)
{
    const uint8_t *start, *body;
    size_t blen;

    if (depth > 48)
        return 0;
    while (any_tlv(&p, end, &start, &body, &blen)) {
        if ((*start & 0x20) == 0)
            continue;
        if (*start == 0x31) {
            const uint8_t *q = body, *prev = NULL, *m, *mb;
            size_t prev_len = 0, ml;

            while (any_tlv(&q, body + blen, &m, &mb, &ml)) {
                size_t len = (size_t)(q - m);

                if (prev != NULL
                    && ((prev[0] & ~0x20) > (m[0] & ~0x20)
                        || ((prev[0] & ~0x20) == (m[0] & ~0x20)
                            && der_order(prev, prev_len, m, len) > 0)))
                    return 0;
                prev = m;
                prev_len = len;
            }
        }
        if (!sets_in_der_order(body, body + blen, depth + 1))
            return 0;
    }
    return 1;
}

/* The otherName value's DER: its SETs in DER order. Encoded only for otherNames (rare). */
static cmc_err othername_der_ok(const char *ext, int idx, const OTHERNAME *on)
{
    unsigned char *der = NULL;
    int len = i2d_ASN1_TYPE(on->value, &der);
    int ok;

    if (len <= 0) {
        OPENSSL_free(der);
        return cmci_fail_ossl(CMC_ERR_BAD_REQUEST, "%s name %d (otherName): value does not "
                                                   "encode", ext, idx);
    }
    ok = sets_in_der_order(der, der + len, 0);
    OPENSSL_free(der);
    CMC_ENSURE(ok, CMC_ERR_BAD_REQUEST, "%s name %d (otherName): a SET in the value is not in "
                                        "DER order (X.690 §11.6)", ext, idx);
    return CMC_OK;
}

static cmc_err vet_general_names(const char *ext, GENERAL_NAMES *gens)
{
    int n = sk_GENERAL_NAME_num(gens);

    CMC_ENSURE(n > 0, CMC_ERR_BAD_REQUEST, "%s: no names (SIZE (1..MAX))", ext);
    /* RFC 5280 sets no bound; this CA does (docs/conformance.md) */
    CMC_ENSURE(n <= CMCI_SAN_MAX_NAMES, CMC_ERR_BAD_REQUEST,
               "%s: more than %d names (this CA's limit)", ext, CMCI_SAN_MAX_NAMES);
    for (int i = 0; i < n; i++) {
        GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        X509_NAME *fresh = NULL;
        char what[96];

        switch (g->type) {
        case GEN_EMAIL:
            CMC_ENSURE(ia5_ok(g->d.rfc822Name) && email_ok(g->d.rfc822Name),
                       CMC_ERR_BAD_REQUEST,
                       "%s name %d (rfc822Name): not local-part@domain in printable ASCII",
                       ext, i + 1);
            break;
        case GEN_DNS:
            CMC_ENSURE(ia5_ok(g->d.dNSName) && dns_ok(g->d.dNSName), CMC_ERR_BAD_REQUEST,
                       "%s name %d (dNSName): not a host name (RFC 5280 §4.2.1.6)", ext, i + 1);
            break;
        case GEN_URI:
            CMC_ENSURE(ia5_ok(g->d.uniformResourceIdentifier) && uri_ok(g->d.uniformResourceIdentifier),
                       CMC_ERR_BAD_REQUEST,
                       "%s name %d (uniformResourceIdentifier): not an absolute URI", ext,
                       i + 1);
            break;
        case GEN_IPADD:
            CMC_ENSURE(ASN1_STRING_length(g->d.iPAddress) == 4
                           || ASN1_STRING_length(g->d.iPAddress) == 16,
                       CMC_ERR_BAD_REQUEST, "%s name %d (iPAddress): not 4 or 16 octets", ext,
                       i + 1);
            break;
        case GEN_DIRNAME:
            snprintf(what, sizeof(what), "%s name %d (directoryName)", ext, i + 1);
            /* RFC 5280 §4.2.1.6: "conforming CAs MUST NOT issue certificates with
             * subjectAltNames containing empty GeneralName fields" */
            CMC_ENSURE(X509_NAME_entry_count(g->d.directoryName) > 0, CMC_ERR_BAD_REQUEST,
                       "%s: an empty Name (RFC 5280 §4.2.1.6)", what);
            CMC_GUARD(cmci_vet_name(what, g->d.directoryName, &fresh));
            if (fresh != NULL) {
                X509_NAME_free(g->d.directoryName);
                g->d.directoryName = fresh;
            }
            break;
        case GEN_OTHERNAME:
            /* a typed value whose DER was checked; one that is a text string (a UPN, say,
             * is a UTF8String) gets the checks of names: no NUL or other control
             * character, which C readers would truncate at */
            CMC_ENSURE(othername_text_ok(g->d.otherName->value), CMC_ERR_BAD_REQUEST,
                       "%s name %d (otherName): a text value with a control character (NUL "
                       "included) or invalid UTF-8", ext, i + 1);
            CMC_GUARD(othername_der_ok(ext, i + 1, g->d.otherName));
            break;
        case GEN_RID:
            break; /* an OID */
        default:
            CMC_BAIL(CMC_ERR_BAD_REQUEST, "%s name %d: x400Address and ediPartyName are not "
                                          "accepted", ext, i + 1);
        }
    }
    return CMC_OK;
}

/* Checks of one decoded extension value beyond its syntax. */
static cmc_err vet_ext_value(const char *name, int nid, void *v)
{
    switch (nid) {
    case NID_subject_alt_name:
    case NID_issuer_alt_name:
        return vet_general_names(name, (GENERAL_NAMES *)v);
    case NID_key_usage: {
        ASN1_BIT_STRING *ku = (ASN1_BIT_STRING *)v;
        int any = 0;

        for (int i = 0; i < 9; i++)
            any |= ASN1_BIT_STRING_get_bit(ku, i);
        CMC_ENSURE(any, CMC_ERR_BAD_REQUEST, "%s: no bit set", name);
        /* RFC 5280 §4.2.1.3 names bits 0 (digitalSignature) to 8 (decipherOnly); a bit
         * above them means nothing this CA can vouch for */
        CMC_ENSURE(ASN1_STRING_length(ku) <= 2, CMC_ERR_BAD_REQUEST, "%s: unknown bits", name);
        for (int i = 9; i < 16; i++)
            CMC_ENSURE(!ASN1_BIT_STRING_get_bit(ku, i), CMC_ERR_BAD_REQUEST,
                       "%s: bit %d is not a keyUsage bit (RFC 5280 §4.2.1.3)", name, i);
        /* a named bit list is DER without trailing zero bits (X.690 §11.2.2): have i2d
         * compute the unused bits instead of keeping the received count */
        ku->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07L);
        return CMC_OK;
    }
    case NID_ext_key_usage:
    case NID_certificate_policies:
        CMC_ENSURE(OPENSSL_sk_num((const OPENSSL_STACK *)v) > 0, CMC_ERR_BAD_REQUEST, "%s: empty (SIZE (1..MAX))",
                   name);
        return CMC_OK;
    default:
        return CMC_OK;
    }
}

/* One requested extension, parsed strictly and encoded afresh: the certificate gets
 * i2d(d2i(extnValue)), never the request's octets. Ownership: *out is new. */
static cmc_err vet_ext(const X509_EXTENSION *in, int subject_empty, X509_EXTENSION **out)
{
    const ASN1_OBJECT *obj = X509_EXTENSION_get_object((X509_EXTENSION *)in);
    const ASN1_OCTET_STRING *data = X509_EXTENSION_get_data((X509_EXTENSION *)in);
    int nid = OBJ_obj2nid(obj);
    const X509V3_EXT_METHOD *m = X509V3_EXT_get_nid(nid);
    const char *name = OBJ_nid2sn(nid);
    int crit = X509_EXTENSION_get_critical(in) > 0;
    ASN1_VALUE *v = NULL;
    cmc_err rv;

    *out = NULL;
    /* parse_honor lets only extensions with an ASN.1 item be honoured */
    CMC_ENSURE(m != NULL && m->it != NULL, CMC_ERR_INTERNAL, "%s: no decoder", name);
    if (ASN1_STRING_length(data) <= 0
        || cmci_der_check(name, ASN1_STRING_get0_data(data), (size_t)ASN1_STRING_length(data))
               != CMC_OK)
        return cmci_fail(CMC_ERR_BAD_REQUEST, "requested %s: extnValue is not DER", name);
    if (cmc_d2i_exact(ASN1_ITEM_ptr(m->it), ASN1_STRING_get0_data(data),
                      (size_t)ASN1_STRING_length(data), &v) != CMC_OK) {
        ERR_clear_error();
        return cmci_fail(CMC_ERR_BAD_REQUEST, "requested %s: extnValue does not decode", name);
    }
    /* The criticality of the alternative names is the CA's to set, not the requester's:
     * RFC 5280 §4.2.1.6 makes subjectAltName critical exactly when the subject is empty,
     * §4.2.1.7 issuerAltName SHOULD NOT be critical. Other honoured extensions keep the
     * requested flag (a critical keyUsage is what §4.2.1.3 recommends). */
    if (nid == NID_subject_alt_name)
        crit = subject_empty;
    else if (nid == NID_issuer_alt_name)
        crit = 0;
    if ((rv = vet_ext_value(name, nid, v)) == CMC_OK
        && (*out = X509V3_EXT_i2d(nid, crit, v)) == NULL)
        rv = cmci_fail_ossl(CMC_ERR_NOMEM, "encode %s", name);
    ASN1_item_free(v, ASN1_ITEM_ptr(m->it));
    return rv;
}

cmc_err cmci_vet_extensions(const struct cmci_profile *p, const STACK_OF(X509_EXTENSION) *req,
                            int subject_empty, STACK_OF(X509_EXTENSION) **out)
{
    STACK_OF(X509_EXTENSION) *sk = NULL;
    cmc_err rv = CMC_OK;

    *out = NULL;
    for (int i = 0; i < sk_X509_EXTENSION_num(req); i++) {
        const X509_EXTENSION *e = sk_X509_EXTENSION_value(req, i);
        const ASN1_OBJECT *o = X509_EXTENSION_get_object((X509_EXTENSION *)e);
        X509_EXTENSION *fresh = NULL;

        /* RFC 5280 §4.2: "a certificate MUST NOT include more than one instance of a
         * particular extension"; which of two the requester meant is not ours to guess */
        for (int k = 0; k < i; k++) {
            if (OBJ_cmp(o, X509_EXTENSION_get_object(sk_X509_EXTENSION_value(req, k))) == 0) {
                char txt[64];

                if (OBJ_obj2nid(o) != NID_undef)
                    snprintf(txt, sizeof(txt), "%s", OBJ_nid2sn(OBJ_obj2nid(o)));
                else
                    OBJ_obj2txt(txt, sizeof(txt), o, 1);
                rv = cmci_fail(CMC_ERR_BAD_REQUEST, "requested %s: more than once", txt);
                goto out;
            }
        }
        if (!cmci_profile_honours(p, OBJ_obj2nid(o)))
            continue; /* dropped: never read */
        if ((rv = vet_ext(e, subject_empty, &fresh)) != CMC_OK)
            goto out;
        if ((sk == NULL && (sk = sk_X509_EXTENSION_new_null()) == NULL)
            || !sk_X509_EXTENSION_push(sk, fresh)) {
            X509_EXTENSION_free(fresh);
            rv = cmci_fail(CMC_ERR_NOMEM, "extensions");
            goto out;
        }
    }
    *out = sk;
    sk = NULL;
out:
    sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
    return rv;
}

/*
 * SubjectPublicKeyInfo. The key itself was decoded and checked before (asn1_p10.c: the
 * RSAPublicKey as DER, the EC point on its curve, EdDSA keys by OpenSSL), and the CA
 * encodes the SPKI afresh from its fields (i2d_CMC_SPKI, cmci_spki_copy_to): what is left
 * is the AlgorithmIdentifier, whose parameters each key type fixes.
 */
cmc_err cmci_vet_spki(const CMC_SPKI *spki, CMC_SPKI **fresh)
{
    const ASN1_OBJECT *obj = NULL;
    int ptype = V_ASN1_UNDEF, nid;
    CMC_SPKI *c;

    *fresh = NULL;
    X509_ALGOR_get0(&obj, &ptype, NULL, spki->algorithm);
    nid = OBJ_obj2nid(obj);
    switch (nid) {
    case NID_rsaEncryption:
        /* RFC 3279 §2.3.1, RFC 4055 §1.2: the parameters MUST be NULL. Absent ones are
         * tolerated on input (as OpenSSL does), and the certificate gets the NULL. */
        if (ptype == V_ASN1_NULL)
            return CMC_OK;
        CMC_ENSURE(ptype == V_ASN1_UNDEF, CMC_ERR_BAD_ALG,
                   "the rsaEncryption key's parameters must be NULL (RFC 3279 §2.3.1)");
        if ((c = CMC_SPKI_dup(spki)) == NULL
            || X509_ALGOR_set0(c->algorithm, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, NULL)
                   != 1) {
            CMC_SPKI_free(c);
            return cmci_fail_ossl(CMC_ERR_NOMEM, "public key");
        }
        *fresh = c;
        return CMC_OK;
    case NID_X9_62_id_ecPublicKey:
        /* RFC 5480 §2.1.1: namedCurve only */
        CMC_ENSURE(ptype == V_ASN1_OBJECT, CMC_ERR_BAD_ALG,
                   "the EC key's parameters must name its curve (RFC 5480 §2.1.1)");
        return CMC_OK;
    case NID_ED25519:
    case NID_ED448:
        CMC_ENSURE(ptype == V_ASN1_UNDEF, CMC_ERR_BAD_ALG,
                   "%s public key: the parameters must be absent, not even NULL (RFC 8410 §3)",
                   OBJ_nid2sn(nid));
        return CMC_OK;
    default:
        CMC_BAIL(CMC_ERR_BAD_ALG, "a %s key is not one this CA certifies",
                 nid != NID_undef ? OBJ_nid2ln(nid) : "unknown");
    }
}
