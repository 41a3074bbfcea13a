#!/usr/bin/env bash
# The body of load.sh, run inside scripts/with-postgres.sh (PGHOST/PGPORT/PGUSER are set).
#
# Each phase gets a database and `payments serve` + `payments bank-sandbox` of its own, so no phase measures the
# background work another left behind (every created payment is then claimed, submitted to the sandbox, settled by two
# webhooks and followed by an ERP step; a 15 s burst leaves minutes of it).
set -euo pipefail
DURATION=${DURATION:-15}
BIN=${PAYMENTS_BIN:-$(swift build -c release --show-bin-path)/payments}
RATELOAD=${RATELOAD:?set by load.sh}
CREATE_PROTOCOL=${CREATE_PROTOCOL:-prepared}
WORK=$(mktemp -d /tmp/payments-bench.XXXXXX)
KEY=sk_bench_0123456789abcdef0123
SECRET=whsec_bench_5b1c
# Data keys for the PostgreSQL runs (SQLite makes its own key file beside the database).
DATA_KEYS="bench:$(head -c 32 /dev/urandom | base64),index:$(head -c 32 /dev/urandom | base64)"
CORES=$(nproc)
export PAYMENTS_API_KEY=$KEY
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

. scripts/bench/common.sh
# Snapshot of CPU counters: "serve sandbox postgres" seconds; postgres backends that exit in between are not counted,
# the pools' connections live through a run.
cpu_snapshot() { echo "$(cpu_of "$SERVE_PID") $(cpu_of "$SANDBOX_PID") $(cpu_of $(postgres_pids)) $(machine_busy)"; }
cpu_delta() {  # before after -> "serve sandbox postgres"
    python3 -c "import sys; b = list(map(float, sys.argv[1].split())); a = list(map(float, sys.argv[2].split())); print(' '.join(f'{y - x:.1f}' for x, y in zip(b, a)))" "$1" "$2"
}

# Starts `payments bank-sandbox` and `payments serve` on database $1, logs named after $2; sets API_PORT, SERVE_PID,
# SANDBOX_PID. Both at their defaults (log level info, worker concurrency 8), as in production; WORKERS=0 makes the
# server an API-only instance (the queue left to other instances).
start_stack() {
    local sandbox_port
    sandbox_port=$(free_port)
    API_PORT=$(free_port)
    BANK_WEBHOOK_SECRET=$SECRET LOG_LEVEL=warning "$BIN" bank-sandbox --port "$sandbox_port" \
        --webhook-url "http://127.0.0.1:$API_PORT/webhook/payments" > "$WORK/sandbox-$2.log" 2>&1 &
    SANDBOX_PID=$!
    pids+=($!)
    DATABASE_URL=$(db_url "$1") PAYMENTS_API_KEYS="bench:$KEY" PAYMENTS_WORKER_CONCURRENCY=${WORKERS:-8} \
        PAYMENTS_RATE_LIMITS=default=1000000/1000000 PAYMENTS_DATA_KEYS="$DATA_KEYS" \
        BANK_BASE_URL="http://127.0.0.1:$sandbox_port" BANK_CLIENT_ID=sandbox-client BANK_CLIENT_SECRET=sandbox-secret \
        BANK_WEBHOOK_SECRET=$SECRET "$BIN" serve --port "$API_PORT" > "$WORK/serve-$2.log" 2>&1 &
    SERVE_PID=$!
    pids+=($!)
    wait_ready "http://127.0.0.1:$API_PORT/readyz"
    wait_ready "http://127.0.0.1:$sandbox_port/healthz"
}

stop_stack() {
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    pids=()
    sleep 2  # let the cluster settle (its background writer and autovacuum) before the next phase
}

run_wrk() {  # connections, url, output
    wrk -t2 -c"$1" -d"${DURATION}s" --timeout 5s -s scripts/bench/create-payment.lua "$2" > "$3"
}

