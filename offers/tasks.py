"""The offers area's background work on the task queue: sheet previews and applies, and their upkeep.

Run by `flask worker`. Each task is safe to run twice: a sheet job's row is its guard
(offers/import_jobs.py), and the periodic ones only act on what is due.
"""

import logging
from datetime import timedelta

from flask import current_app

from catalog.models import utcnow
from extensions import db
from offers import import_jobs, upload_session
from task_queue import crontab, periodic, task

log = logging.getLogger(__name__)


# Retries are for the job's claim failing (the database unreachable for a moment); what
# goes wrong inside a claimed job ends it as failed with a reason, and is not retried.
@task(retries=5, retry_delay=2, retry_backoff=2)
def run_import_job(job_id: int) -> None:
    import_jobs.run_job(job_id, on_claim=lambda lease_end: _watch_at(job_id, lease_end))


@task()
def watch_import_job(job_id: int) -> None:
    """Look at a claimed job when its lease should have been renewed: queue it again if it was not.

    The look waits in the queue's schedule, not in the worker, so it outlives a killed worker:
    the job is taken again about a lease after its worker died, not at the next minute's sweep.
    """
    lease_end = import_jobs.active_lease_end(db.session, job_id)
    if lease_end is None:  # done or failed: nothing to watch
        return
    if lease_end < utcnow():
        requeue_stalled_jobs()
    else:
        _watch_at(job_id, lease_end)


def _watch_at(job_id: int, lease_end) -> None:
    watch_import_job.schedule(args=(job_id,), eta=lease_end + timedelta(seconds=1))  # naive UTC, as Huey's


def requeue_stalled_jobs() -> list[int]:
    """Put sheet jobs whose worker died back on the queue (failing those out of attempts); their ids."""
    again = import_jobs.requeue_expired(db.session, current_app.config["IMPORT_JOB_MAX_ATTEMPTS"])
    for job_id in again:
        run_import_job(job_id)
    return again


# The sweep behind the watch: jobs whose message was lost before any worker claimed them.
@periodic(crontab(minute="*"))
def requeue_stalled_jobs_task() -> None:
    requeue_stalled_jobs()


def expire_old_uploads() -> tuple[int, int]:
    """Remove every vendor's uploads older than UPLOAD_TTL_SECONDS; (how many, bytes freed)."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["UPLOAD_TTL_SECONDS"])
    return upload_session.expire_uploads(db.session, current_app.config["UPLOAD_DIR"], cutoff)


@periodic(crontab(minute="17"))
def clean_uploads_task() -> None:
    expired, freed = expire_old_uploads()
    log.info("clean-uploads: %d uploads expired, %d bytes freed", expired, freed)
