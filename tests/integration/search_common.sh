#!/usr/bin/env bash
# search_common.sh — a word in more than half the documents only ranks the
# documents the query's other words find ("§ 1 ArbZG" finds what mentions the
# ArbZG, not every law with a § 1); alone, with only common words, or with an
# unknown word beside it, it still matches as before; an index of fewer than
# 100 documents has no common words.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/sized_sites.sh"
# All pages have "Verwaltung", two of three "Bürgeramt" too (80 of 120),
# pages 3 and 7 "Fahrradhelm", page 5 "Radweg" (rare, not with the helmet).
page_text() {
    local text="Die Verwaltung der Stadt informiert über Termine (Seite $1)."
    [ $(($1 % 3)) -ne 0 ] && text="$text Das Bürgeramt hat geöffnet."
    case $1 in 3 | 7) text="$text Ein Fahrradhelm schützt." ;; 5) text="$text Der Radweg ist neu." ;; esac
    printf '%s' "$text"
}
index_sized_sites

is "$(total Verwaltung)" 120 "a common word alone matches every page that has it"
is "$(total 'Verwaltung Bürgeramt')" 120 "common words only: their OR, as before"
is "$(total 'Verwaltung Fahrradhelm')" 2 "a common word beside a rare one: only the rare one's pages"
is "$(ids 'Verwaltung Fahrradhelm')" "seite-3 seite-7 " "... which are the pages with the helmet"
is "$(total 'Verwaltung Fahrradhelm Radweg')" 3 "two rare words: the pages of either"
is "$(total 'Bürgeramt Verwaltung Fahrradhelm')" 2 "two common words beside a rare one"
# An unknown word (no typo correction either) anchors nothing.
is "$(total 'Verwaltung Qxzyvwk')" 120 "a common word beside an unknown one matches as before"
# The ranking of the pages left is the OR's: the same order as a search for
# the rare word with the common one, taken from the OR of an index too small
# for common words.
is "$(total 'Verwaltung Fahrradhelm' small)" 60 "fewer than 100 documents: no word is common"
first_big=$("$FINDLING" search --db "$tmp/big.db" --format ids 'Verwaltung Fahrradhelm' 2>/dev/null | head -2 | tr '\n' ' ')
first_small=$("$FINDLING" search --db "$tmp/small.db" --format ids 'Verwaltung Fahrradhelm' 2>/dev/null | head -2 | tr '\n' ' ')
is "$first_big" "$first_small" "the pages left rank as they do in the OR"
tap_done
