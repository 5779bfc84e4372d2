#!/usr/bin/env python3
"""hostile.py — a hostile HTTP client for `findling serve` (tests/integration/hostile.sh).

    hostile.py HOST PORT PID [--rounds N] [--rss-bound-mb M]

Sends malformed and oversized requests over raw sockets (10 MB query strings,
thousands of parameters, broken percent-encoding and UTF-8, path traversal,
header floods, odd methods with bodies, protocol garbage) while holding
slow-loris connections that never finish their headers and idle keep-alive
connections, and while a normal client searches every 100 ms.  It reads the
server's RSS and open descriptors from /proc/PID before and after.

Output: "# ..." diagnostics and one line per check, "RESULT 0|1 name", which
the shell test turns into TAP.  Exit status 0 unless the client itself broke.
"""
import concurrent.futures
import os
import socket
import sys
import threading
import time

HOST, PORT, PID = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ROUNDS = 2
RSS_BOUND_MB = 24.0
args = sys.argv[4:]
while args:
    a = args.pop(0)
    if a == "--rounds":
        ROUNDS = int(args.pop(0))
    elif a == "--rss-bound-mb":
        RSS_BOUND_MB = float(args.pop(0))

results = []
lock = threading.Lock()


def result(passed, name):
    with lock:
        results.append(name)
        print("RESULT %d %s" % (0 if passed else 1, name), flush=True)


def diag(msg):
    with lock:
        print("# " + msg, flush=True)


def rss_kb():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def nfds():
    return len(os.listdir("/proc/%d/fd" % PID))


def connect(timeout=10.0):
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(s, head_only=False):
    """Reads one response: (status, headers dict, body) or (None, {}, b"") when
    the server closed or reset the connection before a full status line."""
    buf = b""
    try:
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except socket.timeout:
        if not buf:
            return "timeout", {}, b""
    except (ConnectionResetError, BrokenPipeError, OSError):
        pass
    if b"\r\n\r\n" not in buf:
        if buf.startswith(b"HTTP/"):
            try:
                return int(buf.split(b" ", 2)[1]), {}, b""
            except (ValueError, IndexError):
                pass
        return None, {}, b""
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ", 2)[1])
    except (ValueError, IndexError):
        return None, {}, b""
    headers = {}
    for ln in lines[1:]:
        if b":" in ln:
            k, v = ln.split(b":", 1)
            headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    n = int(headers.get("content-length", "0") or 0)
    if head_only or status in (204, 304):
        n = 0
    try:
        while len(body) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
    except (ConnectionResetError, socket.timeout, OSError):
        pass
    return status, headers, body


def send_raw(data, head_only=False, timeout=10.0, half_close=False):
    """Sends raw bytes on a new connection; returns (status or None, body);
    status "timeout" when the server neither answered nor closed within
    `timeout` (it waits for the rest of a request it cannot parse, or holds a
    connection libmicrohttpd could not answer, until its --timeout)."""
    try:
        s = connect(timeout)
    except OSError as e:
        return "connect-failed: %s" % e, b""
    try:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused to read it all: fine, look for an answer
        except socket.timeout:
            return None, b""
        status, _, body = read_response(s, head_only)
        return status, body
    finally:
        s.close()


def get(path, extra=b"", method=b"GET"):
    return (method + b" " + path + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + extra +
            b"\r\n")


# ------------------------------------------------------------------ the normal client

class Prober(threading.Thread):
    """Searches every 100 ms over a fresh connection; records latencies."""

    def __init__(self):
        super().__init__(daemon=True)
        self.lat = []
        self.failures = []
        self.stop = threading.Event()

    def run(self):
        req = get(b"/api/search?q=B%C3%BCrger&limit=5")
        while not self.stop.is_set():
            t0 = time.monotonic()
            st, body = send_raw(req, timeout=10)
            dt = time.monotonic() - t0
            self.lat.append(dt)
            if st != 200 or b'"total"' not in body:
                self.failures.append(str(st))
            self.stop.wait(0.1)


