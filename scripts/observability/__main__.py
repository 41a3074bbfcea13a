"""Checks the observability stack's configuration without Docker.

  1. parses compose.yaml, the collector, Prometheus and Grafana provisioning, and every dashboard JSON, and
     checks that the output of scripts/slo/generate.py and dashboards/generate.py is committed up to date;
  2. `promtool check config`, `promtool check rules` and `promtool test rules` on every rule file;
  3. runs `payments serve` (embedded default, temporary SQLite, SANDBOX_RETURN_RATE=0.3) under a small load, with
     a Prometheus server scraping its /metrics every second and loading the rule files, then evaluates every
     dashboard panel query, template-variable query and alert expression through Prometheus' HTTP API: each must
     parse, and each panel query must return data.

Prints one `  ok    ...` or `  FAIL  ...` line per check and `observability: N checks passed, M failed`; exits 1
when a check failed.

Usage: python3 scripts/observability   (needs the debug build: run `swift build` first)
Environment:
  PAYMENTS_BIN     the service binary (default .build/debug/payments)
  LOAD_PAYMENTS    payments created under load (default 40)
  PROMETHEUS_BIN   the Prometheus server (default /usr/bin/prometheus, else `prometheus` on PATH)
  KEEP_WORK        when set, keeps the temporary directory (logs, databases) and prints its path
"""
from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import prerequisites
from processes import Children
from report import Abort, Report

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Settings:
    """The environment knobs (see the module docstring)."""

    payments_bin: str
    load_payments: int
    prometheus_bin: str | None
    keep_work: bool

    @classmethod
    def from_environment(cls) -> Settings:
        """Reads PAYMENTS_BIN, LOAD_PAYMENTS, PROMETHEUS_BIN and KEEP_WORK."""
        prometheus = os.environ.get("PROMETHEUS_BIN") or "/usr/bin/prometheus"
        prometheus_bin = prometheus if os.access(prometheus, os.X_OK) else shutil.which("prometheus")
        load = os.environ.get("LOAD_PAYMENTS") or "40"
        if not load.isdigit():
            raise SystemExit(f"observability: LOAD_PAYMENTS must be a number of payments, not {load!r}")
        return cls(payments_bin=os.environ.get("PAYMENTS_BIN") or ".build/debug/payments",
                   load_payments=int(load),
                   prometheus_bin=prometheus_bin,
                   keep_work=bool(os.environ.get("KEEP_WORK")))


def guarded(report: Report, name: str, checks: Callable[[], None]) -> None:
    """Runs `checks`; a crash counts as a failure instead of silently skipping the checks it did not reach."""
    try:
        checks()
    except (Abort, KeyboardInterrupt):
        raise
    except Exception as error:  # noqa: BLE001
        report.fail(f"{name} stopped: {error!r}")
        traceback.print_exc()


def live(report: Report, settings: Settings, work: Path, children: Children) -> None:
    """Starts the service and Prometheus, applies the load, then evaluates every query against Prometheus."""
    # These need PyYAML, which may only just have been installed.
    import live_checks
    from stack import Stack

    if not os.access(settings.payments_bin, os.X_OK):
        report.fail(f"{settings.payments_bin} not found: run swift build first")
        raise Abort
    if not settings.prometheus_bin:
        report.fail("the prometheus server binary is not installed (apt-get install prometheus)")
        raise Abort
    stack = Stack(report, children, work)
    app_port = stack.start_payments(settings.payments_bin)
    stack.start_prometheus(settings.prometheus_bin, app_port)
    stack.wait_for_first_scrape()
    stack.run_load(settings.load_payments)
    live_checks.run(report, stack.prometheus)


def run(report: Report, settings: Settings, work: Path, children: Children) -> None:
    """Checks the prerequisites, then runs the static, promtool and live stages."""
    problem = prerequisites.ensure_pyyaml()
    if problem:
        report.fail(problem)
        raise Abort
    missing = prerequisites.missing_tools()
    if missing:
        for tool in missing:
            report.fail(f"{tool} is not installed")
        raise Abort
    import promtool_checks
    import static_checks

    report.stage("parsing compose, collector, Prometheus and Grafana configs and dashboards")
    guarded(report, "static checks", lambda: static_checks.run(report))
    report.stage("promtool")
    guarded(report, "promtool checks", lambda: promtool_checks.run(report))
    report.stage("live: payments serve under load, scraped by Prometheus")
    guarded(report, "live", lambda: live(report, settings, work, children))


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Runs every check from the repository root; returns the exit status."""
    os.chdir(ROOT)
    settings = Settings.from_environment()
    report = Report()
    work = Path(tempfile.mkdtemp(prefix="check-observability."))
    children = Children()
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        try:
            run(report, settings, work, children)
        except Abort:
            pass
        print(report.summary(), flush=True)
        return 0 if report.failed == 0 else 1
    except KeyboardInterrupt:
        print("observability: interrupted", file=sys.stderr, flush=True)
        return 130
    finally:
        # A second Ctrl-C must not cut the (bounded) cleanup short and leave servers running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        children.stop_all()
        if settings.keep_work:
            print(f"kept {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
