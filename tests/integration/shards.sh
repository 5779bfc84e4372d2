#!/usr/bin/env bash
# shards.sh — persistent shards (index --shards N): search results (ids, order,
# totals, scores, facet counts, excerpts, sections) are identical to a
# single-database index of the same site, for N = 2 and 3; incremental runs
# update a document in its own shard and never duplicate it; a different
# shard count means a full rebuild; `stats` shows the shards.  With $SHARED:
# the same comparison on a few hundred laws for the judged queries.
. "$(dirname "$0")/../lib/tap.sh"
set -u
T=$(mktemp -d /tmp/fl-shards.XXXXXX)
trap 'rm -rf "$T"' EXIT
F=$FINDLING
SITE=$TOP/examples/site

# The JSON of a search minus what legitimately differs (timing).
srch() { "$F" search --db "$1" --json "${@:2}" 2>&1 | jq -S "${JQ:-del(.took_ms)}" 2>/dev/null; }

# compare DB_A DB_B LABEL QUERYFILE: each line of QUERYFILE is a query
# (optionally followed by TAB and extra options, split on spaces).
compare() {
    local a=$1 b=$2 label=$3 qf=$4 n=0 bad=0 empty=0 q opts
    while IFS=$'\t' read -r q opts; do
        [ -n "$q" ] || continue
        n=$((n + 1))
        # shellcheck disable=SC2086
        srch "$a" $opts -- "$q" >"$T/ra"
        # shellcheck disable=SC2086
        srch "$b" $opts -- "$q" >"$T/rb"
        [ -s "$T/ra" ] || empty=$((empty + 1))
        if ! cmp -s "$T/ra" "$T/rb"; then
            bad=$((bad + 1))
            echo "# differs: $q $opts"
            diff "$T/ra" "$T/rb" | head -8 | sed "s|^|#   |"
        fi
    done <"$qf"
    is "$bad" 0 "$label: all $n searches identical"
    is "$empty" 0 "$label: every search gave JSON"
}

cat >"$T/q-site" <<'EOF'
Bürger
bürgerbeteiligung spielplatz
Stadt	--limit 3 --offset 2
"offene Daten"
Inovation
haushalt 2024
*
*	--sort -date
*	--category Rückblick
workshop	--sort date
beteiligung	--author Maria Gonçalves
daten -stadt
titel:Werkstatt
Zivilgesellschaft
jahr:2024
kategorie:Methoden ODER tag:Workshop
EOF

# ---------------------------------------------------------------- example site
"$F" index --quiet --db "$T/one" "$SITE" >/dev/null 2>&1; r1=$?
"$F" index --quiet --shards 2 --db "$T/two" "$SITE" >/dev/null 2>&1; r2=$?
"$F" index --quiet --shards 3 --db "$T/three" "$SITE" >/dev/null 2>&1; r3=$?
is "$r1 $r2 $r3" "0 0 0" "one database, 2 and 3 shards: exit 0"
is "$(wc -l <"$T/three/XAPIANDB")" 3 "3 shards: the stub lists three databases"
like "$(cat "$T/three/XAPIANDB")" '^auto gen-[0-9]{6}/shard-0' "stub: auto gen-N/shard-K lines"
is "$(jq '.shards | length' < <("$F" stats --db "$T/three" --json))" 3 "stats --json: three shards"
is "$(jq '[.shards[].documents] | add' < <("$F" stats --db "$T/three" --json))" \
   "$(jq '.documents' < <("$F" stats --db "$T/one" --json))" "shards hold as many documents as one database"
like "$("$F" stats --db "$T/three")" 'shards: +3 \(documents:' "stats: shards line"
is "$("$F" stats --db "$T/three" --json | jq -S .facets)" "$("$F" stats --db "$T/one" --json | jq -S .facets)" \
   "stats: facet values and display spellings as with one database"
is "$("$F" stats --db "$T/three" --dump-ids | sort)" "$("$F" stats --db "$T/one" --dump-ids | sort)" \
   "same document ids"
compare "$T/one" "$T/two" "site, 2 shards" "$T/q-site"
compare "$T/one" "$T/three" "site, 3 shards" "$T/q-site"

