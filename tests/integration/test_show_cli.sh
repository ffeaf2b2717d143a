#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `cmc show` against the real openssl CLI (issue 9 item 14): for certificates issued by a real
# cmcd and for hand-made ones, every field cmc prints is the one `openssl x509` / `openssl
# req` prints (fields compared, not whole texts); every --json output parses with python3's
# json module; bundles, certs-only responses and standard input show every certificate.
. "$(dirname "$0")/lib.sh"

setup_demo --key-type ec:P-256

enroll_ok --subject "/O=cmcd test/CN=show me" --dns show.example --dns www.show.example \
    --new-key ec:P-256 --key-out "$TMP/leaf.key" --out "$TMP/leaf.pem"

# A certificate with a UTF-8 organisation, characters RFC 2253 escapes, a multi-valued RDN
# and the usual extensions, made by openssl itself.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/odd.key" \
    -out "$TMP/odd.pem" -days 2 -utf8 \
    -subj '/C=DE/O=Müller, "Quote" GmbH/OU=a+CN=multi/CN=x\/y;z<>=#/emailAddress=a@b.example' \
    -addext "subjectAltName=DNS:a.example,IP:127.0.0.1,email:x@y.example,URI:http://u.example/" \
    -addext "keyUsage=critical,digitalSignature,keyCertSign" \
    -addext "extendedKeyUsage=serverAuth,clientAuth,1.3.6.1.5.5.7.3.28" \
    -addext "certificatePolicies=1.2.3.4" >/dev/null 2>&1 || fail "openssl req -x509 (odd.pem)"

# compare_cert PEM: cmc show --json vs openssl x509, field by field.
compare_cert() {
    local pem="$1"
    "$CMC" show "$pem" --json >"$pem.json" 2>"$TMP/show.err" \
        || fail "cmc show --json $pem: $(cat "$TMP/show.err")"
    "$CMC" show "$pem" >"$pem.txt" 2>"$TMP/show.err" || fail "cmc show $pem: $(cat "$TMP/show.err")"
    openssl x509 -in "$pem" -noout -subject -nameopt oneline,-esc_msb,utf8 | sed 's/^subject=//' \
        >"$pem.subject"
    openssl x509 -in "$pem" -noout -issuer -nameopt oneline,-esc_msb,utf8 | sed 's/^issuer=//' \
        >"$pem.issuer"
    openssl x509 -in "$pem" -noout -subject | sed 's/^subject=//' >"$pem.subject-default"
    openssl x509 -in "$pem" -noout -serial | sed 's/^serial=//' >"$pem.serial"
    openssl x509 -in "$pem" -noout -fingerprint -sha256 | sed 's/^.*Fingerprint=//' >"$pem.fp"
    openssl x509 -in "$pem" -noout -text >"$pem.x509text"
    python3 - "$pem" <<'EOF' || fail "cmc show of $pem differs from openssl (above)"
import json, re, sys
pem = sys.argv[1]
read = lambda ext: open(pem + ext, encoding="utf-8").read().rstrip("\n")
d = json.load(open(pem + ".json", encoding="utf-8"))
text = read(".txt")
errors = []
def same(what, got, want):
    if got != want:
        errors.append(f"{what}: cmc {got!r} != openssl {want!r}")
same("type", d["type"], "X.509 certificate")
same("subject", d["subject"], read(".subject"))
same("issuer", d["issuer"], read(".issuer"))
if all(ord(c) < 128 for c in read(".subject")):
    # openssl's own default (-nameopt oneline) is the same text for ASCII names
    same("subject (openssl default)", d["subject"], read(".subject-default"))
same("serialNumber (--json, as openssl x509 -serial)", d["serialNumber"], read(".serial"))
same("sha256Fingerprint", d["sha256Fingerprint"], read(".fp"))
x = read(".x509text")
# `openssl x509 -text` serial: "Serial Number:\n    7f:..." or "Serial Number: 4660 (0x1234)"
m = re.search(r"Serial Number:\s*\n\s*([0-9a-f:]+)\n", x)
if m:
    mt = re.search(r"^serialNumber: (.*)$", text, re.M)
    same("serialNumber (text, as openssl x509 -text)", mt and mt.group(1), m.group(1))
same("version", d["version"], int(re.search(r"Version: (\d+)", x).group(1)))
same("signatureAlgorithm", d["signatureAlgorithm"].split(" (")[0],
     re.search(r"Signature Algorithm: (\S+)", x).group(1))
# Extensions: openssl -text prints "            NAME: [critical]\n                VALUE..."
blocks = re.split(r"\n            (?=\S)", x.split("X509v3 extensions:\n", 1)[1].split("\n    Signature Algorithm")[0])
want = []
for b in blocks:
    head, _, body = b.strip("\n").partition("\n")
    name, _, crit = head.strip().partition(":")
    lines = [l.strip() for l in body.split("\n") if l.strip()]
    value = ""
    for l in lines:
        value += ("" if not value else (" " if value.endswith(":") else ", ")) + l
    want.append((name.strip(), crit.strip() == "critical", value))
got = [(e["name"], e["critical"], e.get("value")) for e in d.get("extensions", [])]
same("extensions", got, want)
for e in d.get("extensions", []):
    if e["name"] == "X509v3 Subject Alternative Name":
        same("subjectAltName names", ", ".join(e["names"]), e["value"])
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
EOF
}

