#!/usr/bin/env bash
# search.sh — `findling search` on the example site: German matching, typos,
# phrases, synonyms, filters and facets, paging, output formats, exit codes.
. "$(dirname "$0")/../lib/tap.sh"
[ -d "$TOP/examples/site" ] || skip_all "examples/site not present"
command -v python3 >/dev/null || skip_all "python3 needed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/db
"$FINDLING" index --quiet --db "$db" "$TOP/examples/site" >/dev/null 2>&1
ok $? "index the example site"
s() { "$FINDLING" search --db "$db" "$@"; }
ids() { s --format ids "$@" 2>/dev/null | tr '\n' ' '; }
json() { s --json "$@" 2>/dev/null; }
py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

# German matching
like "$(ids Bürgerinnen)" "buergerbeteiligung-spielplatz" "plain feminine plural finds Bürger*innen/BürgerInnen"
like "$(ids Gesellschaft)" "offenes-labor-musterstadt|ki-meetup-auftakt" "a compound part finds the compound"
like "$(ids Rueckblick)" "rueckblick-hackathon-nahverkehr" "ue spelling finds ü"
# A hit shows its facet values in the spelling the facet list uses (the
# Jahresrückblick's front matter says " rückblick ").
is "$(json --limit 100 Jahresrückblick | py 'print([h["categories"] for h in d["hits"] if h["id"].endswith("jahresrueckblick-2024.md")][0])')" "['Rückblick']" "hit categories in the facet's display spelling"
is "$(json --limit 100 --author 'Zoe Celik' '*' | py 'print(sorted({a for h in d["hits"] for a in h["authors"] if a.startswith("Zo")}))')" "['Zoë Çelik']" "hit authors in the facet's display spelling"
like "$(ids Barrierefreihet | cut -d' ' -f1)" "ki-barrierefreiheit" "typo: Barrierefreihet finds Barrierefreiheit first"
got=$(json Barrierefreihet | py 'print(d["corrected_query"])')
is "$got" "Barrierefreiheit" "corrected_query reported"
like "$(ids Nahverkehr)" "rueckblick-hackathon-nahverkehr" "plain word"
like "$(ids ÖPNV)" "rueckblick-hackathon-nahverkehr" "synonym ÖPNV finds Nahverkehr"
like "$(ids '"Offene Daten"')" "open-data-tag-2023" "phrase"
unlike "$(ids 'Gesellschaft -Zivilgesellschaft')" "ki-meetup-auftakt" "exclusion"

# Excerpts: compound part highlighted, HTML escaped
ex=$(json --limit 10 Gesellschaft | py 'print("\n".join(h["excerpt"] for h in d["hits"]))')
like "$ex" "<mark>Stadtgesellschaft</mark>" "excerpt marks a compound containing the query word"
t=$(json script | py 'h=d["hits"][0]; print(h["title"]); print(h["excerpt"])')
like "$t" "<script>alert" "title is plain text in JSON"
unlike "$(json script | py 'print(d["hits"][0]["excerpt"])')" "<script" "excerpt never carries raw <script>"
sec=$(json Gesellschaft | py 'print("\n".join(x["url"] for h in d["hits"] for x in h["sections"]))')
like "$sec" "^/[^ ]*/#[a-z0-9-]" "section URLs are page URL + #anchor"

# JSON shape
shape=$(json KI | py 'print(sorted(d.keys())); h=d["hits"][0]; print(sorted(h.keys()))')
like "$shape" "\['corrected_query', 'facets', 'hits', 'limit', 'offset', 'query', 'took_ms', 'total'\]" "result keys"
like "$shape" "'authors', 'categories', 'date', 'excerpt', 'id', 'image', 'score', 'sections', 'tags', 'teaser', 'title', 'url'" "hit keys"

