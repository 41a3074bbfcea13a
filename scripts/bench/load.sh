#!/usr/bin/env bash
# Load benchmark for the create and webhook paths. Prints figures and ratios; asserts nothing.
#
#   scripts/bench/load.sh            # release build, 15 s per run
#   DURATION=30 scripts/bench/load.sh
#
# Measures, in one session on the same machine (load generator on the same cores):
#   1. POST /v1/payments on PostgreSQL at 16 connections (wrk), and pgbench running the same transaction
#      (scripts/bench/create-payment.sql) at 16 connections on the same cluster: the ratio of the two.
#   2. POST /v1/payments on PostgreSQL at 64 connections: throughput and p99 latency.
#   3. POST /v1/payments on the SQLite default (embedded sandbox) at 16 connections.
#   4. POST /webhook/payments at a fixed 1,000 requests per second (open loop): p50/p99 latency.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
echo "==> building the release binary"
swift build -c release --product payments >/dev/null
exec scripts/with-postgres.sh scripts/bench/load-inner.sh
