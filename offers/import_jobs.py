"""Run an upload's preview or apply as a job whose whole state is its row in import_jobs.

`run_job(job_id)` is the one entry point, called by the task queue's worker
(offers/tasks.py): it claims the queued row (queued → running, with a worker name and a
lease), runs the import while a heartbeat thread moves the lease on and writes the row
count, and records how it ended. An apply is marked done in the same transaction that
lands its rows, and only while the job is still this worker's: so the sheet lands once
however often the job is delivered. A worker killed mid-job takes its transaction with it
(nothing lands) and stops renewing its lease; `requeue_expired` (a periodic task, and each
look at the job's page) puts the job back on the queue for another worker, and after
IMPORT_JOB_MAX_ATTEMPTS fails it with a plain reason the vendor can retry from. Any web
node reads a job's progress from its row.
"""

import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from catalog.context import catalog_context
from catalog.models import ImportRun, Vendor, utcnow
from extensions import db
from offers import upload_session
from offers.columns import MappingError
from offers.error_sheet import error_sheet_csv
from offers.mapping_memory import as_column_mapping
from offers.schema import bilingual
from offers.sheet_import import ImportReport, RowError, import_sheet
from offers.stall_models import ImportJob, SheetUpload

log = logging.getLogger(__name__)
PREVIEW_FILE = "preview.json"
ACTIVE = ("queued", "running")
# English halves without "; ": stall_views.in_language splits "zh / en; zh / en" lists there.

WORKER_STOPPED = bilingual("处理任务的进程已停止，未做任何更改；请重试",
                           "the worker stopped and nothing was applied. Please retry")
SAME_SKUS = bilingual("同一时间另一份表格也在写入这些编号，未做任何更改；请重试",
                      "another sheet was writing the same SKUs at the same time, so nothing was changed. Please retry")
FAILED = bilingual("导入出错，未做任何更改；请重试，再次失败请联系我们",
                   "the import stopped on an error and nothing was changed. Please retry, and tell us if it fails again")
NO_WORKER = bilingual("没有处理进程接手这个任务，未做任何更改；请重试",
                      "no worker picked the job up, so nothing was applied. Please retry")
UPLOAD_GONE = bilingual("上传的文件已过期删除，请重新上传", "the uploaded file has expired and was removed. Upload it again")


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["IMPORT_JOB_LEASE_SECONDS"])


def create_job(upload: SheetUpload, user_id: int, action: str, mode: str = "all_or_nothing",
               delist_missing: bool = False) -> ImportJob:
    """Add a queued job row (the caller commits, then enqueues offers.tasks.run_import_job).

    A queued job has a lease too: if its message is lost before a worker claims it (a worker
    killed with it in hand), `requeue_expired` puts it back on the queue.
    """
    job = ImportJob(vendor_id=upload.vendor_id, user_id=user_id, upload_id=upload.id, action=action, mode=mode,
                    delist_missing=delist_missing, status="queued", total=upload.row_estimate, attempts=1,
                    lease_expires_at=utcnow() + _lease())
    db.session.add(job)
    return job


def wait_all(timeout: float = 60) -> None:
    """Wait until no job holds a live lease (tests and the bench use it); the database says, not this process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            active = conn.scalar(select(func.count(ImportJob.id)).where(
                ImportJob.status.in_(ACTIVE), ImportJob.lease_expires_at >= utcnow()))
        if not active:
            return
        time.sleep(0.05)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


class LeaseLost(Exception):
    """The job stopped being this worker's (its lease ran out and it was queued again): land nothing."""


