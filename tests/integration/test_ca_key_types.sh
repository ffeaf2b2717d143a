#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Each CA key type `cmc ca init` offers issues certificates OpenSSL accepts: the CA writes
# certificates directly as DER (src/ca/ca_der.c) with the signature algorithm it took from
# OpenSSL at load, so every key type is checked end to end against a real cmcd. For each:
# a Simple PKI Request from `openssl req` posted with curl, its certificate read with
# `openssl pkcs7 -print_certs` and checked with `openssl verify`, and a Full CRMF request
# through `cmc enroll` (which verifies the signed response).
. "$(dirname "$0")/lib.sh"

for kt in rsa:2048 ec:P-384 ed25519; do
    name="${kt//:/-}"
    CA="$TMP/ca-$name"
    PORT=""
    setup_demo --key-type "$kt"

    new_key "$TMP/$name.key" ec:P-256
    openssl req -new -key "$TMP/$name.key" -subj "/O=cmcd test/CN=ca key $name" \
        -addext "subjectAltName=DNS:$name.example" -outform DER -out "$TMP/$name.p10" 2>/dev/null \
        || fail "openssl req failed"
    post "$TMP/$name.p10" application/pkcs10 "$TMP/$name.resp"
    assert_eq "$HTTP_CODE" 200 "HTTP status of a Simple request to a $kt CA"
    openssl pkcs7 -inform DER -in "$TMP/$name.resp" -print_certs -out "$TMP/$name.certs.pem" \
        2>"$TMP/p7.log" || fail "openssl pkcs7 -print_certs: $(cat "$TMP/p7.log")"
    # the first certificate that is not the CA's own
    python3 - "$TMP/$name.certs.pem" "$TMP/$name.pem" <<'PY'
import re, sys
pems = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", open(sys.argv[1]).read(), re.S)
leaf = [p for p in pems if "ca key" in __import__("subprocess").run(["openssl", "x509", "-noout", "-subject"], input=p, capture_output=True, text=True).stdout]
assert len(leaf) == 1, f"expected one issued certificate, found {len(leaf)}"
open(sys.argv[2], "w").write(leaf[0] + "\n")
PY
    assert_verifies "$TMP/$name.pem"
    assert_eq "$(cert_subject "$TMP/$name.pem")" "CN=ca key $name,O=cmcd test" "subject"
    openssl x509 -in "$TMP/$name.pem" -noout -ext subjectAltName >"$TMP/san.txt" 2>&1
    assert_contains "$TMP/san.txt" "DNS:$name.example" "requested subjectAltName"
    case "$kt" in
    rsa:*) want=sha256WithRSAEncryption ;;
    ec:*) want=ecdsa-with-SHA256 ;;
    ed25519) want=ED25519 ;;
    esac
    openssl x509 -in "$TMP/$name.pem" -noout -text >"$TMP/$name.txt"
    assert_contains "$TMP/$name.txt" "Signature Algorithm: $want" "signature algorithm of a $kt CA"
    assert_in_db "$TMP/$name.pem"

    enroll_ok --full --crmf --subject "/CN=crmf $name" --new-key ec:P-256 \
        --key-out "$TMP/c-$name.key" --out "$TMP/c-$name.pem"
    assert_verifies "$TMP/c-$name.pem"
    assert_in_db "$TMP/c-$name.pem"
    stop_server
    log "$kt CA: Simple (openssl req + curl) and Full CRMF (cmc enroll) ok"
done
log "PASS"
