#!/bin/sh
# bench/query.sh BUILD_DIR — query latency on the laws (issue 5, point 10).
#
# The same query list (bench/queries-laws.txt, >= 50 queries of every kind)
# in one run against:
#   findling — in-process fl_search_run (bench/query_latency.c): top 10 with
#              excerpts, sections and facets; 1 warm-up round, then
#              $BENCH_QUERY_ROUNDS (5) timed rounds;
#   PostgreSQL — German full-text search on a throwaway cluster, timed on the
#              server (a plpgsql loop around EXECUTE with clock_timestamp):
#              ts_rank top 10, and ts_rank top 10 + ts_headline.
# Reports median, p95, p99 (nearest rank, like percentile_disc).
. "$(dirname "$0")/lib.sh"
bench_begin query "Query latency on the laws corpus" "$@"

ROUNDS=${BENCH_QUERY_ROUNDS:-5}
PG_ROUNDS=${BENCH_PG_ROUNDS:-5}
PG_HL_ROUNDS=${BENCH_PG_HEADLINE_ROUNDS:-3}
NQ=$(grep -vc '^#' "$BENCH_QUERIES" || true)

if ! LAWS=$(bench_laws); then
    bench_skip "query section" "the laws corpus is not available (../shared/corpus/gesetze-md.tar.xz)"
    bench_end
    exit 0
fi
W=$(bench_tmpdir)

# ---------------------------------------------------------------- findling
FL_MEDIAN=""
if ! bench_tool query_latency; then
    bench_skip "findling queries" "$BENCH_BIN/query_latency not built (fl_search/analyzer/wrapper not landed?)"
elif ! bench_findling_can index; then
    bench_skip "findling queries" "findling index is not implemented yet: no laws index to query"
elif ! DB=$(bench_laws_db "$LAWS"); then
    bench_skip "findling queries" "could not build the laws index"
else
    bench_say "  findling: $NQ queries, 1 warm-up + $ROUNDS rounds…"
    rc=0
    "$BENCH_BIN/query_latency" "$DB" "$BENCH_QUERIES" "$ROUNDS" 1 >"$W/fl.json" 2>"$W/fl.err" || rc=$?
    if [ $rc -eq 0 ] && jq -e .median_ms "$W/fl.json" >/dev/null 2>&1; then
        FL_MEDIAN=$(jq -r .median_ms "$W/fl.json")
        p95=$(jq -r .p95_ms "$W/fl.json")
        p99=$(jq -r .p99_ms "$W/fl.json")
        note="$(jq -r '"\(.queries) queries x \(.rounds) rounds, \(.errors) rejected, \(.no_hits | length) without hits"' "$W/fl.json")"
        bench_row "findling: median" "$FL_MEDIAN" ms "<= 5 (goal 2)" "$(bench_check "$FL_MEDIAN" '<=' 5)" "$note"
        bench_row_minor "findling: p95" "$p95" ms "" info
        bench_row "findling: p99" "$p99" ms "<= 25" "$(bench_check "$p99" '<=' 25)"
        jq -r '.kinds | to_entries[] | "\(.key)\t\(.value.median_ms)\t\(.value.p99_ms)"' "$W/fl.json" |
            while IFS='	' read -r kind med p99k; do
                bench_row_minor "findling: median, $kind" "$med" ms "" info "p99 $p99k ms"
            done
        bench_detail findling "$W/fl.json"
    else
        bench_skip "findling queries" "query_latency failed (exit $rc): $(tail -n 2 "$W/fl.err")"
    fi
fi

# ---------------------------------------------------------------- PostgreSQL
# The PostgreSQL half, in a function: called in a condition (set -e does not
# apply there), so every step checks.
pg_queries() {
    bench_psql -c 'CREATE TABLE bq (id int PRIMARY KEY, kind text, q text)' || return 1
    bench_psql -c 'COPY bq FROM STDIN (FORMAT csv)' <"$W/q.csv" || return 1
    bench_psql <<'EOF' || return 1
SET client_min_messages = warning;
CREATE TABLE bt (id int, mode text, round int, ms float8, n int);
-- Plans every statement afresh with its actual query (EXECUTE), as a client
-- sending the query would; the time includes parsing the user's text.
CREATE FUNCTION bench_run(mode text, rounds int, warmup int) RETURNS void
LANGUAGE plpgsql AS $f$
DECLARE
    r record; t0 timestamptz; tq tsquery; n int; stmt text;
BEGIN
    IF mode = 'rank' THEN
        stmt := 'SELECT count(*) FROM (SELECT path FROM laws WHERE tsv @@ $1
                 ORDER BY ts_rank(tsv, $1) DESC LIMIT 10) s';
    ELSE
        stmt := 'SELECT count(*) + 0 * sum(length(h)) FROM (
                   SELECT ts_headline(''german'', body, $1) AS h FROM (
                     SELECT body FROM laws WHERE tsv @@ $1
                     ORDER BY ts_rank(tsv, $1) DESC LIMIT 10) t) s';
    END IF;
    FOR i IN 1 .. warmup + rounds LOOP
        FOR r IN SELECT * FROM bq WHERE q <> '-' ORDER BY id LOOP
            t0 := clock_timestamp();
            IF r.q LIKE '%:*%' THEN
                tq := to_tsquery('german', r.q);
            ELSE
                tq := websearch_to_tsquery('german', r.q);
            END IF;
            EXECUTE stmt INTO n USING tq;
            IF i > warmup THEN
                INSERT INTO bt VALUES (r.id, mode,
                    i - warmup, extract(epoch FROM clock_timestamp() - t0) * 1000, n);
            END IF;
        END LOOP;
    END LOOP;
