#!/bin/sh
# eval.sh — relevance on the judged queries in ../shared/eval (make eval).
#
#   sh tests/eval.sh [BUILD_DIR]
#
# Indexes the Open Innovation City site and the federal laws (extracted once
# into BUILD_DIR/eval-cache and reused), runs every query of
# ../shared/eval/*.tsv through `findling search --format ids --limit 10`
# (EVAL_SHARDS=N: with N-shard indexes instead)
# and prints nDCG@10 and MRR@10 per query kind and overall with score.py.
# A facet suffix " | category=X" (author=, year=, tag=) becomes --category X.
# Skips cleanly when ../shared/eval is not there.
set -eu
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$TOP/../shared}
FINDLING=$(cd "$BUILD" && pwd)/findling
if [ ! -d "$SHARED/eval" ]; then
    echo "eval: $SHARED/eval not found; skipping"
    exit 0
fi
CACHE=$(cd "$BUILD" && pwd)/eval-cache
mkdir -p "$CACHE"

# ---------------------------------------------------------------- indexes
# EVAL_SHARDS=N: the same with N-shard indexes (their own folders), to check
# that a sharded index ranks as one database does.
SHARDS_OPT=${EVAL_SHARDS:+--shards $EVAL_SHARDS}
site_db=$CACHE/oic${EVAL_SHARDS:+-s$EVAL_SHARDS}.db
laws_db=$CACHE/laws${EVAL_SHARDS:+-s$EVAL_SHARDS}.db
if [ -d "$SHARED/corpus/oic-site" ]; then
    "$FINDLING" index --quiet $SHARDS_OPT --db "$site_db" "$SHARED/corpus/oic-site" >/dev/null || [ $? -eq 1 ]
fi
if [ -f "$SHARED/corpus/gesetze-md.tar.xz" ]; then
    if [ ! -f "$CACHE/laws/.extracted" ]; then
        rm -rf "$CACHE/laws"
        mkdir -p "$CACHE/laws"
        echo "eval: extracting the laws (once) into $CACHE/laws"
        tar -xJf "$SHARED/corpus/gesetze-md.tar.xz" -C "$CACHE/laws"
        touch "$CACHE/laws/.extracted"
    fi
    # The archive may hold one top folder: index that.
    lawroot=$CACHE/laws
    set -- "$lawroot"/*/
    if [ $# -eq 1 ] && [ ! -f "$lawroot/index.md" ] && [ -d "$1" ] && [ "$(ls "$lawroot" | wc -l)" -eq 1 ]; then
        lawroot=${1%/}
    fi
    "$FINDLING" index --quiet $SHARDS_OPT --db "$laws_db" "$lawroot" >/dev/null || [ $? -eq 1 ]
fi

# ---------------------------------------------------------------- runs
# run QRELS DB RUNFILE ID_FILTER
run() {
    qrels=$1 db=$2 out=$3 mode=$4
    : >"$out"
    while IFS="$(printf '\t')" read -r qid query kind judg; do
        [ -n "$qid" ] || continue
        text=$query
        set --
        case "$query" in
        *" | "*=*)
            text=${query%% | *}
            filt=${query#* | }
            fname=${filt%%=*}
            fval=${filt#*=}
            set -- "--$fname" "$fval"
            ;;
        esac
        "$FINDLING" search --db "$db" --format ids --limit 10 "$@" -- "$text" 2>/dev/null |
            if [ "$mode" = laws ]; then
                # "b/burlg/index.md" is the document "burlg"
                sed -e 's#^\./##' -e 's#/index\.md$##' -e 's#^.*/##'
            else
                cat
            fi |
            awk -v q="$qid" '{ printf "%s\t%d\t%s\n", q, NR, $0 }' >>"$out" || true
    done <"$qrels"
}

status=0
for spec in "oic-public.tsv:$site_db:site" "gesetze-public.tsv:$laws_db:laws"; do
    qrels=$SHARED/eval/${spec%%:*}
    rest=${spec#*:}
    db=${rest%:*}
    mode=${rest##*:}
    [ -f "$qrels" ] && [ -e "$db" ] || continue
    runfile=$CACHE/run-$mode.tsv
    run "$qrels" "$db" "$runfile" "$mode"
    echo "== $mode ($(basename "$qrels")): $(wc -l <"$qrels") queries, run file $runfile"
    python3 "$SHARED/eval/score.py" "$qrels" "$runfile" ${EVAL_PER_QUERY:+--per-query} || status=1
done
exit $status
