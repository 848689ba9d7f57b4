#!/usr/bin/env bash
# Set up and start the app on the embedded default: SQLite + Whoosh in ./instance, seed catalog loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=app
.venv/bin/flask init-db
.venv/bin/flask seed
exec .venv/bin/flask run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