END $f$;
EOF
    bench_say "  PostgreSQL: ts_rank top 10, 1 warm-up + $PG_ROUNDS rounds…"
    bench_psql -c "SET client_min_messages = warning" -c "SELECT bench_run('rank', $PG_ROUNDS, 1)" >/dev/null || return 1
    bench_say "  PostgreSQL: ts_rank top 10 + ts_headline, 1 warm-up + $PG_HL_ROUNDS rounds…"
    bench_psql -c "SET client_min_messages = warning" -c "SELECT bench_run('headline', $PG_HL_ROUNDS, 1)" >/dev/null || return 1
    bench_psql -c "
        SELECT json_object_agg(mode, s) FROM (
          SELECT mode, json_build_object(
            'samples', count(*),
            'rounds', max(round),
            'median_ms', round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3),
            'p95_ms', round(percentile_disc(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 3),
            'p99_ms', round(percentile_disc(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 3),
            'max_ms', round(max(ms)::numeric, 3),
            'queries_without_hits', count(DISTINCT id) FILTER (WHERE n = 0),
            'kinds', (SELECT json_object_agg(kind, med) FROM (
                SELECT kind, round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3) AS med
                FROM bt b2 JOIN bq USING (id) WHERE b2.mode = bt.mode GROUP BY kind) k)
          ) AS s FROM bt GROUP BY mode) m" >"$W/pg.json" || return 1
    jq -e '.rank.median_ms and .headline.median_ms' "$W/pg.json" >/dev/null || return 1
    bench_detail postgresql "$W/pg.json"
    for mode in rank headline; do
        label="PostgreSQL ts_rank"
        [ $mode = rank ] || label="PostgreSQL ts_rank+ts_headline"
        med=$(jq -r ".$mode.median_ms" "$W/pg.json")
        bench_row "$label: median" "$med" ms "(peer)" info \
            "$(jq -r ".$mode | \"\(.samples) samples, \(.queries_without_hits) queries without hits\"" "$W/pg.json")"
        bench_row_minor "$label: p95" "$(jq -r ".$mode.p95_ms" "$W/pg.json")" ms "" info
        bench_row "$label: p99" "$(jq -r ".$mode.p99_ms" "$W/pg.json")" ms "" info
        if [ -n "$FL_MEDIAN" ]; then
            r=$(bench_fmt %.1f "$(bench_calc 'a / b' "$med" "$FL_MEDIAN")")
            bench_row "$label median / findling median" "$r" x "" info "findling includes excerpts, sections, facets"
        fi
    done
}

if ! bench_pg_available; then
    bench_skip "PostgreSQL queries" "PostgreSQL server binaries (Debian postgresql) or runuser/nobody not available"
elif ! bench_pg_start || ! bench_pg_load "$LAWS" "$W"; then
    bench_skip "PostgreSQL queries" "could not start the throwaway cluster or load the laws"
else
    # id, kind, PostgreSQL text (column 3, else the query itself) as CSV.
    awk -F'\t' '!/^#/ && NF >= 2 { n++; q = (NF >= 3 && $3 != "") ? $3 : $2
        gsub(/"/, "\"\"", q); gsub(/"/, "\"\"", $1); printf "%d,\"%s\",\"%s\"\n", n, $1, q }' \
        "$BENCH_QUERIES" >"$W/q.csv"
    pg_queries || bench_skip "PostgreSQL queries" "a query step failed: $(tail -n 3 "$BENCH_PG_DIR/server.log" 2>/dev/null)"
fi
bench_pg_stop

bench_end
