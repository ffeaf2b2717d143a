#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What the CA signs is strict DER with valid content (issue 9 items 3 and 12): requests of
# many shapes made by `openssl req` (UTF8String and PrintableString names, multi-valued RDNs,
# values at their RFC 5280 upper bounds, a SAN of every type, every extension the profile
# honours; EC, RSA and Ed25519 keys) are issued by a real cmcd, and each certificate is
# parsed by two DER parsers that are not OpenSSL (python3-cryptography's rust-asn1 and
# pyasn1-modules, tests/interop/check_cert_der.py). keyUsage follows the key type under the
# profile `cmc ca init` writes, and every certificate has both key identifiers. Bad shapes
# (a NUL in the CN, a garbage SAN) get badRequest naming the field; a BER body gets 400.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
CHECK="$(dirname "$0")/../interop/check_cert_der.py"
"$PY" -c 'import cryptography, pyasn1_modules' 2>/dev/null \
    || skip "needs python3-cryptography and python3-pyasn1-modules (Debian packages)"

setup_demo --key-type ec:P-256

# req NAME KEYTYPE SUBJECT [openssl req args...]: a DER PKCS #10 in $TMP/NAME.req
req() {
    local name="$1" kt="$2" subj="$3"
    shift 3
    new_key "$TMP/$name.key" "$kt"
    openssl req -new -key "$TMP/$name.key" -subj "$subj" -config "$TMP/req.cnf" \
        -outform DER -out "$TMP/$name.req" "$@" 2>"$TMP/req.log" \
        || fail "openssl req $name: $(cat "$TMP/req.log")"
}

# issue NAME: post $TMP/NAME.req; the certificate for it goes to $TMP/NAME.der
issue() {
    local name="$1"
    rm -f "$TMP/$name.pem"
    post "$TMP/$name.req" "$CT_PKCS10" "$TMP/$name.p7"
    assert_http 200 "$CT_CERTS_ONLY" "request $name"
    openssl pkcs7 -inform DER -in "$TMP/$name.p7" -print_certs -out "$TMP/$name.bundle" \
        2>"$TMP/p7.log" || fail "openssl pkcs7 $name: $(cat "$TMP/p7.log")"
    # the response carries the CA certificate too: take the one that is not the CA's
    local i f ca_fp
    ca_fp="$(openssl x509 -in "$CA/ca.pem" -noout -fingerprint -sha256)"
    rm -f "$TMP"/cert.*.pem
    awk -v dir="$TMP" '/BEGIN CERT/{n++} n{print > (dir "/cert." n ".pem")}' "$TMP/$name.bundle"
    for f in "$TMP"/cert.*.pem; do
        [ "$(openssl x509 -in "$f" -noout -fingerprint -sha256)" = "$ca_fp" ] || cp "$f" "$TMP/$name.pem"
    done
    [ -s "$TMP/$name.pem" ] || fail "no issued certificate in the response to $name"
    openssl x509 -in "$TMP/$name.pem" -outform DER -out "$TMP/$name.der"
    assert_verifies "$TMP/$name.pem"
}

# json NAME: the checker's JSON line for $TMP/NAME.der
json() {
    "$PY" "$CHECK" "$TMP/$1.der" 2>"$TMP/check.log" || fail "strict DER parse of $1: $(cat "$TMP/check.log")"
}

# A config for openssl req: PrintableString where it fits (nombstr), a dirName section
cat >"$TMP/req.cnf" <<'CNF'
[req]
distinguished_name = dn
string_mask = nombstr
[dn]
[dir_sect]
C = DE
O = Dir Org
CN = dir
CNF
cat >"$TMP/req-utf8.cnf" <<'CNF'
[req]
distinguished_name = dn
string_mask = utf8only
[dn]
CNF

