#!/usr/bin/env bash
# replication.sh — an indexer host publishes its index with
# xapian-replicate-server, a query host pulls it with xapian-replicate and
# `findling serve` on the replica follows every new revision (incremental
# changesets and whole copies after a --full swap) with no failed request.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/serve.sh"

for t in xapian-replicate-server xapian-replicate curl jq python3; do
    command -v "$t" >/dev/null || skip_all "$t missing (xapian-tools, curl, jq, python3)"
done

SCRATCH=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$SCRATCH"
}
trap cleanup EXIT

# ------------------------------------------------------------------ options
SITE=$SCRATCH/site
cp -r "$TOP/examples/site" "$SITE"
"$FINDLING" index --changesets 0 --db "$SCRATCH/x" "$SITE" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "--changesets 0: exit 2"
like "$(cat "$SCRATCH/err")" "--changesets" "the error names the option"
printf 'changesets: many\n' >"$SCRATCH/bad.yml"
"$FINDLING" index --config "$SCRATCH/bad.yml" --db "$SCRATCH/x" "$SITE" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "changesets: many in the config: exit 2"
like "$(cat "$SCRATCH/err")" "bad.yml:1: changesets" "the error names file, line and setting"

# --changesets N keeps the newest N changesets; without it none are written.
cp -r "$SITE" "$SCRATCH/site2"
"$FINDLING" index --quiet --db "$SCRATCH/cs" "$SCRATCH/site2" >/dev/null 2>&1
for i in 1 2 3 4; do
    printf '\nNachtrag %s.\n' "$i" >>"$SCRATCH/site2/_beitraege/offenes-labor-musterstadt.md"
    "$FINDLING" index --quiet --changesets 2 --db "$SCRATCH/cs" "$SCRATCH/site2" >/dev/null 2>&1
done
is "$(ls "$SCRATCH"/cs/gen-*/ | grep -c '^changes')" 2 "--changesets 2: the newest two changesets are kept"
printf '\nNachtrag ohne.\n' >>"$SCRATCH/site2/_beitraege/offenes-labor-musterstadt.md"
rm -f "$SCRATCH"/cs/gen-*/changes*
env -u XAPIAN_MAX_CHANGESETS "$FINDLING" index --quiet --db "$SCRATCH/cs" "$SCRATCH/site2" >/dev/null 2>&1
is "$(ls "$SCRATCH"/cs/gen-*/ | grep -c '^changes')" 0 "without --changesets no changeset is written"
# (the site's own settings plus changesets:, so that the run stays incremental)
{ cat "$SCRATCH/site2/findling.yml"; printf '\nchangesets: 3\n'; } >"$SCRATCH/cs.yml"
printf '\nNachtrag config.\n' >>"$SCRATCH/site2/_beitraege/offenes-labor-musterstadt.md"
"$FINDLING" index --quiet --config "$SCRATCH/cs.yml" --db "$SCRATCH/cs" "$SCRATCH/site2" >/dev/null 2>&1
is "$(ls "$SCRATCH"/cs/gen-*/ | grep -c '^changes')" 1 "changesets: in findling.yml turns them on too"

# ------------------------------------------------------------------ master
# The replication server serves every database under its parent folder;
# replicas ask for one by its name there ("idx").
MASTER=$SCRATCH/master
DB=$MASTER/idx
mkdir -p "$MASTER"
"$FINDLING" index --quiet --changesets 10 --db "$DB" "$SITE" >/dev/null 2>&1
is "$?" 0 "master index built"

RPORT=""
for _ in 1 2 3; do
    RPORT=$(free_port)
    xapian-replicate-server -I 127.0.0.1 -p "$RPORT" "$MASTER" >"$SCRATCH/rsrv.log" 2>&1 &
    RSPID=$!
    PIDS+=("$RSPID")
    # up when it accepts a connection
    for _ in $(seq 1 50); do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $RPORT), 0.2)" \
            2>/dev/null && break 2
        kill -0 "$RSPID" 2>/dev/null || break
        sleep 0.05
    done
    kill -9 "$RSPID" 2>/dev/null
    RPORT=""
done
[ -n "$RPORT" ] || { echo "Bail out! xapian-replicate-server did not start: $(cat "$SCRATCH/rsrv.log")"; exit 1; }

REPLICA=$SCRATCH/replica
replicate_once() { # prints the last line of xapian-replicate's verbose report
    local out rc
    out=$(timeout 30 xapian-replicate -h 127.0.0.1 -p "$RPORT" -m idx -o -r 0 -t 10 -v "$REPLICA" 2>&1)
    rc=$?
    printf '%s\n' "$out" | tail -1
    return $rc
}

