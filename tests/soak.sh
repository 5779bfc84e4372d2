#!/usr/bin/env bash
# soak.sh — load soak for `findling serve` (make soak; a short run is part of
# make test as tests/integration/soak.sh).  Speaks TAP.
#
# wrk sends a mixed load (tests/soak.lua) while a loop changes the site and
# reindexes it every SOAK_REINDEX_EVERY seconds (every third run --full).
# Passes when: zero non-2xx answers and zero socket errors, the server never
# crashes and stops cleanly, every index run succeeds, the served revision
# (/healthz) follows every run (and grows with every incremental one), and
# RSS and open descriptors stay flat.
#
#   SOAK_SECONDS         duration (default 600)
#   SOAK_REINDEX_EVERY   seconds between reindex runs (default 30)
#   SOAK_CORPUS          laws | example (default: laws when $SHARED has them)
#   SOAK_CONNECTIONS     wrk connections (default 8), SOAK_WRK_THREADS (2)
#   SOAK_SERVER_THREADS  server worker threads (default 2)
#   SOAK_SAMPLE          seconds between RSS/fd samples (default 5; 1 when short)
#   SOAK_RSS_GROWTH_MB   allowed RSS growth, first to last fifth (default 32)
: "${TOP:=$(cd "$(dirname "$0")/.." && pwd)}"
export TOP
. "$TOP/tests/lib/tap.sh"
set -u
command -v wrk >/dev/null || skip_all "wrk missing (Debian package wrk)"
command -v curl >/dev/null || skip_all "curl missing"
command -v jq >/dev/null || skip_all "jq missing"

SECS=${SOAK_SECONDS:-600}
EVERY=${SOAK_REINDEX_EVERY:-30}
CONNS=${SOAK_CONNECTIONS:-8}
WTHREADS=${SOAK_WRK_THREADS:-2}
STHREADS=${SOAK_SERVER_THREADS:-2}
SAMPLE=${SOAK_SAMPLE:-$([ "$SECS" -le 60 ] && echo 1 || echo 5)}
GROWTH_MB=${SOAK_RSS_GROWTH_MB:-32}
CORPUS=${SOAK_CORPUS:-}
LAWS_TAR=${SHARED:+$SHARED/corpus/gesetze-md.tar.xz}
if [ -z "$CORPUS" ]; then
    if [ -n "$LAWS_TAR" ] && [ -f "$LAWS_TAR" ]; then CORPUS=laws; else CORPUS=example; fi
fi

