# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the loopback integration tests: a temporary demo CA, a cmcd on a free
# 127.0.0.1 port that is always killed on exit, and assertions that say what failed.
#
# Sourced by every test_*.sh. Environment (set by CTest, see CMakeLists.txt):
#   CMC_BIN       directory holding cmc and cmcd (required)
#   CMC_MKREQ     path of the cmc-mkreq helper (tests that post hand-made requests)
#   CMC_KEEP_TMP  when set to 1 the temporary directory is kept for inspection

# The CT_* media types below are used by the scripts that source this file.
# shellcheck disable=SC2034
set -euo pipefail

: "${CMC_BIN:?CMC_BIN must point at the directory holding cmc and cmcd}"
CMC="$CMC_BIN/cmc"
CMCD="$CMC_BIN/cmcd"
CMCD_PID=""
PORT=""
URL=""
TEST_NAME="$(basename "$0" .sh)"

# Media types of rfc5273bis §3 (used by the test scripts that source this file).
CT_PKCS10="application/pkcs10"
CT_CMC_REQ="application/pkcs7-mime; smime-type=CMC-request"
CT_CERTS_ONLY="application/pkcs7-mime; smime-type=certs-only"
CT_CMC_RESP="application/pkcs7-mime; smime-type=CMC-response"

log() { printf '[%s] %s\n' "$TEST_NAME" "$*" >&2; }

fail() {
    printf '[%s] FAIL: %s\n' "$TEST_NAME" "$*" >&2
    if [ -n "${TMP:-}" ] && [ -s "$TMP/cmcd.log" ]; then
        printf '[%s] last lines of the cmcd log:\n' "$TEST_NAME" >&2
        tail -n 20 "$TMP/cmcd.log" >&2 || true
    fi
    exit 1
}

# Exit code 77 is registered as SKIP_RETURN_CODE in CMakeLists.txt.
skip() {
    printf '[%s] SKIP: %s\n' "$TEST_NAME" "$*" >&2
    exit 77
}

need_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || skip "needs '$c' on PATH"
    done
}

need_cmd openssl curl sqlite3 python3 timeout
[ -x "$CMC" ] || fail "cmc not found at $CMC (build target cmc)"
[ -x "$CMCD" ] || fail "cmcd not found at $CMCD (build target cmcd)"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/cmc-it-$TEST_NAME.XXXXXX")"
CA="$TMP/ca"

