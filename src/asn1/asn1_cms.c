/* SPDX-License-Identifier: Apache-2.0 */
/* CMS pieces OpenSSL 3.0 does not expose: the DER a SignerInfo's signature covers. Shared by
 * the server's direct signature check (engine_signer.c) and the client's EdDSA signer
 * (msg_request.c), which OpenSSL 3.0's CMS cannot do (RFC 8419). */
#include "asn1/asn1_local.h"

#include <openssl/asn1t.h>

#include "core/core_error.h"

/* SignedAttributes ::= SET SIZE (1..MAX) OF Attribute. RFC 5652 §5.4: the signature is over
 * the DER of the SET OF, with the SET tag, whatever the [0] IMPLICIT form sent; DER sorts
 * the elements (SET_ORDER). */
typedef STACK_OF(X509_ATTRIBUTE) CMCI_SIGNED_ATTRS;
ASN1_ITEM_TEMPLATE(CMCI_SIGNED_ATTRS) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SET_ORDER, 0, SignedAttributes, X509_ATTRIBUTE)
static_ASN1_ITEM_TEMPLATE_END(CMCI_SIGNED_ATTRS)

cmc_err cmci_signed_attrs_der(const CMS_SignerInfo *si, unsigned char **der, int *len)
{
    CMCI_SIGNED_ATTRS *attrs;
    int n = CMS_signed_get_attr_count(si);

    *der = NULL;
    *len = 0;
    CMC_ENSURE(n > 0, CMC_ERR_BAD_MESSAGE_CHECK, "the SignerInfo has no signed attributes");
    if ((attrs = sk_X509_ATTRIBUTE_new_reserve(NULL, n)) == NULL)
        return cmci_fail(CMC_ERR_NOMEM, "signed attributes");
    for (int i = 0; i < n; i++) /* reserved: cannot fail */
        (void)sk_X509_ATTRIBUTE_push(attrs, CMS_signed_get_attr(si, i));
    *len = ASN1_item_i2d((ASN1_VALUE *)attrs, der, ASN1_ITEM_rptr(CMCI_SIGNED_ATTRS));
    sk_X509_ATTRIBUTE_free(attrs); /* the attributes stay the SignerInfo's */
    if (*len <= 0) {
        *der = NULL;
        *len = 0;
        return cmci_fail_ossl(CMC_ERR_NOMEM, "signed attributes");
    }
    return CMC_OK;
}
