#!/usr/bin/env bash
# Micro-benchmark of the telemetry runtime against swift-otel 1.6.0 and the no-op backends. Prints figures and
# ratios; asserts nothing.
#
#   scripts/bench/telemetry.sh                      # release build, then every benchmark (about 2 minutes)
#   scripts/bench/telemetry.sh --quick              # fewer, shorter rounds
#   scripts/bench/telemetry.sh --filter span.ours   # one benchmark; --help lists the options
#   CALLGRIND=1 scripts/bench/telemetry.sh          # also count instructions per span with valgrind (repeatable)
#   BENCH_SCRATCH_PATH=DIR scripts/bench/telemetry.sh   # build in DIR instead of Benchmarks/.build (for example
#                                                   # one already built from another copy of the repository)
#
# Measures, in one run (Benchmarks/, a package of its own that depends on this one by path):
#   1. One span — startSpan, two string attributes, end — into a running batch processor (queue 2048, batch 512,
#      5 s delay) whose exporter discards: ours (TelemetryTracer + BatchSpanProcessor), swift-otel's tracer and batch
#      processor with its no-op exporter, and swift-distributed-tracing's NoOpTracer; on 1 thread and on 2.
#   2. One counter increment plus one histogram record: ours (MetricsRegistry), swift-otel's metrics factory and
#      swift-metrics' NOOPMetricsHandler.
# The first build compiles swift-otel and its dependencies in Benchmarks/.build: 10 minutes or more on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "==> building Benchmarks/ (release)" >&2
build=(swift build -c release --package-path Benchmarks ${BENCH_SCRATCH_PATH:+--scratch-path "$BENCH_SCRATCH_PATH"})
"${build[@]}" >&2
binary="$("${build[@]}" --show-bin-path)/TelemetryBenchmarks"

# swift-otel applies OTEL_* variables over the configuration the benchmark gives it: run without them.
unset_otel=()
while IFS='=' read -r name _; do
    case "$name" in OTEL_*) unset_otel+=(-u "$name") ;; esac
done < <(env)

echo "==> running $binary $*" >&2
env "${unset_otel[@]}" "$binary" "$@"

if [ "${CALLGRIND:-0}" = 1 ]; then
    if ! command -v valgrind >/dev/null; then
        if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq valgrind >/dev/null
    fi
    # valgrind 3.19 (Debian 12) can neither read Swift 6.3's DWARF 5 nor run a program that starts the concurrency
    # runtime's async main, so it counts TelemetrySpanProfile (the same span loop on the main thread, processors not
    # running), with the debug info stripped from a copy.
    profile="$(mktemp)"
    objcopy --strip-debug "$(dirname "$binary")/TelemetrySpanProfile" "$profile"
    count() { # variant loop-pattern iterations -> instructions per iteration
        local out total
        out="$(mktemp)"
        # Deterministic hashing: a random seed per process moves dictionary collisions, and with them the count.
        env "${unset_otel[@]}" SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --callgrind-out-file="$out" \
            --toggle-collect="$2" "$profile" "$1" "$3" >/dev/null 2>&1
        total="$(grep -m1 '^summary:' "$out" | awk '{print $2}')"
        rm -f "$out"
        echo "$((total / $3))"
    }
    echo
    echo "Instructions per op on the op-making thread (valgrind callgrind; repeatable where time is not):"
    for variant in ours swift-otel no-op; do
        printf '  span     %-11s %6d\n' "$variant" "$(count "$variant" '*makeSpans*' 20000)"
    done
    for variant in ours swift-otel no-op; do
        printf '  metrics  %-11s %6d\n' "$variant" "$(count "metrics-$variant" '*recordMetrics*' 200000)"
    done
    echo "  (swift-otel's span figure leaves out waking its event-stream consumers, which the timed run includes)"
    rm -f "$profile"
fi
