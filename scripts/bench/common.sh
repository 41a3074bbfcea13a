# Helpers of the load benchmarks (load.sh, lifecycle.sh and their inner scripts): sourced, not run.

# Installs wrk, a C compiler and curl where missing, compiles rateload.c (exports RATELOAD) and builds the release
# binary unless PAYMENTS_BIN names one. Run from the repository's root.
prepare_load_tools() {
    local sudo="" missing=()
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    command -v wrk >/dev/null || missing+=(wrk)
    command -v cc >/dev/null || missing+=(gcc libc6-dev)
    command -v curl >/dev/null || missing+=(curl)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> installing ${missing[*]}"
        $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    RATELOAD=$(mktemp -d /tmp/rateload.XXXXXX)/rateload
    cc -O2 -o "$RATELOAD" scripts/bench/rateload.c
    export RATELOAD
    if [ -z "${PAYMENTS_BIN:-}" ]; then
        echo "==> building the release binary"
        swift build -c release --product payments >/dev/null
    fi
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { for _ in $(seq 1 300); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }
figure() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}' if b else 'n/a')" "$1" "$2"; }
db_url() { echo "postgres://$PGUSER@$PGHOST:$PGPORT/$1"; }

TICKS=$(getconf CLK_TCK)
# CPU seconds (user + system) used so far by the pids given.
cpu_of() {
    local total=0 pid
    for pid in "$@"; do
        [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
    done
    python3 -c "print(f'{$total / $TICKS:.3f}')"
}
# CPU seconds the whole machine has been busy (all processes, ours or not: the machine is shared).
machine_busy() { awk '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / '"$TICKS"' }' /proc/stat; }
# The processes of the cluster scripts/with-postgres.sh started; backends that exit in between are not counted.
postgres_pids() {
    local postmaster
    postmaster=$(head -1 "$PAYMENTS_TEST_PG_DATA/postmaster.pid")
    echo "$postmaster"
    pgrep -P "$postmaster" || true
}
