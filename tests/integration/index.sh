#!/usr/bin/env bash
# index.sh — `findling index` / `findling stats` end to end: the example site,
# incremental runs, --full generations, the lock, SIGKILL, bad input.
. "$(dirname "$0")/../lib/tap.sh"
set -u
T=$(mktemp -d /tmp/fl-index-test.XXXXXX)
trap 'chmod -R u+rwX "$T" 2>/dev/null; rm -rf "$T"' EXIT
F=$FINDLING
SITE=$TOP/examples/site

# id<TAB>hash<TAB>url, sorted
dump() { "$F" stats --db "$1" --dump-ids; }

# ---------------------------------------------------------------- example site
"$F" index --db "$T/ex.db" "$SITE" >"$T/out" 2>"$T/err"; rc=$?
is "$rc" 0 "example site indexes with exit 0"
like "$(cat "$T/out")" '^indexed: [0-9]+ added, 0 updated, 0 deleted, 0 unchanged, 0 failed in [0-9.]+ s \([0-9]+ documents\)$' "summary line"
dump "$T/ex.db" | cut -f1,3 | sort >"$T/got-urls"
if [ -f "$TOP/tests/data/example-site-urls.tsv" ]; then
    tail -n +2 "$TOP/tests/data/example-site-urls.tsv" | sort >"$T/want-urls"
    if diff "$T/want-urls" "$T/got-urls" >"$T/diff"; then ok 0 "ids and URLs equal Jekyll's (tests/data)"
    else ok 1 "ids and URLs equal Jekyll's (tests/data)"; sed 's/^/#   /' "$T/diff" | head -20; fi
else
    skip "no tests/data/example-site-urls.tsv"
fi
unlike "$(cut -f1 "$T/got-urls")" 'ausblick-2031|_klaenge/|pressemitteilung|_drafts/|_projekte/|suche\.md|intern/' "future, unpublished, noindex, draft and output:false documents absent"
n=$(wc -l <"$T/got-urls")
like "$(cat "$T/out")" "\\($n documents\\)" "document count in the summary matches the index"

stats=$("$F" stats --db "$T/ex.db" --json)
is "$(printf '%s' "$stats" | jq -r '.documents')" "$n" "stats --json: documents"
is "$(printf '%s' "$stats" | jq -r '[.facets.author[] | select(.value | test("^Zo.*elik$"))] | length')" 1 "two spellings of an author are one facet value"
is "$(printf '%s' "$stats" | jq -r '.facets.author[] | select(.value | test("^Zo.*elik$")) | .value')" "Zoë Çelik" "shown in the most frequent spelling"
is "$(printf '%s' "$stats" | jq -r '.last_run.mode')" "full" "first run is a full build"
like "$("$F" stats --db "$T/ex.db")" 'documents: +[0-9]+' "stats text output"
if command -v xapian-delve >/dev/null; then
    like "$(xapian-delve "$T/ex.db" 2>&1)" "number of documents = $n" "xapian-delve reads the index through the stub"
else
    skip "xapian-delve not installed"
fi
if command -v quest >/dev/null; then
    # Our stems are the unprefixed terms (fl_terms.h): quest without its own
    # stemmer searches them directly.
    like "$(quest -d "$T/ex.db" -s none 'burg' 2>&1)" "(Exactly|About) [1-9][0-9]* matches" "quest searches the index (stem of Bürger*innen)"
else
    skip "quest not installed"
fi