# ---------------------------------------------------------------- incremental
cp -r "$SITE" "$T/site"
"$F" index --quiet --shards 3 --db "$T/inc" "$T/site" >/dev/null 2>&1
# Two indexed posts (not future-dated, not noindex).
victim=$("$F" search --db "$T/inc" --format ids -- '*' | grep '^_beitraege/' | sed -n 1p)
gone=$("$F" search --db "$T/inc" --format ids -- '*' | grep '^_beitraege/' | sed -n 2p)
printf '\nQuokkamuster im Stadtpark.\n' >>"$T/site/$victim"
rm "$T/site/$gone"
cat >"$T/site/_beitraege/2025-03-01-neu.md" <<'EOF'
---
title: Ein neuer Beitrag über Wombatbrücken
categories: [Rückblick]
date: 2025-03-01
---
Die Wombatbrücke verbindet zwei Quartiere.
EOF
out=$("$F" index --db "$T/inc" "$T/site" 2>&1); rc=$?
is "$rc" 0 "incremental sharded run: exit 0"
like "$out" '1 added, 1 updated, 1 deleted' "incremental: one added, one updated, one deleted"
is "$(wc -l <"$T/inc/XAPIANDB")" 3 "incremental: still three shards (the count is kept)"
is "$("$F" stats --db "$T/inc" --dump-ids | awk '{print $1}' | sort | uniq -d | wc -l)" 0 "no id twice"
is "$("$F" search --db "$T/inc" --format ids Quokkamuster)" "$victim" "the changed document is found by its new word"
is "$("$F" search --db "$T/inc" --format ids -- "Quokkamuster" | wc -l)" 1 "... once"
is "$("$F" search --db "$T/inc" --format ids Wombatbrücke)" "_beitraege/2025-03-01-neu.md" "the added document is found"
"$F" search --db "$T/inc" --format ids -- "*" | grep -qxF "$gone"; is "$?" 1 "the deleted document is gone"
"$F" index --quiet --db "$T/inc1" "$T/site" >/dev/null 2>&1
is "$("$F" stats --db "$T/inc" --json | jq -S '{documents, facets}')" \
   "$("$F" stats --db "$T/inc1" --json | jq -S '{documents, facets}')" \
   "after the incremental run: documents and facets as a fresh single database"
compare "$T/inc1" "$T/inc" "incremental 3 shards vs fresh single" "$T/q-site"
# Each document is in the shard its id hashes to, exactly once.
dups=0
for s in "$T"/inc/gen-*/shard-*; do
    if command -v xapian-delve >/dev/null; then
        n=$(xapian-delve -1 -a "$s" 2>/dev/null | grep -c '^Q' || true)
        dups=$((dups + n))
    fi
done
if command -v xapian-delve >/dev/null; then
    is "$dups" "$("$F" stats --db "$T/inc" --json | jq .documents)" "Q terms over all shards = documents"
else
    skip "xapian-delve not installed"
fi

# ---------------------------------------------------------------- shard count changes
out=$("$F" index --shards 2 --db "$T/inc" "$T/site" 2>&1); rc=$?
is "$rc" 0 "--shards 2 on a 3-shard index: exit 0"
like "$out" 'has 3 shards, 2 requested: rebuilding it in full' "says it rebuilds in full"
is "$(wc -l <"$T/inc/XAPIANDB")" 2 "now two shards"
is "$(ls -d "$T"/inc/gen-* | wc -l)" 1 "the old generation is removed"
out=$("$F" index --shards 1 --db "$T/inc" "$T/site" 2>&1)
is "$(cat "$T/inc/XAPIANDB")" "auto $(ls "$T/inc" | grep gen-)" "--shards 1: back to one database"
compare "$T/inc1" "$T/inc" "back to one database" "$T/q-site"
printf 'shards: 2\n' >"$T/site/findling.yml"
out=$("$F" index --db "$T/inc" "$T/site" 2>&1)
is "$(wc -l <"$T/inc/XAPIANDB")" 2 "shards: 2 in findling.yml"
printf 'shards: 0\n' >"$T/site/findling.yml"
"$F" index --db "$T/inc" "$T/site" >"$T/o" 2>&1; rc=$?
is "$rc" 2 "shards: 0 is a usage error"
like "$(cat "$T/o")" 'shards: expected a number 1\.\.64' "... with a message naming the setting"
rm "$T/site/findling.yml"
"$F" index --shards 65 --db "$T/x" "$SITE" >/dev/null 2>&1; is "$?" 2 "--shards 65: usage error"
"$F" index --shards x --db "$T/x" "$SITE" >/dev/null 2>&1; is "$?" 2 "--shards x: usage error"
printf 'auto gen-000001/shard-0\nauto gen-000002/shard-1\n' >"$T/bad-stub"
mkdir -p "$T/bad" && cp "$T/bad-stub" "$T/bad/XAPIANDB"
"$F" index --db "$T/bad" "$SITE" >"$T/o" 2>&1; rc=$?
is "$rc" 3 "a stub naming two generations: fatal"
like "$(cat "$T/o")" 'not a findling index stub' "... says the stub is not ours"

