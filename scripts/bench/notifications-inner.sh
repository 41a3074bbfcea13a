#!/usr/bin/env bash
# The body of notifications.sh, run inside scripts/with-postgres.sh (PGHOST/PGPORT/PGUSER are set).
set -euo pipefail
BIN=${PAYMENTS_BIN:-$(swift build -c release --show-bin-path)/payments}
PAYMENTS=${PAYMENTS:-2000}
KEY=sk_bench_0123456789abcdef0123
SECRET=whsec_bench_5b1c
DATA_KEYS="bench:$(head -c 32 /dev/urandom | base64),index:$(head -c 32 /dev/urandom | base64)"
WORK=$(mktemp -d /tmp/payments-notify.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { for _ in $(seq 1 200); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }
serve() {  # database, port, delivery concurrency, per-endpoint concurrency, log
    DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$1" PAYMENTS_API_KEYS="bench:$KEY" BANK_BASE_URL=sandbox \
        PAYMENTS_RATE_LIMITS=default=1000000/1000000 PAYMENTS_DATA_KEYS="$DATA_KEYS" LOG_LEVEL=warning \
        CLIENT_WEBHOOK_ALLOW_PRIVATE=true CLIENT_WEBHOOK_CONCURRENCY=$3 CLIENT_WEBHOOK_ENDPOINT_CONCURRENCY=$4 \
        BANK_WEBHOOK_SECRET=$SECRET "$BIN" serve --port "$2" > "$WORK/$5.log" 2>&1 &
    SERVE_PID=$!
    pids+=($!)
    wait_ready "http://127.0.0.1:$2/readyz"
}
count() { psql -qtAX -d "$1" -c "$2"; }
for per_endpoint in 4 16; do
    db=notify_$per_endpoint
    createdb "$db"
    port=$(free_port)
    receiver_port=$(free_port)
    serve "$db" "$port" 0 "$per_endpoint" "fill-$per_endpoint"
    secret=$(curl -sf -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
        -d "{\"url\": \"http://127.0.0.1:$receiver_port/hooks\"}" "http://127.0.0.1:$port/v1/webhook_endpoints" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')
    seq 1 "$PAYMENTS" | xargs -P 16 -I{} curl -sf -o /dev/null -H "Authorization: Bearer $KEY" \
        -H "Content-Type: application/json" -d '{"amount": 1250, "currency": "USD", "client_ref": "N-{}", "recipient": {"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789", "routing_number": "021000021"}}'  \
        "http://127.0.0.1:$port/v1/payments"
    for _ in $(seq 1 600); do
        settled=$(count "$db" "SELECT count(*) FROM payments WHERE status IN ('completed', 'returned', 'failed')")
        [ "$settled" -ge "$PAYMENTS" ] && break
        sleep 0.5
    done
    kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
    waiting=$(count "$db" "SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'")
    python3 scripts/bench/event_receiver.py "$receiver_port" "$secret" "$waiting" > "$WORK/receiver-$per_endpoint.out" &
    receiver=$!
    pids+=($!)
    sleep 0.5
    serve "$db" "$(free_port)" 16 "$per_endpoint" "drain-$per_endpoint"
    wait "$receiver" || true
    read -r _ deliveries _ distinct _ bad _ first _ last < "$WORK/receiver-$per_endpoint.out"
    rate=$(python3 -c "print(f'{($distinct - 1) / max($last - $first, 1e-9):.0f}')")
    echo "per-endpoint concurrency $per_endpoint: $distinct events ($deliveries deliveries, $bad bad signatures) drained at $rate events/s"
    kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
done

