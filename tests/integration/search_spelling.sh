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
tap_done
