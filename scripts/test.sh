#!/usr/bin/env bash
# Install the test dependencies and run the whole test suite on SQLite and on PostgreSQL, with the browser
# tests in Debian's chromium.
#
# PostgreSQL: uses RAPID_TEST_POSTGRES_URL when it is set; otherwise, as root, it starts a throwaway
# cluster (Debian's postgresql package, installed if missing) on 127.0.0.1 and stops it at the end.
# Without root and without RAPID_TEST_POSTGRES_URL the tests run on SQLite only, and say so.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
. .venv/bin/activate
pip install -q --disable-pip-version-check -e '.[test]'

# The badge interoperability tests run Digital Bazaar's verifier (interop/, versions pinned by package-lock.json).
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing Debian's nodejs and npm for the badge interoperability tests" >&2
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null
fi
if command -v npm >/dev/null 2>&1; then
  (cd interop && npm ci --no-audit --no-fund --silent)
  export RAPID_REQUIRE_INTEROP=1   # the interop tests fail, rather than skip, if anything is missing
else
  echo "warning: npm is not installed and this is not root: the badge interoperability tests will be skipped" >&2
fi

# The browser tests drive Debian's chromium through Playwright; no browser is downloaded at run time.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian's chromium for the browser tests" >&2
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  else
    echo "warning: chromium is not installed and this is not root: the browser tests will fail" >&2
  fi
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

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
