#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Parses certificates cmcd issued with two strict DER parsers that are not OpenSSL:
#   - python3-cryptography (its X.509 parser is rust-asn1, which refuses BER), reading the
#     subject and every extension's value;
#   - pyasn1-modules: the Certificate and each extension's value decoded with the RFC 5280
#     module, re-encoded with the DER encoder and compared with the received octets.
# Prints one JSON object per certificate on stdout (subject, extensions by name, keyUsage,
# SAN entries) for the calling test to check; exits non-zero naming the first failure.
#
# usage: check_cert_der.py CERT.der...   (run with /usr/bin/python3: Debian's packages)
import json
import sys

from cryptography import x509
from cryptography.x509.oid import ExtensionOID
from pyasn1.codec.der import decoder, encoder
from pyasn1_modules import rfc5280

# extnID -> pyasn1 spec of its extnValue
SPECS = {
    rfc5280.id_ce_subjectAltName: rfc5280.SubjectAltName,
    rfc5280.id_ce_issuerAltName: rfc5280.IssuerAltName,
    rfc5280.id_ce_keyUsage: rfc5280.KeyUsage,
    rfc5280.id_ce_extKeyUsage: rfc5280.ExtKeyUsageSyntax,
    rfc5280.id_ce_basicConstraints: rfc5280.BasicConstraints,
    rfc5280.id_ce_subjectKeyIdentifier: rfc5280.SubjectKeyIdentifier,
    rfc5280.id_ce_authorityKeyIdentifier: rfc5280.AuthorityKeyIdentifier,
    rfc5280.id_ce_certificatePolicies: rfc5280.CertificatePolicies,
}


def der_roundtrip(what, data, spec):
    value, rest = decoder.decode(data, asn1Spec=spec)
    if rest:
        raise ValueError(f"{what}: {len(rest)} octets after the encoding")
    again = encoder.encode(value)
    if again != data:
        raise ValueError(f"{what}: pyasn1 DER re-encoding differs from the certificate's octets")
    return value


def check(path):
    der = open(path, "rb").read()
    # 1. cryptography (rust-asn1): strict DER; subject and extensions parsed on access
    cert = x509.load_der_x509_certificate(der)
    out = {"file": path, "subject": cert.subject.rfc4514_string(), "extensions": {}}
    for attr in cert.subject:
        _ = (attr.oid, attr.value)
    for ext in cert.extensions:
        name = ext.oid._name if ext.oid._name != "Unknown OID" else ext.oid.dotted_string
        out["extensions"][name] = {"critical": ext.critical}
        value = ext.value
        if ext.oid == ExtensionOID.KEY_USAGE:
            bits = ["digital_signature", "content_commitment", "key_encipherment",
                    "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign"]
            out["key_usage"] = [b for b in bits if getattr(value, b)]
        elif ext.oid == ExtensionOID.SUBJECT_ALTERNATIVE_NAME:
            out["san"] = [f"{type(g).__name__}:{g.value}" for g in value]
        elif ext.oid == ExtensionOID.BASIC_CONSTRAINTS:
            out["ca"] = value.ca
    # 2. pyasn1-modules: the whole certificate and every extension value round-trip in DER
    c = der_roundtrip(path, der, rfc5280.Certificate())
    tbs = c["tbsCertificate"]
    # attribute values are ANY in the Name: decode each with its own type as well
    for rdn in tbs["subject"]["rdnSequence"]:
        for atv in rdn:
            # (userId and others the map lacks are DirectoryStrings)
            spec = rfc5280.certificateAttributesMap.get(atv["type"], rfc5280.DirectoryString())
            der_roundtrip(f"{path} subject {atv['type']}", bytes(atv["value"]), spec)
    for e in tbs["extensions"]:
        oid = e["extnID"]
        if oid in SPECS:
            der_roundtrip(f"{path} extension {oid}", bytes(e["extnValue"]), SPECS[oid]())
    return out


def main():
    rc = 0
    for path in sys.argv[1:]:
        try:
            print(json.dumps(check(path), sort_keys=True, ensure_ascii=False))
        except Exception as exc:  # report every certificate, then fail
            print(f"check_cert_der: {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