# ---------------------------------------------------------------- laws (with $SHARED)
TAR=${SHARED:+$SHARED/corpus/gesetze-md.tar.xz}
QRELS=${SHARED:+$SHARED/eval/gesetze-public.tsv}
if [ -n "${SHARED:-}" ] && [ -f "$TAR" ] && [ -f "$QRELS" ]; then
    # The judged laws and the laws starting with "ab" (a hundred or so).
    pats=("*/ab*/*")
    for id in $(cut -f4 "$QRELS" | tr ',' '\n' | cut -d: -f1 | sort -u); do pats+=("*/$id/*"); done
    mkdir -p "$T/laws"
    tar -xJf "$TAR" -C "$T/laws" --wildcards "${pats[@]}" 2>/dev/null
    "$F" index --quiet --db "$T/l1" "$T/laws" >/dev/null 2>&1
    "$F" index --quiet --shards 3 --db "$T/l3" "$T/laws" >/dev/null 2>&1
    is "$("$F" stats --db "$T/l3" --json | jq .documents)" "$("$F" stats --db "$T/l1" --json | jq .documents)" \
       "laws subset: same number of documents"
    # A full build compacts each shard: less disk than --no-compact (about half
    # on all laws, 77 % on this subset).
    "$F" index --quiet --no-compact --shards 3 --db "$T/l3n" "$T/laws" >/dev/null 2>&1
    kc=$(du -sk "$T/l3" | cut -f1); kn=$(du -sk "$T/l3n" | cut -f1)
    [ $((kc * 100)) -lt $((kn * 85)) ]
    ok $? "laws subset: compacted shards ${kc} KB < 85 % of uncompacted ${kn} KB"
    is "$(find "$T/l3" -name '*.compact' | wc -l)" 0 "no compaction leftovers"
    : >"$T/q-laws"
    while IFS=$'\t' read -r _ query _ _; do
        case "$query" in
        *" | "*=*) f=${query#* | }; printf '%s\t--%s %s\n' "${query%% | *}" "${f%%=*}" "${f#*=}" ;;
        *) printf '%s\n' "$query" ;;
        esac
    done <"$QRELS" >"$T/q-laws"
    # And the benchmark's queries (words, phrases, compounds, typos,
    # citations, wildcards, gender forms).
    grep -v '^#' "$TOP/bench/queries-laws.txt" | cut -f2 | grep -v '^$' >>"$T/q-laws"
    head -n 20 "$T/q-laws" >"$T/q-laws-20"
    compare "$T/l3n" "$T/l3" "laws subset: compacted shards = uncompacted ones" "$T/q-laws-20"
    # Everything identical: the first ten hits in order with scores,
    # excerpts and sections, totals and facets ...
    compare "$T/l1" "$T/l3" "laws subset, judged and bench queries, 3 shards" "$T/q-laws"
    # ... and the order of the first 100 hits.
    sed 's/$/\t--limit 100/; s/^\([^\t]*\)\t\t/\1\t/' "$T/q-laws" >"$T/q-laws-100"
    JQ='{total, ids: [.hits[] | [.id, .score]]}' compare "$T/l1" "$T/l3" "laws subset, first 100 hits in order, 3 shards" "$T/q-laws-100"
else
    skip "no \$SHARED corpus: laws comparison skipped"
fi

tap_done
