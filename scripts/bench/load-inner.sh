#!/usr/bin/env bash
# The body of load.sh, run inside scripts/with-postgres.sh (PGHOST/PGPORT/PGUSER are set).
set -euo pipefail
DURATION=${DURATION:-15}
BIN=$(swift build -c release --show-bin-path)/payments
WORK=$(mktemp -d /tmp/payments-bench.XXXXXX)
KEY=sk_bench_0123456789abcdef0123
SECRET=whsec_bench_5b1c
export PAYMENTS_API_KEY=$KEY
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { for _ in $(seq 1 200); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }
figure() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

createdb bench_api
createdb bench_pgbench
"$BIN" migrate --database-url "postgres://$PGUSER@$PGHOST:$PGPORT/bench_pgbench" >/dev/null

# Starts `payments bank-sandbox` and `payments serve` on database $1, logs named after $2; sets API_PORT.
start_stack() {
    local sandbox_port
    sandbox_port=$(free_port)
    API_PORT=$(free_port)
    BANK_WEBHOOK_SECRET=$SECRET LOG_LEVEL=warning "$BIN" bank-sandbox --port "$sandbox_port" \
        --webhook-url "http://127.0.0.1:$API_PORT/webhook/payments" > "$WORK/sandbox-$2.log" 2>&1 &
    pids+=($!)
    DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$1" PAYMENTS_API_KEYS="bench:$KEY" \
        BANK_BASE_URL="http://127.0.0.1:$sandbox_port" BANK_CLIENT_ID=sandbox-client BANK_CLIENT_SECRET=sandbox-secret \
        BANK_WEBHOOK_SECRET=$SECRET "$BIN" serve --port "$API_PORT" > "$WORK/serve-$2.log" 2>&1 &
    pids+=($!)
    wait_ready "http://127.0.0.1:$API_PORT/readyz"
    wait_ready "http://127.0.0.1:$sandbox_port/healthz"
}

start_stack bench_api create

run_wrk() {  # connections, url, output
    wrk -t2 -c"$1" -d"${DURATION}s" --timeout 5s -s scripts/bench/create-payment.lua "$2" > "$3"
}

echo "==> warm-up"
DURATION=3 run_wrk 16 "http://127.0.0.1:$API_PORT/v1/payments" "$WORK/warmup.txt"

echo "==> POST /v1/payments on PostgreSQL, 16 connections, ${DURATION}s"
run_wrk 16 "http://127.0.0.1:$API_PORT/v1/payments" "$WORK/pg16.txt"
api16=$(awk '/Requests\/sec/ { print $2 }' "$WORK/pg16.txt")

echo "==> pgbench, the same transaction, 16 connections, ${DURATION}s"
pgbench -n -M extended -c 16 -j 2 -T "$DURATION" -f scripts/bench/create-payment.sql bench_pgbench > "$WORK/pgbench16.txt" 2>&1
pgb16=$(awk '/^tps/ { print $3 }' "$WORK/pgbench16.txt")

echo "==> POST /v1/payments on PostgreSQL, 64 connections, ${DURATION}s"
run_wrk 64 "http://127.0.0.1:$API_PORT/v1/payments" "$WORK/pg64.txt"
api64=$(awk '/Requests\/sec/ { print $2 }' "$WORK/pg64.txt")

kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
pids=()

# The webhook path on a server of its own: the create runs above leave tens of thousands of jobs for the workers,
# which would be measured instead. A fresh database, seeded with a few thousand settled payments, keeps the figure
# the webhook path's own.
echo "==> POST /webhook/payments at 1,000 requests/s for ${DURATION}s (known payments, 'processing' events)"
createdb bench_webhook
start_stack bench_webhook webhook
WEBHOOK_PORT=$API_PORT
DURATION=2 run_wrk 8 "http://127.0.0.1:$WEBHOOK_PORT/v1/payments" "$WORK/seed.txt"
for _ in $(seq 1 180); do
    pending=$(psql -tA -d bench_webhook -c "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')")
    [ "$pending" = "0" ] && break
    sleep 1
