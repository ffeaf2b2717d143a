/* SPDX-License-Identifier: Apache-2.0 */
/* cmc/client.h: the CMC client: build Simple and Full PKI Requests, check and read the
 * responses, and enroll over HTTP in one call (rfc5272bis §3, §4; rfc5273bis §3). */
#ifndef CMC_CLIENT_H
#define CMC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cmc/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * IMPORTANT: the client library never prints and never exits; every outcome is a cmc_err
 * plus, for enrollment, a struct cmc_enroll_result. Tools decide what to tell the user.
 */

/* Media types of rfc5273bis §3. The smime-type parameter is matched case-insensitively by
 * servers; we send the spelling of the draft's table. */
#define CMC_MEDIA_PKCS10 "application/pkcs10"
#define CMC_MEDIA_CMC_REQUEST "application/pkcs7-mime; smime-type=CMC-request"

/** Longest subjectAltName dNSName list a request may carry. */
#define CMC_CLIENT_MAX_DNS 32
/** Largest response body the HTTP enrollment accepts. */
#define CMC_CLIENT_MAX_RESPONSE (1024 * 1024)

/**
 * Generate a key. @p type is one of "rsa:2048", "rsa:3072", "rsa:4096", "ec:P-256",
 * "ec:P-384", "ed25519", "ed448".
 * @return CMC_OK, CMC_ERR_USAGE for an unknown type, CMC_ERR_CRYPTO.
 * Ownership: *out is new (EVP_PKEY_free); NULL on failure.
 */
CMC_API cmc_err cmc_client_keygen(const char *type, EVP_PKEY **out) CMC_WUR;

/**
 * Parse a distinguished name in the OpenSSL command-line form "/CN=x/O=y" (RFC 4514
 * order reversed, most significant RDN first). A backslash escapes the next character, so
 * "/CN=a\/b" is the common name "a/b". "" and "/" give the empty Name.
 * @return CMC_OK or CMC_ERR_USAGE (unknown attribute, missing '=', empty value).
 * Ownership: *out is new (X509_NAME_free); NULL on failure.
 */
CMC_API cmc_err cmc_client_parse_dn(const char *dn, X509_NAME **out) CMC_WUR;

/** What to ask for. Everything is borrowed for the duration of the call only. */
struct cmc_request_params {
    const char *subject;          /**< "/CN=x/O=y"; required (may be "" for an empty Name) */
    EVP_PKEY *key;                /**< the key being certified (private part needed for POP) */
    const char *const *dns;       /**< subjectAltName dNSNames, or NULL */
    size_t dns_count;             /**< at most CMC_CLIENT_MAX_DNS */
    int full;                     /**< 0: Simple PKI Request (PKCS #10); 1: Full PKI Request */
    int crmf;                     /**< Full only: CRMF CertReqMsg instead of PKCS #10 */
    const char *profile;          /**< Full only: regInfo "profile=NAME", or NULL */
    X509 *signer_cert;            /**< Full only: operator/RA cert signing the SignedData, or NULL
                                       (then the key being certified signs, sid = SKI) */
    EVP_PKEY *signer_key;         /**< private key of signer_cert */
    STACK_OF(X509) *signer_chain; /**< extra certs for the SignedData bag, or NULL */
};

/** A built request and what the response must echo. Opaque. */
struct cmc_client_req;

/**
 * Build a request.
 *
 * Simple: a PKCS #10 signed by @p p->key (SHA-256; no digest for Ed25519), with an
 * extensionRequest for the subjectAltName when dNSNames are given.
 *
 * Full: ContentInfo(SignedData{eContentType id-cct-PKIData, PKIData}) with controls
 * transactionId (random positive INTEGER), senderNonce (16 random bytes) and, when a
 * profile is named, regInfo "profile=NAME"; one TaggedRequest (tcr PKCS #10 with
 * bodyPartID 1, or crm CertReqMsg with certReqId 1 and a POPOSigningKey POP without
 * poposkInput, rfc5272bis §3.2.1.3.2). Controls take bodyPartIDs 2, 3, 4.
 * Without a signer certificate the key being certified signs the SignedData: the request
 * then carries a subjectKeyIdentifier extension (SHA-1 of the public key bits) and the one
 * SignerInfo names it as its sid (rfc5272bis §3.2.1.3.1).
 *
 * @return CMC_OK, CMC_ERR_USAGE (bad parameters or DN), CMC_ERR_CRYPTO, CMC_ERR_NOMEM.
 * Ownership: *out is new (cmc_client_req_free); NULL on failure. Nothing of @p p is kept
 * except an up-ref of p->key.
 */
CMC_API cmc_err cmc_client_req_new(const struct cmc_request_params *p,
                                   struct cmc_client_req **out) CMC_WUR;
CMC_API void cmc_client_req_free(struct cmc_client_req *req);

/** The DER bytes to send. Ownership: get0, valid until cmc_client_req_free. */
CMC_API const uint8_t *cmc_client_req_get0_der(const struct cmc_client_req *req,
                                               size_t *len);
/** CMC_MEDIA_PKCS10 or CMC_MEDIA_CMC_REQUEST. Ownership: get0, static. */
CMC_API const char *cmc_client_req_get0_content_type(const struct cmc_client_req *req);
/** 1 for a Full PKI Request. */
CMC_API int cmc_client_req_is_full(const struct cmc_client_req *req);

