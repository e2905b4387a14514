#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server in a temp directory (as the postgres user, since initdb
# refuses root) and prints "PGDIR=… PGURL=…". Stop it with: scripts/pg-temp.sh stop PGDIR
set -euo pipefail
if [ "${1:-}" = "stop" ]; then
  dir=$2
  [ -f "$dir/data/postmaster.pid" ] && kill -INT "$(head -1 "$dir/data/postmaster.pid")" 2>/dev/null || true
  sleep 0.5; rm -rf "$dir"; exit 0
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
port=${PGPORT_TEMP:-$(( 20000 + RANDOM % 20000 ))}
dir=$(mktemp -d /tmp/sesshu-pg.XXXXXX)
chmod 755 "$dir"
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi; }
as_pg "$bindir/initdb -D $dir/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >$dir/initdb.log 2>&1"
as_pg "$bindir/pg_ctl -D $dir/data -l $dir/server.log -w -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start >/dev/null"
echo "PGDIR=$dir PGURL=postgres://postgres@127.0.0.1:$port/postgres"
