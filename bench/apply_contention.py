"""What a vendor's big sheet costs everyone else: /offers/1 latency while a 50,000-row sheet is previewed and applied.

    .venv/bin/python bench/apply_contention.py                       # SQLite (a temp file)
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_jobs .venv/bin/python bench/apply_contention.py

Builds a 10,000-offer catalog (bench/catalog_generator.py) and serves it with gunicorn
(gunicorn.conf.py, 3 workers). In this process it stages a 50,000-row sheet
(bench/upload_bench.py's generator) and runs its preview job, then its apply job, through
the stall's job task (offers/tasks.py, TASK_QUEUE=immediate: in this process). Meanwhile one thread asks for
/offers/1 back to back and another opens a tiny write transaction (what a checkout or a
log-in needs) every 0.5 s. Appends a section per run to bench/results/apply-contention.md.
The database's tables are dropped and created: never point it at a database you care about.
`--root DIR` runs the app code of another checkout (e.g. `git archive` of an older commit)
with this script, for before/after figures.
"""

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
RESULTS = HERE / "bench" / "results" / "apply-contention.md"
ROWS = int(os.environ.get("BENCH_ROWS", 50_000))


class Sampler(threading.Thread):
    """Calls `probe` back to back (or every `every` s), keeping (start, seconds, ok) per call."""

    def __init__(self, probe, every: float = 0.0):
        super().__init__(daemon=True)
        self.probe, self.every, self.samples = probe, every, []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            started = time.monotonic()
            ok = self.probe()
            self.samples.append((started, time.monotonic() - started, ok))
            if self.every:
                self.stopped.wait(max(0.0, self.every - (time.monotonic() - started)))

    def window(self, start: float, end: float) -> list[tuple[float, float, bool]]:
        return [s for s in self.samples if start <= s[0] < end]


def summary(samples: list[tuple[float, float, bool]]) -> str:
    if not samples:
        return "no sample | | | |"
    times = sorted(s[1] * 1000 for s in samples)
    p = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    failed = sum(1 for s in samples if not s[2])
    return f"{len(samples)} | {p[49]:.0f} ms | {p[98]:.0f} ms | {times[-1]:.0f} ms | {failed}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(HERE), help="the checkout whose app code runs")
    parser.add_argument("--label", default="this branch")
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    root = Path(args.root).resolve()
    sys.path.insert(0, str(root))
    sys.path.insert(1, str(HERE))
    os.chdir(root)

    from sqlalchemy import create_engine, text

    from app import create_app
    from bench.catalog_generator import build
    from bench.services import Gunicorn, get
    from bench.upload_bench import sheet
    from extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="apply-contention-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(workdir / "uploads"),
                      "SEARCH_INDEX_DIR": str(workdir / "search-index"), "TASK_QUEUE": "immediate",
                      "UPLOAD_MAX_ROWS": ROWS + 10, "SEARCH_DRAIN": "off"})
    with app.app_context():
        from accounts.models import User, VendorMember
        from catalog.context import SEED_FX, save_fx
        from catalog.models import Vendor
        from catalog.registry import default_registries
        from offers import import_jobs, upload_session
        from offers.mapping_memory import proposal
        from offers.stall_models import ImportJob
        from offers.tasks import run_import_job
        from pricing.currency import FxTable

        db.drop_all()
        db.create_all()
        save_fx(db.session, FxTable.load(SEED_FX))
        build(db.session, default_registries(), 10_000, vendor_count=200)
        vendor = Vendor(slug="bench-apply", name_en="Bench")
        user = User(email="bench-apply@example.com", password_hash="x")
        db.session.add_all([vendor, user])
        db.session.flush()
        db.session.add(VendorMember(user_id=user.id, vendor_id=vendor.id))
        db.session.commit()
        vendor_id, user_id, dialect = vendor.id, user.id, db.engine.dialect.name
        data = sheet(ROWS)
        staged = upload_session.stage_upload(app.config["UPLOAD_DIR"], io.BytesIO(data), "bench.csv", vendor_id,
                                             user_id, upload_session.UploadLimits(ROWS + 10))
        staged.mapping = proposal(staged.header, None)[0]
        db.session.add(staged)
        db.session.commit()
        staged_id = staged.id
        db.session.remove()

        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48),
               # No checkout here: demo mode (development) needs no Stripe keys nor shared rate limits.
               "APP_ENV": "development", "DEMO_MODE": "1",
               "SEARCH_INDEX_DIR": str(workdir / "search-index"), "SEARCH_DRAIN": "off", "WEB_CONCURRENCY": "3"}
        env.pop("REDIS_URL", None)
        # A separate engine for the write probe: one short transaction on another vendor's row.
        probe_engine = create_engine(url, connect_args={"timeout": 30} if dialect == "sqlite" else {})

        def write_probe() -> bool:
            try:
                with probe_engine.begin() as conn:
                    conn.execute(text("UPDATE vendors SET name_en = name_en WHERE slug = 'vendor-0001'"))
                return True
            except Exception:
                return False

        load_before = os.getloadavg()
        phases = []
        with Gunicorn(env, port=args.port, log=workdir / "gunicorn.log") as server:
            page = server.url + "/offers/1"
            for _ in range(20):  # warm every worker
                get(page)
            reader = Sampler(lambda: get(page, timeout=120)[0] == 200)
            writer = Sampler(write_probe, every=0.5)
            reader.start()
            writer.start()
            time.sleep(5)
            phases.append(("idle (5 s before)", time.monotonic() - 5, time.monotonic()))
            for action in ("preview", "apply"):
                job = import_jobs.create_job(db.session.get(upload_session.SheetUpload, staged_id), user_id, action)
                db.session.commit()
                started = time.monotonic()
                run_import_job(job.id)  # immediate: in this thread, in its own app context
                ended = time.monotonic()
                db.session.expire_all()
                job = db.session.get(ImportJob, job.id)
                assert job.status == "done", job.message
                phases.append((f"during the {action} ({ended - started:.1f} s)", started, ended))
                time.sleep(2)
            reader.stopped.set()
            writer.stopped.set()
            reader.join()
            writer.join()
        load_after = os.getloadavg()
        probe_engine.dispose()
        db.session.remove()
        db.drop_all()

    lines = [f"| {label} | {summary(reader.window(a, b))} | {summary(writer.window(a, b))} |" for label, a, b in phases]
    header = "" if RESULTS.exists() else (
        "# Other visitors while a vendor's 50,000-row sheet is previewed and applied\n\n"
        "`bench/apply_contention.py`: gunicorn (3 workers) serves a 10,000-offer catalog; this process runs the\n"
        "stall's preview job, then its apply job, on a 50,000-row GB18030 sheet. Meanwhile one client asks for\n"
        "`/offers/1` back to back (reads) and another opens a one-row write transaction every 0.5 s on another\n"
        "vendor's row (writes: what a checkout or a log-in needs). Latency is wall clock per request; failed =\n"
        "not 200 (reads) or an error (writes).\n\n"
        "**This machine (2 cores) is shared with seven other engineers' test runs**: the load averages below\n"
        "are part of each figure.\n")
    section = (
        f"\n## {args.label}: {dialect}, {ROWS} rows, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
        f"Load average (1/5/15 min) before {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}, "
        f"after {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f}; {os.cpu_count()} CPUs.\n\n"
        "| window | reads | read p50 | read p99 | read max | reads failed | writes | write p50 | write p99 | "
        "write max | writes failed |\n|---|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(lines) + "\n")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(header + section)
    print(section)


if __name__ == "__main__":
    main()
