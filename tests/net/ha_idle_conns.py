#!/usr/bin/python3
"""Idle clients for the planned-handover test:
   ha_idle_conns.py HOST PORT DURINGFILE GOFILE MAXSECS OUT.json
Opens two connections to HOST:PORT at once: "keepalive" sends one GET / and
then stays idle, "silent" never sends anything.  When DURINGFILE appears (the
handover was asked for) it opens a third, "silent_late", that never sends
either, and says how long its connect took (a dropped SYN: over 1 s).  When GOFILE appears (the VIP has moved) the keep-alive client sends
its second request as a careful HTTP client does: on its connection if the
server has not closed it, else on a new one; it must get its 200 (a
connection left open across the move is reset by the new master).  Writes
whether the server closed each connection and how the second request went.
Every wait is bounded by MAXSECS."""
import json
import os
import select
import socket
import sys
import time

host, port, during, go, maxsecs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]), sys.argv[6]
deadline = time.time() + maxsecs
REQ = ("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode()


def get(sock):
    """One request on sock: (status, body, server_closes)."""
    sock.sendall(REQ)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("closed before the response head")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
    n = int(hdrs.get("content-length", "0"))
    while len(body) < n:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("closed inside the body")
        body += chunk
    return status, body.decode(errors="replace").strip(), hdrs.get("connection", "").lower() == "close"


def closed_by_server(sock):
    """True if the server closed (EOF or reset waiting to be read)."""
    r, _, _ = select.select([sock], [], [], 0)
    if not r:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def connect():
    return socket.create_connection((host, port), timeout=5)


res = {"first": None, "second": None, "second_error": None, "second_reused": None}
ka = connect()
silent = connect()
status, body, _ = get(ka)
res["first"] = "%d %s" % (status, body)
late = None
while time.time() < deadline and not os.path.exists(go):
    if late is None and os.path.exists(during):
        t0 = time.time()
        late = connect()
        res["silent_late_connect_ms"] = int((time.time() - t0) * 1000)
    time.sleep(0.005)
res["keepalive_closed"] = closed_by_server(ka)
res["silent_closed"] = closed_by_server(silent)
res["silent_late_opened"] = late is not None
res["silent_late_closed"] = closed_by_server(late) if late is not None else None
try:
    if res["keepalive_closed"]:
        ka.close()
        ka = connect()
        res["second_reused"] = False
    else:
        res["second_reused"] = True
    status, body, _ = get(ka)
    res["second"] = "%d %s" % (status, body)
except Exception as e:  # noqa: BLE001 - any failure is the answer
    res["second_error"] = "%s: %s" % (type(e).__name__, e)
with open(out + ".tmp", "w") as f:
    json.dump(res, f)
os.rename(out + ".tmp", out)