stop_server() {
    local pid="$CMCD_PID" i
    CMCD_PID=""
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    # Bounded wait for a clean stop, then no more politeness.
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    stop_server
    # Background client loops of a test, if any were left.
    local j
    for j in $(jobs -p); do kill -KILL "$j" 2>/dev/null || true; done
    if [ "${CMC_KEEP_TMP:-0}" = 1 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; }; then
        log "temporary files kept in $TMP"
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port: bind port 0 and read back what the kernel chose. Another process
# could take it before cmcd binds; start_server retries with a new port if that happens.
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# ca_init [extra cmc ca init args...]: a demo CA (default profile "open") in $CA.
ca_init() {
    "$CMC" ca init --dir "$CA" --subject "/CN=cmcd test CA" --demo "$@" \
        >"$TMP/ca-init.log" 2>&1 || { cat "$TMP/ca-init.log" >&2; fail "cmc ca init $* failed"; }
    [ -f "$CA/cmcd.cnf" ] || fail "cmc ca init did not write $CA/cmcd.cnf"
    [ -f "$CA/ca.pem" ] || fail "cmc ca init did not write $CA/ca.pem"
    [ -f "$CA/ca.key" ] || fail "cmc ca init did not write $CA/ca.key"
}

# set_conf KEY VALUE: set a key of the [cmcd] section of $CA/cmcd.cnf (replace or add).
set_conf() {
    local key="$1" value="$2" f="$CA/cmcd.cnf"
    python3 - "$f" "$key" "$value" <<'EOF'
import re, sys
path, key, value = sys.argv[1:4]
lines = open(path).read().split("\n")
out, section, done = [], None, False
for ln in lines:
    m = re.match(r"\s*\[\s*([^\]\s]+)\s*\]", ln)
    if m:
        if section == "cmcd" and not done:
            out.append(f"{key} = {value}")
            done = True
        section = m.group(1)
    elif section == "cmcd" and re.match(r"\s*" + re.escape(key) + r"\s*=", ln):
        if not done:
            out.append(f"{key} = {value}")
            done = True
        continue
    out.append(ln)
if not done:
    if section == "cmcd":
        out.append(f"{key} = {value}")
    else:
        out.insert(0, f"[cmcd]\n{key} = {value}")
open(path, "w").write("\n".join(out))
EOF
}

# wait_ready: up to 10 s for cmcd to answer HTTP at all (a GET gets 405 from a live server).
wait_ready() {
    local i code
    for i in $(seq 1 100); do
        if ! kill -0 "$CMCD_PID" 2>/dev/null; then
            return 1
        fi
        code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$URL" 2>/dev/null || true)"
        if [ -n "$code" ] && [ "$code" != 000 ]; then
            return 0
        fi
        sleep 0.1
    done
    return 2
}

# start_server: cmcd on a free loopback port with $CA/cmcd.cnf; sets CMCD_PID, PORT, URL.
# Keeps PORT when it is already set (a restart on the same address).
start_server() {
    local attempt rc
    for attempt in 1 2 3; do
        [ -n "$PORT" ] && [ "$attempt" = 1 ] || PORT="$(free_port)"
        URL="http://127.0.0.1:$PORT/cmc"
        "$CMCD" --config "$CA/cmcd.cnf" --listen "127.0.0.1:$PORT" >>"$TMP/cmcd.log" 2>&1 &
        CMCD_PID=$!
        rc=0
        wait_ready || rc=$?
        if [ "$rc" = 0 ]; then
            log "cmcd pid $CMCD_PID listening on 127.0.0.1:$PORT"
            return 0
        fi
        if [ "$rc" = 2 ]; then
            fail "cmcd (pid $CMCD_PID) did not answer on $URL within 10 s"
        fi
        wait "$CMCD_PID" 2>/dev/null || true
        CMCD_PID=""
        # Died at start: a port race is worth another try, a config error is not.
        grep -qiE 'address already in use|bind' "$TMP/cmcd.log" || fail "cmcd exited at start"
    done
    fail "cmcd could not bind a free port in 3 attempts"
}

# setup_demo [ca init args...]: the usual start of a test.
setup_demo() {
    ca_init "$@"
    start_server
}

# --- HTTP --------------------------------------------------------------------------------

# post FILE CONTENT-TYPE OUT: POST a body; sets HTTP_CODE and HTTP_CT, body saved in OUT.
post() {
    local file="$1" ct="$2" out="$3" w
    w="$(curl -s -m 20 -o "$out" -w '%{http_code}\t%{content_type}' \
        -H "Content-Type: $ct" --data-binary @"$file" "$URL")" \
        || fail "curl POST $file failed (exit $?)"
    HTTP_CODE="${w%%$'\t'*}"
    HTTP_CT="${w#*$'\t'}"
}

# media_type_is GOT WANT: compare media types, case-insensitive, ignoring spaces after ';'.
media_type_is() {
    local a b
    a="$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | sed 's/;[[:space:]]*/;/g; s/[[:space:]]*$//')"
    b="$(printf '%s' "$2" | tr '[:upper:]' '[:lower:]' | sed 's/;[[:space:]]*/;/g')"
    [ "$a" = "$b" ]
}

# --- assertions ----------------------------------------------------------------------------

assert_eq() { # GOT WANT WHAT
    [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

assert_contains() { # FILE-or-STRING NEEDLE WHAT
    local hay="$1"
    [ -f "$hay" ] && hay="$(cat "$hay")"
    case "$hay" in
    *"$2"*) ;;
    *) fail "$3: '$2' not found in: $(printf '%s' "$hay" | head -c 600)" ;;
    esac
}

assert_http() { # WANT-CODE WANT-CT WHAT
    assert_eq "$HTTP_CODE" "$1" "$3: HTTP status"
    if [ -n "$2" ]; then
        media_type_is "$HTTP_CT" "$2" || fail "$3: Content-Type '$HTTP_CT', expected '$2'"
    fi
}

assert_mode() { # FILE MODE
    local m
    m="$(stat -c %a "$1")"
    assert_eq "$m" "$2" "mode of $1"
}

# assert_verifies CERT: chains to the test CA.
assert_verifies() {
    openssl verify -CAfile "$CA/ca.pem" "$1" >"$TMP/verify.log" 2>&1 \
        || fail "openssl verify of $1: $(cat "$TMP/verify.log")"
}

# cert_serial CERT: upper-case hex serial as `openssl x509 -serial` prints it.
cert_serial() {
    openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'a-f' 'A-F'
}

# cert_subject CERT: RFC 2253 subject.
cert_subject() {
    openssl x509 -in "$1" -noout -subject -nameopt RFC2253 | sed 's/^subject=//'
}

# db_count_serial SERIAL: rows of the store holding that serial. Leading zeros and case are
# ignored, so "0A1B" and "a1b" are the same serial.
db_count_serial() {
    sqlite3 -cmd '.timeout 5000' "$CA/cmcd.db" \
        "select count(*) from certs where ltrim(upper(serial_hex),'0') = ltrim(upper('$1'),'0');"
}

assert_in_db() { # CERT
    local s n
    s="$(cert_serial "$1")"
    n="$(db_count_serial "$s")"
    assert_eq "$n" 1 "rows in $CA/cmcd.db for serial $s of $1"
}

# enroll_ok ARGS...: `cmc enroll --server $URL --ca-cert ca.pem ARGS`, which must succeed.
enroll_ok() {
    "$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" "$@" >"$TMP/enroll.log" 2>&1 \
        || fail "cmc enroll $* exited $?: $(cat "$TMP/enroll.log")"
}

# --- hand-made requests (cmc-mkreq) and Full PKI Responses --------------------------------------

need_mkreq() {
    if [ -z "${CMC_MKREQ:-}" ] || [ ! -x "$CMC_MKREQ" ]; then
        fail "cmc-mkreq not built (CMC_MKREQ='${CMC_MKREQ:-}')"
    fi
}

# new_key FILE [TYPE]: a PEM private key made by the openssl CLI, mode 0600.
new_key() {
    local f="$1" t="${2:-ec:P-256}"
    case "$t" in
    ec:*) openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${t#ec:}" -out "$f" 2>/dev/null ;;
    rsa:*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${t#rsa:}" -out "$f" 2>/dev/null ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$f" 2>/dev/null ;;
    *) fail "new_key: unknown key type $t" ;;
    esac
    chmod 600 "$f"
}

# mkreq OUT ARGS...: cmc-mkreq --out OUT ARGS...
mkreq() {
    local out="$1"
    shift
    "$CMC_MKREQ" --out "$out" "$@" 2>"$TMP/mkreq.log" || fail "cmc-mkreq $* failed: $(cat "$TMP/mkreq.log")"
}

# verify_full_response RESP OUT-PKIRESPONSE: the CMS SignedData is signed by the CA and its
# content type is id-cct-PKIResponse; the certificates it carries go to RESP.certs.pem.
verify_full_response() {
    local resp="$1" content="$2"
    openssl cms -verify -inform DER -in "$resp" -CAfile "$CA/ca.pem" -purpose any \
        -binary -out "$content" -certsout "$resp.certs.pem" >"$TMP/cms.log" 2>&1 \
        || fail "openssl cms -verify of $resp: $(cat "$TMP/cms.log")"
    openssl cms -cmsout -print -inform DER -in "$resp" >"$TMP/cms-print.txt" 2>&1 \
        || fail "openssl cms -cmsout -print of $resp failed"
    grep -qE 'eContentType: (id-cct-PKIResponse|1\.3\.6\.1\.5\.5\.7\.12\.3)' "$TMP/cms-print.txt" \
        || fail "$resp: eContentType is not id-cct-PKIResponse: $(grep -m1 eContentType "$TMP/cms-print.txt")"
}

# show_json RESP: `cmc show --json RESP` into RESP.json.
show_json() {
    "$CMC" show "$1" --json >"$1.json" 2>"$TMP/show.log" || fail "cmc show --json $1 failed: $(cat "$TMP/show.log")"
}

# expect_fail_info RESP NAME [NAME...]: RESP is a CA-signed Full PKI Response whose status is
# failed with one of the failInfo names given.
expect_fail_info() {
    local resp="$1" name found=""
    shift
    verify_full_response "$resp" "$resp.pkiresponse"
    show_json "$resp"
    grep -q '"failed"' "$resp.json" || fail "$resp: no status \"failed\" in: $(head -c 800 "$resp.json")"
    for name in "$@"; do
        grep -q "\"$name\"" "$resp.json" && found="$name"
    done
    [ -n "$found" ] || fail "$resp: failInfo not one of {$*} in: $(head -c 800 "$resp.json")"
}

# pick_cert BUNDLE.pem SUBJECT-RFC2253 OUT.pem: the certificate of BUNDLE with that subject
# (a response may carry the chain in any order).
pick_cert() {
    local bundle="$1" want="$2" out="$3" i=0 f
    rm -f "$TMP"/pick.*.pem
    awk -v dir="$TMP" '/-----BEGIN CERTIFICATE-----/ { n++ } n { print > (dir "/pick." n ".pem") }' "$bundle"
    for f in "$TMP"/pick.*.pem; do
        [ -f "$f" ] || continue
        i=$((i + 1))
        if [ "$(cert_subject "$f")" = "$want" ]; then
            cp "$f" "$out"
            return 0
        fi
    done
    fail "no certificate with subject '$want' among $i in $bundle"
}
