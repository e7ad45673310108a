#!/usr/bin/python3
"""lbd_idle.py HOST PORT N HOLD: open N keep-alive connections, make one
request on each, keep them all open and idle for HOLD seconds (the proxy's
memory is read meanwhile), print how many got a 200."""
import asyncio
import sys


async def one(host, port, ok, hold, gate):
    try:
        async with gate:  # a few at a time: idle memory, not the peak of a burst
            r, w = await asyncio.open_connection(host, port)
            w.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await w.drain()
            data = await asyncio.wait_for(r.read(4096), 10)
            if data.startswith(b"HTTP/1.1 200"):
                ok.append(1)
        await hold.wait()
        w.close()
    except (OSError, asyncio.TimeoutError):
        pass


async def main(host, port, n, secs):
    ok, hold, gate = [], asyncio.Event(), asyncio.Semaphore(50)
    tasks = [asyncio.create_task(one(host, port, ok, hold, gate)) for _ in range(n)]
    for _ in range(600):
        await asyncio.sleep(0.1)
        if len(ok) >= n:
            break
    print(f"ready {len(ok)}", flush=True)
    await asyncio.sleep(secs)
    hold.set()
    await asyncio.gather(*tasks)


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))
