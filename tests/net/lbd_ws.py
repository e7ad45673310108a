#!/usr/bin/python3
"""WebSocket helpers for tests/net/test_lbd_websocket.sh (python3-websockets):
   lbd_ws.py serve HOST PORT        an echo server that tags replies with HOST
   lbd_ws.py client URL N           N text + binary round trips, exit 0 if all echoed
   lbd_ws.py idle URL               stay silent; print after how many ms the connection was closed"""
import asyncio
import os
import sys

import websockets


async def serve(host, port):
    async def echo(ws, path=None):
        async for msg in ws:
            await ws.send(msg)

    async with websockets.serve(echo, host, int(port), max_size=None):
        await asyncio.Future()


async def client(url, n):
    async with websockets.connect(url, max_size=None) as ws:
        for i in range(int(n)):
            text = f"hello {i}"
            await ws.send(text)
            if await ws.recv() != text:
                return 1
            blob = os.urandom(100000 + i)
            await ws.send(blob)
            if await ws.recv() != blob:
                return 1
        await ws.close()
    return 0


async def idle(url):
    import time
    async with websockets.connect(url, ping_interval=None) as ws:
        start = time.monotonic()
        try:
            await asyncio.wait_for(ws.recv(), 10)
        except websockets.ConnectionClosed:
            print(int((time.monotonic() - start) * 1000))
            return 0
    return 1


if __name__ == "__main__":
    if sys.argv[1] == "idle":
        sys.exit(asyncio.run(idle(sys.argv[2])))
    if sys.argv[1] == "serve":
        asyncio.run(serve(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(asyncio.run(client(sys.argv[2], sys.argv[3])))