def run_job(job_id: int, on_claim=None) -> None:
    """Claim the queued job, run it under a lease and record how it ended; needs an app context.

    A job already claimed, finished or failed is left alone, so a queue delivering it
    twice runs it once. `on_claim(lease_end)` runs once the claim is committed.
    """
    app = current_app._get_current_object()
    worker = worker_name()
    lease_end = utcnow() + _lease()
    claimed = db.session.execute(
        update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == "queued")
        .values(status="running", worker=worker, lease_expires_at=lease_end)).rowcount
    db.session.commit()
    if claimed != 1:
        log.info("import job %s was not queued; left alone", job_id)
        db.session.remove()
        return
    if on_claim is not None:
        on_claim(lease_end)
    heartbeat = _Heartbeat(app, job_id, worker)
    try:
        job = db.session.get(ImportJob, job_id)
        total = job.total
        finished = []

        def done(session, report: ImportReport, run: ImportRun | None) -> None:
            """Mark the job done, if it is still ours; for an apply, inside the transaction that lands it."""
            summary = {k: v for k, v in report.summary().items() if k not in ("errors", "skips")}
            summary["landed"], summary["rows_seen"] = report.landed, report.rows_seen
            processed = max(heartbeat.processed, report.rows_seen)
            changed = session.execute(update(ImportJob).where(
                ImportJob.id == job_id, ImportJob.worker == worker, ImportJob.status == "running").values(
                status="done", finished_at=utcnow(), summary=summary, import_run_id=run.id if run else None,
                processed=processed, total=max(total, processed), lease_expires_at=None, message=None)).rowcount
            if changed != 1:
                raise LeaseLost(job_id)
            finished.append(True)

        report = _run(app, job, db.session.get(SheetUpload, job.upload_id), heartbeat.progress_factory,
                      before_commit=done if job.action == "apply" else None)
        heartbeat.stop()
        if not finished:  # a preview, or an apply that stopped before recording a run
            done(db.session, report, db.session.get(ImportRun, report.run_id) if report.run_id else None)
            db.session.commit()
    except LeaseLost:
        db.session.rollback()
        log.warning("import job %s: lease lost to another worker; this run landed nothing", job_id)
    except Exception as exc:  # a job must end in a state the vendor can see, and in the history
        log.exception("import job %s failed", job_id)
        db.session.rollback()  # first: on SQLite the heartbeat waits for this transaction's lock
        heartbeat.stop()
        fail(db.session, job_id, _message(exc), worker=worker)
    finally:
        heartbeat.stop()
        db.session.remove()


def _message(exc: Exception) -> str:
    """What the vendor reads: plain words, never the database's (those go to the log)."""
    if isinstance(exc, IntegrityError):
        return SAME_SKUS
    if isinstance(exc, FileNotFoundError):
        return UPLOAD_GONE
    return FAILED


def fail(session, job_id: int, message: str, *, worker: str | None = None, expired_before=None) -> bool:
    """Mark an active job failed and, for an apply, record the run in the import history.

    Only if it is still active (and still `worker`'s, or its lease ended before
    `expired_before`), so two web nodes noticing the same dead worker record it once.
    """
    condition = [ImportJob.id == job_id, ImportJob.status.in_(ACTIVE)]
    if worker is not None:
        condition.append(ImportJob.worker == worker)
    if expired_before is not None:
        condition.append(ImportJob.lease_expires_at < expired_before)
    changed = session.execute(update(ImportJob).where(*condition).values(
        status="failed", finished_at=utcnow(), message=message[:1000], lease_expires_at=None)).rowcount
    if changed == 1:
        job = session.get(ImportJob, job_id)
        session.refresh(job)
        if job.action == "apply":
            upload = session.get(SheetUpload, job.upload_id)
            run = ImportRun(vendor_id=job.vendor_id, filename=upload.filename, source="upload", landed=False,
                            created=0, updated=0, unchanged=0, rejected=0,
                            errors=[RowError(1, None, message).as_json()])
            session.add(run)
            session.flush()
            job.import_run_id = run.id
    session.commit()
    return changed == 1


def requeue_expired(session, max_attempts: int) -> list[int]:
    """Queue again every queued or running job whose lease has passed (its worker or message is gone),
    or fail it once it has been queued `max_attempts` times; the ids to enqueue.

    Each step is one guarded UPDATE, so two nodes noticing the same dead worker act once.
    """
    now = utcnow()
    expired = session.execute(select(ImportJob.id, ImportJob.status, ImportJob.attempts).where(
        ImportJob.status.in_(ACTIVE), ImportJob.lease_expires_at < now)).all()
    again = []
    for job_id, status, attempts in expired:
        if attempts >= max_attempts:
            fail(session, job_id, WORKER_STOPPED if status == "running" else NO_WORKER, expired_before=now)
            continue
        changed = session.execute(update(ImportJob).where(
            ImportJob.id == job_id, ImportJob.status.in_(ACTIVE), ImportJob.lease_expires_at < now).values(
            status="queued", worker=None, attempts=ImportJob.attempts + 1, processed=0,
            lease_expires_at=now + _lease())).rowcount
        session.commit()
        if changed == 1:
            log.warning("import job %s: its %s lease ran out; queued again", job_id, status)
            again.append(job_id)
    return again