# Filters and facets
a1=$(ids --author "Zoe Celik" '*')
a2=$(ids --author "Zoë Çelik" '*')
is "$a1" "$a2" "author spelling variants filter the same"
[ -n "$a1" ]; ok $? "author filter finds documents"
f=$(json --category Rückblick '*' | py 'c={x["value"]:x["count"] for x in d["facets"]["category"]}; print(d["total"], c.get("Rückblick"), len(c)>1)')
set -- $f
is "$1" "$2" "with a category filter, its own count equals the total"
is "$3" "True" "the filtered facet still lists the other categories"
f2=$(json --category Rückblick '*' | py 'print(sum(x["count"] for x in d["facets"]["year"]) == d["total"])')
is "$f2" "True" "other facets are counted within the filter"
y=$(json --year 2024 '*' | py 'print(all(h["date"].startswith("2024") for h in d["hits"]) and d["total"]>0)')
is "$y" "True" "--year filters by date"
r=$(json --since 2024-01-01 --until 2024-06-30 '*' | py 'print(all("2024-01-01"<=h["date"]<="2024-06-30" for h in d["hits"]))')
is "$r" "True" "--since/--until"
q=$(json 'datum:2024-01-01..2024-06-30' | py 'print(d["total"])')
is "$q" "$(json --since 2024-01-01 --until 2024-06-30 '*' | py 'print(d["total"])')" "datum: range in the query = --since/--until"

# Sort and paging
dates=$(json --sort date --limit 100 '*' | py 'ds=[h["date"] for h in d["hits"] if h["date"]]; print(ds==sorted(ds,reverse=True))')
is "$dates" "True" "--sort date: newest first"
dates=$(json --sort -date --limit 100 '*' | py 'ds=[h["date"] for h in d["hits"] if h["date"]]; print(ds==sorted(ds))')
is "$dates" "True" "--sort -date: oldest first"
p1=$(ids --limit 2 '*'); p2=$(ids --limit 2 --offset 2 '*'); all=$(ids --limit 4 '*')
is "$p1$p2" "$all" "paging with --limit/--offset"

# Exit codes and errors
s --format ids KI >/dev/null 2>&1; is $? 0 "exit 0 with hits"
s --format ids Xylophonquartettwettbewerb >/dev/null 2>&1; is $? 1 "exit 1 without hits"
err=$(s --limit 500 KI 2>&1 >/dev/null); is $? 2 "limit over 100: exit 2"
like "$err" "--limit" "message names --limit"
err=$(s --sort sideways KI 2>&1 >/dev/null); is $? 2 "bad --sort: exit 2"
err=$(s --since 2024-13-01 KI 2>&1 >/dev/null); is $? 2 "bad --since: exit 2"
like "$err" "--since" "message names --since"
err=$(s --offset -3 KI 2>&1 >/dev/null); is $? 2 "negative offset: exit 2"
err=$(s 'datum:gestern' 2>&1 >/dev/null); is $? 2 "bad date range in the query: exit 2"
unlike "$err" "Xapian|Error:" "no raw Xapian message"
for q in '"' '(((' 'OR' 'AND NOT' '-' $'\xff\xfe' ')))"' '***'; do
    s --format ids -- "$q" >/dev/null 2>&1; rc=$?
    [ "$rc" -le 2 ]; ok $? "hostile query '$q' exits cleanly ($rc)"
done
long=$(head -c 3000 /dev/zero | tr '\0' 'a')
err=$(s -- "$long" 2>&1 >/dev/null); is $? 2 "over-long query: exit 2"
like "$err" "too long" "message says the query is too long"

# Text output for people
txt=$(s KI)
like "$txt" "^ 1\. " "numbered hits"
unlike "$txt" $'\033' "no ANSI when piped"
like "$txt" "Kategorien:" "facet counts shown"
like "$(s Barrierefreihet)" "Meinten Sie: Barrierefreiheit\?" "Meinten Sie line"
like "$(s --explain Barrierefreihet)" "corrected 'Barrierefreihet'" "--explain names the correction"
like "$(s --help)" "Beispiele" "--help with examples"

