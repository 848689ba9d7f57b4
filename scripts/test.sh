#!/usr/bin/env bash
# Set up and run every test: lint, the fault scripts (scripts/faults.sh), the suite on SQLite
# (with the browser tests), then the suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser  # Python 3.11+, .venv from requirements-dev.lock, chromium
bash scripts/services.sh  # PostgreSQL (database test, passwordless postgres on 127.0.0.1) and Redis

.venv/bin/ruff check .
echo "== fault scripts (kill -9 mid import and webhook, PostgreSQL restart under load)"
FAULTS_OUT="$(mktemp -d)" bash scripts/faults.sh
echo "== tests on SQLite (with browser tests)"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
echo "== tests on PostgreSQL (${TEST_PG_URL:=postgresql+psycopg://postgres@127.0.0.1:5432/test})"
TEST_DATABASE_URL="$TEST_PG_URL" .venv/bin/python -m pytest -q -p no:cacheprovider -m "not browser" "$@"
