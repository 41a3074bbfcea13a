#!/usr/bin/env bash
# The body of lifecycle.sh, run inside scripts/with-postgres.sh (PGHOST/PGPORT/PGUSER are set).
set -euo pipefail
RATE=${RATE:-200}
STEADY_SECONDS=${STEADY_SECONDS:-20}
SATURATION_SECONDS=${SATURATION_SECONDS:-15}
WORKER_INSTANCES=${WORKER_INSTANCES:-1}
ROUNDS=${ROUNDS:-1}
IDLE_SECONDS=${IDLE_SECONDS:-30}
BIN=${PAYMENTS_BIN:-$(swift build -c release --show-bin-path)/payments}
RATELOAD=${RATELOAD:?set by lifecycle.sh}
WORK=$(mktemp -d /tmp/payments-lifecycle.XXXXXX)
KEY=sk_bench_0123456789abcdef0123
SECRET=whsec_bench_5b1c
DATA_KEYS="bench:$(head -c 32 /dev/urandom | base64),index:$(head -c 32 /dev/urandom | base64)"
export PAYMENTS_API_KEY=$KEY
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

. scripts/bench/common.sh
row() { printf '%-64s %s\n' "$1" "$2"; }

SINK_PORT=$(free_port)
python3 scripts/bench/otlp_sink.py --port "$SINK_PORT" > "$WORK/sink.log" 2>&1 &
pids+=($!)

# start_sandbox DB: the bank, its webhooks to $WEBHOOK_PORT; sets SANDBOX_PID.
start_sandbox() {
    local port
    port=$(free_port)
    SANDBOX_PORT=$port
    BANK_WEBHOOK_SECRET=$SECRET LOG_LEVEL=warning SANDBOX_PROCESSING_DELAY_MS=0 SANDBOX_SETTLEMENT_DELAY_MS=0 \
        "$BIN" bank-sandbox --port "$port" --webhook-url "http://127.0.0.1:$WEBHOOK_PORT/webhook/payments" \
        > "$WORK/sandbox-$1.log" 2>&1 &
    SANDBOX_PID=$!
    pids+=($!)
    wait_ready "http://127.0.0.1:$port/healthz"
}

# start_serve DB PORT WORKERS TELEMETRY NAME: one instance; prints its pid.
start_serve() {
    local -a env=(DATABASE_URL="$(db_url "$1")" PAYMENTS_API_KEYS="bench:$KEY" PAYMENTS_WORKER_CONCURRENCY="$3"
        PAYMENTS_RATE_LIMITS=default=1000000/1000000 PAYMENTS_DATA_KEYS="$DATA_KEYS"
        BANK_BASE_URL="http://127.0.0.1:$SANDBOX_PORT" BANK_CLIENT_ID=sandbox-client BANK_CLIENT_SECRET=sandbox-secret
        BANK_WEBHOOK_SECRET=$SECRET OTEL_SERVICE_NAME="payments-$5")
    if [ "$4" = on ]; then
        env+=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" OTEL_EXPORTER_OTLP_COMPRESSION=gzip
            OTEL_METRIC_EXPORT_INTERVAL=10000)
    else
        env+=(OTEL_SDK_DISABLED=true)
    fi
    env "${env[@]}" "$BIN" serve --port "$2" > "$WORK/serve-$5.log" 2>&1 &
    echo $!
}

# start_stack DB SHAPE TELEMETRY: SHAPE split (an API-only instance and WORKER_INSTANCES worker instances) or single
# (one instance doing everything). Sets API_PORT, SERVE_PIDS (all instances), SANDBOX_PID.
start_stack() {
    createdb "$1"
    psql -q -d "$1" -c "CREATE EXTENSION pg_stat_statements"
    # Migrate first, so that instances starting together do not queue on the migration lock.
    DATABASE_URL=$(db_url "$1") PAYMENTS_DATA_KEYS="$DATA_KEYS" "$BIN" migrate > "$WORK/migrate-$1.log" 2>&1
    API_PORT=$(free_port)
    WEBHOOK_PORT=$API_PORT
    start_sandbox "$1"
    SERVE_PIDS=()
    local pid port i
    if [ "$2" = split ]; then
        pid=$(start_serve "$1" "$API_PORT" 0 "$3" "$1-api")
        SERVE_PIDS+=("$pid")
        for i in $(seq 1 "$WORKER_INSTANCES"); do
            port=$(free_port)
            pid=$(start_serve "$1" "$port" 8 "$3" "$1-worker$i")
            SERVE_PIDS+=("$pid")
            wait_ready "http://127.0.0.1:$port/readyz"
        done
    else
        pid=$(start_serve "$1" "$API_PORT" 8 "$3" "$1-single")
        SERVE_PIDS+=("$pid")
    fi
    pids+=("${SERVE_PIDS[@]}")
    wait_ready "http://127.0.0.1:$API_PORT/readyz"
}

