#!/usr/bin/env bash
# search_spelling.sh — spelling corrections from Xapian's spelling data,
# including a typo inside one part of a compound the index does not have
# whole ("Barrierefreiheitsgestz" → "Barrierefreiheitsgesetz"), while a
# correctly spelt compound of known words is never "corrected".
. "$(dirname "$0")/../lib/tap.sh"
command -v python3 >/dev/null || skip_all "python3 needed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
site=$tmp/site
mkdir -p "$site"
page() { printf -- '---\ntitle: "%s"\n---\n\n%s\n' "$2" "$3" >"$site/$1.md"; }
page barrieren "Barrierefreiheit im Netz" \
    "Barrierefreiheit ist für Behörden Pflicht. Das Gesetz verlangt Barrierefreiheit auch von Unternehmen; das Gesetz gilt seit 2025."
page beteiligung "Bürgerbeteiligung im Quartier" \
    "Die Bürgerbeteiligung beginnt im Mai, die Beteiligung ist offen. Das Verfahren ist offen für alle, jedes Verfahren wird dokumentiert."
page gesellschaft "Zivilgesellschaft" "Die Zivilgesellschaft trifft sich monatlich."
page verkehr "Neue Regeln" "Das neue Gesetz regelt den Verkehr in der Innenstadt."
page anderes "Radwege" "Neue Radwege entstehen im Sommer."
db=$tmp/db
"$FINDLING" index --quiet --db "$db" "$site" >/dev/null 2>&1
st=$?
[ $st -eq 0 ] || [ $st -eq 1 ]
ok $? "index the scratch site"
# q QUERY → "corrected_query first_hit_id"
q() { "$FINDLING" search --db "$db" --json -- "$1" 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["corrected_query"], d["hits"][0]["id"] if d["hits"] else "-")'; }

is "$(q Verkehrsgestz)" "Verkehrsgesetz verkehr.md" \
    "a typo in the compound's last part is corrected; its parts find the page"
is "$(q Beteilgungsverfahren)" "Beteiligungsverfahren beteiligung.md" \
    "a typo in the modifier (before the linking -s-) is corrected; its parts find the page"
is "$(q Barrierefreiheitsgestz | cut -d' ' -f1)" "Barrierefreiheitsgesetz" \
    "a long compound: the last part corrected"
is "$(q Bürgerbeteilgungsverfahren | cut -d' ' -f1)" "Bürgerbeteiligungsverfahren" \
    "a long compound: a middle part corrected"
is "$(q Zivilgesellchaft)" "Zivilgesellschaft gesellschaft.md" "a whole word is corrected as before"
is "$(q Barrierefreiheitsgesetz | cut -d' ' -f1)" "None" \
    "a correct compound of known words is not corrected"
is "$(q Barrierefreiheitsgstzx)" "None -" "too many typos in one part: no correction"
is "$(q Radwegexyzabc)" "None -" "no part within reach: no correction"

# The server walks its in-memory copy of the dictionary (kept with the
# autocomplete table of each revision) instead of the index's: the same
# corrections, the same hits.
if command -v curl >/dev/null && command -v jq >/dev/null; then
    . "$(dirname "$0")/../lib/serve.sh"
    "$FINDLING" serve --db "$db" --listen 127.0.0.1:0 --cache-mb 0 >"$tmp/serve.out" 2>&1 &
    spid=$!
    trap 'kill -9 $spid 2>/dev/null; rm -rf "$tmp"' EXIT
    URL=$(serve_url "$tmp/serve.out" "$spid")
    ok $? "server started"
    words=$(curl -s "$URL/metrics" | sed -n 's/^findling_spelling_words \([0-9]*\)$/\1/p')
    [ "${words:-0}" -gt 10 ]
    ok $? "the server holds the dictionary in memory (${words:-no} words)"
    same=0 total=0
    for w in Verkehrsgestz Beteilgungsverfahren Barrierefreiheitsgestz Bürgerbeteilgungsverfahren \
        Zivilgesellchaft Barrierefreiheitsgesetz Barrierefreiheitsgstzx Radwegexyzabc Gestz \
        Zivilgeselschaft Bürgerbeteilgung Verfahrn Quartiers Innenstat; do
        total=$((total + 1))
        cli=$("$FINDLING" search --db "$db" --json -- "$w" 2>/dev/null | jq -c '[.corrected_query, [.hits[].id]]')
        srv=$(curl -s "$URL/api/search?q=$(jq -rn --arg w "$w" '$w|@uri')" | jq -c '[.corrected_query, [.hits[].id]]')
        if [ "$cli" = "$srv" ] && [ -n "$cli" ]; then same=$((same + 1)); else diag "$w: CLI $cli, server $srv"; fi
    done
    is "$same" "$total" "the server's corrections and hits are the CLI's for all $total typed words"
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
else
    for _ in 1 2 3; do skip "curl or jq missing"; done
fi
tap_done
