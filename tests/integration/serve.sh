#!/usr/bin/env bash
# serve.sh — `findling serve` end to end: endpoints, status codes, headers,
# freshness under reindexing (incremental and --full) with zero failed
# requests, rate limiting, clean shutdown.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/serve.sh"

command -v curl >/dev/null || skip_all "curl missing"
command -v jq >/dev/null || skip_all "jq missing"
command -v python3 >/dev/null || skip_all "python3 missing"

SCRATCH=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$SCRATCH"
}
trap cleanup EXIT

# start_server OUTFILE ARGS... — starts `findling serve` on a free port and
# sets SPID and URL (without trailing slash).
start_server() {
    local out=$1; shift
    "$FINDLING" serve --listen 127.0.0.1:0 "$@" >"$out" 2>"$out.err" &
    SPID=$!
    PIDS+=("$SPID")
    URL=$(serve_url "$out" "$SPID")
}

# status URL [curl args...] → prints the HTTP status
status() { local u=$1; shift; curl -s -o /dev/null -w '%{http_code}' "$@" "$u"; }

# ------------------------------------------------------------------ command line
"$FINDLING" serve --help >"$SCRATCH/help" 2>&1
is "$?" 0 "serve --help exits 0"
like "$(cat "$SCRATCH/help")" "--cors-origin" "--help lists the options"
"$FINDLING" serve --bogus >/dev/null 2>&1
is "$?" 2 "unknown option: exit 2"
"$FINDLING" serve --threads 0 >/dev/null 2>&1
is "$?" 2 "--threads 0: exit 2"
"$FINDLING" serve --listen 127.0.0.1:notaport --db "$SCRATCH" >/dev/null 2>&1
is "$?" 2 "--listen with a bad port: exit 2"
"$FINDLING" serve --rate-limit -3 >/dev/null 2>&1
is "$?" 2 "--rate-limit -3: exit 2"
"$FINDLING" serve --cache-mb -1 >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "--cache-mb -1: exit 2"
like "$(cat "$SCRATCH/err")" "--cache-mb" "the error names --cache-mb"
"$FINDLING" serve --map-mb lots >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "--map-mb lots: exit 2"
like "$(cat "$SCRATCH/err")" "--map-mb" "the error names --map-mb"
"$FINDLING" serve --db "$SCRATCH/missing.db" --listen 127.0.0.1:0 >/dev/null 2>"$SCRATCH/err"
is "$?" 3 "missing index: exit 3"
like "$(cat "$SCRATCH/err")" "missing.db" "the error names the index"
"$FINDLING" serve --request-timeout 0 >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "--request-timeout 0: exit 2"
like "$(cat "$SCRATCH/err")" "--request-timeout" "the error names --request-timeout"
# --cors-origin takes origins as browsers send them; anything else could
# never match (exit 2); an accepted one gets as far as the index (exit 3).
for o in example.org https://Example.org https://example.org/ 'https://*.example.org' \
    https://a..example.org http://localhost:0 http://localhost:65536 ftp://example.org \
    https://example.org:443 http://example.org:80; do
    "$FINDLING" serve --db "$SCRATCH/missing.db" --cors-origin "$o" >/dev/null 2>"$SCRATCH/err"
    is "$?" 2 "--cors-origin $o: exit 2"
done
for o in https://example.org http://localhost:4000 'http://[::1]:8080' http://127.0.0.1 \
    https://example.org:80; do
    "$FINDLING" serve --db "$SCRATCH/missing.db" --listen 127.0.0.1:0 --cors-origin "$o" >/dev/null 2>&1
    is "$?" 3 "--cors-origin $o accepted"
done

# ------------------------------------------------------------------ the index
SITE=$SCRATCH/site
DB=$SCRATCH/db
cp -r "$TOP/examples/site" "$SITE"
if ! "$FINDLING" index --quiet --db "$DB" "$SITE" >"$SCRATCH/index.out" 2>&1; then
    rc=$?
    if [ "$rc" -ne 1 ]; then
        skip "findling index cannot build the example index yet (exit $rc): $(head -c 200 "$SCRATCH/index.out")"
        tap_done
        exit
    fi
fi

# The port is taken: exit 3.
python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(30)' >"$SCRATCH/port" &
BLOCKER=$!
PIDS+=("$BLOCKER")
for _ in $(seq 1 50); do [ -s "$SCRATCH/port" ] && break; sleep 0.05; done
"$FINDLING" serve --db "$DB" --listen "127.0.0.1:$(cat "$SCRATCH/port")" >/dev/null 2>"$SCRATCH/err"
is "$?" 3 "port in use: exit 3"
like "$(cat "$SCRATCH/err")" "in use" "the error says the port is in use"
kill "$BLOCKER" 2>/dev/null

LOG=$SCRATCH/access.log
start_server "$SCRATCH/serve.out" --db "$DB" --threads 2 --access-log "$LOG" \
    --cors-origin https://ok.example --cors-origin https://also-ok.example
ok $? "server starts on a free port ($URL)"
MAIN_PID=$SPID

