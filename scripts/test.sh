#!/usr/bin/env bash
# Install the test dependencies and run the whole test suite on SQLite and on PostgreSQL.
#
# PostgreSQL: uses RAPID_TEST_POSTGRES_URL when it is set; otherwise, as root, it starts a throwaway
# cluster (Debian's postgresql package, installed if missing) on 127.0.0.1 and stops it at the end.
# Without root and without RAPID_TEST_POSTGRES_URL the tests run on SQLite only, and say so.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
. .venv/bin/activate
pip install -q --disable-pip-version-check -e '.[test]'

pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    scripts/postgres.sh stop "$pg_dir/data" || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

if [ -z "${RAPID_TEST_POSTGRES_URL:-}" ]; then
  if [ "$(id -u)" = 0 ]; then
    pg_dir=$(mktemp -d /tmp/rapid-pg.XXXXXX)
    chmod 755 "$pg_dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    RAPID_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pg_dir/data" "$port")
    export RAPID_TEST_POSTGRES_URL
  else
    echo "warning: not root and RAPID_TEST_POSTGRES_URL is unset: the tests run on SQLite only" >&2
  fi
fi

python -m pytest "$@"
