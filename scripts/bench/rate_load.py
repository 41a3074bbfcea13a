#!/usr/bin/env python3
"""Open-loop load at a fixed rate over keep-alive HTTP/1.1 connections, with latency measured from each request's
scheduled start (so a stall counts against every request it delays: no coordinated omission).

Usage: rate_load.py --url http://127.0.0.1:8080/webhook/payments --rate 1000 --duration 20 --connections 32 \
           --body-factory webhook --secret whsec_...
Prints: sent, ok, errors, achieved_rps and latency p50/p90/p99/max in milliseconds.
"""
import argparse
import asyncio
import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import urlsplit


def webhook_body_factory(secret, payment_ids):
    counter = 0

    def make():
        nonlocal counter
        counter += 1
        payment_id = payment_ids[counter % len(payment_ids)] if payment_ids else str(uuid.uuid4())
        body = json.dumps({
            "event_id": f"evt_bench_{uuid.uuid4().hex}", "payment_id": payment_id, "bank_ref": None,
            "status": "processing", "return_code": None, "reason": None, "occurred_at": "2026-11-24T10:00:00Z",
        }).encode()
        t = str(int(time.time()))
        digest = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
        return body, {"Content-Type": "application/json", "Bank-Signature": f"t={t},v1={digest}"}

    return make


async def connection_worker(host, port, path, queue, latencies, counters):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            item = await queue.get()
            if item is None:
                return
            scheduled, body, headers = item
            head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - scheduled)
            status = int(status_line.split()[1]) if status_line else 0
            counters["ok" if 200 <= status < 300 else "errors"] += 1
    finally:
        writer.close()


async def run(args):
    parts = urlsplit(args.url)
    payment_ids = [line.strip() for line in open(args.payment_ids)] if args.payment_ids else []
    make = webhook_body_factory(args.secret, payment_ids)
    queue = asyncio.Queue()
    latencies, counters = [], {"ok": 0, "errors": 0}
    workers = [asyncio.create_task(connection_worker(parts.hostname, parts.port, parts.path, queue, latencies, counters))
               for _ in range(args.connections)]
    total = int(args.rate * args.duration)
    start = time.perf_counter()
    for i in range(total):
        scheduled = start + i / args.rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        body, headers = make()
        queue.put_nowait((scheduled, body, headers))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")

    print(f"sent {total}\nok {counters['ok']}\nerrors {counters['errors']}\nachieved_rps {len(latencies) / elapsed:.0f}")
    print(f"latency_p50_ms {pct(50):.2f}\nlatency_p90_ms {pct(90):.2f}\nlatency_p99_ms {pct(99):.2f}\nlatency_max_ms {latencies[-1] * 1000 if latencies else float('nan'):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--payment-ids", help="file with one payment id per line (default: unknown payments)")
    asyncio.run(run(parser.parse_args()))
