#!/bin/sh
# bench/shards.sh BUILD_DIR — persistent shards on the laws (issue 8, point 4).
#
# Full builds of the laws with 1, 2 and 4 shards (`findling index --full
# --shards N`; 1 = one database, built by the usual parallel writers and
# compaction), their size, and the query latency of each (the query
# section's tool and query list: in-process fl_search_run, top 10 with
# facets and excerpts).  Then the 2- and 4-shard indexes served by
# xapian-tcpsrv on 127.0.0.1 (one server per shard) through a stub of
# "remote" lines: query latency remote vs local.
. "$(dirname "$0")/lib.sh"
bench_begin shards "Shards: index time and query latency on the laws, local and remote" "$@"

ROUNDS=${BENCH_SHARDS_ROUNDS:-3}
NQ=$(grep -vc '^#' "$BENCH_QUERIES" || true)
COUNTS=${BENCH_SHARDS:-"1 2 4"}

# BENCH_SHARDS_LAWS=DIR: another folder of laws (e.g. a subset, for a quick run).
if [ -n "${BENCH_SHARDS_LAWS:-}" ]; then
    LAWS=$BENCH_SHARDS_LAWS
elif ! LAWS=$(bench_laws); then
    bench_skip "shards section" "the laws corpus is not available (../shared/corpus/gesetze-md.tar.xz)"
    bench_end
    exit 0
fi
if ! bench_tool query_latency; then
    bench_skip "shards section" "$BENCH_BIN/query_latency not built"
    bench_end
    exit 0
fi
W=$(bench_tmpdir)
set -- $(bench_corpus_size "$LAWS")
NDOCS=$1
bench_warm_cache "$LAWS"

# latency NAME DB NOTE: one query_latency run → rows
latency() {
    rc=0
    "$BENCH_BIN/query_latency" "$2" "$BENCH_QUERIES" "$ROUNDS" 1 >"$W/q.json" 2>"$W/q.err" || rc=$?
    if [ $rc -eq 0 ] && jq -e .median_ms "$W/q.json" >/dev/null 2>&1; then
        med=$(jq -r .median_ms "$W/q.json")
        bench_row "$1: query median" "$med" ms "" info "$3; p95 $(jq -r .p95_ms "$W/q.json") ms, $(jq -r .errors "$W/q.json") rejected"
        bench_detail "$(echo "$1" | tr ' ,' '__')" "$W/q.json"
        echo "$med" >"$W/last.med"
    else
        bench_skip "$1: queries" "query_latency failed (exit $rc): $(tail -n 2 "$W/q.err")"
        echo "" >"$W/last.med"
    fi
}

for n in $COUNTS; do
    db=$W/s$n
    bench_say "  $n shard(s): full build…"
    bench_timed "$W/idx$n" "$FINDLING" index --quiet --full --shards "$n" --db "$db" "$LAWS"
    if [ "$T_RC" -ne 0 ] && [ "$T_RC" -ne 1 ]; then
        bench_skip "$n shards" "findling index failed (exit $T_RC): $(tail -n 2 "$W/idx$n.err")"
        continue
    fi
    size=$(du -sk "$db" | awk '{ printf "%.0f", $1 / 1024 }')
    bench_row "$n shard(s): full index" "$T_WALL" s "" info "$NDOCS laws; CPU ${T_CPU} s; max RSS $(( ${T_RSS_KB:-0} / 1024 )) MB; ${size} MB on disk"
    bench_say "  $n shard(s): queries…"
    latency "$n shard(s), local" "$db" "$NQ queries x $ROUNDS rounds"
    eval "LOCAL_MED_$n=\$(cat \"\$W/last.med\")"
done

# ---------------------------------------------------------------- remote
if ! command -v xapian-tcpsrv >/dev/null 2>&1; then
    bench_skip "remote shards" "xapian-tcpsrv not installed (xapian-tools)"
else
    for n in $COUNTS; do
        [ "$n" -gt 1 ] && [ -f "$W/s$n/XAPIANDB" ] || continue
        gen=$(awk -F'[ /]' 'NR == 1 { print $2 }' "$W/s$n/XAPIANDB")
        mkdir -p "$W/r$n"
        : >"$W/r$n/XAPIANDB"
        pids=""
        k=0
        while [ "$k" -lt "$n" ]; do
            port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
            # Its own process group (setsid): stopped with the children it
            # forks per connection by one kill of the group.
            setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port "$port" \
                "$W/s$n/$gen/shard-$k" >/dev/null 2>&1 &
            pids="$pids $!"
            echo "remote 127.0.0.1:$port" >>"$W/r$n/XAPIANDB"
            k=$((k + 1))
        done
        sleep 1
        bench_say "  $n remote shards (xapian-tcpsrv on loopback): queries…"
        latency "$n shards, remote (loopback)" "$W/r$n" "one xapian-tcpsrv per shard"
        rmed=$(cat "$W/last.med")
        eval "lmed=\${LOCAL_MED_$n:-}"
        if [ -n "$rmed" ] && [ -n "$lmed" ]; then
            bench_row "$n shards: remote / local median" "$(bench_calc 'a / b' "$rmed" "$lmed")" x "" info ""
        fi
        for p in $pids; do
            [ -n "$p" ] && [ "$p" -gt 1 ] || continue
            kill -TERM -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true
        done
        wait 2>/dev/null || true
    done
fi
bench_end