compare_cert "$TMP/leaf.pem"
compare_cert "$CA/ca.pem"
compare_cert "$TMP/odd.pem"
assert_contains "$TMP/odd.pem.txt" "O = \"Müller, \\\"Quote\\\" GmbH\"" "UTF-8 name shown as UTF-8"
assert_contains "$TMP/leaf.pem.txt" "value: DNS:show.example, DNS:www.show.example" "SAN in words"
assert_contains "$TMP/odd.pem.txt" "value: Digital Signature, Certificate Sign" "keyUsage in words"
assert_contains "$TMP/odd.pem.txt" \
    "value: TLS Web Server Authentication, TLS Web Client Authentication, CMC Registration Authority" \
    "extendedKeyUsage in words"
log "certificates: subject, issuer, serial (text and JSON), fingerprint, extensions as openssl: ok"

# A bundle: every certificate, in order, from a file or from standard input.
cat "$TMP/leaf.pem" "$CA/ca.pem" "$TMP/odd.pem" >"$TMP/bundle.pem"
"$CMC" show "$TMP/bundle.pem" --json >"$TMP/bundle.json" || fail "cmc show --json bundle"
"$CMC" show - --json <"$TMP/bundle.pem" >"$TMP/bundle-stdin.json" || fail "cmc show - --json"
cmp -s "$TMP/bundle.json" "$TMP/bundle-stdin.json" || fail "cmc show - differs from cmc show FILE"
"$CMC" show - <"$TMP/leaf.pem" >"$TMP/leaf-stdin.txt" || fail "cmc show - (text)"
cmp -s "$TMP/leaf-stdin.txt" "$TMP/leaf.pem.txt" || fail "cmc show - differs from cmc show FILE (text)"
python3 - "$TMP" <<'EOF' || fail "bundle"
import json, sys
t = sys.argv[1]
d = json.load(open(t + "/bundle.json"))
assert d["type"] == "PEM bundle" and d["count"] == 3, d
serials = [o["serialNumber"] for o in d["objects"]]
want = [open(t + f).read().strip() for f in ("/leaf.pem.serial", "/ca/ca.pem.serial", "/odd.pem.serial")]
assert serials == want, (serials, want)
EOF
# A private key in the bundle is named, never shown.
cat "$TMP/leaf.pem" "$TMP/leaf.key" >"$TMP/with-key.pem"
"$CMC" show "$TMP/with-key.pem" >"$TMP/with-key.txt" || fail "cmc show of a bundle with a key"
assert_contains "$TMP/with-key.txt" "private key (not shown)" "key in a bundle"
keyline="$(sed -n 2p "$TMP/leaf.key")"
if grep -qF "$keyline" "$TMP/with-key.txt"; then fail "cmc show printed private key material"; fi
log "bundles, standard input, private keys not shown: ok"

