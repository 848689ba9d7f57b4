#!/usr/bin/env bash
# Set up and start the app on the embedded default: SQLite + Whoosh in ./instance, seed catalog loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh  # the runtime packages only (requirements.lock): no test tools, no browser
scripts/flask init-db
scripts/flask seed
exec scripts/flask run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
