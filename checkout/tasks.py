"""Checkout's background work on the task queue (task_queue.py): the order-hold sweep.

A pending order whose Stripe session expired without its webhook, or whose session was never
created, would hold its bookings forever; the sweep asks Stripe and settles it
(checkout/sweep.py). Safe to run twice at once: each order moves once (close_unpaid and fulfil
are conditional updates).
"""

import logging

from catalog.models import utcnow
from checkout.gateway import payment_service
from checkout.sweep import sweep_orders
from extensions import db
from task_queue import crontab, periodic

log = logging.getLogger(__name__)


@periodic(crontab(minute="*/5"))
def sweep_orders_task() -> None:
    counts = sweep_orders(db.session, payment_service(), utcnow())
    if counts.get("due"):
        log.info("sweep-orders: %s", counts)
