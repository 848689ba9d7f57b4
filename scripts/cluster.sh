#!/usr/bin/env bash
# A local cluster on one machine: two web nodes and two workers on one PostgreSQL and one Redis.
#   scripts/cluster.sh start | stop | status
# Web node N is gunicorn (gunicorn.conf.py) on 127.0.0.1:PORT_N with its own search index
# (CLUSTER_DIR/nodeN/search-index) and NODE_NAME=nodeN, so each keeps its own position in the
# index outbox (docs/scaling.md). Worker N is `scripts/flask worker` (the task queue on Redis,
# TASK_QUEUE=redis); worker1 also enqueues the periodic tasks, the others run --no-periodic.
# Nodes and workers share one UPLOAD_DIR (CLUSTER_DIR/uploads): a sheet staged through one node
# is read by whichever worker takes its job. No balancer: use either port. Logs and pids are in CLUSTER_DIR.
#   DATABASE_URL  default postgresql+psycopg://postgres@127.0.0.1:5432/market_cluster (created if missing)
#   REDIS_URL     default redis://127.0.0.1:6379/5
#   CLUSTER_DIR   default instance/cluster     CLUSTER_PORTS default "8101 8102"     CLUSTER_WORKERS default 2
#   APP_ENV       default development with DEMO_MODE=1 (the Stripe sandbox); production needs its keys set
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

dir="${CLUSTER_DIR:-$root/instance/cluster}"
ports=(${CLUSTER_PORTS:-8101 8102})
workers="${CLUSTER_WORKERS:-2}"
export DATABASE_URL="${DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/market_cluster}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/5}"
export APP_ENV="${APP_ENV:-development}"
export TASK_QUEUE=redis UPLOAD_DIR="${UPLOAD_DIR:-$dir/uploads}"
mkdir -p "$dir"

shared_env() {  # one secret per cluster, so a session or a signed webhook from one node holds on the other
  local secrets="$dir/secrets.env"
  if [ ! -f "$secrets" ]; then
    umask 077
    {
      echo "SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')"
      echo "STRIPE_SANDBOX_API_KEY=sk_sandbox_$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))')"
      echo "STRIPE_WEBHOOK_SECRET=whsec_$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))')"
    } >"$secrets"
  fi
  set -a
  . "$secrets"
  set +a
  if [ "$APP_ENV" = development ]; then export DEMO_MODE="${DEMO_MODE:-1}"; fi
}

node_env() {  # node_env N: the variables that make web node N (and its commands) itself
  export SEARCH_INDEX_DIR="$dir/node$1/search-index" NODE_NAME="node$1"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

ensure_database() {
  case "$DATABASE_URL" in
    postgresql*127.0.0.1*|postgresql*localhost*)
      local name="${DATABASE_URL##*/}" port
      port="$(sed -E 's#.*:([0-9]+)/[^/]*$#\1#' <<<"$DATABASE_URL")"
      if ! psql -h 127.0.0.1 -p "$port" -U postgres -w -d postgres -tAc \
          "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
        echo "creating database $name" >&2
        psql -h 127.0.0.1 -p "$port" -U postgres -w -d postgres -qc "CREATE DATABASE \"$name\""
      fi ;;
  esac
}

start() {
  shared_env
  ensure_database
  redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 || { echo "Redis does not answer at $REDIS_URL (scripts/services.sh)" >&2; exit 1; }
  node_env 1
  scripts/flask db upgrade >"$dir/setup.log" 2>&1
  scripts/flask seed >>"$dir/setup.log" 2>&1
  local n=0 port
  for port in "${ports[@]}"; do
    n=$((n + 1))
    if alive "$dir/node$n.pid"; then echo "node$n already runs (pid $(cat "$dir/node$n.pid"))"; continue; fi
    node_env "$n"
    # A node starts from the database; from then on it follows the outbox from its own position.
    scripts/flask reindex >>"$dir/setup.log" 2>&1
    BIND="127.0.0.1:$port" setsid .venv/bin/python -m gunicorn -c gunicorn.conf.py wsgi:app \
      >"$dir/node$n.log" 2>&1 </dev/null &
    echo $! >"$dir/node$n.pid"
  done
  for n in $(seq 1 "$workers"); do
    if alive "$dir/worker$n.pid"; then echo "worker$n already runs (pid $(cat "$dir/worker$n.pid"))"; continue; fi
    # One scheduler is enough (each periodic task is safe to run twice, but need not be).
    periodic=--periodic
    [ "$n" -gt 1 ] && periodic=--no-periodic
    # A worker keeps no search index: its commits reach each node's index through the outbox,
    # which the nodes poll (it would otherwise register an index nobody reads, holding back pruning).
    SEARCH_DRAIN=off SEARCH_INDEX_DIR="$dir/worker$n/search-index" NODE_NAME="worker$n" \
      setsid scripts/flask worker "$periodic" >"$dir/worker$n.log" 2>&1 </dev/null &
    echo $! >"$dir/worker$n.pid"
  done
  n=0
  for port in "${ports[@]}"; do
    n=$((n + 1))
    for _ in $(seq 1 60); do
      curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" && break
      alive "$dir/node$n.pid" || { echo "node$n exited; see $dir/node$n.log" >&2; exit 1; }
      sleep 1
    done
  done
  for n in $(seq 1 "$workers"); do
    alive "$dir/worker$n.pid" || { echo "worker$n exited; see $dir/worker$n.log" >&2; exit 1; }
  done
  status
}

stop() {
  local pidfile pid
  for pidfile in "$dir"/*.pid; do
    [ -e "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
    fi
    echo "stopped $(basename "$pidfile" .pid)"
    rm -f "$pidfile"
  done
}

status() {
  local n=0 port health
  for port in "${ports[@]}"; do
    n=$((n + 1))
    if alive "$dir/node$n.pid"; then
      health="$(curl -sS --max-time 5 "http://127.0.0.1:$port/healthz" 2>/dev/null || echo 'no answer')"
      echo "node$n  http://127.0.0.1:$port  pid $(cat "$dir/node$n.pid")  $health"
    else
      echo "node$n  http://127.0.0.1:$port  stopped"
    fi
  done
  for n in $(seq 1 "$workers"); do
    if alive "$dir/worker$n.pid"; then echo "worker$n  pid $(cat "$dir/worker$n.pid")"; else echo "worker$n  stopped"; fi
  done
  echo "logs: $dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/cluster.sh start|stop|status" >&2; exit 2 ;;
esac