# ------------------------------------------------------------------ held connections

class Holder(threading.Thread):
    """Opens n_loris connections that send a request line and then a header
    line every 2 s without ever ending the headers, n_silent that send
    nothing, and n_idle keep-alive connections that completed a request and
    stay idle."""

    def __init__(self, n_loris, n_silent, n_idle):
        super().__init__(daemon=True)
        self.n = (n_loris, n_silent, n_idle)
        self.socks = []
        self.loris = []
        self.opened = threading.Event()
        self.stop = threading.Event()
        self.idle_ok = 0
        self.errors = []

    def run(self):
        n_loris, n_silent, n_idle = self.n
        try:
            for i in range(n_loris):
                s = connect()
                s.sendall(b"GET /api/search?q=slow%d HTTP/1.1\r\nHost: t\r\n" % i)
                self.loris.append(s)
            for _ in range(n_silent):
                self.socks.append(connect())
            for _ in range(n_idle):
                s = connect()
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                st, h, _ = read_response(s)
                if st == 200 and h.get("connection", "").lower() != "close":
                    self.idle_ok += 1
                self.socks.append(s)
        except OSError as e:
            self.errors.append(str(e))
        self.opened.set()
        k = 0
        while not self.stop.wait(2.0):
            k += 1
            for s in self.loris:
                try:
                    s.sendall(b"X-Slow-%d: %d\r\n" % (k, k))
                except OSError:
                    pass

    def still_open(self):
        """Held connections the server has not closed (non-blocking peek)."""
        n = 0
        for s in self.loris + self.socks:
            try:
                s.setblocking(False)
                d = s.recv(1, socket.MSG_PEEK)
                if d:
                    n += 1  # it sent something (e.g. a 408) but the socket is open
            except BlockingIOError:
                n += 1
            except OSError:
                pass
        return n

    def close_all(self):
        self.stop.set()
        for s in self.loris + self.socks:
            try:
                s.close()
            except OSError:
                pass


# ------------------------------------------------------------------ the cases

TEN_MB = 10 * 1024 * 1024
CASES = []  # (name, raw request, expect) expect: "4xx" = 4xx or dropped; "no5xx"; "asset"


def case(name, data, expect="4xx", **kw):
    CASES.append((name, data, expect, kw))


