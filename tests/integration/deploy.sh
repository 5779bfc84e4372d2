#!/usr/bin/env bash
# deploy.sh — what docs/security.md promises about running `findling serve`:
# it needs no write access to the index (served by `nobody` from a folder it
# can only read, while root reindexes), and behind a reverse proxy
# --trust-proxy makes the rate limit and the access log see the client
# from X-Forwarded-For, which is otherwise ignored.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/serve.sh"
set -u
command -v curl >/dev/null || skip_all "curl missing"
command -v jq >/dev/null || skip_all "jq missing"

T=$(mktemp -d /tmp/fl-deploy.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

# start OUT CMD... — starts a server, sets SPID and URL
start() {
    local out=$1; shift
    "$@" >"$out" 2>"$out.err" &
    SPID=$!
    PIDS+=("$SPID")
    URL=$(serve_url "$out" "$SPID" 200)
}
search_total() { curl -s "$URL/api/search?q=$1" | jq -r .total; }

cp -r "$TOP/examples/site" "$T/site"
"$FINDLING" index --quiet --db "$T/db" "$T/site" >/dev/null 2>&1
ok $([ $? -le 1 ]; echo $?) "example index built by root"

# ---------------------------------------------------------------- read-only user
# The binary and the index readable by everyone, writable by root only.
cp "$FINDLING" "$T/findling"
chmod 755 "$T" "$T/findling"
chmod -R a+rX,go-w "$T/db"
RUNAS=""
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
    RUNAS="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups --"
fi
if [ -z "$RUNAS" ] || ! $RUNAS true 2>/dev/null; then
    for _ in $(seq 1 9); do skip "needs root, user nobody and setpriv to switch users"; done
else
    $RUNAS touch "$T/db/probe" 2>/dev/null
    ok $([ ! -e "$T/db/probe" ]; echo $?) "nobody cannot write into the index folder"
    start "$T/ro.out" $RUNAS "$T/findling" serve --db "$T/db" --listen 127.0.0.1:0 --threads 2
    ok $? "serve starts as nobody on a read-only index ($URL)"
    is "$(awk '/^Uid:/ {print $2}' "/proc/$SPID/status" 2>/dev/null)" "$(id -u nobody)" "the server runs as nobody"
    n=$(search_total 'B%C3%BCrger')
    ok $([ "${n:-0}" -gt 0 ] 2>/dev/null; echo $?) "search works ($n hits)"
    # root changes the site and reindexes, incrementally and then --full
    printf -- '---\ntitle: Zitronenfalter\n---\nDer Zitronenfalter im Stadtpark.\n' >"$T/site/falter.md"
    "$FINDLING" index --quiet --db "$T/db" "$T/site" >/dev/null 2>&1
    found_within Zitronenfalter 10
    ok $? "an incremental reindex by root is picked up"
    printf -- '---\ntitle: Schwalbenschwanz\n---\nDer Schwalbenschwanz am Flussufer.\n' >"$T/site/schwalbe.md"
    (umask 022; "$FINDLING" index --quiet --full --db "$T/db" "$T/site" >/dev/null 2>&1)
    found_within Schwalbenschwanz 10
    ok $? "a --full reindex by root (umask 022) is picked up"
    is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" 200 "/healthz 200"
    kill -TERM "$SPID"; wait "$SPID"; rc=$?
    is "$rc" 0 "the read-only server stops cleanly"
    ok $([ -z "$(find "$T/db" -user nobody)" ]; echo $?) "the server created no file in the index folder"
    unlike "$(cat "$T/ro.out.err")" 'ermission denied|Read-only' "no permission error"
fi

# ---------------------------------------------------------------- behind a proxy
# Rate limit 1/s (burst 1): a second request within the second gets 429.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
start "$T/p1.out" "$FINDLING" serve --db "$T/db" --listen 127.0.0.1:0 --rate-limit 1 --access-log "$T/p1.log"
ok $? "server without --trust-proxy started"
c1=$(code -H 'X-Forwarded-For: 10.0.0.1' "$URL/api/search?q=Stadt")
c2=$(code -H 'X-Forwarded-For: 10.0.0.2' "$URL/api/search?q=Stadt")
is "$c1 $c2" "200 429" "without --trust-proxy X-Forwarded-For is ignored: one bucket for all (the proxy's)"
kill -TERM "$SPID"; wait "$SPID"
unlike "$(cat "$T/p1.log")" '10\.0\.0\.' "and the access log shows the peer address"

start "$T/p2.out" "$FINDLING" serve --db "$T/db" --listen 127.0.0.1:0 --rate-limit 1 --trust-proxy 127.0.0.1 --access-log "$T/p2.log"
ok $? "server with --trust-proxy 127.0.0.1 started"
a1=$(code -H 'X-Forwarded-For: 10.0.0.1' "$URL/api/search?q=Stadt")
a2=$(code -H 'X-Forwarded-For: 10.0.0.1' "$URL/api/search?q=Stadt")
b1=$(code -H 'X-Forwarded-For: 10.0.0.2' "$URL/api/search?q=Stadt")
is "$a1 $a2 $b1" "200 429 200" "with --trust-proxy each forwarded client has its own bucket"
# A client cannot escape by prepending addresses: the proxy's (last) entry counts.
s1=$(code -H 'X-Forwarded-For: 9.9.9.9, 10.0.0.1' "$URL/api/search?q=Stadt")
is "$s1" 429 "the last X-Forwarded-For entry counts, not what the client prepended"
g1=$(code -H 'X-Forwarded-For: not-an-ip' "$URL/api/search?q=Stadt")
g2=$(code -H 'X-Forwarded-For: 2001:db8::1' "$URL/api/search?q=Stadt")
is "$g1 $g2" "200 200" "a garbage entry falls back to the proxy's address; IPv6 entries work"
kill -TERM "$SPID"; wait "$SPID"
like "$(cat "$T/p2.log")" ' 10\.0\.0\.1 GET ' "the access log shows the forwarded client"
like "$(cat "$T/p2.log")" ' 2001:db8::1 GET ' "also for IPv6"
"$FINDLING" serve --db "$T/db" --listen 127.0.0.1:0 --trust-proxy proxy.example >/dev/null 2>"$T/err"
is "$?" 2 "--trust-proxy with a host name: usage error (exit 2)"
like "$(cat "$T/err")" 'numeric IP' "it says a numeric address is needed"
unlike "$(cat "$T"/*.err 2>/dev/null)" 'AddressSanitizer|LeakSanitizer|runtime error' "no sanitizer report"
tap_done