# ------------------------------------------------------------------ endpoints
H=$(curl -s -D - -o "$SCRATCH/body" "$URL/healthz")
like "$H" "^HTTP/1.1 200" "/healthz 200"
is "$(jq -r .status "$SCRATCH/body")" ok "/healthz status ok"
DOCS=$(jq -r .documents "$SCRATCH/body")
ok "$([ "${DOCS:-0}" -gt 5 ] && echo 0 || echo 1)" "/healthz counts documents ($DOCS)"
like "$(jq -r .revision "$SCRATCH/body")" '^[0-9]+$' "/healthz has a revision"

H=$(curl -s -D - -o "$SCRATCH/body" "$URL/api/search?q=B%C3%BCrger%2Ainnen")
like "$H" "^HTTP/1.1 200" "search 200"
like "$H" "Content-Type: application/json; charset=utf-8" "search Content-Type"
like "$H" "Cache-Control: public, max-age=60" "search Cache-Control"
like "$H" 'ETag: W/"' "search ETag"
like "$H" "X-Content-Type-Options: nosniff" "nosniff"
like "$H" "Vary: .*Origin" "Vary: Origin when CORS is configured"
TOTAL=$(jq -r .total "$SCRATCH/body")
ok "$([ "${TOTAL:-0}" -gt 0 ] && echo 0 || echo 1)" "Bürger*innen finds documents ($TOTAL)"
is "$(jq -r '.hits[0] | has("url") and has("title") and has("excerpt") and has("sections")' "$SCRATCH/body")" true "hits have url/title/excerpt/sections"
is "$(jq -r '.facets | has("category")' "$SCRATCH/body")" true "facets are returned"

# A facet filter narrows the results.
ALL=$(curl -s "$URL/api/search?q=%2A&limit=1" | jq -r .total)
CAT=$(curl -s "$URL/api/search?q=%2A&limit=1" | jq -r '.facets.category[0].value')
CATQ=$(jq -rn --arg v "$CAT" '$v|@uri')
NARROW=$(curl -s "$URL/api/search?q=%2A&limit=1&category=$CATQ" | jq -r .total)
ok "$([ "$NARROW" -gt 0 ] && [ "$NARROW" -lt "$ALL" ] && echo 0 || echo 1)" "category=$CAT narrows $ALL to $NARROW"

# HEAD: headers, no body.
H=$(curl -s -I "$URL/api/search?q=Labor")
like "$H" "^HTTP/1.1 200" "HEAD search 200"
is "$(curl -s -X HEAD --max-time 2 "$URL/api/search?q=Labor" 2>/dev/null | wc -c)" 0 "HEAD has no body"

# ------------------------------------------------------------------ 400s
bad() { # bad QUERYSTRING PARAM NAME
    local qs=$1 param=$2
    local code
    code=$(curl -s -o "$SCRATCH/bad" -w '%{http_code}' "$URL/api/search?$qs")
    if [ "$code" = 400 ] && [ "$(jq -r .error.code "$SCRATCH/bad" 2>/dev/null)" = bad_request ] &&
        jq -r .error.message "$SCRATCH/bad" | grep -q "'$param'"; then
        ok 0 "400 naming '$param' for ?$(printf %.60s "$qs")"
    else
        ok 1 "400 naming '$param' for ?$(printf %.60s "$qs")"
        echo "#   got $code: $(head -c 300 "$SCRATCH/bad")"
    fi
}
bad "q=a&limit=101" limit
bad "q=a&limit=0" limit
bad "q=a&limit=ten" limit
bad "q=a&offset=-1" offset
bad "q=a&offset=1x" offset
bad "q=a&sort=popular" sort
bad "q=a&since=2025-13-01" since
bad "q=a&until=2025-02-30" until
bad "q=a&year=25" year
bad "limit=5" q
bad "q=" q
bad "q=$(head -c 513 /dev/zero | tr '\0' a)" q
bad "q=%ZZ" q
bad "q=%FF%FE" q
bad "q=a&q=b" q
is "$(status "$URL/api/search?q=$(head -c 512 /dev/zero | tr '\0' a)")" 200 "a query of 512 characters is fine"
is "$(status "$URL/api/search?q=%C3%A4%C3%B6%C3%BC&limit=100&offset=0&sort=-date&since=2020-02-29")" 200 "valid parameters: 200"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/suggest?q=")
is "$code" 400 "suggest without q: 400"

# ------------------------------------------------------------------ other statuses
H=$(curl -s -D - -o "$SCRATCH/body" "$URL/no/such/thing")
like "$H" "^HTTP/1.1 404" "unknown path 404"
is "$(jq -r .error.code "$SCRATCH/body")" not_found "404 JSON error"
H=$(curl -s -D - -o "$SCRATCH/body" -X POST -d 'q=x' "$URL/api/search")
like "$H" "^HTTP/1.1 405" "POST 405"
like "$H" "Allow: GET, HEAD" "405 has Allow"
is "$(jq -r .error.code "$SCRATCH/body")" method_not_allowed "405 JSON error"
is "$(status "$URL/api/search?q=a" -X DELETE)" 405 "DELETE 405"
is "$(status "$URL/api/search?q=$(head -c 40000 /dev/zero | tr '\0' a)")" 414 "40 kB URI: 414"
is "$(status "$URL/api/search?q=a" -H 'Content-Length: 100000' -X GET --max-time 3)" 413 "GET with a 100 kB body: 413"

