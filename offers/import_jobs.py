"""Run an upload's preview or apply off the request thread, with progress a status page can poll.

A job is a row in import_jobs and, in the embedded default, a thread in this process. The
thread's live row count is kept in memory (PostgreSQL also gets it in the job row, on a
separate connection: SQLite would block that write behind the import's own transaction),
so the status page of the same process always moves; the row's final status is in the DB.
"""

import logging
import threading
import time
from decimal import Decimal

from flask import Flask
from sqlalchemy import update

from catalog.context import catalog_context
from catalog.models import Vendor, utcnow
from extensions import db
from offers import upload_session
from offers.columns import MappingError
from offers.error_sheet import error_sheet_csv
from offers.mapping_memory import as_column_mapping
from offers.sheet_import import ImportReport, import_sheet
from offers.stall_models import ImportJob, SheetUpload

log = logging.getLogger(__name__)
PROGRESS_WRITE_SECONDS = 1.0
PREVIEW_FILE = "preview.json"

_threads: dict[int, threading.Thread] = {}
_live: dict[int, tuple[int, int]] = {}  # job id -> (processed, total)
_lock = threading.Lock()


def create_job(upload: SheetUpload, user_id: int, action: str, mode: str = "all_or_nothing",
               delist_missing: bool = False) -> ImportJob:
    """Add a queued job row (the caller commits, then calls start)."""
    job = ImportJob(vendor_id=upload.vendor_id, user_id=user_id, upload_id=upload.id, action=action, mode=mode,
                    delist_missing=delist_missing, status="queued", total=upload.row_estimate)
    db.session.add(job)
    return job


def start(app: Flask, job_id: int) -> None:
    """Run the job in a daemon thread, or inline when IMPORT_JOBS_INLINE is set."""
    if app.config.get("IMPORT_JOBS_INLINE"):
        run_job(app, job_id)
        return
    thread = threading.Thread(target=run_job, args=(app, job_id), name=f"import-job-{job_id}", daemon=True)
    with _lock:
        _threads[job_id] = thread
    thread.start()


def wait_all(timeout: float = 60) -> None:
    """Join every job thread started here (tests and the bench use it)."""
    deadline = time.monotonic() + timeout
    with _lock:
        threads = list(_threads.values())
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    with _lock:
        for job_id in [j for j, t in _threads.items() if not t.is_alive()]:
            del _threads[job_id]


def live_progress(job: ImportJob) -> tuple[int, int]:
    """(processed, total): the running thread's count if it is in this process, else the row's."""
    processed, total = _live.get(job.id, (job.processed, job.total))
    return processed, max(total, processed)


def _progress_factory(job_id: int, write_to_db: bool):
    def factory(total: int):
        _live[job_id] = (0, total)
        last_write = time.monotonic()

        def step(n: int) -> None:
            nonlocal last_write
            processed, _ = _live[job_id]
            _live[job_id] = (processed + n, total)
            if write_to_db and time.monotonic() - last_write >= PROGRESS_WRITE_SECONDS:
                last_write = time.monotonic()
                with db.engine.begin() as conn:
                    conn.execute(update(ImportJob).where(ImportJob.id == job_id)
                                 .values(processed=processed + n, total=total, status="running"))

        return step

    return factory


def run_job(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            job = db.session.get(ImportJob, job_id)
            upload = db.session.get(SheetUpload, job.upload_id)
            job.status = "running"
            db.session.commit()
            report = _run(app, job, upload)
            job = db.session.get(ImportJob, job_id)
            job.status, job.finished_at = "done", utcnow()
            job.summary = {k: v for k, v in report.summary().items() if k not in ("errors", "skips")}
            job.summary["landed"] = report.landed
            job.summary["rows_seen"] = report.rows_seen
            job.import_run_id = report.run_id
            processed, total = _live.get(job_id, (report.rows_seen, report.rows_seen))
            job.processed, job.total = processed, max(total, processed)
            db.session.commit()
        except Exception as exc:  # a job must end in a state the vendor can see
            log.exception("import job %s failed", job_id)
            db.session.rollback()
            job = db.session.get(ImportJob, job_id)
            if job is not None:
                job.status, job.finished_at = "failed", utcnow()
                job.message = f"{exc.__class__.__name__}: {exc}"[:1000]
                db.session.commit()
        finally:
            _live.pop(job_id, None)
            db.session.remove()


def _run(app: Flask, job: ImportJob, upload: SheetUpload) -> ImportReport:
    vendor = db.session.get(Vendor, job.vendor_id)
    path = upload_session.source_path(app.config["UPLOAD_DIR"], upload)
    preview = job.action == "preview"
    write_to_db = db.engine.dialect.name != "sqlite"
    try:
        mapping = as_column_mapping(upload.mapping)
    except MappingError as exc:
        report = ImportReport(dry_run=preview)
        report.errors.append(_file_error(str(exc)))
        return report
    with path.open("rb") as handle:  # our own handle: open_sheet leaves a path's XLSX file open
        report = import_sheet(
            db.session, handle, vendor.slug, catalog_context(db.session), filename=upload.filename,
            mapping=mapping, dry_run=preview, mode="good_rows" if preview else job.mode, source_label="upload",
            collect_changes=preview, delist_missing=job.delist_missing and not preview,
            progress_factory=_progress_factory(job.id, write_to_db))
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


def _file_error(message: str):
    from offers.sheet_import import RowError

    return RowError(1, None, message)


def _jsonable(change: dict) -> dict:
    return {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in change.items()}
