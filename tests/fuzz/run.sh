#!/bin/sh
# run.sh — runs every libFuzzer target for a while and prints a table of
# executions and coverage (`make fuzz`).
#
#   tests/fuzz/run.sh FUZZ_BUILD_DIR SECONDS [TARGET]
#
# Each target starts from its seeds (tests/fuzz/corpus/NAME) and regression
# inputs (tests/fuzz/regress/NAME); inputs that reach new code are kept in
# FUZZ_BUILD_DIR/corpus/NAME (so the next run continues from there), crashes
# go to FUZZ_BUILD_DIR/crashes/NAME/ and the log to FUZZ_BUILD_DIR/logs/.
# cov = code edges reached, ft = libFuzzer's finer "features" (edge counts,
# comparisons), corpus = inputs kept.  Exit status 1 when a target crashed.
set -u
dir=$1 secs=$2 only=${3:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
export FINDLING_TOP=$top  # fuzz_search indexes examples/site
mkdir -p "$dir/logs"
printf '%-12s %12s %8s %7s %7s %9s  %s\n' target execs exec/s cov ft corpus result
failed=0
for bin in "$dir"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=${bin##*/fuzz_}
    [ -n "$only" ] && [ "$only" != "$name" ] && continue
    mkdir -p "$dir/corpus/$name" "$dir/crashes/$name"
    set -- "$dir/corpus/$name"
    for d in "$top/tests/fuzz/corpus/$name" "$top/tests/fuzz/regress/$name"; do
        [ -d "$d" ] && set -- "$@" "$d"
    done
    log=$dir/logs/$name.log
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$dir/crashes/$name/" "$@" >"$log" 2>&1
    rc=$?
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(printf '%s' "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s' "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(printf '%s' "$done_line" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        failed=1
        art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        result="CRASH (exit $rc) ${art:-see $log}"
    fi
    printf '%-12s %12s %8s %7s %7s %9s  %s\n' "$name" "${execs:--}" "${rate:--}" "${cov:--}" \
        "${ft:--}" "${corp:--}" "$result"
done
exit $failed