# ------------------------------------------------------------------ caching, gzip, CORS
ETAG=$(curl -s -D - -o /dev/null "$URL/api/search?q=Labor" | tr -d '\r' | sed -n 's/^ETag: //p')
is "$(status "$URL/api/search?q=Labor" -H "If-None-Match: $ETAG")" 304 "If-None-Match → 304"
is "$(status "$URL/api/search?q=Labor" -H 'If-None-Match: W/"nope"')" 200 "other ETag → 200"
ETAG2=$(curl -s -D - -o /dev/null "$URL/api/search?q=Labor&limit=3" | tr -d '\r' | sed -n 's/^ETag: //p')
ok "$([ "$ETAG" != "$ETAG2" ] && echo 0 || echo 1)" "ETag depends on the request"
H=$(curl -s -D - -o "$SCRATCH/gz" -H 'Accept-Encoding: gzip' "$URL/api/search?q=%2A&limit=20")
like "$H" "Content-Encoding: gzip" "gzip when accepted"
is "$(gzip -dc "$SCRATCH/gz" | jq -c '.hits | map(.id)')" "$(curl -s "$URL/api/search?q=%2A&limit=20" | jq -c '.hits | map(.id)')" "gzip body decodes to the same JSON"
unlike "$(curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip;q=0' "$URL/api/search?q=%2A&limit=20")" "Content-Encoding" "no gzip with q=0"
unlike "$(curl -s -D - -o /dev/null "$URL/api/search?q=%2A&limit=20")" "Content-Encoding" "no gzip unasked"
like "$(curl -s -D - -o /dev/null -H 'Origin: https://ok.example' "$URL/api/search?q=a")" \
    "Access-Control-Allow-Origin: https://ok.example" "CORS: allowed origin echoed"
like "$(curl -s -D - -o /dev/null -H 'Origin: https://also-ok.example' "$URL/api/suggest?q=ab")" \
    "Access-Control-Allow-Origin: https://also-ok.example" "CORS: second allowed origin"
unlike "$(curl -s -D - -o /dev/null -H 'Origin: https://evil.example' "$URL/api/search?q=a")" \
    "Access-Control-Allow-Origin" "CORS: other origin gets no Allow-Origin"
