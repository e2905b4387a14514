#!/usr/bin/env bash
# The whole test suite: typecheck, lint, unit + integration tests on PGlite and on a throw-away
# PostgreSQL server, then end-to-end tests in headless Chromium against the real server.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== typecheck"; npx tsc -p tsconfig.json
echo "== lint"; npx eslint src test bench --max-warnings 0

pg_env=$(scripts/pg-temp.sh)
PGDIR=$(sed -E 's/.*PGDIR=([^ ]+).*/\1/' <<<"$pg_env")
export SESSHU_TEST_PG_URL=$(sed -E 's/.*PGURL=([^ ]+).*/\1/' <<<"$pg_env")
trap 'scripts/pg-temp.sh stop "$PGDIR"' EXIT
echo "== unit + integration (PGlite and PostgreSQL at ${SESSHU_TEST_PG_URL%%/postgres})"
npx vitest run
echo "== end-to-end (Chromium)"
npx vitest run --config vitest.e2e.config.ts
