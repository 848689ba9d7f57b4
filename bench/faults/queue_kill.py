"""Fault: kill -9 the task-queue worker mid-apply. Another worker must finish the job, and the sheet land once.

    .venv/bin/python bench/faults/queue_kill.py [--rows 10000] [--trials 2] [--lease 10]

Two `flask worker` processes on PostgreSQL (the private cluster) and Redis. Each trial
stages a generated sheet for a new vendor, as the stall's upload does, and enqueues its
apply; when the worker that claimed it is writing (its connection has held a transaction
with an xid for half a second, in pg_stat_activity) it is killed with SIGKILL. Nothing else is done: the
job's lease runs out (IMPORT_JOB_LEASE_SECONDS, --lease), the watch its claim scheduled
in the queue (a look just after the lease end) runs on the surviving worker and queues it
again, and the survivor runs it (the minute's periodic sweep is the backstop). It
checks that the job ends done, run by the other worker, with 2 attempts; that the vendor
has exactly the sheet's offers and one import run, landed; and that no transaction was
left open. A fresh worker replaces the killed one for the next trial. Writes
bench/results/faults-queue.md with the time to recover.
"""

import argparse
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.faults.import_kill import write_sheet  # noqa: E402
from bench.services import PYTHON, app_env, ensure_postgres, flask, machine_note  # noqa: E402
from bench.yardstick import Yardstick  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATABASE = "market_faults_queue"  # its own: import_kill.py remakes market_faults
REDIS = os.environ.get("BENCH_QUEUE_REDIS_URL", "redis://127.0.0.1:6379/12")


class Workers:
    """`flask worker` processes by name, each with its own PostgreSQL application_name."""

    def __init__(self, env: dict, logs: Path) -> None:
        self.env, self.logs, self.procs = env, logs, {}

    def start(self, name: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            [PYTHON, "-m", "flask", "--app", "app", "worker", "--workers", "1"], cwd=ROOT,
            env={**self.env, "PGAPPNAME": name}, stdout=log, stderr=log, start_new_session=True)
        log.close()

    def by_pid(self, pid: int) -> str:
        return next(name for name, proc in self.procs.items() if proc.pid == pid)

    def kill(self, name: str) -> None:
        os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait()

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def stage_apply(app, sheet: Path, slug: str) -> int:
    """A vendor, a member, a staged upload with its mapping, and its apply job enqueued; the job id."""
    from accounts.models import User, VendorMember
    from catalog.models import Vendor
    from extensions import db
    from offers import import_jobs, upload_session
    from offers.mapping_memory import proposal
    from offers.tasks import run_import_job

    with app.app_context():
        vendor = Vendor(slug=slug, name_en=slug, name_zh=slug)
        user = User(email=f"{slug}@example.com", password_hash="x")
        db.session.add_all([vendor, user])
        db.session.flush()
        db.session.add(VendorMember(user_id=user.id, vendor_id=vendor.id))
        staged = upload_session.stage_upload(app.config["UPLOAD_DIR"], io.BytesIO(sheet.read_bytes()), sheet.name,
                                             vendor.id, user.id, upload_session.UploadLimits(10**6))
        staged.mapping = proposal(staged.header, None)[0]
        db.session.add(staged)
        db.session.flush()
        job = import_jobs.create_job(staged, user.id, "apply")
        db.session.commit()
        run_import_job(job.id)  # onto Redis: a worker takes it
        return job.id


def job_row(engine, job_id: int) -> dict:
    from sqlalchemy import text

    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT status, worker, attempts, processed, message, vendor_id "
                                      "FROM import_jobs WHERE id = :j"), {"j": job_id}).mappings().one())


def writing(engine, name: str) -> bool:
    from sqlalchemy import text

    with engine.connect() as conn:
        # Open for a while: the heartbeat's own one-row transactions (same process, same name) last milliseconds.
        return bool(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a "
                                      "AND backend_xid IS NOT NULL AND xact_start < now() - interval '0.5 seconds'"),
                                 {"a": name}).scalar())


def outcome(engine, vendor_id: int) -> dict:
    from sqlalchemy import text

    with engine.connect() as conn:
        return {
            "offers": conn.execute(text("SELECT count(*) FROM offers WHERE vendor_id = :v"), {"v": vendor_id}).scalar(),
            "runs": conn.execute(text("SELECT count(*) FROM import_runs WHERE vendor_id = :v"),
                                 {"v": vendor_id}).scalar(),
            "landed_runs": conn.execute(text("SELECT count(*) FROM import_runs WHERE vendor_id = :v AND landed"),
                                        {"v": vendor_id}).scalar(),
            "idle_in_tx": conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND state LIKE 'idle in transaction%'")).scalar(),
        }


