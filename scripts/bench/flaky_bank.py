"""How the orchestrator copes with a failing bank, measured on real processes (`payments bank-sandbox` and
`payments serve` on SQLite, default settings):

1. a flaky bank (50 % of submissions answered 503, 10 % never answered): the time until N payments (default 60)
   have all settled, the submissions the bank saw, and how often the throttle changed state;
2. a dead bank (every submission 503): bank calls per second over a 30 s window once the throttle has seen it fail.

    python3 scripts/bench/flaky_bank.py                       # .build/debug/payments
    python3 scripts/bench/flaky_bank.py --binary PATH --payments 60 --dead-seconds 30

Run it against two builds in one session to compare them; this machine is noisy, so compare ratios, not seconds.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

KEY = "sk_bench_0123456789abcdef0123"
SECRET = "whsec_bench_flaky"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url, method="GET", body=None, headers=None, timeout=10):
    request = urllib.request.Request(url, method=method, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_ready(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if call(url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"{url} never became ready")


def bank_calls(app):
    """The number of bank calls observed so far (all operations and outcomes)."""
    _, text = call(app + "/metrics")
    total = 0.0
    for line in text.decode().splitlines():
        if line.startswith("bank_request_duration_seconds_count"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def open_payments(app):
    open_count = 0
    for status in ("initiated", "processing"):
        cursor = None
        while True:
            path = f"/v1/payments?status={status}&limit=100" + (f"&cursor={cursor}" if cursor else "")
            _, body = call(app + path, headers={"Authorization": f"Bearer {KEY}"})
            page = json.loads(body)
            open_count += len(page["data"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return open_count


def create(app, index, prefix):
    body = json.dumps({
        "amount": 1000 + index, "currency": "USD", "client_ref": f"{prefix}-{index}",
        "recipient": {"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789",
                      "routing_number": "021000021"},
    }).encode()
    status, _ = call(app + "/v1/payments", "POST", body,
                     {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    if status not in (200, 201):
        sys.exit(f"create answered {status}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/debug/payments")
    parser.add_argument("--payments", type=int, default=60)
    parser.add_argument("--dead-seconds", type=int, default=30)
    parser.add_argument("--timeout", type=int, default=600, help="give up on settling after this many seconds")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="flaky-bank-")
    sandbox_port, app_port = free_port(), free_port()
    app = f"http://127.0.0.1:{app_port}"
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = {**os.environ, "LOG_LEVEL": "info", "BANK_WEBHOOK_SECRET": SECRET}
    children = []
    try:
        with open(os.path.join(work, "sandbox.log"), "w") as log:
            children.append(subprocess.Popen(
                [args.binary, "bank-sandbox", "--port", str(sandbox_port), "--webhook-url",
                 f"{app}/webhook/payments", "--error-rate", "0.5", "--hang-rate", "0.1"],
                stdout=log, stderr=subprocess.STDOUT, env=env))
        serve_log = os.path.join(work, "serve.log")
        with open(serve_log, "w") as log:
            children.append(subprocess.Popen(
                [args.binary, "serve", "--port", str(app_port), "--database-url", f"sqlite:{work}/p.sqlite"],
                stdout=log, stderr=subprocess.STDOUT,
                env={**env, "PAYMENTS_API_KEYS": f"bench:{KEY}", "BANK_BASE_URL": sandbox,
                     "BANK_CLIENT_ID": "sandbox-client", "BANK_CLIENT_SECRET": "sandbox-secret"}))
        wait_ready(sandbox + "/healthz")
        wait_ready(app + "/readyz")

        started = time.monotonic()
        for index in range(args.payments):
            create(app, index, "FLAKY")
        remaining = args.payments
        while remaining and time.monotonic() - started < args.timeout:
            time.sleep(0.5)
            remaining = open_payments(app)
        settled_after = time.monotonic() - started
        _, stats = call(sandbox + "/sandbox/stats")
        stats = json.loads(stats)
        with open(serve_log) as log:
            lines = log.read()
        changes = {name: lines.count(name) for name in (
            "Bank circuit opened", "Bank circuit half-open", "Bank circuit closed",
            "Bank is not answering", "Bank failing part of its calls", "Bank healthy again")}
        print(f"flaky bank: {args.payments} payments settled in {settled_after:.1f} s"
              + (f" ({remaining} still open at the timeout)" if remaining else ""))
        print(f"  bank saw {stats['payments']} accepted, duplicate submissions {stats['duplicate_submissions']}")
        print("  throttle/breaker log lines: " + ", ".join(f"{k}: {v}" for k, v in changes.items() if v))

        call(sandbox + "/sandbox/faults", "POST", b'{"error_rate": 1, "hang_rate": 0}',
             {"Content-Type": "application/json"})
        for index in range(20):
            create(app, index, "DEAD")
        time.sleep(10)
        before, t0 = bank_calls(app), time.monotonic()
        time.sleep(args.dead_seconds)
        after, t1 = bank_calls(app), time.monotonic()
        print(f"dead bank: {(after - before) / (t1 - t0):.2f} bank calls/s over {t1 - t0:.0f} s "
              f"(20 payments waiting)")
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    main()
