#!/usr/bin/env bash
# The long deterministic simulation: SEEDS seeds of STEPS steps at realistic and at hostile fault rates, then every
# deliberate bug (--mutation) on one seed, which must be caught within MUTATION_STEPS steps. Prints each run's report
# (steps per second, payments, faults injected) and a total; exits non-zero if an invariant broke or a bug went
# uncaught, with the one-line command that replays it.
#
#   scripts/bench/simulation.sh                                  # release build, 10 seeds x 100,000 steps, twice
#   SEEDS=3 STEPS=20000 scripts/bench/simulation.sh
#   SIMULATOR=/path/to/payments-simulator scripts/bench/simulation.sh   # another build, no build step
set -euo pipefail
cd "$(dirname "$0")/../.."

SEEDS=${SEEDS:-10}
STEPS=${STEPS:-100000}
FIRST_SEED=${FIRST_SEED:-1}
MUTATION_STEPS=${MUTATION_STEPS:-100000}
if [[ -z "${SIMULATOR:-}" ]]; then
    swift build -c release --product payments-simulator >&2
    SIMULATOR="$(swift build -c release --show-bin-path)/payments-simulator"
fi

status=0
total_steps=0
total_seconds=0
for faults in realistic hostile; do
    echo "== $SEEDS seeds x $STEPS steps, faults $faults"
    started=$(date +%s.%N)
    "$SIMULATOR" --seed "$FIRST_SEED" --seeds "$SEEDS" --steps "$STEPS" --faults "$faults" || status=1
    ended=$(date +%s.%N)
    total_steps=$((total_steps + SEEDS * STEPS))
    total_seconds=$(python3 -c "print($total_seconds + $ended - $started)")
done
echo "== total: $total_steps steps in $(printf '%.0f' "$total_seconds") s" \
    "($(python3 -c "print(round($total_steps / $total_seconds))") steps/s, settling included)"

for mutation in $("$SIMULATOR" --list-mutations); do
    echo "== mutation $mutation (must be caught within $MUTATION_STEPS steps)"
    if "$SIMULATOR" --seed "$FIRST_SEED" --steps "$MUTATION_STEPS" --faults hostile --mutation "$mutation"; then
        echo "NOT CAUGHT: $mutation"
        status=1
    fi
done
exit $status
