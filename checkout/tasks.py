"""Checkout's background work on the task queue (task_queue.py): the order-hold sweep.

A pending order whose Stripe session expired without its webhook, or whose session was never
created, would hold its bookings forever; the sweep asks Stripe and settles it
(checkout/sweep.py). Safe to run twice at once: each order moves once (close_unpaid and fulfil
are conditional updates).
"""

import logging
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from catalog.models import utcnow
from checkout import vendor_webhooks
from checkout.gateway import payment_service
from checkout.sweep import sweep_orders
from extensions import db
from task_queue import crontab, periodic, task

log = logging.getLogger(__name__)


@periodic(crontab(minute="*/5"))
def sweep_orders_task() -> None:
    counts = sweep_orders(db.session, payment_service(), utcnow())
    if counts.get("due"):
        log.info("sweep-orders: %s", counts)


@task()
def deliver_webhook_task(delivery_id: int) -> None:
    """One attempt at one vendor webhook row; a failure waits for its next_at (requeue_webhooks_task)."""
    config = current_app.config
    outcome = vendor_webhooks.deliver(db.session, delivery_id, production=config["APP_ENV"] == "production",
                                      claim_for=timedelta(seconds=config["WEBHOOK_CLAIM_SECONDS"]))
    log.info("webhook delivery %s: %s", delivery_id, outcome)


@periodic(crontab(minute="*"))
def requeue_webhooks_task() -> None:
    """Enqueue every row whose attempt is due: retries after back-off, and rows a killed worker held."""
    for delivery_id in vendor_webhooks.due(db.session, utcnow()):
        deliver_webhook_task(delivery_id)


@event.listens_for(Session, "after_commit")
def _nudge_new_webhooks(session: Session) -> None:
    ids = session.info.pop(vendor_webhooks.PENDING_KEY, None)
    # Immediate mode (tests) would run the POST inside this commit hook; there the periodic task
    # (or the test) delivers. A message lost here is harmless: the row is picked up within a minute.
    if not ids or not has_app_context() or current_app.extensions["task_queue"].immediate:
        return
    for delivery_id in ids:
        deliver_webhook_task(delivery_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_webhooks(session: Session) -> None:
    session.info.pop(vendor_webhooks.PENDING_KEY, None)
