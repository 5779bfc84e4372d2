#!/usr/bin/env bash
# browser.sh — the demo search page and the widget in headless Chromium
# (Debian's chromium, driven by playwright-core pinned in
# tests/browser/package-lock.json): typing, results, autocomplete, a facet
# chip, keyboard navigation, a sub-result link, a <script> title shown as
# text.  Saves build/test-artifacts/widget.png.  Skips cleanly when chromium
# or the npm package cannot be had.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/serve.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
    # Chromium is big, so it is not in `make deps`: install it on first use.
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        timeout 600 env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        timeout 600 sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1
    fi
    [ -x "$CHROMIUM" ] || skip_all "chromium is not installed and cannot be installed"
fi
command -v node >/dev/null && command -v npm >/dev/null || skip_all "node/npm missing"
command -v curl >/dev/null || skip_all "curl missing"
BROWSER_DIR=$TOP/tests/browser
if [ ! -f "$BROWSER_DIR/node_modules/playwright-core/package.json" ]; then
    (cd "$BROWSER_DIR" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund >/dev/null 2>&1) ||
        skip_all "npm ci (playwright-core) failed"
fi

SCRATCH=$(mktemp -d)
SPID=""
cleanup() { [ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null; rm -rf "$SCRATCH"; }
trap cleanup EXIT

DB=$SCRATCH/db
rc=0
"$FINDLING" index --quiet --db "$DB" "$TOP/examples/site" >"$SCRATCH/index.out" 2>&1 || rc=$?
[ "$rc" -le 1 ] || skip_all "findling index cannot build the example index (exit $rc)"

"$FINDLING" serve --db "$DB" --listen 127.0.0.1:0 >"$SCRATCH/serve.out" 2>&1 &
SPID=$!
URL=$(serve_url "$SCRATCH/serve.out" "$SPID")
ok "$([ -n "$URL" ] && echo 0 || echo 1)" "server started ($URL)"

ART=$TOP/build/test-artifacts
mkdir -p "$ART"
rm -f "$ART/widget.png"
CHROMIUM=$CHROMIUM timeout 120 node "$BROWSER_DIR/widget-test.js" "$URL" "$ART/widget.png" >"$SCRATCH/out" 2>&1
while IFS= read -r line; do
    case $line in
    PASS\ *) ok 0 "${line#PASS }" ;;
    FAIL\ *) ok 1 "${line#FAIL }" ;;
    *) echo "# $line" ;;
    esac
done <"$SCRATCH/out"
grep -q '^PASS\|^FAIL' "$SCRATCH/out" || ok 1 "the browser script ran"

kill -TERM "$SPID"
wait "$SPID"
is "$?" 0 "server exits 0 on SIGTERM"
SPID=""
tap_done
