#!/usr/bin/env bash
# Local try-out of the shared deployment: PostgreSQL (a throwaway cluster, unless $DATABASE_URL is
# set), N app replicas and nginx in front, all on loopback. Ctrl-C stops everything.
#   deploy/run-local.sh [--replicas N] [--port PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
if [ -z "${DATABASE_URL:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PG_DIR=$(mktemp -d)
  chmod 755 "$PG_DIR"
  PG_PORT=${PG_PORT:-55499}
  as_pg=()
  if [ "$(id -u)" = 0 ]; then  # initdb refuses root
    install -d -o postgres -g postgres "$PG_DIR/pg"
    as_pg=(runuser -u postgres --)
  else
    mkdir -p "$PG_DIR/pg"
  fi
  "${as_pg[@]}" "$PGBIN/initdb" -D "$PG_DIR/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PG_DIR/pg/data" -l "$PG_DIR/pg/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR/pg" start >/dev/null
  trap '"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PG_DIR/pg/data" -m fast -w stop >/dev/null; rm -rf "$PG_DIR"' EXIT
  export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL on 127.0.0.1:$PG_PORT (throwaway)"
fi
"$PY" -m analysis migrate
"$PY" -m deploy.local "$@"
