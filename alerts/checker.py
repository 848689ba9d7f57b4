"""Check price alerts against the catalog, driven by the index outbox: no writer of offers calls anything.

Every committed offer change has an `index_outbox` row (catalog.write_path). The checker is one more
durable consumer of the outbox (name `price-alerts` in `outbox_consumers`): it reads the rows past its
position, finds the GPU and token models those offers belong to, and re-checks every alert on them
against the cheapest matching active offer now. A consumer with no position (new, or dropped after
the outbox's retention) checks every alert once. Alert states, new notifications and the position
commit together; a notification is unique per (alert, crossing), so a check run twice at once or
retried makes no second one: the second writer's row is refused inside a savepoint, and its
transaction (other alerts, the position) goes on. Plain SQLAlchemy, no Flask.
"""

import time
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alerts.crossing import step
from alerts.models import AlertNotification, PriceAlert
from catalog.models import Offer, utcnow
from catalog.outbox import OUTBOX, max_outbox_id, position_after_rebuild, read_position, save_position

CONSUMER = "price-alerts"
BATCH = 2000
ATTEMPTS = 3
MODEL_COLUMN = {"gpu": Offer.gpu_model, "token": Offer.model}


@dataclass
class Checked:
    alerts: int = 0
    notifications: list[int] = field(default_factory=list)  # ids of the new ones (to email)


def cheapest(session: Session, alert: PriceAlert) -> tuple | None:
    """(unit_price, offer id) of the cheapest active offer the alert watches, None when there is none."""
    query = (select(Offer.unit_price, Offer.id)
             .where(Offer.kind == alert.kind, MODEL_COLUMN[alert.kind] == alert.model, Offer.status == "active")
             .order_by(Offer.unit_price, Offer.id).limit(1))
    if alert.region:
        query = query.where(Offer.region == alert.region)
    if alert.billing:
        query = query.where(Offer.billing == alert.billing)
    return session.execute(query).first()


def check_alert(session: Session, alert: PriceAlert) -> AlertNotification | None:
    """Move one alert's state to the price now; the notification when this is a new crossing. No commit."""
    best = cheapest(session, alert)
    price = best.unit_price if best else None
    moved = step(alert.below, price, alert.threshold)
    alert.below, alert.last_price, alert.checked_at = moved.below, price, utcnow()
    if not moved.crossed:
        return None
    alert.crossings += 1
    # The state first, outside the savepoint: SQLite's driver opens its transaction only at a write.
    session.flush()
    note = AlertNotification(alert_id=alert.id, user_id=alert.user_id, crossing=alert.crossings,
                             price=price, offer_id=best.id)
    try:
        with session.begin_nested():
            session.add(note)
            session.flush()
    except IntegrityError:
        # Another check saw this crossing at the same moment (two workers, or the outbox's check while
        # a new alert checks itself) and its notification is in: it notifies and emails; this writer
        # drops only its own row and keeps the rest of its transaction.
        return None
    return note


def _alerts_for(session: Session, offer_ids: list[int]) -> list[PriceAlert]:
    """The alerts these offer changes may move: those on the models the offers belong to now (a price may
    have come down to them), and every alert at or below its threshold (its cheap offer may have gone up,
    away, or to another model: the outbox row does not say what the offer was before)."""
    rows = session.execute(select(Offer.kind, Offer.gpu_model, Offer.model).where(Offer.id.in_(offer_ids))).all()
    gpus = {r.gpu_model for r in rows if r.kind == "gpu" and r.gpu_model}
    tokens = {r.model for r in rows if r.kind == "token" and r.model}
    return list(session.scalars(select(PriceAlert).where(or_(
        PriceAlert.below.is_(True),
        and_(PriceAlert.kind == "gpu", PriceAlert.model.in_(gpus)),
        and_(PriceAlert.kind == "token", PriceAlert.model.in_(tokens)))).order_by(PriceAlert.id)))


def _check_once(session: Session, result: Checked) -> bool:
    """One batch in one transaction; True when there may be more."""
    conn = session.connection()
    at = read_position(conn, CONSUMER)
    if at is None:
        up_to = max_outbox_id(conn)
        alerts = list(session.scalars(select(PriceAlert).order_by(PriceAlert.id)))
        at, more = position_after_rebuild(conn, up_to), False
    else:
        rows = conn.execute(select(OUTBOX.c.id, OUTBOX.c.offer_id).where(at.needed())
                            .order_by(OUTBOX.c.id).limit(BATCH)).all()
        alerts = _alerts_for(session, sorted({r.offer_id for r in rows})) if rows else []
        at.advance([r.id for r in rows], time.time())
        more = len(rows) == BATCH
    notes = [n for n in (check_alert(session, a) for a in alerts) if n is not None]
    save_position(session.connection(), CONSUMER, at)
    session.commit()
    result.alerts += len(alerts)
    result.notifications += [n.id for n in notes]
    return more


def check_alerts(session: Session) -> Checked:
    """Bring every alert touched by offer changes since the last check up to date; commits."""
    result = Checked()
    attempt = 0
    while True:
        try:
            if not _check_once(session, result):
                return result
        except IntegrityError:
            # Another check saved this consumer's first position at the same moment: read it and go on.
            session.rollback()
            attempt += 1
            if attempt >= ATTEMPTS:
                raise


def check_new_alert(session: Session, alert: PriceAlert) -> AlertNotification | None:
    """A just-saved alert is checked at once: a price already at or below it is its first crossing. Commits."""
    note = check_alert(session, alert)
    session.commit()
    return note
