/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The algorithm policy for everything a requester signs or digests (docs/conformance.md
 * "Algorithms"): the PKCS #10 signature and the CRMF POP signature (proof of possession),
 * and every SignerInfo of a Full PKI Request's SignedData. Each is checked here, before
 * anything is verified, so a weak algorithm is refused as badAlg whichever verification
 * path would have taken it.
 *
 * Accepted: SHA-256, SHA-384, SHA-512 and SHA3-256/384/512; RSA PKCS #1 v1.5, RSASSA-PSS
 * (hash and MGF1 hash from that set) and ECDSA with them (ECDSA with SHA3 only where
 * OpenSSL can verify it: not 3.0); Ed25519 and Ed448 (RFC 8410).
 * MD5 (and MD2/MD4) never. SHA-1 only where the configuration allows it: rfc5274bis §4.2
 * lets servers keep the old algorithms for old clients but steers them to SHA-256.
 *
 * The checks compare NIDs: the ASN.1 decoder already resolved each OID to its NID, so the
 * Simple P-256 path pays a switch statement, nothing more.
 */
#include "ca/ca_local.h"

#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

enum alg_class {
    ALG_OK = 0,
    ALG_SHA1 = 1,    /* refused unless allow_sha1 */
    ALG_BROKEN = 2,  /* MD5, MD4, MD2: never */
    ALG_REFUSED = 3  /* anything else this CA does not take */
};

static enum alg_class worse(enum alg_class a, enum alg_class b)
{
    return a > b ? a : b;
}

static enum alg_class digest_class(int nid)
{
    switch (nid) {
    case NID_sha256:
    case NID_sha384:
    case NID_sha512:
    case NID_sha3_256:
    case NID_sha3_384:
    case NID_sha3_512:
        return ALG_OK;
    case NID_sha1:
        return ALG_SHA1;
    case NID_md5:
    case NID_md5_sha1:
    case NID_md4:
    case NID_md2:
        return ALG_BROKEN;
    default:
        return ALG_REFUSED;
    }
}

/* An algorithm's name for a statusString: OpenSSL's long name, or the dotted OID. */
static const char *alg_name(const ASN1_OBJECT *o, char *buf, size_t len)
{
    int nid = OBJ_obj2nid(o);

    if (nid != NID_undef && OBJ_nid2ln(nid) != NULL)
        return OBJ_nid2ln(nid);
    if (o == NULL || OBJ_obj2txt(buf, (int)len, o, 1) <= 0)
        snprintf(buf, len, "an unreadable algorithm identifier");
    return buf;
}

/*
 * RSASSA-PSS (RFC 4055 §3.1): the hash and the MGF1 hash are in the parameters, and an
 * absent field means SHA-1. Decoded only for PSS signatures, which are rare.
 */
static enum alg_class pss_class(const X509_ALGOR *alg, char *name, size_t len)
{
    RSA_PSS_PARAMS *pss = NULL;
    X509_ALGOR *mgf_md = NULL;
    int hash = NID_sha1, mgf_hash = NID_sha1;
    enum alg_class c;

    if (alg->parameter != NULL && alg->parameter->type != V_ASN1_SEQUENCE) {
        snprintf(name, len, "RSASSA-PSS with malformed parameters");
        return ALG_REFUSED;
    }
    if (alg->parameter != NULL
        && (pss = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), alg->parameter))
               == NULL) {
        ERR_clear_error();
        snprintf(name, len, "RSASSA-PSS with malformed parameters");
        return ALG_REFUSED;
    }
    if (pss != NULL && pss->hashAlgorithm != NULL)
        hash = OBJ_obj2nid(pss->hashAlgorithm->algorithm);
    if (pss != NULL && pss->maskGenAlgorithm != NULL) {
        if (OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1
            || pss->maskGenAlgorithm->parameter == NULL
            || pss->maskGenAlgorithm->parameter->type != V_ASN1_SEQUENCE
            || (mgf_md = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR),
                                                   pss->maskGenAlgorithm->parameter))
                   == NULL) {
            RSA_PSS_PARAMS_free(pss);
            ERR_clear_error();
            snprintf(name, len, "RSASSA-PSS with a mask generation function other than MGF1");
            return ALG_REFUSED;
        }
        mgf_hash = OBJ_obj2nid(mgf_md->algorithm);
    }
    c = worse(digest_class(hash), digest_class(mgf_hash));
    snprintf(name, len, "RSASSA-PSS with %s and MGF1 with %s",
             hash != NID_undef ? OBJ_nid2ln(hash) : "an unknown hash",
             mgf_hash != NID_undef ? OBJ_nid2ln(mgf_hash) : "an unknown hash");
    X509_ALGOR_free(mgf_md);
    RSA_PSS_PARAMS_free(pss);
    ERR_clear_error();
    return c;
}

