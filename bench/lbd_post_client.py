#!/usr/bin/env python3
"""Keep-alive HTTP/1.1 POST load for large bodies, where wrk cannot go
(wrk 4.x completes one request per connection with bodies above ~2 MiB).

  lbd_post_client.py HOST PORT PATH BODY_FILE CONNECTIONS SECONDS

One thread per connection, each sending its POSTs back to back.  A request's
latency runs from the first byte sent until the whole body is sent and the
whole answer received (the exchange is over: the connection can carry the
next one).  Prints "requests N", "rps X", "p50 Yms", "p99 Zms", "errors E".
"""
import socket
import sys
import threading
import time


def one_conn(host, port, head, body, stop_at, lat, errs):
    s = None
    while time.monotonic() < stop_at:
        try:
            if s is None:
                s = socket.create_connection((host, port), timeout=30)
            t0 = time.monotonic()
            s.sendall(head)
            s.sendall(body)
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("closed before the answer")
                buf += chunk
            hdr, rest = buf.split(b"\r\n\r\n", 1)
            clen = 0
            for line in hdr.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    clen = int(v)
            while len(rest) < clen:
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("closed in the answer")
                rest += chunk
            if not hdr.startswith(b"HTTP/1.1 2"):
                errs.append(hdr.split(b"\r\n", 1)[0])
            else:
                lat.append(time.monotonic() - t0)
        except (OSError, ConnectionError, ValueError) as e:
            errs.append(str(e))
            if s is not None:
                s.close()
            s = None
    if s is not None:
        s.close()


def main():
    host, port, path, body_file, conns, secs = sys.argv[1:7]
    with open(body_file, "rb") as f:
        body = f.read()
    head = ("POST %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/x-protobuf\r\n"
            "Content-Length: %d\r\n\r\n" % (path, host, port, len(body))).encode()
    start = time.monotonic()
    stop_at = start + float(secs)
    lats, errs = [], []
    threads = [threading.Thread(target=one_conn, args=(host, int(port), head, body, stop_at, lats, errs))
               for _ in range(int(conns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    lats.sort()
    pct = lambda q: lats[min(len(lats) - 1, int(q * len(lats)))] * 1e3 if lats else 0.0
    print("requests %d" % len(lats))
    print("rps %.2f" % (len(lats) / took))
    print("p50 %.2fms" % pct(0.50))
    print("p99 %.2fms" % pct(0.99))
    print("errors %d" % len(errs))


if __name__ == "__main__":
    main()