# Oversized
case("10 MB query string", get(b"/api/search?q=" + b"a" * TEN_MB))
case("10 MB percent-encoded query string", get(b"/api/search?q=" + b"%41" * (TEN_MB // 3)))
case("10 MB path", get(b"/" + b"x" * TEN_MB))
case("100 KB query string", get(b"/api/search?q=" + b"b" * 100000))
case("5000 parameters", get(b"/api/search?q=a" + b"&x=1" * 5000))
case("20000 parameters", get(b"/api/search?q=a" + b"&x" * 20000))
case("3000 repeated q", get(b"/api/search" + b"?q=a" + b"&q=a" * 3000))
case("2000 facet values", get(b"/api/search?q=a" + b"&category=c" * 2000))
case("2000 suggest parameters", get(b"/api/suggest?q=a" + b"&limit=3" * 2000))
case("q of 513 characters", get(b"/api/search?q=" + b"%C3%A4" * 513))
case("limit of 10 KB digits", get(b"/api/search?q=a&limit=" + b"9" * 10000))
case("offset overflow", get(b"/api/search?q=a&offset=99999999999999999999"))
# Percent-encoding and UTF-8
for enc in [b"%", b"%G1", b"%4", b"abc%", b"%%41", b"%00", b"a%00b", b"%FF", b"%C3%28", b"%C0%AF",
            b"%ED%A0%80", b"%F4%90%80%80", b"%F8%88%80%80%80", b"%E2%82", b"\xff\xfe", b"\x80",
            b"%C3%A4%C3"]:
    case("search q=%r" % enc, get(b"/api/search?q=" + enc))
    case("suggest q=%r" % enc, get(b"/api/suggest?q=" + enc))
case("bad encoding in a parameter name", get(b"/api/search?q=a&%ZZ=1"))
case("bad UTF-8 in a facet value", get(b"/api/search?q=a&category=%FF"))
case("bad UTF-8 in since", get(b"/api/search?q=a&since=%C0%80"))
case("NUL in the path", get(b"/api/search%00?q=a"))
case("bad UTF-8 in the path", get(b"/%FF%FE"))
# Path traversal: never a file outside the assets
for p in [b"/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/widget.js/../../x",
          b"/..%2f..%2fetc%2fpasswd", b"/%2e%2e%2f%2e%2e%2fetc%2fpasswd", b"//etc/passwd",
          b"/etc/passwd", b"/....//....//etc/passwd", b"/%252e%252e/%252e%252e/etc/passwd",
          b"/..\\..\\etc\\passwd", b"/%c0%ae%c0%ae/etc/passwd", b"/widget.js%00.html",
          b"/widget.js/", b"/proc/self/environ", b"/proc/self/cmdline", b"/./widget.js",
          b"/widget.js/../widget.css", b"../../etc/passwd", b"http://t/../../etc/passwd",
          b"/api/../../../etc/passwd", b"/api/search/../../etc/passwd?q=a", b"/.git/config",
          b"/widget.js?../../etc/passwd", b"/%2Fetc%2Fpasswd", b"*"]:
    case("traversal %r" % p, get(p), expect="asset")
# Methods and bodies
case("POST with a 1 MB body", b"POST /api/search?q=a HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % (1 << 20) + b"x" * (1 << 20))
case("POST with a body never sent", b"POST /api/search?q=a HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
case("POST chunked", b"POST /api/search?q=a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1000\r\n" + b"x" * 4096 + b"\r\n0\r\n\r\n")
for m in [b"PUT", b"DELETE", b"PATCH", b"TRACE", b"FOO", b"get"]:
    case("%s with a body" % m.decode(), m + b" /api/search?q=a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello")
case("OPTIONS with a body", b"OPTIONS /api/search?q=a HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: GET\r\nContent-Length: 5\r\n\r\nhello")
case("OPTIONS *", b"OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n")
case("CONNECT", b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n")
case("10 KB method", b"G" * 10000 + b" / HTTP/1.1\r\nHost: t\r\n\r\n")
case("HEAD with a 5000-byte body", b"HEAD /api/search?q=a HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000, head_only=True)
case("GET chunked", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
case("GET with a 1 MB body", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % (1 << 20) + b"x" * (1 << 20))
case("Content-Length and Transfer-Encoding", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
case("negative Content-Length", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n")
case("huge Content-Length", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n")
case("two Content-Lengths", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 5000\r\n\r\n")
case("Content-Length not a number", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n")
# Header floods
case("2000 headers", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\n" + b"".join(b"X-Flood-%d: %s\r\n" % (i, b"v" * 40) for i in range(2000)) + b"\r\n")
case("one 100 KB header", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nX-Big: " + b"v" * 100000 + b"\r\n\r\n")
case("a 10 MB header", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nX-Big: " + b"v" * TEN_MB + b"\r\n\r\n")
case("100 KB header name", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\n" + b"X" * 100000 + b": 1\r\n\r\n")
case("header without colon", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nNoColonHere\r\n\r\n", expect="no5xx")
case("NUL in a header", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nX-A: a\x00b\r\n\r\n", expect="no5xx")
case("missing Host in HTTP/1.1", b"GET /api/search?q=a HTTP/1.1\r\n\r\n")
case("20 KB If-None-Match", get(b"/api/search?q=a", b"If-None-Match: " + b'W/"x", ' * 2500 + b"\r\n"), expect="no5xx")
case("odd Accept-Encoding", get(b"/api/search?q=Stadt", b"Accept-Encoding: gzip;q=nan, *;q=" + b"9" * 3000 + b"\r\n"), expect="no5xx")
case("odd Origin", get(b"/api/search?q=a", b"Origin: " + b"\xff" * 200 + b"\r\n"), expect="no5xx")
case("X-Forwarded-For flood", get(b"/api/search?q=a", b"X-Forwarded-For: " + b"1.2.3.4, " * 2000 + b"\r\n"), expect="no5xx")
# Protocol garbage
case("binary garbage", b"\x00\x01\x02\x03\xff\xfe garbage\r\n\r\n")
case("10000 empty lines", b"\r\n" * 10000)
case("request line without version", b"GET /api/search?q=a\r\n\r\n")
case("HTTP/0.9 style", b"GET /\r\n")
case("HTTP/9.9", b"GET /api/search?q=a HTTP/9.9\r\nHost: t\r\n\r\n", expect="version")
case("HTTP/1.1 with junk after", b"GET /api/search?q=a HTTP/1.1 junk\r\nHost: t\r\n\r\n")
case("spaces in the request target", b"GET /api/search?q=a b c HTTP/1.1\r\nHost: t\r\n\r\n", expect="no5xx")
case("half-closed request", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\n", half_close=True)
case("request smuggling via obs-fold", b"GET /api/search?q=a HTTP/1.1\r\nHost: t\r\nX-A: a\r\n Transfer-Encoding: chunked\r\n\r\n", expect="no5xx")


def check_case(name, data, expect, kw, assets):
    st, body = send_raw(data, timeout=3.0, **kw)
    if st == "timeout":
        return True, "no answer within 3 s"
    if isinstance(st, str):
        return False, st
    if body and (b"root:x:0" in body or b"root:" in body[:200] or b"PATH=" in body or
                 b"[core]" in body):
        return False, "served a file outside the assets (%d)" % (st or 0)
    if expect == "asset":
        good = st is None or 400 <= st < 500 or (st == 200 and body in assets)
    elif expect == "no5xx":
        good = st is None or st < 500
    elif expect == "version":
        # libmicrohttpd answers an HTTP version it does not speak with 505,
        # the status RFC 9110 prescribes; anything else must be 4xx or a drop.
        good = st is None or 400 <= st < 500 or st == 505
    else:
        good = st is None or 400 <= st < 500
    return good, "dropped" if st is None else str(st)


def main():
    assets = set()
    for p in [b"/", b"/widget.js", b"/widget.css"]:
        st, body = send_raw(get(p))
        if st == 200:
            assets.add(body)
    result(len(assets) == 3, "the demo page and the widget assets are served (%d)" % len(assets))

    # Warm up: every worker thread opens its index handle; pools and arenas settle.
    for _ in range(60):
        send_raw(get(b"/api/search?q=Stadt&limit=3"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda c: send_raw(c[1], timeout=3.0, **c[3]), CASES))
    time.sleep(0.5)
    rss0, fd0 = rss_kb(), nfds()
    diag("before the attack: RSS %d KB, %d descriptors" % (rss0, fd0))

    prober = Prober()
    prober.start()
    time.sleep(0.5)
    holder = Holder(50, 25, 200)
    holder.start()
    holder.opened.wait(60)
    result(not holder.errors, "opened 50 slow-loris, 25 silent and 200 idle keep-alive connections"
           + (": " + "; ".join(holder.errors[:3]) if holder.errors else ""))
    result(holder.idle_ok == 200, "all 200 keep-alive connections got a 200 and stayed open (%d)"
           % holder.idle_ok)
    fd_held = nfds()
    diag("with the connections held: %d descriptors" % fd_held)

    peak = [rss0]
    sampling = threading.Event()

    def sampler():
        while not sampling.wait(0.25):
            try:
                peak[0] = max(peak[0], rss_kb())
            except OSError:
                return
    threading.Thread(target=sampler, daemon=True).start()

    bad = {}
    outcomes = {}
    rss_round = []
    t_attack = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        for rnd in range(ROUNDS):
            futs = {pool.submit(check_case, name, data, expect, kw, assets): name
                    for name, data, expect, kw in CASES}
            for f in concurrent.futures.as_completed(futs):
                name = futs[f]
                good, what = f.result()
                outcomes.setdefault(name, set()).add(what)
                if not good:
                    bad.setdefault(name, what)
            rss_round.append(rss_kb())
    attack_secs = time.monotonic() - t_attack
    still = holder.still_open()
    diag("%d cases x %d rounds in %.1f s; %d of 275 held connections still open at the end"
         % (len(CASES), ROUNDS, attack_secs, still))
    for name in sorted(outcomes):
        diag("  %-60s %s" % (name[:60], ",".join(sorted(outcomes[name]))))
    result(not bad, "every hostile request got a 4xx or was dropped, never a 5xx or a file "
           "outside the assets" + ("; failed: " + "; ".join("%s -> %s" % kv for kv in
                                                             list(bad.items())[:8]) if bad else ""))

    holder.close_all()
    prober.stop.set()
    prober.join()
    sampling.set()
    lat = sorted(prober.lat)
    if lat:
        med = lat[len(lat) // 2]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        diag("normal client during the attack: %d searches, median %.1f ms, p99 %.1f ms, "
             "max %.1f ms" % (len(lat), med * 1e3, p99 * 1e3, lat[-1] * 1e3))
    result(len(lat) >= 10 and not prober.failures,
           "a normal client kept getting answers during the attack (%d searches, %d failed%s)"
           % (len(lat), len(prober.failures),
              ": " + ",".join(prober.failures[:5]) if prober.failures else ""))
    result(bool(lat) and lat[-1] < 2.0,
           "its latency stayed below 2 s (max %.0f ms)" % ((lat[-1] if lat else 0) * 1e3))

    # Let the server notice the closed connections.
    fd1 = nfds()
    for _ in range(100):
        fd1 = nfds()
        if fd1 <= fd0:
            break
        time.sleep(0.1)
    for _ in range(20):
        send_raw(get(b"/api/search?q=Stadt&limit=3"))
    # The last connections may still be closing on the server's side: wait
    # for them as above.  A leak of the attack's ~300 connections would show
    # as hundreds of descriptors; a slack of 2 keeps the check from racing
    # a close in progress without hiding a leak.
    for _ in range(50):
        if nfds() <= fd0:
            break
        time.sleep(0.1)
    rss1, fd1 = rss_kb(), nfds()
    diag("after the attack: RSS %d KB (peak %d KB, after each round %s), %d descriptors"
         % (rss1, peak[0], " ".join(str(r) for r in rss_round), fd1))
    result(fd1 <= fd0 + 2, "no descriptor leaked (%d before, %d held during, %d after)"
           % (fd0, fd_held, fd1))
    grow = (rss1 - rss0) / 1024.0
    result(grow < RSS_BOUND_MB, "RSS grew by %.1f MB (bound %.0f MB): %d -> %d KB"
           % (grow, RSS_BOUND_MB, rss0, rss1))
    if len(rss_round) >= 2:
        last = (rss_round[-1] - rss_round[0]) / 1024.0
        result(last < RSS_BOUND_MB / 2, "RSS flat from round 1 to round %d (%+.1f MB)"
               % (len(rss_round), last))
    st, body = send_raw(get(b"/healthz"))
    result(st == 200, "the server still answers /healthz after the attack (%s)" % st)
    # Every request was finished, also those libmicrohttpd gave up on itself
    # (they once leaked and stayed "in flight" forever).  A request of the
    # attack whose client is still sending (slowly) is in flight until the
    # server's idle timeout (15 s) ends it, under a sanitizer some seconds
    # after the attack: wait past that, not forever.
    inflight = None
    for _ in range(200):
        st, body = send_raw(get(b"/metrics"))
        for ln in body.decode("utf-8", "replace").splitlines():
            if ln.startswith("findling_http_requests_in_flight "):
                inflight = int(ln.split()[1])
        if inflight == 1:
            break
        time.sleep(0.1)
    result(inflight == 1, "no request left in flight after the attack (/metrics says %s, "
           "counting itself)" % inflight)


if __name__ == "__main__":
    main()
