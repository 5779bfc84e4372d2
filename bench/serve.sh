#!/bin/sh
# bench/serve.sh BUILD_DIR — HTTP throughput of `findling serve` (issue 6, point 8).
#
# Starts `findling serve` on 127.0.0.1 (a free port) on the laws index and
# drives it with wrk (bench/wrk.lua) for $BENCH_WRK_SECONDS (10) s each:
#   /api/search (excerpts, sections, facets) at 16 and 64 connections,
#   rotating through bench/queries-laws.txt;
#   /api/suggest at 64 connections with 3-6 letter prefixes.
# Requests/s, p50/p99 latency, non-2xx answers and the server's RSS after
# the runs.  The server is always stopped (trap), whatever happens.
. "$(dirname "$0")/lib.sh"
bench_begin serve "HTTP server throughput on the laws corpus" "$@"

SECS=${BENCH_WRK_SECONDS:-10}
THREADS=${BENCH_WRK_THREADS:-1}

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

PORT=$(bench_free_port)
BASE=http://127.0.0.1:$PORT
bench_say "  starting findling serve on 127.0.0.1:$PORT…"
"$FINDLING" serve --db "$DB" --listen "127.0.0.1:$PORT" >"$W/serve.log" 2>&1 &
BENCH_SERVER_PID=$!
i=0
until curl -sf -o /dev/null --max-time 2 "$BASE/healthz"; do
    if ! kill -0 "$BENCH_SERVER_PID" 2>/dev/null || [ $i -ge 120 ]; then
        bench_skip "serve section" "findling serve did not come up: $(tail -n 3 "$W/serve.log")"
        bench_end
        exit 0
    fi
    sleep 0.5
    i=$((i + 1))
done
curl -sf --max-time 10 "$BASE/healthz" >"$W/healthz.json" || true
bench_say "  up: $(cat "$W/healthz.json" 2>/dev/null)"

# A search must actually find something, or the figures mean nothing.
probe=$(curl -s --max-time 10 -o "$W/probe.json" -w '%{http_code}' "$BASE/api/search?q=K%C3%BCndigung&limit=10" || true)
if [ "$probe" != 200 ] || ! jq -e '.total > 0 and (.hits | length) > 0' "$W/probe.json" >/dev/null 2>&1; then
    bench_say "  warning: /api/search?q=Kündigung answered $probe without hits; measuring anyway"
fi

# run_wrk NAME MODE CONNECTIONS PATH
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

if run_wrk search16 search 16; then
    bench_row "search, 16 conns: requests/s" "$(bench_fmt %.0f "$WRK_RPS")" req/s "" info "$WRK_NOTE"
    bench_row "search, 16 conns: p99" "$WRK_P99" ms "" info
fi
if run_wrk search64 search 64; then
    bench_row "search, 64 conns: requests/s" "$(bench_fmt %.0f "$WRK_RPS")" req/s ">= 2000 (goal 4000)" \
        "$(bench_check "$WRK_RPS" '>=' 2000)" "$WRK_NOTE"
    bench_row "search, 64 conns: p99" "$WRK_P99" ms "<= 50" "$(bench_check "$WRK_P99" '<=' 50)"
    [ "$WRK_ERRS" = 0 ] || bench_row "search, 64 conns: errors" "$WRK_ERRS" "" "0" miss
fi
if run_wrk suggest64 suggest 64; then
    bench_row "suggest, 64 conns: requests/s" "$(bench_fmt %.0f "$WRK_RPS")" req/s ">= 10000" \
        "$(bench_check "$WRK_RPS" '>=' 10000)" "$WRK_NOTE"
    bench_row "suggest, 64 conns: p99" "$WRK_P99" ms "" info
    [ "$WRK_ERRS" = 0 ] || bench_row "suggest, 64 conns: errors" "$WRK_ERRS" "" "0" miss
fi

if [ -r "/proc/$BENCH_SERVER_PID/status" ]; then
    rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status")
    hwm=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status")
    bench_row "server RSS after the runs" "$rss" MB "<= 100" "$(bench_check "$rss" '<=' 100)" "peak $hwm MB"
else
    bench_skip "server RSS" "the server is gone: $(tail -n 3 "$W/serve.log")"
fi

bench_end
