#!/usr/bin/python3
"""Slow-loris clients for tests/net/test_lbd_slowloris.sh:
   lbd_slowloris.py HOST PORT N SECONDS
opens N connections, sends a request head one byte every 0.3 s (never
finishing it) and prints how many were answered 408, how many got another
answer and how many were never answered within SECONDS."""
import asyncio
import socket
import sys


async def loris(host, port, deadline, results):
    # The head starts right after the connect, not when the busy event loop
    # comes back to this client: lbd closes a connection that sent nothing
    # within 'timeout http-request' without an answer.
    try:
        sock = socket.create_connection((host, port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        sock.setblocking(False)
        r, w = await asyncio.open_connection(sock=sock)
    except OSError:
        results["connect_failed"] += 1
        return
    loop = asyncio.get_running_loop()
    while loop.time() < deadline:
        try:
            data = await asyncio.wait_for(r.read(64), 0.3)
        except asyncio.TimeoutError:
            try:
                w.write(b"X")
                await w.drain()
            except OSError:
                break
            continue
        except OSError:
            break
        # The answer may come in pieces (a short send is legal): read on
        # until its status line can be told, or the end.
        for _ in range(10):  # at most 3 s more, past the deadline too
            if not data or len(data) >= 12:
                break
            try:
                more = await asyncio.wait_for(r.read(64), 0.3)
            except (asyncio.TimeoutError, OSError):
                continue
            if not more:
                break
            data += more
        key = "408" if data.startswith(b"HTTP/1.1 408") else "other"
        if key == "other":
            print("other answer:", data[:40] or "EOF", file=sys.stderr)
        results[key] += 1
        w.close()
        return
    results["unanswered"] += 1
    w.close()


async def main(host, port, n, secs):
    results = {"408": 0, "other": 0, "unanswered": 0, "connect_failed": 0}
    deadline = asyncio.get_running_loop().time() + secs
    await asyncio.gather(*(loris(host, port, deadline, results) for _ in range(n)))
    print(" ".join(f"{k}={v}" for k, v in results.items()))


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))