/** One status control found in a Full PKI Response (rfc5272bis §6.1). */
struct cmc_status_report {
    int version;                /**< 1: statusInfo (id-cmc 1); 2: statusInfoV2 (id-cmc 25) */
    long status;                /**< CMCStatus */
    const char *status_name;    /**< "failed" (static) */
    long fail_info;             /**< CMCFailInfo, or -1 when the status carries none */
    const char *fail_info_name; /**< "badRequest" (static), or NULL */
    char *status_string;        /**< UTF-8, NUL-terminated, or NULL */
    uint32_t *body_list;        /**< bodyPartIDs (for a bodyPartPath: its last element) */
    size_t body_count;
};

/** What an enrollment produced. Every pointer is owned by the result. */
struct cmc_enroll_result {
    int full_response;        /**< 1: Full PKI Response; 0: Simple (certs-only) */
    long http_status;         /**< set by cmc_client_enroll; 0 when no HTTP was done */
    X509 *cert;               /**< the issued certificate, or NULL */
    STACK_OF(X509) *chain;    /**< issuer certificates up to the CA certificate, or NULL */
    /* Summary: the first status that is not success, else success. When the response held
     * no status at all it is success (rfc5272bis §6.1). */
    long status;
    const char *status_name;
    long fail_info;
    const char *fail_info_name;
    const char *status_string; /**< points into statuses[], or NULL */
    struct cmc_status_report *statuses;
    size_t status_count;
};

/** Ownership: frees everything the result holds; NULL is a no-op. */
CMC_API void cmc_enroll_result_free(struct cmc_enroll_result *res);

/**
 * Check and read a response to @p req.
 *
 * Full PKI Response: the SignedData signature must verify and its signer must be
 * @p ca_cert or chain to it (certificates in the bag are untrusted intermediates); the
 * PKIResponse must echo our transactionId and carry our senderNonce as recipientNonce
 * (rfc5272bis §6.6). Every statusInfoV2 and statusInfo is collected.
 * Simple PKI Response: a certs-only SignedData without SignerInfo.
 * In both, the issued certificate is the one whose public key is ours; it must chain to
 * @p ca_cert.
 *
 * @return CMC_OK with a certificate; a code mapped from the CMC status when the server
 * refused (the result is still returned, with the names and statusString):
 *   badIdentity, authDataFail -> CMC_ERR_NOT_AUTHORIZED; pending, tryLater ->
 *   CMC_ERR_PENDING; popRequired, popFailed -> CMC_ERR_BAD_POP; badAlg, badMessageCheck,
 *   badTime, badCertId, unsupportedExt have their own codes; noSupport ->
 *   CMC_ERR_UNSUPPORTED; anything else -> CMC_ERR_BAD_REQUEST.
 * CMC_ERR_DECODE for malformed bytes, CMC_ERR_VERIFY when the signature or a chain does
 * not verify or the certificate is not for our key, CMC_ERR_REPLAY for a transactionId or
 * nonce mismatch.
 * Ownership: *out is new (cmc_enroll_result_free) whenever the response could be decoded
 * and verified, even when a CMC failure is returned; otherwise NULL. @p ca_cert is
 * borrowed.
 */
CMC_API cmc_err cmc_client_parse_response(const struct cmc_client_req *req, X509 *ca_cert,
                                          const uint8_t *der, size_t len,
                                          struct cmc_enroll_result **out) CMC_WUR;

/**
 * Sends @p body and returns the response body. The transport of cmc_client_enroll_with;
 * tests use it to call the engine in-process.
 * Ownership: *resp is new (OPENSSL_free); *http_status may be left 0.
 */
typedef cmc_err (*cmc_client_post_cb)(void *arg, const char *content_type,
                                      const uint8_t *body, size_t len, uint8_t **resp,
                                      size_t *resp_len, long *http_status);

/** Everything one enrollment needs. Borrowed for the duration of the call. */
struct cmc_enroll_params {
    const char *url;        /**< server URL, e.g. "http://127.0.0.1:8080/cmc" */
    X509 *ca_cert;          /**< the CA certificate responses must chain to */
    struct cmc_request_params req;
    unsigned timeout_s;     /**< whole-exchange timeout; 0 means 30 s */
    const char *tls_ca_file; /**< https: PEM file of the CA certificates the server's TLS
                                  certificate must chain to; NULL: the system's store */
};

/**
 * Build the request, send it through @p post, check and read the response.
 * @return as cmc_client_parse_response, plus the transport's error codes.
 * Ownership: *out as cmc_client_parse_response.
 */
CMC_API cmc_err cmc_client_enroll_with(const struct cmc_enroll_params *p,
                                       cmc_client_post_cb post, void *post_arg,
                                       struct cmc_enroll_result **out) CMC_WUR;

/**
 * Enroll over HTTP (rfc5273bis §3): POST to p->url with Content-Type application/pkcs10
 * (simple) or application/pkcs7-mime; smime-type=CMC-request (full). The URL must be
 * http:// or https:// (CMC_ERR_USAGE otherwise, before anything is built). A non-2xx answer is
 * CMC_ERR_HTTP (result->http_status holds it when *out is set); network errors are
 * CMC_ERR_TRANSPORT. Lives in the cmc_client library (links the HTTP transport).
 * Ownership: *out as cmc_client_parse_response.
 */
CMC_API cmc_err cmc_client_enroll(const struct cmc_enroll_params *p,
                                  struct cmc_enroll_result **out) CMC_WUR;

#ifdef __cplusplus
}
#endif
#endif