stop_stack() {
    kill "${SERVE_PIDS[@]}" "$SANDBOX_PID" 2>/dev/null || true
    for pid in "${SERVE_PIDS[@]}" "$SANDBOX_PID"; do
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    done
    sleep 2  # let the cluster's background writer and autovacuum settle before the next phase
}

# wait_settled DB PREFIX: until every payment of the run (and of the runs before it) is final (at most 300 s). The
# count goes through the status index, four times a second: the poll must cost PostgreSQL next to nothing.
wait_settled() {
    local open
    for _ in $(seq 1 1200); do
        open=$(psql -tA -d "$1" -c "SELECT count(*) FROM payments WHERE status IN ('initiated', 'processing')")
        [ "$open" = 0 ] && return 0
        sleep 0.25
    done
    echo "    $open payments of $2 not settled after 300 s" >&2
}

# latency DB PREFIX: "key value" lines, from the database's timestamps: create -> submit job ended, create -> final.
latency() {
    psql -tA -F ' ' -d "$1" <<SQL
WITH run AS (SELECT id, created_at, updated_at, status FROM payments WHERE client_ref LIKE '$2-%'),
submitted AS (
    SELECT extract(epoch FROM j.updated_at - run.created_at) * 1000 AS ms FROM run
    JOIN jobs j ON j.payment_id = run.id AND j.kind = 'submit' AND j.state = 'succeeded'
), settled AS (
    SELECT extract(epoch FROM updated_at - created_at) * 1000 AS ms FROM run
    WHERE status IN ('completed', 'returned', 'failed')
)
SELECT 'payments', count(*)::text FROM run
UNION ALL SELECT 'settled', count(*)::text FROM settled
UNION ALL SELECT 'submit_p50_ms', round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1)::text FROM submitted
UNION ALL SELECT 'submit_p99_ms', round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1)::text FROM submitted
UNION ALL SELECT 'submit_max_ms', round(max(ms)::numeric, 1)::text FROM submitted
UNION ALL SELECT 'final_p50_ms', round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1)::text FROM settled
UNION ALL SELECT 'final_p99_ms', round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1)::text FROM settled
UNION ALL SELECT 'settled_per_s', round((count(*) / extract(epoch FROM max(updated_at) - min(created_at)))::numeric, 1)::text
    FROM run WHERE status IN ('completed', 'returned', 'failed')
UNION ALL SELECT 'span_s', round(extract(epoch FROM max(updated_at) - min(created_at))::numeric, 2)::text FROM run;
SQL
}

# 1. Steady rate.
steady() {
    local db=lc_steady prefix=STEADY
    echo "==> steady: $RATE creates/s for ${STEADY_SECONDS}s, one API-only and $WORKER_INSTANCES worker instance(s)"
    start_stack "$db" split off
    python3 scripts/bench/make_create_requests.py --count $((RATE * 3)) --host "127.0.0.1:$API_PORT" --key "$KEY" \
        --prefix WARM > "$WORK/warm.bin"
    python3 scripts/bench/make_create_requests.py --count $((RATE * STEADY_SECONDS)) --host "127.0.0.1:$API_PORT" \
        --key "$KEY" --prefix "$prefix" > "$WORK/steady.bin"
    "$RATELOAD" --port "$API_PORT" --rate "$RATE" --duration 3 --connections 16 --requests "$WORK/warm.bin" \
        > "$WORK/warm.txt"
    wait_settled "$db" WARM
    "$RATELOAD" --port "$API_PORT" --rate "$RATE" --duration "$STEADY_SECONDS" --connections 16 \
        --requests "$WORK/steady.bin" > "$WORK/steady-load.txt"
    wait_settled "$db" "$prefix"
    latency "$db" "$prefix" > "$WORK/steady.txt"
    # The slowest submissions, for a look at what held them: job attempts and every history entry's offset.
    psql -tA -F ' | ' -d "$db" -c "SELECT round(extract(epoch FROM j.updated_at - p.created_at) * 1000) AS ms,
        j.attempts, (SELECT string_agg(h.status || '@' || round(extract(epoch FROM h.at - p.created_at) * 1000), ' '
        ORDER BY h.id) FROM payment_history h WHERE h.payment_id = p.id), p.created_at
        FROM payments p JOIN jobs j ON j.payment_id = p.id AND j.kind = 'submit'
        WHERE p.client_ref LIKE '$prefix-%' ORDER BY 1 DESC LIMIT 20" > "$WORK/steady-slowest.txt"
    cat "$WORK/steady-load.txt" >> "$WORK/steady.txt"
    stop_stack
    dropdb "$db"
}