# ---------------------------------------------------------------- incremental
cp -a "$SITE" "$T/site"
"$F" index --db "$T/inc.db" "$T/site" >/dev/null 2>&1
out=$("$F" index --db "$T/inc.db" "$T/site" 2>/dev/null)
like "$out" "^indexed: 0 added, 0 updated, 0 deleted, $n unchanged, 0 failed" "no-change run: all unchanged"
touch -d '2001-01-01' "$T/site/_beitraege/sommerfest-2025.md"
out=$("$F" index --db "$T/inc.db" "$T/site" 2>/dev/null)
like "$out" "^indexed: 0 added, 0 updated, 0 deleted, $n unchanged" "touched file: unchanged (content hash)"
printf '\nNeuer Absatz über Quittenmarmelade.\n' >>"$T/site/_beitraege/sommerfest-2025.md"
rm "$T/site/_methoden/fishbowl.md"
cat >"$T/site/_beitraege/neu.md" <<'EOF'
---
title: Ganz neuer Beitrag
authors: ["Zoe Celik"]
date: 2025-06-01
---
Text über Holunderblüten.
EOF
out=$("$F" index --db "$T/inc.db" "$T/site" 2>/dev/null)
like "$out" "^indexed: 1 added, 1 updated, 1 deleted, $((n - 2)) unchanged, 0 failed .*\\($n documents\\)" "add/modify/delete counted exactly"
out=$("$F" index --db "$T/inc.db" --json "$T/site" 2>/dev/null)
is "$(printf '%s' "$out" | jq -c '[.added,.updated,.deleted,.unchanged,.failed,.documents]')" "[0,0,0,$n,0,$n]" "--json summary"
is "$("$F" stats --db "$T/inc.db" --json | jq -r '.facets.author[] | select(.value | test("^Zo.*elik$")) | .count')" \
   "$(printf '%s' "$stats" | jq -r '.facets.author[] | select(.value | test("^Zo.*elik$")) | .count + 1')" "facet count follows an added document"
"$F" index --db "$T/clean.db" "$T/site" >/dev/null 2>&1
cmp -s <(dump "$T/inc.db") <(dump "$T/clean.db"); ok $? "incremental result equals a clean full build"
cmp -s <("$F" stats --db "$T/inc.db" --json | jq -S .facets) <("$F" stats --db "$T/clean.db" --json | jq -S .facets); ok $? "facet counts equal a clean full build"

# ---------------------------------------------------------------- --full
old=$(cat "$T/inc.db/XAPIANDB")
"$F" index --db "$T/inc.db" --full "$T/site" >"$T/out" 2>&1; rc=$?
is "$rc" 0 "--full exits 0"
like "$(cat "$T/out")" "0 added, 0 updated, 0 deleted, $n unchanged" "--full reports against the previous index"
new=$(cat "$T/inc.db/XAPIANDB")
ok $([ "$old" != "$new" ]; echo $?) "--full swapped the stub ($old -> $new)"
ok $([ ! -e "$T/inc.db/${old#auto }" ]; echo $?) "old generation removed"
is "$(ls "$T/inc.db" | grep -c '^gen-')" 1 "exactly one generation left"
cmp -s <(dump "$T/inc.db") <(dump "$T/clean.db"); ok $? "--full result equals a clean build"

# ---------------------------------------------------------------- lock
flock "$T/inc.db/lock" sleep 5 &
lockpid=$!
sleep 0.3
"$F" index --db "$T/inc.db" "$T/site" >"$T/out" 2>"$T/err"; rc=$?
is "$rc" 75 "a second run exits 75 while the lock is held"
like "$(cat "$T/err")" "another findling index" "clear message"
kill "$lockpid" 2>/dev/null; wait "$lockpid" 2>/dev/null

