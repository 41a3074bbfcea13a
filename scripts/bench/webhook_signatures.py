"""What a webhook carrying many signature entries costs the server, measured on a running `payments serve`
(`--binary`, embedded default): the median time of N webhooks each with a 63 KB body and `--entries` well-formed
`v1=` entries, none matching (the worst case for a verifier that tries every entry), against N with one entry.

    python3 scripts/bench/webhook_signatures.py                      # .build/debug/payments, 1,000 entries
    python3 scripts/bench/webhook_signatures.py --binary OTHER --entries 1000 --requests 50
"""
import argparse
import os
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url, body, header):
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Bank-Signature": header})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return time.perf_counter() - started, status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/debug/payments")
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="webhook-signatures-")
    port = free_port()
    env = {**os.environ, "LOG_LEVEL": "error", "OTEL_SDK_DISABLED": "true"}
    with open(os.path.join(work, "serve.log"), "w") as log:
        server = subprocess.Popen([args.binary, "serve", "--port", str(port), "--database-url",
                                   f"sqlite:{work}/p.sqlite"], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        body = b'{"pad":"' + b"x" * (63 * 1024) + b'"}'
        now = int(time.time())
        wrong = "0" * 64
        many = f"t={now}," + ",".join(f"v1={wrong}" for _ in range(args.entries))
        one = f"t={now},v1={wrong}"
        results = {}
        for name, header in (("one entry", one), (f"{args.entries} entries", many)):
            times = []
            for _ in range(args.requests):
                elapsed, status = post(base + "/webhook/payments", body, header)
                times.append(elapsed)
            results[name] = statistics.median(times)
            print(f"{name}: median {results[name] * 1000:.2f} ms per webhook over {args.requests} (HTTP {status})")
        print(f"ratio: {results[f'{args.entries} entries'] / results['one entry']:.1f}x")
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
