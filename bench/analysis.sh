#!/bin/sh
# bench/analysis.sh BUILD_DIR — throughput of the German analysis chain
# (issue 3, point 8).
#
# bench/analyze_throughput.c holds all 166 MB of laws in memory and runs,
# $BENCH_ANALYSIS_ROUNDS (3) times interleaved, Xapian's TermGenerator with
# Xapian's German stemmer and our full chain (decompounding included) into a
# throwaway document per law.  Target: ours costs at most 1.5x the plain time.
. "$(dirname "$0")/lib.sh"
bench_begin analysis "Analysis throughput on the laws corpus" "$@"

ROUNDS=${BENCH_ANALYSIS_ROUNDS:-3}

if ! LAWS=$(bench_laws); then
    bench_skip "analysis section" "the laws corpus is not available (../shared/corpus/gesetze-md.tar.xz)"
elif ! bench_tool analyze_throughput; then
    bench_skip "analysis section" "$BENCH_BIN/analyze_throughput not built (fl_analyze or the Xapian wrapper not landed?)"
else
    W=$(bench_tmpdir)
    bench_say "  $ROUNDS rounds of plain TermGenerator and our chain over the laws in memory…"
    rc=0
    "$BENCH_BIN/analyze_throughput" "$LAWS" "$ROUNDS" >"$W/at.json" 2>"$W/at.err" || rc=$?
    sed 's/^/  /' "$W/at.err" >&2
    if [ $rc -eq 0 ] && jq -e .ratio_wall "$W/at.json" >/dev/null 2>&1; then
        j() { jq -r "$1" "$W/at.json"; }
        mb=$(bench_fmt %.1f "$(bench_calc 'a / 1e6' "$(j .bytes)")")
        bench_row "plain TermGenerator (Xapian german)" "$(j .plain.mb_per_s)" MB/s "(peer)" info \
            "median of $(j .rounds): $(j .plain.median_wall_s) s for $mb MB, $(j .files) files"
        bench_row "our chain (with compounds)" "$(j .chain.mb_per_s)" MB/s "" info \
            "median $(j .chain.median_wall_s) s; $(j .chain.tokens) tokens"
        ratio=$(j .ratio_wall)
        bench_row "our chain / plain, wall" "$ratio" x "<= 1.5" "$(bench_check "$ratio" '<=' 1.5)"
        bench_row "our chain / plain, thread CPU" "$(j .ratio_cpu)" x "<= 1.5" "$(bench_check "$(j .ratio_cpu)" '<=' 1.5)" \
            "the cost itself, less disturbed by a busy machine"
        bench_row "our chain / plain, pair by pair" "$(j .ratio_paired_cpu)" x "<= 1.5" "$(bench_check "$(j .ratio_paired_cpu)" '<=' 1.5)" \
            "median of the per-round CPU ratios (wall: $(j .ratio_paired_wall))"
        bench_row "analyzer set-up (word list)" "$(j .analyzer_new_s)" s "" info "once per process"
        bench_detail analyze_throughput "$W/at.json"
    else
        bench_skip "analysis section" "analyze_throughput failed (exit $rc): $(tail -n 2 "$W/at.err")"
    fi
fi

bench_end
