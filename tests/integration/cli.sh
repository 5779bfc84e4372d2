#!/usr/bin/env bash
# cli.sh — the `findling` binary's top level: help, version, usage errors.
. "$(dirname "$0")/../lib/tap.sh"

out=$("$FINDLING" --help); st=$?
is "$st" 0 "--help exits 0"
for c in index search serve analyze stats; do
    like "$out" "^  $c " "--help lists '$c'"
done
out=$("$FINDLING" --version); st=$?
is "$st" 0 "--version exits 0"
like "$out" '^findling [0-9]+\.[0-9]+\.[0-9]+ \(Xapian 1\.4' "--version names findling and Xapian versions"
"$FINDLING" >/dev/null 2>&1; is "$?" 2 "no command is a usage error (exit 2)"
err=$("$FINDLING" frobnicate 2>&1 >/dev/null); st=$?
is "$st" 2 "unknown command exits 2"
like "$err" "unknown command 'frobnicate'" "unknown command is named in the message"
for c in index search serve analyze stats; do
    "$FINDLING" "$c" --help >/dev/null 2>&1; is "$?" 0 "'$c --help' exits 0"
done
tap_done
