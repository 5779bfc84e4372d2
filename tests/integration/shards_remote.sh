#!/usr/bin/env bash
# shards_remote.sh — a sharded index served by xapian-tcpsrv (one process per
# shard on 127.0.0.1) through a stub of "remote HOST:PORT" lines: `search` and
# `serve` give the same answers as the local shards (facet counts too, which
# need Xapian's own match spy on remote shards); when one shard's server dies
# `serve` answers 503 with Retry-After quickly (no hang), and it recovers when
# the server comes back.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/serve.sh"
set -u
command -v xapian-tcpsrv >/dev/null || skip_all "xapian-tcpsrv not installed (xapian-tools)"
command -v curl >/dev/null || skip_all "curl not installed"
T=$(mktemp -d /tmp/fl-remote.XXXXXX)
PIDS=()
SPID=""
# Each tcpsrv runs in its own process group (setsid) with the children it
# forks per connection: one kill of the group stops them all.
kill_shard() { kill -9 -- "-$1" 2>/dev/null || kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
cleanup() {
    [ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null
    for p in "${PIDS[@]}"; do [ -n "$p" ] && kill_shard "$p"; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
F=$FINDLING

cp -r "$TOP/examples/site" "$T/site"
# With a recency boost, so that the re-ranking of the best candidates
# (proximity and recency, query/rerank.c) runs over remote shards too.
printf '\nrecency_boost: 0.2\n' >>"$T/site/findling.yml"
"$F" index --quiet --shards 3 --db "$T/local" "$T/site" >/dev/null 2>&1
is "$?" 0 "3-shard index built"
gen=$(awk -F'[ /]' 'NR == 1 {print $2}' "$T/local/XAPIANDB")

# Ports from free_port are released again before tcpsrv binds them: a rare
# race only makes the start below fail.
start_shard() { # start_shard K: (re)starts tcpsrv for shard K on PORT[K]
    local k=$1
    setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port "${PORT[$k]}" \
        "$T/local/$gen/shard-$k" >"$T/tcpsrv-$k.log" 2>&1 &
    PIDS[$k]=$!
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$k]}") 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
PORT=()
mkdir -p "$T/remote"
: >"$T/remote/XAPIANDB"
for k in 0 1 2; do
    PORT[$k]=$(free_port)
    start_shard "$k"; is "$?" 0 "tcpsrv for shard $k listens on port ${PORT[$k]}"
    echo "remote 127.0.0.1:${PORT[$k]}" >>"$T/remote/XAPIANDB"
done

srch() { "$F" search --db "$1" --json "${@:2}" 2>&1 | jq -S 'del(.took_ms)' 2>/dev/null; }
for q in "Bürger" "haushalt 2024" "*" "Inovation" "workshop" "bürgerbeteiligung spielplatz" \
    '"offene Daten"' "Stadt Werk*"; do
    is "$(srch "$T/remote" -- "$q")" "$(srch "$T/local" -- "$q")" "search '$q': remote shards = local shards"
done
is "$(srch "$T/remote" --category Rückblick -- '*')" "$(srch "$T/local" --category Rückblick -- '*')" \
   "a facet filter: remote = local (facet counts of the other facets included)"
like "$(srch "$T/remote" -- Bürger | jq -c '.facets.category[0]')" '"count":[1-9]' "remote facet counts are there"

# ---------------------------------------------------------------- serve
"$F" serve --db "$T/remote" --listen 127.0.0.1:0 >"$T/serve.out" 2>&1 &
SPID=$!
URL=$(serve_url "$T/serve.out" "$SPID")
ok "$([ -n "$URL" ] && echo 0 || echo 1)" "serve over remote shards started"
get() { curl -s -m 20 -o "$T/body" -D "$T/head" -w '%{http_code} %{time_total}' "$URL/api/search?q=$1"; }
read -r code _ < <(get B%C3%BCrger)
is "$code" 200 "serve: 200 over remote shards"
is "$(jq -S 'del(.took_ms)' "$T/body")" "$(srch "$T/local" -- Bürger)" "serve: same answer as the local shards"
etag1=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$T/head" | tr -d '\r')
ok "$([ -n "$etag1" ] && echo 0 || echo 1)" "serve: an ETag over remote shards ($etag1)"

# tcpsrv forks a child per connection: the server dies with its children.
sug=$(curl -s -m 20 "$URL/api/suggest?q=Buerg")
like "$sug" 'Bürger' "suggest over remote shards: Buerg → Bürger…"
"$F" serve --db "$T/local" --listen 127.0.0.1:0 >"$T/serve2.out" 2>&1 &
LPID=$!
URL2=$(serve_url "$T/serve2.out" "$LPID")
is "$sug" "$(curl -s -m 20 "$URL2/api/suggest?q=Buerg")" "... the same suggestions as the local shards"
kill "$LPID"; wait "$LPID" 2>/dev/null
kill_shard "${PIDS[1]}"; PIDS[1]=""
read -r code secs < <(get Stadt)
is "$code" 503 "shard 1 down: 503"
like "$(cat "$T/head")" '[Rr]etry-[Aa]fter: [0-9]+' "... with Retry-After"
ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 8) }'; echo $?)" "... within 8 s (took $secs s)"
read -r code secs < <(get Werkstatt)
is "$code" 503 "still down: 503 again"
ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 8) }'; echo $?)" "... quickly ($secs s)"
read -r code _ < <(curl -s -m 20 -o /dev/null -w '%{http_code} x' "$URL/healthz")
ok "$([ "$code" != 000 ] && echo 0 || echo 1)" "the server itself still answers (/healthz: $code)"
t0=$(date +%s)
"$F" search --db "$T/remote" -- Stadt >/dev/null 2>"$T/err"; rc=$?
t1=$(date +%s)
ok "$([ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && echo 0 || echo 1)" "findling search with a dead shard: an error (exit $rc)"
ok "$([ $((t1 - t0)) -lt 8 ] && echo 0 || echo 1)" "... quickly ($((t1 - t0)) s)"
like "$(cat "$T/err")" '127\.0\.0\.1|[Nn]etwork|connect' "... naming the network problem"

