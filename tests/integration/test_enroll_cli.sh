#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End to end: `cmc enroll` against a real cmcd on loopback, Simple and Full (PKCS#10 and
# CRMF), for each key type; every certificate chains to the CA, has the requested subject,
# its key file is private and it is durably in the store.
. "$(dirname "$0")/lib.sh"

ca_init --key-type ec:P-256
# ed448 is not among the default key_types; this CA takes it too.
sed -i '/^\[profile_default\]/a key_types = rsa:2048,rsa:3072,rsa:4096,ec:P-256,ec:P-384,ed25519,ed448' \
    "$CA/cmcd.cnf"
start_server

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

# Full PKI Request, PKCS#10 and CRMF bodies, signed by the key being certified. For
# Ed25519/Ed448 that is an RFC 8419 SignerInfo, which OpenSSL 3.0's CMS can neither make nor
# verify: libcmc builds it and cmcd checks it itself (issue 9 item 5).
for kt in ec:P-256 rsa:2048 ed25519 ed448; do
    name="${kt//:/-}"
    enroll_ok --full --subject "/CN=full p10 $name" --new-key "$kt" \
        --key-out "$TMP/f-$name.key" --out "$TMP/f-$name.pem"
    check_issued "$TMP/f-$name.pem" "$TMP/f-$name.key" "CN=full p10 $name"
    enroll_ok --full --crmf --subject "/CN=full crmf $name" --new-key "$kt" \
        --key-out "$TMP/c-$name.key" --out "$TMP/c-$name.pem"
    check_issued "$TMP/c-$name.pem" "$TMP/c-$name.key" "CN=full crmf $name"
    log "full $kt (PKCS#10 and CRMF): ok"
done

# An existing key file is used as is.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/own.key" 2>/dev/null
chmod 600 "$TMP/own.key"
enroll_ok --subject "/CN=own key" --key "$TMP/own.key" --out "$TMP/own.pem"
check_issued "$TMP/own.pem" "$TMP/own.key" "CN=own key"

# Every certificate has its own serial.
total="$(sqlite3 "$CA/cmcd.db" 'select count(*) from certs;')"
dups="$(sqlite3 "$CA/cmcd.db" 'select count(*) - count(distinct serial_hex) from certs;')"
assert_eq "$dups" 0 "repeated serials in the store"
[ "$total" -ge 12 ] || fail "store holds $total certificates, expected at least 12"

log "PASS ($total certificates)"
