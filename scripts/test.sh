#!/usr/bin/env bash
# The test command: sets up what the suite needs on a fresh Debian machine, then runs every check.
# Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
need_packages=()
# The SQLite store links the system library.
pkg-config --exists sqlite3 2>/dev/null || need_packages+=(libsqlite3-dev pkg-config)
# promtool and the Prometheus server check the rules and dashboards.
command -v promtool >/dev/null || need_packages+=(prometheus)
command -v python3 >/dev/null || need_packages+=(python3 python3-pip)
if [ ${#need_packages[@]} -gt 0 ]; then
    echo "==> installing ${need_packages[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

echo "==> installing the pinned Python packages (scripts/requirements.txt)"
python3 -m pip install --quiet --disable-pip-version-check -r scripts/requirements.txt \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages -r scripts/requirements.txt

echo "==> checking the layout (swift format lint --strict)"
swift format lint --strict --parallel -r Package.swift Sources Tests Benchmarks

echo "==> building (debug, with tests)"
swift build --build-tests

echo "==> unit tests (pure logic, in parallel)"
swift test --skip-build --filter '^UnitTests\.'

echo "==> integration tests (servers, processes, PostgreSQL; one at a time, see README)"
scripts/with-postgres.sh swift test --skip-build --no-parallel --filter '^IntegrationTests\.'

echo "==> fuzzing the client API from its OpenAPI document (Schemathesis, fixed seed)"
python3 scripts/fuzz_api.py

echo "==> checking the observability stack (configs, promtool, dashboards against a real Prometheus)"
python3 scripts/observability
