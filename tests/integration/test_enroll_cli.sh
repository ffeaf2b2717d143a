#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End to end: `cmc enroll` against a real cmcd on loopback, Simple and Full (PKCS#10 and
# CRMF), for each key type; every certificate chains to the CA, has the requested subject,
# its key file is private and it is durably in the store.
. "$(dirname "$0")/lib.sh"

setup_demo --key-type ec:P-256

# check_issued CERT KEY SUBJECT-RFC2253
check_issued() {
    local cert="$1" key="$2" want="$3"
    [ -s "$cert" ] || fail "no certificate written to $cert"
    [ -s "$cert.chain.pem" ] || fail "no chain written to $cert.chain.pem"
    assert_verifies "$cert"
    assert_eq "$(cert_subject "$cert")" "$want" "subject of $cert"
    assert_mode "$key" 600
    # The certificate's key is the one the client generated.
    local a b
    a="$(openssl x509 -in "$cert" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum)"
    b="$(openssl pkey -in "$key" -pubout -outform DER | sha256sum)"
    assert_eq "$a" "$b" "public key of $cert vs $key"
    assert_in_db "$cert"
}

for kt in ec:P-256 rsa:2048 ed25519; do
    name="${kt//:/-}"
    # Simple PKI Request.
    enroll_ok --subject "/O=cmcd test/CN=simple $name" --new-key "$kt" \
        --key-out "$TMP/s-$name.key" --out "$TMP/s-$name.pem"
    check_issued "$TMP/s-$name.pem" "$TMP/s-$name.key" "CN=simple $name,O=cmcd test"
    log "simple $kt: ok"
done

# Full PKI Request, PKCS#10 and CRMF bodies. Not Ed25519: a Full request is signed with the
# key being certified, and OpenSSL 3.0 cannot make CMS SignedData with EdDSA (RFC 8419), so
# cmc refuses with a clear message; that refusal is checked below.
for kt in ec:P-256 rsa:2048; do
    name="${kt//:/-}"
    enroll_ok --full --subject "/CN=full p10 $name" --new-key "$kt" \
        --key-out "$TMP/f-$name.key" --out "$TMP/f-$name.pem"
    check_issued "$TMP/f-$name.pem" "$TMP/f-$name.key" "CN=full p10 $name"
    enroll_ok --full --crmf --subject "/CN=full crmf $name" --new-key "$kt" \
        --key-out "$TMP/c-$name.key" --out "$TMP/c-$name.pem"
    check_issued "$TMP/c-$name.pem" "$TMP/c-$name.key" "CN=full crmf $name"
    log "full $kt (PKCS#10 and CRMF): ok"
done

if "$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --full --subject "/CN=full ed25519" \
    --new-key ed25519 --key-out "$TMP/f-ed.key" --out "$TMP/f-ed.pem" >"$TMP/ed.log" 2>&1; then
    log "note: cmc now makes Full requests with Ed25519 keys"
    assert_verifies "$TMP/f-ed.pem"
else
    assert_contains "$TMP/ed.log" "EdDSA" "cmc's refusal of a Full request with an Ed25519 key"
fi

# An existing key file is used as is.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/own.key" 2>/dev/null
chmod 600 "$TMP/own.key"
enroll_ok --subject "/CN=own key" --key "$TMP/own.key" --out "$TMP/own.pem"
check_issued "$TMP/own.pem" "$TMP/own.key" "CN=own key"

# Every certificate has its own serial.
total="$(sqlite3 "$CA/cmcd.db" 'select count(*) from certs;')"
dups="$(sqlite3 "$CA/cmcd.db" 'select count(*) - count(distinct serial_hex) from certs;')"
assert_eq "$dups" 0 "repeated serials in the store"
[ "$total" -ge 8 ] || fail "store holds $total certificates, expected at least 8"

log "PASS ($total certificates)"
