#!/usr/bin/env bash
# fuzz.sh — a short run of every libFuzzer target (tests/fuzz/fuzz_*.c) so
# that a change that makes a parser crash, leak or break a round trip is
# caught by `make test`; the long runs are `make fuzz`.
#
# Per target: its regression inputs (tests/fuzz/regress/NAME: every crash
# found so far) are replayed, then it fuzzes for FUZZ_TEST_SECONDS (2) from
# its seeds.  The targets are built by `make test` into BUILD/fuzz when clang
# with libFuzzer is installed; otherwise (and for the other builds) the test
# skips.
. "$(dirname "$0")/../lib/tap.sh"

fuzzdir=${BUILD:-$TOP/build}/fuzz
secs=${FUZZ_TEST_SECONDS:-2}
export FINDLING_TOP=$TOP  # fuzz_search indexes examples/site
shopt -s nullglob
bins=("$fuzzdir"/fuzz_*)
[ ${#bins[@]} -gt 0 ] || skip_all "no fuzz targets in $fuzzdir (need clang + libFuzzer: make fuzz-build)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

for bin in "${bins[@]}"; do
    [ -x "$bin" ] || continue
    name=${bin##*/fuzz_}
    regress=("$TOP/tests/fuzz/regress/$name"/*)
    if [ ${#regress[@]} -gt 0 ]; then
        out=$("$bin" -timeout=20 "${regress[@]}" 2>&1); st=$?
        ok "$st" "$name: ${#regress[@]} regression input(s) pass"
        [ "$st" -eq 0 ] && [ ${#regress[@]} -gt 0 ] || printf '%s\n' "$out" | grep -E 'Running:|ERROR|property|SUMMARY' | head -20 | sed 's/^/#   /'
    fi
    mkdir -p "$scratch/$name"
    seeds=()
    [ -d "$TOP/tests/fuzz/corpus/$name" ] && seeds=("$TOP/tests/fuzz/corpus/$name")
    out=$("$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
          -artifact_prefix="$scratch/" "$scratch/$name" "${seeds[@]}" 2>&1); st=$?
    ok "$st" "$name: ${secs}s of fuzzing finds nothing"
    if [ "$st" -ne 0 ]; then
        printf '%s\n' "$out" | grep -E 'ERROR|property|SUMMARY|^    #[0-9] ' | head -20 | sed 's/^/#   /'
        # keep the input where the developer can find it
        mkdir -p "$fuzzdir/crashes/$name"
        for f in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
            [ -f "$f" ] && cp "$f" "$fuzzdir/crashes/$name/" && echo "#   input saved: $fuzzdir/crashes/$name/${f##*/}"
        done
    fi
done
tap_done
