#!/usr/bin/env bash
# search_title_start.sh — a query of just the words a title starts with
# names that page (known-item search): the long "Grundgesetz" page comes
# first for "Grundgesetz", misspelt or with its next title word too, above
# short pages that mention it; the bonus adds no page to the total; words,
# not stems, decide ("Bürger" is no start of "Bürgerliches Gesetzbuch").
. "$(dirname "$0")/../lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
site=$tmp/site
mkdir -p "$site"
page() { printf -- '---\ntitle: "%s"\n---\n\n%s\n' "$2" "$3" >"$site/$1.md"; }
# The law: long (BM25's length normalisation works against it), the word
# twice in its text.
body="Das Grundgesetz gilt."
for n in $(seq 1 150); do body="$body Artikel $n regelt Rechte, Pflichten und Verfahren der Organe im Bund ($n)."; done
page gg "Grundgesetz für die Bundesrepublik Deutschland" "$body Das Grundgesetz bindet alle."
# Short pages that mention it in title and text.
for n in 1 2 3; do
    page "bekanntmachung-$n" "Bekanntmachung $n zum Grundgesetz" "Eine kurze Bekanntmachung zum Grundgesetz der Bundesrepublik ($n)."
done
page bgb "Bürgerliches Gesetzbuch" "Das Bürgerliche Gesetzbuch regelt das Recht der Bürger."
page buerger "Bürger im Rathaus" "Bürger und Bürgerinnen treffen sich im Rathaus."
for n in 1 2 3 4 5 6; do page "andere-$n" "Seite $n" "Hier steht etwas über Radwege und Parks ($n)."; done
"$FINDLING" index --quiet --db "$tmp/db" "$site" >/dev/null 2>&1
ok $? "index the site"

first() { "$FINDLING" search --db "$tmp/db" --format ids --limit 1 -- "$1" 2>/dev/null | sed 's#\.md$##'; }
total() { "$FINDLING" search --db "$tmp/db" --json -- "$1" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }

is "$(first Grundgesetz)" gg "the page whose title starts with the query first"
is "$(first Grundgesezt)" gg "... misspelt too (the corrected word names it)"
is "$(first 'Grundgesetz Bundesrepublik')" gg "... and with its next title word"
is "$(total Grundgesetz)" 4 "the bonus adds no page: the four pages with the word"
is "$(first 'Bürgerliches Gesetzbuch')" bgb "a two-word title"
is "$(first 'Buergerliches Gesetzbuch')" bgb "... typed with ue"
is "$(first Bürger)" buerger "Bürger: the page about Bürger, not the one titled Bürgerliches Gesetzbuch"
is "$(first 'Verfahren Organe')" gg "words from the middle of a text: no bonus, found as before"
tap_done