# How far the background work got: payments by status, and jobs still waiting.
progress() {
    psql -tA -d "$1" -c "SELECT (SELECT count(*) FROM payments), (SELECT count(*) FROM payments WHERE status <> 'initiated'),
        (SELECT count(*) FROM jobs WHERE state IN ('queued', 'running'))" | tr '|' ' '
}

# Transactions committed in database $1 so far (PostgreSQL publishes a backend's counts within a second).
commits() { psql -tA -d "$1" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"; }

# One create phase: fresh database $1, stack, 3 s warm-up, then the measured run at $2 connections into $3. With a
# fourth argument, the same server then answers GET /healthz at $2 connections into that file: the floor of the HTTP
# layer (Hummingbird, our middleware, no database), to read the create's own cost against.
create_phase() {
    createdb "$1"
    start_stack "$1" "$1"
    DURATION=3 run_wrk "$2" "http://127.0.0.1:$API_PORT/v1/payments" "$WORK/warmup-$1.txt"
    read -r _ settled_before _ <<< "$(progress "$1")"
    local before after commits_before
    sleep 1.1
    commits_before=$(commits "$1")
    before=$(cpu_snapshot)
    run_wrk "$2" "http://127.0.0.1:$API_PORT/v1/payments" "$3"
    after=$(cpu_snapshot)
    read -r _ settled_after pending <<< "$(progress "$1")"
    echo "cpu $(cpu_delta "$before" "$after")" >> "$3"
    echo "background_progressed $((settled_after - settled_before))" >> "$3"
    echo "jobs_pending $pending" >> "$3"
    sleep 1.1
    echo "commits $(($(commits "$1") - commits_before))" >> "$3"
    if [ -n "${4:-}" ]; then
        before=$(cpu_snapshot)
        wrk -t2 -c"$2" -d"${DURATION}s" "http://127.0.0.1:$API_PORT/healthz" > "$4"
        after=$(cpu_snapshot)
        echo "cpu $(cpu_delta "$before" "$after")" >> "$4"
    fi
    stop_stack
}

# Microseconds of CPU per request: "serve postgres machine" from a run's cpu line and its request count.
per_request() {  # file, requests/s
    awk -v rate="$2" -v seconds="$DURATION" '$1 == "cpu" && rate > 0 {
        n = rate * seconds; printf "serve %.0f, postgres %.0f, machine %.0f", $2 / n * 1e6, $4 / n * 1e6, $5 / n * 1e6 }' "$1"
}

# 1. The create path at 16 connections, then pgbench on the same database with the same statement.
echo "==> POST /v1/payments on PostgreSQL, 16 connections, ${DURATION}s (after a 3 s warm-up)"
create_phase bench_create16 16 "$WORK/pg16.txt"
api16=$(awk '/Requests\/sec/ { print $2 }' "$WORK/pg16.txt")

# 1b. The same, on an API-only instance (PAYMENTS_WORKER_CONCURRENCY=0: client API and webhook receiver, the queue
# left to worker instances, of which none runs during the measurement): the create path's own capacity, the figure
# pgbench's (which does none of the background work either) compares with. A build without that mode prints n/a.
echo "==> POST /v1/payments on PostgreSQL, API-only instance, 16 connections, ${DURATION}s (after a 3 s warm-up)"
probe=$(PAYMENTS_WORKER_CONCURRENCY=0 "$BIN" serve --database-url "sqlite:$WORK/probe.sqlite" 2>&1 || true)
if [[ $probe == *"needs a PostgreSQL"* ]]; then
    WORKERS=0 create_phase bench_create16_api 16 "$WORK/pg16-api.txt" "$WORK/healthz16.txt"
    # Each database is dropped once measured: autovacuum would otherwise work through the rows it holds during the
    # later phases.
    dropdb bench_create16_api
    api16_only=$(awk '/Requests\/sec/ { print $2 }' "$WORK/pg16-api.txt")
else
    echo "    (this build has no API-only mode)"
    api16_only=n/a
fi

