#!/usr/bin/python3
"""A bounded keep-alive HTTP/1.1 load for the handover/failover tests:
   ha_keepalive_load.py HOST PORT THREADS STOPFILE MAXSECS OUT.json
Each thread sends GET / on one persistent connection, opens a new one when
the server says "Connection: close" or closes it, and counts every request
that did not get a complete 200 answer as failed (a strict client: no retry,
not even of a request on a reused connection).  Runs until STOPFILE exists
(or MAXSECS), then writes a JSON summary: requests, failures (with their
errors), which node answered (the body), the longest time without a
success, and the connects that took over 0.9 s (a SYN retransmitted)."""
import http.client
import json
import os
import sys
import threading
import time

host, port, nthreads, stop, maxsecs, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5]), sys.argv[6]
lock = threading.Lock()
res = {"requests": 0, "ok": 0, "failed": 0, "errors": [], "by_node": {}, "slow_connects": 0,
       "connects": 0, "closes": 0}
successes = []
deadline = time.time() + maxsecs


def run():
    conn = None
    while time.time() < deadline and not os.path.exists(stop):
        t0 = time.time()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=10)
                conn.connect()
                took = time.time() - t0
                with lock:
                    res["connects"] += 1
                    if took > 0.9:
                        res["slow_connects"] += 1
            conn.request("GET", "/")
            r = conn.getresponse()
            body = r.read().decode(errors="replace").strip()
            if r.status != 200:
                raise RuntimeError("status %d" % r.status)
            with lock:
                res["requests"] += 1
                res["ok"] += 1
                res["by_node"][body] = res["by_node"].get(body, 0) + 1
                successes.append(time.time())
            if r.will_close:
                conn.close()
                conn = None
                with lock:
                    res["closes"] += 1
        except Exception as e:  # noqa: BLE001 - every failure counts
            with lock:
                res["requests"] += 1
                res["failed"] += 1
                res["errors"].append("%.3f %s: %s" % (time.time(), type(e).__name__, e))
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.01)
        time.sleep(0.005)


threads = [threading.Thread(target=run) for _ in range(nthreads)]
for t in threads:
    t.start()
for t in threads:
    t.join()
successes.sort()
gap = max((b - a for a, b in zip(successes, successes[1:])), default=0.0)
res["max_gap_ms"] = int(gap * 1000)
with open(out + ".tmp", "w") as f:
    json.dump(res, f)
os.rename(out + ".tmp", out)
