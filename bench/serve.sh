#!/bin/sh
# bench/serve.sh BUILD_DIR — HTTP throughput of `findling serve` (issue 6, point 8).
#
# Starts `findling serve` on 127.0.0.1 (a free port) on the laws index and
# drives it with wrk (bench/wrk.lua) for $BENCH_WRK_SECONDS (10) s each:
#   /api/search (excerpts, sections, facets) at 16 and 64 connections,
#   rotating through bench/queries-laws.txt (at 64, the target's row, the
#   median of $BENCH_WRK_REPEAT (3) runs);
#   /api/suggest at 64 connections with 3-6 letter prefixes.
# Three servers: the response cache off (--cache-mb 0: every request runs
# the engine; the targets are about these rows); the same with plain index
# reads (--map-mb 0, one pread() per block: what the default mapped reads
# bring, in the same run); the cache on (default 32 MB; wrk repeats the same
# queries, so these rows measure the cache).
# Requests/s, p50/p99 latency, non-2xx answers and the server's RSS after
# each part.  The server is always stopped (trap), whatever happens.
. "$(dirname "$0")/lib.sh"
bench_begin serve "HTTP server throughput on the laws corpus" "$@"

SECS=${BENCH_WRK_SECONDS:-10}
THREADS=${BENCH_WRK_THREADS:-1}
REPEAT=${BENCH_WRK_REPEAT:-3} # runs of the target row (odd: the median is one of them)

if ! LAWS=$(bench_laws); then
    bench_skip "serve section" "the laws corpus is not available (../shared/corpus/gesetze-md.tar.xz)"
    bench_end
    exit 0
fi
if ! command -v wrk >/dev/null 2>&1; then
    bench_skip "serve section" "wrk is not installed (Debian wrk; make bench-deps)"
    bench_end
    exit 0
fi
if ! bench_findling_can serve || ! bench_findling_can index; then
    bench_skip "serve section" "findling serve or index is not implemented yet in $FINDLING"
    bench_end
    exit 0
fi
if ! DB=$(bench_laws_db "$LAWS"); then
    bench_skip "serve section" "could not build the laws index"
    bench_end
    exit 0
fi
W=$(bench_tmpdir)

# start_server CACHE_MB [ARGS...] — starts `findling serve` on a free port
# with the response cache bound (0 = off) and further options; sets BASE.
# Returns 1 when it did not come up.
start_server() {
    PORT=$(bench_free_port)
    BASE=http://127.0.0.1:$PORT
    cmb=$1
    shift
    bench_say "  starting findling serve --cache-mb $cmb $* on 127.0.0.1:$PORT…"
    "$FINDLING" serve --db "$DB" --listen "127.0.0.1:$PORT" --cache-mb "$cmb" "$@" >"$W/serve-$cmb.log" 2>&1 &
    BENCH_SERVER_PID=$!
    i=0
    until curl -sf -o /dev/null --max-time 2 "$BASE/healthz"; do
        if ! kill -0 "$BENCH_SERVER_PID" 2>/dev/null || [ $i -ge 120 ]; then
            bench_skip "serve section" "findling serve did not come up: $(tail -n 3 "$W/serve-$1.log")"
            return 1
        fi
        sleep 0.5
        i=$((i + 1))
    done
    curl -sf --max-time 10 "$BASE/healthz" >"$W/healthz.json" || true
    bench_say "  up: $(cat "$W/healthz.json" 2>/dev/null)"
    return 0
}

stop_server() {
    if [ -n "$BENCH_SERVER_PID" ]; then
        kill -TERM "$BENCH_SERVER_PID" 2>/dev/null
        wait "$BENCH_SERVER_PID" 2>/dev/null
        BENCH_SERVER_PID=""
    fi
}

