#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interop with tools that are not ours: PKCS #10 from `openssl req` posted with curl gets a
# certs-only answer that `openssl pkcs7` and `openssl verify` accept; Full PKI Requests made
# by cmc-mkreq get Full PKI Responses that `openssl cms -verify` accepts and `cmc show` reads.
. "$(dirname "$0")/lib.sh"
need_mkreq

setup_demo --key-type ec:P-256

# --- Simple PKI Request from openssl req, for an EC and an RSA key --------------------------
for kt in ec rsa; do
    case "$kt" in
    ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    rsa) newkey=(-newkey rsa:2048) ;;
    esac
    openssl req -new "${newkey[@]}" -nodes -keyout "$TMP/o-$kt.key" -subj "/CN=openssl $kt" \
        -outform DER -out "$TMP/o-$kt.req" 2>"$TMP/req.log" || fail "openssl req: $(cat "$TMP/req.log")"
    post "$TMP/o-$kt.req" "$CT_PKCS10" "$TMP/o-$kt.p7"
    assert_http 200 "$CT_CERTS_ONLY" "Simple PKI Request from openssl req ($kt)"
    openssl pkcs7 -inform DER -in "$TMP/o-$kt.p7" -print_certs -out "$TMP/o-$kt.bundle" \
        2>"$TMP/p7.log" || fail "openssl pkcs7 -print_certs: $(cat "$TMP/p7.log")"
    pick_cert "$TMP/o-$kt.bundle" "CN=openssl $kt" "$TMP/o-$kt.pem"
    assert_verifies "$TMP/o-$kt.pem"
    assert_in_db "$TMP/o-$kt.pem"
    log "openssl req ($kt) -> certs-only: ok"
done

# --- Full PKI Requests (PKCS#10 and CRMF bodies) ----------------------------------------------
new_key "$TMP/f.key"
for kind in full-p10 full-crmf; do
    mkreq "$TMP/$kind.req" --kind "$kind" --key "$TMP/f.key" --subject "/CN=mkreq $kind"
    post "$TMP/$kind.req" "$CT_CMC_REQ" "$TMP/$kind.resp"
    assert_http 200 "$CT_CMC_RESP" "Full PKI Request ($kind)"
    verify_full_response "$TMP/$kind.resp" "$TMP/$kind.pkiresponse"
    pick_cert "$TMP/$kind.resp.certs.pem" "CN=mkreq $kind" "$TMP/$kind.pem"
    assert_verifies "$TMP/$kind.pem"
    assert_in_db "$TMP/$kind.pem"
    show_json "$TMP/$kind.resp"
    assert_contains "$TMP/$kind.resp.json" '"success"' "cmc show --json of the $kind response"
    "$CMC" show "$TMP/$kind.resp" >"$TMP/$kind.show" 2>&1 || fail "cmc show $kind response failed"
    assert_contains "$TMP/$kind.show" "success" "cmc show of the $kind response"
    log "$kind -> CMC-response (verified with openssl cms): ok"
done

# The Simple request is also accepted as the body of a CMC-request typed POST? No: a bare
# PKCS #10 under the CMC-request media type is not a ContentInfo, so it is refused as
# undecodable (400) rather than guessed at.
post "$TMP/o-ec.req" "$CT_CMC_REQ" "$TMP/mismatch.out"
case "$HTTP_CODE" in
400) ;;
200) expect_fail_info "$TMP/mismatch.out" badRequest badMessageCheck ;;
*) fail "PKCS #10 posted as CMC-request: HTTP $HTTP_CODE, expected 400 or a CMC failure" ;;
esac

log "PASS"