# ---------------------------------------------------------------- fatal errors
printf 'x' >"$T/afile"
"$F" index --db "$T/afile/db" "$T/site" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 3 "an index folder that cannot be created: exit 3"
mkdir "$T/notours"; echo hi >"$T/notours/important.txt"
"$F" index --db "$T/notours" "$T/site" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 3 "refuses a non-empty folder that is not an index"
is "$(ls "$T/notours")" "important.txt" "and writes nothing into it"
cp -a "$T/inc.db" "$T/corrupt.db"
gen=$(sed 's/^auto //' "$T/corrupt.db/XAPIANDB")
for f in "$T/corrupt.db/$gen"/*.glass; do printf 'garbage garbage garbage' | dd of="$f" bs=1 seek=0 conv=notrunc 2>/dev/null; done
before=$(cd "$T/corrupt.db" && find . -type f ! -name lock -exec md5sum {} + | sort)
echo "changed" >>"$T/site/index.md"
"$F" index --db "$T/corrupt.db" "$T/site" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 3 "corrupt index: exit 3"
after=$(cd "$T/corrupt.db" && find . -type f ! -name lock -exec md5sum {} + | sort)
is "$after" "$before" "corrupt index left exactly as it was"
"$F" index --db "$T/nothing.db" /nonexistent/site >/dev/null 2>&1; rc=$?
is "$rc" 2 "missing SITE_DIR: exit 2"
"$F" index --bogus >/dev/null 2>&1; rc=$?
is "$rc" 2 "unknown option: exit 2"
"$F" index --help | grep -q 'Examples:'; ok $? "--help with examples"

# ---------------------------------------------------------------- bad input
B=$T/bad; mkdir -p "$B/ok" "$B/loop"
printf -- '---\ntitle: Gut\n---\nEin guter Text über Apfelbäume.\n' >"$B/ok/index.md"
printf -- '---\ntitle: [unclosed\nfoo: : bar\n---\n# Kaputte Kopfzeile\nText über Birnbäume.\n' >"$B/badyaml.md"
printf -- 'Eine Zeile davor\n---\ntitle: Spät\n---\nText über Kirschbäume.\n' >"$B/late.md"
printf -- '---\ntitle: Latin\n---\nText \xff\xfe mit kaputtem UTF-8 über Pflaumen.\n' >"$B/badutf8.md"
# YAML aliases: one inside the node it names, and a "billion laughs" (ten
# levels of ten aliases each): both used to recurse until memory ran out.
printf -- '---\nbase: &b\n  - <<: *b\ntitle: Kreis\n---\nText über Quitten.\n' >"$B/alias-loop.md"
{ printf -- '---\na: &a [x, x, x, x, x, x, x, x, x, x]\n'
  p=a; for c in b c d e f g h i j; do printf '%s: &%s [' "$c" "$c"
      for _ in 1 2 3 4 5 6 7 8 9; do printf '*%s, ' "$p"; done; printf '*%s]\n' "$p"; p=$c; done
  printf -- 'title: Lachen\n---\nText über Mispeln.\n'; } >"$B/alias-bomb.md"
printf 'BIN\0\0\0\1\2binary' >"$B/binary.md"
head -c 5000 /dev/zero | tr '\0' 'x' >"$B/big.md"
ln -s ../loop "$B/loop/self"
ln -s "$B/loopa.md" "$B/loopb.md"; ln -s "$B/loopb.md" "$B/loopa.md"
printf -- '---\ntitle: Geheim\n---\nText.\n' >"$B/secret.md"; chmod 000 "$B/secret.md"
printf 'max_file_size: 1KB\n' >"$T/bad.yml"
"$F" index --db "$T/bad.db" --config "$T/bad.yml" "$B" >"$T/out" 2>"$T/err"; rc=$?
is "$rc" 1 "bad input: exit 1 (committed, some files failed)"
err=$(cat "$T/err")
like "$err" 'badyaml\.md:[0-9]+: .*YAML' "invalid YAML reported with file and line"
like "$err" 'alias-loop\.md:[0-9]+: .*alias refers to a node that contains it' "recursive YAML alias reported"
like "$err" 'alias-bomb\.md:[0-9]+: .*too many nodes' "exponential YAML aliases reported"
like "$err" 'late\.md:[0-9]+: ' "front matter not at the top reported"
like "$err" 'badutf8\.md(:[0-9]+)?: .*UTF-8' "invalid UTF-8 reported"
like "$err" 'binary\.md' "binary file reported"
like "$err" 'big\.md' "oversized file reported"
like "$err" 'loop' "symlink loop reported"
if [ "$(id -u)" -ne 0 ]; then like "$err" 'secret\.md' "unreadable file reported"
else skip "running as root: chmod 000 does not stop reading"; fi
ids=$(dump "$T/bad.db" | cut -f1 | tr '\n' ' ')
like "$ids" 'ok/index\.md' "good file indexed"
like "$ids" 'badyaml\.md' "file with invalid YAML still indexed"
like "$ids" 'alias-loop\.md' "file with a recursive alias still indexed (as text)"
like "$ids" 'late\.md' "file with late front matter still indexed"
like "$ids" 'badutf8\.md' "file with invalid UTF-8 indexed (repaired)"
unlike "$ids" 'binary\.md|big\.md' "binary and oversized files not indexed"
ok $([ -z "$(find "$B" -newer "$T/bad.yml" -type f 2>/dev/null)" ]; echo $?) "nothing written into the site"

# ---------------------------------------------------------------- SIGKILL
K=$T/kill; mkdir -p "$K"
for i in $(seq 1 600); do
    d=$K/$((i % 10))/doc$i; mkdir -p "$d"
    { printf -- '---\ntitle: Dokument %d über Verwaltung\n---\n' "$i"
      for p in 1 2 3; do printf '## Abschnitt %d\n\n' "$p"
        for s in $(seq 1 30); do printf 'Die Bürgerinnen und Bürger der Stadt %d beraten Satz %d über Haushalt, Verkehr und Zivilgesellschaft. ' "$i" "$s"; done
        printf '\n\n'; done; } >"$d/index.md"
done
"$F" index --db "$T/k.db" "$K" >/dev/null 2>&1
dump "$T/k.db" >"$T/k-old"
# change a quarter, delete some, add some
for i in $(seq 1 4 600); do echo "Nachtrag $i." >>"$K/$((i % 10))/doc$i/index.md"; done
rm -rf "$K/3/doc3" "$K/3/doc13"; mkdir -p "$K/new/x"; printf '# Neu\nText.\n' >"$K/new/x/index.md"
"$F" index --db "$T/k-clean.db" "$K" >/dev/null 2>&1
dump "$T/k-clean.db" >"$T/k-new"
cmp -s "$T/k-old" "$T/k-new"; ok $([ $? -ne 0 ]; echo $?) "kill test: old and new states differ"
for mode in incremental full; do
    for delay in 0.1 0.2 0.35 0.5 0.8; do
        rm -rf "$T/kk.db"; cp -a "$T/k.db" "$T/kk.db"
        extra=""; [ "$mode" = full ] && extra=--full
        "$F" index --db "$T/kk.db" $extra "$K" >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
        dump "$T/kk.db" >"$T/kk-mid" 2>/dev/null
        if cmp -s "$T/kk-mid" "$T/k-old" || cmp -s "$T/kk-mid" "$T/k-new"; then
            ok 0 "$mode, killed after ${delay}s: index holds the old or the new revision completely"
        else
            ok 1 "$mode, killed after ${delay}s: index holds the old or the new revision completely"
            diff "$T/k-old" "$T/kk-mid" | head -5 | sed 's/^/#   /'
        fi
        "$F" index --db "$T/kk.db" "$K" >/dev/null 2>&1
        cmp -s <(dump "$T/kk.db") "$T/k-new"
        ok $? "$mode, killed after ${delay}s: next run converges to a clean build"
        is "$(ls "$T/kk.db" | grep -cv '^gen-\|^XAPIANDB$\|^lock$\|^wordlist\.cache$')" 0 "$mode, ${delay}s: no leftovers"
    done
done

# ---------------------------------------------------------------- the real site
if [ -n "$SHARED" ] && [ -d "$SHARED/corpus/oic-site" ]; then
    out=$("$F" index --db "$T/oic.db" "$SHARED/corpus/oic-site" 2>"$T/err")
    like "$out" '\(89 documents\)' "oic-site: 89 documents"
    unlike "$(dump "$T/oic.db" | cut -f1)" '^_sounds/' "oic-site: _sounds (noindex by defaults) absent"
else
    skip "no \$SHARED/corpus/oic-site"
    skip "no \$SHARED/corpus/oic-site"
fi

tap_done
