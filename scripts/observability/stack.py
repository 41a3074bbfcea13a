"""The live stack: `payments serve` on a temporary SQLite database, a Prometheus server scraping it every second
with the rule files loaded, and a small load of payments and refused webhooks."""
from __future__ import annotations

import json
import os
import re
import socket
import time
from collections.abc import Callable
from pathlib import Path

from configs import rule_files
from httpclient import post_json, query_prometheus, request
from processes import Children
from report import Abort, Report

API_KEY = "sk_demo_0123456789abcdef"
# Spreads the load over several 1 s scrapes, so that increase() and rate() see the counters grow.
PAYMENT_SPACING_SECONDS = 0.15


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], bool], seconds: float, interval: float) -> bool:
    """Polls `condition` until it holds or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def answers(url: str) -> bool:
    """Whether `url` answers 2xx within 2 s."""
    return 200 <= request(url, timeout=2).status < 300


def _tail(log: Path, lines: int = 20) -> None:
    Report.show(log.read_text(errors="replace") if log.exists() else f"({log} is missing)", lines)


class Stack:
    """The running service and Prometheus, with the URLs the checks talk to."""

    def __init__(self, report: Report, children: Children, work: Path) -> None:
        self.report, self.children, self.work = report, children, work
        self.app = self.prometheus = ""

    def start_payments(self, binary: str) -> int:
        """Starts `payments serve`; returns its port."""
        port = free_port()
        directory = self.work / "app"
        directory.mkdir()
        env = {**os.environ, "PAYMENTS_API_KEYS": f"demo:{API_KEY}", "BANK_BASE_URL": "sandbox",
               "SANDBOX_RETURN_RATE": "0.3",
               "LOG_LEVEL": "warning"}
        self.children.start([binary, "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--database-url", f"sqlite:{directory / 'p.sqlite'}"],
                            directory / "serve.log", env)
        self.app = f"http://127.0.0.1:{port}"
        self._await_ready("payments serve", self.app, f"{self.app}/readyz", 60, directory / "serve.log")
        return port

    def start_prometheus(self, binary: str, app_port: int) -> None:
        """Starts Prometheus scraping the service on `app_port` every second, with the rule files."""
        directory = self.work / "prom"
        directory.mkdir()
        config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                  "rule_files": [os.path.abspath(path) for path in rule_files()],
                  "scrape_configs": [{"job_name": "payments",
                                      "static_configs": [{"targets": [f"127.0.0.1:{app_port}"]}]}]}
        # JSON is YAML, and needs no YAML writer.
        (directory / "prometheus.yml").write_text(json.dumps(config, indent=2) + "\n")
        port = free_port()
        self.children.start([binary, f"--config.file={directory / 'prometheus.yml'}",
                             f"--storage.tsdb.path={directory / 'data'}",
                             f"--web.listen-address=127.0.0.1:{port}", "--enable-feature=exemplar-storage"],
                            directory / "prometheus.log")
        self.prometheus = f"http://127.0.0.1:{port}"
        self._await_ready("prometheus", self.prometheus, f"{self.prometheus}/-/ready", 30, directory / "prometheus.log")

    def _await_ready(self, name: str, base: str, url: str, seconds: int, log: Path) -> None:
        """Waits until `url` answers; a server that does not is a failure that ends the live stage."""
        if not wait_until(lambda: answers(url), seconds, 0.3):
            self.report.fail(f"{name} did not become ready within {seconds} s")
            _tail(log)
            raise Abort
        self.report.ok(f"{name} is ready on {base}")

    def scrape_count(self) -> int:
        """Scrapes of /metrics Prometheus holds from the last 5 minutes."""
        answer = query_prometheus(self.prometheus, 'count_over_time(up{job="payments"}[5m])', timeout=5)
        try:
            result = answer["data"]["result"]
            return int(float(result[0]["value"][1])) if result else 0
        except (ValueError, KeyError, IndexError, TypeError):
            return 0

    def wait_for_first_scrape(self) -> None:
        """Waits until Prometheus holds a scrape of /metrics."""
        # Prometheus applies its targets about 5 s after it starts.
        if not wait_until(lambda: self.scrape_count() >= 1, 30, 0.5):
            self.report.fail("prometheus did not scrape /metrics within 30 s")
            _tail(self.work / "prom" / "prometheus.log")
            raise Abort
        self.report.ok("prometheus scrapes /metrics")

    def create_payment(self, index: int) -> int:
        """Creates one payment (every fourth to Zelle); returns the HTTP status."""
        if index % 4 == 0:
            recipient = {"type": "zelle", "name": f"Zed {index}", "email": f"zed{index}@example.com"}
        else:
            recipient = {"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789",
                         "routing_number": "021000021"}
        payment = {"amount": 1000 + index, "currency": "USD", "client_ref": f"OBS-{index}", "recipient": recipient}
        return post_json(f"{self.app}/v1/payments", payment, {"Authorization": f"Bearer {API_KEY}"}).status

    def send_webhook(self, signature: str, event: dict) -> int:
        """POSTs a webhook event with the given Bank-Signature; returns the HTTP status."""
        return post_json(f"{self.app}/webhook/payments", event, {"Bank-Signature": signature}).status

    def settled_count(self) -> int:
        """Payments that reached a terminal status, from the service's own /metrics."""
        text = request(f"{self.app}/metrics", timeout=5).body.decode(errors="replace")
        return int(sum(float(value) for value in
                       re.findall(r"^payment_time_to_terminal_seconds_count(?:\{[^}]*\})?\s+(\S+)", text, re.M)))

    def run_load(self, payments: int) -> None:
        """Creates `payments` payments and sends two webhooks that must be refused, then waits for the results.

        Payments go to bank accounts and to Zelle; the webhooks carry a forged and a malformed signature. Waits
        until every payment settled and Prometheus scraped the outcome a few more times.
        """
        created = 0
        for index in range(1, payments + 1):
            created += self.create_payment(index) == 201
            time.sleep(PAYMENT_SPACING_SECONDS)
        if created == payments:
            self.report.ok(f"created {created} payments")
        else:
            self.report.fail(f"created {created} of {payments} payments")

        forged = {"event_id": "evt_forged", "payment_id": "00000000-0000-0000-0000-000000000000",
                  "status": "completed"}
        status = self.send_webhook(f"t={int(time.time())},v1={'0' * 64}", forged)
        self.report.check(status == 401, "forged webhook refused (401)", f"answered {status}, expected 401")
        status = self.send_webhook("nonsense", {})
        self.report.check(status == 401, "malformed-signature webhook refused (401)",
                          f"answered {status}, expected 401")

        settled = 0

        def all_settled() -> bool:
            nonlocal settled
            settled = self.settled_count()
            return settled >= created

        if wait_until(all_settled, 45, 0.5):
            self.report.ok(f"all {created} payments reached a terminal status")
        else:
            self.report.fail(f"only {settled} of {created} payments settled within 45 s")
        # A few more scrapes, so that every rate() over 1m has at least two samples after the load.
        wanted = self.scrape_count() + 4
        if wait_until(lambda: self.scrape_count() >= wanted, 30, 0.5):
            self.report.ok(f"prometheus scraped /metrics {self.scrape_count()} times")
        else:
            self.report.fail(f"prometheus scraped /metrics only {self.scrape_count()} times")
