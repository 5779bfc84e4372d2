#!/bin/sh
# bench/index.sh BUILD_DIR — building an index of the 6,636 laws (issue 4, point 9).
#
# In one run, on the same files (page cache warmed first):
#   findling index --full            wall, docs/s, MB/s, peak RSS, index size
#   findling index (nothing changed) wall, share of the full build (target < 5 %)
#   findling index (66 files = 1 % changed, in a copy of the corpus)
#   plain Xapian (bench/xapian_baseline.c: TermGenerator + Xapian's German
#     stemmer, one writer, flush threshold 300, one commit)
#   Omega's omindex --stemmer=german
#   PostgreSQL: COPY with a stored to_tsvector('german', body), then GIN
# The full build is left in BUILD/bench/laws.db for the query and serve sections.
. "$(dirname "$0")/lib.sh"
bench_begin index "Indexing the laws corpus" "$@"

if ! LAWS=$(bench_laws); then
    bench_skip "index section" "the laws corpus is not available (../shared/corpus/gesetze-md.tar.xz)"
    bench_end
    exit 0
fi
set -- $(bench_corpus_size "$LAWS")
NDOCS=$1 BYTES=$2
MB=$(bench_calc 'a / 1e6' "$BYTES")
bench_say "  corpus: $NDOCS files, $(bench_fmt %.1f "$MB") MB; warming the page cache"
bench_warm_cache "$LAWS"
W=$(bench_tmpdir)

# rates DOCS SECONDS → sets R_DOCS_S, R_MB_S
rates() {
    R_DOCS_S=$(bench_fmt %.0f "$(bench_calc 'a / b' "$1" "$2")")
    R_MB_S=$(bench_fmt %.2f "$(bench_calc 'a / b' "$MB" "$2")")
}

# ---------------------------------------------------------------- plain Xapian
XB_WALL=""
if bench_tool xapian_baseline; then
    bench_say "  plain Xapian baseline (flush threshold 300, one commit)…"
    bench_timed "$W/xb" "$BENCH_BIN/xapian_baseline" "$W/xb.db" "$LAWS" 300
    if [ "$T_RC" -eq 0 ]; then
        XB_WALL=$T_WALL
        XB_SIZE=$(bench_du_mb "$W/xb.db")
        rates "$NDOCS" "$XB_WALL"
        bench_row "plain Xapian: wall" "$XB_WALL" s "(peer)" info "$R_DOCS_S docs/s, $R_MB_S MB/s, CPU $T_CPU s"
        bench_row "plain Xapian: peak RSS" "$(bench_mb "$T_RSS_KB")" MB "" info
        bench_row "plain Xapian: index size" "$XB_SIZE" MB "" info
        bench_detail xapian_baseline "$W/xb.out"
    else
        bench_skip "plain Xapian baseline" "xapian_baseline failed (exit $T_RC): $(tail -n 2 "$W/xb.err")"
    fi
    rm -rf "$W/xb.db"
else
    bench_skip "plain Xapian baseline" "$BENCH_BIN/xapian_baseline not built (the Xapian wrapper has not landed?)"
fi

# ---------------------------------------------------------------- omindex
OM_WALL=""
if command -v omindex >/dev/null 2>&1; then
    bench_say "  omindex --stemmer=german…"
    bench_timed "$W/om" omindex --db "$W/om.db" --url / --stemmer=german \
        --mime-type=md:text/plain "$LAWS"
    if [ "$T_RC" -eq 0 ]; then
        OM_WALL=$T_WALL
        OM_DOCS=$(xapian-delve "$W/om.db" 2>/dev/null | awk -F'= ' '/number of documents/ { print $2 }')
        rates "${OM_DOCS:-$NDOCS}" "$OM_WALL"
        bench_row "omindex: wall" "$OM_WALL" s "(peer)" info "${OM_DOCS:-?} docs, $R_DOCS_S docs/s, $R_MB_S MB/s, CPU $T_CPU s"
        bench_row "omindex: peak RSS" "$(bench_mb "$T_RSS_KB")" MB "" info
        bench_row "omindex: index size" "$(bench_du_mb "$W/om.db")" MB "" info
    else
        bench_skip "omindex" "omindex failed (exit $T_RC): $(tail -n 2 "$W/om.err")"
    fi
    rm -rf "$W/om.db"
else
    bench_skip "omindex" "omindex not installed (Debian xapian-omega; make bench-deps)"
fi

# ---------------------------------------------------------------- PostgreSQL
PG_WALL=""
if bench_pg_available; then
    bench_say "  PostgreSQL: COPY with to_tsvector('german') + GIN…"
    if bench_pg_start && bench_pg_load "$LAWS" "$W"; then
        PG_WALL=$PG_TOTAL_S
        bench_row "PostgreSQL: COPY + GIN" "$PG_WALL" s "(peer)" info \
            "$PG_ROWS rows; COPY with to_tsvector $PG_COPY_S s, GIN $PG_GIN_S s"
        bench_row "PostgreSQL: size" "$PG_SIZE_MB" MB "" info "table + TOAST + indexes"
    else
        bench_skip "PostgreSQL" "could not start the throwaway cluster or load the laws"
    fi
    bench_pg_stop
else
    bench_skip "PostgreSQL" "PostgreSQL server binaries (Debian postgresql) or runuser/nobody not available"
fi