# pgbench runs alone (the stack of phase 1 is stopped: its workers would otherwise drain phase 1's backlog on the same
# cores, or claim pgbench's submit jobs), on the database phase 1 filled. The script is the create path's statement.
# The headline ratio uses the protocol mode the create path uses: PostgresPaymentStore.create runs a named prepared
# statement (PostgresPreparedStatement), which is pgbench's -M prepared; CREATE_PROTOCOL=extended is for builds whose
# create sends unnamed statements (parsed and planned every time, pgbench's -M extended). Both are printed.
run_pgbench() {  # mode, output
    local before after
    before=$(machine_busy)
    pgbench -n -M "$1" -c 16 -j 2 -T "$DURATION" -f scripts/bench/create-payment.sql bench_create16 > "$2" 2>&1
    after=$(machine_busy)
    echo "machine_cpu $(python3 -c "print(f'{$after - $before:.1f}')")" >> "$2"
}
for mode in prepared extended; do
    echo "==> pgbench, the create path's statement, 16 connections, ${DURATION}s, -M $mode"
    run_pgbench "$mode" "$WORK/pgbench16-$mode.txt"
done
dropdb bench_create16
pgb16=$(awk '/^tps/ { print $3 }' "$WORK/pgbench16-prepared.txt")
pgb16x=$(awk '/^tps/ { print $3 }' "$WORK/pgbench16-extended.txt")
if [ "$CREATE_PROTOCOL" = prepared ]; then pgb_mirror=$pgb16; else pgb_mirror=$pgb16x; fi

# 2. The create path at 64 connections.
echo "==> POST /v1/payments on PostgreSQL, 64 connections, ${DURATION}s (after a 3 s warm-up)"
create_phase bench_create64 64 "$WORK/pg64.txt"
api64=$(awk '/Requests\/sec/ { print $2 }' "$WORK/pg64.txt")
dropdb bench_create64

# 3. The webhook path on a database of its own, seeded with settled payments and drained first, so the figure is the
# webhook path's own. Load at a constant rate from a compiled open-loop generator (rateload.c): latency counts from
# each request's scheduled time.
echo "==> POST /webhook/payments at 1,000 requests/s for ${DURATION}s (known payments, 'processing' events)"
createdb bench_webhook
start_stack bench_webhook webhook
DURATION=2 run_wrk 8 "http://127.0.0.1:$API_PORT/v1/payments" "$WORK/seed.txt"
for _ in $(seq 1 180); do
    pending=$(psql -tA -d bench_webhook -c "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')")
    [ "$pending" = "0" ] && break
    sleep 1
done
echo "    seeded $(psql -tA -d bench_webhook -c 'SELECT count(*) FROM payments') payments; jobs still pending: $pending"
psql -tA -d bench_webhook -c "SELECT id FROM payments ORDER BY created_at DESC LIMIT 2000" > "$WORK/ids.txt"
# As pgbench does before its runs: vacuum the seeded tables (and checkpoint), so autovacuum does not pick them up
# mid-run.
psql -q -d bench_webhook -c "VACUUM ANALYZE" -c "CHECKPOINT"
python3 scripts/bench/make_webhook_requests.py --count $((1000 * DURATION)) --host "127.0.0.1:$API_PORT" \
    --secret "$SECRET" --payment-ids "$WORK/ids.txt" > "$WORK/webhook-requests.bin"
# A 2 s warm-up at the same rate, with events of its own, as the create phases have: the first webhooks would
# otherwise measure the server preparing the webhook statement on each pooled connection and reopening connections
# the pool let go while the seed drained.
python3 scripts/bench/make_webhook_requests.py --count 2000 --host "127.0.0.1:$API_PORT" \
    --secret "$SECRET" --payment-ids "$WORK/ids.txt" > "$WORK/webhook-warmup.bin"
"$RATELOAD" --port "$API_PORT" --rate 1000 --duration 2 --connections 32 \
    --requests "$WORK/webhook-warmup.bin" > "$WORK/webhook-warmup.txt"
