#!/bin/sh
# bench/run.sh BUILD_DIR [SECTION...] — Findling's benchmark suite (`make bench`).
#
# Sections: analysis index query serve shards scale (all, in this order, by default;
# `make bench BENCH="analysis query"` runs only those).  Each section prints
# its table and writes BUILD_DIR/bench/SECTION.json; at the end one summary
# table with the target next to each figure, written to
# BUILD_DIR/bench/summary.json.  See bench/README.md.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ALL="analysis index query serve shards scale"

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [SECTION...]  (sections: $ALL)" >&2; exit 2; }
mkdir -p "$1"
BUILD=$(cd "$1" && pwd)
shift
SECTIONS=${*:-$ALL}
for s in $SECTIONS; do
    case " $ALL " in
        *" $s "*) ;;
        *) echo "bench: unknown section '$s' (sections: $ALL)" >&2; exit 2 ;;
    esac
done
command -v jq >/dev/null 2>&1 || { echo "bench: jq is needed (make deps)" >&2; exit 2; }

OUT=$BUILD/bench
mkdir -p "$OUT"
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "Findling benchmarks, $(date '+%Y-%m-%d %H:%M'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Sections: $SECTIONS.  Absolute figures depend on the machine and on what else runs on it;"
echo "compare only figures from the same run."

ran=""
failed=""
for s in $SECTIONS; do
    rm -f "$OUT/$s.json"
    rc=0
    sh "$HERE/$s.sh" "$BUILD" || rc=$?
    if [ $rc -ne 0 ] || [ ! -f "$OUT/$s.json" ]; then
        echo "bench: section $s failed (exit $rc)" >&2
        failed="$failed $s"
    fi
    [ ! -f "$OUT/$s.json" ] || ran="$ran $OUT/$s.json"
done

# One table over all sections of this run (rows marked for the summary).
tsv=$(mktemp)
trap 'rm -f "$tsv"' EXIT
# shellcheck disable=SC2086 # $ran is a list of paths without blanks
if [ -n "$ran" ]; then
    jq -r '.section as $s | .rows[] | select(.summary) |
           [($s + ": " + .name), (.value | tostring), .unit, .target, .status, (.note // "")] | @tsv' $ran >"$tsv"
fi
echo
echo "================================================================ summary"
. "$HERE/lib.sh" 2>/dev/null || true
bench_print_table "All sections (targets from the issues; status ok/miss only where a target applies)" "$tsv"
if [ -n "$ran" ]; then
    # shellcheck disable=SC2086
    jq -r '"  \(.section): \(.status)" + (if (.skipped | length) > 0
             then " — " + ([.skipped[] | "\(.part): \(.reason)"] | join("; ")) else "" end)' $ran
fi
for s in $failed; do echo "  $s: failed"; done

# shellcheck disable=SC2086
jq -s --arg started "$STARTED" --arg finished "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
      --arg failed "$failed" --arg cores "$(nproc)" '
  {started: $started, finished: $finished,
   machine: {cores: ($cores | tonumber)},
   sections: ([.[] | {section, title, status, skipped}] +
              [$failed | split(" ")[] | select(length > 0) | {section: ., status: "failed"}]),
   rows: [.[] | .section as $s | .rows[] | {section: $s} + .],
   misses: [.[] | .section as $s | .rows[] | select(.status == "miss") | "\($s): \(.name)"]}' \
   ${ran:-/dev/null} >"$OUT/summary.json.tmp"
mv "$OUT/summary.json.tmp" "$OUT/summary.json"
echo "  -> $OUT/summary.json"
[ -z "$failed" ]