/*
 * The class of signature algorithm @p alg. In a SignerInfo (@p in_cms) the bare key
 * algorithm is taken too: rsaEncryption (RFC 3370 §3.2, what OpenSSL writes for RSA) and
 * id-ecPublicKey (which OpenSSL and verify_direct accept); the digest is then the
 * SignerInfo's digestAlgorithm, which is checked on its own.
 * @p name receives the algorithm's name when it is not one the switch knows.
 */
static enum alg_class signature_class(const X509_ALGOR *alg, int in_cms, const char **name,
                                      char *buf, size_t len)
{
    int nid = OBJ_obj2nid(alg->algorithm), dig = NID_undef, pk = NID_undef;

    *name = NULL;
    switch (nid) {
    case NID_sha256WithRSAEncryption:
    case NID_sha384WithRSAEncryption:
    case NID_sha512WithRSAEncryption:
    case NID_RSA_SHA3_256:
    case NID_RSA_SHA3_384:
    case NID_RSA_SHA3_512:
    case NID_ecdsa_with_SHA256:
    case NID_ecdsa_with_SHA384:
    case NID_ecdsa_with_SHA512:
        return ALG_OK;
    case NID_ecdsa_with_SHA3_256:
    case NID_ecdsa_with_SHA3_384:
    case NID_ecdsa_with_SHA3_512:
        /* OpenSSL 3.0 cannot verify these (no signature table entry; 3.2 has one): refuse
         * them by name rather than answer "does not verify" */
        if (OBJ_find_sigid_algs(nid, &dig, &pk))
            return ALG_OK;
        break;
    case NID_ED25519:
    case NID_ED448:
        /* RFC 8410 §3: the parameters MUST be absent (a NULL is not absent) */
        if (alg->parameter == NULL)
            return ALG_OK;
        snprintf(buf, len, "%s with parameters (RFC 8410 §3: they must be absent)",
                 OBJ_nid2ln(nid));
        *name = buf;
        return ALG_REFUSED;
    case NID_rsaEncryption:
    case NID_X9_62_id_ecPublicKey:
        if (in_cms)
            return ALG_OK;
        break;
    case NID_rsassaPss:
        *name = buf;
        return pss_class(alg, buf, len);
    default:
        break;
    }
    *name = alg_name(alg->algorithm, buf, len);
    /* sha1WithRSAEncryption, ecdsa-with-SHA1, md5WithRSAEncryption, ...: the class of the
     * digest when the key algorithm is one we take (DSA is not) */
    if (OBJ_find_sigid_algs(nid, &dig, &pk)
        && (pk == NID_rsaEncryption || pk == NID_X9_62_id_ecPublicKey)) {
        enum alg_class c = digest_class(dig);
        return c == ALG_OK ? ALG_REFUSED : c; /* an accepted one was matched above */
    }
    return ALG_REFUSED;
}

/* The error for class @p c; SHA-1 was refused by @p scope followed by @p scope_name. The
 * statusString names the algorithm (and never contains " [", where
 * cmci_error_public_text cuts the source location off). Formatted only on refusal. */