T=$(mktemp -d /tmp/fl-soak.XXXXXX)
SPID="" LOOPPID="" SAMPLERPID=""
cleanup() {
    for p in $LOOPPID $SAMPLERPID; do kill "$p" 2>/dev/null; done
    [ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
echo "# soak: ${SECS}s, reindex every ${EVERY}s, corpus $CORPUS, $CONNS connections"

# ---------------------------------------------------------------- corpus
S=$T/site
if [ "$CORPUS" = laws ]; then
    mkdir -p "$S"
    tar -xJf "$LAWS_TAR" -C "$S" || skip_all "cannot unpack $LAWS_TAR"
else
    # The example site, its articles copied into 15 archive folders.
    cp -r "$TOP/examples/site" "$S"
    for k in $(seq 1 15); do
        mkdir -p "$S/archiv/$k"
        cp "$S"/_beitraege/*.md "$S"/_methoden/*.md "$S"/_posts/*.md "$S/archiv/$k/"
    done
fi
find "$S" -name '*.md' | sort >"$T/files"
start=$(date +%s.%N)
"$FINDLING" index --quiet --db "$T/db" "$S" >"$T/index0.out" 2>"$T/index0.err"
rc=$?
ok $([ "$rc" -le 1 ]; echo $?) "initial index of the $CORPUS corpus (exit $rc, $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}') s): $(tail -1 "$T/index0.out")"

# ---------------------------------------------------------------- server
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8" \
    "$FINDLING" serve --db "$T/db" --listen 127.0.0.1:0 --threads "$STHREADS" >"$T/serve.out" 2>"$T/serve.err" &
SPID=$!
URL=""
for _ in $(seq 1 200); do
    URL=$(sed -n 's#^findling serve: listening on \(http://[^ ]*\)/ .*#\1#p' "$T/serve.out" | head -1)
    [ -n "$URL" ] && break
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.05
done
ok $([ -n "$URL" ]; echo $?) "server started ($URL)"
[ -n "$URL" ] || { sed 's/^/#   /' "$T/serve.err"; tap_done; exit; }

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$SPID/status" 2>/dev/null; }
fds() { ls "/proc/$SPID/fd" 2>/dev/null | wc -l; }
healthz() { curl -s --max-time 5 "$URL/healthz"; }

# ---------------------------------------------------------------- reindex loop
# Each round: append to 3 files, add a new one, delete the one added three
# rounds ago, reindex (every third round --full), then wait until /healthz
# serves exactly the new revision and document count.
reindex_loop() {
    local round=0 prev_rev
    prev_rev=$(healthz | jq -r .revision)
    local nfiles
    nfiles=$(wc -l <"$T/files")
    local next=$((SECONDS + EVERY))
    while :; do
        # Runs start every EVERY seconds (or back to back when slower).
        [ "$next" -gt "$SECONDS" ] && sleep $((next - SECONDS))
        next=$((SECONDS + EVERY))
        round=$((round + 1))
        for j in 1 2 3; do
            f=$(sed -n "$(( (round * 7919 + j * 104729) % nfiles + 1 ))p" "$T/files")
            printf '\nÄnderung %d/%d: Quittenmarmelade und Holunderblüten.\n' "$round" "$j" >>"$f"
        done
        printf -- '---\ntitle: Soak %d\n---\nNeuer Text %d über Quittenmarmelade.\n' "$round" "$round" >"$S/soak-$round.md"
        rm -f "$S/soak-$((round - 3)).md"
        local extra="" mode=incremental
        [ $((round % 3)) -eq 0 ] && { extra=--full; mode=full; }
        local t0 rc t1 st rev docs seen_rev="" seen_docs="" waited
        t0=$(date +%s.%N)
        st=$("$FINDLING" index --json $extra --db "$T/db" "$S" 2>>"$T/index.err")
        rc=$?
        t1=$(date +%s.%N)
        read -r rev docs < <(printf '%s' "$st" | jq -r '"\(.revision) \(.documents)"' 2>/dev/null)
        waited=-1
        for k in $(seq 1 100); do
            read -r seen_rev seen_docs < <(healthz | jq -r '"\(.revision) \(.documents)"' 2>/dev/null)
            if [ "$seen_rev" = "$rev" ] && [ "$seen_docs" = "$docs" ]; then
                waited=$(awk -v s="$t1" -v e="$(date +%s.%N)" 'BEGIN{printf "%.2f", e-s}')
                break
            fi
            sleep 0.05
        done
        local grew=1
        if [ "$mode" = incremental ] && [ "$seen_rev" -le "$prev_rev" ] 2>/dev/null; then grew=0; fi
        printf '%d %s %d %.2f %s %s %s %d\n' "$round" "$mode" "$rc" \
            "$(awk -v s="$t0" -v e="$t1" 'BEGIN{print e-s}')" "$rev" "$docs" "$waited" "$grew" >>"$T/rounds"
        prev_rev=${seen_rev:-$prev_rev}
    done
}

sampler() {
    local t0=$SECONDS
    while :; do
        echo "$((SECONDS - t0)) $(rss) $(fds)" >>"$T/samples"
        sleep "$SAMPLE"
    done
}

echo "# server up at ${SECONDS}s"
# Warm-up: every worker opens its index handle, and Xapian a table the first
# time a search needs it (positions, spelling ...), before the baseline:
# rounds of load until one opens no descriptor (under ASan one round of 2 s
# left one worker's tables to open during the sampling: 36 -> 42, no leak).
prev_fds=-1
for k in 1 2 3 4 5; do
    wrk -t1 -c"$CONNS" -d2s -s "$TOP/tests/soak.lua" "$URL" >/dev/null 2>&1
    cur_fds=$(fds)
    [ "$cur_fds" = "$prev_fds" ] && break
    prev_fds=$cur_fds
done
: >"$T/rounds"
sampler &
SAMPLERPID=$!
reindex_loop &
LOOPPID=$!
wrk -t"$WTHREADS" -c"$CONNS" -d"${SECS}s" --timeout 10s --latency -s "$TOP/tests/soak.lua" "$URL" >"$T/wrk.out" 2>&1
wrc=$?
echo "# load done at ${SECONDS}s"
kill "$LOOPPID" 2>/dev/null; wait "$LOOPPID" 2>/dev/null; LOOPPID=""
# A round cut off by the kill may have left an index run behind: let it end.
while pgrep -f "index --quiet.*--db $T/db" >/dev/null 2>&1; do sleep 0.2; done
kill "$SAMPLERPID" 2>/dev/null; wait "$SAMPLERPID" 2>/dev/null; SAMPLERPID=""
echo "$SECS $(rss) $(fds)" >>"$T/samples"
echo "# loops stopped at ${SECONDS}s"

# ---------------------------------------------------------------- results
line=$(grep '^SOAK ' "$T/wrk.out")
val() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
is "$wrc" 0 "wrk ran for ${SECS}s"
[ -n "$line" ] || sed 's/^/#   /' "$T/wrk.out"
reqs=$(val requests); non2xx=$(val non2xx)
sockerr=$(( ${line:+$(val connect) + $(val read) + $(val write) + $(val timeout) + }0 ))
ok $([ "${reqs:-0}" -gt 0 ]; echo $?) "wrk sent requests (${reqs:-0}, $(val rps) per second)"
is "${non2xx:-x}" 0 "zero non-2xx answers$([ "${non2xx:-0}" != 0 ] && echo " (last: $(val last_bad))")"
is "$sockerr" 0 "zero socket errors (connect $(val connect), read $(val read), write $(val write), timeout $(val timeout))"

nrounds=$(wc -l <"$T/rounds")
failed_runs=$(awk '$3 > 1' "$T/rounds" | wc -l)
not_seen=$(awk '$7 == -1' "$T/rounds" | wc -l)
not_grown=$(awk '$8 == 0' "$T/rounds" | wc -l)
minrounds=$(( SECS / EVERY / 2 ))
[ "$minrounds" -lt 1 ] && minrounds=1
ok $([ "$nrounds" -ge "$minrounds" ]; echo $?) "the site was changed and reindexed $nrounds times (at least $minrounds)"
is "$failed_runs" 0 "every index run committed (exit 0 or 1)"
is "$not_seen" 0 "after every run /healthz served the new revision and document count (within 5 s)"
is "$not_grown" 0 "the served revision grew with every incremental run"

kill -0 "$SPID" 2>/dev/null
ok $? "the server did not crash"
# Flat: median of the first fifth of the samples against the last fifth.
n=$(wc -l <"$T/samples")
fifth=$(( n / 5 )); [ "$fifth" -lt 1 ] && fifth=1
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
rss0=$(head -n "$fifth" "$T/samples" | awk '{print $2}' | med)
rss1=$(tail -n "$fifth" "$T/samples" | awk '{print $2}' | med)
rssmax=$(awk '{print $2}' "$T/samples" | sort -n | tail -1)
fd0=$(head -n "$fifth" "$T/samples" | awk '{print $3}' | med)
fd1=$(tail -n "$fifth" "$T/samples" | awk '{print $3}' | med)
fdmax=$(awk '{print $3}' "$T/samples" | sort -n | tail -1)
ok $([ $(( rss1 - rss0 )) -lt $(( GROWTH_MB * 1024 )) ]; echo $?) "RSS flat: $rss0 KB -> $rss1 KB (peak $rssmax KB, bound +${GROWTH_MB} MB)"
ok $([ "$fd1" -le $(( fd0 + 2 )) ]; echo $?) "descriptors flat: $fd0 -> $fd1 (peak $fdmax)"

kill -TERM "$SPID" 2>/dev/null
wait "$SPID"; src=$?
SPID=""
is "$src" 0 "the server stops cleanly on SIGTERM"
echo "# server stopped at ${SECONDS}s"
unlike "$(cat "$T/serve.err")" 'AddressSanitizer|LeakSanitizer|runtime error' "no sanitizer report"

# ---------------------------------------------------------------- summary
fmt() { printf '# %-34s %s\n' "$1" "$2"; }
echo "# ------------------------------------------------------------ soak summary"
fmt "corpus" "$CORPUS ($(jq -r .documents <<<"$("$FINDLING" stats --db "$T/db" --json)") documents)"
fmt "duration, connections" "${SECS} s, $CONNS"
fmt "requests (per second)" "${reqs:-0} ($(val rps))"
fmt "non-2xx answers, socket errors" "${non2xx:-?}, $sockerr"
fmt "latency p50 / p99 / max" "$(val p50_ms) / $(val p99_ms) / $(val max_ms) ms"
fmt "reindex runs (full)" "$nrounds ($(awk '$2 == "full"' "$T/rounds" | wc -l))"
fmt "index run time avg / max" "$(awk '{s+=$4; if ($4>m) m=$4} END {if (NR) printf "%.2f / %.2f s", s/NR, m}' "$T/rounds")"
fmt "new revision served after avg / max" "$(awk '$7 >= 0 {s+=$7; n++; if ($7>m) m=$7} END {if (n) printf "%.2f / %.2f s", s/n, m}' "$T/rounds")"
fmt "revisions served" "$(awk '{printf "%s ", $5}' "$T/rounds")"
fmt "RSS first / last fifth / peak" "$rss0 / $rss1 / $rssmax KB"
fmt "descriptors first / last / peak" "$fd0 / $fd1 / $fdmax"
tap_done
