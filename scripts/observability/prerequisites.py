"""What the checks need on a fresh Debian machine: PyYAML (installed with apt-get) and promtool."""
from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys


def _yaml_importable() -> bool:
    importlib.invalidate_caches()
    try:
        importlib.import_module("yaml")
    except ImportError:
        return False
    return True


def _apt_get(*args: str) -> None:
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    # Passed as an argument: sudo would drop DEBIAN_FRONTEND from the environment.
    command = [*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", *args]
    try:
        subprocess.run(command, stdout=subprocess.DEVNULL, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"        {' '.join(command)}: {error}", flush=True)


def ensure_pyyaml() -> str | None:
    """Installs python3-yaml when PyYAML is missing; returns what is still wrong, if anything."""
    if _yaml_importable():
        return None
    print("==> installing python3-yaml", flush=True)
    _apt_get("update", "-qq")
    _apt_get("install", "-y", "-qq", "python3-yaml")
    if _yaml_importable():
        return None
    return (f"PyYAML is not importable by {sys.executable} "
            "(apt-get install python3-yaml, or python3 -m pip install -r scripts/requirements.txt)")


def missing_tools() -> list[str]:
    """Commands the checks run that are not on PATH (scripts/test.sh installs Debian's prometheus package)."""
    return [tool for tool in ("promtool",) if shutil.which(tool) is None]
