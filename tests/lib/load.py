"""load.py — two keep-alive clients asking a findling server a mix of requests.

    python3 load.py HOST PORT OUT COUNT      each client sends COUNT requests
    python3 load.py HOST PORT OUT STOPFILE   each sends until STOPFILE exists

Writes OUT: first line "REQUESTS NON_2XX", then up to 20 failed requests
("STATUS PATH").  Used by the tests that reindex or replicate under load
and must see no failed answer.
"""
import http.client
import os
import sys
import threading
import time
import urllib.parse

host, port, out, until = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
count = int(until) if until.isdigit() else 20000
stopfile = None if until.isdigit() else until
paths = ["/api/search?q=" + urllib.parse.quote("Bürger*innen"), "/api/search?q=Labor&category=Methoden",
         "/api/suggest?q=zivi", "/api/search?q=%2A&sort=date&limit=20", "/healthz"]
bad, done, lock = [], [0], threading.Lock()


def run(k):
    c = http.client.HTTPConnection(host, port, timeout=10)
    for i in range(count):
        if stopfile and os.path.exists(stopfile):
            break
        p = paths[(i + k) % len(paths)]
        try:
            c.request("GET", p)
            r = c.getresponse()
            r.read()
            st = r.status
        except Exception as e:
            st = "exc:%s" % e
            c.close()
            c = http.client.HTTPConnection(host, port, timeout=10)
        with lock:
            done[0] += 1
            if not (isinstance(st, int) and 200 <= st < 300):
                bad.append("%s %s" % (st, p))
        time.sleep(0.004)


ts = [threading.Thread(target=run, args=(k,)) for k in range(2)]
for t in ts:
    t.start()
for t in ts:
    t.join()
with open(out, "w") as f:
    f.write("%d %d\n" % (done[0], len(bad)))
    f.write("\n".join(bad[:20]))
