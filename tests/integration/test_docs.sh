#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The documentation is true (issue 9 item 16):
#  - every shell block of README.md after "Enroll a certificate" runs as pasted, against a
#    server started by `make run` on another port (LISTEN=...), and `make run` serves an
#    existing demo directory on yet another port;
#  - the sample configuration error of docs/configuration.md and cmcd.8 is what cmcd prints;
#  - no Markdown link of the docs points at a file that is not in the repository;
#  - `cmake --install` puts cmc(1) and cmcd(8) under share/man and `man -l` renders them
#    without warnings; every option of `cmc CMD --help` is in cmc(1).
. "$(dirname "$0")/lib.sh"

need_cmd make setsid
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$(cd "$CMC_BIN/.." && pwd)"

# --- make run, with LISTEN, then the README's commands against it ------------------------
W="$TMP/w"
mkdir -p "$W/build"
ln -s "$CMC_BIN" "$W/build/tools"
MAKE_PID=""

stop_make_run() {
    local pid="$MAKE_PID" i
    MAKE_PID=""
    [ -n "$pid" ] || return 0
    # make and cmcd share the process group setsid gave them.
    kill -TERM -- "-$pid" 2>/dev/null || return 0
    for i in $(seq 1 50); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
trap 'rc=$?; stop_make_run; (exit $rc); cleanup' EXIT

# make_run PORT: `make run LISTEN=127.0.0.1:PORT` with the demo CA in $W/demo; sets URL.
make_run() {
    PORT="$1"
    URL="http://127.0.0.1:$PORT/cmc"
    # JOBS=1: the tree is built already; this only checks it is up to date.
    setsid make -C "$SRC" --no-print-directory run BUILD="$BUILD" JOBS=1 DEMO_DIR="$W/demo" \
        LISTEN="127.0.0.1:$PORT" >>"$TMP/make-run.log" 2>&1 &
    MAKE_PID=$!
    CMCD_PID=$MAKE_PID # wait_ready watches this pid
    # Up to a minute: make may have to bring the build up to date first.
    local i rc=2
    for i in 1 2 3 4 5 6; do
        rc=0
        wait_ready || rc=$?
        [ "$rc" = 2 ] || break
    done
    [ "$rc" = 0 ] || fail "make run LISTEN=127.0.0.1:$PORT did not serve $URL: $(tail -n 20 "$TMP/make-run.log")"
    CMCD_PID=""
}

make_run "$(free_port)"
[ -f "$W/demo/ca.pem" ] || fail "make run did not create the demo CA in $W/demo"
cp "$W/demo/ca.pem" "$TMP/ca-first.pem"
log "make run LISTEN=127.0.0.1:$PORT (new demo CA): ok"

# Every ```sh block from "## Enroll a certificate" to the next "## ", as pasted, with the
# documented port 8080 replaced by ours.
python3 - "$SRC/README.md" "$TMP/readme" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
part = text.split("## Enroll a certificate", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"```sh\n(.*?)```", part, re.S)
assert len(blocks) >= 4, f"only {len(blocks)} sh blocks in README's enroll section"
for i, b in enumerate(blocks):
    assert "..." not in b, f"README block {i} holds '...': {b}"
    open(f"{sys.argv[2]}.{i}.sh", "w").write(b)
EOF
n=0
for b in "$TMP"/readme.*.sh; do
    n=$((n + 1))
    sed -i "s/127\.0\.0\.1:8080/127.0.0.1:$PORT/g" "$b"
    (cd "$W" && bash -euo pipefail "$b") >"$b.out" 2>&1 \
        || fail "README block $(basename "$b") failed as pasted:
$(cat "$b")
--- output:
$(tail -n 30 "$b.out")"
done
for c in device-1 device-3 device-4; do
    openssl verify -CAfile "$W/demo/ca.pem" "$W/demo/$c.pem" >/dev/null 2>&1 \
        || fail "README: demo/$c.pem does not verify"
done
assert_contains "$(cat "$TMP"/readme.*.sh.out)" "subject=CN = device-2" "README: openssl pkcs7 -print_certs"
log "README: $n blocks run as pasted against make run: ok"

# The same demo directory, another port: served, the CA kept.
stop_make_run
make_run "$(free_port)"
cmp -s "$W/demo/ca.pem" "$TMP/ca-first.pem" || fail "make run replaced the existing demo CA"
"$CMC" enroll --server "$URL" --ca-cert "$W/demo/ca.pem" --subject /CN=second-port \
    --new-key ec:P-256 --key-out "$W/second.key" --out "$W/second.pem" >"$TMP/second.log" 2>&1 \
    || fail "enroll against the second make run: $(cat "$TMP/second.log")"
stop_make_run
log "make run LISTEN=127.0.0.1:$PORT with the demo directory already there: ok"

# --- the sample configuration error ------------------------------------------------------
mkdir -p "$TMP/cfg"
"$CMC" ca init --dir "$TMP/cfg/demo" --demo >/dev/null 2>&1 || fail "cmc ca init"
sed -i 's/^authorization = open$/authorization = approval/' "$TMP/cfg/demo/cmcd.cnf"
rc=0
(cd "$TMP/cfg" && "$CMCD" --config demo/cmcd.cnf --listen 127.0.0.1:0) >/dev/null 2>"$TMP/cfg.err" || rc=$?
assert_eq "$rc" 1 "cmcd exit code with an unknown authorization"
# A " [file.c:line]" suffix is for developers (issue 9 item 15); the text before it is what
# the documentation must show.
got="$(sed 's/ \[[A-Za-z0-9_]*\.c:[0-9]*\]$//' "$TMP/cfg.err")"
for doc in docs/configuration.md docs/man/cmcd.8.md; do
    want="$(grep -m1 '^cmcd: demo/cmcd.cnf: ' "$SRC/$doc")" || fail "$doc has no sample error"
    assert_eq "$want" "$got" "the sample error of $doc"
done
log "sample configuration error is the real one: ok"

# --- links ---------------------------------------------------------------------------------
python3 - "$SRC" <<'EOF' || fail "documentation links (above)"
import glob, os, re, sys
src = sys.argv[1]
bad = []
for md in [os.path.join(src, "README.md")] + glob.glob(os.path.join(src, "docs", "**", "*.md"), recursive=True):
    text = open(md, encoding="utf-8").read()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = os.path.normpath(os.path.join(os.path.dirname(md), target.split("#")[0]))
        if not path.startswith(src + os.sep) or not os.path.exists(path):
            bad.append(f"{os.path.relpath(md, src)}: link to {target}")
    for m in re.findall(r"`(\.\./[^`]+)`", text):
        bad.append(f"{os.path.relpath(md, src)}: names {m}, outside the repository")
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
EOF
log "documentation links stay in the repository: ok"

# --- man pages -----------------------------------------------------------------------------
cmake --install "$BUILD" --prefix "$TMP/inst" >"$TMP/install.log" 2>&1 \
    || fail "cmake --install: $(cat "$TMP/install.log")"
for page in man1/cmc.1 man8/cmcd.8; do
    f="$TMP/inst/share/man/$page"
    [ -s "$f" ] || fail "cmake --install did not install share/man/$page"
    head -n 1 "$f" | grep -q '^\.TH ' || fail "$page is not a roff man page: $(head -n 1 "$f")"
    if command -v man >/dev/null 2>&1; then
        MANWIDTH=100 man --warnings -l "$f" 2>"$f.err" | col -b >"$f.txt" \
            || fail "man -l $page failed: $(cat "$f.err")"
    else
        groff -man -Tutf8 -ww "$f" >"$f.txt" 2>"$f.err" || fail "groff $page failed"
    fi
    [ ! -s "$f.err" ] || fail "rendering $page warns: $(cat "$f.err")"
    for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO"; do
        grep -q "^$s" "$f.txt" || fail "$page: no $s section"
    done
done
grep -q "^SIGNALS" "$TMP/inst/share/man/man8/cmcd.8.txt" || fail "cmcd.8: no SIGNALS section"
[ -x "$TMP/inst/bin/cmc" ] && [ -x "$TMP/inst/bin/cmcd" ] || fail "cmake --install did not install cmc and cmcd"
# Every option the tool knows is documented in cmc(1).
for cmd in enroll show "ca init"; do
    # shellcheck disable=SC2086
    for o in $("$CMC" $cmd --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
        grep -qF -- "$o" "$SRC/docs/man/cmc.1.md" || fail "cmc $cmd $o is not in docs/man/cmc.1.md"
    done
done
log "cmake --install: man1/cmc.1 and man8/cmcd.8 render with man -l; every option documented: ok"

log "PASS"