# The server's own view too: payment_webhook_latency_seconds (handler receipt to acknowledgement) from /metrics before
# and after, so the report separates time in the handler from time in the socket, the event loop and the scheduler.
curl -sf "http://127.0.0.1:$API_PORT/metrics" > "$WORK/webhook-metrics-before.txt"
before=$(cpu_snapshot)
"$RATELOAD" --port "$API_PORT" --rate 1000 --duration "$DURATION" --connections 32 \
    --requests "$WORK/webhook-requests.bin" > "$WORK/webhook.txt"
after=$(cpu_snapshot)
curl -sf "http://127.0.0.1:$API_PORT/metrics" > "$WORK/webhook-metrics-after.txt"
echo "cpu $(cpu_delta "$before" "$after")" >> "$WORK/webhook.txt"
python3 scripts/bench/histogram_delta.py "$WORK/webhook-metrics-before.txt" "$WORK/webhook-metrics-after.txt" \
    payment_webhook_latency_seconds 0.5 0.99 | sed 's/^/server_/' >> "$WORK/webhook.txt" || true
stop_stack

# 4. The SQLite default: embedded sandbox, one process.
echo "==> POST /v1/payments on the SQLite default (embedded sandbox), 16 connections, ${DURATION}s"
SQLITE_PORT=$(free_port)
PAYMENTS_API_KEYS="bench:$KEY" BANK_BASE_URL=sandbox PAYMENTS_RATE_LIMITS=default=1000000/1000000 "$BIN" serve --port "$SQLITE_PORT" --database-url "sqlite:$WORK/bench.sqlite" \
    > "$WORK/serve-sqlite.log" 2>&1 &
SERVE_PID=$!
pids+=($!)
wait_ready "http://127.0.0.1:$SQLITE_PORT/readyz"
DURATION=3 run_wrk 16 "http://127.0.0.1:$SQLITE_PORT/v1/payments" "$WORK/warmup-sqlite.txt"
run_wrk 16 "http://127.0.0.1:$SQLITE_PORT/v1/payments" "$WORK/sqlite16.txt"
sqlite16=$(awk '/Requests\/sec/ { print $2 }' "$WORK/sqlite16.txt")
stop_stack

cpu_line() {  # file -> "serve X, sandbox Y, postgres Z, machine M (of N available)"
    local serve sandbox postgres machine
    read -r serve sandbox postgres machine <<< "$(awk '$1 == "cpu" { print $2, $3, $4, $5 }' "$1")"
    echo "serve $serve, sandbox $sandbox, postgres $postgres; machine $machine of $((CORES * DURATION))"
}
row() { printf '%-58s %s\n' "$1" "$2"; }
# create_rows TITLE RATE FILE LATENCY_NOTE: a create phase with workers on.
create_rows() {
    row "$1" "$2"
    row "  p50 / p99 (ms)$4" "$(figure latency_p50_ms "$3") / $(figure latency_p99_ms "$3")"
    row "  non-2xx responses, socket errors" "$(figure non_2xx "$3"), $(figure socket_errors "$3")"
    row "  CPU seconds during the run" "$(cpu_line "$3")"
    row "  payments the background work moved on / jobs pending after" "$(figure background_progressed "$3") / $(figure jobs_pending "$3")"
}

