"""Orders never hold capacity forever: settle each Checkout Session by what Stripe says of it.

`settle_session` is the one decision, shared by the sweep of overdue pending orders
(`sweep_orders`, run by `flask --app app sweep-orders` and, in production, periodically) and by
`reconcile-payments`, which walks Stripe's recent sessions: paid → fulfil (the webhook's path,
once); open past its expiry → expire it at Stripe, then release; expired → release.
Plain SQLAlchemy and the payment service, no Flask.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from checkout.fulfilment import PAID_STATES, close_for_session, fulfil
from checkout.models import Order, OrderStatus
from checkout.orders import close_unpaid
from checkout.payments import SESSION_LIFETIME_SECONDS, PaymentService
from web.converters import parse_id

log = logging.getLogger(__name__)
SWEEP_KEYS = ("due", "fulfilled", "review", "already", "released", "expired_at_stripe", "unpaid",
              "unknown_order", "errors")
# Sessions of orders that never learnt their session id are looked for from a little before
# the order: the session is created after the order, but clocks differ.
CLOCK_SLACK_SECONDS = 300


def _timestamp(when: datetime) -> int:
    return int(when.replace(tzinfo=UTC).timestamp())


def settle_session(session: Session, service: PaymentService, checkout_session: dict, now: datetime, *,
                   order_due: bool = False) -> str:
    """Act on one Checkout Session as Stripe reports it and return what was done.

    `order_due`: the order is past the session lifetime by our clock, so an open session is
    expired now rather than left for Stripe's clock.
    Outcomes: fulfilled / review / already / unknown_order (fulfil's), released, unpaid (left).
    """
    if checkout_session.get("payment_status") in PAID_STATES:
        return fulfil(session, checkout_session).value
    expired_here = False
    if checkout_session.get("status") == "open":
        expires_at = checkout_session.get("expires_at")
        if not order_due and (expires_at is None or int(expires_at) > _timestamp(now)):
            return "unpaid"
        try:
            checkout_session = service.expire_session(checkout_session["id"])
            expired_here = True
        except stripe.StripeError:
            # Stripe refuses to expire a session that is no longer open: it may just have been paid.
            log.warning("expiring Checkout Session %s was refused; looking again", checkout_session["id"])
            checkout_session = service.retrieve_session(checkout_session["id"])
            if checkout_session.get("payment_status") in PAID_STATES:
                return fulfil(session, checkout_session).value
    if checkout_session.get("status") != "expired":
        return "unpaid"  # complete but unpaid: an async payment that will still succeed or fail
    changed = close_for_session(session, checkout_session, OrderStatus.EXPIRED)
    # Expiring at Stripe sends checkout.session.expired, whose handler may have released it first.
    return "released" if changed or expired_here else "unpaid"


def _retrieve(service: PaymentService, session_id: str) -> dict | None:
    """The session, or None when Stripe has no such session."""
    try:
        return service.retrieve_session(session_id)
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return None
        raise


def _sessions_by_order(service: PaymentService, since: int) -> dict[int, dict]:
    """Stripe's sessions since `since` by the order id in their metadata; a paid one wins."""
    found: dict[int, dict] = {}
    for obj in service.list_sessions(since=since):
        order_id = parse_id((obj.get("metadata") or {}).get("order_id"))
        if order_id is not None and (order_id not in found or obj.get("payment_status") in PAID_STATES):
            found[order_id] = obj
    return found


def sweep_orders(session: Session, service: PaymentService, now: datetime,
                 report: Callable[[int, str], None] | None = None) -> dict[str, int]:
    """Settle every pending order older than a Checkout Session lives; returns counts by outcome.

    `now` is naive UTC. An order younger than that is not looked at (its buyer may still pay).
    `report(order_id, outcome)` hears each order's outcome.
    """
    counts = dict.fromkeys(SWEEP_KEYS, 0)
    cutoff = now - timedelta(seconds=SESSION_LIFETIME_SECONDS)
    due = session.execute(select(Order.id, Order.stripe_session_id, Order.created_at)
                          .where(Order.status == OrderStatus.PENDING, Order.created_at <= cutoff)
                          .order_by(Order.id)).all()
    counts["due"] = len(due)
    orphans = [row.created_at for row in due if row.stripe_session_id is None]
    by_order: dict[int, dict] = {}
    if orphans:
        try:
            by_order = _sessions_by_order(service, _timestamp(min(orphans)) - CLOCK_SLACK_SECONDS)
        except stripe.StripeError:
            # Without the list an orphan could have a paid session we cannot see: leave them for the next run.
            log.exception("listing Checkout Sessions failed; orders without a session id wait")
            due = [row for row in due if row.stripe_session_id is not None]
            counts["errors"] += len(orphans)
    for row in due:
        try:
            obj = _retrieve(service, row.stripe_session_id) if row.stripe_session_id else by_order.get(row.id)
            if obj is None:
                outcome = "released" if _close(session, row.id) else "unpaid"
            else:
                outcome = settle_session(session, service, obj, now, order_due=True)
            if outcome == "released" and obj is not None and obj.get("status") == "open":
                counts["expired_at_stripe"] += 1
        except Exception:  # Stripe down, a lock timeout: one order's trouble must not stop the others
            session.rollback()
            log.exception("settling order %s failed; it stays pending until the next sweep", row.id)
            outcome = "errors"
        counts[outcome] += 1
        if report is not None:
            report(row.id, outcome)
    return counts


def _close(session: Session, order_id: int) -> bool:
    """No session at Stripe, and past the time one could pay: release what the order holds."""
    changed = close_unpaid(session, order_id, OrderStatus.EXPIRED)
    session.commit()
    return changed