# --- 1. the default profile of `cmc ca init`: keyUsage by key type, AKI and SKI --------------
req ec ec:P-256 "/CN=ec device"
req rsa rsa:2048 "/CN=rsa device"
req ed ed25519 "/CN=ed device"
for n in ec rsa ed; do issue "$n"; done
j="$(json ec)"
assert_contains "$j" '"key_usage": ["digital_signature"]' "EC keyUsage (default profile)"
j="$(json ed)"
assert_contains "$j" '"key_usage": ["digital_signature"]' "Ed25519 keyUsage (default profile)"
j="$(json rsa)"
assert_contains "$j" '"key_usage": ["digital_signature", "key_encipherment"]' "RSA keyUsage"
for n in ec rsa ed; do
    j="$(json "$n")"
    assert_contains "$j" '"authorityKeyIdentifier"' "$n: authorityKeyIdentifier"
    assert_contains "$j" '"subjectKeyIdentifier"' "$n: subjectKeyIdentifier"
done
log "default profile: keyUsage by key type, key identifiers: ok"

# --- 2. a profile with no extension section that honours every extension it can -----------
cat >>"$CA/cmcd.cnf" <<'CNF'

[profiles]
wide = profile_wide

[profile_wide]
authorization = open
honor_extensions = subjectAltName,keyUsage,extendedKeyUsage,certificatePolicies
CNF
set_conf default_profile wide
stop_server
start_server

long64="$(printf 'x%.0s' $(seq 64))"
long128="$(printf 'l%.0s' $(seq 128))"
mail="$(printf 'm%.0s' $(seq 116))@example.org"  # openssl req's own limit is 128
req utf8 ec:P-256 "/O=Zürich AG/CN=device+UID=42" -utf8 -multivalue-rdn -config "$TMP/req-utf8.cnf"
req printable ec:P-256 "/C=CH/O=Example (Test) Ltd./OU=Ops-2/CN=printable host/serialNumber=A-1234"
req long ec:P-256 "/DC=org/DC=example/L=$long128/ST=$long128/emailAddress=$mail/CN=$long64"
req san ec:P-256 "/CN=san" -addext "subjectAltName=DNS:a.example,DNS:*.w.example,IP:192.0.2.1,IP:2001:db8::1,email:u@example.org,URI:https://example.org/x?y=1,RID:1.2.3.4,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@example.org,dirName:dir_sect"
req exts rsa:2048 "/CN=every extension" -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
    -addext "extendedKeyUsage=clientAuth,codeSigning" -addext "certificatePolicies=2.23.140.1.2.1" \
    -addext "subjectAltName=DNS:exts.example"
for n in utf8 printable long san exts; do issue "$n"; done
"$PY" "$CHECK" "$TMP"/{utf8,printable,long,san,exts}.der >"$TMP/all.json" 2>"$TMP/check.log" \
    || fail "strict DER parse: $(cat "$TMP/check.log")"
# one RDN of two values (cryptography prints them in either order)
json utf8 | grep -qE 'UID=42\+CN=device,|CN=device\+UID=42,' \
    || fail "multi-valued RDN: $(json utf8)"
assert_contains "$(json utf8)" 'Zürich' "UTF8String organization"
assert_contains "$(json long)" "CN=$long64" "64-character commonName"
for t in DNSName:a.example 'DNSName:*.w.example' IPAddress:192.0.2.1 IPAddress:2001:db8::1 \
    RFC822Name:u@example.org 'UniformResourceIdentifier:https://example.org/x?y=1' \
    RegisteredID OtherName DirectoryName; do
    assert_contains "$(json san)" "$t" "SAN entry $t"
done
j="$(json exts)"
for e in extendedKeyUsage certificatePolicies subjectAltName keyUsage authorityKeyIdentifier \
    subjectKeyIdentifier; do
    assert_contains "$j" "\"$e\"" "honoured/added extension $e"
done
assert_contains "$j" '"key_usage": ["digital_signature", "key_encipherment"]' "requested keyUsage"
# the subject as signed uses the requested string types: C and CN PrintableString
openssl asn1parse -inform DER -in "$TMP/printable.der" >"$TMP/printable.asn1"
assert_contains "$TMP/printable.asn1" "PRINTABLESTRING   :printable host" "PrintableString CN"
log "request shapes -> certificates strict DER (cryptography + pyasn1): ok"

