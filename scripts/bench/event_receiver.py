#!/usr/bin/env python3
"""A client's webhook endpoint for benchmarks: an asyncio HTTP/1.1 server (keep-alive) that answers 204, checks every
delivery's Payments-Signature with the endpoint's secret, and writes one line per second and a final summary to
stdout: deliveries, bad signatures, the times of the first and last delivery.

    event_receiver.py PORT SECRET EXPECTED
Exits when EXPECTED deliveries have arrived (or on SIGTERM), printing `deliveries N bad B first T0 last T1`.
"""
import asyncio
import hashlib
import hmac
import os
import signal
import sys
import time

port, secret, expected = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
state = {"count": 0, "bad": 0, "first": None, "last": None, "ids": set()}
done = asyncio.Event()


def verify(header, body):
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    stamp = next((v for k, v in parts if k == "t"), None)
    if stamp is None:
        return False
    mac = hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(mac, v) for k, v in parts if k == "v1")


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            headers = {}
            for line in head.split(b"\r\n")[1:]:
                if b":" in line:
                    name, value = line.split(b":", 1)
                    headers[name.strip().lower().decode()] = value.strip().decode()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            now = time.monotonic()
            state["count"] += 1
            state["ids"].add(headers.get("payments-event-id"))
            state["first"] = state["first"] or now
            state["last"] = now
            if not verify(headers.get("payments-signature", ""), body):
                state["bad"] += 1
            writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            await writer.drain()
            if len(state["ids"]) >= expected:
                done.set()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=512)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
    await done.wait()
    first, last = state["first"] or 0, state["last"] or 0
    print(f"deliveries {state['count']} distinct {len(state['ids'])} bad {state['bad']} first {first:.6f} last {last:.6f}",
          flush=True)
    # Open keep-alive connections would otherwise be torn down with tracebacks; the figures are written.
    os._exit(0)


asyncio.run(main())
