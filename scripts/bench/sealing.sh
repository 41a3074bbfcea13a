#!/usr/bin/env bash
# What sealing and opening a payment's account number costs: seal, open, blind index and keyed fingerprint, in
# nanoseconds per operation (Benchmarks/Sources/SealingBenchmarks, release build). Prints figures; asserts nothing.
#
#   scripts/bench/sealing.sh
#   BENCH_SCRATCH_PATH=DIR scripts/bench/sealing.sh     # build in DIR instead of Benchmarks/.build
set -euo pipefail
cd "$(dirname "$0")/../../Benchmarks"
scratch=()
if [ -n "${BENCH_SCRATCH_PATH:-}" ]; then scratch=(--scratch-path "$BENCH_SCRATCH_PATH"); fi
echo "==> building SealingBenchmarks (release)"
swift build -c release "${scratch[@]}" --product SealingBenchmarks >/dev/null
"$(swift build -c release "${scratch[@]}" --show-bin-path)/SealingBenchmarks"
