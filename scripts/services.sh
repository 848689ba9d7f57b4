#!/usr/bin/env bash
# Make the tests' services answer: PostgreSQL on 127.0.0.1:$PG_PORT with passwordless login for
# user postgres and a database $PG_DATABASE, and Redis on 127.0.0.1:$REDIS_PORT. What is missing
# is installed (Debian's postgresql and redis-server through apt-get), created (a cluster, the
# database, a pg_hba rule) or started; what already runs is left as it is. Safe to run again.
#   PG_PORT=5432 PG_CLUSTER=main PG_DATABASE=test REDIS_PORT=6379 (the defaults)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/apt.sh

PG_PORT="${PG_PORT:-5432}" PG_CLUSTER="${PG_CLUSTER:-main}" PG_DATABASE="${PG_DATABASE:-test}"
REDIS_PORT="${REDIS_PORT:-6379}"

as_postgres() {  # as_postgres CMD...: as the postgres OS user (peer login on the local socket)
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

pg_cluster_on_port() {  # the "version name" of the cluster on $PG_PORT, or nothing
  pg_lsclusters --no-header 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1, $2; exit }'
}

pg_login_works() {  # user postgres logs in over TCP without a password
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -w -d postgres -tAc "SELECT 1" >/dev/null 2>&1
}

ensure_postgres() {
  have pg_ctlcluster || apt_install postgresql
  local cluster version name
  cluster="$(pg_cluster_on_port)"
  if [ -z "$cluster" ]; then
    # No cluster on this port (installing postgresql usually makes "main" on 5432): make one.
    version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    echo "creating PostgreSQL cluster $version/$PG_CLUSTER on port $PG_PORT" >&2
    as_root pg_createcluster --port "$PG_PORT" "$version" "$PG_CLUSTER" >/dev/null
    cluster="$version $PG_CLUSTER"
  fi
  read -r version name <<<"$cluster"
  if ! pg_isready -h 127.0.0.1 -p "$PG_PORT" -q; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$PG_PORT" -q && break; sleep 1; done
  fi
  pg_isready -h 127.0.0.1 -p "$PG_PORT" -q || {
    echo "PostgreSQL $version/$name does not answer on 127.0.0.1:$PG_PORT (see /var/log/postgresql/)" >&2
    return 1
  }
  if ! pg_login_works; then
    # Debian asks for a password over TCP (scram-sha-256). The tests log in as postgres with none,
    # so trust exactly that: user postgres from 127.0.0.1. First matching line wins: put it first.
    local hba
    hba="$(as_postgres psql -p "$PG_PORT" -tAc "SHOW hba_file")"
    echo "letting user postgres log in from 127.0.0.1 without a password ($hba)" >&2
    as_root sed -i "1i host all postgres 127.0.0.1/32 trust  # scripts/services.sh: the tests' login" "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" reload
    for _ in $(seq 1 10); do pg_login_works && break; sleep 1; done
    pg_login_works || { echo "user postgres still cannot log in on 127.0.0.1:$PG_PORT without a password" >&2; return 1; }
  fi
  local exists
  exists="$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -w -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")"
  if [ "$exists" != 1 ]; then
    echo "creating database $PG_DATABASE" >&2
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -w -d postgres -qc "CREATE DATABASE \"$PG_DATABASE\""
  fi
}

ensure_redis() {
  have redis-server || apt_install redis-server
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    # Memory only: the tests' limits and page cache need nothing kept across a restart.
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /tmp --logfile "/tmp/redis-$REDIS_PORT.log"
    for _ in $(seq 1 10); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 || {
    echo "Redis does not answer on 127.0.0.1:$REDIS_PORT (see /tmp/redis-$REDIS_PORT.log)" >&2
    return 1
  }
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then  # run, not sourced (a test sources it to replace functions)
  ensure_postgres
  ensure_redis
fi
