#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the database tests; sourced by .ci/run.
# Exports TEST_DATABASE_URL and defines pg_stop. initdb refuses root, so it runs as `postgres`.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PG_WORKDIR=$(mktemp -d)
chmod 755 "$PG_WORKDIR"
PG_PORT=${PG_PORT:-55432}
install -d -o postgres -g postgres "$PG_WORKDIR/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$PG_WORKDIR/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_WORKDIR/pg/data" -l "$PG_WORKDIR/pg/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_WORKDIR/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
pg_stop() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_WORKDIR/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_WORKDIR"
}
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