static cmc_err refuse(enum alg_class c, const char *what, const char *name, const char *scope,
                      const char *scope_name)
{
    switch (c) {
    case ALG_SHA1:
        CMC_BAIL(CMC_ERR_BAD_ALG, "%s uses %s: SHA-1 is refused by %s%s (rfc5274bis §4.2: use "
                                  "SHA-256)", what, name, scope, scope_name);
    case ALG_BROKEN:
        CMC_BAIL(CMC_ERR_BAD_ALG, "%s uses %s: MD5, MD4 and MD2 are never accepted", what, name);
    default:
        CMC_BAIL(CMC_ERR_BAD_ALG, "%s uses %s, which this CA does not accept", what, name);
    }
}

cmc_err cmci_alg_check_signature(const X509_ALGOR *sig_alg, const struct cmci_profile *p,
                                 const char *what)
{
    char buf[128];
    const char *name;
    enum alg_class c;

    CMC_ENSURE(sig_alg != NULL && sig_alg->algorithm != NULL, CMC_ERR_BAD_ALG,
               "%s has no algorithm identifier", what);
    c = signature_class(sig_alg, 0, &name, buf, sizeof(buf));
    if (c == ALG_OK || (c == ALG_SHA1 && p->allow_sha1))
        return CMC_OK;
    return refuse(c, what, name, "profile ", p->name);
}

/* RFC 8419 §3.1: Ed448 SignerInfos digest with SHAKE256 (id-shake256, or id-shake256-len
 * 2.16.840.1.101.3.4.2.18, which OpenSSL 3.0 has no NID for). */
static int is_shake256(const ASN1_OBJECT *o)
{
    static const unsigned char shake256_len[] = {0x60, 0x86, 0x48, 0x01, 0x65,
                                                 0x03, 0x04, 0x02, 0x12};

    return OBJ_obj2nid(o) == NID_shake256
           || (OBJ_length(o) == sizeof(shake256_len)
               && memcmp(OBJ_get0_data(o), shake256_len, sizeof(shake256_len)) == 0);
}

/* The key of a signer certificate carried in the SignedData: RSA of at least
 * CMCI_RSA_MIN_BITS, EC on P-256, P-384 or P-521 named in the certificate (RFC 5480
 * §2.1.1: explicit parameters are not taken), Ed25519 or Ed448. */
static cmc_err check_signer_cert_key(X509 *x, int idx)
{
    X509_PUBKEY *xpk = X509_get_X509_PUBKEY(x);
    EVP_PKEY *pkey = X509_get0_pubkey(x);
    ASN1_OBJECT *ppkalg = NULL;
    X509_ALGOR *pa = NULL;
    int nid;

    if (xpk == NULL || X509_PUBKEY_get0_param(&ppkalg, NULL, NULL, &pa, xpk) != 1 || pkey == NULL) {
        ERR_clear_error();
        CMC_BAIL(CMC_ERR_BAD_ALG, "the certificate of SignerInfo %d has an unreadable key", idx);
    }
    switch (OBJ_obj2nid(ppkalg)) {
    case NID_rsaEncryption:
    case NID_rsassaPss:
        CMC_ENSURE(EVP_PKEY_get_bits(pkey) >= CMCI_RSA_MIN_BITS, CMC_ERR_BAD_ALG,
                   "the certificate of SignerInfo %d has an RSA-%d key: at least %d bits are "
                   "required", idx, EVP_PKEY_get_bits(pkey), CMCI_RSA_MIN_BITS);
        return CMC_OK;
    case NID_X9_62_id_ecPublicKey:
        CMC_ENSURE(pa != NULL && pa->parameter != NULL && pa->parameter->type == V_ASN1_OBJECT,
                   CMC_ERR_BAD_ALG, "the certificate of SignerInfo %d has an EC key without a "
                   "named curve", idx);
        nid = OBJ_obj2nid(pa->parameter->value.object);
        CMC_ENSURE(nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 || nid == NID_secp521r1,
                   CMC_ERR_BAD_ALG, "the certificate of SignerInfo %d has an EC key on %s: "
                   "P-256, P-384 or P-521 are accepted", idx,
                   nid != NID_undef ? OBJ_nid2sn(nid) : "an unknown curve");
        return CMC_OK;
    case NID_ED25519:
    case NID_ED448:
        return CMC_OK;
    default:
        CMC_BAIL(CMC_ERR_BAD_ALG, "the certificate of SignerInfo %d has a %s key, which this CA "
                                  "does not accept", idx,
                 OBJ_obj2nid(ppkalg) != NID_undef ? OBJ_nid2ln(OBJ_obj2nid(ppkalg)) : "unknown");
    }
}

