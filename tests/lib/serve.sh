# serve.sh — helpers for the scripts that run `findling serve` (source it
# after tap.sh).

# serve_url OUT PID [TRIES] — prints the URL (no trailing slash) that the
# server PID announced in OUT ("findling serve: listening on URL/ ...") once
# it listens; prints nothing and returns 1 when PID died first or TRIES
# (default 100) × 50 ms passed.
serve_url() {
    local out=$1 pid=$2 tries=${3:-100} url
    for _ in $(seq 1 "$tries"); do
        url=$(sed -n 's#^findling serve: listening on \(http://[^ ]*\)/ .*#\1#p' "$out" | head -1)
        [ -n "$url" ] && { echo "$url"; return 0; }
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# found_within WORD SECONDS — 0 when a search on $URL finds WORD within
# SECONDS (the server picked up a reindex), else 1.
found_within() {
    local word=$1 secs=$2 t0 n
    t0=$(date +%s.%N)
    while :; do
        n=$(curl -s "$URL/api/search?q=$word" | jq -r .total 2>/dev/null)
        [ "${n:-0}" -gt 0 ] 2>/dev/null && return 0
        awk -v a="$t0" -v b="$(date +%s.%N)" -v s="$secs" 'BEGIN{exit !(b-a>s)}' && return 1
        sleep 0.05
    done
}

# free_port — a TCP port free on 127.0.0.1 right now.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
