# sized_sites.sh — for tests of rules that start at 100 documents (source it
# after tap.sh).  The test defines `page_text I N`, the text of page I of N;
# index_sized_sites writes and indexes two sites of such pages, "big" (120
# pages) and "small" (60), one on either side of 100, in a folder removed
# on exit; total and ids search one of them.
command -v python3 >/dev/null || skip_all "python3 needed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
index_sized_sites() {
    local s n i
    for s in big:120 small:60; do
        n=${s#*:}
        s=${s%:*}
        mkdir -p "$tmp/$s"
        for i in $(seq 1 "$n"); do
            printf -- '---\ntitle: "Seite %s"\n---\n\n%s\n' "$i" "$(page_text "$i" "$n")" >"$tmp/$s/seite-$i.md"
        done
        "$FINDLING" index --quiet --db "$tmp/$s.db" "$tmp/$s" >/dev/null 2>&1
        ok $? "index the $s site"
    done
}
# total QUERY [big|small]: the search's total
total() { "$FINDLING" search --db "$tmp/${2:-big}.db" --json "$1" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
# ids QUERY [big|small]: the ids of the first 100 hits, sorted, space-separated
ids() { "$FINDLING" search --db "$tmp/${2:-big}.db" --format ids --limit 100 "$1" 2>/dev/null |
    sed 's/\.md$//' | sort -V | tr '\n' ' '; }
