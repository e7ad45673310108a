#!/usr/bin/python3
"""A flood of slow clients on lbd's stats listener, for
tests/net/test_lbd_stats_flood.sh:
   lbd_stats_flood.py HOST PORT N SECONDS [SOURCE,SOURCE,...]
keeps N connections open for SECONDS, from the source addresses in turn: each sends the start of a request head
and then one more byte every 2 s, never finishing it; a connection the
server closes is opened again at once.  Prints
   connects=A max_held=B max_per_source=C longest=D
A: connections made; B: the most held open at once for at least 0.5 s
(counted each second), C the same for one source address; D: the longest
a connection stayed open, in s."""
import asyncio
import sys


class Flood:
    def __init__(self, host, port, deadline, sources):
        self.host, self.port, self.deadline, self.sources = host, port, deadline, sources
        self.connects = 0
        self.open_since = {}  # id -> time it connected
        self.max_held = 0
        self.max_per_source = 0
        self.longest = 0.0

    async def one(self, key):
        loop = asyncio.get_running_loop()
        while loop.time() < self.deadline:
            try:
                src = self.sources[key % len(self.sources)]
                r, w = await asyncio.open_connection(self.host, self.port,
                                                     local_addr=(src, 0) if src else None)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            self.connects += 1
            start = loop.time()
            self.open_since[key] = start
            try:
                w.write(b"GET /stats HTTP/1.1\r\nX: ")
                while loop.time() < self.deadline:
                    try:
                        data = await asyncio.wait_for(r.read(256), 2.0)
                    except asyncio.TimeoutError:
                        w.write(b"a")
                        await w.drain()
                        continue
                    if not data:
                        break
            except OSError:
                pass
            self.open_since.pop(key, None)
            self.longest = max(self.longest, loop.time() - start)
            w.close()

    async def watch(self):
        loop = asyncio.get_running_loop()
        while loop.time() < self.deadline:
            await asyncio.sleep(1.0)
            now = loop.time()
            per = {}
            for k, t in list(self.open_since.items()):
                if now - t >= 0.5:
                    src = self.sources[k % len(self.sources)]
                    per[src] = per.get(src, 0) + 1
            self.max_held = max(self.max_held, sum(per.values()))
            self.max_per_source = max([self.max_per_source] + list(per.values()))


async def main(host, port, n, secs, sources):
    f = Flood(host, port, asyncio.get_running_loop().time() + secs, sources)
    await asyncio.gather(f.watch(), *(f.one(k) for k in range(n)))
    print(f"connects={f.connects} max_held={f.max_held} max_per_source={f.max_per_source} "
          f"longest={f.longest:.1f}")


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]),
                 sys.argv[5].split(",") if len(sys.argv) > 5 else [None]))
