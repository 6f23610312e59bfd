#!/usr/bin/env bash
# `make test`: install what is missing, start real PostgreSQL and Redis on loopback for this run
# only, run every check, stop the services again (also on failure).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh test
make --no-print-directory dev-deps  # also compiles the translations (make messages)

PY=.venv/bin/python
RUN_DIR=$(mktemp -d /tmp/schoolsocial-test.XXXXXX)
chmod 755 "$RUN_DIR"
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PG_PORT=$(free_port)
REDIS_PORT=$(free_port)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA="$RUN_DIR/pgdata"

as_postgres() {
  # initdb refuses to run as root, so the cluster belongs to the postgres system user.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  status=$?
  [ -f "$PGDATA/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  if [ -f "$RUN_DIR/redis.pid" ]; then
    redis_pid=$(cat "$RUN_DIR/redis.pid")
    kill "$redis_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$RUN_DIR" 2>/dev/null || { sleep 1; rm -rf "$RUN_DIR" || true; }
  exit $status
}
trap cleanup EXIT INT TERM

echo "== Starting PostgreSQL on 127.0.0.1:$PG_PORT and Redis on 127.0.0.1:$REDIS_PORT"
mkdir -p "$PGDATA"
[ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
as_postgres "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" \
  -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$RUN_DIR/redis.pid" --dir "$RUN_DIR" --logfile "$RUN_DIR/redis.log"
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

# The database manage.py commands connect to (pytest makes its own test_ database beside it).
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres schoolsocial
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/schoolsocial"
# The test databases are copies of this one, migrated once here while lint and the type checks run
# (each of pytest's workers migrating its own from nothing took two minutes of the suite).
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres schoolsocial_test_template
DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/schoolsocial_test_template" \
  $PY manage.py migrate --noinput -v0 >"$RUN_DIR/migrate-template.log" 2>&1 &
TEMPLATE_MIGRATION=$!
# Tests that need the real broker read this; the rest of the suite runs tasks eagerly.
export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

echo "== Lint (ruff)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== Types (mypy with django-stubs; settings in pyproject.toml)"
.venv/bin/mypy

echo "== Migrations are complete"
$PY manage.py makemigrations --check --dry-run

echo "== Deployment checks with production settings"
# Production refuses to start without its services, so they are named (nothing connects to them).
DJANGO_ENV=production SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  ALLOWED_HOSTS=portal.school.example SITE_URL=https://portal.school.example EMAIL_HOST=smtp.school.example \
  CELERY_BROKER_URL="$TEST_REDIS_URL" REDIS_URL="redis://127.0.0.1:$REDIS_PORT/1" \
  $PY manage.py check --deploy --fail-level WARNING

echo "== Static files collect"
$PY manage.py collectstatic --noinput -v0

wait "$TEMPLATE_MIGRATION" || { cat "$RUN_DIR/migrate-template.log"; exit 1; }
export TEST_DATABASE_TEMPLATE=schoolsocial_test_template
echo "== Test suite on PostgreSQL (browser and integration tests included)"
.venv/bin/pytest -n 2 --dist loadgroup -p no:cacheprovider "$@"

echo "== Smoke run on the embedded SQLite default"
env -u DATABASE_URL .venv/bin/pytest -m smoke -q -p no:cacheprovider
