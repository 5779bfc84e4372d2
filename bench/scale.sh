#!/bin/sh
# bench/scale.sh BUILD_DIR — how Findling grows with the archive (issue 8,
# points 4 and 5).
#
# For each size in $BENCH_SCALE_SIZES (default "10000 100000") a synthetic
# archive is generated (bench/gen_archive.c, seed $BENCH_SCALE_SEED = 1,
# bodies from the laws when ../shared is there, else the built-in words) and
#   findling index --full        wall, peak RSS, index size
#   query_latency                in-process median / p99 of the laws queries
#                                (1 warm-up + $BENCH_SCALE_ROUNDS (3) rounds)
#   findling serve + wrk         /api/search, 16 connections,
#                                $BENCH_WRK_SECONDS (5) s: req/s, p99, RSS after
# are measured.  1,000,000 documents are NOT measured by default: the rows
# marked "projection" extrapolate from the two largest measured sizes (power
# law through the two points: index time, size, latency, RSS).  Set
# BENCH_SCALE_SIZES="10000 100000 1000000" to measure it (about 2 GB of
# Markdown and a long index run).
#
# Replication (on the smallest size): xapian-replicate-server on 127.0.0.1
# publishing the index, xapian-replicate -o pulling it: the first whole copy,
# catching up after an incremental run that changed 1 % of the posts (with
# --changesets: only the changeset travels), and after a --full rebuild (a
# new database: a whole copy again).
. "$(dirname "$0")/lib.sh"
bench_begin scale "Scaling: synthetic archives of growing size" "$@"

SIZES=${BENCH_SCALE_SIZES:-10000 100000}
SEED=${BENCH_SCALE_SEED:-1}
ROUNDS=${BENCH_SCALE_ROUNDS:-3}
SECS=${BENCH_WRK_SECONDS:-5}
PROJECT=1000000

if ! bench_tool gen_archive; then
    bench_skip "scale section" "$BENCH_BIN/gen_archive not built (make bench-tools)"
    bench_end
    exit 0
fi
if ! bench_findling_can index; then
    bench_skip "scale section" "findling index is not implemented yet in $FINDLING"
    bench_end
    exit 0
fi
CORPUS_ARG=""
if LAWS=$(bench_laws); then
    CORPUS_ARG="--corpus $LAWS"
    SOURCE="bodies from the laws"
else
    bench_skip "laws text" "the laws corpus is not available: bodies from the built-in word list (less varied vocabulary)"
    SOURCE="bodies from the built-in words"
fi
W=$(bench_tmpdir)
CURVE=$W/curve.tsv   # N  index_s  size_mb  median_ms  p99_ms  rss_mb
: >"$CURVE"

