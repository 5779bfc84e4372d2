#!/usr/bin/env bash
# run-tests.sh — runs Findling's test suite for one or more builds and prints
# one summary line "N passed, N failed" at the end.
#
#   tests/run-tests.sh BUILD_DIR [BUILD_DIR...]
#
# For each build it runs the C unit tests (BUILD_DIR/tests/test_*) and the
# shell integration tests (tests/integration/*.sh, with FINDLING pointing at
# BUILD_DIR/findling).  Every test program speaks TAP; its full output is kept
# in BUILD_DIR/test-logs/.  A program that crashes, times out or prints fewer
# results than its plan counts as a failure.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
if [ -z "${SHARED:-}" ] && [ -d "$TOP/../shared" ]; then SHARED=$(cd "$TOP/../shared" && pwd); fi
export SHARED=${SHARED:-}
: "${FL_TEST_TIMEOUT:=600}"
only=${FL_TEST_ONLY:-}   # substring filter on test names, for development

total_pass=0 total_fail=0 total_skip=0
for build in "$@"; do
    build=$(cd "$build" && pwd)
    logs=$build/test-logs
    mkdir -p "$logs"
    label=$(basename "$build")
    tests=()
    for t in "$build"/tests/test_*; do [ -x "$t" ] && tests+=("$t"); done
    for t in "$TOP"/tests/integration/*.sh; do [ -f "$t" ] && tests+=("$t"); done
    for t in "${tests[@]}"; do
        name=$(basename "$t")
        [ -n "$only" ] && [[ "$name" != *"$only"* ]] && continue
        log=$logs/$name.log
        start=$(date +%s.%N)
        if [[ "$t" == *.sh ]]; then
            FINDLING=$build/findling BUILD=$build timeout -k 10 "$FL_TEST_TIMEOUT" bash "$t" >"$log" 2>&1
        else
            (cd "$TOP" && BUILD=$build timeout -k 10 "$FL_TEST_TIMEOUT" "$t") >"$log" 2>&1
        fi
        rc=$?
        secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
        pass=$(grep -cE '^ok [0-9]+' "$log" | head -1)
        skipn=$(grep -cE '^ok [0-9]+ # SKIP|^1\.\.0 # SKIP' "$log" | head -1)
        fail=$(grep -cE '^not ok [0-9]+' "$log" | head -1)
        pass=$((pass - skipn + 0)); [ "$pass" -lt 0 ] && pass=0
        plan=$(grep -oE '^1\.\.[0-9]+' "$log" | tail -1 | cut -d. -f3)
        note=""
        if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
            fail=1; note=" (exit status $rc)"
        elif [ -z "$plan" ]; then
            fail=$((fail + 1)); note=" (no plan: crashed or stopped early)"
        elif [ "$plan" -ne 0 ] && [ $((pass + fail + skipn)) -ne "$plan" ]; then
            fail=$((fail + 1)); note=" (ran $((pass + fail + skipn)) of $plan)"
        fi
        printf '%-8s %-32s %4d passed, %d failed, %d skipped  %6ss%s\n' "$label" "$name" "$pass" "$fail" "$skipn" "$secs" "$note"
        if [ "$fail" -ne 0 ]; then
            grep -E -A8 '^not ok' "$log" | head -60 | sed 's/^/    | /'
            [ -n "$note" ] && tail -20 "$log" | sed 's/^/    | /'
        fi
        total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail)); total_skip=$((total_skip + skipn))
    done
done
echo "${total_pass} passed, ${total_fail} failed, ${total_skip} skipped"
[ "$total_fail" -eq 0 ]
