"""promtool: the Prometheus config, every rule file, and the rule files' unit tests."""
from __future__ import annotations

import glob
import os
import subprocess

from report import Report


def _promtool(report: Report, args: list[str], name: str, cwd: str | None = None) -> None:
    """Counts `promtool <args>` as `name` by its exit status and shows its output when it fails."""
    try:
        result = subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        report.fail(f"{name}: {error}")
        return
    if not report.check(result.returncode == 0, name):
        report.show(result.stdout + result.stderr)


def run(report: Report) -> None:
    """promtool on otel/prometheus.yml and on every file in otel/rules."""
    _promtool(report, ["check", "config", "otel/prometheus.yml"], "promtool check config otel/prometheus.yml")
    for path in sorted(glob.glob("otel/rules/*.yml")):
        if path.endswith(".test.yml"):
            # A unit test names its rule files relative to itself.
            directory, test_file = os.path.split(path)
            _promtool(report, ["test", "rules", test_file], f"promtool test rules {path}", cwd=directory)
            continue
        _promtool(report, ["check", "rules", path], f"promtool check rules {path}")
        test_file = path[: -len(".yml")] + ".test.yml"
        if os.path.exists(test_file):
            report.ok(f"{path} has unit tests")
        else:
            report.fail(f"{path} has no unit tests ({test_file})")
