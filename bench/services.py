"""Private services for the load and fault scripts: a PostgreSQL cluster of our own, gunicorn.

The scripts restart and kill things, so they never touch the machine's shared PostgreSQL:
they run a throw-away cluster on 127.0.0.1:55432 (data in /var/tmp/market-bench-pg) that
they may stop and start at will. Everything listens on 127.0.0.1 only.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "55432"))
PG_DATA = Path(os.environ.get("BENCH_PG_DATA", "/var/tmp/market-bench-pg"))
PG_DB = "market"  # the load run's 100,000-offer catalog
FAULTS_DB = "market_faults"  # the fault scripts' own, remade by import_kill.py
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise SystemExit(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return str(found[-1])


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + args, check=True, **kwargs)


def pg_ctl(action: str, *extra: str) -> None:
    _as_postgres([_pg_bin("pg_ctl"), "-D", str(PG_DATA), "-l", str(PG_DATA / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {PG_PORT} -k /tmp -c listen_addresses=127.0.0.1", action, *extra],
                 stdout=subprocess.DEVNULL)


def pg_running() -> bool:
    return subprocess.run([_pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-q"]).returncode == 0


def ensure_postgres(database: str = PG_DB, fresh: bool = False) -> str:
    """Create (once) and start the private cluster and `database` in it (dropped first when
    `fresh`); return its SQLAlchemy URL."""
    if not (PG_DATA / "PG_VERSION").exists():
        PG_DATA.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(PG_DATA, "postgres", "postgres")
        _as_postgres([_pg_bin("initdb"), "-D", str(PG_DATA), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                     stdout=subprocess.DEVNULL)
        with open(PG_DATA / "postgresql.conf", "a") as conf:
            # Sized for a 2-core, 24 GB machine running the app beside it.
            conf.write("\nshared_buffers = 1GB\nmax_connections = 200\nfsync = on\nsynchronous_commit = on\n")
    if not pg_running():
        pg_ctl("start")
    psql = ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres"]
    # The catalog fits in shared_buffers, so a random read costs about what a sequential one
    # does (docs/production.md): with the default 4.0 the planner hashed all 2,000 vendors
    # to join 20 offers to theirs (0.7 ms a page) instead of 20 index look-ups (0.2 ms).
    subprocess.run([*psql, "-qc", "ALTER SYSTEM SET random_page_cost = 1.1", "-c", "SELECT pg_reload_conf()"],
                   check=True, stdout=subprocess.DEVNULL)
    if fresh:
        subprocess.run([*psql, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=True)
    exists = subprocess.run([*psql, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{database}'"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if not exists:
        subprocess.run([*psql, "-qc", f"CREATE DATABASE {database}"], check=True)
    return database_url(database)


def database_url(database: str = PG_DB) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{PG_PORT}/{database}"


def app_env(database: str = PG_DB, **extra: str) -> dict:
    """The environment of the app in production mode against the private services."""
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
           "DATABASE_URL": database_url(database), "REDIS_URL": REDIS_URL, "FLASK_APP": "app",
           "SEARCH_INDEX_DIR": str(Path(os.environ.get("BENCH_INDEX_DIR", "/var/tmp/market-bench-index")))}
    if not env.get("STRIPE_SECRET_KEY"):
        # Production refuses to start without Stripe (the sandbox is demo mode only). No benchmark
        # checks out: a placeholder key aimed at a closed local port, and a webhook secret of this
        # run that the fault scripts sign with (env["STRIPE_WEBHOOK_SECRET"]).
        env.update(STRIPE_SECRET_KEY="sk_test_bench_never_used", STRIPE_API_BASE="http://127.0.0.1:9",
                   STRIPE_WEBHOOK_SECRET="whsec_bench_" + secrets.token_urlsafe(24))
    env.update(extra)
    return env


def flask(*args: str, env: dict, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env, check=check, **kwargs)


class Gunicorn:
    """gunicorn with our gunicorn.conf.py, on 127.0.0.1:port, its log in a file."""

    def __init__(self, env: dict, port: int = 8765, workers: int | None = None, log: Path | None = None):
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        self.env = {**env, "BIND": f"127.0.0.1:{port}"}
        if workers:
            self.env["WEB_CONCURRENCY"] = str(workers)
        self.log_path = log or Path(f"/tmp/market-gunicorn-{port}.log")
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> "Gunicorn":
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen([PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                                     env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}; see {self.log_path}")
            if get(self.url + "/healthz")[0] in (200, 503):
                return self
            time.sleep(0.5)
        self.stop()
        raise SystemExit(f"gunicorn did not answer within {timeout}s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def get(url: str, timeout: float = 10, method: str = "GET", data: bytes | None = None,
        headers: dict | None = None) -> tuple[int, bytes]:
    """(status, body) of one request; status 0 when the connection itself failed."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, b""


def machine_note() -> str:
    load = os.getloadavg()
    return (f"{os.cpu_count()} cores; load average before the run {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
            "(other engineers' test runs share this machine)")
