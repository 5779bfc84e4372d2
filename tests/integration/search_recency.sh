#!/usr/bin/env bash
# search_recency.sh — findling.yml `recency_boost`: off by default (the
# ranking is the same as with recency_boost: 0); when on, a newer page
# overtakes an older one that is otherwise equal or slightly better, an
# undated page gains nothing, and the boost halves every half-life.
. "$(dirname "$0")/../lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
site=$tmp/site
mkdir -p "$site"
page() { printf -- '---\ntitle: "%s"\n%b---\n\n%s\n' "$2" "$3" "$4" >"$site/$1.md"; }
# The old page is a little better (shorter: BM25's length normalisation).
page alt "Sommerfest im Quartier" 'date: 2016-06-01\n' \
    "Das Sommerfest im Quartier lädt alle Nachbarn ein."
page neu "Sommerfest im Quartier" "date: $(date -u -d '7 days ago' +%F)\n" \
    "Das Sommerfest im Quartier lädt alle Nachbarn ein, mit Musik."
page ohne "Sommerfest im Quartier" '' \
    "Das Sommerfest im Quartier lädt alle Nachbarn ein, mit Musik und Tanz."
# Pages without the word, so that it is a rare (meaningful) one.
for n in 1 2 3 4 5 6; do page "andere-$n" "Seite $n" "date: 2020-0$n-01\n" "Hier steht etwas über Radwege und Parks ($n)."; done
printf 'recency_boost: 0\n' >"$tmp/off.yml"
printf 'recency_boost: 0.5\n' >"$tmp/on.yml"
printf 'recency_boost: 0.5\nrecency_half_life: 1\n' >"$tmp/short.yml"
printf 'recency_half_life: 0\n' >"$tmp/bad.yml"

for cfg in none off on short; do
    args=()
    [ "$cfg" = none ] || args=(--config "$tmp/$cfg.yml")
    "$FINDLING" index --quiet --db "$tmp/$cfg.db" "${args[@]}" "$site" >/dev/null 2>&1
    st=$?
    [ $st -eq 0 ] || [ $st -eq 1 ]
    ok $? "index with config $cfg"
done
ids() { "$FINDLING" search --db "$tmp/$1.db" --format ids --limit 10 -- Sommerfest 2>/dev/null | sed 's#\.md$##' | tr '\n' ' '; }
score() { "$FINDLING" search --db "$tmp/$1.db" --json --limit 10 -- Sommerfest 2>/dev/null |
    python3 -c "import json,sys; print({h['id']: h['score'] for h in json.load(sys.stdin)['hits']}['$2.md'])"; }

none=$(ids none)
set -- $none
is "$1" "alt" "no boost: the slightly better old page first"
is "$(ids off)" "$none" "recency_boost: 0 ranks exactly as no setting"
set -- $(ids on)
is "$1" "neu" "recency_boost: 0.5: the new page overtakes the old one"
is "$3" "ohne" "an undated page gains nothing"
set -- $(ids short)
is "$1" "alt" "half-life of one day: the week-old page has lost its boost"
is "$(ids 'on' | wc -w)" "3" "the boost adds no matches"
sorted() { "$FINDLING" search --db "$tmp/$1.db" --format ids --sort -date -- Sommerfest 2>/dev/null | tr '\n' ' '; }
is "$(sorted on)" "$(sorted none)" "--sort -date ignores the boost"
err=$("$FINDLING" index --quiet --db "$tmp/bad.db" --config "$tmp/bad.yml" "$site" 2>&1 >/dev/null)
[ $? -ne 0 ]; ok $? "recency_half_life: 0 is rejected"
like "$err" "recency_half_life" "the message names recency_half_life"
tap_done
