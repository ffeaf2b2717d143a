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

# --- cmc enroll checks everything before any side effect (issue 9 item 13) ---------------

db_rows() { sqlite3 -cmd '.timeout 5000' "$CA/cmcd.db" 'select count(*) from certs;'; }

# expect_refused EXIT-CODE NEEDLE WHAT ARGS...: `cmc enroll ARGS` fails with that exit code,
# its stderr names the problem, its stdout is empty, and the CA issued nothing.
expect_refused() {
    local want_rc="$1" needle="$2" what="$3" rc=0 before after
    shift 3
    before="$(db_rows)"
    "$CMC" enroll "$@" >"$TMP/ref.out" 2>"$TMP/ref.err" || rc=$?
    assert_eq "$rc" "$want_rc" "$what: exit code ($(cat "$TMP/ref.err"))"
    assert_contains "$TMP/ref.err" "$needle" "$what: message"
    [ ! -s "$TMP/ref.out" ] || fail "$what: wrote to stdout: $(head -c 300 "$TMP/ref.out")"
    after="$(db_rows)"
    assert_eq "$after" "$before" "$what: certificates issued"
}

# A bad subject is refused before the new key is written, so the retry with the same
# --key-out works (it used to fail with "File exists").
expect_refused 64 "--subject" "bad subject" --server "$URL" --ca-cert "$CA/ca.pem" \
    --subject "CN=no-slash" --new-key ec:P-256 --key-out "$TMP/retry.key" --out "$TMP/retry.pem"
[ ! -e "$TMP/retry.key" ] || fail "a refused subject left $TMP/retry.key behind"
[ ! -e "$TMP/retry.pem" ] || fail "a refused subject left $TMP/retry.pem behind"
expect_refused 64 "--subject" "unknown attribute" --server "$URL" --ca-cert "$CA/ca.pem" \
    --subject "/XX=what" --new-key ec:P-256 --key-out "$TMP/retry.key" --out "$TMP/retry.pem"
[ ! -e "$TMP/retry.key" ] || fail "a refused subject left $TMP/retry.key behind"
enroll_ok --subject "/CN=retry" --new-key ec:P-256 --key-out "$TMP/retry.key" --out "$TMP/retry.pem"
check_issued "$TMP/retry.pem" "$TMP/retry.key" "CN=retry"
log "bad subject refused before the key is written; the retry works: ok"

# A --out the client cannot create is found before the CA is asked (no new row in the
# store) and before the key is written.
expect_refused 1 "--out: $TMP/no/such/dir/c.pem: cannot create a file in $TMP/no/such/dir" \
    "--out in a missing directory" --server "$URL" --ca-cert "$CA/ca.pem" --subject /CN=x \
    --new-key ec:P-256 --key-out "$TMP/x.key" --out "$TMP/no/such/dir/c.pem"
[ ! -e "$TMP/x.key" ] || fail "a refused --out left the new key behind"
expect_refused 1 "Not a directory" "--out under a file" --server "$URL" \
    --ca-cert "$CA/ca.pem" --subject /CN=x --key "$TMP/own.key" --out "$TMP/own.key/c.pem"
expect_refused 1 "is a directory" "--out is a directory" --server "$URL" \
    --ca-cert "$CA/ca.pem" --subject /CN=x --key "$TMP/own.key" --out "$TMP"
# Even with nothing listening, the complaint is about --out, not the connection.
expect_refused 1 "--out: $TMP/nodir/c.pem" "--out checked before the network" \
    --server "http://127.0.0.1:1/cmc" --ca-cert "$CA/ca.pem" --subject /CN=x \
    --key "$TMP/own.key" --out "$TMP/nodir/c.pem"
# An existing certificate is not overwritten without --force; with it, it is replaced.
cp "$TMP/own.pem" "$TMP/keep.pem"
expect_refused 1 "already exists" "existing --out" --server "$URL" --ca-cert "$CA/ca.pem" \
    --subject /CN=again --key "$TMP/own.key" --out "$TMP/keep.pem"
