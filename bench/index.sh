#!/bin/sh
# bench/index.sh — indexing speed on the laws corpus (166 MB of Markdown).
#
#   sh bench/index.sh [BUILD_DIR]      (default build; needs ../shared)
#
# Measures, each in a fresh scratch folder under /tmp:
#   full      first (full) build: wall time, docs/s, MB/s, peak RSS, index size
#   nochange  the nightly run with nothing changed
#   changed1  a run after 1 % of the files changed
# Prints a table and writes build/bench/index.json.  Other tools (omindex,
# PostgreSQL, a plain Xapian baseline) add rows through the hook below:
# BENCH_INDEX_EXTRA=script.sh is sourced with $SCRATCH/laws ready and may
# call `row NAME SECONDS RSS_KB SIZE_BYTES`.
set -eu
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
F=$(cd "$BUILD" && pwd)/findling
SHARED=${SHARED:-$TOP/../shared}
TAR=$SHARED/corpus/gesetze-md.tar.xz
[ -f "$TAR" ] || { echo "bench/index.sh: $TAR not found; skipped" >&2; exit 0; }
[ -x /usr/bin/time ] || { echo "bench/index.sh: needs /usr/bin/time (Debian package time)" >&2; exit 1; }
SCRATCH=$(mktemp -d /tmp/fl-bench-index.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/laws" "$TOP/build/bench"
tar -xJf "$TAR" -C "$SCRATCH/laws"
docs=$(find "$SCRATCH/laws" -name '*.md' | wc -l)
bytes=$(find "$SCRATCH/laws" -name '*.md' -exec cat {} + | wc -c)
ROWS=""
row() { # NAME SECONDS RSS_KB SIZE_BYTES
    ROWS="$ROWS$1 $2 $3 $4
"
}
# measure NAME COMMAND... : wall seconds and peak RSS via /usr/bin/time -v
measure() {
    name=$1; shift
    /usr/bin/time -v -o "$SCRATCH/time.$name" "$@" >"$SCRATCH/out.$name" 2>"$SCRATCH/err.$name" || true
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$SCRATCH/time.$name")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$SCRATCH/time.$name")
}
DB=$SCRATCH/laws.db
measure full "$F" index --db "$DB" "$SCRATCH/laws"
size=$(du -sb "$DB" | cut -f1)
row findling-full "$wall" "$rss" "$size"
full_wall=$wall; full_rss=$rss; full_out=$(cat "$SCRATCH/out.full")
measure nochange "$F" index --db "$DB" "$SCRATCH/laws"
row findling-nochange "$wall" "$rss" "$(du -sb "$DB" | cut -f1)"
nochange_wall=$wall
# 1 %: append a sentence to every 100th file
find "$SCRATCH/laws" -name '*.md' | sort | awk 'NR % 100 == 0' | while read -r f; do
    printf '\nGeändert für die Messung: Änderungsvermerk.\n' >>"$f"; done
measure changed1 "$F" index --db "$DB" "$SCRATCH/laws"
row findling-1pct "$wall" "$rss" "$(du -sb "$DB" | cut -f1)"
changed_wall=$wall; changed_out=$(cat "$SCRATCH/out.changed1")
if [ -n "${BENCH_INDEX_EXTRA:-}" ]; then . "$BENCH_INDEX_EXTRA"; fi

echo "laws corpus: $docs files, $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1048576}') MB"
echo "findling: $full_out"
echo "1 % run:  $changed_out"
printf '%-20s %9s %9s %9s %11s %11s\n' what wall_s docs/s MB/s peakRSS_MB index_MB
printf '%s' "$ROWS" | while read -r n w r s; do
    awk -v n="$n" -v w="$w" -v r="$r" -v s="$s" -v d="$docs" -v b="$bytes" 'BEGIN{
        ds = (n ~ /full|omindex|xapian|postgres/) ? sprintf("%.0f", d/w) : "-";
        ms = (n ~ /full|omindex|xapian|postgres/) ? sprintf("%.1f", b/1048576/w) : "-";
        printf "%-20s %9.2f %9s %9s %11.0f %11.1f\n", n, w, ds, ms, r/1024, s/1048576 }'
done
printf '%s' "$ROWS" | awk -v d="$docs" -v b="$bytes" 'BEGIN{printf "{\"corpus\":{\"files\":%d,\"bytes\":%d},\"runs\":[", d, b}
    NF==4 { if (n++) printf ","; printf "{\"name\":\"%s\",\"seconds\":%s,\"peak_rss_kb\":%s,\"index_bytes\":%s}", $1, $2, $3, $4 }
    END { print "]}" }' >"$TOP/build/bench/index.json"
echo "wrote build/bench/index.json"
