"""The tally of checks: prints `  ok    ...` / `  FAIL  ...` lines and the final count."""
from __future__ import annotations


class Abort(Exception):
    """Raised after a failure that leaves nothing further to check."""


class Report:
    """Counts passed and failed checks as they are printed."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    @staticmethod
    def stage(title: str) -> None:
        """Announces a group of checks."""
        print(f"==> {title}", flush=True)

    def ok(self, message: str) -> None:
        """Counts a passed check."""
        self.passed += 1
        print(f"  ok    {message}", flush=True)

    def fail(self, message: str) -> None:
        """Counts a failed check."""
        self.failed += 1
        print(f"  FAIL  {message}", flush=True)

    def check(self, passed: object, message: str, detail: str = "") -> bool:
        """Counts `message` as passed or failed; a failure also shows `detail`."""
        if passed:
            self.ok(message)
        else:
            self.fail(f"{message}: {detail}" if detail else message)
        return bool(passed)

    @staticmethod
    def show(output: str, lines: int | None = None) -> None:
        """Prints a tool's output (its last `lines` lines), indented under the check it explains."""
        text = output.rstrip("\n").splitlines()
        for line in text[-lines:] if lines else text:
            print(f"        {line}", flush=True)

    def summary(self) -> str:
        """The final line: how many checks passed and failed."""
        return f"observability: {self.passed} checks passed, {self.failed} failed"
