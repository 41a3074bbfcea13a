#!/usr/bin/env bash
# Client webhook delivery throughput: events per second from the deliverer to a local receiver. Prints figures;
# asserts nothing.
#
#   scripts/bench/notifications.sh                      # release build, 2,000 payments
#   PAYMENTS=5000 scripts/bench/notifications.sh
#   PAYMENTS_BIN=/path/to/payments scripts/bench/notifications.sh
#
# On PostgreSQL: payments are created and settled with delivery switched off (CLIENT_WEBHOOK_CONCURRENCY=0), so each
# leaves three events (initiated, processing, completed) waiting for one endpoint; then a server with delivery on
# drains the backlog into scripts/bench/event_receiver.py, which checks every signature. The figure is the drain rate,
# measured at the receiver from the first delivery to the last, at the default per-endpoint concurrency (4) and at 16.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${PAYMENTS_BIN:-}" ]; then
    echo "==> building the release binary"
    swift build -c release --product payments >/dev/null
fi
exec scripts/with-postgres.sh scripts/bench/notifications-inner.sh
