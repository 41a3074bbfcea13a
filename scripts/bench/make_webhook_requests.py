#!/usr/bin/env python3
"""Writes the webhook benchmark's requests for rateload.c: COUNT signed `POST /webhook/payments` requests, each
"<byte count>\\n<raw HTTP/1.1 request>", each with its own event_id, cycling over the given payment ids (known
payments, 'processing' events: the bank's common repeat). Signed now, with the bank's scheme
(t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>), so the run must start within 300 s.

Usage: make_webhook_requests.py --count 15000 --host 127.0.0.1:8080 --secret whsec_... --payment-ids ids.txt > out
"""
import argparse
import hashlib
import hmac
import json
import sys
import time
import uuid

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, required=True)
parser.add_argument("--host", required=True, help="value of the Host header, host:port")
parser.add_argument("--secret", required=True)
parser.add_argument("--payment-ids", required=True, help="file with one payment id per line")
parser.add_argument("--status", default="processing")
args = parser.parse_args()

payment_ids = [line.strip() for line in open(args.payment_ids) if line.strip()]
t = str(int(time.time()))
out = sys.stdout.buffer
for i in range(args.count):
    body = json.dumps({
        "event_id": f"evt_bench_{uuid.uuid4().hex}", "payment_id": payment_ids[i % len(payment_ids)],
        "bank_ref": None, "status": args.status, "return_code": None, "reason": None,
        "occurred_at": "2026-11-24T10:00:00Z",
    }, separators=(",", ":")).encode()
    digest = hmac.new(args.secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    head = (f"POST /webhook/payments HTTP/1.1\r\nHost: {args.host}\r\nContent-Type: application/json\r\n"
            f"Bank-Signature: t={t},v1={digest}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    request = head + body
    out.write(f"{len(request)}\n".encode() + request)
