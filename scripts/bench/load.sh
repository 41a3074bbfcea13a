#!/usr/bin/env bash
# Load benchmark for the create and webhook paths. Prints figures and ratios; asserts nothing.
#
#   scripts/bench/load.sh                                   # release build, 15 s per run
#   DURATION=30 scripts/bench/load.sh
#   PAYMENTS_BIN=/path/to/payments CREATE_PROTOCOL=extended scripts/bench/load.sh   # another build, no build step
#
# Measures, in one session on the same machine (load generator on the same cores), each phase with a database and
# server processes of its own:
#   1. POST /v1/payments on PostgreSQL at 16 connections (wrk, closed loop), with the background work each payment
#      sets off (claim, bank submission to the sandbox, two webhooks, ERP step) running as in production; then, with
#      the server stopped, pgbench running the create path's statement (scripts/bench/create-payment.sql) at 16
#      connections on the same database: the ratio of the two.
#   2. POST /v1/payments on PostgreSQL at 64 connections: throughput and p99 latency.
#   3. POST /webhook/payments at a constant 1,000 requests per second (open loop, scripts/bench/rateload.c): latency
#      from each request's scheduled time.
#   4. POST /v1/payments on the SQLite default (embedded sandbox) at 16 connections.
# Also prints the CPU seconds each process used during each run.
set -euo pipefail
cd "$(dirname "$0")/../.."

. scripts/bench/common.sh
prepare_load_tools
exec scripts/with-postgres.sh scripts/bench/load-inner.sh
