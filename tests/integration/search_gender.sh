#!/usr/bin/env bash
# search_gender.sh — a gender form names people: "Aussteller*innen",
# "Ausstellerinnen", "AusstellerInnen", "Aussteller:innen", "Aussteller_innen"
# rank pages about the exhibitors (any gender, any inflection) above pages
# about the exhibition, although Snowball gives Aussteller and Ausstellung
# the same stem; the exhibition is still found, and a gender form whose
# person noun no page uses still finds the stem's pages.
. "$(dirname "$0")/../lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
site=$tmp/site
mkdir -p "$site"
page() { printf -- '---\ntitle: "%s"\ndate: %s\n---\n\n%s\n' "$2" "$3" "$4" >"$site/$1.md"; }
# The exhibition: its stem in the title, a heading and the body, many times.
page ausstellung "Die Ausstellung im Rathaus" 2025-01-10 \
    "## Ausstellung

Die Ausstellung zeigt Bilder. Zur Ausstellung gibt es Führungen; die Ausstellung ist kostenlos. Ausstellungen wie diese sind selten."
# The exhibitors, written three ways, each once in a longer text.
page markt "Markt der Möglichkeiten" 2025-02-10 \
    "Am Samstag ist wieder Markt im Saal der Volkshochschule. Die Aussteller*innen zeigen an ihren Ständen, was sie anbieten, und beantworten Fragen zu Beratung, Technik und Ehrenamt. Kaffee und Kuchen gibt es im Foyer. Der Markt der Vereine folgt im Mai."
page messe "Messe für Vereine" 2025-03-10 \
    "Vereine stellen sich vor. Mit den Ausstellern kommt man an den Tischen leicht ins Gespräch über Projekte, Mitgliedschaft und Ehrenamt in der Stadt."
page fest "Stadtfest" 2025-04-10 \
    "Zum Stadtfest kommen viele Gäste. Jede Ausstellerin bekommt einen Tisch, Strom und einen Platz im Programmheft des Festes."
# Nutzung vs. Nutzer: the same trap.
page nutzung "Nutzung der Räume" 2025-05-10 \
    "## Nutzung

Die Nutzung der Räume ist geregelt. Nutzung nur nach Anmeldung; die Nutzung endet um 22 Uhr."
page umfrage "Umfrage zur Website" 2025-06-10 \
    "Wir haben gefragt, was auf der Website fehlt, und viele Antworten bekommen. Die Nutzerinnen und Nutzer wünschen sich eine bessere Suche und größere Schrift."
# "unterstützen" only: no page names the Unterstützer*innen themselves.
page hilfe "Hilfe im Verein" 2025-07-10 "Wir unterstützen den Verein seit 1990."

db=$tmp/db
"$FINDLING" index --quiet --db "$db" "$site" >/dev/null 2>&1
st=$?
[ $st -eq 0 ] || [ $st -eq 1 ]
ok $? "index the scratch site"
ids() { "$FINDLING" search --db "$db" --format ids --limit 10 -- "$1" 2>/dev/null | sed 's#\.md$##' | tr '\n' ' '; }

for q in Ausstellerinnen 'Aussteller*innen' AusstellerInnen 'Aussteller:innen' 'Aussteller_innen' Ausstellerin; do
    got=$(ids "$q")
    set -- $got
    top3=$(printf '%s\n' "${1:-}" "${2:-}" "${3:-}" | sort | tr '\n' ' ')
    is "$top3" "fest markt messe " "$q: the three exhibitor pages first (got: $got)"
    like "$got" "ausstellung" "$q: the exhibition is still found"
done
# Paired form: both words are person nouns.
set -- $(ids 'Ausstellerinnen und Aussteller')
[ "$1" != ausstellung ]; ok $? "'Ausstellerinnen und Aussteller': an exhibitor page first (got $1)"
set -- $(ids 'Nutzer*innen')
is "$1" "umfrage" "Nutzer*innen: the users' page before the page on Nutzung"
# Not a gender form: the stem's pages as before.
set -- $(ids 'Ausstellung')
is "$1" "ausstellung" "Ausstellung (not a person noun) still finds the exhibition first"
# No page has a form of Unterstützer: the stem still finds "unterstützen".
like "$(ids 'Unterstützer*innen')" "hilfe" "a gender form without person-noun pages falls back to its stem"
# Marks in a search with a gender word: the positions mark as in any other
# search (a phrase's words only where the phrase stands), and a wildcard's
# words are found by their exact forms beside them.  (The person forms found
# that way, whose stems are not the word's, are tested in test_search_fast.)
ex() { "$FINDLING" search --db "$db" --json -- "$1" 2>/dev/null | jq -r '.hits[] | select(.id == "markt.md") | .excerpt'; }
e=$(ex '"Markt der" Aussteller*innen')
like "$e" "<mark>Aussteller\\*innen</mark>" "phrase and gender form: the gender form marked"
like "$e" "Der <mark>Markt</mark> <mark>der</mark> Vereine" "…the phrase marked where it stands"
unlike "$e" "Saal <mark>der</mark>" "…its words elsewhere not (got: $e)"
e=$(ex 'Aussteller*innen Kaff*')
like "$e" "<mark>Aussteller\\*innen</mark>.*<mark>Kaffee</mark>" "gender form and wildcard: both marked (got: $e)"
tap_done
