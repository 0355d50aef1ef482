#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the shared-store tests; print its URL.
#
#   export PLAYGROUND_TEST_PG_URL="$(.ci/postgres.sh)"    # start (installs Debian's postgresql if missing)
#   .ci/postgres.sh stop                                   # stop it and delete its files
#
# stdout carries only the SQLAlchemy URL (postgresql+psycopg://postgres@127.0.0.1:PORT/postgres);
# progress goes to stderr. The cluster lives in $PG_ROOT (default /tmp/playground-pg), runs as
# the `postgres` user when started as root, trusts loopback connections only, and has fsync off
# (a test server: process crashes lose nothing, only a machine crash would). Exit status 1, with
# the reason on stderr, when no server can be had; the tests then skip with that reason.
set -euo pipefail

PG_ROOT="${PG_ROOT:-/tmp/playground-pg}"
log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
    return 1
}

as_pg() {  # run a command as the server's owner
    if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ "${1:-}" == "stop" ]]; then
    if [[ -f "$PG_ROOT/data/postmaster.pid" ]]; then
        bindir="$(find_bindir)"
        as_pg "$bindir/pg_ctl" -D "$PG_ROOT/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$PG_ROOT"
    log "stopped, removed $PG_ROOT"
    exit 0
fi

if ! bindir="$(find_bindir)"; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing Debian's postgresql (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -q postgresql >&2; then
            apt-get update -q >&2 && apt-get install -y -q postgresql >&2 || true
        fi
    fi
    if ! bindir="$(find_bindir)"; then
        log "no PostgreSQL server binaries (initdb) and they could not be installed"
        exit 1
    fi
fi

if [[ -f "$PG_ROOT/port" && -f "$PG_ROOT/data/postmaster.pid" ]] \
        && as_pg "$bindir/pg_ctl" -D "$PG_ROOT/data" status >/dev/null 2>&1; then
    log "already running in $PG_ROOT"
    echo "postgresql+psycopg://postgres@127.0.0.1:$(cat "$PG_ROOT/port")/postgres"
    exit 0
fi

if [[ "$(id -u)" == 0 ]] && ! id postgres >/dev/null 2>&1; then
    log "running as root and there is no 'postgres' user to run the server as"
    exit 1
fi

rm -rf "$PG_ROOT"
mkdir -p "$PG_ROOT"
[[ "$(id -u)" == 0 ]] && chown postgres: "$PG_ROOT"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg "$bindir/initdb" -D "$PG_ROOT/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >/dev/null
as_pg "$bindir/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $PG_ROOT -c fsync=off -c max_connections=200" start >&2
echo "$port" > "$PG_ROOT/port"
log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_ROOT; stop: .ci/postgres.sh stop)"
echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
