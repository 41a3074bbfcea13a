#!/usr/bin/env bash
# The test command: sets up what the suite needs on a fresh Debian machine, then runs every test.
# Usage: scripts/test.sh [extra `swift test` arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
# The SQLite store links the system library.
pkg-config --exists sqlite3 2>/dev/null || need_packages+=(libsqlite3-dev pkg-config)
# promtool checks what /metrics serves.
command -v promtool >/dev/null || need_packages+=(prometheus)
if [ ${#need_packages[@]} -gt 0 ]; then
    echo "==> installing ${need_packages[*]}"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

echo "==> building (debug, with tests)"
swift build --build-tests

echo "==> running the tests"
# One test at a time: several suites time real servers, processes and retries, and two cores shared by parallel
# suites make their timing flaky. Serially the suite takes about a minute and a half.
scripts/with-postgres.sh swift test --skip-build --no-parallel "$@"

echo "==> checking the observability stack (configs, promtool, dashboards against a real Prometheus)"
scripts/check-observability.sh