cmp -s "$TMP/own.pem" "$TMP/keep.pem" || fail "a refused --out changed the existing file"
[ ! -e "$TMP/keep.pem.chain.pem" ] || fail "a refused --out wrote the chain"
enroll_ok --subject /CN=again --key "$TMP/own.key" --out "$TMP/keep.pem" --force
check_issued "$TMP/keep.pem" "$TMP/own.key" "CN=again"
# A private key is never overwritten, not even with --force.
expect_refused 1 "--key-out: $TMP/own.key already exists" "existing --key-out" --server "$URL" \
    --ca-cert "$CA/ca.pem" --subject /CN=x --new-key ec:P-256 --key-out "$TMP/own.key" \
    --out "$TMP/k2.pem" --force
log "--out and --key-out checked before anything happens: ok"

# Unreadable or wrong inputs, each named, before any side effect.
printf 'not a certificate\n' >"$TMP/junk.pem"
expect_refused 1 "--ca-cert" "--ca-cert is not a certificate" --server "$URL" \
    --ca-cert "$TMP/junk.pem" --subject /CN=x --new-key ec:P-256 --key-out "$TMP/x.key" \
    --out "$TMP/x.pem"
[ ! -e "$TMP/x.key" ] || fail "a bad --ca-cert left the new key behind"
expect_refused 1 "--key: $TMP/missing.key" "--key does not exist" --server "$URL" \
    --ca-cert "$CA/ca.pem" --subject /CN=x --key "$TMP/missing.key" --out "$TMP/x.pem"
expect_refused 1 "not a private key" "--key is not a key" --server "$URL" \
    --ca-cert "$CA/ca.pem" --subject /CN=x --key "$TMP/junk.pem" --out "$TMP/x.pem"
expect_refused 64 "http:// or https://" "URL scheme" --server "ftp://127.0.0.1/cmc" \
    --ca-cert "$CA/ca.pem" --subject /CN=x --key "$TMP/own.key" --out "$TMP/x.pem"
expect_refused 64 "http:// or https://" "URL without a scheme" --server "127.0.0.1:$PORT/cmc" \
    --ca-cert "$CA/ca.pem" --subject /CN=x --key "$TMP/own.key" --out "$TMP/x.pem"
[ ! -e "$TMP/x.pem" ] || fail "a refused request wrote $TMP/x.pem"

# Missing options are named one by one, in one run.
rc=0
"$CMC" enroll --subject /CN=x >"$TMP/miss.out" 2>"$TMP/miss.err" || rc=$?
assert_eq "$rc" 64 "exit code with missing options"
for o in "missing --server" "missing --ca-cert" "missing --key FILE or --new-key" "missing --out"; do
    assert_contains "$TMP/miss.err" "$o" "missing options"
done
if grep -q "missing --subject" "$TMP/miss.err"; then fail "--subject reported missing"; fi
[ ! -s "$TMP/miss.out" ] || fail "usage errors went to stdout"
rc=0
"$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --subject /CN=x --new-key ec:P-256 \
    --out "$TMP/x.pem" 2>"$TMP/miss.err" || rc=$?
assert_eq "$rc" 64 "exit code without --key-out"
assert_contains "$TMP/miss.err" "missing --key-out" "--new-key without --key-out"
log "inputs checked and missing options named: ok"

# Encrypted keys: --key-out-pass writes a PKCS#8 EncryptedPrivateKeyInfo (AES-256-CBC),
# mode 0600, that openssl reads with the same passphrase; --key-pass reads it back
# (pass:, env:, file:).
enroll_ok --subject "/CN=enc" --new-key ec:P-256 --key-out "$TMP/enc.key" \
    --key-out-pass pass:s3cret-phrase --out "$TMP/enc.pem"
assert_mode "$TMP/enc.key" 600
head -n 1 "$TMP/enc.key" | grep -q -- "-----BEGIN ENCRYPTED PRIVATE KEY-----" \
    || fail "--key-out-pass did not write an encrypted PKCS#8 key: $(head -n 1 "$TMP/enc.key")"