# A Simple PKI Response (certs-only) from cmcd: every certificate it carries, in full.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/r.key" \
    -subj "/CN=simple response" -addext "subjectAltName=DNS:req.example" \
    -addext "keyUsage=critical,digitalSignature" -outform DER -out "$TMP/req.der" >/dev/null 2>&1 \
    || fail "openssl req"
post "$TMP/req.der" "$CT_PKCS10" "$TMP/resp.p7c"
assert_http 200 "$CT_CERTS_ONLY" "Simple PKI Request"
"$CMC" show "$TMP/resp.p7c" --json >"$TMP/resp.json" || fail "cmc show --json of the response"
openssl pkcs7 -inform DER -in "$TMP/resp.p7c" -print_certs -out "$TMP/resp-certs.pem" \
    || fail "openssl pkcs7 -print_certs"
python3 - "$TMP" <<'EOF' || fail "certs-only response"
import json, subprocess, sys
t = sys.argv[1]
d = json.load(open(t + "/resp.json"))
assert d["type"] == "Simple PKI Response", d["type"]
pem = open(t + "/resp-certs.pem").read()
blocks = ["-----BEGIN CERTIFICATE-----" + b for b in pem.split("-----BEGIN CERTIFICATE-----")[1:]]
want = sorted(subprocess.run(["openssl", "x509", "-noout", "-serial"], input=b.encode(),
              capture_output=True, check=True).stdout.decode().strip().split("=", 1)[1] for b in blocks)
got = sorted(c["serialNumber"] for c in d["certificates"])
assert got == want and len(got) == 2, (got, want)
for c in d["certificates"]:
    assert "sha256Fingerprint" in c and "extensions" in c, c
EOF
log "certs-only response: every certificate in full: ok"

# A CSR: the requested extensions in words, as openssl req -text prints them.
"$CMC" show "$TMP/req.der" --json >"$TMP/req.json" || fail "cmc show --json of a CSR"
"$CMC" show "$TMP/req.der" >"$TMP/req.txt" || fail "cmc show of a CSR"
openssl req -inform DER -in "$TMP/req.der" -noout -subject | sed 's/^subject=//' >"$TMP/req.subject"
python3 - "$TMP" <<'EOF' || fail "CSR"
import json, sys
t = sys.argv[1]
d = json.load(open(t + "/req.json"))
assert d["subject"] == open(t + "/req.subject").read().strip(), d["subject"]
ex = {e["name"]: (e["critical"], e["value"]) for e in d["requestedExtensions"]}
assert ex["X509v3 Subject Alternative Name"] == (False, "DNS:req.example"), ex
assert ex["X509v3 Key Usage"] == (True, "Digital Signature"), ex
EOF
assert_contains "$TMP/req.txt" "value: DNS:req.example" "CSR SAN in words"
log "CSR requested extensions: ok"

# A Full PKI Response (from cmc-mkreq when built): JSON parses, serials are strings.
if [ -n "${CMC_MKREQ:-}" ] && [ -x "$CMC_MKREQ" ]; then
    new_key "$TMP/m.key"
    mkreq "$TMP/full.der" --kind full-p10 --key "$TMP/m.key" --subject "/CN=full show"
    post "$TMP/full.der" "$CT_CMC_REQ" "$TMP/full.resp"
    assert_http 200 "$CT_CMC_RESP" "Full PKI Request"
    "$CMC" show "$TMP/full.resp" --json >"$TMP/full.json" || fail "cmc show --json full response"
    python3 - "$TMP/full.json" <<'EOF' || fail "Full PKI Response JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "Full PKI Response", d["type"]
for s in d["signers"]:
    assert isinstance(s.get("serialNumber", ""), str), s
for c in d["certificates"]:
    assert isinstance(c["serialNumber"], str) and c["serialNumber"] == c["serialNumber"].upper()
EOF
    log "Full PKI Response --json: ok"
fi

log "PASS"
