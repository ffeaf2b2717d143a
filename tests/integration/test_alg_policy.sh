#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The algorithm policy (docs/conformance.md "Algorithms") against a real cmcd, with requests
# made by the openssl CLI: `openssl req -md5 / -sha1`, an RSA-1024 key, and Full PKI
# Requests whose SignedData `openssl cms -sign -md sha1 / md5` signed. Each is answered with
# a CA-signed Full PKI Response, failed/badAlg, whose statusString (`cmc show`) names the
# algorithm; nothing is issued. Then allow_sha1 in the profile and in [cmcd] let SHA-1 in
# (never MD5).
. "$(dirname "$0")/lib.sh"
need_mkreq

setup_demo --key-type ec:P-256

# set_profile_key KEY VALUE: set a key of [profile_default] in $CA/cmcd.cnf.
set_profile_key() {
    python3 - "$CA/cmcd.cnf" "$1" "$2" <<'EOF'
import re, sys
path, key, value = sys.argv[1:4]
out, section = [], None
for ln in open(path).read().split("\n"):
    m = re.match(r"\s*\[\s*([^\]\s]+)\s*\]", ln)
    if m:
        section = m.group(1)
        out.append(ln)
        if section == "profile_default":
            out.append(f"{key} = {value}")
        continue
    if section == "profile_default" and re.match(r"\s*" + re.escape(key) + r"\s*=", ln):
        continue
    out.append(ln)
open(path, "w").write("\n".join(out))
EOF
}

restart() {
    stop_server
    start_server
}

# db_total: certificates in the store.
db_total() {
    sqlite3 -cmd '.timeout 5000' "$CA/cmcd.db" "select count(*) from certs;"
}

# refused RESP WHAT NEEDLE...: a CA-signed failed/badAlg response whose text names NEEDLEs.
refused() {
    local resp="$1" what="$2" n
    shift 2
    assert_http 200 "$CT_CMC_RESP" "$what"
    expect_fail_info "$resp" badAlg
    "$CMC" show "$resp" >"$resp.txt" 2>&1 || fail "cmc show $resp failed"
    assert_contains "$resp.txt" badAlg "cmc show of the $what response"
    for n in "$@"; do
        assert_contains "$resp.txt" "$n" "cmc show of the $what response"
    done
    log "$what -> failed/badAlg: ok"
}

# p10 NAME KEYSPEC DIGEST: a DER PKCS #10 from openssl req into $TMP/NAME.req
p10() {
    openssl req -new -newkey "$2" -nodes -keyout "$TMP/$1.key" -subj "/CN=alg $1" "-$3" \
        -outform DER -out "$TMP/$1.req" 2>"$TMP/req.log" || fail "openssl req $*: $(cat "$TMP/req.log")"
}

issued_before="$(db_total)"

# --- Simple PKI Requests --------------------------------------------------------------------
p10 md5 rsa:2048 md5
post "$TMP/md5.req" "$CT_PKCS10" "$TMP/md5.resp"
refused "$TMP/md5.resp" "openssl req -md5" md5WithRSAEncryption "never accepted"

p10 sha1 ec:<(openssl ecparam -name prime256v1) sha1
post "$TMP/sha1.req" "$CT_PKCS10" "$TMP/sha1.resp"
refused "$TMP/sha1.resp" "openssl req -sha1" ecdsa-with-SHA1 "SHA-1 is refused by profile default"

p10 rsa1024 rsa:1024 sha256
post "$TMP/rsa1024.req" "$CT_PKCS10" "$TMP/rsa1024.resp"
refused "$TMP/rsa1024.resp" "RSA-1024 key" RSA-1024 "at least 2048 bits"