# 2./3. Saturation: saturation NAME SHAPE TELEMETRY.
saturation() {
    local db="lc_$1" prefix before after
    prefix=$(echo "$1" | tr '[:lower:]' '[:upper:]')
    echo "==> saturation ($1): 16 connections for ${SATURATION_SECONDS}s, then until settled; shape $2, telemetry $3"
    start_stack "$db" "$2" "$3"
    # Warm-up: the connection pools, prepared statements, the bank's token.
    BENCH_PREFIX=WARM wrk -t2 -c16 -d2s -s scripts/bench/create-payment.lua "http://127.0.0.1:$API_PORT/v1/payments" \
        > /dev/null
    wait_settled "$db" WARM
    before="$(cpu_of "${SERVE_PIDS[0]}") $(cpu_of "${SERVE_PIDS[@]:1}") $(cpu_of "$SANDBOX_PID") $(cpu_of $(postgres_pids))"
    BENCH_PREFIX=$prefix wrk -t2 -c16 -d"${SATURATION_SECONDS}s" --timeout 5s -s scripts/bench/create-payment.lua \
        "http://127.0.0.1:$API_PORT/v1/payments" > "$WORK/$1-wrk.txt"
    wait_settled "$db" "$prefix"
    after="$(cpu_of "${SERVE_PIDS[0]}") $(cpu_of "${SERVE_PIDS[@]:1}") $(cpu_of "$SANDBOX_PID") $(cpu_of $(postgres_pids))"
    latency "$db" "$prefix" > "$WORK/$1.txt"
    # Where PostgreSQL's time went, by statement (the whole phase, warm-up included).
    psql -tA -F ' | ' -d "$db" -c "SELECT calls, round(total_exec_time)::int8 AS ms,
        left(regexp_replace(query, '\s+', ' ', 'g'), 100) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = '$db' ORDER BY total_exec_time DESC LIMIT 15" > "$WORK/$1-statements.txt"
    python3 -c "import sys; b = list(map(float, sys.argv[1].split())); a = list(map(float, sys.argv[2].split())); print('cpu', ' '.join(f'{y - x:.2f}' for x, y in zip(b, a)))" \
        "$before" "$after" >> "$WORK/$1.txt"
    cat "$WORK/$1-wrk.txt" >> "$WORK/$1.txt"
    stop_stack
    dropdb "$db"
}

# 4. pgbench on the lifecycle's statements.
pgbench_lifecycle() {
    echo "==> pgbench: the lifecycle's statements, 16 connections, ${SATURATION_SECONDS}s, -M prepared"
    createdb lc_pgbench
    DATABASE_URL=$(db_url lc_pgbench) PAYMENTS_DATA_KEYS="$DATA_KEYS" "$BIN" migrate > "$WORK/migrate-pgbench.log" 2>&1
    pgbench -n -M prepared -c 16 -j 2 -T 2 -f scripts/bench/lifecycle.sql lc_pgbench > /dev/null 2>&1
    psql -q -d lc_pgbench -c "VACUUM ANALYZE" -c CHECKPOINT
    local before after
    before=$(machine_busy)
    pgbench -n -M prepared -c 16 -j 2 -T "$SATURATION_SECONDS" -f scripts/bench/lifecycle.sql lc_pgbench \
        > "$WORK/pgbench.txt" 2>&1
    after=$(machine_busy)
    echo "machine_cpu $(python3 -c "print(f'{$after - $before:.2f}')")" >> "$WORK/pgbench.txt"
    psql -tA -d lc_pgbench -c "SELECT 'settled_payments', count(*) FROM payments WHERE status = 'completed'" -F ' ' \
        >> "$WORK/pgbench.txt"
    dropdb lc_pgbench
}

