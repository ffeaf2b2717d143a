#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Who may sign a Full PKI Request as operator or RA (issue 9 items 2 and 5), end to end with
# certificates made by the openssl CLI, `cmc enroll --sign-cert` and a real cmcd:
# - an operator certificate listed on its own in signer_trust (its CA not listed, not
#   self-signed) is trusted;
# - a TLS server certificate (keyUsage keyEncipherment only) is refused (badMessageCheck);
# - a certificate without extendedKeyUsage, or with clientAuth only, is refused under the
#   default signer_eku = cmcRA (badIdentity), and clientAuth is accepted where a profile's
#   signer_eku lists it;
# - an Ed25519 operator certificate signs (RFC 8419, which OpenSSL 3.0's CMS cannot do).
. "$(dirname "$0")/lib.sh"

# The operators' CA: NOT listed in signer_trust.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
    -keyout "$TMP/opca.key" -out "$TMP/opca.pem" -subj "/CN=operators CA" -days 2 \
    -addext keyUsage=critical,keyCertSign,cRLSign >"$TMP/openssl.log" 2>&1 \
    || fail "making the operators' CA: $(cat "$TMP/openssl.log")"

# mk_signer NAME KEYTYPE EXTENSIONS: NAME.key and NAME.pem issued by the operators' CA.
mk_signer() {
    local name="$1" kt="$2" ext="$3"
    new_key "$TMP/$name.key" "$kt"
    printf 'basicConstraints = critical,CA:FALSE\n%s\n' "$ext" >"$TMP/$name.ext"
    openssl req -new -key "$TMP/$name.key" -subj "/CN=$name" -out "$TMP/$name.csr" \
        >"$TMP/openssl.log" 2>&1 \
        && openssl x509 -req -in "$TMP/$name.csr" -CA "$TMP/opca.pem" -CAkey "$TMP/opca.key" \
            -CAcreateserial -days 2 -extfile "$TMP/$name.ext" -out "$TMP/$name.pem" \
            >"$TMP/openssl.log" 2>&1 \
        || fail "making signer $name: $(cat "$TMP/openssl.log")"
}
mk_signer ra ec:P-256 $'keyUsage = critical,digitalSignature\nextendedKeyUsage = cmcRA'
mk_signer tls ec:P-256 $'keyUsage = critical,keyEncipherment\nextendedKeyUsage = serverAuth'
mk_signer noeku ec:P-256 'keyUsage = critical,digitalSignature'
mk_signer client ec:P-256 $'keyUsage = critical,digitalSignature\nextendedKeyUsage = clientAuth'
mk_signer edra ed25519 $'keyUsage = critical,digitalSignature\nextendedKeyUsage = cmcRA'
cat "$TMP"/{ra,tls,noeku,client,edra}.pem >"$TMP/trust.pem"

ca_init --key-type ec:P-256 --signer-trust "$TMP/trust.pem"
assert_contains "$TMP/ca-init.log" "CN=noeku has no extendedKeyUsage cmcRA" \
    "cmc ca init's warning about a signer certificate without cmcRA"
cat >>"$CA/cmcd.cnf" <<'CNF'

[profile_ra_or_client]
authorization = signed
signer_eku = cmcRA, clientAuth
CNF
sed -i '/^\[profiles\]/a ra_or_client = profile_ra_or_client' "$CA/cmcd.cnf"
start_server

n=0
# signed_by SIGNER PROFILE: enroll a new key, signed by SIGNER; output in $TMP/enroll.log.
signed_by() {
    n=$((n + 1))
    "$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --full --profile "$2" \
        --sign-cert "$TMP/$1.pem" --sign-key "$TMP/$1.key" --subject "/CN=by $1 $n" \
        --new-key ec:P-256 --key-out "$TMP/k$n.key" --out "$TMP/c$n.pem" >"$TMP/enroll.log" 2>&1
}
# accepted SIGNER PROFILE
accepted() {
    signed_by "$1" "$2" || fail "signed by $1 under $2: exit $?: $(cat "$TMP/enroll.log")"
    assert_verifies "$TMP/c$n.pem"
    log "signed by $1 under $2: issued"
}
# refused SIGNER PROFILE FAILINFO TEXT
refused() {
    local rc=0
    signed_by "$1" "$2" || rc=$?
    assert_eq "$rc" 2 "exit status when signed by $1 under $2 ($(cat "$TMP/enroll.log"))"
    assert_contains "$TMP/enroll.log" "failInfo $3" "failInfo when signed by $1 under $2"
    assert_contains "$TMP/enroll.log" "$4" "statusString when signed by $1 under $2"
    [ ! -e "$TMP/c$n.pem" ] || fail "a certificate was written although $1 may not sign"
    log "signed by $1 under $2: refused ($3)"
}

accepted ra signed_only
accepted ra default
refused tls signed_only badMessageCheck "keyUsage does not allow digitalSignature"
refused noeku signed_only badIdentity "has no extendedKeyUsage (signer_eku = cmcRA)"
refused client signed_only badIdentity "signer_eku = cmcRA"
accepted client ra_or_client
accepted edra signed_only

log "PASS"
