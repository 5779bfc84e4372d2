#!/usr/bin/env bash
# index_writers.sh — parallel full builds (--writers N: parallel writers merged by
# compaction) give the same index as one writer; path words and short-name
# front matter make a page findable by its slug/abbreviation; the config's
# compound words reach the query side.
. "$(dirname "$0")/../lib/tap.sh"
set -u
T=$(mktemp -d /tmp/fl-shards-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
F=$FINDLING
SITE=$TOP/examples/site

gen() { printf '%s/%s' "$1" "$(awk '{print $2}' "$1/XAPIANDB")"; }
# What must not differ between builds: ids/hashes/URLs, facets, terms with
# their frequencies, and a spelling correction drawn from the whole table.
fingerprint() {
    "$F" stats --db "$1" --dump-ids
    "$F" stats --db "$1" --json | jq -S '{documents, facets, positions_mirror}'
    if command -v xapian-delve >/dev/null; then xapian-delve -a -v -1 "$(gen "$1")"; fi
    "$F" search --db "$1" --json 'Fischbowl Sommerfets' | jq -S '{total, corrected_query, ids: [.hits[].id]}'
    # The re-rank, excerpts and sections read positions (through the mirror,
    # whose keys name docids: a merge must keep them).
    "$F" search --db "$1" --json 'Beteiligung Werkstatt Spielplatz' | jq -S '[.hits[] | {id, excerpt, sections}]'
    "$F" search --db "$1" --json '"offene Daten"' | jq -S '[.hits[] | {id, excerpt, sections}]'
}

# ---------------------------------------------------------------- shards = one writer
"$F" index --quiet --writers 1 --db "$T/one.db" "$SITE" >/dev/null 2>&1; rc1=$?
"$F" index --quiet --writers 2 --db "$T/two.db" "$SITE" >"$T/out2" 2>&1; rc2=$?
"$F" index --quiet --writers 3 --db "$T/three.db" "$SITE" >/dev/null 2>&1; rc3=$?
is "$rc1 $rc2 $rc3" "0 0 0" "one, two and three writers: exit 0"
like "$(cat "$T/out2")" '^indexed: [0-9]+ added, 0 updated, 0 deleted, 0 unchanged, 0 failed' "sharded build: summary line"
fingerprint "$T/one.db" >"$T/fp1"
fingerprint "$T/two.db" >"$T/fp2"
fingerprint "$T/three.db" >"$T/fp3"
ok "$([ -s "$T/fp1" ] && echo 0 || echo 1)" "fingerprint is not empty"
if diff "$T/fp1" "$T/fp2" >"$T/diff"; then ok 0 "2 shards merged = 1 writer (ids, facets, terms, spelling)"
else ok 1 "2 shards merged = 1 writer"; head -20 "$T/diff" | sed 's/^/#   /'; fi
if diff "$T/fp1" "$T/fp3" >"$T/diff"; then ok 0 "3 shards merged = 1 writer"
else ok 1 "3 shards merged = 1 writer"; head -20 "$T/diff" | sed 's/^/#   /'; fi
like "$(grep corrected_query "$T/fp2")" 'Fishbowl|Sommerfest' "spelling table of the merged index corrects a typo"
is "$("$F" stats --db "$T/two.db" --json | jq -r .positions_mirror)" true "the merged index has the positions mirror"
like "$(grep -c '<mark>' "$T/fp2")" '^[1-9]' "the fingerprint has marked excerpts"
is "$(ls "$T/two.db" | grep -c '^tmp-')" 0 "no shard left behind"
is "$("$F" stats --db "$T/two.db" --json | jq -r '.last_run.mode')" full "last run recorded once"
if command -v xapian-delve >/dev/null; then
    n=$("$F" stats --db "$T/one.db" --json | jq -r .documents)
    like "$(xapian-delve "$T/two.db" 2>&1)" "number of documents = $n\$" "xapian-delve reads the merged index"
fi

# An incremental run on a merged index works like on any other.
cp -a "$SITE" "$T/site"
"$F" index --quiet --writers 2 --db "$T/inc.db" "$T/site" >/dev/null 2>&1
printf '\nEin Absatz über Quittenmarmelade.\n' >>"$T/site/_beitraege/sommerfest-2025.md"
out=$("$F" index --db "$T/inc.db" "$T/site" 2>/dev/null)
like "$out" '^indexed: 0 added, 1 updated, 0 deleted' "incremental run after a sharded build"
is "$("$F" search --db "$T/inc.db" --json Quittenmarmelade | jq -r '.hits[0].id')" "_beitraege/sommerfest-2025.md" "the change is searchable"
like "$("$F" search --db "$T/inc.db" --json Quittenmarmelade | jq -r '.hits[0].excerpt')" '<mark>Quittenmarmelade</mark>' "its excerpt marks the new word (positions mirrored by the incremental run)"
is "$("$F" stats --db "$T/inc.db" --json | jq -r .positions_mirror)" true "the mirror is kept"

# Bad values are usage errors.
"$F" index --writers 0 --db "$T/x.db" "$SITE" >/dev/null 2>&1; is "$?" 2 "--writers 0: usage error"
"$F" index --writers 9 --db "$T/x.db" "$SITE" >/dev/null 2>&1; is "$?" 2 "--writers 9: usage error"
ok "$([ ! -e "$T/x.db" ] && echo 0 || echo 1)" "a usage error creates nothing"

# ---------------------------------------------------------------- path words, short names
A=$T/arch
mkdir -p "$A/b/bgbx" "$A/k/kschg" "$A/_beitraege"
cat >"$A/b/bgbx/index.md" <<'EOF'
---
Title: Bürgerliches Probebuch
jurabk: PrBGBx
slug: bgbx
---
# Bürgerliches Probebuch

## § 622 Kündigungsfristen

Das Arbeitsverhältnis kann mit einer Frist von vier Wochen gekündigt werden.
EOF
cat >"$A/k/kschg/index.md" <<'EOF'
---
Title: Schutzgesetz
---
# Schutzgesetz

Nach § 622 PrBGBx gelten Fristen. Das Blörk und das Haus stehen hier.
EOF
cat >"$A/_beitraege/rueckblick-zauberwald-meetup.md" <<'EOF'
# Ein Abend

Text ohne die Wörter des Pfades.
EOF
printf 'words:\n  - Blörk\n' >"$A/findling.yml"
"$F" index --quiet --db "$T/arch.db" "$A" >/dev/null 2>&1
s() { "$F" search --db "$T/arch.db" --json "$1" | jq -r '[.hits[].id] | join(" ")'; }
is "$(s 'bgbx')" "b/bgbx/index.md" "found by its folder name (slug)"
is "$(s 'zauberwald')" "_beitraege/rueckblick-zauberwald-meetup.md" "found by a word of its file name"
is "$(s 'index')" "" "'index' is not a path word"
like "$(s '§ 622 PrBGBx')" '^b/bgbx/index.md ' "the law named by its jurabk ranks above the one citing it"
is "$("$F" search --db "$T/arch.db" --json 'titel:PrBGBx' | jq -r '[.hits[].id] | join(" ")')" "b/bgbx/index.md" "jurabk is a title-field word"
is "$("$F" search --db "$T/arch.db" --json 'rueckblik' | jq -r '.corrected_query // ""')" "" "path words stay out of the spelling table"
# findling.yml words: the query side splits "Blörkhaus" as the indexer would.
is "$(s 'Blörkhaus')" "k/kschg/index.md" "config words reach the query side's analyzer"

tap_done
