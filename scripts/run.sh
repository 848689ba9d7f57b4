#!/usr/bin/env bash
# Set up and start the app on the embedded default: SQLite + Whoosh in ./instance, seed catalog loaded,
# and one task-queue worker beside the web server (sheet previews and applies, periodic upkeep; its
# queue is the SQLite file instance/task-queue.db). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh  # the runtime packages only (requirements.lock): no test tools, no browser
scripts/flask init-db
scripts/flask seed
scripts/flask worker --workers "${WORKERS:-2}" &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
scripts/flask run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