# ---------------------------------------------------------------- findling
if bench_findling_can index; then
    DB=$BENCH_DIR/laws.db
    rm -rf "$DB"
    bench_say "  findling index --full…"
    bench_timed "$W/full" "$FINDLING" index --full --json --db "$DB" "$LAWS"
    if [ "$T_RC" -eq 0 ] || [ "$T_RC" -eq 1 ]; then
        FULL_WALL=$T_WALL
        FL_DOCS=$(jq -r '.documents // empty' "$W/full.out" 2>/dev/null || true)
        rates "${FL_DOCS:-$NDOCS}" "$FULL_WALL"
        vs="CPU $T_CPU s"
        [ -z "$OM_WALL" ] || vs="$vs; omindex $OM_WALL s"
        bench_row "findling --full: wall" "$FULL_WALL" s "< omindex" \
            "$( [ -n "$OM_WALL" ] && bench_check "$FULL_WALL" '<' "$OM_WALL" || echo info)" "$vs"
        bench_row "findling --full: docs/s" "$R_DOCS_S" docs/s "" info "${FL_DOCS:-?} documents"
        bench_row "findling --full: MB/s" "$R_MB_S" MB/s "" info
        bench_row "findling --full: peak RSS" "$(bench_mb "$T_RSS_KB")" MB "" info
        bench_row "findling --full: index size" "$(bench_du_mb "$DB")" MB "" info
        [ "$T_RC" -eq 0 ] || bench_say "  note: findling index exit 1 (some files skipped): $(head -n 3 "$W/full.err")"
        bench_detail findling_full "$W/full.out"
        if [ -n "$XB_WALL" ]; then
            bench_row "findling / plain Xapian" "$(bench_fmt %.2f "$(bench_calc 'a / b' "$FULL_WALL" "$XB_WALL")")" x "" info
        fi
        if [ -n "$OM_WALL" ]; then
            r=$(bench_fmt %.2f "$(bench_calc 'a / b' "$FULL_WALL" "$OM_WALL")")
            bench_row "findling / omindex" "$r" x "< 1" "$(bench_check "$r" '<' 1)"
        fi
        if [ -n "$PG_WALL" ]; then
            r=$(bench_fmt %.2f "$(bench_calc 'a / b' "$FULL_WALL" "$PG_WALL")")
            bench_row "findling / PostgreSQL" "$r" x "< 1 (goal)" "$(bench_check "$r" '<' 1)"
        fi

        # Nightly run with nothing changed.
        bench_say "  findling index, nothing changed…"
        bench_timed "$W/nochange" "$FINDLING" index --json --db "$DB" "$LAWS"
        if [ "$T_RC" -eq 0 ] || [ "$T_RC" -eq 1 ]; then
            pct=$(bench_fmt %.1f "$(bench_calc 'a * 100 / b' "$T_WALL" "$FULL_WALL")")
            bench_row "findling no-change run: wall" "$T_WALL" s "" info "$pct % of the full build, CPU $T_CPU s"
            bench_row "findling no-change / full" "$pct" % "< 5" "$(bench_check "$pct" '<' 5)"
            bench_detail findling_nochange "$W/nochange.out"
        else
            bench_skip "findling no-change run" "exit $T_RC: $(tail -n 2 "$W/nochange.err")"
        fi

        # 1 % changed: 66 files of a copy of the corpus, indexed into a copy of the index.
        bench_say "  findling index, 1 % of the files changed (in a copy)…"
        cp -al "$LAWS" "$W/laws" 2>/dev/null || { rm -rf "$W/laws"; cp -a "$LAWS" "$W/laws"; }
        cp -a "$DB" "$W/db1"
        nchange=$(bench_calc 'int(a / 100 + 0.5)' "$NDOCS")
        find "$W/laws" -type f -name '*.md' | sort | awk -v n="$nchange" -v t="$NDOCS" \
            'NR % int(t / n) == 1 && c < n { print; c++ }' >"$W/changed.list"
        while IFS= read -r f; do
            # A new file (not an in-place write) so the hard link to the
            # pristine corpus is broken.
            { cat "$f"; printf '\nGeändert für den Benchmark: eine neue Zeile Text.\n'; } >"$f.new"
            mv "$f.new" "$f"
        done <"$W/changed.list"
        bench_timed "$W/pct" "$FINDLING" index --json --db "$W/db1" "$W/laws"
        if [ "$T_RC" -eq 0 ] || [ "$T_RC" -eq 1 ]; then
            pct=$(bench_fmt %.1f "$(bench_calc 'a * 100 / b' "$T_WALL" "$FULL_WALL")")
            upd=$(jq -r '"\(.added // "?") added, \(.updated // "?") updated, \(.deleted // "?") deleted"' "$W/pct.out" 2>/dev/null || echo "?")
            bench_row "findling 1%-changed run: wall" "$T_WALL" s "" info \
                "$(wc -l <"$W/changed.list") files changed: $upd; $pct % of full, CPU $T_CPU s"
            bench_detail findling_1pct "$W/pct.out"
        else
            bench_skip "findling 1%-changed run" "exit $T_RC: $(tail -n 2 "$W/pct.err")"
        fi
        rm -rf "$W/laws" "$W/db1"
    else
        bench_skip "findling index" "findling index --full failed (exit $T_RC): $(tail -n 2 "$W/full.err")"
        rm -rf "$DB"
    fi
else
    bench_skip "findling index" "findling index is not implemented yet in $FINDLING"
fi

bench_end