# --- 3. bad shapes: badRequest naming the field; BER body: 400 -----------------------------
"$PY" - "$TMP" <<'PYEOF' || fail "could not build the bad requests"
# PKCS #10 requests OpenSSL's tools will not make, signed with python3-cryptography
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyasn1.codec.der import encoder
from pyasn1.type import char, univ
from pyasn1_modules import rfc2986, rfc5280

tmp = sys.argv[1]
key = ec.generate_private_key(ec.SECP256R1())
spki_der = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
from pyasn1.codec.der import decoder
spki, _ = decoder.decode(spki_der, asn1Spec=rfc5280.SubjectPublicKeyInfo())

def name(cn_bytes):
    atv = rfc5280.AttributeTypeAndValue()
    atv["type"] = rfc5280.id_at_commonName
    atv["value"] = univ.Any(b"\x0c" + bytes([len(cn_bytes)]) + cn_bytes)
    rdn = rfc5280.RelativeDistinguishedName()
    rdn.append(atv)
    n = rfc5280.Name()
    n["rdnSequence"].append(rdn)
    return n

def csr(path, subject, san_value=None):
    info = rfc2986.CertificationRequestInfo()
    info["version"] = 0
    info["subject"] = subject
    info["subjectPKInfo"] = spki
    attrs = info["attributes"]
    if san_value is not None:
        ext = rfc5280.Extension()
        ext["extnID"] = rfc5280.id_ce_subjectAltName
        ext["extnValue"] = san_value
        exts = rfc5280.Extensions()
        exts.append(ext)
        a = rfc2986.Attribute()
        a["type"] = univ.ObjectIdentifier("1.2.840.113549.1.9.14")
        a["values"].append(univ.Any(encoder.encode(exts)))
        attrs.append(a)
    tbs = encoder.encode(info)
    sig = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    alg = rfc5280.AlgorithmIdentifier()
    alg["algorithm"] = univ.ObjectIdentifier("1.2.840.10045.4.3.2")
    req = rfc2986.CertificationRequest()
    req["certificationRequestInfo"] = info
    req["signatureAlgorithm"] = alg
    req["signature"] = univ.BitString.fromOctetString(sig)
    open(path, "wb").write(encoder.encode(req))

csr(tmp + "/nul.req", name(b"a\x00b"))
csr(tmp + "/garbage.req", name(b"garbage san"), b"\xde\xad\xbe\xef")
csr(tmp + "/nuldns.req", name(b"nul dns"), b"\x30\x07\x82\x05a\x00.ex")
PYEOF
for c in "nul:subject commonName: contains a control character" \
    "garbage:requested subjectAltName: extnValue is not DER" \
    "nuldns:subjectAltName name 1 (dNSName)"; do
    n="${c%%:*}"
    post "$TMP/$n.req" "$CT_PKCS10" "$TMP/$n.resp"
    assert_http 200 "$CT_CMC_RESP" "bad request $n"
    expect_fail_info "$TMP/$n.resp" badRequest
    assert_contains "$TMP/$n.resp.json" "${c#*:}" "statusString of $n"
done
# the good EC request with its outer SEQUENCE in BER (indefinite length)
"$PY" - "$TMP/ec.req" "$TMP/ber.req" <<'PYEOF'
import sys
d = open(sys.argv[1], "rb").read()
hl = 2 + (d[1] & 0x7f if d[1] & 0x80 else 0)
open(sys.argv[2], "wb").write(b"\x30\x80" + d[hl:] + b"\x00\x00")
PYEOF
post "$TMP/ber.req" "$CT_PKCS10" "$TMP/ber.out"
assert_http 400 "" "BER request body"
assert_contains "$TMP/ber.out" "request body is not DER: indefinite length" "400 reason"
log "bad shapes -> badRequest naming the field, BER -> 400: ok"
log "PASS"
