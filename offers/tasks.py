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
    import_jobs.run_job(job_id)


def requeue_stalled_jobs() -> list[int]:
    """Put sheet jobs whose worker died back on the queue (failing those out of attempts); their ids."""
    again = import_jobs.requeue_expired(db.session, current_app.config["IMPORT_JOB_MAX_ATTEMPTS"])
    for job_id in again:
        run_import_job(job_id)
    return again


@periodic(crontab(minute="*"))
def requeue_stalled_jobs_task() -> None:
    requeue_stalled_jobs()
    _check_again_before_the_next_sweep()


@task()
def requeue_stalled_jobs_when_due() -> None:
    requeue_stalled_jobs()
    _check_again_before_the_next_sweep()


def _check_again_before_the_next_sweep() -> None:
    """A lease that ends before the next minute's sweep is checked when it ends, not up to a minute later.

    Only up to the next sweep, which takes over: one short chain per sweep, however many workers.
    """
    now = utcnow()
    end = import_jobs.next_lease_end(db.session)
    if end is not None and end < now.replace(second=0, microsecond=0) + timedelta(minutes=1):
        requeue_stalled_jobs_when_due.schedule(eta=max(end, now) + timedelta(seconds=1))  # naive UTC, as Huey's


def expire_old_uploads() -> tuple[int, int]:
    """Remove every vendor's uploads older than UPLOAD_TTL_SECONDS; (how many, bytes freed)."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["UPLOAD_TTL_SECONDS"])
    return upload_session.expire_uploads(db.session, current_app.config["UPLOAD_DIR"], cutoff)


@periodic(crontab(minute="17"))
def clean_uploads_task() -> None:
    expired, freed = expire_old_uploads()
    log.info("clean-uploads: %d uploads expired, %d bytes freed", expired, freed)
