# bench/lib.sh — shared by the bench section scripts (sourced, POSIX sh).
#
# A section script does:
#   . "$(dirname "$0")/lib.sh"
#   bench_begin NAME "Title" "$@"      # BUILD dir is $1
#   bench_row "what" VALUE UNIT "target" STATUS "note"
#   bench_skip "part" "reason"         # a part that could not run
#   bench_detail KEY FILE.json         # raw figures kept in the section's JSON
#   bench_end                          # prints the table, writes $BENCH_DIR/NAME.json
#
# Everything temporary lives in directories registered with bench_tmpdir and
# is removed by the EXIT trap, which also stops any PostgreSQL cluster or
# server the section started.  Nothing here talks to anything but 127.0.0.1
# and unix sockets in our own temp dirs.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH_SRC=$TOP/bench

bench_die() { echo "bench: $*" >&2; exit 1; }
bench_say() { printf '%s\n' "$*" >&2; }

# awk does the arithmetic: bench_calc 'expr' [a b c ...] (a..f as variables).
bench_calc() {
    expr=$1; shift
    awk -v a="${1:-0}" -v b="${2:-0}" -v c="${3:-0}" -v d="${4:-0}" -v e="${5:-0}" -v f="${6:-0}" \
        "BEGIN { printf \"%s\", ($expr) }" </dev/null
}
bench_fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }" </dev/null; }

# bench_check VALUE OP LIMIT → ok / miss (OP is < <= > >=); "-" when VALUE is empty.
bench_check() {
    [ -n "$1" ] || { echo "-"; return; }
    awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
        r = (op == "<") ? v < l : (op == "<=") ? v <= l : (op == ">") ? v > l : v >= l
        print r ? "ok" : "miss" }' </dev/null
}

bench_now() { date +%s.%N; }

bench_begin() {
    BENCH_SECTION=$1
    BENCH_TITLE=$2
    shift 2
    [ $# -ge 1 ] || bench_die "usage: $0 BUILD_DIR"
    mkdir -p "$1"
    BUILD=$(cd "$1" && pwd)
    FINDLING=$BUILD/findling
    BENCH_BIN=$BUILD/bench-bin
    BENCH_DIR=$BUILD/bench
    mkdir -p "$BENCH_DIR"
    if [ -z "${SHARED:-}" ] && [ -d "$TOP/../shared" ]; then SHARED=$(cd "$TOP/../shared" && pwd); fi
    SHARED=${SHARED:-}
    BENCH_ROWS=$BENCH_DIR/.$BENCH_SECTION.rows
    BENCH_SKIPS=$BENCH_DIR/.$BENCH_SECTION.skips
    BENCH_DETAILS=$BENCH_DIR/.$BENCH_SECTION.details
    rm -rf "$BENCH_ROWS" "$BENCH_SKIPS" "$BENCH_DETAILS"
    : >"$BENCH_ROWS"
    : >"$BENCH_SKIPS"
    mkdir -p "$BENCH_DETAILS"
    BENCH_STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    BENCH_PG_DIR=""
    BENCH_SERVER_PID=""
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    command -v jq >/dev/null 2>&1 || bench_die "jq is needed (make deps)"
    printf '\n== %s (%s)\n' "$BENCH_TITLE" "$BENCH_SECTION" >&2
}

# A temp dir (on the build's file system) removed on exit.  Called as
# W=$(bench_tmpdir), i.e. in a subshell: the name, not a variable, tells
# bench_cleanup which dirs are ours.
bench_tmpdir() {
    mktemp -d "$BENCH_DIR/tmp-$BENCH_SECTION-$$.XXXXXX"
}

bench_cleanup() {
    rc=$?
    set +e
    if [ -n "$BENCH_SERVER_PID" ]; then
        kill -TERM "$BENCH_SERVER_PID" 2>/dev/null
        i=0
        while kill -0 "$BENCH_SERVER_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$BENCH_SERVER_PID" 2>/dev/null
        wait "$BENCH_SERVER_PID" 2>/dev/null
        BENCH_SERVER_PID=""
    fi
    [ -z "$BENCH_PG_DIR" ] || bench_pg_stop
    rm -rf "$BENCH_DIR/tmp-$BENCH_SECTION-$$".*
    exit $rc
}

# bench_row NAME VALUE UNIT TARGET STATUS NOTE — STATUS: ok, miss or info.
# bench_row_minor: the same, shown in the section's table but not in the summary.
bench_row() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\t1\n' "$1" "$2" "$3" "${4:-}" "${5:-info}" "${6:-}" >>"$BENCH_ROWS"
}
bench_row_minor() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\t0\n' "$1" "$2" "$3" "${4:-}" "${5:-info}" "${6:-}" >>"$BENCH_ROWS"
}