# 5. Idle.
idle() {
    echo "==> idle: one instance with workers, nothing to do, ${IDLE_SECONDS}s"
    start_stack lc_idle single off
    sleep 5
    local commits_before commits_after
    psql -q -d lc_idle -c "SELECT pg_stat_statements_reset()" > /dev/null
    commits_before=$(psql -tA -d lc_idle -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'lc_idle'")
    sleep "$IDLE_SECONDS"
    commits_after=$(psql -tA -d lc_idle -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'lc_idle'")
    psql -tA -F ' ' -d lc_idle -c "SELECT 'statements', COALESCE(sum(calls), 0) FROM pg_stat_statements s
        JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'lc_idle' AND s.query NOT LIKE '%pg_stat%'" > "$WORK/idle.txt"
    echo "transactions $((commits_after - commits_before - 2))" >> "$WORK/idle.txt"
    psql -tA -F ' | ' -d lc_idle -c "SELECT calls, left(regexp_replace(query, '\s+', ' ', 'g'), 90) FROM pg_stat_statements s
        JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'lc_idle' AND s.query NOT LIKE '%pg_stat%'
        ORDER BY calls DESC LIMIT 12" > "$WORK/idle-statements.txt"
    stop_stack
    dropdb lc_idle
}

# 6. History: the create's p99 at RATE (API-only instance, nothing working the queue) and the cost of the queue
# metrics' reads, with HISTORY_JOBS finished jobs (and the completed payments they belong to, two jobs each) in the
# tables, against empty ones; then the same reads on SQLite. Median of 20 executions each (EXPLAIN ANALYZE on
# PostgreSQL, the sqlite3 shell's timer on SQLite).
HISTORY_JOBS=${HISTORY_JOBS:-2000000}
# The reads BacklogMetricsSampler makes every 5 s (JobQueue.stats, the reconciliation backlog, the delivery backlog).
QUEUE_STATS="SELECT kind, COUNT(*), MIN(created_at) FROM jobs WHERE state = 'queued' GROUP BY kind
    UNION ALL SELECT kind, COUNT(*), MIN(created_at) FROM jobs WHERE state = 'running' GROUP BY kind"
RECONCILIATION_BACKLOG="SELECT (SELECT count(*) FROM payments p WHERE p.status = 'initiated' AND NOT EXISTS (
        SELECT 1 FROM jobs j WHERE j.payment_id = p.id AND j.kind = 'submit' AND j.state IN ('queued', 'running'))),
    (SELECT count(*) FROM payments WHERE status = 'processing' AND updated_at < now() - interval '10 minutes')"
history_fill() {  # DB: HISTORY_JOBS finished jobs, two per completed payment; triggers off, as for a restore
    psql -q -d "$1" <<SQL
SET session_replication_role = replica;
INSERT INTO payments (id, client_id, client_ref, idempotency_key, request_fingerprint, amount_minor, currency,
    recipient_type, recipient_name, recipient_account_number, recipient_routing_number, status, attempts, created_at,
    updated_at, recipient_account_last4, recipient_account_index, recipient_key_id)
SELECT gen_random_uuid(), 'bench', 'HIST-' || i, NULL, md5(i::text), 1000 + i % 1000, 'USD', 'bank_account', 'Acme LLC',
    'destroyed', '021000021', 'completed', 1, now() - interval '2 days' + i * interval '1 millisecond',
    now() - interval '2 days' + i * interval '1 millisecond', '6789', md5(i::text), 'bench'
FROM generate_series(1, $((HISTORY_JOBS / 2))) AS i;
INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, created_at, updated_at, result)
SELECT gen_random_uuid(), k.kind, p.id, k.state, 1, p.created_at, p.created_at, p.updated_at, k.result
FROM payments p, (VALUES ('submit', 'succeeded', NULL), ('erp_update', 'skipped', 'no ERP configured'))
    AS k (kind, state, result);
