#!/usr/bin/env bash
# A libFuzzer campaign over every fuzz target, under AddressSanitizer + UBSan.
# Usage: tools/fuzz/campaign.sh BUILD_DIR SECONDS_PER_TARGET [JOBS] [TARGET...]
# Each target runs for SECONDS against a work corpus seeded from tests/fuzz/corpus/<name>/;
# new inputs stay in BUILD_DIR/fuzz-work/<name>/ (add the ones that found something to the
# repository corpus by hand, after reducing them). Crashes are written to
# BUILD_DIR/fuzz-work/<name>-artifacts/. The summary gives, per target, the executions,
# the coverage (libFuzzer's cov: edges and ft: features) and the findings.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$1"; secs="$2"; jobs="${3:-2}"; shift 3 2>/dev/null || shift $#
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pkidata engine p10 http http_parse response)
work="$build/fuzz-work"
mkdir -p "$work"
# http inputs are request streams (http_parse: past the 16 KiB head limit); the rest are DER
# messages
maxlen() { case "$1" in http) echo 4096 ;; http_parse) echo 20000 ;; *) echo 16384 ;; esac; }

run_one() {
    local t="$1" bin="$build/tests/fuzz/fuzz_$1"
    mkdir -p "$work/$t" "$work/$t-artifacts"
    cp -n "$root/tests/fuzz/corpus/$t/"* "$work/$t/" 2>/dev/null || true
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" -max_total_time="$secs" -max_len="$(maxlen "$t")" -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$work/$t-artifacts/" "$work/$t" \
        >"$work/$t.log" 2>&1
    echo $? >"$work/$t.rc"
}

i=0
for t in "${targets[@]}"; do
    run_one "$t" &
    i=$((i + 1))
    if [ $((i % jobs)) -eq 0 ]; then wait; fi
done
wait

fail=0
printf '%-10s %12s %8s %8s %8s %s\n' target execs cov ft corpus findings
for t in "${targets[@]}"; do
    log="$work/$t.log"
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(ls "$work/$t" | wc -l)
    found=$(ls "$work/$t-artifacts" | wc -l)
    rc=$(cat "$work/$t.rc")
    [ "$rc" = 0 ] && [ "$found" = 0 ] || fail=1
    printf '%-10s %12s %8s %8s %8s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corp" \
        "$found (rc $rc)"
done
exit $fail
