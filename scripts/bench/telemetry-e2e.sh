#!/usr/bin/env bash
# End-to-end cost of telemetry, on the SQLite default with the release binary. Prints figures; asserts nothing.
#
#   scripts/bench/telemetry-e2e.sh                      # 3 rounds of 20 s per mode, then a 10-minute outage
#   DURATION=10 ROUNDS=2 OUTAGE_SECONDS=120 scripts/bench/telemetry-e2e.sh
#
# 1. Throughput: POST /v1/payments at 16 connections (wrk), alternately with OTEL_SDK_DISABLED=true and with full
#    telemetry exported over OTLP/HTTP (traces, metrics every 10 s, log records; gzip) to a loopback sink that
#    accepts everything. Rounds alternate the two modes so that drift on this noisy machine hits both; the ratio of
#    the medians is the figure (target: full >= 0.95x disabled).
# 2. Collector outage: the same service exporting to a port where nothing listens, under a steady load (8
#    connections, 10 ms between requests on each) for OUTAGE_SECONDS; resident memory sampled every 10 s (target:
#    under 150 MB throughout), then the drop and failure counters and how long SIGTERM took to exit. The bank
#    sandbox runs as its own process here, so that its in-memory ledger is not counted in the service's memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-3}
OUTAGE_SECONDS=${OUTAGE_SECONDS:-600}

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
echo "==> building the release binary"
swift build -c release --product payments >/dev/null
BIN=$(swift build -c release --show-bin-path)/payments
WORK=$(mktemp -d /tmp/payments-telemetry-bench.XXXXXX)
KEY=sk_bench_0123456789abcdef0123
export PAYMENTS_API_KEY=$KEY
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { for _ in $(seq 1 300); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }
figure() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
series() { curl -s "http://127.0.0.1:$1/metrics" | awk -v s="$2" '$1 == s { print $2 }'; }
rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
median() { python3 -c 'import statistics, sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.0f}")' "$@"; }

SINK_PORT=$(free_port)
python3 scripts/bench/otlp_sink.py --port "$SINK_PORT" > "$WORK/sink.log" 2>&1 &
SINK_PID=$!
pids+=($SINK_PID)
sleep 0.5

# run_mode MODE ROUND: one measured run on a fresh database; appends req/s to $WORK/MODE.txt.
run_mode() {
    local mode=$1 round=$2 port pid
    port=$(free_port)
    local -a env=(PAYMENTS_API_KEYS="bench:$KEY" BANK_BASE_URL=sandbox PAYMENTS_RATE_LIMITS=default=1000000/1000000
        LOG_LEVEL=info)
    if [ "$mode" = disabled ]; then
        env+=(OTEL_SDK_DISABLED=true)
    else
        env+=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" OTEL_EXPORTER_OTLP_COMPRESSION=gzip
            OTEL_METRIC_EXPORT_INTERVAL=10000)
    fi
    # Logs go to a file, as in production they go to a collector of stdout; the same in both modes.
    env "${env[@]}" "$BIN" serve --port "$port" --database-url "sqlite:$WORK/$mode-$round.sqlite" \
        > "$WORK/serve-$mode-$round.log" 2>&1 &
    pid=$!
    pids+=($pid)
    wait_ready "http://127.0.0.1:$port/readyz"
    wrk -t2 -c16 -d3s --timeout 5s -s scripts/bench/create-payment.lua "http://127.0.0.1:$port/v1/payments" > /dev/null
    wrk -t2 -c16 -d"${DURATION}s" --timeout 5s -s scripts/bench/create-payment.lua "http://127.0.0.1:$port/v1/payments" \
        > "$WORK/wrk-$mode-$round.txt"
    local rps non2xx dropped
    rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk-$mode-$round.txt")
    non2xx=$(figure non_2xx "$WORK/wrk-$mode-$round.txt")
    dropped=$(series "$port" 'telemetry_spans_dropped_total{signal="traces"}')
    echo "    round $round $mode: $rps req/s, non-2xx $non2xx, spans dropped ${dropped:-0}, RSS $(rss_mb $pid) MB"
    echo "$rps" >> "$WORK/$mode.txt"
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
}

echo "==> throughput, $ROUNDS rounds of ${DURATION}s per mode, 16 connections"
for round in $(seq "$ROUNDS"); do
    run_mode disabled "$round"
    run_mode full "$round"
done
disabled=$(median $(cat "$WORK/disabled.txt"))
full=$(median $(cat "$WORK/full.txt"))