# --- Full PKI Requests: the SignedData re-signed by openssl cms -------------------------------
# wrap NAME KEYTYPE DIGEST: a Full PKI Request from cmc-mkreq for a new key, whose PKIData
# openssl cms then signs with DIGEST (sid = subjectKeyIdentifier, as cmc-mkreq's).
wrap() {
    local n="$1" kt="$2" md="$3"
    new_key "$TMP/$n.key" "$kt"
    mkreq "$TMP/$n.mk" --kind full-p10 --key "$TMP/$n.key" --subject "/CN=alg $n"
    # a throwaway certificate carrying the key and its SKI (the "hash" method, as mkreq's)
    openssl req -new -x509 -key "$TMP/$n.key" -subj "/CN=holder" -days 1 -out "$TMP/$n.holder" \
        2>"$TMP/req.log" || fail "openssl req -x509: $(cat "$TMP/req.log")"
    openssl cms -verify -inform DER -in "$TMP/$n.mk" -noverify -certfile "$TMP/$n.holder" \
        -binary -out "$TMP/$n.pkidata" 2>"$TMP/cms.log" || fail "openssl cms -verify: $(cat "$TMP/cms.log")"
    openssl cms -sign -binary -nodetach -md "$md" -keyid -nocerts -signer "$TMP/$n.holder" \
        -inkey "$TMP/$n.key" -econtent_type 1.3.6.1.5.5.7.12.2 -in "$TMP/$n.pkidata" \
        -outform DER -out "$TMP/$n.req" 2>"$TMP/cms.log" || fail "openssl cms -sign -md $md: $(cat "$TMP/cms.log")"
}

wrap wsha1 ec:P-256 sha1
post "$TMP/wsha1.req" "$CT_CMC_REQ" "$TMP/wsha1.resp"
refused "$TMP/wsha1.resp" "openssl cms -sign -md sha1" "SignerInfo 1" "SHA-1 is refused"

wrap wmd5 rsa:2048 md5
post "$TMP/wmd5.req" "$CT_CMC_REQ" "$TMP/wmd5.resp"
refused "$TMP/wmd5.resp" "openssl cms -sign -md md5" "the digest md5" "never accepted"

# the same construction with SHA-256 is issued: what was refused above was the digest alone
wrap wsha256 ec:P-256 sha256
post "$TMP/wsha256.req" "$CT_CMC_REQ" "$TMP/wsha256.resp"
assert_http 200 "" "openssl cms -sign -md sha256"
openssl pkcs7 -inform DER -in "$TMP/wsha256.resp" -print_certs -out "$TMP/wsha256.bundle" 2>/dev/null \
    || fail "openssl pkcs7 -print_certs of the sha256 response"
pick_cert "$TMP/wsha256.bundle" "CN=alg wsha256" "$TMP/wsha256.pem"
assert_verifies "$TMP/wsha256.pem"
assert_eq "$(db_total)" "$((issued_before + 1))" "certificates issued so far (only the SHA-256 one)"

# --- allow_sha1 ----------------------------------------------------------------------------------
set_profile_key allow_sha1 yes
restart
post "$TMP/sha1.req" "$CT_PKCS10" "$TMP/sha1-allowed.resp"
assert_http 200 "$CT_CERTS_ONLY" "openssl req -sha1 under a profile with allow_sha1 = yes"
post "$TMP/md5.req" "$CT_PKCS10" "$TMP/md5-still.resp"
refused "$TMP/md5-still.resp" "openssl req -md5 under allow_sha1 = yes" "never accepted"
# the profile's switch is not the wrapper's
post "$TMP/wsha1.req" "$CT_CMC_REQ" "$TMP/wsha1-still.resp"
refused "$TMP/wsha1-still.resp" "SHA-1 SignedData under a profile with allow_sha1" "SignerInfo 1"

set_conf allow_sha1 yes
restart
post "$TMP/wsha1.req" "$CT_CMC_REQ" "$TMP/wsha1-allowed.resp"
assert_http 200 "" "SHA-1 SignedData with [cmcd] allow_sha1 = yes"
openssl pkcs7 -inform DER -in "$TMP/wsha1-allowed.resp" -print_certs -out "$TMP/wsha1.bundle" 2>/dev/null \
    || fail "openssl pkcs7 -print_certs of the allowed SHA-1 response"
pick_cert "$TMP/wsha1.bundle" "CN=alg wsha1" "$TMP/wsha1.pem"
assert_verifies "$TMP/wsha1.pem"
post "$TMP/wmd5.req" "$CT_CMC_REQ" "$TMP/wmd5-still.resp"
refused "$TMP/wmd5-still.resp" "MD5 SignedData with [cmcd] allow_sha1 = yes" "never accepted"

set_conf allow_sha1 perhaps
stop_server
if "$CMCD" --config "$CA/cmcd.cnf" --listen "127.0.0.1:$PORT" >"$TMP/bad-conf.log" 2>&1; then
    fail "cmcd started with allow_sha1 = perhaps"
fi
assert_contains "$TMP/bad-conf.log" "allow_sha1" "cmcd's error for allow_sha1 = perhaps"

log "PASS"
