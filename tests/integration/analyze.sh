#!/usr/bin/env bash
# analyze.sh — `findling analyze`: text, --json, --query, --stem, usage errors.
. "$(dirname "$0")/../lib/tap.sh"

out=$("$FINDLING" analyze 'Bürger*innen im Kündigungsschutzgesetz' 2>&1); st=$?
is "$st" 0 "analyze exits 0"
like "$out" '^Bürger\*innen  → exact bürgerinnen  stem burg  gender-base bürger' "gender form: one line, exact, stem, base"
like "$out" 'terms: burg Ebürgerinnen' "index terms of Bürger*innen"
like "$out" 'Pgesetz' "compound part term"
like "$out" '^im  → .*stopword' "stop word flagged"
is "$(printf '%s\n' "$out" | grep -c '→')" 3 "three tokens"

# text from standard input
out=$(printf 'Zivilgesellschaft\n' | "$FINDLING" analyze); st=$?
is "$st" 0 "stdin input exits 0"
like "$out" 'parts zivil\+gesellschaft' "stdin text analysed"

# --query: stop words dropped, E/stem/P terms
out=$("$FINDLING" analyze --query 'die Gesellschaft'); st=$?
is "$st" 0 "--query exits 0"
like "$out" '^die  \(stop word: not searched\)' "--query drops stop words"
like "$out" '^Gesellschaft  → gesellschaft Egesellschaft Pgesellschaft$' "--query terms"

# --json parsed by python3 (or jq)
json=$("$FINDLING" analyze --json 'Expert:innen § 622 am 15.01.2026' ); st=$?
is "$st" 0 "--json exits 0"
if command -v python3 >/dev/null; then
    res=$(printf '%s' "$json" | python3 -c '
import json,sys
d=json.load(sys.stdin)
print(len(d), d[0]["token"], d[0]["stem"], ",".join(d[0]["flags"]), d[1]["kind"], d[1]["exact"], " ".join(d[1]["terms"]), d[3]["exact"], d[2]["terms"] != [])')
    is "$res" "4 Expert:innen expert gender citation §622 §622 E§622 P622 2026-01-15 True" "--json content"
else
    skip "python3 missing"
fi
json=$("$FINDLING" analyze --json --query 'und')
if command -v python3 >/dev/null; then
    res=$(printf '%s' "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[0]["terms"], "stopword" in d[0]["flags"])')
    is "$res" "[] True" "--json --query: stop word has no terms"
else
    skip "python3 missing"
fi
json=$("$FINDLING" analyze --json '')
is "$json" "[]" "--json of empty text is []"

# --stem
out=$(printf 'Bürgerinnen\nkategorischen\n\nRueckblick\n' | "$FINDLING" analyze --stem); st=$?
is "$st" 0 "--stem exits 0"
is "$out" "$(printf 'burg\nkategor\n\nruckblick')" "--stem: one stem per line, empty line kept"
if [ -n "$SHARED" ] && [ -f "$SHARED/reference/snowball-german/voc.txt" ]; then
    if "$FINDLING" analyze --stem < "$SHARED/reference/snowball-german/voc.txt" |
        diff -q - "$SHARED/reference/snowball-german/output.txt" >/dev/null; then
        ok 0 "--stem reproduces the Snowball reference (35,033 words)"
    else
        ok 1 "--stem reproduces the Snowball reference (35,033 words)"
    fi
else
    skip "no shared reference vocabulary"
fi

# options
out=$("$FINDLING" analyze --no-compounds Zivilgesellschaft)
unlike "$out" 'parts' "--no-compounds"
out=$("$FINDLING" analyze --no-gender Expertin)
unlike "$out" 'gender' "--no-gender"

# help and usage errors
out=$("$FINDLING" analyze --help); st=$?
is "$st" 0 "--help exits 0"
like "$out" 'Usage: findling analyze' "--help shows usage"
like "$out" 'Examples:' "--help has examples"
"$FINDLING" analyze --bogus x >/dev/null 2>&1; is "$?" 2 "unknown option: exit 2"
"$FINDLING" analyze --stem word >/dev/null 2>&1; is "$?" 2 "--stem with TEXT: exit 2"
"$FINDLING" analyze --wordlist >/dev/null 2>&1; is "$?" 2 "--wordlist without FILE: exit 2"
err=$("$FINDLING" analyze --wordlist /nonexistent/list x 2>&1 >/dev/null); st=$?
is "$st" 1 "unreadable word list: exit 1"
like "$err" '/nonexistent/list' "message names the word list"

# invalid UTF-8 is repaired, not fatal
out=$(printf 'Stra\xffe' | "$FINDLING" analyze 2>&1); st=$?
is "$st" 0 "invalid UTF-8: still exits 0"
like "$out" 'invalid UTF-8' "invalid UTF-8: warning"

tap_done
