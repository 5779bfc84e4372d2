# tap.sh — TAP helpers for Findling's shell integration tests (source it).
# Each test script prints "ok N - name" / "not ok N - name" and ends with tap_done.
tap_n=0
tap_failed=0
ok() { # ok CONDITION_EXIT_STATUS NAME...
    local st=$1; shift
    tap_n=$((tap_n + 1))
    if [ "$st" -eq 0 ]; then echo "ok $tap_n - $*"; else echo "not ok $tap_n - $*"; tap_failed=$((tap_failed + 1)); fi
}
check() { # check NAME -- COMMAND...: passes when COMMAND exits 0
    local name=$1; shift; [ "$1" = "--" ] && shift
    if "$@" >/dev/null 2>&1; then ok 0 "$name"; else ok 1 "$name"; echo "#   command failed: $*"; fi
}
is() { # is GOT WANT NAME...
    local got=$1 want=$2; shift 2
    if [ "$got" = "$want" ]; then ok 0 "$*"; else ok 1 "$*"; printf '#        got: %s\n#   expected: %s\n' "$got" "$want"; fi
}
like() { # like TEXT PATTERN NAME... (grep -E pattern)
    local text=$1 pat=$2; shift 2
    if printf '%s' "$text" | grep -Eq -- "$pat"; then ok 0 "$*"; else ok 1 "$*"; printf '#   no match for /%s/ in: %.400s\n' "$pat" "$text"; fi
}
unlike() {
    local text=$1 pat=$2; shift 2
    if printf '%s' "$text" | grep -Eq -- "$pat"; then ok 1 "$*"; printf '#   unexpected /%s/ in: %.400s\n' "$pat" "$text"; else ok 0 "$*"; fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }
tap_done() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }
# Paths: FINDLING (binary under test), TOP (repo root), SHARED (../shared or empty).
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FINDLING:=$TOP/build/findling}"
if [ -z "${SHARED:-}" ] && [ -d "$TOP/../shared" ]; then SHARED=$(cd "$TOP/../shared" && pwd); fi
SHARED=${SHARED:-}