echo
echo "== results: $(nproc) cores, load generator on the same cores, ${DURATION}s per run, $("$BIN" --version 2>/dev/null || echo payments)"
create_rows "PostgreSQL create, 16 conns (req/s)" "$api16" "$WORK/pg16.txt" ""
row "pgbench, the same statement, -M prepared, 16 conns (tps)" "$pgb16"
row "  machine CPU seconds busy during the run" "$(figure machine_cpu "$WORK/pgbench16-prepared.txt") of $((CORES * DURATION))"
row "  machine CPU microseconds per transaction" "$(python3 -c "print(f'{$(figure machine_cpu "$WORK/pgbench16-prepared.txt") / ($pgb16 * $DURATION) * 1e6:.0f}')")"
row "pgbench, the same statement, -M extended, 16 conns (tps)" "$pgb16x"
row "  machine CPU seconds busy during the run" "$(figure machine_cpu "$WORK/pgbench16-extended.txt") of $((CORES * DURATION))"
row "RATIO API / pgbench -M $CREATE_PROTOCOL, as the create path (target >= 0.6)" "$(ratio "$api16" "$pgb_mirror")"
row "  ratio API / pgbench -M prepared, -M extended" "$(ratio "$api16" "$pgb16"), $(ratio "$api16" "$pgb16x")"
row "PostgreSQL create, API-only instance, 16 conns (req/s)" "$api16_only"
if [ "$api16_only" != n/a ]; then
    row "  p50 / p99 (ms)" "$(figure latency_p50_ms "$WORK/pg16-api.txt") / $(figure latency_p99_ms "$WORK/pg16-api.txt")"
    row "  non-2xx responses, socket errors" "$(figure non_2xx "$WORK/pg16-api.txt"), $(figure socket_errors "$WORK/pg16-api.txt")"
    row "  CPU seconds during the run" "$(cpu_line "$WORK/pg16-api.txt")"
    row "  CPU microseconds per create" "$(per_request "$WORK/pg16-api.txt" "$api16_only")"
    row "  creates per PostgreSQL transaction (batching)" "$(ratio "$(figure requests "$WORK/pg16-api.txt")" "$(figure commits "$WORK/pg16-api.txt")")"
    row "RATIO API-only / pgbench -M $CREATE_PROTOCOL (target >= 0.6)" "$(ratio "$api16_only" "$pgb_mirror")"
    healthz16=$(awk '/Requests\/sec/ { print $2 }' "$WORK/healthz16.txt")
    row "  floor: GET /healthz on that server, 16 conns (req/s)" "$healthz16"
    row "    CPU microseconds per request" "$(per_request "$WORK/healthz16.txt" "$healthz16")"
fi
create_rows "PostgreSQL create, 64 conns (req/s)" "$api64" "$WORK/pg64.txt" " (target p99 < 50)"
row "SQLite create, 16 conns (req/s, target >= 1000)" "$sqlite16"
row "  p50 / p99 (ms)" "$(figure latency_p50_ms "$WORK/sqlite16.txt") / $(figure latency_p99_ms "$WORK/sqlite16.txt")"
row "Webhook at 1000 req/s open loop: achieved (req/s)" "$(figure achieved_rps "$WORK/webhook.txt")"
row "  p50 / p90 / p99 / p99.9 / max (ms) (target p99 < 5)" "$(figure latency_p50_ms "$WORK/webhook.txt") / $(figure latency_p90_ms "$WORK/webhook.txt") / $(figure latency_p99_ms "$WORK/webhook.txt") / $(figure latency_p999_ms "$WORK/webhook.txt") / $(figure latency_max_ms "$WORK/webhook.txt")"
row "  in the handler (payment_webhook_latency_seconds): p50 / p99 (ms), share under 5 ms" "$(figure server_p50_ms "$WORK/webhook.txt") / $(figure server_p99_ms "$WORK/webhook.txt"), $(figure server_under_5ms_share "$WORK/webhook.txt")"
row "  ok, errors, unanswered" "$(figure ok "$WORK/webhook.txt"), $(figure errors "$WORK/webhook.txt"), $(figure unanswered "$WORK/webhook.txt")"
row "  generator: CPU s, dispatch lag p99 / max (ms)" "$(figure generator_cpu_s "$WORK/webhook.txt"), $(figure dispatch_lag_p99_ms "$WORK/webhook.txt") / $(figure dispatch_lag_max_ms "$WORK/webhook.txt")"
row "  CPU seconds during the run" "$(cpu_line "$WORK/webhook.txt")"
echo "(raw outputs in $WORK)"
