#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Signals (docs/configuration.md "Signals"): SIGTERM stops cmcd in bounded time under load,
# also with max_connections below threads (libmicrohttpd 0.9.75, the HTTP server before
# ours, used to hang in MHD_stop_daemon there); a storm of signals neither kills nor hangs it; SIGHUP reloads the
# configuration while serving, and a broken configuration is refused with the reason logged
# while the previous one keeps serving.
. "$(dirname "$0")/lib.sh"
need_mkreq

STOP_BOUND=5 # seconds a SIGTERM may take

# term_within SECONDS [SIGNAL]: signal cmcd and require it to exit (status 0) in time.
term_within() {
    local bound="$1" sig="${2:-TERM}" pid="$CMCD_PID" i rc
    kill -"$sig" "$pid" || fail "cmcd (pid $pid) is not running to receive SIG$sig"
    for i in $(seq 1 $((bound * 20))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        CMCD_PID=""
        fail "cmcd did not stop within $bound s of SIG$sig"
    fi
    rc=0
    wait "$pid" || rc=$?
    CMCD_PID=""
    assert_eq "$rc" 0 "exit status of cmcd after SIG$sig"
}

# load_loop N FILE: N sequential POSTs of a good Simple request; HTTP codes to FILE.
load_loop() {
    local n="$1" out="$2" i
    : >"$out"
    for i in $(seq 1 "$n"); do
        curl -s -m 10 -o /dev/null -w '%{http_code}\n' -H "Content-Type: $CT_PKCS10" \
            --data-binary @"$TMP/good.req" "$URL" >>"$out" 2>/dev/null || echo "curl-failed" >>"$out"
    done
}

# mark_log: later log_has calls look only at lines logged from now on.
LOG_MARK=0
mark_log() { LOG_MARK="$(wc -l <"$TMP/cmcd.log")"; }
# The lines since the mark, as a file: `new_log | grep -q` would fail now and then under
# pipefail, when grep exits at its match and tail gets SIGPIPE.
new_log() { tail -n +$((LOG_MARK + 1)) "$TMP/cmcd.log" >"$TMP/new.log"; echo "$TMP/new.log"; }

# log_has TEXT WHAT: a line logged since mark_log contains TEXT (waits up to 5 s for it).
log_has() {
    local i
    for i in $(seq 1 50); do
        grep -qF -- "$1" "$(new_log)" && return 0
        sleep 0.1
    done
    fail "$2: no log line containing '$1' since the mark"
}

ca_init --key-type ec:P-256
new_key "$TMP/k.key"
mkreq "$TMP/good.req" --kind simple --key "$TMP/k.key" --subject "/CN=signals"

# --- 1. SIGTERM under load with max_connections < threads ------------------------------------
set_conf threads 8
set_conf max_connections 2
start_server
for j in 1 2 3; do load_loop 400 "$TMP/load.$j" & done
sleep 1
[ "$(cat "$TMP"/load.* | grep -c '^200$')" -gt 0 ] || fail "no request succeeded before the SIGTERM"
term_within "$STOP_BOUND" TERM
wait
log "SIGTERM with threads = 8, max_connections = 2, under load: stopped within $STOP_BOUND s"
grep -q "using 2 threads" "$(new_log)" || fail "no warning that threads were cut to max_connections"

# --- 2. a signal storm: SIGHUPs while serving, then SIGTERM and SIGINT together ----------------
set_conf threads 4
set_conf max_connections 64
start_server
mark_log
load_loop 200 "$TMP/storm-load" &
loadpid=$!
for i in $(seq 1 100); do kill -HUP "$CMCD_PID" 2>/dev/null || fail "cmcd died during a SIGHUP storm ($i)"; done
sleep 0.5
kill -0 "$CMCD_PID" 2>/dev/null || fail "cmcd died from SIGHUP"
wait "$loadpid"
bad="$(grep -vc '^200$' "$TMP/storm-load" || true)"
assert_eq "$bad" 0 "requests that did not get 200 while 100 SIGHUPs reloaded the configuration"
log_has "configuration reloaded from" "SIGHUP storm"
post "$TMP/good.req" "$CT_PKCS10" "$TMP/out"
assert_http 200 "$CT_CERTS_ONLY" "a request after the SIGHUP storm"
pid="$CMCD_PID"
kill -INT "$pid"
term_within "$STOP_BOUND" TERM
log "100 SIGHUPs under load: all answered 200; SIGINT + SIGTERM: stopped"

# --- 3. SIGHUP with a changed profile takes effect ----------------------------------------------
start_server
enroll_extra() {
    "$CMC" enroll --server "$URL" --ca-cert "$CA/ca.pem" --full --profile extra \
        --subject "/CN=extra $1" --new-key ec:P-256 --key-out "$TMP/extra-$1.key" \
        --out "$TMP/extra-$1.pem" >"$TMP/extra-$1.log" 2>&1
}
if enroll_extra before; then fail "profile 'extra' was issued under before it was configured"; fi
python3 - "$CA/cmcd.cnf" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("default = profile_default", "default = profile_default\nextra = profile_extra", 1)
s += "\n[profile_extra]\nauthorization = open\nvalidity_days = 3\n"
open(p, "w").write(s)
EOF
mark_log
kill -HUP "$CMCD_PID"
log_has "configuration reloaded from" "SIGHUP after adding profile 'extra'"
enroll_extra after || fail "enroll under the reloaded profile 'extra': $(cat "$TMP/extra-after.log")"
assert_verifies "$TMP/extra-after.pem"
nb="$(date -d "$(openssl x509 -in "$TMP/extra-after.pem" -noout -startdate | cut -d= -f2)" +%s)"
na="$(date -d "$(openssl x509 -in "$TMP/extra-after.pem" -noout -enddate | cut -d= -f2)" +%s)"
assert_eq "$(((na - nb) / 86400))" 3 "validity in days of a certificate from the reloaded profile"
log "SIGHUP: a profile added to the file is served"

# --- 4. SIGHUP with a broken configuration keeps the old one and logs why -------------------------
cp "$CA/cmcd.cnf" "$TMP/cmcd.cnf.good"
sed -i 's/^validity_days = 3$/validity_days = three/' "$CA/cmcd.cnf"
grep -q "validity_days = three" "$CA/cmcd.cnf" || fail "could not break the configuration"
mark_log
kill -HUP "$CMCD_PID"
log_has "still serving the previous configuration" "SIGHUP with a broken configuration"
grep "still serving the previous configuration" "$(new_log)" >"$TMP/reload-err.log" || true
grep -q "validity_days" "$TMP/reload-err.log" \
    || fail "the reload failure does not name the bad key: $(cat "$TMP/reload-err.log")"
kill -0 "$CMCD_PID" 2>/dev/null || fail "cmcd died on a broken reload"
enroll_extra broken || fail "enroll after a refused reload: $(cat "$TMP/extra-broken.log")"
nb="$(date -d "$(openssl x509 -in "$TMP/extra-broken.pem" -noout -startdate | cut -d= -f2)" +%s)"
na="$(date -d "$(openssl x509 -in "$TMP/extra-broken.pem" -noout -enddate | cut -d= -f2)" +%s)"
assert_eq "$(((na - nb) / 86400))" 3 "validity after a refused reload (the previous profile)"
# a setting that needs a restart is named as such
cp "$TMP/cmcd.cnf.good" "$CA/cmcd.cnf"
set_conf threads 2
mark_log
kill -HUP "$CMCD_PID"
log_has "threads changed from" "SIGHUP with a changed thread count"
log_has "takes effect after a restart" "SIGHUP with a changed thread count"
term_within "$STOP_BOUND" TERM
log "SIGHUP: a broken file is refused with its reason, the previous configuration serves on"

log "PASS"