SQL
    psql -q -d "$1" -c "VACUUM ANALYZE" -c CHECKPOINT
}
median_exec_ms() {  # DB SQL: median execution time of 20 runs, from EXPLAIN ANALYZE
    for _ in $(seq 1 20); do
        psql -tA -d "$1" -c "EXPLAIN (ANALYZE, TIMING OFF) $2" | awk '/Execution Time/ { print $3 }'
    done | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", (v[10] + v[11]) / 2 }'
}
history() {
    local size db
    for size in 0 "$HISTORY_JOBS"; do
        db=lc_history_$size
        echo "==> history: $size finished jobs; creates at $RATE/s on an API-only instance, queue metric reads"
        createdb "$db"
        psql -q -d "$db" -c "CREATE EXTENSION pg_stat_statements"
        DATABASE_URL=$(db_url "$db") PAYMENTS_DATA_KEYS="$DATA_KEYS" "$BIN" migrate > "$WORK/migrate-$db.log" 2>&1
        [ "$size" -gt 0 ] && history_fill "$db"
        API_PORT=$(free_port)
        WEBHOOK_PORT=$API_PORT
        start_sandbox "$db"
        SERVE_PIDS=("$(start_serve "$db" "$API_PORT" 0 off "$db-api")")
        pids+=("${SERVE_PIDS[@]}")
        wait_ready "http://127.0.0.1:$API_PORT/readyz"
        python3 scripts/bench/make_create_requests.py --count $((RATE * 3)) --host "127.0.0.1:$API_PORT" --key "$KEY" \
            --prefix "HWARM$size" > "$WORK/hwarm.bin"
        python3 scripts/bench/make_create_requests.py --count $((RATE * STEADY_SECONDS)) --host "127.0.0.1:$API_PORT" \
            --key "$KEY" --prefix "HRUN$size" > "$WORK/hrun.bin"
        "$RATELOAD" --port "$API_PORT" --rate "$RATE" --duration 3 --connections 16 --requests "$WORK/hwarm.bin" > /dev/null
        "$RATELOAD" --port "$API_PORT" --rate "$RATE" --duration "$STEADY_SECONDS" --connections 16 \
            --requests "$WORK/hrun.bin" > "$WORK/history-$size.txt"
        stop_stack
        echo "queue_stats_ms $(median_exec_ms "$db" "$QUEUE_STATS")" >> "$WORK/history-$size.txt"
        echo "reconciliation_backlog_ms $(median_exec_ms "$db" "$RECONCILIATION_BACKLOG")" >> "$WORK/history-$size.txt"
        echo "jobs_rows $(psql -tA -d "$db" -c "SELECT count(*) FROM jobs")" >> "$WORK/history-$size.txt"
        dropdb "$db"
        history_sqlite "$size"
    done
}
history_sqlite() {  # SIZE: the queue stats read on a SQLite file holding SIZE finished jobs (and, for contrast, the
    # read before this change, one condition over both states)
    local file="$WORK/history-$1.sqlite"
    DATABASE_URL="sqlite:$file" "$BIN" migrate > /dev/null 2>&1
    if [ "$1" -gt 0 ]; then
        sqlite3 "$file" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
            INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, created_at, updated_at)
            SELECT printf('00000000-0000-4000-8000-%012d', i), 'erp_update', 'p', 'succeeded', 1, i, i, i FROM n"
    fi
    local old="SELECT kind, COUNT(*), MIN(created_at) FROM jobs WHERE state IN ('queued', 'running') GROUP BY kind"
    for pair in "sqlite_queue_stats_ms|$QUEUE_STATS" "sqlite_old_queue_stats_ms|$old"; do
        python3 - "$file" "${pair#*|}" "${pair%%|*}" >> "$WORK/history-$1.txt" <<'PY'
import sqlite3, statistics, sys, time
db = sqlite3.connect(sys.argv[1])
times = []
for _ in range(20):
    started = time.perf_counter()
    db.execute(sys.argv[2]).fetchall()
    times.append((time.perf_counter() - started) * 1000)
print(sys.argv[3], f"{statistics.median(times):.3f}")
PY
    done
}

PHASES=${PHASES:-steady saturation pgbench idle history}
for phase in $PHASES; do
    case $phase in
    steady) steady ;;
    saturation)
        for round in $(seq 1 "$ROUNDS"); do
            saturation "split_off_$round" split off
            saturation "split_on_$round" split on
        done
        saturation single_off single off
        ;;
    pgbench) pgbench_lifecycle ;;
    idle) idle ;;
    history) history ;;
    esac
done

per_settled() {  # file -> "api A, workers W, sandbox S, postgres P" microseconds of CPU per settled payment
    awk '$1 == "settled" { n = $2 } $1 == "cpu" { c2 = $2; c3 = $3; c4 = $4; c5 = $5 }
        END { if (n > 0) printf "instance 1 %.0f, other instances %.0f, sandbox %.0f, postgres %.0f", c2 / n * 1e6, c3 / n * 1e6, c4 / n * 1e6, c5 / n * 1e6 }' "$1"
}
median_of() {  # key files...
    local key=$1
    shift
    for f in "$@"; do figure "$key" "$f"; done | python3 -c 'import statistics, sys; v = [float(x) for x in sys.stdin if x.strip()]; print(f"{statistics.median(v):.1f}" if v else "n/a")'
}

