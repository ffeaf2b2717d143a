#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Slow senders that reconnect (docs/internals/transport.md, "Slow senders"), with the
# DEFAULT request_timeout (15 s): an attacker holds every connection slot with slow senders
# from several addresses and keeps more connects queued in the listen backlog, reconnecting
# at once whenever the server closes one. A normal `cmc enroll` must still complete within
# 3 s: at max_connections a newcomer is accepted and the connection that has waited longest
# for its request is closed, so neither the held slots nor the queued connects keep it out.
# Before that, the enrollment waited in the backlog until request_timeout freed slots, and
# then behind the attacker's queued connects. Loopback only: the slow senders use source
# addresses 127.0.0.2-5 and connect to 127.0.0.1.
. "$(dirname "$0")/lib.sh"

SLOW="$(dirname "$0")/slow_sender.py"
python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.5", 0)); s.close()' 2>/dev/null \
    || skip "cannot bind loopback source address 127.0.0.5"

ca_init --key-type ec:P-256
set_conf threads 2
set_conf max_connections 16 # cheap to fill; request_timeout and the rest stay at their defaults
start_server

# 4 addresses x 12 senders = 48 connections for 16 slots: 32 wait in the backlog at all times.
PIDS=()
for a in 2 3 4 5; do
    python3 "$SLOW" "127.0.0.$a" "$PORT" 12 9 1 "$TMP/slow$a" &
    PIDS+=($!)
done
sleep 2 # every slot held, the backlog filled

t0="$(date +%s%N)"
"$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --timeout 3 --subject "/CN=newcomer" \
    --new-key ec:P-256 --key-out "$TMP/n.key" --out "$TMP/n.pem" >"$TMP/n.log" 2>&1 \
    || fail "cmc enroll with every slot held by slow senders failed within 3 s: $(cat "$TMP/n.log")"
t1="$(date +%s%N)"
ms=$(((t1 - t0) / 1000000))
assert_verifies "$TMP/n.pem"
[ "$ms" -le 3000 ] || fail "enrollment took $ms ms, bound 3 s"
log "newcomer enrolled in $ms ms while slow senders held every slot"

for p in "${PIDS[@]}"; do wait "$p" || fail "a slow sender failed"; done
total=0
for a in 2 3 4 5; do
    log "slow senders from 127.0.0.$a: $(cat "$TMP/slow$a")"
    n="$(sed -E 's/.*closed_by_server=([0-9]+).*/\1/' "$TMP/slow$a")"
    total=$((total + n))
done
# They really held the slots and were pushed out (not refused by the per-address limit).
[ "$total" -ge 1 ] || fail "the server never closed a slow sender"
kill -0 "$CMCD_PID" 2>/dev/null || fail "cmcd died"
log "PASS"