# server_rss LABEL — a row with the running server's RSS.
server_rss() {
    if [ -r "/proc/$BENCH_SERVER_PID/status" ]; then
        rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status")
        hwm=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status")
        anon=$(awk '/^RssAnon:/ { printf "%.0f", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status")
        file=$(awk '/^RssFile:/ { printf "%.0f", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status")
        bench_row "server RSS after the runs ($1)" "$rss" MB "<= 100" "$(bench_check "$rss" '<=' 100)" \
            "peak $hwm MB; $anon MB anonymous, $file MB file pages (code and the mapped index pages, --map-mb)"
    else
        bench_skip "server RSS ($1)" "the server is gone"
    fi
}

# metric FILE NAME — the value of metric NAME in a saved /metrics answer.
metric() { sed -n "s/^$2 //p" "$1"; }

# share_row LABEL PART OTHER NOTE — a row with PART's share of PART + OTHER
# in %; nothing when either is missing.
share_row() {
    [ -n "$2" ] && [ -n "$3" ] || return 0
    bench_row "$1" "$(bench_fmt %.1f "$(bench_calc "100 * $2 / ($2 + $3 + 0.000001)")")" % "" info "$4"
}

# run_wrk NAME MODE CONNECTIONS
run_wrk() {
    name=$1 mode=$2 conns=$3
    bench_say "  wrk $mode, $conns connections, ${SECS} s…"
    rc=0
    BENCH_WRK_MODE=$mode BENCH_WRK_QUERIES=$BENCH_QUERIES \
        wrk -t "$THREADS" -c "$conns" -d "${SECS}s" --timeout 5s --latency -s "$BENCH_SRC/wrk.lua" \
        "$BASE/" >"$W/$name.txt" 2>&1 || rc=$?
    if [ $rc -ne 0 ] || ! grep -q '^BENCH_JSON ' "$W/$name.txt"; then
        bench_skip "wrk $mode $conns" "wrk failed (exit $rc): $(tail -n 2 "$W/$name.txt")"
        return 1
    fi
    sed -n 's/^BENCH_JSON //p' "$W/$name.txt" >"$W/$name.json"
    bench_detail "$name" "$W/$name.json"
    WRK_RPS=$(jq -r '.rps' "$W/$name.json")
    WRK_P50=$(jq -r '.p50_ms' "$W/$name.json")
    WRK_P99=$(jq -r '.p99_ms' "$W/$name.json")
    WRK_ERRS=$(jq -r '.errors | .connect + .read + .write + .status + .timeout' "$W/$name.json")
    WRK_NOTE=$(jq -r '"\(.requests) requests, p50 \(.p50_ms) ms, \(.errors.status) non-2xx, \(.errors.connect + .errors.read + .errors.write + .errors.timeout) socket errors"' "$W/$name.json")
    return 0
}

# run_wrk_median NAME MODE CONNECTIONS — run_wrk $REPEAT times: WRK_RPS and
# WRK_P99 are the medians, WRK_ERRS the sum, WRK_NOTE lists every run.  One
# run of 10 s on a shared 2-core machine moves by 10-20 % with the machine's
# load; the median of several is the figure to hold against a target.
run_wrk_median() {
    name=$1 mode=$2 conns=$3
    k=0 rpss="" p99s="" errs=0 last_note=""
    while [ $k -lt "$REPEAT" ]; do
        k=$((k + 1))
        run_wrk "$name.$k" "$mode" "$conns" || return 1
        rpss="$rpss $WRK_RPS" p99s="$p99s $WRK_P99" errs=$((errs + WRK_ERRS)) last_note=$WRK_NOTE
    done
    mid=$(((REPEAT + 1) / 2))
    WRK_RPS=$(printf '%s\n' $rpss | sort -g | sed -n "${mid}p")
    WRK_P99=$(printf '%s\n' $p99s | sort -g | sed -n "${mid}p")
    WRK_ERRS=$errs
    list=$(for v in $rpss; do bench_fmt %.0f "$v"; printf ' / '; done | sed 's| / $||')
    plist=$(for v in $p99s; do bench_fmt %.1f "$v"; printf ' / '; done | sed 's| / $||')
    WRK_NOTE="median of $REPEAT runs of ${SECS} s: $list req/s, p99 $plist ms; last run: $last_note"
    return 0
}

# --- Cache off: every request runs the engine (the figures the targets mean).
if start_server 0; then
    # A search must actually find something, or the figures mean nothing.
    probe=$(curl -s --max-time 10 -o "$W/probe.json" -w '%{http_code}' "$BASE/api/search?q=K%C3%BCndigung&limit=10" || true)
    if [ "$probe" != 200 ] || ! jq -e '.total > 0 and (.hits | length) > 0' "$W/probe.json" >/dev/null 2>&1; then
        bench_say "  warning: /api/search?q=Kündigung answered $probe without hits; measuring anyway"
    fi
    if run_wrk search16 search 16; then
        bench_row "search, 16 conns, cache off: requests/s" "$(bench_fmt %.0f "$WRK_RPS")" req/s "" info "$WRK_NOTE"
        bench_row "search, 16 conns, cache off: p99" "$WRK_P99" ms "" info
    fi
    if run_wrk_median search64 search 64; then
        bench_row "search, 64 conns, cache off: requests/s" "$(bench_fmt %.0f "$WRK_RPS")" req/s ">= 2000 (goal 4000)" \
            "$(bench_check "$WRK_RPS" '>=' 2000)" "$WRK_NOTE"
        bench_row "search, 64 conns, cache off: p99" "$WRK_P99" ms "<= 50" "$(bench_check "$WRK_P99" '<=' 50)"
        [ "$WRK_ERRS" = 0 ] || bench_row "search, 64 conns, cache off: errors" "$WRK_ERRS" "" "0" miss
    fi
    if run_wrk suggest64 suggest 64; then
        bench_row "suggest, 64 conns, cache off: requests/s" "$(bench_fmt %.0f "$WRK_RPS")" req/s ">= 10000" \
            "$(bench_check "$WRK_RPS" '>=' 10000)" "$WRK_NOTE"
        bench_row "suggest, 64 conns, cache off: p99" "$WRK_P99" ms "" info
        [ "$WRK_ERRS" = 0 ] || bench_row "suggest, 64 conns, cache off: errors" "$WRK_ERRS" "" "0" miss
    fi
    curl -s --max-time 5 "$BASE/metrics" >"$W/metrics-0.txt" || true
    tb=$(metric "$W/metrics-0.txt" findling_suggest_table_bytes)
    [ -n "$tb" ] && bench_row "autocomplete table" "$(bench_fmt %.1f "$(bench_calc "$tb / 1048576")")" MB "" info \
        "$(metric "$W/metrics-0.txt" findling_suggest_table_entries) entries, one per index revision, shared by the workers"
    mr=$(metric "$W/metrics-0.txt" findling_mapped_reads_total)
    sr=$(metric "$W/metrics-0.txt" findling_mapped_declined_total)
    mb=$(metric "$W/metrics-0.txt" findling_mapped_bytes)
    share_row "index block reads from mappings (cache off)" "$mr" "$sr" \
        "$mr mapped, $sr left to pread() by the --map-mb bound; $(bench_fmt %.1f "$(bench_calc "${mb:-0} / 1048576")") MB of 8 KiB windows mapped (a bound of their resident pages: RSS row)"
    server_rss "cache off"
    stop_server
fi

# --- The same without mapped reads (--map-mb 0: one pread() per index block,
# as Xapian reads alone), to show what the mappings bring in this run.
if start_server 0 --map-mb 0; then
    if run_wrk search64p search 64; then
        bench_row "search, 64 conns, cache off, plain reads: requests/s" "$(bench_fmt %.0f "$WRK_RPS")" req/s "" info \
            "--map-mb 0; $WRK_NOTE"
        bench_row "search, 64 conns, cache off, plain reads: p99" "$WRK_P99" ms "" info
    fi
    server_rss "cache off, plain reads"
    stop_server
fi

# --- Cache on (--cache-mb 32, the default): wrk rotates through the same
# queries, so after the first round nearly every answer comes from the
# response cache.  Repeated queries are what a site's search box sees, but
# these rows measure the cache, not the engine.
if start_server 32; then
    if run_wrk search16c search 16; then
        bench_row "search, 16 conns, cache on: requests/s" "$(bench_fmt %.0f "$WRK_RPS")" req/s "" info "$WRK_NOTE"
    fi
    if run_wrk search64c search 64; then
        bench_row "search, 64 conns, cache on: requests/s" "$(bench_fmt %.0f "$WRK_RPS")" req/s "" info "$WRK_NOTE"
        bench_row "search, 64 conns, cache on: p99" "$WRK_P99" ms "" info
    fi
    if run_wrk suggest64c suggest 64; then
        bench_row "suggest, 64 conns, cache on: requests/s" "$(bench_fmt %.0f "$WRK_RPS")" req/s "" info "$WRK_NOTE"
    fi
    curl -s --max-time 5 "$BASE/metrics" >"$W/metrics-32.txt" || true
    hits=$(metric "$W/metrics-32.txt" findling_cache_hits_total)
    misses=$(metric "$W/metrics-32.txt" findling_cache_misses_total)
    cbytes=$(metric "$W/metrics-32.txt" findling_cache_bytes)
    share_row "response cache hit rate (cache on)" "$hits" "$misses" \
        "$hits hits, $misses misses, $(bench_fmt %.1f "$(bench_calc "${cbytes:-0} / 1048576")") MB cached"
    server_rss "cache on"
    stop_server
fi

bench_end
