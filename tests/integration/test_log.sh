#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# cmcd's log (docs/configuration.md "Log"): an issuance line with the certificate's serial,
# subject, profile and signer; a refusal line with the statusString; no source locations at
# info level, and at debug the request error with its location. An unknown key in cmcd.cnf
# stops cmcd with a message naming file, section and key (and no source location).
. "$(dirname "$0")/lib.sh"

setup_demo --key-type ec:P-256

# Simple PKI Request, issued.
enroll_ok --subject "/O=log test/CN=log simple" --new-key ec:P-256 \
    --key-out "$TMP/s.key" --out "$TMP/s.pem"
serial="$(cert_serial "$TMP/s.pem")"
line="$(grep -F "issued serial=$serial " "$TMP/cmcd.log" || true)"
[ -n "$line" ] || fail "no issuance line for serial $serial"
assert_contains "$line" 'subject="CN=log simple,O=log test" profile=default request=simple bodyPart=1 signer=none' \
    "issuance line of the Simple request"

# Full PKI Request signed by the key being certified, issued.
enroll_ok --full --subject "/CN=log full" --new-key ec:P-256 \
    --key-out "$TMP/f.key" --out "$TMP/f.pem"
serial="$(cert_serial "$TMP/f.pem")"
line="$(grep -F "issued serial=$serial " "$TMP/cmcd.log" || true)"
[ -n "$line" ] || fail "no issuance line for serial $serial"
assert_contains "$line" 'subject="CN=log full" profile=default request=full' "issuance line of the Full request"
assert_contains "$line" 'signer=pop-key' "issuance line of the Full request"

# Refused: an unknown profile. The line carries the statusString the client got.
if "$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --full --profile no-such-profile \
    --subject "/CN=log refused" --new-key ec:P-256 --key-out "$TMP/r.key" --out "$TMP/r.pem" \
    >"$TMP/refused.log" 2>&1; then
    fail "an unknown profile was issued"
fi
line="$(grep -F ' refused full request ' "$TMP/cmcd.log" || true)"
[ -n "$line" ] || fail "no refusal line in the log"
assert_contains "$line" 'status=failed failInfo=badRequest reason="regInfo: unknown profile \"no-such-profile\""' \
    "refusal line"
if grep -qE '\[[a-z_]+\.c:[0-9]+\]' "$TMP/cmcd.log"; then
    fail "a source location in the info log: $(grep -E '\[[a-z_]+\.c:[0-9]+\]' "$TMP/cmcd.log" | head -3)"
fi
log "issuance and refusal lines: ok"

# log_level = debug: the request error with its source location.
stop_server
set_conf log_level debug
start_server
"$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --full --profile no-such-profile \
    --subject "/CN=log debug" --new-key ec:P-256 --key-out "$TMP/d.key" --out "$TMP/d.pem" \
    >/dev/null 2>&1 && fail "an unknown profile was issued"
grep -qE ' debug request error: unknown profile "no-such-profile" \[engine_controls\.c:[0-9]+\]' "$TMP/cmcd.log" \
    || fail "no debug line with the error's location"
log "debug detail: ok"

# An unknown key: cmcd does not start, and says where.
stop_server
set_conf log_levle info
if "$CMCD" --config "$CA/cmcd.cnf" --listen "127.0.0.1:$PORT" >"$TMP/badconf.log" 2>&1; then
    fail "cmcd started with an unknown key in its configuration"
fi
assert_contains "$TMP/badconf.log" "cmcd: $CA/cmcd.cnf: [cmcd] log_levle: unknown key (did you mean log_level?)" \
    "the configuration error"
if grep -q '\.c:' "$TMP/badconf.log"; then
    fail "a source location in the configuration error: $(cat "$TMP/badconf.log")"
fi
log "unknown key: ok"
log "PASS"
