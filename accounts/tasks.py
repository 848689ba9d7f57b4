"""Accounts' background work on the task queue: forgetting idempotency records past their day.

Each API key's old records are also deleted when it writes a new one; this catches keys that
stopped writing, so the table does not keep them forever.
"""

import logging

from accounts.idempotency import expire_records
from extensions import db
from task_queue import crontab, periodic

log = logging.getLogger(__name__)


@periodic(crontab(minute="41"))
def expire_idempotency_records_task() -> None:
    removed = expire_records(db.session)
    db.session.commit()
    if removed:
        log.info("idempotency records expired: %d", removed)