echo
echo "== results: $(nproc) cores, load generator, sandbox, instances and PostgreSQL on the same cores; $("$BIN" --version 2>/dev/null || echo payments)"
if [[ " $PHASES " == *" steady "* ]]; then
    f=$WORK/steady.txt
    row "steady $RATE/s, API-only + $WORKER_INSTANCES worker: payments, achieved rate" "$(figure payments "$f"), $(figure achieved_rps "$f")/s"
    row "  create -> bank answered (submit job ended) p50 / p99 / max (ms)" "$(figure submit_p50_ms "$f") / $(figure submit_p99_ms "$f") / $(figure submit_max_ms "$f")"
    row "  create -> final status p50 / p99 (ms)" "$(figure final_p50_ms "$f") / $(figure final_p99_ms "$f")"
    row "  create request p50 / p99 (ms, from its scheduled time)" "$(figure latency_p50_ms "$f") / $(figure latency_p99_ms "$f")"
fi
if [[ " $PHASES " == *" saturation "* ]]; then
    for f in "$WORK"/split_off_[0-9].txt "$WORK"/split_on_[0-9].txt "$WORK/single_off.txt"; do
        name=$(basename "$f" .txt)
        row "saturation $name: settled payments/s (payments, seconds)" "$(figure settled_per_s "$f") ($(figure settled "$f"), $(figure span_s "$f"))"
        row "  create -> bank answered p50 / p99, -> final p50 / p99 (ms)" "$(figure submit_p50_ms "$f") / $(figure submit_p99_ms "$f"), $(figure final_p50_ms "$f") / $(figure final_p99_ms "$f")"
        row "  CPU us per settled payment" "$(per_settled "$f")"
    done
    off=$(median_of settled_per_s "$WORK"/split_off_[0-9].txt)
    on=$(median_of settled_per_s "$WORK"/split_on_[0-9].txt)
    row "telemetry fully on / off, settled/s (median of $ROUNDS)" "$(ratio "$on" "$off") ($on / $off)"
fi
if [[ " $PHASES " == *" pgbench "* ]]; then
    tps=$(awk '/^tps/ { print $3 }' "$WORK/pgbench.txt")
    row "pgbench, the lifecycle's statements, 16 conns (lifecycles/s)" "$tps"
    row "  machine CPU us per lifecycle (PostgreSQL and pgbench)" "$(python3 -c "print(f'{$(figure machine_cpu "$WORK/pgbench.txt") / ($tps * $SATURATION_SECONDS) * 1e6:.0f}')")"
    if [[ " $PHASES " == *" saturation "* ]]; then
        row "RATIO settled/s (split, telemetry off) / pgbench (target >= 0.5)" "$(ratio "$off" "$tps")"
        row "  single instance / pgbench" "$(ratio "$(figure settled_per_s "$WORK/single_off.txt")" "$tps")"
    fi
fi
if [[ " $PHASES " == *" idle "* ]]; then
    row "idle instance: statements/s, transactions/s (target ~1)" "$(python3 -c "print(f'{$(figure statements "$WORK/idle.txt") / $IDLE_SECONDS:.2f}')"), $(python3 -c "print(f'{$(figure transactions "$WORK/idle.txt") / $IDLE_SECONDS:.2f}')")"
    sed 's/^/    /' "$WORK/idle-statements.txt"
fi
if [[ " $PHASES " == *" history "* ]]; then
    for size in 0 "$HISTORY_JOBS"; do
        f=$WORK/history-$size.txt
        row "$size finished jobs: create p50 / p99 at $RATE/s (ms)" "$(figure latency_p50_ms "$f") / $(figure latency_p99_ms "$f")"
        row "  PostgreSQL: queue stats / reconciliation backlog read (ms)" "$(figure queue_stats_ms "$f") / $(figure reconciliation_backlog_ms "$f")"
        row "  SQLite: queue stats read, as now / as before (ms)" "$(figure sqlite_queue_stats_ms "$f") / $(figure sqlite_old_queue_stats_ms "$f")"
    done
fi
echo "(raw outputs in $WORK)"