def trial(app, engine, workers: Workers, sheet: Path, slug: str, timeout: float) -> dict:
    job_id = stage_apply(app, sheet, slug)
    enqueued = time.monotonic()
    victim = None
    while victim is None:  # who claimed it, and is it writing yet?
        row = job_row(engine, job_id)
        if row["status"] == "running" and row["worker"]:
            name = workers.by_pid(int(row["worker"].split(":")[1]))
            if writing(engine, name):
                victim = name
        if row["status"] in ("done", "failed"):
            raise SystemExit(f"job {job_id} ended ({row['status']}) before a worker was seen writing: use more --rows")
        if time.monotonic() - enqueued > timeout:
            raise SystemExit(f"job {job_id} was never seen writing in {timeout:.0f} s: {row}")
        time.sleep(0.02)
    workers.kill(victim)
    killed = time.monotonic()
    reclaimed = None
    while True:
        row = job_row(engine, job_id)
        if reclaimed is None and row["status"] == "running" and row["attempts"] == 2:
            reclaimed = time.monotonic()
        if row["status"] in ("done", "failed") or time.monotonic() - killed > timeout:
            break
        time.sleep(0.1)
    done = time.monotonic()
    time.sleep(1.0)  # PostgreSQL has long noticed the dead client; this checks nothing was left open since
    survivor = workers.by_pid(int(row["worker"].split(":")[1])) if row["worker"] else None
    return {"job": job_id, "killed": victim, "after_s": killed - enqueued, "survivor": survivor,
            "reclaim_s": (reclaimed - killed) if reclaimed else None, "recover_s": done - killed, **row,
            **outcome(engine, row["vendor_id"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=2)
    parser.add_argument("--lease", type=float, default=10.0, help="IMPORT_JOB_LEASE_SECONDS for this run")
    parser.add_argument("--out", default=str(RESULTS / "faults-queue.md"))
    args = parser.parse_args()

    from sqlalchemy import create_engine

    from app import create_app

    ensure_postgres(DATABASE, fresh=True)
    work = Path(tempfile.mkdtemp(prefix="market-fault-queue-"))
    env = app_env(DATABASE, REDIS_URL=REDIS, TASK_QUEUE="redis", SEARCH_DRAIN="off",
                  IMPORT_JOB_LEASE_SECONDS=str(args.lease), UPLOAD_DIR=str(work / "uploads"),
                  SEARCH_INDEX_DIR=str(work / "search-index"), UPLOAD_MAX_ROWS=str(args.rows + 10))
    flask("init-db", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = create_app(environ=env)
    with app.app_context():
        app.extensions["task_queue"].storage.flush_all()  # messages of an earlier, interrupted run
    engine = create_engine(env["DATABASE_URL"])
    sheet = write_sheet(args.rows)
    note = machine_note()
    yardstick = Yardstick.start()
    workers = Workers(env, work)
    workers.start("queue-worker-a")
    workers.start("queue-worker-b")
    results, ok = [], True
    run = datetime.now(UTC).strftime("%H%M%S")
    # A lease, then at most a minute until the periodic sweep (should the watch be lost), then the apply.
    timeout = args.lease + 60 + 240
    try:
        for k in range(args.trials):
            found = trial(app, engine, workers, sheet, f"queue-kill-{run}-{k}", timeout)
            print(found)
            results.append(found)
            ok = ok and (found["status"] == "done" and found["survivor"] not in (None, found["killed"])
                         and found["attempts"] == 2 and found["offers"] == args.rows and found["runs"] == 1
                         and found["landed_runs"] == 1 and found["idle_in_tx"] == 0)
            workers.start(found["killed"])  # a fresh worker in its place, as a supervisor would
    finally:
        workers.stop_all()
        engine.dispose()
    yardstick.finish()

    def fmt(value):
        return "—" if value is None else f"{value:.1f}"

    lines = [
        "# Fault: kill -9 the task-queue worker mid-apply",
        "",
        f"Written by `bench/faults/queue_kill.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {note}. "
        + yardstick.line(ratios=False),
        f"Two `flask worker` processes (Huey on Redis, one thread each) on PostgreSQL 15 (the private bench "
        f"cluster). Each trial: a {args.rows:,}-row sheet of a new vendor, staged as the stall's upload does, its "
        f"apply enqueued; the worker that claimed it is killed with SIGKILL while its write transaction is open. "
        f"Lease {args.lease:g} s (`IMPORT_JOB_LEASE_SECONDS`); the watch the claim scheduled in the queue (a look "
        "just after the lease end, run by the surviving worker) queues the job again.",
        "",
        "| trial | killed | after (s) | taken again after (s) | done after kill (s) | finished by | status | "
        "attempts | offers | import runs (landed) | idle in tx |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *[f"| {i + 1} | {r['killed']} | {fmt(r['after_s'])} | {fmt(r['reclaim_s'])} | {fmt(r['recover_s'])} | "
          f"{r['survivor']} | {r['status']} | {r['attempts']} | {r['offers']:,} | {r['runs']} ({r['landed_runs']}) | "
          f"{r['idle_in_tx']} |" for i, r in enumerate(results)],
        "",
        "Time to recover = the rest of the lease (+ about a second for the watch) + the apply run again "
        "from the start (its first transaction rolled back with the killed worker). A vendor looking at the job's "
        "page also queues an expired job again at once.",
        "",
        f"Result: **{'finished by the other worker, landed exactly once, every time' if ok else 'FAILED: see the table'}**.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