# Paging past the re-ranked candidates: the best 50 of a multi-word search
# get the proximity bonus, later pages follow in first-stage order, so eight
# pages of ten are exactly the first 80 hits of one search -- none twice,
# none lost.  120 pages with both words (and 200 without, so that the words
# weigh something): "Wasser" 1 to 5 times sorts them into five bands of 24,
# and only in the fourth band (ranks 72-95 of the first stage) do the two
# words stand side by side.  Re-ranking each request's own pool (offset +
# limit) lifted those above the second band for --limit 80 but not for the
# page at offset 40: hits showed twice or never while paging.
mkdir -p "$tmp/many"
for i in $(seq 0 119); do
    rep=$(( 4 - i / 24 ))
    words=$(printf '%*s' "$rep" '' | sed 's/ /Wasser /g')
    if [ "$rep" = 1 ]; then near="Wasser Recht und so weiter und so fort bis zum Ende"
    else near="Wasser und so weiter und so fort bis zum Recht Ende"; fi
    printf -- '---\ntitle: Seite %d\n---\n%s der Seite %d. %s\n' "$i" "$near" "$i" "$words" \
        >"$tmp/many/seite-$i.md"
done
for i in $(seq 1 200); do
    printf -- '---\ntitle: Anderes %d\n---\nHier steht etwas anderes, Nummer %d.\n' "$i" "$i" \
        >"$tmp/many/anderes-$i.md"
done
"$FINDLING" index --quiet --db "$tmp/many.db" "$tmp/many" >/dev/null 2>&1
pages=""
for off in 0 10 20 30 40 50 60 70; do
    pages+=$("$FINDLING" search --db "$tmp/many.db" --format ids --limit 10 --offset $off -- "Wasser Recht")$'\n'
done
whole=$("$FINDLING" search --db "$tmp/many.db" --format ids --limit 80 -- "Wasser Recht")
is "$(printf '%s' "$pages" | grep -c .)" 80 "paging: 80 hits in eight pages of ten"
is "$(printf '%s' "$pages" | grep .)" "$whole" "paging: the pages are the first 80 hits of one search, in order"
is "$(printf '%s' "$pages" | grep . | sort | uniq -d | wc -l)" 0 "paging: no hit twice"

# The proximity bonus: two pages alike but for where the words stand tie in
# the first stage (the document id decides: a-… first); the one with the
# query's words together comes first once re-ranked -- for two words and for
# three, and not where both have them together ("Recht Boden").
mkdir -p "$tmp/near"
fill="eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn"
printf -- '---\ntitle: Seite\n---\nWasser Recht Boden %s Ende.\n' "$fill" >"$tmp/near/z-nah.md"
printf -- '---\ntitle: Seite\n---\nWasser %s Recht Ende Boden.\n' "$fill" >"$tmp/near/a-fern.md"
"$FINDLING" index --quiet --db "$tmp/near.db" "$tmp/near" >/dev/null 2>&1
first() { "$FINDLING" search --db "$tmp/near.db" --format ids --limit 1 -- "$1"; }
is "$(first 'Recht Boden')" "a-fern.md" "proximity: both pages have the words together, the tie stays"
is "$(first 'Wasser Recht')" "z-nah.md" "proximity: two words side by side rank first"
is "$(first 'Wasser Recht Boden')" "z-nah.md" "proximity: three words together rank first"

# Browsing: newest first, then by id A-Z -- documents of one day and the
# undated ones (last) too; oldest first the other way round, undated first.
mkdir -p "$tmp/browse"
for f in c b a; do printf -- '---\ntitle: Ohne Datum %s\n---\nText.\n' "$f" >"$tmp/browse/$f.md"; done
for f in y x; do printf -- '---\ntitle: Tag %s\ndate: 2024-05-01\n---\nText.\n' "$f" >"$tmp/browse/$f.md"; done
printf -- '---\ntitle: Neu\ndate: 2025-01-02\n---\nText.\n' >"$tmp/browse/n.md"
"$FINDLING" index --quiet --db "$tmp/browse.db" "$tmp/browse" >/dev/null 2>&1
browse() { "$FINDLING" search --db "$tmp/browse.db" --format ids "$@" -- '*' | tr '\n' ' '; }
is "$(browse)" "n.md x.md y.md a.md b.md c.md " "browsing: newest first, same day and undated by id A-Z"
is "$(browse --sort -date)" "a.md b.md c.md x.md y.md n.md " "browsing oldest first: undated first, by id A-Z"
is "$(browse --limit 2 --offset 3)" "a.md b.md " "browsing: a page further on"
tap_done
