#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bad input over HTTP: transport-level mistakes get a 4xx with a one-line text/plain reason;
# well-formed CMC that fails a check gets HTTP 200 and a signed Full PKI Response with the
# right CMCFailInfo; and the server still enrolls afterwards.
. "$(dirname "$0")/lib.sh"
need_mkreq

# Operator certificates: one trusted for the signed_only profile, one not.
for op in trusted untrusted; do
    new_key "$TMP/$op.key"
    openssl req -x509 -new -key "$TMP/$op.key" -subj "/CN=$op operator" -days 2 \
        -addext keyUsage=critical,digitalSignature -addext extendedKeyUsage=cmcRA \
        -out "$TMP/$op.pem" 2>"$TMP/op.log" \
        || fail "making the $op operator certificate: $(cat "$TMP/op.log")"
done

ca_init --key-type ec:P-256 --signer-trust "$TMP/trusted.pem"
set_conf max_body 8192
start_server

new_key "$TMP/k.key"
mkreq "$TMP/good-simple.req" --kind simple --key "$TMP/k.key" --subject "/CN=neg good"
mkreq "$TMP/good-full.req" --kind full-p10 --key "$TMP/k.key" --subject "/CN=neg good full"

# expect_text STATUS WHAT: a 4xx answer is text/plain with a non-empty one-line reason.
expect_text() {
    assert_http "$1" "" "$2"
    case "$(printf '%s' "$HTTP_CT" | tr '[:upper:]' '[:lower:]')" in
    text/plain*) ;;
    *) fail "$2: Content-Type '$HTTP_CT', expected text/plain" ;;
    esac
    [ -s "$TMP/out" ] || fail "$2: empty reason"
    [ "$(wc -l <"$TMP/out")" -le 1 ] || fail "$2: reason is more than one line: $(cat "$TMP/out")"
    log "$2 -> $HTTP_CODE: $(cat "$TMP/out")"
}

# --- transport and decoding -----------------------------------------------------------------
head -c 700 /dev/urandom >"$TMP/garbage"
post "$TMP/garbage" "$CT_PKCS10" "$TMP/out"
expect_text 400 "garbage body as application/pkcs10"
post "$TMP/garbage" "$CT_CMC_REQ" "$TMP/out"
expect_text 400 "garbage body as CMC-request"

size="$(stat -c %s "$TMP/good-simple.req")"
head -c $((size - 7)) "$TMP/good-simple.req" >"$TMP/truncated"
post "$TMP/truncated" "$CT_PKCS10" "$TMP/out"
expect_text 400 "truncated PKCS #10"
size="$(stat -c %s "$TMP/good-full.req")"
head -c $((size - 7)) "$TMP/good-full.req" >"$TMP/truncated-full"
post "$TMP/truncated-full" "$CT_CMC_REQ" "$TMP/out"
expect_text 400 "truncated Full PKI Request"

{ cat "$TMP/good-simple.req"; printf '\x00\x00trailing'; } >"$TMP/trailing"
post "$TMP/trailing" "$CT_PKCS10" "$TMP/out"
expect_text 400 "PKCS #10 followed by trailing bytes"
{ cat "$TMP/good-full.req"; printf '\x05\x00'; } >"$TMP/trailing-full"
post "$TMP/trailing-full" "$CT_CMC_REQ" "$TMP/out"
expect_text 400 "Full PKI Request followed by trailing bytes"

post "$TMP/good-simple.req" "text/plain" "$TMP/out"
expect_text 415 "wrong Content-Type text/plain"

HTTP_CODE="$(curl -s -m 10 -o "$TMP/out" -w '%{http_code}' "$URL")"
HTTP_CT="$(curl -s -m 10 -o /dev/null -w '%{content_type}' "$URL")"
expect_text 405 "GET"

head -c 9000 /dev/urandom >"$TMP/big"
post "$TMP/big" "$CT_PKCS10" "$TMP/out"
expect_text 413 "9000-byte body with max_body = 8192"

w="$(curl -s -m 10 -o "$TMP/out" -w '%{http_code}' -H "Content-Type: $CT_PKCS10" \
    --data-binary @"$TMP/good-simple.req" "http://127.0.0.1:$PORT/not-cmc")"
assert_eq "$w" 404 "POST to a path other than /cmc"