# Preflights (a caller sending a header that is not CORS-safelisted).
H=$(curl -s -D - -o "$SCRATCH/pf" -X OPTIONS -H 'Origin: https://ok.example' \
    -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: x-requested-with, content-type' \
    "$URL/api/search?q=a" | tr -d '\r')
like "$H" "^HTTP/1.1 204" "CORS preflight from an allowed origin: 204"
like "$H" "Access-Control-Allow-Origin: https://ok.example" "... with the origin allowed"
like "$H" "Access-Control-Allow-Methods: GET, HEAD" "... GET and HEAD allowed"
like "$H" "Access-Control-Allow-Headers: x-requested-with, content-type" "... the headers asked for allowed"
like "$H" "Access-Control-Max-Age: [0-9]+" "... for a while"
like "$H" "Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers" "... varying with what was asked"
is "$(wc -c <"$SCRATCH/pf")" 0 "... and no body"
H=$(curl -s -D - -o "$SCRATCH/pf" -X OPTIONS -H 'Origin: https://evil.example' \
    -H 'Access-Control-Request-Method: GET' "$URL/api/search?q=a" | tr -d '\r')
like "$H" "^HTTP/1.1 403" "preflight from another origin: 403"
unlike "$H" "Access-Control-Allow" "... without any Allow header"
is "$(jq -r .error.code "$SCRATCH/pf")" forbidden "... and a JSON error"
is "$(status "$URL/api/search?q=a" -X OPTIONS -H 'Origin: https://ok.example' -H 'Access-Control-Request-Method: POST')" \
    403 "preflight for POST: 403"
unlike "$(curl -s -D - -o /dev/null -X OPTIONS -H 'Origin: https://ok.example' -H 'Access-Control-Request-Method: GET' \
    -H 'Access-Control-Request-Headers: x-a"b' "$URL/api/search?q=a")" "Access-Control-Allow-Headers" \
    "a header list that is not plain header names is not echoed"
is "$(status "$URL/api/search?q=a" -X OPTIONS -H 'Origin: https://ok.example')" 405 \
    "OPTIONS without Access-Control-Request-Method is no preflight: 405"
# A request target in absolute form (RFC 9112 3.2.2).
cat >"$SCRATCH/absform.py" <<'EOF2'
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((host, port), timeout=5)
s.sendall(b"GET http://%s:%d/healthz HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (host.encode(), port, host.encode()))
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
print(out.split(b"\r\n", 1)[0].decode(), out.split(b"\r\n\r\n", 1)[-1].decode())
EOF2
HOSTPORT=${URL#http://}
R=$(python3 "$SCRATCH/absform.py" "${HOSTPORT%:*}" "${HOSTPORT##*:}" 2>&1)
like "$R" '^HTTP/1.1 200 .*"status":"ok"' "GET http://host:port/healthz (absolute form) is /healthz"

# ------------------------------------------------------------------ widget, demo, metrics
H=$(curl -s -D - -o "$SCRATCH/js" "$URL/widget.js")
like "$H" "Content-Type: application/javascript" "/widget.js served"
like "$(cat "$SCRATCH/js")" "FindlingUI" "/widget.js is the widget"
like "$(curl -s -D - -o /dev/null "$URL/widget.css")" "Content-Type: text/css" "/widget.css served"
H=$(curl -s -D - -o "$SCRATCH/index.html" "$URL/")
like "$H" "Content-Type: text/html" "/ is the demo page"
like "$(cat "$SCRATCH/index.html")" 'lang="de"' "demo page is German"
H=$(curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' "$URL/widget.js" | tr -d '\r')
like "$H" "Content-Encoding: gzip" "widget.js gzip'd"
GZTAG=$(echo "$H" | sed -n 's/^ETag: //p')
H=$(curl -s -D - -o /dev/null "$URL/widget.js" | tr -d '\r')
PLAINTAG=$(echo "$H" | sed -n 's/^ETag: //p')
ok "$([ -n "$GZTAG" ] && [ -n "$PLAINTAG" ] && [ "$GZTAG" != "$PLAINTAG" ] && echo 0 || echo 1)" \
    "widget.js: the gzip'd and the plain copy have different ETags ($GZTAG, $PLAINTAG)"
like "$H" "Vary: Accept-Encoding" "widget.js: Vary: Accept-Encoding on the plain copy too"
is "$(status "$URL/widget.js" -H 'Accept-Encoding: gzip' -H "If-None-Match: $GZTAG")" 304 "gzip'd widget.js revalidated with its tag: 304"
is "$(status "$URL/widget.js" -H 'Accept-Encoding: gzip' -H "If-None-Match: $PLAINTAG")" 200 "... with the plain copy's tag: 200 (the gzip'd one)"
is "$(status "$URL/widget.js" -H "If-None-Match: $PLAINTAG")" 304 "plain widget.js revalidated with its tag: 304"
M=$(curl -s "$URL/metrics")
like "$M" 'findling_http_requests_total\{endpoint="search",status="200"\} [0-9]+' "metrics: requests by endpoint and status"
like "$M" 'findling_http_requests_total\{endpoint="search",status="400"\}' "metrics count 400s"
like "$M" 'findling_http_request_duration_seconds_bucket\{endpoint="search",le="\+Inf"\}' "metrics: latency histogram"
like "$M" "findling_index_documents $DOCS" "metrics: documents"
like "$M" 'findling_index_revision [0-9]+' "metrics: revision"
like "$M" 'findling_index_reopens_total [0-9]+' "metrics: reopens"
like "$M" 'findling_mapped_reads_enabled 1' "metrics: index blocks read through file mappings (the default)"
like "$M" 'findling_mapped_reads_total [1-9][0-9]*' "metrics: mapped reads counted"
like "$M" 'findling_mapped_bytes [1-9][0-9]*' "metrics: mapped bytes counted"
like "$M" 'findling_mapped_declined_total 0' "metrics: no read left to pread() by the bound on a small index"
like "$M" 'findling_mapped_advice_skipped_total [0-9]+' "metrics: the read-ahead advice counter is there (test_mapread tests what it counts)"

# ------------------------------------------------------------------ autocomplete
S=$(curl -s "$URL/api/suggest?q=Buerg")
like "$(echo "$S" | jq -r '.suggestions[]' 2>/dev/null)" "^Bürger" "suggest: Buerg → Bürger… ($(echo "$S" | jq -c .suggestions 2>/dev/null))"
# An umlaut typed (or spelt ae/oe/ue) is kept: "Bue" and "Bü" complete to
# Bürger…, Büro, Bühne, not to Bus and Bundes (which share the key "bu").
for q in Bue B%C3%BC; do
    S=$(curl -s "$URL/api/suggest?q=$q")
    like "$(echo "$S" | jq -r '.suggestions[]' 2>/dev/null)" "^Bürger" "suggest: $q → Bürger…"
    is "$(echo "$S" | jq -r '[.suggestions[] | select(test("^B[uü]") and (test("^Bü") | not))] | length')" 0 \
        "suggest: $q → only words with ü there ($(echo "$S" | jq -c .suggestions 2>/dev/null))"
done
S=$(curl -s "$URL/api/suggest?q=Bu&limit=20")
like "$(echo "$S" | jq -r '.suggestions[]' 2>/dev/null)" "^Bus$" "suggest: Bu → also Bus (without an umlaut typed, both)"
like "$(echo "$S" | jq -r '.suggestions[]' 2>/dev/null)" "^Bürger" "suggest: Bu → also Bürger…"
S=$(curl -s "$URL/api/suggest?q=zivilg")
like "$(echo "$S" | jq -r '.suggestions[]' 2>/dev/null)" "^Zivilgesellschaft" "suggest: zivilg → Zivilgesellschaft"
is "$(curl -s "$URL/api/suggest?q=qqqqxx" | jq -c .suggestions)" "[]" "suggest: nothing for nonsense"
# One typo in a prefix of 5+ letters is forgiven; shorter ones must be right.
S=$(curl -s "$URL/api/suggest?q=Zivlgesellsch")
is "$(echo "$S" | jq -r '.suggestions[0]' 2>/dev/null)" "Zivilgesellschaft" "suggest: a typo (Zivlgesellsch) still completes ($(echo "$S" | jq -c .suggestions 2>/dev/null))"
S=$(curl -s "$URL/api/suggest?q=Zivilgesellshaft")
like "$(echo "$S" | jq -r '.suggestions[]' 2>/dev/null)" "^Zivilgesellschaft" "suggest: a wrong letter (Zivilgesellshaft) still completes"
is "$(curl -s "$URL/api/suggest?q=Zivk" | jq -c .suggestions)" "[]" "suggest: no typo tolerance under 5 letters"
S=$(curl -s "$URL/api/suggest?q=Buerg&limit=20")
first_other=$(echo "$S" | jq -r '[.suggestions[] | test("^B[uü]e?rg") | not] | index(true) // 99')
last_exact=$(echo "$S" | jq -r '[.suggestions[] | test("^B[uü]e?rg")] | rindex(true) // -1')
[ "$first_other" -gt "$last_exact" ]; ok $? "suggest: exact completions before typo-tolerant ones ($(echo "$S" | jq -c .suggestions))"
M=$(curl -s "$URL/metrics")
like "$M" 'findling_suggest_table_entries [1-9][0-9]*' "metrics: the autocomplete table's size"

# ------------------------------------------------------------------ response cache
M0=$(curl -s "$URL/metrics" | sed -n 's/^findling_cache_hits_total //p')
X0=$(curl -s "$URL/metrics" | sed -n 's/^findling_cache_misses_total //p')
A=$(curl -s "$URL/api/search?q=Labor%20Stadt&limit=7")
B=$(curl -s "$URL/api/search?limit=7&q=Labor+Stadt")
M1=$(curl -s "$URL/metrics" | sed -n 's/^findling_cache_hits_total //p')
X1=$(curl -s "$URL/metrics" | sed -n 's/^findling_cache_misses_total //p')
is "$(echo "$B" | jq -c .hits)" "$(echo "$A" | jq -c .hits)" "cache: the repeated search gives the same hits"
is "$((M1 - M0))" 1 "cache: the repeat (parameters in another order) was a hit"
is "$((X1 - X0))" 1 "cache: the first was one miss (looked up once, though it went through the search queue)"
like "$(curl -s "$URL/metrics")" 'findling_cache_bytes [1-9][0-9]*' "metrics: cache bytes"

# ------------------------------------------------------------------ freshness under load
# Two keep-alive clients send requests while the site is reindexed
# (incremental, then --full); every answer must be 2xx/304.
HOSTPORT=${URL#http://}
python3 "$TOP/tests/lib/load.py" "${HOSTPORT%:*}" "${HOSTPORT##*:}" "$SCRATCH/load.out" 200 &
LOADPID=$!
PIDS+=("$LOADPID")

WORD1=Quetzalkoatlprojekt
is "$(curl -s "$URL/api/search?q=$WORD1" | jq -r .total)" 0 "new word not found before reindexing"
# The section the new word goes into, shown as a sub-result four times first
# (a limit apiece: the response cache does not answer), so that the search
# threads that ran them keep its entry (the decoded-document cache).
for l in 5 6 7 8; do curl -s "$URL/api/search?q=Newsletter+abonniert&limit=$l" >"$SCRATCH/sec-$l.json"; done
like "$(jq -r '[.hits[].sections[].excerpt] | join(" ")' "$SCRATCH/sec-5.json")" '<mark>abonniert</mark>' \
    "the section 'Wie ihr mitmachen könnt' is a sub-result"
F=$SITE/_beitraege/offenes-labor-musterstadt.md
printf '\n\nDas %s startet im Herbst.\n' "$WORD1" >>"$F"
sleep 0.3
"$FINDLING" index --quiet --db "$DB" "$SITE" >/dev/null 2>&1
rc=$?
ok "$([ $rc -le 1 ] && echo 0 || echo 1)" "incremental reindex under load (exit $rc)"
found_within "$WORD1" 1.0
ok $? "incremental: new document version found within 1 s, no restart"
# Every search thread shows the section's new text, none the one it kept.
stale=0
for l in 5 6 7 8; do
    curl -s "$URL/api/search?q=$WORD1+Newsletter&limit=$l" |
        jq -e --arg w "<mark>$WORD1</mark>" '[.hits[0].sections[].excerpt | contains($w)] | any' >/dev/null || stale=$((stale + 1))
done
is "$stale" 0 "incremental: the sub-result shows the section's new text in every search thread"

WORD2=Xylophonwerkstatt
printf '\n\nDie %s lädt ein.\n' "$WORD2" >>"$F"
sleep 0.3
"$FINDLING" index --full --quiet --db "$DB" "$SITE" >/dev/null 2>&1
rc=$?
ok "$([ $rc -le 1 ] && echo 0 || echo 1)" "--full reindex (generation swap) under load (exit $rc)"
found_within "$WORD2" 1.0
ok $? "--full: swapped generation served within 1 s, no restart"
found_within "$WORD1" 0.2
ok $? "--full: earlier change still there"

wait "$LOADPID"
read -r DONE NBAD <"$SCRATCH/load.out"
is "$NBAD" 0 "zero non-2xx answers in $DONE requests during reindexing"
[ "$NBAD" != 0 ] && sed 's/^/#   /' "$SCRATCH/load.out"
like "$(curl -s "$URL/metrics")" 'findling_index_reopens_total [1-9]' "metrics count reopens"

# ------------------------------------------------------------------ access log
sleep 0.1
like "$(cat "$LOG")" '^[0-9T:.-]+Z 127\.0\.0\.1 GET /api/search\?q=B%C3%BCrger%2Ainnen 200 [0-9]+ [0-9.]+$' "access log line: time ip method uri status bytes ms"
like "$(cat "$LOG")" ' POST /api/search 405 ' "access log has the 405"

# Log rotation: SIGHUP reopens the file.
mv "$LOG" "$LOG.1"
kill -HUP "$MAIN_PID"
sleep 0.2
curl -s -o /dev/null "$URL/healthz?after=rotation"
sleep 0.1
like "$(cat "$LOG" 2>/dev/null)" 'GET /healthz\?after=rotation 200' "SIGHUP reopens the access log"
unlike "$(cat "$LOG.1")" 'after=rotation' "rotated file no longer written"
kill -0 "$MAIN_PID"
ok $? "server still running after SIGHUP"

# ------------------------------------------------------------------ clean shutdown
kill -TERM "$MAIN_PID"
wait "$MAIN_PID"
is "$?" 0 "SIGTERM → exit 0"

# ------------------------------------------------------------------ rate limit
start_server "$SCRATCH/serve2.out" --db "$DB" --rate-limit 1
ok $? "server with --rate-limit 1 starts"
codes=""
: >"$SCRATCH/h429"
for i in $(seq 1 6); do
    c=$(curl -s -D "$SCRATCH/h" -o /dev/null -w '%{http_code}' "$URL/api/search?q=Labor")
    codes="$codes $c"
    [ "$c" = 429 ] && cp "$SCRATCH/h" "$SCRATCH/h429"
done
like "$codes" " 200" "first requests pass ($codes)"
like "$codes" " 429" "burst beyond the limit gets 429"
like "$(cat "$SCRATCH/h429")" "Retry-After: [1-9]" "429 has Retry-After"
is "$(status "$URL/healthz")" 200 "/healthz is not rate-limited"
kill -INT "$SPID"
wait "$SPID"
is "$?" 0 "SIGINT → exit 0"

# ------------------------------------------------------------------ no response cache
start_server "$SCRATCH/serve5.out" --db "$DB" --cache-mb 0 --map-mb 0
ok $? "server with --cache-mb 0 --map-mb 0 starts"
A=$(curl -s "$URL/api/search?q=Labor&limit=2")
B=$(curl -s "$URL/api/search?q=Labor&limit=2")
is "$(echo "$B" | jq -c .hits)" "$(echo "$A" | jq -c .hits)" "no cache: a repeat gives the same hits"
M=$(curl -s "$URL/metrics")
unlike "$M" "findling_cache_hits_total" "no cache: no cache counters"
like "$M" 'findling_search_queued_total 2$' "no cache: both searches went through the search queue"
like "$M" 'findling_search_queue_length 0$' "the search queue is empty when idle"
like "$M" 'findling_search_queue_wait_seconds_total [0-9.]+' "metrics: time waited in the search queue"
like "$(curl -s "$URL/metrics")" 'findling_mapped_reads_enabled 0' "--map-mb 0: plain reads"
# answers → a few searches' JSON without took_ms
answers() {
    for q in Labor 'B%C3%BCrger%2Ainnen' Stadtteil 'Quartier%20Labor' 'Nachhaltigkeit'; do
        curl -s "$URL/api/search?q=$q&limit=5" | jq -cS 'del(.took_ms)'
    done
}
PLAIN_ANSWERS=$(answers)
kill -TERM "$SPID"
wait "$SPID"
start_server "$SCRATCH/serve6.out" --db "$DB" --cache-mb 0
ok $? "server with --cache-mb 0 (mapped reads) starts"
MAPPED_ANSWERS=$(answers)
like "$MAPPED_ANSWERS" '"total":[1-9]' "the comparison queries find something"
is "$MAPPED_ANSWERS" "$PLAIN_ANSWERS" "mapped and plain reads give the same answers"

# SIGTERM while searches wait in the queue: every request the server had
# read is answered in full.  24 connections, each proven accepted by a first
# answer, send one search each; the signal follows at once.
cat >"$SCRATCH/term.py" <<'EOF'
# term.py HOST:PORT PID N QUERY: N connections, each proven accepted by a
# first answer, send one search each (QUERY with {w1}, {w2} and {i} filled
# in: two words of a list, the connection number); SIGTERM follows at once.
# Prints "ANSWERS_200 ANSWERS_503 OTHERS SECONDS" (a 503 counts only with
# Retry-After and the JSON error; a cut answer is an OTHER).
import os, signal, socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
pid, n, query = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def read_response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None, b"", data
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            return None, head, body
        body += chunk
    return int(head.split()[1]), head.lower(), body
conns = []
for i in range(n):
    s = socket.create_connection((host, int(port)), timeout=20)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    if read_response(s)[0] != 200:
        print("warm-up failed")
        sys.exit(1)
    conns.append(s)
words = ["Labor", "Stadt", "Quartier", "Nachhaltigkeit", "Zivilgesellschaft", "B%C3%BCrger"]
for i, s in enumerate(conns):
    q = query.replace("{w1}", words[i % 6]).replace("{w2}", words[(i + 1) % 6]).replace("{i}", str(i))
    s.sendall(("GET /api/search?%s HTTP/1.1\r\nHost: t\r\n\r\n" % q).encode())
time.sleep(0.002)
t0 = time.time()
os.kill(pid, signal.SIGTERM)
ok = busy = bad = 0
for s in conns:
    try:
        st, head, body = read_response(s)
        if st == 200 and body.rstrip().endswith(b"}"):
            ok += 1
        elif st == 503 and b"retry-after:" in head and b'"unavailable"' in body:
            busy += 1
        else:
            bad += 1
            print("# status %s, %d bytes" % (st, len(body)))
    except OSError as e:
        bad += 1
        print("# %s" % e)
print("%d %d %d %.1f" % (ok, busy, bad, time.time() - t0))
EOF
is "$(python3 "$SCRATCH/term.py" "${URL#http://}" "$SPID" 24 \
    'q={w1}%20{w2}%20Stadtteil*%20Projekt&limit=20&offset={i}' | tail -1 | cut -d' ' -f1-3)" "24 0 0" \
    "SIGTERM with searches queued: all 24 answered in full"
wait "$SPID"
is "$?" 0 "... and the server exits 0"

# The same past --shutdown-timeout: one search thread, 48 searches queued,
# a millisecond to finish them.  Each is answered in full, the ones still
# queued by then with 503 + Retry-After, and the server exits at once.
"$FINDLING" serve --shutdown-timeout 0 >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "--shutdown-timeout 0 is a usage error"
like "$(cat "$SCRATCH/err")" "shutdown-timeout" "... naming the option"
start_server "$SCRATCH/serve7.out" --db "$DB" --cache-mb 0 --threads 1 --shutdown-timeout 0.001
ok $? "server with --threads 1 --shutdown-timeout 0.001 starts"
read -r GOOD BUSY BAD SECS <<<"$(python3 "$SCRATCH/term.py" "${URL#http://}" "$SPID" 48 \
    'q=Stadt%20Quartier%20Stadtteil*%20Projekt%20B%C3%BCrger{i}&limit=100' | tail -1)"
is "$BAD" 0 "past --shutdown-timeout: every queued search answered in full ($GOOD with results, $BUSY with 503)"
[ "${BUSY:-0}" -ge 1 ]
ok $? "... those still queued with 503 and Retry-After ($BUSY)"
wait "$SPID"
is "$?" 0 "... and the server exits 0"
awk -v s="${SECS:-99}" 'BEGIN { exit !(s < 5) }'
ok $? "... within seconds of the signal (${SECS}s, not the default 10 s drain)"

# ------------------------------------------------------------------ per-IP connection limit
start_server "$SCRATCH/serve4.out" --db "$DB" --max-connections-per-ip 2
ok $? "server with --max-connections-per-ip 2 starts"
HOSTPORT=${URL#http://}
# Two idle connections hold the quota; a third request from the same IP is refused.
cat >"$SCRATCH/perip.py" <<'EOF'
import socket, sys, time, http.client
host, port = sys.argv[1], int(sys.argv[2])
held = [socket.create_connection((host, port)) for _ in range(2)]
time.sleep(0.2)
try:
    c = http.client.HTTPConnection(host, port, timeout=3)
    c.request("GET", "/healthz"); r = c.getresponse(); print("third:", r.status)
except Exception as e:
    print("third: refused", type(e).__name__)
for s in held: s.close()
time.sleep(0.3)
c = http.client.HTTPConnection(host, port, timeout=3)
c.request("GET", "/healthz"); print("after:", c.getresponse().status)
EOF
python3 "$SCRATCH/perip.py" "${HOSTPORT%:*}" "${HOSTPORT##*:}" >"$SCRATCH/perip" 2>&1
like "$(cat "$SCRATCH/perip")" "third: refused" "third connection from one IP refused"
like "$(cat "$SCRATCH/perip")" "after: 200" "accepted again once the others closed"
kill -TERM "$SPID"
wait "$SPID"

# ------------------------------------------------------------------ request timeout
# A client trickling its header or body (never idle) is cut at
# --request-timeout; a slow but finished request and a kept-alive
# connection's later requests are not; after an answer, the idle time
# --timeout allows comes first.
start_server "$SCRATCH/serve8.out" --db "$DB" --request-timeout 2 --timeout 1 \
    --access-log "$SCRATCH/access8.log"
ok $? "server with --request-timeout 2 --timeout 1 starts"
is "$(status "$URL/api/search?q=a" -X OPTIONS -H 'Origin: https://ok.example' -H 'Access-Control-Request-Method: GET')" \
    405 "without --cors-origin a preflight is an OPTIONS like any other: 405"
HOSTPORT=${URL#http://}
cat >"$SCRATCH/reqtimeout.py" <<'EOF2'
import http.client, socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])

def status_of(s):
    """The status of the answer on s, read whole ("closed" when none came)."""
    r = http.client.HTTPResponse(s)
    try:
        r.begin()
    except (http.client.RemoteDisconnected, ConnectionError):
        return "closed"
    r.read()
    return str(r.status)

def trickle(s, what, head=None):
    """Sends the request line (and head, else the start of a header), then a
    byte every 0.3 s; prints when the server closed the connection."""
    s.sendall(b"GET /healthz?%s=1 HTTP/1.1\r\nHost: t\r\n" % what + (head or b"X-Slow: "))
    t0 = time.monotonic()
    cut = None
    while time.monotonic() - t0 < 10:
        try:
            s.sendall(b"a")
            s.settimeout(0.3)
            try:
                if s.recv(100) == b"":
                    cut = time.monotonic() - t0
                    break
            except socket.timeout:
                pass
        except OSError:
            cut = time.monotonic() - t0
            break
    print("%s cut after %s s" % (what.decode(), "%.1f" % cut if cut is not None else "never"))

trickle(socket.create_connection((host, port), timeout=10), b"trickle")
# Whole headers, a body trickled.
trickle(socket.create_connection((host, port), timeout=10), b"body",
        b"Content-Length: 100\r\n\r\n")
# The same on a kept-alive connection after an answered request.
s = socket.create_connection((host, port), timeout=10)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
print("first answer:", status_of(s))
trickle(s, b"second")

# Slow but within the limit: the request in two parts 0.8 s apart.
s = socket.create_connection((host, port), timeout=10)
s.sendall(b"GET /healthz?slow=1 HTTP/1.1\r\nHost: t\r\n")
time.sleep(0.8)
s.sendall(b"\r\n")
print("slow request:", status_of(s))

# Kept alive: four requests 0.7 s apart on one connection (2.8 s in all).
s = socket.create_connection((host, port), timeout=10)
codes = []
for i in range(4):
    s.sendall(b"GET /healthz?keepalive=%d HTTP/1.1\r\nHost: t\r\n\r\n" % i)
    codes.append(status_of(s))
    time.sleep(0.7)
print("kept alive:", " ".join(codes))
EOF2
R=$(python3 "$SCRATCH/reqtimeout.py" "${HOSTPORT%:*}" "${HOSTPORT##*:}" 2>&1)
echo "$R" | sed 's/^/# /'
like "$R" "trickle cut after [2-4]\.[0-9] s" "a client trickling its header is cut at --request-timeout 2"
like "$R" "body cut after [2-4]\.[0-9] s" "... or its body"
like "$R" "second cut after [3-5]\.[0-9] s" "... and a kept-alive connection's next request, after --timeout 1 + 2 s"
like "$R" "slow request: 200" "a request that arrives whole in time is answered"
like "$R" "kept alive: 200 200 200 200" "each request of a kept-alive connection gets its own time"
sleep 0.2
# (libmicrohttpd names the method only with the complete header: "-")
like "$(cat "$SCRATCH/access8.log")" ' - /healthz\?trickle=1 408 ' "the access log has the cut request as a 408"
like "$(cat "$SCRATCH/access8.log")" ' GET /healthz\?body=1 408 ' "... and the one cut in its body"
like "$(curl -s "$URL/metrics")" 'findling_http_request_timeouts_total 3$' "metrics count the three request timeouts"
like "$(curl -s "$URL/metrics")" 'findling_http_requests_total\{endpoint="other",status="408"\} 2' "... and the 408s (the body's on /healthz)"
like "$(curl -s "$URL/metrics")" 'findling_http_requests_total\{endpoint="healthz",status="408"\} 1' "... the one with its headers counted for /healthz"
kill -TERM "$SPID"
wait "$SPID"
is "$?" 0 "SIGTERM → exit 0 (request-timeout server)"

# ------------------------------------------------------------------ index unavailable → 503
# Workers open their handles lazily: move the index away right after the
# start and the first requests cannot open it.
start_server "$SCRATCH/serve3.out" --db "$DB"
ok $? "server starts again"
mv "$DB" "$DB.gone"
H=$(curl -s -D - -o "$SCRATCH/body" "$URL/api/search?q=Labor")
like "$H" "^HTTP/1.1 503" "index gone: 503"
like "$H" "Retry-After: [0-9]+" "503 has Retry-After"
is "$(jq -r .error.code "$SCRATCH/body")" unavailable "503 JSON error"
is "$(status "$URL/healthz")" 503 "/healthz 503 when the index cannot be opened"
mv "$DB.gone" "$DB"
sleep 0.3
is "$(status "$URL/api/search?q=Labor")" 200 "index back: 200 again without restart"
kill -TERM "$SPID"
wait "$SPID"
is "$?" 0 "SIGTERM → exit 0 (third server)"

# ------------------------------------------------------------------ a newer index that cannot be opened
# A handle that is open keeps serving its revision when the index on disk
# becomes unreadable; /healthz still says ok but names the reopen error, for
# monitoring to notice (one HTTP thread: the same handle each time).
start_server "$SCRATCH/serve9.out" --db "$DB" --threads 1
ok $? "server with --threads 1 starts"
is "$(curl -s "$URL/healthz" | jq -r 'has("reopen_error")')" false "/healthz: no reopen error while the index is fine"
mv "$DB" "$DB.away"
mkdir "$DB"
echo "not a stub" >"$DB/XAPIANDB"
sleep 0.3
H=$(curl -s "$URL/healthz")
is "$(echo "$H" | jq -r .status)" ok "index replaced by junk: /healthz still ok (the open handle serves)"
like "$(echo "$H" | jq -r .reopen_error)" "XAPIANDB" "... and names the reopen error ($(echo "$H" | jq -c .))"
rm -rf "$DB"
mv "$DB.away" "$DB"
sleep 0.3
is "$(curl -s "$URL/healthz" | jq -r 'has("reopen_error")')" false "index back: the reopen error is gone"
kill -TERM "$SPID"
wait "$SPID"
is "$?" 0 "SIGTERM → exit 0 (fourth server)"
tap_done
