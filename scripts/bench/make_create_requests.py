#!/usr/bin/env python3
"""Writes create requests for rateload.c: COUNT `POST /v1/payments` requests, each "<byte count>\\n<raw HTTP/1.1
request>", each with its own client_ref (PREFIX-<n>), so that every one creates a payment.

Usage: make_create_requests.py --count 4000 --host 127.0.0.1:8080 --key sk_... --prefix STEADY > out
"""
import argparse
import json
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, required=True)
parser.add_argument("--host", required=True, help="value of the Host header, host:port")
parser.add_argument("--key", required=True, help="the client's API key")
parser.add_argument("--prefix", required=True, help="client_ref prefix, to find the run's payments afterwards")
args = parser.parse_args()

out = sys.stdout.buffer
for i in range(args.count):
    body = json.dumps({
        "amount": 100 + i % 1000, "currency": "USD", "client_ref": f"{args.prefix}-{i}",
        "recipient": {"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789",
                      "routing_number": "021000021"},
    }, separators=(",", ":")).encode()
    head = (f"POST /v1/payments HTTP/1.1\r\nHost: {args.host}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {args.key}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    request = head + body
    out.write(f"{len(request)}\n".encode() + request)
