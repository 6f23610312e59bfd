#!/usr/bin/env bash
# `make bench-pg`: start a throwaway PostgreSQL on a free loopback port (in a temporary folder, as
# `make test` does), run `make bench` against it, and stop and remove it again (also on failure).
# Arguments are passed on to make, e.g. `bash scripts/bench-pg.sh BENCH=bench/incidents.py`.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
RUN_DIR=$(mktemp -d /tmp/schoolsocial-bench.XXXXXX)
chmod 755 "$RUN_DIR"
PG_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA="$RUN_DIR/pgdata"

as_postgres() {
  # initdb refuses to run as root, so the cluster belongs to the postgres system user.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  status=$?
  [ -f "$PGDATA/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$RUN_DIR" 2>/dev/null || { sleep 1; rm -rf "$RUN_DIR" || true; }
  exit $status
}
trap cleanup EXIT INT TERM

echo "== Starting a throwaway PostgreSQL on 127.0.0.1:$PG_PORT"
mkdir -p "$PGDATA"
[ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
as_postgres "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durability off (the data is thrown away), everything else as shipped, so plans are the real ones.
as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" \
  -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres schoolsocial_bench

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/schoolsocial_bench"
make --no-print-directory bench "$@"
