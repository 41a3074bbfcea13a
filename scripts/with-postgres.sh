#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: installs PostgreSQL where missing, creates a cluster in a
# temporary folder on a free loopback port, exports PAYMENTS_TEST_DATABASE_URL (and PGHOST/PGPORT/PGUSER for psql and
# pgbench), runs the command, then stops the cluster and removes the folder.
# Usage: scripts/with-postgres.sh <command> [args...]
# PAYMENTS_TEST_PG_OPTIONS adds server options ("-c name=value ..."), as the lifecycle benchmark does.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

find_pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    return 1
}

if ! PG_BIN=$(find_pg_bin); then
    echo "==> installing PostgreSQL"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql postgresql-contrib >/dev/null
    PG_BIN=$(find_pg_bin)
fi

# initdb refuses to run as root: run the cluster as the postgres system user (created by the package), or as the
# current user when not root.
run_as_db_user() {
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
        su postgres -s /bin/bash -c "$*"
    else
        bash -c "$*"
    fi
}

PG_DIR=$(mktemp -d /tmp/payments-pg.XXXXXX)
chmod 755 "$PG_DIR"
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
    run_as_db_user "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap cleanup EXIT

echo "==> starting a throwaway PostgreSQL ($("$PG_BIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$PG_PORT"
run_as_db_user "'$PG_BIN/initdb' -D '$PG_DIR/data' -U postgres --auth=trust --encoding=UTF8 --no-sync" >/dev/null
# fsync off: the cluster is thrown away, and only processes (never the OS) crash in these tests.
run_as_db_user "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/postgres.log' -w -o \"-p $PG_PORT -k '$PG_DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 ${PAYMENTS_TEST_PG_OPTIONS:-}\" start" >/dev/null

export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres
export PAYMENTS_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
export PAYMENTS_TEST_PG_BIN="$PG_BIN"
export PAYMENTS_TEST_PG_DATA="$PG_DIR/data"
"$@"