openssl asn1parse -in "$TMP/enc.key" >"$TMP/enc.asn1" 2>&1 || fail "openssl asn1parse of enc.key"
assert_contains "$TMP/enc.asn1" "aes-256-cbc" "cipher of the encrypted key"
openssl pkey -in "$TMP/enc.key" -passin pass:s3cret-phrase -out "$TMP/enc.plain.key" 2>/dev/null \
    || fail "openssl cannot decrypt the key written with --key-out-pass"
chmod 600 "$TMP/enc.plain.key"
if openssl pkey -in "$TMP/enc.key" -passin pass:wrong -noout 2>/dev/null; then
    fail "the encrypted key opens with a wrong passphrase"
fi
a="$(openssl x509 -in "$TMP/enc.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum)"
b="$(openssl pkey -in "$TMP/enc.plain.key" -pubout -outform DER | sha256sum)"
assert_eq "$a" "$b" "the certificate is for the encrypted key"
expect_refused 1 "encrypted; give its passphrase with --key-pass" "encrypted --key, no --key-pass" \
    --server "$URL" --ca-cert "$CA/ca.pem" --subject /CN=enc2 --key "$TMP/enc.key" \
    --out "$TMP/enc2.pem"
expect_refused 1 "cannot decrypt" "wrong --key-pass" --server "$URL" --ca-cert "$CA/ca.pem" \
    --subject /CN=enc2 --key "$TMP/enc.key" --key-pass pass:wrong --out "$TMP/enc2.pem"
expect_refused 64 "SECRET_UNSET_VAR is not set" "--key-pass env: unset" --server "$URL" \
    --ca-cert "$CA/ca.pem" --subject /CN=enc2 --key "$TMP/enc.key" \
    --key-pass env:SECRET_UNSET_VAR --out "$TMP/enc2.pem"
expect_refused 64 "pass:TEXT, env:VAR" "--key-pass without a source" --server "$URL" \
    --ca-cert "$CA/ca.pem" --subject /CN=enc2 --key "$TMP/enc.key" --key-pass s3cret-phrase \
    --out "$TMP/enc2.pem"
if grep -q "s3cret-phrase" "$TMP/ref.err"; then
    fail "a bare passphrase was echoed: $(cat "$TMP/ref.err")"
fi
enroll_ok --subject /CN=enc2 --key "$TMP/enc.key" --key-pass pass:s3cret-phrase --out "$TMP/enc2.pem"
check_issued "$TMP/enc2.pem" "$TMP/enc.plain.key" "CN=enc2"
printf 's3cret-phrase\n' >"$TMP/pass.txt"
enroll_ok --subject /CN=enc3 --key "$TMP/enc.key" --key-pass "file:$TMP/pass.txt" --out "$TMP/enc3.pem"
assert_verifies "$TMP/enc3.pem"
CMC_TEST_PASS=s3cret-phrase enroll_ok --subject /CN=enc4 --key "$TMP/enc.key" \
    --key-pass env:CMC_TEST_PASS --out "$TMP/enc4.pem"
assert_verifies "$TMP/enc4.pem"
log "encrypted key round trip (--key-out-pass, --key-pass pass:/file:/env:): ok"

# --out -: the PEM certificate and its chain on stdout, every message on stderr.
"$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --subject /CN=stdout --key "$TMP/own.key" \
    --out - >"$TMP/stdout.pem" 2>"$TMP/stdout.err" \
    || fail "cmc enroll --out - failed: $(cat "$TMP/stdout.err")"
assert_verifies "$TMP/stdout.pem"
assert_eq "$(cert_subject "$TMP/stdout.pem")" "CN=stdout" "subject of the certificate on stdout"
assert_eq "$(grep -c -- '-----BEGIN CERTIFICATE-----' "$TMP/stdout.pem")" 2 "certificates on stdout"
others="$(sed '/-----BEGIN/,/-----END/d' "$TMP/stdout.pem")"
assert_eq "$others" "" "non-PEM text on stdout"
[ ! -e ./- ] || fail "--out - created a file named -"
assert_in_db "$TMP/stdout.pem"
# --chain-out - : the certificate to its file, the chain alone on stdout.
"$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --subject /CN=chain-stdout \
    --key "$TMP/own.key" --out "$TMP/cs.pem" --chain-out - >"$TMP/cs-chain.pem" 2>"$TMP/cs.err" \
    || fail "cmc enroll --chain-out - failed: $(cat "$TMP/cs.err")"
