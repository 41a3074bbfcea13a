"""Schema-driven fuzzing of the client API: Schemathesis generates requests from the OpenAPI document that
`payments serve` itself serves (`/openapi.yaml`), over every operation, and checks every answer: no 5xx, status
codes, content types, headers and bodies as the document says, and invalid input refused.

    python3 scripts/fuzz_api.py                        # .build/debug/payments, 250 examples per operation and phase
    python3 scripts/fuzz_api.py --examples 500 --seed random

The server runs on the embedded default (SQLite in a temporary folder, the in-process bank sandbox) with one API
key. The seed is fixed unless `--seed random`, so that a run that fails can be repeated; the run fails below
`--minimum-cases` generated cases.
"""
import argparse
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

KEY = "sk_fuzz_0123456789abcdef0123"
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance", "negative_data_rejection",
])


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/debug/payments")
    parser.add_argument("--examples", type=int, default=250, help="examples per operation and phase")
    parser.add_argument("--seed", default="20261204", help="an integer, or random")
    parser.add_argument("--minimum-cases", type=int, default=1000)
    args = parser.parse_args()

    seed = str(random.randrange(2**63)) if args.seed == "random" else args.seed
    work = tempfile.mkdtemp(prefix="fuzz-api-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PAYMENTS_API_KEYS": f"fuzz:{KEY}", "BANK_BASE_URL": "sandbox", "LOG_LEVEL": "warning",
           "PAYMENTS_RATE_LIMITS": "default=1000000/1000000", "OTEL_SDK_DISABLED": "true",
           # Generated endpoint URLs are never reached: only public https ones would register, and nothing delivers.
           "CLIENT_WEBHOOK_ALLOW_PRIVATE": "false", "CLIENT_WEBHOOK_CONCURRENCY": "0"}
    log_path = os.path.join(work, "serve.log")
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [args.binary, "serve", "--port", str(port), "--database-url", f"sqlite:{work}/fuzz.sqlite"],
            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        if not wait_ready(base + "/readyz"):
            sys.exit(f"fuzz: payments serve did not become ready; see {log_path}")
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", base + "/openapi.yaml", "--url", base,
            "-H", f"Authorization: Bearer {KEY}", "--checks", CHECKS, "--max-examples", str(args.examples),
            "--seed", seed, "--no-color", "--workers", "2",
        ]
        print(f"fuzz: schemathesis against {base} (seed {seed}, {args.examples} examples per operation and phase)")
        result = subprocess.run(command, capture_output=True, text=True)
        output = result.stdout + result.stderr
        match = re.search(r"(\d+) generated, (\d+) passed", output)
        generated = int(match.group(1)) if match else 0
        if result.returncode != 0 or generated < args.minimum_cases:
            print(output)
            if generated < args.minimum_cases:
                print(f"fuzz: only {generated} cases generated; at least {args.minimum_cases} are required")
            errors = [line for line in open(log_path) if '"level":"error"' in line]
            if errors:
                print("fuzz: errors logged by the server:\n" + "".join(errors[:20]))
            sys.exit(1)
        operations = re.search(r"Tested: (\d+)", output)
        print(f"fuzz: {generated} cases over {operations.group(1) if operations else '?'} operations, all passed")
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