def active_lease_end(session, job_id: int):
    """When the job's lease ends (it may have passed), or None once it is done or failed."""
    return session.scalar(select(ImportJob.lease_expires_at).where(ImportJob.id == job_id,
                                                                   ImportJob.status.in_(ACTIVE)))


class _Heartbeat:
    """Moves the job's lease on and writes its row count, every IMPORT_JOB_HEARTBEAT_SECONDS.

    On its own connection, in its own thread: the import's transaction is still open.
    On SQLite a beat waits while the import writes (the database has one write lock);
    rows are checked before that, so the wait is the write phase, well inside the lease.
    """

    def __init__(self, app: Flask, job_id: int, worker: str) -> None:
        self.app, self.job_id, self.worker = app, job_id, worker
        self.processed, self.total = 0, None
        self.interval = app.config["IMPORT_JOB_HEARTBEAT_SECONDS"]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"import-job-{job_id}-heartbeat", daemon=True)
        self._thread.start()

    def progress_factory(self, total: int):
        self.total = total

        def step(n: int) -> None:
            self.processed += n

        return step

    def _beat(self) -> None:
        with self.app.app_context():
            while not self._stopped.wait(self.interval):
                values = {"lease_expires_at": utcnow() + _lease(), "processed": self.processed}
                if self.total is not None:
                    values["total"] = max(self.total, self.processed)
                try:
                    with db.engine.begin() as conn:
                        conn.execute(update(ImportJob.__table__).where(
                            ImportJob.id == self.job_id, ImportJob.worker == self.worker,
                            ImportJob.status == "running").values(values))
                except SQLAlchemyError:  # the next beat tries again; the lease has room for misses
                    log.warning("heartbeat of import job %s missed", self.job_id, exc_info=True)

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not threading.current_thread():
            self._thread.join()


def _run(app: Flask, job: ImportJob, upload: SheetUpload, progress_factory, before_commit=None) -> ImportReport:
    vendor = db.session.get(Vendor, job.vendor_id)
    path = upload_session.source_path(app.config["UPLOAD_DIR"], upload)
    preview = job.action == "preview"
    try:
        mapping = as_column_mapping(upload.mapping)
    except MappingError as exc:
        report = ImportReport(dry_run=preview)
        report.errors.append(RowError(1, None, str(exc)))
        return report
    with path.open("rb") as handle:  # our own handle: open_sheet leaves a path's XLSX file open
        report = import_sheet(
            db.session, handle, vendor.slug, catalog_context(db.session), filename=upload.filename,
            mapping=mapping, dry_run=preview, mode="good_rows" if preview else job.mode, source_label="upload",
            collect_changes=preview, delist_missing=job.delist_missing and not preview,
            progress_factory=progress_factory, before_commit=before_commit)
    errors = [e.as_json() for e in report.errors]
    if errors:
        (upload_session.upload_dir(app.config["UPLOAD_DIR"], upload.id) / f"errors-{job.id}.csv").write_bytes(
            error_sheet_csv(path, upload.filename, errors))
    if preview:
        upload_session.write_json(app.config["UPLOAD_DIR"], upload.id, PREVIEW_FILE, {
            "job_id": job.id, "rows": [_jsonable(c) for c in sorted(report.changes, key=lambda c: c["row"])],
            "errors": errors,
            "missing": report.missing, "ignored_headers": report.ignored_headers,
            "counts": {"new": report.created, "changed": report.updated, "unchanged": report.unchanged,
                       "error": report.rejected, "rows": report.rows_seen},
        })
    return report


def _jsonable(change: dict) -> dict:
    return {k: (format(v, "f") if isinstance(v, Decimal) else v.isoformat() if isinstance(v, datetime) else v)
            for k, v in change.items()}