# --- message framing, judged byte by byte on a raw socket --------------------------------------
# raw_expect STATUS REASON-PART WHAT REQUEST [RAW-ARGS...]: exactly one status line and
# header block, a text/plain one-line body containing REASON-PART, and that status.
RAW="$(dirname "$0")/raw_http.py"
raw_expect() {
    local want="$1" part="$2" what="$3" req="$4" out
    shift 4
    out="$(python3 "$RAW" "$PORT" "$req" "$@")" || fail "$what: $out"
    [ "${out%%$'\t'*}" = "$want" ] || fail "$what: status ${out%%$'\t'*}, expected $want ($out)"
    case "${out#*$'\t'}" in *"$part"*) ;; *) fail "$what: reason '${out#*$'\t'}' lacks '$part'" ;; esac
    log "$what -> $want: ${out#*$'\t'}"
}
H='POST /cmc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pkcs10\r\n'
# A percent-decoded path echoed in a 404 stays printable ASCII (valid UTF-8, no 8-bit CSI).
raw_expect 404 "not found: /x??" "path with %ff%9b" \
    'POST /x%ff%9b HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pkcs10\r\nContent-Length: 5\r\n\r\nhello'
raw_expect 413 "too large" "Content-Length above max_body" "${H}Content-Length: 99999999999\r\n\r\n"
raw_expect 400 "empty request body" "Content-Length 0" "${H}Content-Length: 0\r\n\r\n"
raw_expect 400 "several Content-Length" "two Content-Length fields" \
    "${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
raw_expect 400 "several Content-Length" "two equal Content-Length fields" \
    "${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"
raw_expect 400 "both Content-Length and Transfer-Encoding" "Content-Length with chunked" \
    "${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
raw_expect 501 "unsupported Transfer-Encoding" "Transfer-Encoding gzip" \
    "${H}Transfer-Encoding: gzip\r\n\r\nhello"
# The same checks hold for every request of a keep-alive connection, not just its first:
# first.http is a good Simple request answered 200 with the connection left open.
{ printf 'POST /cmc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nContent-Length: %s\r\n\r\n' \
    "$CT_PKCS10" "$(stat -c %s "$TMP/good-simple.req")"; cat "$TMP/good-simple.req"; } >"$TMP/first.http"
raw_expect 400 "several Content-Length" "two Content-Length fields after keep-alive" \
    "${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!" --first "$TMP/first.http"
raw_expect 400 "both Content-Length and Transfer-Encoding" \
    "Content-Length with chunked after keep-alive" \
    "${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" \
    --first "$TMP/first.http"
raw_expect 501 "unsupported Transfer-Encoding" "Transfer-Encoding gzip after keep-alive" \
    "${H}Transfer-Encoding: gzip\r\n\r\nhello" --first "$TMP/first.http"
raw_expect 405 "method not allowed" "GET" 'GET /cmc HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
raw_expect 415 "unsupported media type" "text/plain body" \
    'POST /cmc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi'
raw_expect 400 "not DER" "garbage body" "${H}Content-Length: 5\r\n\r\nhello"
# A Content-Length that is not a number (negative, letters) or overflows 64 bits is answered
# like every other framing error: one text/plain line, once. libmicrohttpd 0.9.75, the server
# before src/transport/http_server.c, answered these itself with an HTML page and its header
# block twice (issue 9 item 8; docs/internals/transport.md). Each is tried as the first
# request of a connection and as the second of a keep-alive one.
for cl in -5 abc 18446744073709551617 99999999999999999999999 '1 2' '5, 5' '+5'; do
    for ka in "" " after keep-alive"; do
        first=()
        [ -z "$ka" ] || first=(--first "$TMP/first.http")
        case "$cl" in
        *[!0-9]*) raw_expect 400 "malformed Content-Length" "Content-Length '$cl'$ka" \
            "${H}Content-Length: $cl\r\n\r\n" "${first[@]}" ;;
        *) raw_expect 413 "request body too large" "Content-Length '$cl'$ka" \
            "${H}Content-Length: $cl\r\n\r\n" "${first[@]}" ;;
        esac
    done
done
# Head syntax our parser refuses (http_parse.c), each with its one line.
raw_expect 400 "bare LF" "a header line ended by a bare LF" \
    'POST /cmc HTTP/1.1\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello'
raw_expect 400 "obsolete line folding" "a folded header line" \
    "${H}Content-Length: 5\r\nX-A: 1\r\n 2\r\n\r\nhello"
raw_expect 400 "malformed header field" "whitespace before the colon" \
    "${H}Content-Length : 5\r\n\r\nhello"
