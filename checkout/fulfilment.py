"""Fulfil a paid Checkout Session exactly once, whoever asks and however often.

The webhook, the success page and reconcile-payments all call `fulfil`. The unique
payments.stripe_session_id is the lock: the first insert wins, a concurrent one waits
for it (PostgreSQL row lock on the unique index, SQLite's database lock with a busy
timeout) and then fails with IntegrityError, which means "already done". The order's
status moves with a conditional UPDATE … WHERE status = 'pending', so an `expired` event
arriving after `completed` finds nothing to change.
"""

import logging
import time
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from catalog.models import utcnow
from checkout.models import DeliveryState, Order, OrderLine, OrderStatus, Payment
from checkout.orders import close_unpaid, confirm_paid, spend_share
from checkout.vendor_webhooks import record_order_paid
from pricing.currency import to_minor_units
from web.converters import parse_id

log = logging.getLogger(__name__)
PAID_STATES = ("paid", "no_payment_required")
LOCK_RETRIES = 5


class Outcome(StrEnum):
    FULFILLED = "fulfilled"
    REVIEW = "review"
    ALREADY = "already"
    UNPAID = "unpaid"
    UNKNOWN_ORDER = "unknown_order"


def _order_for(session: Session, checkout_session: dict) -> Order | None:
    order = session.scalar(select(Order).where(Order.stripe_session_id == checkout_session["id"]))
    if order is not None:
        return order
    order_id = parse_id((checkout_session.get("metadata") or {}).get("order_id"))
    if order_id is None:
        return None
    order = session.get(Order, order_id)
    # A session that is not the order's own (the order got another one) does not pay for it.
    if order is not None and order.stripe_session_id not in (None, checkout_session["id"]):
        return None
    return order


def mismatch(order: Order, checkout_session: dict) -> str | None:
    """Why the paid amount does not match the order's snapshot (what the buyer owes: the company
    share of a voucher order), or None."""
    expected = to_minor_units(order.amount_due, order.currency)
    currency = (checkout_session.get("currency") or "").upper()
    paid = checkout_session.get("amount_total")
    if currency != order.currency:
        return f"paid in {currency or '?'}, order is in {order.currency}"
    if paid != expected:
        return f"paid {paid} minor units, order amount due is {expected}"
    return None


def fulfil(session: Session, checkout_session: dict) -> Outcome:
    """Mark the session's order paid (or flagged for review), once; commits before returning."""
    if checkout_session.get("payment_status") not in PAID_STATES:
        return Outcome.UNPAID
    session_id = checkout_session["id"]
    for attempt in range(LOCK_RETRIES):
        try:
            return _fulfil_once(session, session_id, checkout_session)
        except IntegrityError:
            session.rollback()
            return Outcome.ALREADY
        except OperationalError as exc:
            # SQLite under many writers: "database is locked" past the busy timeout. Try again.
            session.rollback()
            if "locked" not in str(exc).lower() or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _fulfil_once(session: Session, session_id: str, checkout_session: dict) -> Outcome:
    if session.scalar(select(Payment.id).where(Payment.stripe_session_id == session_id)) is not None:
        return Outcome.ALREADY
    order = _order_for(session, checkout_session)
    if order is None:
        log.warning("paid Checkout Session %s has no order here", session_id)
        return Outcome.UNKNOWN_ORDER
    reason = mismatch(order, checkout_session)
    session.add(Payment(stripe_session_id=session_id, order_id=order.id,
                        amount_total=int(checkout_session.get("amount_total") or 0),
                        currency=(checkout_session.get("currency") or "").upper(),
                        payment_intent=_text(checkout_session.get("payment_intent")),
                        outcome=OrderStatus.REVIEW if reason else OrderStatus.PAID,
                        raw={k: checkout_session.get(k) for k in ("id", "amount_total", "currency",
                                                                  "payment_status", "status", "metadata")}))
    session.flush()  # the unique session id (and order id): a second fulfilment stops here
    session.scalar(select(Order.id).where(Order.id == order.id).with_for_update())
    moved = session.execute(
        update(Order).where(Order.id == order.id, Order.status == OrderStatus.PENDING)
        .values(status=OrderStatus.REVIEW if reason else OrderStatus.PAID, review_reason=reason,
                paid_at=utcnow(), stripe_session_id=session_id)
        .execution_options(synchronize_session=False)).rowcount
    if moved:
        confirm_paid(session, order.id)
        if not reason:
            # Only an order paid as ordered spends its voucher share; one under review keeps it held
            # until a person decides.
            spend_share(session, order.id)
            # Paid as ordered: each line now waits for its vendor to deliver (checkout/delivery.py).
            session.execute(update(OrderLine).where(OrderLine.order_id == order.id)
                            .values(delivery_state=DeliveryState.PAID).execution_options(synchronize_session=False))
            record_order_paid(session, order.id)  # the vendors' webhook events commit with the payment
    else:
        # Paid after the order expired or failed (its bookings were released): a person decides.
        reason = reason or "paid after the order was closed"
        session.execute(update(Order).where(Order.id == order.id)
                        .values(status=OrderStatus.REVIEW, review_reason=reason, paid_at=utcnow())
                        .execution_options(synchronize_session=False))
    session.commit()
    session.expire_all()
    return Outcome.REVIEW if reason else Outcome.FULFILLED


def _text(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else getattr(value, "id", None) or str(value)


def close_for_session(session: Session, checkout_session: dict, status: str) -> bool:
    """Expired or failed: release the order's bookings if it is still pending; commits."""
    order = _order_for(session, checkout_session)
    if order is None:
        return False
    for attempt in range(LOCK_RETRIES):
        try:
            changed = close_unpaid(session, order.id, status)
            session.commit()
            return changed
        except OperationalError as exc:
            session.rollback()
            if "locked" not in str(exc).lower() or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return False  # pragma: no cover


def on_completed(session: Session, obj: dict) -> str:
    return fulfil(session, obj).value


def on_async_succeeded(session: Session, obj: dict) -> str:
    return fulfil(session, obj).value


def on_async_failed(session: Session, obj: dict) -> str:
    return "closed" if close_for_session(session, obj, OrderStatus.FAILED) else "unchanged"


def on_expired(session: Session, obj: dict) -> str:
    return "closed" if close_for_session(session, obj, OrderStatus.EXPIRED) else "unchanged"


HANDLERS = {
    "checkout.session.completed": on_completed,
    "checkout.session.async_payment_succeeded": on_async_succeeded,
    "checkout.session.async_payment_failed": on_async_failed,
    "checkout.session.expired": on_expired,
}
