#!/usr/bin/env bash
# Whole-lifecycle benchmark on PostgreSQL: settled payments, not accepted ones. Prints figures; asserts nothing.
#
#   scripts/bench/lifecycle.sh                              # release build, the default phases
#   PAYMENTS_BIN=/path/to/payments scripts/bench/lifecycle.sh   # another build, no build step
#   RATE=200 STEADY_SECONDS=20 SATURATION_SECONDS=15 WORKER_INSTANCES=2 scripts/bench/lifecycle.sh
#
# Every phase has a database, a sandbox (`payments bank-sandbox`, its own process, no processing or settlement delay,
# no faults) and `payments serve` instances of its own, at their defaults (log level info, eight worker slots):
#   1. steady: one API-only instance (PAYMENTS_WORKER_CONCURRENCY=0, which the load and the bank's webhooks reach)
#      and WORKER_INSTANCES worker instances; creates at a constant RATE for STEADY_SECONDS (rateload.c, open loop).
#      Printed: create -> bank answered (the submit job ended: submission plus the bank's answer) and create ->
#      terminal status, p50 / p99, from the database's own timestamps;
#   2. saturation, the same shape: creates as fast as 16 connections go (wrk) for SATURATION_SECONDS, then until the
#      last payment settles. Printed: settled payments per second (payments / (last settled - first created)) and CPU
#      per settled payment in each process. Run twice, telemetry off (OTEL_SDK_DISABLED=true) and fully on (traces,
#      metrics every 10 s and log records over OTLP/HTTP to a loopback sink), ROUNDS times alternately;
#   3. saturation with one instance doing everything (the default deployment);
#   4. pgbench running the lifecycle's statements (scripts/bench/lifecycle.sql, -M prepared as the service prepares
#      them) at 16 connections for SATURATION_SECONDS on a database of its own: the ratio settled / pgbench;
#   5. idle: one instance with workers and nothing to do, IDLE_SECONDS long: statements it sends a second
#      (pg_stat_statements) and transactions a second (pg_stat_database).
set -euo pipefail
cd "$(dirname "$0")/../.."

. scripts/bench/common.sh
prepare_load_tools
export PAYMENTS_TEST_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
exec scripts/with-postgres.sh scripts/bench/lifecycle-inner.sh
