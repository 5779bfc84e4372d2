#!/usr/bin/env bash
# search_stopword_stems.sh — a word whose Snowball stem is a stop word's
# ("Sicherheit", "sicher" → sich; "Wege" → weg) finds its own family, not
# every "sich" or "weg" of the texts, and an excerpt marks only its own
# forms; the stop words themselves still stand in phrases.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/sized_sites.sh"
# Every page has the pronoun "sich"; page 4 the "Sicherheit", page 9 "sicher",
# page 6 "Wege", every fifth page the adverb "weg" (the compound "Radweg" of
# page 9 has the part weg).
page_text() {
    local text="Die Stadt kümmert sich um Termine (Seite $1)."
    [ $(($1 % 5)) -eq 0 ] && text="$text Der Stand ist weg."
    case $1 in
    4) text="$text Die Sicherheit im Verkehr geht vor." ;;
    9) text="$text Der Radweg ist sicher." ;;
    6) text="$text Kurze Wege zum Amt." ;;
    esac
    printf '%s' "$text"
}
index_sized_sites

is "$(ids Sicherheit small)" "seite-4 seite-9 " "Sicherheit: the pages of its family, not every page with sich"
is "$(ids sicher small)" "seite-4 seite-9 " "sicher: the same family"
is "$(ids Wege small)" "seite-6 seite-9 " "Wege: its page and the Radweg's, not the pages with the adverb weg"
marks=$("$FINDLING" search --db "$tmp/small.db" --json Sicherheit 2>/dev/null |
    python3 -c 'import json,re,sys; print(" ".join(sorted(set(m for h in json.load(sys.stdin)["hits"] for m in re.findall(r"<mark>(.*?)</mark>", h["excerpt"])))))')
is "$marks" "Sicherheit sicher" "the excerpts mark Sicherheit and sicher, never the pronoun"
is "$(total '"kümmert sich"' small)" 60 "the stop word sich still stands in a phrase"
is "$(total '"ist weg"' small)" 12 "... and so does weg"
tap_done