assert_verifies "$TMP/cs.pem"
cmp -s <(openssl x509 -in "$TMP/cs-chain.pem") <(openssl x509 -in "$CA/ca.pem") \
    || fail "--chain-out - did not write the CA certificate to stdout"
[ ! -e ./- ] || fail "--chain-out - created a file named -"
# Messages of a run that writes files go to stderr too: stdout stays empty.
"$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --subject /CN=quiet --new-key ec:P-256 \
    --key-out "$TMP/quiet.key" --out "$TMP/quiet.pem" >"$TMP/quiet.out" 2>"$TMP/quiet.err" \
    || fail "cmc enroll failed: $(cat "$TMP/quiet.err")"
[ ! -s "$TMP/quiet.out" ] || fail "messages on stdout: $(cat "$TMP/quiet.out")"
assert_contains "$TMP/quiet.err" "certificate saved to $TMP/quiet.pem" "messages on stderr"
log "--out - writes PEM to stdout only; messages on stderr: ok"

# --tls-ca: a bad file is refused before any network use, and only for https.
expect_refused 64 "--tls-ca applies to an https:// --server only" "--tls-ca with http" \
    --server "$URL" --ca-cert "$CA/ca.pem" --subject /CN=x --key "$TMP/own.key" \
    --out "$TMP/x.pem" --tls-ca "$CA/ca.pem"
expect_refused 1 "--tls-ca: $TMP/junk.pem: no certificate" "--tls-ca not a certificate" \
    --server "https://127.0.0.1:1/cmc" --ca-cert "$CA/ca.pem" --subject /CN=x \
    --key "$TMP/own.key" --out "$TMP/x.pem" --tls-ca "$TMP/junk.pem"
openssl x509 -in "$CA/ca.pem" -outform DER -out "$TMP/ca.der"
expect_refused 1 "--tls-ca: $TMP/ca.der: a TLS CA file must be PEM" "--tls-ca in DER" \
    --server "https://127.0.0.1:1/cmc" --ca-cert "$CA/ca.pem" --subject /CN=x \
    --key "$TMP/own.key" --out "$TMP/x.pem" --tls-ca "$TMP/ca.der"
SSL_CERT_FILE="$TMP/junk.pem" expect_refused 1 "SSL_CERT_FILE: $TMP/junk.pem" "bad SSL_CERT_FILE" \
    --server "https://127.0.0.1:1/cmc" --ca-cert "$CA/ca.pem" --subject /CN=x \
    --key "$TMP/own.key" --out "$TMP/x.pem"

# https for real: a loopback TLS terminator (tls_proxy.py) in front of cmcd, with a server
# certificate from a private TLS CA that only --tls-ca (or SSL_CERT_FILE) makes trusted.
T="$TMP/tls"
mkdir -p "$T"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca.key" \
    -out "$T/ca.pem" -subj "/CN=test TLS CA" -days 2 >/dev/null 2>&1 || fail "TLS CA"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/srv.key" \
    -out "$T/srv.csr" -subj "/CN=127.0.0.1" >/dev/null 2>&1 || fail "TLS server CSR"
printf 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n' >"$T/ext.cnf"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
    -days 2 -extfile "$T/ext.cnf" -out "$T/srv.pem" >/dev/null 2>&1 || fail "TLS server certificate"
# A direct child (no `timeout` wrapper), so lib.sh's cleanup kills the proxy itself.
python3 "$(dirname "$0")/tls_proxy.py" "$T/srv.pem" "$T/srv.key" "$URL" "$T/port" \
    2>"$T/proxy.log" &