# k-formatted size: 10000 → 10k
kname() { awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%gM", n / 1e6; else printf "%gk", n / 1e3 }'; }

start_server() { # DB → sets BASE, BENCH_SERVER_PID; non-zero when it did not come up
    PORT=$(bench_free_port)
    BASE=http://127.0.0.1:$PORT
    "$FINDLING" serve --db "$1" --listen "127.0.0.1:$PORT" >"$W/serve.log" 2>&1 &
    BENCH_SERVER_PID=$!
    i=0
    until curl -sf -o /dev/null --max-time 2 "$BASE/healthz"; do
        if ! kill -0 "$BENCH_SERVER_PID" 2>/dev/null || [ $i -ge 120 ]; then return 1; fi
        sleep 0.5
        i=$((i + 1))
    done
}
stop_server() {
    [ -n "$BENCH_SERVER_PID" ] || return 0
    kill -TERM "$BENCH_SERVER_PID" 2>/dev/null || true
    wait "$BENCH_SERVER_PID" 2>/dev/null || true
    BENCH_SERVER_PID=""
}

# ---------------------------------------------------------------- replication
# replication SITE DB: rows for the replica catching up (DB must live in
# its own parent folder, which the replication server publishes).
replication() {
    site=$1 db=$2
    if ! command -v xapian-replicate-server >/dev/null 2>&1 || ! command -v xapian-replicate >/dev/null 2>&1; then
        bench_skip "replication" "xapian-replicate(-server) not installed (Debian xapian-tools)"
        return 0
    fi
    rport=$(bench_free_port)
    xapian-replicate-server -I 127.0.0.1 -p "$rport" "$(dirname "$db")" >"$W/rsrv.log" 2>&1 &
    rspid=$!
    sleep 0.5
    replica=$W/replica
    rm -rf "$replica"
    pull() { # NAME → sets R_S (seconds) and R_WHAT (last line of the report)
        t0=$(bench_now)
        timeout 600 xapian-replicate -h 127.0.0.1 -p "$rport" -m "$(basename "$db")" -o -r 0 -t 60 -v \
            "$replica" >"$W/repl-$1.log" 2>&1 || { R_S=""; return 1; }
        R_S=$(bench_fmt %.2f "$(bench_calc 'b - a' "$t0" "$(bench_now)")")
        R_WHAT=$(tail -n 1 "$W/repl-$1.log" | sed 's/^Update complete: //')
    }
    if pull first; then
        bench_row "replica: first copy" "$R_S" s "" info "$R_WHAT; $(bench_du_mb "$replica") MB"
    else
        bench_skip "replication" "xapian-replicate failed: $(tail -n 2 "$W/repl-first.log")"
        kill -KILL "$rspid" 2>/dev/null; wait "$rspid" 2>/dev/null || true
        return 0
    fi
    # 1 % of the posts changed, indexed incrementally with changesets.
    nchange=$(find "$site/_posts" -name '*.md' | sort | awk 'NR % 100 == 7' | tee "$W/changed.list" | wc -l)
    while IFS= read -r f; do
        printf '\nNachtrag für die Replikation: geänderter Absatz.\n' >>"$f"
    done <"$W/changed.list"
    bench_timed "$W/inc" "$FINDLING" index --json --changesets 10 --db "$db" "$site"
    bench_row_minor "replica: master incremental run" "$T_WALL" s "" info "$nchange posts changed"
    if pull inc; then
        bench_row "replica: catch-up after an incremental run" "$R_S" s "" info "$R_WHAT"
    fi
    bench_timed "$W/full2" "$FINDLING" index --full --json --changesets 10 --db "$db" "$site"
    bench_row_minor "replica: master --full rebuild" "$T_WALL" s "" info
    if pull full; then
        bench_row "replica: catch-up after a --full rebuild" "$R_S" s "" info "$R_WHAT"
    fi
    # KILL, not TERM: on SIGTERM xapian-replicate-server signals its whole
    # process group, which would include this script.
    kill -KILL "$rspid" 2>/dev/null
    wait "$rspid" 2>/dev/null || true
    rm -rf "$replica"
}

# ---------------------------------------------------------------- per size
first=""
for N in $SIZES; do
    k=$(kname "$N")
    site=$W/site-$k
    mkdir -p "$W/master-$k"
    db=$W/master-$k/db
    bench_say "  $k: generating the archive…"
    # shellcheck disable=SC2086 # CORPUS_ARG is empty or two words
    if ! "$BENCH_BIN/gen_archive" --seed "$SEED" $CORPUS_ARG "$N" "$site" >"$W/gen-$k.json" 2>"$W/gen-$k.err"; then
        bench_skip "$k documents" "gen_archive failed: $(tail -n 2 "$W/gen-$k.err")"
        continue
    fi
    mb=$(jq -r '.bytes / 1e6 * 10 | floor / 10' "$W/gen-$k.json")
    bench_row_minor "$k: generate" "$(jq -r '.seconds' "$W/gen-$k.json")" s "" info "$mb MB of Markdown, $SOURCE"
    bench_warm_cache "$site"

    bench_say "  $k: findling index --full…"
    bench_timed "$W/idx-$k" "$FINDLING" index --full --json --db "$db" "$site"
    if [ "$T_RC" -ne 0 ] && [ "$T_RC" -ne 1 ]; then
        bench_skip "$k documents" "findling index failed (exit $T_RC): $(tail -n 2 "$W/idx-$k.err")"
        rm -rf "$site" "$W/master-$k"
        continue
    fi
    idx_s=$T_WALL
    docs=$(jq -r '.documents' "$W/idx-$k.out")
    size=$(bench_du_mb "$db")
    rate=$(bench_fmt %.0f "$(bench_calc 'a / b' "$docs" "$idx_s")")
    bench_row "$k: index --full" "$idx_s" s "" info "$docs docs, $rate docs/s, CPU $T_CPU s, peak RSS $(bench_mb "$T_RSS_KB") MB"
    bench_row "$k: index size" "$size" MB "" info "$(bench_fmt %.2f "$(bench_calc 'a / b' "$size" "$mb")") x the Markdown"
    bench_detail "index_$k" "$W/idx-$k.out"

    med="" p99=""
    if bench_tool query_latency; then
        bench_say "  $k: query latency ($ROUNDS rounds)…"
        if "$BENCH_BIN/query_latency" "$db" "$BENCH_QUERIES" "$ROUNDS" 1 >"$W/q-$k.json" 2>"$W/q-$k.err" &&
            jq -e .median_ms "$W/q-$k.json" >/dev/null 2>&1; then
            med=$(jq -r .median_ms "$W/q-$k.json")
            p99=$(jq -r .p99_ms "$W/q-$k.json")
            bench_row "$k: query median" "$med" ms "" info \
                "$(jq -r '"\(.queries) queries x \(.rounds) rounds, \(.no_hits | length) without hits"' "$W/q-$k.json")"
            bench_row "$k: query p99" "$p99" ms "" info
            bench_detail "query_$k" "$W/q-$k.json"
        else
            bench_skip "$k query latency" "query_latency failed: $(tail -n 2 "$W/q-$k.err")"
        fi
    else
        bench_skip "$k query latency" "$BENCH_BIN/query_latency not built"
    fi

    rss=""
    if command -v wrk >/dev/null 2>&1 && bench_findling_can serve; then
        if start_server "$db"; then
            bench_say "  $k: wrk search, 16 connections, $SECS s…"
            if BENCH_WRK_MODE=search BENCH_WRK_QUERIES=$BENCH_QUERIES wrk -t 1 -c 16 -d "${SECS}s" \
                --timeout 5s --latency -s "$BENCH_SRC/wrk.lua" "$BASE/" >"$W/wrk-$k.txt" 2>&1 &&
                grep -q '^BENCH_JSON ' "$W/wrk-$k.txt"; then
                sed -n 's/^BENCH_JSON //p' "$W/wrk-$k.txt" >"$W/wrk-$k.json"
                bench_detail "wrk_$k" "$W/wrk-$k.json"
                bench_row_minor "$k: serve requests/s (16 conns)" "$(jq -r '.rps | floor' "$W/wrk-$k.json")" req/s "" info \
                    "$(jq -r '"p99 \(.p99_ms) ms, \(.errors.status) non-2xx"' "$W/wrk-$k.json")"
            else
                bench_skip "$k wrk" "wrk failed: $(tail -n 2 "$W/wrk-$k.txt")"
            fi
            rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status" 2>/dev/null || true)
            hwm=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status" 2>/dev/null || true)
            [ -z "$rss" ] || bench_row "$k: server RSS after wrk" "$rss" MB "" info "peak $hwm MB"
            stop_server
        else
            bench_skip "$k serve" "findling serve did not come up: $(tail -n 3 "$W/serve.log")"
            stop_server
        fi
    else
        bench_skip "$k serve" "wrk not installed or findling serve not implemented"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$N" "$idx_s" "$size" "${med:--}" "${p99:--}" "${rss:--}" >>"$CURVE"

    if [ -z "$first" ]; then
        first=$N
        bench_say "  $k: replication…"
        replication "$site" "$db"
    fi
    rm -rf "$site" "$W/master-$k"
done

# ---------------------------------------------------------------- projection
# Power law v = c * N^e through the two largest measured sizes (e is printed:
# 1 = linear).  Only when 1M itself was not measured.
if ! awk -v p="$PROJECT" '$1 == p { f = 1 } END { exit !f }' "$CURVE" && [ "$(wc -l <"$CURVE")" -ge 2 ]; then
    sort -n "$CURVE" | tail -n 2 >"$W/last2.tsv"
    proj() { # COLUMN NAME UNIT FORMAT
        awk -F'\t' -v col="$1" -v p="$PROJECT" -v fmt="$4" '
            NR == 1 { n1 = $1; v1 = $col } NR == 2 { n2 = $1; v2 = $col }
            END {
                if (v1 == "-" || v2 == "-" || v1 <= 0 || v2 <= 0) exit 1
                e = log(v2 / v1) / log(n2 / n1)
                printf fmt "\t%.2f\n", v2 * exp(e * log(p / n2)), e
            }' "$W/last2.tsv" >"$W/proj.out" || return 0
        IFS='	' read -r v e <"$W/proj.out"
        bench_row "1M: $2 (projection)" "$v" "$3" "" info "projected, not measured: power law through the two largest sizes, exponent $e"
    }
    proj 2 "index --full" s "%.0f"
    proj 3 "index size" MB "%.0f"
    proj 4 "query median" ms "%.2f"
    proj 5 "query p99" ms "%.1f"
    proj 6 "server RSS after wrk" MB "%.0f"
fi
cp "$CURVE" "$W/curve.json.tsv"
jq -R -s 'split("\n") | map(select(length > 0) | split("\t") | {documents: (.[0] | tonumber),
           index_s: (.[1] | tonumber? // null), size_mb: (.[2] | tonumber? // null),
           median_ms: (.[3] | tonumber? // null), p99_ms: (.[4] | tonumber? // null),
           rss_mb: (.[5] | tonumber? // null)})' "$CURVE" >"$W/curve.json"
bench_detail curve "$W/curve.json"

bench_end