done
echo "    seeded $(psql -tA -d bench_webhook -c 'SELECT count(*) FROM payments') payments; jobs still pending: $pending"
psql -tA -d bench_webhook -c "SELECT id FROM payments ORDER BY created_at DESC LIMIT 2000" > "$WORK/ids.txt"
python3 scripts/bench/rate_load.py --url "http://127.0.0.1:$WEBHOOK_PORT/webhook/payments" --rate 1000 \
    --duration "$DURATION" --connections 32 --secret "$SECRET" --payment-ids "$WORK/ids.txt" > "$WORK/webhook.txt"

kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
pids=()

echo "==> POST /v1/payments on the SQLite default (embedded sandbox), 16 connections, ${DURATION}s"
SQLITE_PORT=$(free_port)
PAYMENTS_API_KEYS="bench:$KEY" "$BIN" serve --port "$SQLITE_PORT" --database-url "sqlite:$WORK/bench.sqlite" \
    > "$WORK/serve-sqlite.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$SQLITE_PORT/readyz"
DURATION=3 run_wrk 16 "http://127.0.0.1:$SQLITE_PORT/v1/payments" "$WORK/warmup-sqlite.txt"
run_wrk 16 "http://127.0.0.1:$SQLITE_PORT/v1/payments" "$WORK/sqlite16.txt"
sqlite16=$(awk '/Requests\/sec/ { print $2 }' "$WORK/sqlite16.txt")

echo
echo "== results (machine: $(nproc) cores; load generator on the same cores; ${DURATION}s per run)"
printf '%-52s %10s\n' "PostgreSQL create, 16 conns (req/s)" "$api16"
printf '%-52s %10s\n' "  p50 / p99 (ms)" "$(figure latency_p50_ms "$WORK/pg16.txt") / $(figure latency_p99_ms "$WORK/pg16.txt")"
printf '%-52s %10s\n' "  non-2xx responses, socket errors" "$(figure non_2xx "$WORK/pg16.txt"), $(figure socket_errors "$WORK/pg16.txt")"
printf '%-52s %10s\n' "pgbench same transaction, 16 conns (tps)" "$pgb16"
printf '%-52s %10s\n' "  ratio API / pgbench (target >= 0.6)" "$(python3 -c "print(f'{$api16 / $pgb16:.2f}')")"
printf '%-52s %10s\n' "PostgreSQL create, 64 conns (req/s)" "$api64"
printf '%-52s %10s\n' "  p50 / p99 (ms) (target p99 < 50)" "$(figure latency_p50_ms "$WORK/pg64.txt") / $(figure latency_p99_ms "$WORK/pg64.txt")"
printf '%-52s %10s\n' "  non-2xx responses, socket errors" "$(figure non_2xx "$WORK/pg64.txt"), $(figure socket_errors "$WORK/pg64.txt")"
printf '%-52s %10s\n' "SQLite create, 16 conns (req/s, target >= 1000)" "$sqlite16"
printf '%-52s %10s\n' "  p50 / p99 (ms)" "$(figure latency_p50_ms "$WORK/sqlite16.txt") / $(figure latency_p99_ms "$WORK/sqlite16.txt")"
printf '%-52s %10s\n' "Webhook at 1000 req/s: achieved req/s" "$(figure achieved_rps "$WORK/webhook.txt")"
printf '%-52s %10s\n' "  p50 / p99 / max (ms) (target p99 < 5)" "$(figure latency_p50_ms "$WORK/webhook.txt") / $(figure latency_p99_ms "$WORK/webhook.txt") / $(figure latency_max_ms "$WORK/webhook.txt")"
printf '%-52s %10s\n' "  errors" "$(figure errors "$WORK/webhook.txt")"
echo "(raw outputs in $WORK)"
