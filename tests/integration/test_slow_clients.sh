#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Slow clients (docs/configuration.md request_timeout, max_connections_per_ip): connections
# that send one byte every second never reach the idle timeout, yet must not lock everyone
# else out. With every connection slot held by slow senders, a normal enrollment still
# completes within a few seconds: at once when the senders share one address (per-address
# limit), within request_timeout when they come from several (a newcomer at max_connections
# closes the oldest; test_slow_reconnect checks that with the default request_timeout). And
# the default per-address limit serves 70 concurrent clients of one address (the benchmark
# runs 64 from 127.0.0.1). Loopback only: slow senders use source addresses 127.0.0.2 and
# 127.0.0.3 and connect to 127.0.0.1.
. "$(dirname "$0")/lib.sh"

SLOW="$(dirname "$0")/slow_sender.py"
python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.2", 0)); s.close()' 2>/dev/null \
    || skip "cannot bind loopback source address 127.0.0.2"

ca_init --key-type ec:P-256
set_conf threads 2
set_conf max_connections 8
set_conf max_connections_per_ip 4
set_conf request_timeout 2
set_conf conn_timeout 60 # the idle timeout alone would let the slow senders stay
start_server

# slow SRC COUNT SECONDS NAME: slow senders in the background; their stats go to $TMP/NAME.
SLOW_PIDS=()
slow() {
    python3 "$SLOW" "$1" "$PORT" "$2" "$3" 1 "$TMP/$4" &
    SLOW_PIDS+=($!)
}
wait_slow() {
    local p
    for p in "${SLOW_PIDS[@]}"; do wait "$p" || fail "a slow sender failed"; done
    SLOW_PIDS=()
}

# timed_enroll NAME BOUND: one `cmc enroll` from 127.0.0.1 must succeed within BOUND seconds.
timed_enroll() {
    local name="$1" bound="$2" t0 t1 ms
    t0="$(date +%s%N)"
    "$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --timeout 30 --subject "/CN=$name" \
        --new-key ec:P-256 --key-out "$TMP/$name.key" --out "$TMP/$name.pem" \
        >"$TMP/$name.log" 2>&1 || fail "$name: cmc enroll failed: $(cat "$TMP/$name.log")"
    t1="$(date +%s%N)"
    ms=$(((t1 - t0) / 1000000))
    assert_verifies "$TMP/$name.pem"
    [ "$ms" -le $((bound * 1000)) ] || fail "$name: enrollment took $ms ms, bound $bound s"
    log "$name: enrolled in $ms ms (bound $bound s)"
}

# --- 1. slow senders from one address try to take every slot: the per-address limit -----------
slow 127.0.0.2 8 4 one-addr
sleep 1
timed_enroll per-address 3
wait_slow
log "slow senders from one address: $(cat "$TMP/one-addr")"

# --- 2. slow senders from two addresses hold every slot: the newcomer takes the oldest's -------
slow 127.0.0.2 4 8 addr2
slow 127.0.0.3 4 8 addr3
sleep 1
timed_enroll deadline 5
wait_slow
for f in addr2 addr3; do
    grep -qE 'closed_by_server=[1-9]' "$TMP/$f" \
        || fail "the server never closed a slow sender ($f: $(cat "$TMP/$f"))"
done
log "slow senders from two addresses: $(cat "$TMP/addr2"); $(cat "$TMP/addr3")"
kill -0 "$CMCD_PID" 2>/dev/null || fail "cmcd died"
stop_server

# --- 3. the defaults serve 70 concurrent clients from one address -----------------------------
sed -i -E '/^(threads|max_connections|max_connections_per_ip|request_timeout|conn_timeout) = /d' \
    "$CA/cmcd.cnf"
start_server
new_key "$TMP/k.key"
openssl req -new -key "$TMP/k.key" -subj "/CN=concurrent" -outform DER -out "$TMP/c.req" \
    2>/dev/null || fail "openssl req"
python3 - "$PORT" "$TMP/c.req" <<'EOF' || fail "70 concurrent clients from 127.0.0.1 with the default limits"
import socket, sys, threading
port, req = int(sys.argv[1]), open(sys.argv[2], "rb").read()
head = (b"POST /cmc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pkcs10\r\n"
        b"Content-Length: %d\r\n\r\n" % len(req))
socks = [socket.create_connection(("127.0.0.1", port), timeout=20) for _ in range(70)]
codes = []
def one(s):
    s.sendall(head + req)
    data = b""
    while b"\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    codes.append(data.split(b" ")[1] if data else b"closed")
threads = [threading.Thread(target=one, args=(s,)) for s in socks]
[t.start() for t in threads]
[t.join() for t in threads]
bad = [c for c in codes if c != b"200"]
print(f"{len(codes)} answers, not 200: {bad[:5]}")
sys.exit(1 if bad or len(codes) != 70 else 0)
EOF
log "70 concurrent connections from 127.0.0.1 with the defaults: all 200"

log "PASS"