raw_expect 400 "missing Host" "HTTP/1.1 without Host" \
    'POST /cmc HTTP/1.1\r\nContent-Type: application/pkcs10\r\nContent-Length: 5\r\n\r\nhello'
raw_expect 505 "HTTP version" "HTTP/2.0 in the request line" \
    'POST /cmc HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n'
raw_expect 400 "chunk size" "a chunk size that is not hex" \
    "${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
raw_expect 417 "Expect" "an Expect other than 100-continue" \
    "${H}Content-Length: 5\r\nExpect: 200-ok\r\n\r\nhello"
kill -0 "$CMCD_PID" 2>/dev/null || fail "cmcd died on malformed framing"
grep -q -- "- - 400 in=0 out=[0-9]* [0-9]*ms malformed Content-Length" "$TMP/cmcd.log" \
    || fail "no access-log line for a malformed Content-Length"

# --- CMC-level failures: HTTP 200 with a signed Full PKI Response -----------------------------
# cmc_case NAME EXPECTED-FAILINFOS MKREQ-ARGS...
cmc_case() {
    local name="$1" want="$2"
    shift 2
    mkreq "$TMP/$name.req" --key "$TMP/k.key" --subject "/CN=neg $name" "$@"
    local ct="$CT_CMC_REQ"
    case " $* " in *" simple "*) ct="$CT_PKCS10" ;; esac
    post "$TMP/$name.req" "$ct" "$TMP/$name.resp"
    assert_http 200 "$CT_CMC_RESP" "$name"
    # shellcheck disable=SC2086
    expect_fail_info "$TMP/$name.resp" $want
    log "$name -> failed/$(grep -oE "\"($(echo "$want" | tr ' ' '|'))\"" "$TMP/$name.resp.json" | head -n1)"
}

cmc_case dup-id-p10 "badRequest" --kind full-p10 --bad dup-id
cmc_case dup-id-crmf "badRequest" --kind full-crmf --bad dup-id
cmc_case unknown-control "badRequest" --kind full-p10 --bad unknown-control
cmc_case bad-pop-p10 "popFailed" --kind full-p10 --bad pop
cmc_case bad-pop-crmf "popFailed" --kind full-crmf --bad pop
cmc_case bad-pop-simple "popFailed" --kind simple --bad pop
cmc_case tampered-wrapper "badMessageCheck" --kind full-p10 --bad wrapper
cmc_case untrusted-signer "badMessageCheck" --kind full-p10 --profile signed_only \
    --sign-cert "$TMP/untrusted.pem" --sign-key "$TMP/untrusted.key"
cmc_case self-signed-for-signed-only "badIdentity" --kind full-p10 --profile signed_only
cmc_case unknown-profile "badRequest" --kind full-p10 --profile no_such_profile

# The positive control of the signed_only cases: a trusted operator's signature is enough.
mkreq "$TMP/trusted.req" --kind full-p10 --key "$TMP/k.key" --subject "/CN=neg trusted" \
    --profile signed_only --sign-cert "$TMP/trusted.pem" --sign-key "$TMP/trusted.key"
post "$TMP/trusted.req" "$CT_CMC_REQ" "$TMP/trusted.resp"
assert_http 200 "$CT_CMC_RESP" "signed_only request signed by a trusted operator"
verify_full_response "$TMP/trusted.resp" "$TMP/trusted.pkiresponse"
pick_cert "$TMP/trusted.resp.certs.pem" "CN=neg trusted" "$TMP/trusted-issued.pem"
assert_verifies "$TMP/trusted-issued.pem"
log "signed_only + trusted operator -> issued"

# --- still alive and still issuing ------------------------------------------------------------
kill -0 "$CMCD_PID" 2>/dev/null || fail "cmcd died during the negative tests"
post "$TMP/good-simple.req" "$CT_PKCS10" "$TMP/final.p7"
assert_http 200 "$CT_CERTS_ONLY" "a good Simple request after all the bad ones"
openssl pkcs7 -inform DER -in "$TMP/final.p7" -print_certs -out "$TMP/final.bundle" 2>/dev/null \
    || fail "openssl pkcs7 of the final answer"
pick_cert "$TMP/final.bundle" "CN=neg good" "$TMP/final.pem"
assert_verifies "$TMP/final.pem"
enroll_ok --full --subject "/CN=neg final cli" --new-key ec:P-256 --key-out "$TMP/final-cli.key" \
    --out "$TMP/final-cli.pem"
assert_verifies "$TMP/final-cli.pem"

log "PASS"
