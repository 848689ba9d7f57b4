"""Delivery of paid order lines: the vendor moves a line paid → delivering → delivered, once per step.

Plain SQLAlchemy, no Flask. `record_step` owns its transaction: the line's state, the delivery
record and the buyer's access notes commit together. The line's state moves with a conditional
UPDATE … WHERE delivery_state IN (the states it may come from), and (line, state) is unique in
deliveries: a double-submit or two members at once record one step.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from checkout.models import AccessNote, Delivery, DeliveryState, Order, OrderLine, OrderStatus
from checkout.vendor_webhooks import record_line_step

# What a step may come from. Marking "delivering" first is optional.
FROM_STATES = {
    DeliveryState.DELIVERING: (DeliveryState.PAID,),
    DeliveryState.DELIVERED: (DeliveryState.PAID, DeliveryState.DELIVERING),
}
# The unit a delivered amount is counted in, by the line's kind.
DELIVERED_UNITS = {"gpu": "card_hour", "cpu": "core_hour", "token": "token"}
STATES = (DeliveryState.PAID, DeliveryState.DELIVERING, DeliveryState.DELIVERED)


class StepRefused(Exception):
    """The step cannot be recorded; `code` says why (for the page to put in words)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # not_paid | already_delivered | not_allowed


@dataclass(frozen=True)
class Step:
    state: str
    started_at: datetime  # naive UTC
    ended_at: datetime | None = None
    amount: Decimal | None = None
    unit: str | None = None
    notes: str | None = None


def vendor_lines(session: Session, vendor_ids: list[int], state: str | None = None,
                 limit: int = 500) -> list[OrderLine]:
    """The vendors' lines of paid orders, newest first; `state` filters by delivery state."""
    if not vendor_ids:
        return []
    query = (select(OrderLine).join(Order)
             .where(OrderLine.vendor_id.in_(vendor_ids), Order.status == OrderStatus.PAID,
                    OrderLine.delivery_state.is_not(None))
             .options(selectinload(OrderLine.deliveries), selectinload(OrderLine.order))
             .order_by(Order.paid_at.desc(), OrderLine.id.desc()).limit(limit))
    if state in STATES:
        query = query.where(OrderLine.delivery_state == state)
    return list(session.scalars(query))


def own_line(session: Session, line_id: int, vendor_ids: list[int]) -> OrderLine | None:
    """The line if one of `vendor_ids` sold it, else None (the caller answers 404)."""
    if not vendor_ids:
        return None
    return session.scalar(select(OrderLine).where(OrderLine.id == line_id, OrderLine.vendor_id.in_(vendor_ids)))


def record_step(session: Session, line: OrderLine, step: Step, *, by_user_id: int) -> tuple[Delivery, bool]:
    """Record one delivery step of a line and commit; returns (the record, whether it is new).

    The same step submitted again returns the first record, unchanged.
    :raise StepRefused: the order is not paid, the line is already delivered, or the step
        cannot follow the line's state (delivering after delivered).
    """
    if line.order.status != OrderStatus.PAID or line.delivery_state is None:
        raise StepRefused("not_paid")
    existing = _record(session, line.id, step.state)
    if existing is not None:
        return existing, False
    if line.delivery_state == DeliveryState.DELIVERED:
        raise StepRefused("already_delivered")
    allowed = FROM_STATES.get(step.state)
    if allowed is None:
        raise StepRefused("not_allowed")
    line_id = line.id
    try:
        moved = session.execute(
            update(OrderLine).where(OrderLine.id == line_id, OrderLine.delivery_state.in_(allowed))
            .values(delivery_state=step.state).execution_options(synchronize_session=False)).rowcount
        if moved != 1:
            raise StepRefused("not_allowed")
        record = Delivery(order_line_id=line_id, state=step.state, started_at=step.started_at,
                          ended_at=step.ended_at, amount=step.amount, unit=step.unit, by_user_id=by_user_id)
        session.add(record)
        session.flush()
        if step.notes:
            session.add(AccessNote(delivery_id=record.id, text=step.notes))
        record_line_step(session, line_id, step.state)  # the vendor's webhook event commits with the step
        session.commit()
    except StepRefused:
        session.rollback()
        existing = _record(session, line_id, step.state)
        if existing is not None:  # another request recorded this very step first
            return existing, False
        raise
    except IntegrityError:
        session.rollback()
        existing = _record(session, line_id, step.state)
        if existing is None:
            raise
        return existing, False
    session.expire_all()
    return record, True


def _record(session: Session, line_id: int, state: str) -> Delivery | None:
    return session.scalar(select(Delivery).where(Delivery.order_line_id == line_id, Delivery.state == state))


@dataclass(frozen=True)
class ShownNote:
    line_id: int
    state: str
    text: str | None  # None: shown before, now masked
    shown_at: datetime


def reveal_notes(session: Session, order: Order, now: datetime) -> list[ShownNote]:
    """The order's access notes for its buyer: each in full the first time, masked after; commits.

    The first view is claimed with a conditional UPDATE, so two tabs opened at once show a
    note in one of them only.
    """
    rows = session.execute(
        select(AccessNote, Delivery.order_line_id, Delivery.state).join(Delivery).join(OrderLine)
        .where(OrderLine.order_id == order.id).order_by(OrderLine.id, Delivery.id)).all()
    shown = []
    for note, line_id, state in rows:
        text = None
        if note.shown_at is None:
            claimed = session.execute(
                update(AccessNote).where(AccessNote.id == note.id, AccessNote.shown_at.is_(None))
                .values(shown_at=now).execution_options(synchronize_session=False)).rowcount
            if claimed == 1:
                text = note.text
        shown.append((line_id, state, text, note.id))
    session.commit()
    times = dict(session.execute(select(AccessNote.id, AccessNote.shown_at)
                                 .where(AccessNote.id.in_([n for *_, n in shown]))).all()) if shown else {}
    return [ShownNote(line_id, state, text, times[note_id]) for line_id, state, text, note_id in shown]
