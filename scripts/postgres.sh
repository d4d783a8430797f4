#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL cluster for the tests, listening on 127.0.0.1 only.
#   scripts/postgres.sh start DIR PORT   -> prints the SQLAlchemy URL
#   scripts/postgres.sh stop DIR
# Installs Debian's postgresql package when no server is found. Runs initdb as the postgres user.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?data folder}
port=${3:-55432}

find_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  echo "$found"
}

if [ "$action" = start ]; then
  bin=$(find_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "installing PostgreSQL (Debian package postgresql)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
  fi
  mkdir -p "$dir"
  chown postgres "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    su postgres -c "$bin/initdb -D '$dir' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  fi
  su postgres -c "$bin/pg_ctl -D '$dir' -l '$dir/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c fsync=off -c full_page_writes=off -c synchronous_commit=off\" start" >&2
  echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
elif [ "$action" = stop ]; then
  bin=$(find_bin)
  su postgres -c "$bin/pg_ctl -D '$dir' -m fast stop" >&2 || true
else
  echo "usage: $0 start|stop DIR [PORT]" >&2
  exit 2
fi