cmc_err cmci_alg_check_signed_data(const struct cmci_ca *ca, CMS_ContentInfo *cms)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    STACK_OF(X509) *certs = NULL;
    const char *scope = "this CA for the SignedData wrapper";
    cmc_err rv = CMC_OK;

    /* The SignedData's digestAlgorithms SET is not read: it is a hint for one-pass
     * processing (RFC 5652 §5.1), and neither path verifies with it. */
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
        X509_ALGOR *dig = NULL, *sig = NULL;
        char what[48], buf[128], dname[160];
        const char *name;
        enum alg_class c;

        snprintf(what, sizeof(what), "SignerInfo %d of the SignedData", i + 1);
        CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
        CMC_ENSURE(dig != NULL && sig != NULL, CMC_ERR_BAD_ALG, "%s has no algorithms", what);
        c = signature_class(sig, 1, &name, buf, sizeof(buf));
        if (c != ALG_OK && !(c == ALG_SHA1 && ca->allow_sha1))
            return refuse(c, what, name, scope, "");
        c = digest_class(OBJ_obj2nid(dig->algorithm));
        if (c == ALG_REFUSED && OBJ_obj2nid(sig->algorithm) == NID_ED448
            && is_shake256(dig->algorithm))
            c = ALG_OK;
        if (c != ALG_OK && !(c == ALG_SHA1 && ca->allow_sha1)) {
            snprintf(dname, sizeof(dname), "the digest %s",
                     alg_name(dig->algorithm, buf, sizeof(buf)));
            return refuse(c, what, dname, scope, "");
        }
        /* A signatureAlgorithm that names a digest (ecdsa-with-SHA512, sha256WithRSA...)
         * names the digestAlgorithm's (RFC 5753 §2.1.1, RFC 5754 §3): else the SignerInfo
         * says one thing and is checked as another -- OpenSSL's CMS verifies with the
         * digestAlgorithm and does not look at the digest in the signatureAlgorithm. */
        {
            int sdig = NID_undef, spk = NID_undef;

            if (OBJ_find_sigid_algs(OBJ_obj2nid(sig->algorithm), &sdig, &spk) && sdig != NID_undef
                && sdig != OBJ_obj2nid(dig->algorithm))
                CMC_BAIL(CMC_ERR_BAD_ALG, "%s: its signatureAlgorithm %s names another digest "
                         "than its digestAlgorithm %s", what,
                         OBJ_nid2ln(OBJ_obj2nid(sig->algorithm)),
                         alg_name(dig->algorithm, buf, sizeof(buf)));
        }
    }

    /* The signers' own keys, for the signer certificates the SignedData carries (an
     * operator or RA). Chains are held to the same floor by the signer_trust store's
     * authentication level (ca_config.c). No allocation when no certificate is carried, as
     * for a request signed by the key being certified. */
    ERR_clear_error();
    certs = CMS_get1_certs(cms);
    /* NULL is also what "no memory" looks like: fail closed, not unchecked */
    if (certs == NULL && ERR_peek_error() != 0)
        return cmci_fail_ossl(CMC_ERR_NOMEM, "the SignedData's certificates");
    for (int j = 0; j < sk_X509_num(certs) && rv == CMC_OK; j++)
        for (int i = 0; i < sk_CMS_SignerInfo_num(sis) && rv == CMC_OK; i++)
            if (CMS_SignerInfo_cert_cmp(sk_CMS_SignerInfo_value(sis, i), sk_X509_value(certs, j))
                == 0)
                rv = check_signer_cert_key(sk_X509_value(certs, j), i + 1);
    sk_X509_pop_free(certs, X509_free);
    ERR_clear_error();
    return rv;
}
