#!/usr/bin/env bash
# gen_archive.sh — the synthetic archive generator of the scaling bench
# (bench/gen_archive.c): deterministic from its seed, N posts in the site's
# shape, front matter findling reads, and an index over it that searches.
# Uses the built-in vocabulary (no corpus needed); with $SHARED also a short
# run over the laws.
. "$(dirname "$0")/../lib/tap.sh"

GEN=""
for g in "${BUILD:-}/bench-bin/gen_archive" "$TOP/build/bench-bin/gen_archive"; do
    [ -x "$g" ] && { GEN=$g; break; }
done
[ -n "$GEN" ] || skip_all "bench/gen_archive not built (make bench-tools)"
command -v jq >/dev/null || skip_all "jq missing"

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

# ------------------------------------------------------------------ usage errors
"$GEN" >/dev/null 2>&1
is "$?" 2 "no arguments: exit 2"
"$GEN" 0 "$SCRATCH/zero" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "N = 0: exit 2"
"$GEN" --seed x 5 "$SCRATCH/x" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "--seed x: exit 2"
like "$(cat "$SCRATCH/err")" "--seed" "the error names the option"
mkdir "$SCRATCH/full" && touch "$SCRATCH/full/keep"
"$GEN" 5 "$SCRATCH/full" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "a non-empty OUTDIR is refused"
ok "$([ -f "$SCRATCH/full/keep" ] && [ ! -d "$SCRATCH/full/_posts" ] && echo 0 || echo 1)" "and left alone"

# ------------------------------------------------------------------ determinism
"$GEN" --seed 42 300 "$SCRATCH/a" >"$SCRATCH/a.json"
is "$?" 0 "300 posts, seed 42"
"$GEN" --seed 42 300 "$SCRATCH/b" >/dev/null
"$GEN" --seed 43 300 "$SCRATCH/c" >/dev/null
diff -r "$SCRATCH/a" "$SCRATCH/b" >/dev/null
ok $? "same seed: byte-identical trees"
ndiff=$(diff -rq "$SCRATCH/a" "$SCRATCH/c" | wc -l)
ok "$([ "$ndiff" -gt 100 ] && echo 0 || echo 1)" "another seed: other posts ($ndiff differences)"
"$GEN" --seed 42 10 "$SCRATCH/d" >/dev/null
first=$(cd "$SCRATCH/d" && find _posts -name '*.md' | sort | head -1)
cmp -s "$SCRATCH/a/$first" "$SCRATCH/d/$first"
ok $? "a post does not depend on N"
is "$(find "$SCRATCH/a/_posts" -name '*.md' | wc -l | tr -d ' ')" 300 "N files"
is "$(jq -r .documents "$SCRATCH/a.json")" 300 "the JSON summary counts them"
is "$(jq -r .source "$SCRATCH/a.json")" builtin "no corpus: the built-in words"
years=$(find "$SCRATCH/a/_posts" -name '*.md' | sed 's#.*/\([0-9]\{4\}\)-.*#\1#' | sort -u | wc -l)
ok "$([ "$years" -ge 18 ] && echo 0 || echo 1)" "dates spread over 20 years ($years distinct years)"
f=$SCRATCH/a/_posts/$(cd "$SCRATCH/a/_posts" && find . -name '*.md' | sort | head -1)
like "$(head -1 "$f")" '^---$' "a post starts with front matter"
like "$(cat "$f")" '^title: ".+"$' "it has a title"
like "$(cat "$f")" '^categories:$' "and categories"
like "$(grep -h '^author:' "$SCRATCH"/a/_posts/*/*.md | sort -u)" 'Gon(ç|c)alves' "authors from the pool"

# ------------------------------------------------------------------ index and search
"$FINDLING" index --quiet --json --db "$SCRATCH/db" "$SCRATCH/a" >"$SCRATCH/idx.json" 2>"$SCRATCH/idx.err"
is "$?" 0 "findling indexes the generated archive"
is "$(jq -r .documents "$SCRATCH/idx.json")" 300 "every post is a document"
is "$(jq -r .failed "$SCRATCH/idx.json")" 0 "no file failed"
like "$("$FINDLING" search --db "$SCRATCH/db" --json Spielplatz | jq -r .total)" '^[1-9][0-9]*$' "a word of the vocabulary is found"
facets=$("$FINDLING" search --db "$SCRATCH/db" --json 'Stadt' | jq -c '.facets' 2>/dev/null)
like "$facets" '"author"' "author facet present"
# "Maria Gonçalves" and "Maria Goncalves" are one facet value
like "$("$FINDLING" search --db "$SCRATCH/db" --json --author 'Maria Goncalves' '*' | jq -r .total)" '^[1-9]' "both spellings of an author count as one"

# ------------------------------------------------------------------ with the laws
LAWS_TGZ=${SHARED:+$SHARED/corpus/gesetze-md.tar.xz}
if [ -n "$LAWS_TGZ" ] && [ -f "$LAWS_TGZ" ]; then
    mkdir "$SCRATCH/laws"
    # a few laws suffice for the test
    tar -xJf "$LAWS_TGZ" -C "$SCRATCH/laws" --wildcards '*/a*/index.md' 2>/dev/null
    "$GEN" --seed 5 --corpus "$SCRATCH/laws" 50 "$SCRATCH/l1" >"$SCRATCH/l1.json"
    "$GEN" --seed 5 --corpus "$SCRATCH/laws" 50 "$SCRATCH/l2" >/dev/null
    is "$(jq -r .source "$SCRATCH/l1.json")" laws "--corpus: bodies from the laws"
    diff -r "$SCRATCH/l1" "$SCRATCH/l2" >/dev/null
    ok $? "--corpus: same seed, same bytes"
else
    skip "laws corpus not available"
    skip "laws corpus not available"
fi

tap_done