PROXY_PID=$!
for _ in $(seq 1 100); do
    [ -s "$T/port" ] && break
    sleep 0.1
done
[ -s "$T/port" ] || fail "the TLS proxy did not start: $(cat "$T/proxy.log")"
HTTPS_URL="https://127.0.0.1:$(cat "$T/port")/cmc"
# Without the TLS CA the server is not trusted: a transport failure, nothing saved.
rc=0
SSL_CERT_FILE='' "$CMC" enroll --server "$HTTPS_URL" --ca-cert "$CA/ca.pem" --subject /CN=tls0 \
    --key "$TMP/own.key" --out "$TMP/tls0.pem" 2>"$TMP/tls0.err" || rc=$?
assert_eq "$rc" 3 "https without --tls-ca: exit code ($(cat "$TMP/tls0.err"))"
assert_contains "$TMP/tls0.err" "certificate" "https without --tls-ca: message"
[ ! -e "$TMP/tls0.pem" ] || fail "an untrusted https server's answer was saved"
"$CMC" enroll --server "$HTTPS_URL" --ca-cert "$CA/ca.pem" --subject /CN=tls1 --key "$TMP/own.key" \
    --tls-ca "$T/ca.pem" --out "$TMP/tls1.pem" >"$TMP/tls1.log" 2>&1 \
    || fail "cmc enroll over https with --tls-ca failed: $(cat "$TMP/tls1.log")"
check_issued "$TMP/tls1.pem" "$TMP/own.key" "CN=tls1"
SSL_CERT_FILE="$T/ca.pem" "$CMC" enroll --server "$HTTPS_URL" --ca-cert "$CA/ca.pem" \
    --subject /CN=tls2 --key "$TMP/own.key" --out "$TMP/tls2.pem" >"$TMP/tls2.log" 2>&1 \
    || fail "cmc enroll over https with SSL_CERT_FILE failed: $(cat "$TMP/tls2.log")"
check_issued "$TMP/tls2.pem" "$TMP/own.key" "CN=tls2"
kill "$PROXY_PID" 2>/dev/null || true
wait "$PROXY_PID" 2>/dev/null || true
log "--tls-ca and SSL_CERT_FILE over https (loopback TLS proxy): ok"

# --version, help CMD, CMD --help: on stdout, exit 0.
"$CMC" --version >"$TMP/ver.out" 2>&1 || fail "cmc --version failed"
grep -qE '^cmc [0-9]+\.[0-9]+\.[0-9]+ ' "$TMP/ver.out" || fail "cmc --version: $(cat "$TMP/ver.out")"
for c in enroll show ca; do
    "$CMC" help "$c" >"$TMP/help.out" 2>/dev/null || fail "cmc help $c failed"
    assert_contains "$TMP/help.out" "usage: cmc $c" "cmc help $c"
done
"$CMC" enroll --help >"$TMP/help2.out" 2>/dev/null || fail "cmc enroll --help failed"
"$CMC" help enroll | cmp -s - "$TMP/help2.out" || fail "cmc help enroll differs from cmc enroll --help"
rc=0
"$CMC" help nosuch >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 64 "cmc help nosuch"
log "--version and help: ok"

# cmc ca init reports on stderr too: stdout stays for data.
"$CMC" ca init --dir "$TMP/ca2" --demo >"$TMP/ca2.out" 2>"$TMP/ca2.err" || fail "cmc ca init"
[ ! -s "$TMP/ca2.out" ] || fail "cmc ca init wrote to stdout: $(cat "$TMP/ca2.out")"
assert_contains "$TMP/ca2.err" "CA certificate $TMP/ca2/ca.pem" "cmc ca init messages"

# Every certificate has its own serial.
total="$(sqlite3 "$CA/cmcd.db" 'select count(*) from certs;')"
dups="$(sqlite3 "$CA/cmcd.db" 'select count(*) - count(distinct serial_hex) from certs;')"
assert_eq "$dups" 0 "repeated serials in the store"
[ "$total" -ge 12 ] || fail "store holds $total certificates, expected at least 12"

log "PASS ($total certificates)"
