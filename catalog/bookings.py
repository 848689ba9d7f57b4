"""Bookings: instances of an offer held over whole hours, and the capacity queries on them. No Flask.

The catalog owns the table so that it can show free capacity (the API, the buy page)
without importing checkout; checkout writes bookings through `hold`, `confirm` and
`release`, in the transaction of the order they belong to. The arithmetic is
pricing.capacity's; this module reads bookings and keeps two writers from overbooking:

- PostgreSQL: the offer rows are locked (SELECT … FOR UPDATE, in id order so two orders
  never deadlock), then every hour of the range is checked against the committed bookings.
- SQLite: one writer at a time (BEGIN IMMEDIATE, or the write lock the transaction already
  holds), so the check and the insert see every earlier booking.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, bindparam, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.models import Offer, utcnow
from extensions import db
from pricing.capacity import (
    HORIZON_HOURS,
    Availability,
    Shortfall,
    Span,
    free_by_hour,
    free_runs,
    parse_daily,
    run_lengths,
    shortfall,
    whole_hour_at_or_after,
)


class BookingState:
    HELD = "held"  # placed with a pending order: the instances are taken until payment or expiry
    CONFIRMED = "confirmed"  # the order is paid
    RELEASED = "released"  # the order expired or failed: the hours are free again


LIVE = (BookingState.HELD, BookingState.CONFIRMED)


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (Index("ix_bookings_offer_state_end", "offer_id", "state", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"))
    order_line_id: Mapped[Optional[int]] = mapped_column(ForeignKey("order_lines.id"), index=True)
    instances: Mapped[int]
    starts_at: Mapped[datetime]  # UTC, on the hour
    ends_at: Mapped[datetime]  # UTC, on the hour, exclusive
    state: Mapped[str] = mapped_column(String(16), default=BookingState.HELD)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CapacityShort(Exception):
    """The instances do not fit every hour of the range; nothing was written."""

    def __init__(self, offer_id: int, short: Shortfall, per_instance):
        super().__init__(f"offer {offer_id}: {short.code} at {short.hour:%Y-%m-%d %H:00}Z, {short.free} free")
        self.offer_id = offer_id
        self.short = short
        self.per_instance = per_instance


def availability_of(offer: Offer) -> Availability:
    """The offer's §4.1 span and daily hours; always available until the offer carries them.

    The columns branch adds available_from/available_to/available_hours to Offer; read through
    getattr so this module works before and after.
    """
    daily = getattr(offer, "available_hours", None)
    return Availability(starts=getattr(offer, "available_from", None), ends=getattr(offer, "available_to", None),
                        daily=parse_daily(daily) if daily else None)


# Built once: building the expression was ~0.3 ms of every offer page and API page (the SQL
# itself is compiled once either way). Free hours are still read from the database every time.
_LIVE_SPANS = select(Booking.starts_at, Booking.ends_at, Booking.instances).where(
    Booking.offer_id == bindparam("offer_id"), Booking.state.in_(LIVE), Booking.starts_at < bindparam("end"),
    Booking.ends_at > bindparam("start"))
_LIVE_SPANS_OF = select(Booking.offer_id, Booking.starts_at, Booking.ends_at, Booking.instances).where(
    Booking.offer_id.in_(bindparam("offer_ids", expanding=True)), Booking.state.in_(LIVE),
    Booking.starts_at < bindparam("end"), Booking.ends_at > bindparam("start"))


def live_spans(session: Session, offer_id: int, start: datetime, end: datetime) -> list[Span]:
    """The live bookings of the offer that overlap [start, end)."""
    rows = session.execute(_LIVE_SPANS, {"offer_id": offer_id, "start": start, "end": end})
    return [Span(s, e, n) for s, e, n in rows]


def free_hours(session: Session, offer: Offer, start: datetime, end: datetime,
               window: Availability | None = None) -> list[int | None]:
    """Free instances at each hour of [start, end) (None: stock unknown)."""
    window = availability_of(offer) if window is None else window
    return free_by_hour(offer.stock, live_spans(session, offer.id, start, end), start, end, window)


def timeline(session: Session, offer: Offer, now: datetime | None = None,
             hours: int = HORIZON_HOURS) -> list[tuple[datetime, datetime, int | None]]:
    """Free instances from the current hour for `hours` hours, run-length encoded."""
    start = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=hours)
    return run_lengths(start, free_hours(session, offer, start, end))


def timelines(session: Session, offers: list[Offer], now: datetime | None = None,
              hours: int = HORIZON_HOURS) -> dict[int, list[tuple[datetime, datetime, int | None]]]:
    """timeline() of many offers with one query of their bookings (an API page holds up to 100)."""
    start = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=hours)
    spans: dict[int, list[Span]] = {o.id: [] for o in offers}
    if offers:
        rows = session.execute(_LIVE_SPANS_OF, {"offer_ids": list(spans), "start": start, "end": end})
        for offer_id, s, e, n in rows:
            spans[offer_id].append(Span(s, e, n))
    return {o.id: free_runs(o.stock, spans[o.id], start, end, availability_of(o)) for o in offers}


def lock_for_booking(session: Session, offer_ids: Iterable[int]) -> None:
    """Serialize bookers of these offers until the transaction ends (see the module's docstring)."""
    ids = sorted(set(offer_ids))
    if not ids:
        return
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        # pysqlite opens a transaction only before a write, and that write takes the lock;
        # with none open, take the write lock now, before reading the bookings.
        if not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    session.execute(select(Offer.id).where(Offer.id.in_(ids)).order_by(Offer.id).with_for_update())


def hold(session: Session, offer: Offer, start: datetime, end: datetime, instances: int, *,
         order_line_id: int | None = None, window: Availability | None = None) -> Booking:
    """Book `instances` over [start, end) if every hour has them free; the caller has locked and commits.

    :raise CapacityShort: an hour is outside the offer's availability or has fewer free instances.
    """
    window = availability_of(offer) if window is None else window
    short = shortfall(offer.stock, live_spans(session, offer.id, start, end), start, end, instances, window)
    if short is not None:
        raise CapacityShort(offer.id, short, offer.gpu_count if offer.kind == "gpu" else offer.vcpus)
    booking = Booking(offer_id=offer.id, order_line_id=order_line_id, instances=instances, starts_at=start,
                      ends_at=end, state=BookingState.HELD)
    session.add(booking)
    return booking


def _move(session: Session, order_line_ids: list[int], to: str, from_: tuple[str, ...]) -> int:
    if not order_line_ids:
        return 0
    return session.execute(update(Booking).where(Booking.order_line_id.in_(order_line_ids), Booking.state.in_(from_))
                           .values(state=to).execution_options(synchronize_session=False)).rowcount


def confirm(session: Session, order_line_ids: list[int]) -> int:
    """Payment arrived: the held bookings of these lines stay held for good. The caller commits."""
    return _move(session, order_line_ids, BookingState.CONFIRMED, (BookingState.HELD,))


def release(session: Session, order_line_ids: list[int]) -> int:
    """The order closed unpaid: its hours are free again. The caller commits."""
    return _move(session, order_line_ids, BookingState.RELEASED, (BookingState.HELD,))


def next_start(now: datetime | None = None) -> datetime:
    """As soon as possible: the next whole hour (now itself when it is exactly on the hour)."""
    return whole_hour_at_or_after(now or utcnow())