OUT=$(replicate_once)
ok $? "first replication (one-shot)"
like "$OUT" "1 copies" "the first replication copies the whole database ($OUT)"
like "$(cat "$REPLICA/XAPIANDB" 2>/dev/null)" "^auto replica_[0-9]+" "the replica has xapian-replicate's own stub"
like "$("$FINDLING" search --db "$REPLICA" --json 'Bürger*innen' 2>&1 | jq -r '.total')" '^[1-9][0-9]*$' \
    "findling search reads the replica"
like "$("$FINDLING" stats --db "$REPLICA" 2>&1)" "documents: +29" "findling stats reads the replica"

before=$(cat "$REPLICA/XAPIANDB")
"$FINDLING" index --quiet --db "$REPLICA" "$SITE" >/dev/null 2>"$SCRATCH/err"
is "$?" 3 "findling index refuses to write into a replica"
like "$(cat "$SCRATCH/err")" "not a findling index stub" "and says why"
is "$(cat "$REPLICA/XAPIANDB")" "$before" "the replica's stub is untouched"

# ------------------------------------------------------------------ serve on the replica
"$FINDLING" serve --db "$REPLICA" --listen 127.0.0.1:0 >"$SCRATCH/serve.out" 2>"$SCRATCH/serve.err" &
SPID=$!
PIDS+=("$SPID")
URL=$(serve_url "$SCRATCH/serve.out" "$SPID")
[ -n "$URL" ] || { echo "Bail out! serve on the replica did not start: $(cat "$SCRATCH/serve.err")"; exit 1; }
like "$(curl -s "$URL/api/search?q=Spielplatz" | jq -r .total)" '^[1-9]' "serve answers from the replica"

HOSTPORT=${URL#http://}
python3 "$TOP/tests/lib/load.py" "${HOSTPORT%:*}" "${HOSTPORT##*:}" "$SCRATCH/load.out" "$SCRATCH/stop" &
LOADPID=$!
PIDS+=("$LOADPID")

# ------------------------------------------------------------------ incremental: a changeset
WORD1=Quetzalkoatlprojekt
is "$(curl -s "$URL/api/search?q=$WORD1" | jq -r .total)" 0 "new word not on the replica yet"
F=$SITE/_beitraege/offenes-labor-musterstadt.md
printf '\n\nDas %s startet im Herbst.\n' "$WORD1" >>"$F"
sleep 0.2
"$FINDLING" index --quiet --changesets 10 --db "$DB" "$SITE" >/dev/null 2>&1
is "$?" 0 "incremental run on the master"
ls "$(sed -n 's#^auto #'"$DB"'/#p' "$DB/XAPIANDB")"/changes* >/dev/null 2>&1
ok $? "the incremental run wrote a changeset into the live generation"
is "$(curl -s "$URL/api/search?q=$WORD1" | jq -r .total)" 0 "not on the replica before replicating"
OUT=$(replicate_once)
ok $? "replicate after the incremental run"
like "$OUT" "0 copies, 1 changesets" "only the changeset travelled ($OUT)"
found_within "$WORD1" 5
ok $? "incremental change searchable on the replica's server, no restart"

# ------------------------------------------------------------------ --full: a whole copy
# This time the replica side runs as a daemon polling every second.
xapian-replicate -h 127.0.0.1 -p "$RPORT" -m idx -i 1 -r 0 -t 10 -v "$REPLICA" >"$SCRATCH/repl.log" 2>&1 &
RPID=$!
PIDS+=("$RPID")
WORD2=Xylophonwerkstatt
printf '\n\nDie %s lädt ein.\n' "$WORD2" >>"$F"
sleep 0.2
"$FINDLING" index --full --quiet --changesets 10 --db "$DB" "$SITE" >/dev/null 2>&1
is "$?" 0 "--full rebuild on the master (new generation, new UUID)"
found_within "$WORD2" 15
ok $? "the replica follows the --full rebuild"
found_within "$WORD1" 1
ok $? "the earlier change is still there"
like "$(cat "$SCRATCH/repl.log")" "[1-9] copies" "after the swap the replica got a whole copy"
kill "$RPID" 2>/dev/null
wait "$RPID" 2>/dev/null

touch "$SCRATCH/stop"
wait "$LOADPID"
read -r DONE NBAD <"$SCRATCH/load.out"
is "$NBAD" 0 "zero non-2xx answers in $DONE requests while the replica changed"
[ "$NBAD" != 0 ] && sed 's/^/#   /' "$SCRATCH/load.out"
ok "$([ "${DONE:-0}" -gt 20 ] && echo 0 || echo 1)" "the load loop ran ($DONE requests)"

# ------------------------------------------------------------------ master gone
kill -9 "$RSPID"
wait "$RSPID" 2>/dev/null
timeout 30 xapian-replicate -h 127.0.0.1 -p "$RPORT" -m idx -o -r 0 -t 5 "$REPLICA" >/dev/null 2>&1
ok "$([ $? -ne 0 ] && echo 0 || echo 1)" "replicating from a dead master fails"
found_within "$WORD2" 1
ok $? "the replica keeps serving its last copy"

tap_done
