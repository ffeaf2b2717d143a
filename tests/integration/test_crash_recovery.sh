#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Durability: several clients enroll concurrently, cmcd is killed with SIGKILL mid-run, and
# every certificate a client received must be in the store, with no serial repeated; the
# restarted server issues again.
. "$(dirname "$0")/lib.sh"

CLIENTS=4
PER_CLIENT_MAX=150   # bound on enrollments per client loop
LOOP_SECONDS=25      # bound on each client loop's wall time
MIN_BEFORE_KILL=60   # certificates received in total before the kill

setup_demo --key-type ec:P-256

# client_loop I: enroll until the server goes away (3 failures in a row) or a bound is hit;
# append the serial of every certificate received to $TMP/serials.I.
client_loop() {
    local i="$1" n fails=0 end=$((SECONDS + LOOP_SECONDS)) mode=()
    [ $((i % 2)) = 1 ] && mode=(--full)
    : >"$TMP/serials.$i"
    for n in $(seq 1 "$PER_CLIENT_MAX"); do
        [ "$SECONDS" -lt "$end" ] || break
        if timeout 10 "$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" "${mode[@]}" \
            --subject "/CN=crash $i-$n" --new-key ec:P-256 --key-out "$TMP/c$i-$n.key" \
            --out "$TMP/c$i-$n.pem" >"$TMP/c$i.log" 2>&1; then
            fails=0
            cert_serial "$TMP/c$i-$n.pem" >>"$TMP/serials.$i"
        else
            fails=$((fails + 1))
            [ "$fails" -lt 3 ] || break
            sleep 0.05
        fi
    done
}

pids=()
for i in $(seq 1 "$CLIENTS"); do
    client_loop "$i" &
    pids+=($!)
done

# Kill cmcd once the clients are well under way (bounded wait).
received() { cat "$TMP"/serials.* 2>/dev/null | wc -l; }
for _ in $(seq 1 150); do
    [ "$(received)" -ge "$MIN_BEFORE_KILL" ] && break
    sleep 0.1
done
got_before="$(received)"
[ "$got_before" -gt 0 ] || fail "no client received a certificate before the kill"
victim="$CMCD_PID"
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
CMCD_PID=""
log "killed cmcd (pid $victim) with SIGKILL after $got_before certificates"

for p in "${pids[@]}"; do
    wait "$p" || true
done
cat "$TMP"/serials.* | sort >"$TMP/received"
total="$(wc -l <"$TMP/received")"
log "clients received $total certificates in all"

# --- what the clients hold is what the store holds ---------------------------------------------
dup_clients="$(uniq -d "$TMP/received" | wc -l)"
assert_eq "$dup_clients" 0 "serials received twice by clients"
assert_eq "$(sqlite3 "$CA/cmcd.db" 'pragma integrity_check;')" ok "sqlite integrity_check after SIGKILL"
missing=0
while read -r s; do
    if [ "$(db_count_serial "$s")" != 1 ]; then
        log "serial $s was sent to a client but is not in the store"
        missing=$((missing + 1))
    fi
done <"$TMP/received"
assert_eq "$missing" 0 "certificates a client received but the store lost"
dups="$(sqlite3 "$CA/cmcd.db" 'select count(*) - count(distinct serial_hex) from certs;')"
assert_eq "$dups" 0 "repeated serials in the store"
stored="$(sqlite3 "$CA/cmcd.db" 'select count(*) from certs;')"
[ "$stored" -ge "$total" ] || fail "store holds $stored certificates, clients received $total"
log "store holds $stored certificates (>= $total received), none repeated"

# --- restart on the same database ---------------------------------------------------------------
start_server
enroll_ok --subject "/CN=after crash" --new-key ec:P-256 --key-out "$TMP/after.key" \
    --out "$TMP/after.pem"
assert_verifies "$TMP/after.pem"
assert_in_db "$TMP/after.pem"
assert_eq "$(grep -cx "$(cert_serial "$TMP/after.pem")" "$TMP/received" || true)" 0 \
    "serial issued after the restart repeats one from before"

log "PASS"
