#!/usr/bin/env python3
"""Holds idle SMTP connections for bench/idle-connections/run.sh.

Reads commands on stdin, one per line: "open N" opens N more connections (spread over source
addresses 127.0.1.1-127.0.1.250, 40 per address at most) and waits for each one's complete
greeting, then prints "held TOTAL"; "close" (or end of input) closes them all and exits.
Every connection is opened and greeted within a bounded time or the script fails.
"""
import asyncio
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])
PER_ADDRESS = 40
held = []


async def open_one(index):
    source = f"127.0.1.{index // PER_ADDRESS + 1}"
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(HOST, PORT, local_addr=(source, 0)), 30)
    while True:
        line = await asyncio.wait_for(reader.readline(), 30)
        if not line:
            raise RuntimeError("closed before the greeting")
        if line.startswith(b"220 "):
            return reader, writer
        if not line.startswith(b"220-"):
            raise RuntimeError(f"unexpected greeting line {line!r}")


async def main():
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        words = line.split()
        if not words or words[0] == "close":
            break
        if words[0] == "open":
            count = int(words[1])
            start = len(held)
            for batch in range(start, start + count, 500):
                size = min(500, start + count - batch)
                held.extend(await asyncio.gather(*(open_one(batch + i) for i in range(size))))
            print(f"held {len(held)}", flush=True)
    for _, writer in held:
        writer.close()


asyncio.run(main())
