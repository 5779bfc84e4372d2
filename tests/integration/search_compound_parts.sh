#!/usr/bin/env bash
# search_compound_parts.sh — a compound typed whole also finds pages with its
# parts apart ("Fahrradhelm" → "ein Helm für das Fahrrad") while few pages
# have the compound itself; once 100 pages or more have it, its parts apart
# are not searched (those pages would rank below the compound's own), and
# the total counts the compound's pages only.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/sized_sites.sh"
[ -r /usr/share/dict/ngerman ] || skip_all "the German word list (wngerman) is needed to split compounds"
# "Bürgeramt" on every page but the last two; the last but one names "das
# Amt der Bürger" apart; pages 3 and 7 have a "Fahrradhelm", the last "einen
# Helm für das Fahrrad".
page_text() {
    local text="Die Stadt informiert über Termine (Seite $1)."
    [ "$1" -lt $(($2 - 1)) ] && text="$text Das Bürgeramt hat geöffnet."
    [ "$1" -eq $(($2 - 1)) ] && text="$text Das Amt der Bürger hat geöffnet."
    [ "$1" -eq "$2" ] && text="$text Wir empfehlen einen Helm für das Fahrrad."
    case $1 in 3 | 7) text="$text Ein Fahrradhelm schützt." ;; esac
    printf '%s' "$text"
}
index_sized_sites

is "$(ids Fahrradhelm)" "seite-3 seite-7 seite-120 " "a rare compound: its pages and the page with its parts apart"
first=$("$FINDLING" search --db "$tmp/big.db" --format ids --limit 3 Fahrradhelm 2>/dev/null | sed 's/\.md$//' | tail -n 1)
is "$first" "seite-120" "... which ranks below the compound's own pages"
is "$(total Bürgeramt)" 118 "a compound on 118 pages: its pages only"
unlike " $(ids Bürgeramt)" " seite-119 " "the page with the parts apart is not found once 100 pages have the compound"
is "$(total Bürgeramt small)" 59 "58 pages with the compound: the page with its parts apart too"
like " $(ids Bürgeramt small)" " seite-59 " "... which is the page naming das Amt der Bürger"
tap_done