bench_skip() {
    printf '%s\t%s\n' "$1" "$2" >>"$BENCH_SKIPS"
    bench_say "  skipped: $1 — $2"
}

bench_detail() {
    if jq -e . "$2" >/dev/null 2>&1; then cp "$2" "$BENCH_DETAILS/$1.json"; fi
}

bench_end() {
    out=$BENCH_DIR/$BENCH_SECTION.json
    nrows=$(wc -l <"$BENCH_ROWS")
    nskips=$(wc -l <"$BENCH_SKIPS")
    if [ "$nrows" -eq 0 ]; then status=skipped
    elif [ "$nskips" -gt 0 ]; then status=partial
    else status=ran; fi
    details='{}'
    for f in "$BENCH_DETAILS"/*.json; do
        [ -f "$f" ] || continue
        k=$(basename "$f" .json)
        details=$(printf '%s' "$details" | jq --arg k "$k" --slurpfile v "$f" '. + {($k): $v[0]}')
    done
    jq -n --arg section "$BENCH_SECTION" --arg title "$BENCH_TITLE" --arg status "$status" \
        --arg started "$BENCH_STARTED" --arg finished "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --arg host "$(uname -n)" --arg cores "$(nproc 2>/dev/null || echo 0)" \
        --arg load "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)" \
        --rawfile rows "$BENCH_ROWS" --rawfile skips "$BENCH_SKIPS" --argjson details "$details" '
      def num: (tonumber? // .);
      {section: $section, title: $title, status: $status,
       started: $started, finished: $finished,
       machine: {host: $host, cores: ($cores | tonumber), loadavg_at_end: $load},
       rows: [$rows | split("\n")[] | select(length > 0) | split("\t")
              | {name: .[0], value: (.[1] | num), unit: .[2], target: .[3],
                 status: .[4], note: .[5], summary: (.[6] == "1")}],
       skipped: [$skips | split("\n")[] | select(length > 0) | split("\t")
                 | {part: .[0], reason: .[1]}],
       details: $details}' >"$out.tmp"
    mv "$out.tmp" "$out"
    bench_print_table "$BENCH_TITLE" "$BENCH_ROWS"
    if [ "$nskips" -gt 0 ]; then
        while IFS='	' read -r part reason; do
            printf '  skipped: %s — %s\n' "$part" "$reason"
        done <"$BENCH_SKIPS"
    fi
    printf '  -> %s\n' "$out"
    rm -rf "$BENCH_ROWS" "$BENCH_SKIPS" "$BENCH_DETAILS"
}

# bench_print_table TITLE ROWS_TSV [with_section]
bench_print_table() {
    printf '\n%s\n' "$1"
    awk -F'\t' '
      function w(s) { return length(s) }   # the rows are ASCII on purpose
      { n++; for (i = 1; i <= 6; i++) c[n, i] = $i
        if (w($1) > w1) w1 = w($1); if (w($2 " " $3) > w2) w2 = w($2 " " $3); if (w($4) > w4) w4 = w($4) }
      END {
        if (n == 0) { print "  (nothing measured)"; exit }
        if (w1 < 7) w1 = 7; if (w4 < 6) w4 = 6
        printf "  %-" w1 "s  %" w2 "s  %-" w4 "s  %s\n", "measure", "value", "target", "status"
        for (r = 1; r <= n; r++) {
          v = c[r, 2] " " c[r, 3]
          printf "  %-" w1 "s  %" w2 "s  %-" w4 "s  %s%s\n", c[r, 1], v, c[r, 4], c[r, 5], (c[r, 6] != "" ? "  (" c[r, 6] ")" : "")
        }
      }' "$2"
}

# ---------------------------------------------------------------- inputs

# The laws corpus, extracted once into $BENCH_DIR/laws (never into the repo
# tree outside the build dir).  Prints the directory; non-zero when the
# corpus is not available.
bench_laws() {
    tarball=${SHARED:+$SHARED/corpus/gesetze-md.tar.xz}
    dir=$BENCH_DIR/laws
    if [ -f "$dir/.complete" ]; then echo "$dir"; return 0; fi
    if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then return 1; fi
    bench_say "  extracting the laws corpus into $dir (once)"
    rm -rf "$dir" "$dir.partial"
    mkdir -p "$dir.partial"
    # The tarball's top-level README.md and LICENSE are not laws.
    tar -xJf "$tarball" -C "$dir.partial" --exclude=README.md --exclude=LICENSE || {
        rm -rf "$dir.partial"; return 1; }
    touch "$dir.partial/.complete"
    mv "$dir.partial" "$dir"
    echo "$dir"
}

# Number of *.md files and their total bytes under $1: "N BYTES".
bench_corpus_size() {
    find "$1" -type f -name '*.md' -printf '%s\n' | awk '{ n++; s += $1 } END { printf "%d %d", n, s }'
}

# Reads every file once so that the first measured run does not pay the cold cache.
bench_warm_cache() { find "$1" -type f -name '*.md' -exec cat {} + >/dev/null; }

# The queries of the query and serve sections.
BENCH_QUERIES=$BENCH_SRC/queries-laws.txt

# bench_findling_can SUBCOMMAND — whether that subcommand is implemented yet.
bench_findling_can() {
    [ -x "$FINDLING" ] || return 1
    out=$("$FINDLING" "$1" --help 2>&1) || return 1
    case $out in *"not implemented"*) return 1 ;; esac
    return 0
}

# bench_tool NAME — whether the bench program NAME was built (make bench-tools).
bench_tool() { [ -x "$BENCH_BIN/$1" ]; }

# Brings $BENCH_DIR/laws.db up to date with the laws (an incremental run,
# which builds it when missing).  Prints the path; non-zero on failure.
bench_laws_db() {
    laws=$1
    db=$BENCH_DIR/laws.db
    bench_say "  bringing $db up to date (findling index)"
    rc=0
    "$FINDLING" index --quiet --db "$db" "$laws" >"$BENCH_DIR/.laws-db.log" 2>&1 || rc=$?
    # 1 = committed with some files skipped: still usable.
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
        bench_say "  findling index failed (exit $rc): $(tail -n 3 "$BENCH_DIR/.laws-db.log")"
        return 1
    fi
    echo "$db"
}

# ---------------------------------------------------------------- measuring

# bench_timed OUTPREFIX CMD... — runs CMD under GNU time -v (stdout to
# OUTPREFIX.out, stderr to OUTPREFIX.err, time's report to OUTPREFIX.time)
# and sets T_WALL (s), T_CPU (user + system s), T_RSS_KB and T_RC.
bench_timed() {
    p=$1; shift
    T_RC=0
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v -o "$p.time" "$@" >"$p.out" 2>"$p.err" || T_RC=$?
        T_WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0
                     for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$p.time")
        T_RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$p.time")
        T_CPU=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { printf "%.1f", s }' "$p.time")
    else
        t0=$(bench_now)
        "$@" >"$p.out" 2>"$p.err" || T_RC=$?
        T_WALL=$(bench_calc 'b - a' "$t0" "$(bench_now)")
        T_WALL=$(bench_fmt %.2f "$T_WALL")
        T_RSS_KB=""
        T_CPU=""
    fi
}

bench_du_mb() { du -sb "$1" | awk '{ printf "%.0f", $1 / 1e6 }'; }
bench_mb() { [ -n "$1" ] && bench_fmt %.0f "$(bench_calc 'a / 1024' "$1")"; }

# A free TCP port on 127.0.0.1.
bench_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ---------------------------------------------------------------- PostgreSQL
#
# A throwaway cluster: initdb in a fresh temp dir, owned by an unprivileged
# user when we are root, listening on no TCP address at all — only on a unix
# socket inside that dir.  bench_cleanup stops it and deletes it.

bench_pg_available() {
    BENCH_PGBIN=""
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/psql" ]; then BENCH_PGBIN=$d; break; fi
    done
    if [ -z "$BENCH_PGBIN" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        BENCH_PGBIN=$(dirname "$(command -v initdb)")
    fi
    [ -n "$BENCH_PGBIN" ] || return 1
    if [ "$(id -u)" -eq 0 ]; then
        command -v runuser >/dev/null 2>&1 && id nobody >/dev/null 2>&1 || return 1
    fi
    return 0
}

bench_pg_as() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

bench_pg_start() {
    # The cluster's dir must be reachable by the unprivileged user: a fresh
    # dir under $TMPDIR (the build dir's parents may not be).
    BENCH_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/findling-bench-pg.XXXXXX")
    chmod 755 "$BENCH_PG_DIR"
    [ "$(id -u)" -ne 0 ] || chown nobody "$BENCH_PG_DIR"
    locale=C.UTF-8
    locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' && locale=de_DE.UTF-8
    (cd "$BENCH_PG_DIR" && bench_pg_as "$BENCH_PGBIN/initdb" -D "$BENCH_PG_DIR/data" -U bench \
        -A trust -E UTF8 --locale="$locale" >"$BENCH_PG_DIR/initdb.log" 2>&1) || {
        bench_say "  initdb failed: $(tail -n 3 "$BENCH_PG_DIR/initdb.log")"; return 1; }
    (cd "$BENCH_PG_DIR" && bench_pg_as "$BENCH_PGBIN/pg_ctl" -D "$BENCH_PG_DIR/data" \
        -l "$BENCH_PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$BENCH_PG_DIR'" start \
        >"$BENCH_PG_DIR/pg_ctl.log" 2>&1) || {
        bench_say "  PostgreSQL did not start: $(tail -n 3 "$BENCH_PG_DIR/server.log" 2>/dev/null)"; return 1; }
    bench_say "  PostgreSQL $(bench_psql -c 'SHOW server_version') started (unix socket in $BENCH_PG_DIR, no TCP)"
}

# psql on the throwaway cluster: quiet, unaligned, stop on the first error.
bench_psql() {
    (cd "$BENCH_PG_DIR" && bench_pg_as "$BENCH_PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
        -h "$BENCH_PG_DIR" -U bench -d postgres "$@")
}

bench_pg_stop() {
    if [ -n "$BENCH_PG_DIR" ] && [ -d "$BENCH_PG_DIR/data" ]; then
        (cd "$BENCH_PG_DIR" && bench_pg_as "$BENCH_PGBIN/pg_ctl" -D "$BENCH_PG_DIR/data" -m immediate \
            -w stop >/dev/null 2>&1) || true
    fi
    [ -z "$BENCH_PG_DIR" ] || rm -rf "$BENCH_PG_DIR"
    BENCH_PG_DIR=""
}

# bench_pg_load LAWS_DIR WORKDIR — loads the laws: COPY (path, body) into a
# table with a stored generated column to_tsvector('german', body), then a GIN
# index on it — the setup PostgreSQL's manual recommends (ranking reads the
# stored vector instead of re-parsing each law).  The CSV is prepared before
# the clock starts.  Sets PG_COPY_S (COPY including to_tsvector), PG_GIN_S,
# PG_TOTAL_S, PG_SIZE_MB (table + TOAST + indexes), PG_ROWS.
bench_pg_load() {
    csv=$2/laws.csv
    python3 - "$1" >"$csv" <<'EOF' || return 1
import csv, os, sys
root = sys.argv[1]
w = csv.writer(sys.stdout)
for dirpath, dirs, files in os.walk(root):
    dirs.sort()
    for name in sorted(files):
        if name.endswith(".md"):
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                body = f.read().replace("\0", "")
            w.writerow([os.path.relpath(path, root), body])
EOF
    # Called in a condition, where set -e does not apply: every step checks.
    bench_psql -c "CREATE TABLE laws (path text PRIMARY KEY, body text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (to_tsvector('german', body)) STORED)" || return 1
    t0=$(bench_now)
    bench_psql -c 'COPY laws (path, body) FROM STDIN (FORMAT csv)' <"$csv" || return 1
    t1=$(bench_now)
    bench_psql -c 'CREATE INDEX laws_tsv ON laws USING gin (tsv)' || return 1
    t2=$(bench_now)
    bench_psql -c 'VACUUM ANALYZE laws' || return 1
    rm -f "$csv"
    PG_COPY_S=$(bench_fmt %.2f "$(bench_calc 'b - a' "$t0" "$t1")")
    PG_GIN_S=$(bench_fmt %.2f "$(bench_calc 'b - a' "$t1" "$t2")")
    PG_TOTAL_S=$(bench_fmt %.2f "$(bench_calc 'b - a' "$t0" "$t2")")
    PG_SIZE_MB=$(bench_psql -c "SELECT round(pg_total_relation_size('laws') / 1e6)")
    PG_ROWS=$(bench_psql -c 'SELECT count(*) FROM laws')
}