echo "==> collector outage for ${OUTAGE_SECONDS}s under a steady load"
SANDBOX_PORT=$(free_port)
API_PORT=$(free_port)
DEAD_PORT=$(free_port)
LOG_LEVEL=warning "$BIN" bank-sandbox --port "$SANDBOX_PORT" --webhook-url "http://127.0.0.1:$API_PORT/webhook/payments" \
    > "$WORK/sandbox-outage.log" 2>&1 &
pids+=($!)
PAYMENTS_API_KEYS="bench:$KEY" PAYMENTS_RATE_LIMITS=default=1000000/1000000 \
    BANK_BASE_URL="http://127.0.0.1:$SANDBOX_PORT" BANK_CLIENT_ID=sandbox-client \
    BANK_CLIENT_SECRET=sandbox-secret BANK_WEBHOOK_SECRET=whsec_sandbox_5f2c9a \
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$DEAD_PORT" OTEL_EXPORTER_OTLP_COMPRESSION=gzip \
    OTEL_METRIC_EXPORT_INTERVAL=10000 \
    "$BIN" serve --port "$API_PORT" --database-url "sqlite:$WORK/outage.sqlite" > "$WORK/serve-outage.log" 2>&1 &
OUTAGE_PID=$!
pids+=($OUTAGE_PID)
wait_ready "http://127.0.0.1:$API_PORT/readyz"
wait_ready "http://127.0.0.1:$SANDBOX_PORT/healthz"
start_rss=$(rss_mb $OUTAGE_PID)
PACE_MS=10 wrk -t2 -c8 -d"${OUTAGE_SECONDS}s" --timeout 5s -s scripts/bench/create-payment-paced.lua \
    "http://127.0.0.1:$API_PORT/v1/payments" > "$WORK/wrk-outage.txt" &
WRK_PID=$!
max_rss=$start_rss
: > "$WORK/rss.txt"
while kill -0 "$WRK_PID" 2>/dev/null; do
    sleep 10
    now=$(rss_mb $OUTAGE_PID)
    echo "$SECONDS $now" >> "$WORK/rss.txt"
    max_rss=$(python3 -c "print(max($max_rss, $now))")
done
end_rss=$(rss_mb $OUTAGE_PID)
outage_rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk-outage.txt")
outage_p99=$(figure latency_p99_ms "$WORK/wrk-outage.txt")
outage_non2xx=$(figure non_2xx "$WORK/wrk-outage.txt")
drops=$(series "$API_PORT" 'telemetry_spans_dropped_total{signal="traces"}')
log_drops=$(series "$API_PORT" 'telemetry_spans_dropped_total{signal="logs"}')
failures=$(series "$API_PORT" 'telemetry_export_failures_total{signal="traces"}')
stop_started=$(date +%s.%N)
kill -TERM "$OUTAGE_PID"
wait "$OUTAGE_PID" 2>/dev/null || true
stop_seconds=$(python3 -c "print(f'{$(date +%s.%N) - $stop_started:.1f}')")
kill -TERM "$SINK_PID" 2>/dev/null || true
wait "$SINK_PID" 2>/dev/null || true

echo
echo "== results (machine: $(nproc) cores; wrk on the same cores; release build)"
printf '%-60s %12s\n' "create req/s, OTEL_SDK_DISABLED=true (median of $ROUNDS)" "$disabled"
printf '%-60s %12s\n' "create req/s, full telemetry exported (median of $ROUNDS)" "$full"
printf '%-60s %12s\n' "  ratio full / disabled (target >= 0.95)" "$(python3 -c "print(f'{$full / $disabled:.3f}')")"
printf '%-60s %12s\n' "  per round, disabled" "$(paste -sd' ' "$WORK/disabled.txt")"
printf '%-60s %12s\n' "  per round, full" "$(paste -sd' ' "$WORK/full.txt")"
printf '%-60s %12s\n' "outage: load (req/s, p99 ms, non-2xx)" "$outage_rps, $outage_p99, $outage_non2xx"
printf '%-60s %12s\n' "outage: RSS at start / max / end (MB, target max < 150)" "$start_rss / $max_rss / $end_rss"
printf '%-60s %12s\n' "outage: spans dropped, log records dropped, trace export failures" "${drops:-0}, ${log_drops:-0}, ${failures:-0}"
printf '%-60s %12s\n' "outage: SIGTERM to exit (s)" "$stop_seconds"
grep '^sink' "$WORK/sink.log" | sed 's/^/  /' || true
echo "(raw outputs and the RSS series in $WORK)"
