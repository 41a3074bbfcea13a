"""Child processes with bounded shutdown."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import IO

STOP_GRACE_SECONDS = 5.0


class Children:
    """The processes the checks start. stop_all() sends SIGTERM, then SIGKILL to any still running after 5 s."""

    def __init__(self) -> None:
        self._running: list[tuple[subprocess.Popen, IO[bytes]]] = []

    def start(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
        """Starts `args` with stdout and stderr in `log`."""
        log_file = open(log, "wb")
        # Own session: a Ctrl-C reaches only this program, which then stops the children in order.
        try:
            process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                       env=env, start_new_session=True)
        except OSError:
            log_file.close()
            raise
        self._running.append((process, log_file))
        return process

    def stop_all(self) -> None:
        """Stops every started process; waits at most 5 s for each before SIGKILL."""
        for process, _ in self._running:
            if process.poll() is None:
                process.terminate()
        for process, log_file in self._running:
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log_file.close()
        self._running.clear()
