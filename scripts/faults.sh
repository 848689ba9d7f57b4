#!/usr/bin/env bash
# The fault scripts, sized for CI: kill -9 mid import, kill -9 mid webhook, kill -9 of the
# task-queue worker mid vendor-webhook POST (delivered after the claim runs out), kill -9 of the
# task-queue worker mid-apply (two workers on Redis: the other finishes it), PostgreSQL
# stopped and restarted under load, several processes writing the search index at once, two web
# nodes and two workers (each node its own index fed from the outbox; a sheet uploaded through one
# node, previewed by a worker, followed on the other; one node stopped through 10,000 changes). Each
# runs against its own throw-away PostgreSQL cluster on 127.0.0.1:55432 (bench/services.py), is bounded in time, exits non-zero on a failure,
# and writes its figures to bench/results/ (CI writes them to $FAULTS_OUT instead).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${FAULTS_OUT:-bench/results}"
mkdir -p "$out"
export BENCH_INDEX_DIR="${BENCH_INDEX_DIR:-$(mktemp -d)/search-index}"
timeout 600 .venv/bin/python bench/faults/import_kill.py --rows "${FAULT_ROWS:-20000}" --trials 4 --out "$out/faults-import.md"
timeout 600 .venv/bin/python bench/faults/queue_kill.py --rows "${FAULT_QUEUE_ROWS:-10000}" --trials 2 --out "$out/faults-queue.md"
timeout 300 .venv/bin/python bench/faults/webhook_kill.py --trials 3 --out "$out/faults-webhook.md"
timeout 400 .venv/bin/python bench/faults/webhook_worker_kill.py --trials 2 --claim 10 --out "$out/faults-webhook-worker.md"
timeout 300 .venv/bin/python bench/faults/pg_restart.py --seconds 30 --out "$out/faults-pg-restart.md"
timeout 300 .venv/bin/python bench/faults/index_writers.py --writers 3 --edits 100 --out "$out/faults-index-writers.md"
timeout 600 .venv/bin/python bench/faults/two_nodes.py --changes 50 --outbox-changes 10000 --sheet-rows 20000 --out "$out/faults-two-nodes.md"