start_shard 1; is "$?" 0 "shard 1 back"
# Each HTTP and search thread has its own handle and finds the shard back on
# its own next attempt: recovered when several answers in a row are 200.
code=000 good=0
for _ in $(seq 1 60); do
    read -r code _ < <(get Stadt)
    if [ "$code" = 200 ]; then good=$((good + 1)); else good=0; fi
    [ "$good" -ge 6 ] && break
    sleep 0.25
done
is "$code" 200 "serve recovers: 200 again"
is "$(jq -S 'del(.took_ms)' "$T/body")" "$(srch "$T/local" -- Stadt)" "... with the full answer (facet counts too)"

# The server keeps the remote shards' word lists for the typo search until
# a reopen finds changes: a word indexed later must be corrected too.
read -r code _ < <(get Inovation)
like "$(jq -r .corrected_query "$T/body")" 'nnovation' "typo search over remote shards (word lists now kept)"
# Asked before the run: the answer (nothing found) goes into the response
# cache, under the index revision -- which must change with the run although
# remote shards have none in Xapian (the run stamps stand in).
read -r code _ < <(get Quokkafuttermittel)
is "$(jq .total "$T/body")" 0 "before the run: the new word is not found (and this answer is cached)"
rev_before=$(curl -s -m 20 "$URL/healthz" | jq .revision)
printf -- '---\ntitle: Neu\n---\nDas Quokkafuttermittel ist da.\n' >"$T/site/quokka.md"
"$F" index --quiet --db "$T/local" "$T/site" >/dev/null 2>&1
is "$?" 0 "incremental run on the shards the servers serve"
cq=""
for _ in $(seq 1 40); do
    read -r code _ < <(get Quokkafutermittel)
    cq=$(jq -r .corrected_query "$T/body" 2>/dev/null)
    [ "$code" = 200 ] && [ "$cq" != null ] && [ -n "$cq" ] && break
    sleep 0.25
done
like "$cq" '[Qq]uokkafuttermittel' "a typo of the new word is corrected: the kept word lists were renewed"
is "$(jq .total "$T/body")" 1 "... and finds the new page"
for _ in $(seq 1 40); do
    read -r code _ < <(get Quokkafuttermittel)
    [ "$(jq .total "$T/body" 2>/dev/null)" = 1 ] && break
    sleep 0.25
done
is "$(jq .total "$T/body")" 1 "the cached answer of before the run is not served again"
rev_after=$(curl -s -m 20 "$URL/healthz" | jq .revision)
[ -n "$rev_after" ] && [ "$rev_after" != 0 ] && [ "$rev_after" != "$rev_before" ]
ok $? "the revision over remote shards moved with the run ($rev_before -> $rev_after)"
like "$(curl -s -m 20 "$URL/api/suggest?q=Quokka")" 'Quokkafuttermittel' "suggestions know the new word"

kill "$SPID"; wait "$SPID" 2>/dev/null; is "$?" 0 "serve exits 0 on SIGTERM"
SPID=""
tap_done
