"""Turn a cart into a pending order with a price snapshot, holding capacity; release it again.

Plain SQLAlchemy, no Flask: the caller passes the session and commits nothing here that
it does not own; `place_order` owns its transaction (order, lines and bookings together).
An hourly or term line holds its instances over [start, end) as a booking (catalog.bookings);
a token line holds nothing. The offer's stock is never written here: it counts instances,
and the bookings say which hours of them are taken.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.bookings import CapacityShort, confirm, hold, lock_for_booking, next_start, release
from catalog.models import Offer, utcnow
from catalog.offer_price import per_instance, priced
from checkout.models import Order, OrderLine, OrderStatus
from checkout.voucher_order import VoucherChoice, apply_voucher
from pricing.capacity import Availability, hours_between, parse_daily
from pricing.currency import BASE, FxTable
from pricing.line_shape import LineShape, shape_line
from pricing.line_total import (
    QuantityError,
    exact_line_total,
    exact_unit_price,
    order_total,
    purchase_price,
    round_money,
)
from vouchers import consume
from vouchers import release as release_share

LATEST_START = timedelta(days=365)  # how far ahead a line may start


class OutOfStock(Exception):
    """An offer cannot hold the line's instances over its hours; nothing was held.

    `code` is "capacity" (only `free` instances of `per_instance` cards/cores at `hour`) or
    "outside_window" (the offer cannot be used at `hour`).
    """

    def __init__(self, offer_id: int, title: str, code: str = "capacity", free: int = 0, per_instance=None,
                 hour: datetime | None = None):
        super().__init__(f"not enough capacity for {title}")
        self.offer_id, self.title, self.code = offer_id, title, code
        self.free, self.per_instance, self.hour = free, per_instance, hour


class OfferUnavailable(Exception):
    """An offer in the cart is gone or no longer active."""


@dataclass(frozen=True)
class Wanted:
    """One line as the buyer chose it (C1's fields); start None = as soon as possible."""

    offer_id: int
    instances: int | None = None
    hours: int | None = None
    terms: int | None = None
    packs: int | None = None
    start: datetime | None = None  # UTC
    # Price the hours inside the offer's off-peak window at its off-peak rate (spec §4.1): the compute
    # bank's blocks are chosen for those hours and are charged what the schedule showed.
    off_peak_priced: bool = False


def shape_of(offer: Offer, wanted: Wanted, fx: FxTable) -> LineShape:
    """:raise QuantityError: the choices do not fit the offer's unit and limits."""
    unit = purchase_price(priced(offer), fx).unit
    return shape_line(unit, per_instance(offer), instances=wanted.instances, hours=wanted.hours,
                      terms=wanted.terms, packs=wanted.packs)


def span_of(shape: LineShape, start: datetime | None, now: datetime | None = None
            ) -> tuple[datetime | None, datetime | None]:
    """[start, end) of the line in UTC; (None, None) for tokens.

    :raise QuantityError: a chosen start before the next whole hour, or more than a year ahead.
    """
    if shape.booked_hours is None:
        return None, None
    earliest = next_start(now)
    if start is None:
        start = earliest
    else:
        start = next_start(start)
        if start < earliest:
            raise QuantityError("start_past")
        if start > earliest + LATEST_START:
            raise QuantityError("start_too_far", days=LATEST_START.days)
    return start, start + timedelta(hours=shape.booked_hours)


def place_order(session: Session, wanted: list[Wanted], *, email: str, user_id: int | None,
                checkout_token: str, fx: FxTable, voucher: VoucherChoice | None = None) -> Order:
    """Create a pending order from server-side prices and hold its capacity, all in one commit.

    With a `voucher`, the order is split under the programme (government, platform, company) and the
    government share is reserved in the voucher ledger in that same commit (checkout/voucher_order.py).
    A second call with the same checkout_token (a double-submit) returns the first order.
    :raise OutOfStock: an hour of a line has too few free instances (nothing held).
    :raise OfferUnavailable: an offer is missing or inactive.
    :raise pricing.line_total.QuantityError: a line outside the offer's limits or a bad start.
    :raise vouchers.NotEntitled: the company may not take the programme's share (nothing held).
    :raise vouchers.ShareChanged: the company's share is above the one its buyer saw (nothing held).
    """
    existing = session.scalar(select(Order).where(Order.checkout_token == checkout_token))
    if existing is not None:
        return existing
    if not wanted:
        raise OfferUnavailable("the cart is empty")
    try:
        order, lines = _build(session, wanted, email=email, user_id=user_id, checkout_token=checkout_token, fx=fx)
        held = [(offer, line) for offer, line in lines if line.starts_at is not None]
        # Priced and shaped before the lock: bookers of one offer wait only for each other's writes.
        lock_for_booking(session, [w.offer_id for w in wanted])
        session.add(order)
        session.flush()
        for offer, line in held:
            session.refresh(offer, ["stock"])  # a vendor may have changed it; the lock now holds it still
            try:
                hold(session, offer, line.starts_at, line.ends_at, line.instances, order_line_id=line.id)
            except CapacityShort as exc:
                raise OutOfStock(offer.id, offer.title, exc.short.code, exc.short.free, exc.per_instance,
                                 exc.short.hour) from None
            session.flush()  # two lines of one offer in one order see each other
        if voucher is not None:
            # After the offer locks, always: every checkout takes its locks in one order (vouchers/ledger.py).
            apply_voucher(session, order, lines, voucher)
        session.commit()
    except IntegrityError:
        # The same checkout form, submitted twice at once: the other request made the order.
        session.rollback()
        existing = session.scalar(select(Order).where(Order.checkout_token == checkout_token))
        if existing is None:
            raise
        return existing
    except Exception:  # refused (OutOfStock, QuantityError, …): nothing of it stays, and the lock goes
        session.rollback()
        raise
    return order


def _build(session: Session, wanted: list[Wanted], *, email: str, user_id: int | None, checkout_token: str,
           fx: FxTable) -> tuple[Order, list[tuple[Offer, OrderLine]]]:
    """The order with its priced lines (not yet added to the session), each with its offer."""
    order = Order(checkout_token=checkout_token, email=email, user_id=user_id, currency=BASE,
                  status=OrderStatus.PENDING)
    now = utcnow()
    lines = []
    for item in wanted:
        offer = session.get(Offer, item.offer_id)
        if offer is None or offer.status != "active":
            raise OfferUnavailable(f"offer {item.offer_id} is not available")
        price = purchase_price(priced(offer), fx)
        shape = shape_of(offer, item, fx)
        start, end = span_of(shape, item.start, now)
        line = OrderLine(
            offer_id=offer.id, vendor_id=offer.vendor_id, vendor_name=offer.vendor.display_name, sku=offer.sku,
            title=offer.title, kind=offer.kind, billing=offer.billing, list_amount=offer.list_amount,
            list_currency=offer.list_currency, list_unit=offer.list_unit, normalized_price=offer.unit_price,
            purchase_unit=price.unit.value, unit_amount=price.amount, quantity=shape.quantity,
            line_total=_line_total(offer, item, shape, start, end, fx), instances=shape.instances,
            hours=shape.hours, terms=shape.terms, starts_at=start, ends_at=end)
        order.lines.append(line)
        lines.append((offer, line))
    order.total = order_total([line.line_total for line in order.lines])
    return order, lines


def _line_total(offer: Offer, item: Wanted, shape: LineShape, start: datetime | None, end: datetime | None,
                fx: FxTable):
    """The listed price × quantity, rounded once; off-peak hours at the off-peak rate when the line asks for it."""
    if not (item.off_peak_priced and offer.off_peak_rate is not None and offer.off_peak_hours and start and end
            and shape.hours):
        return exact_line_total(priced(offer), shape.quantity, fx)
    window = Availability(daily=parse_daily(offer.off_peak_hours))
    hours = hours_between(start, end)
    off = sum(1 for hour in hours if window.allows(hour))
    per_hour = Fraction(shape.quantity, len(hours))
    rate = Fraction(offer.off_peak_rate)
    return round_money(exact_unit_price(priced(offer), fx) * per_hour * ((len(hours) - off) + rate * off))


def spend_share(session: Session, order_id: int) -> None:
    """The order is paid as ordered: its reserved government share is consumed. The caller commits."""
    consume(session, order_id)


def close_unpaid(session: Session, order_id: int, status: str) -> bool:
    """Move a pending order to expired/failed and release its bookings and its voucher share, once;
    the caller commits.

    A paid order is left alone (an `expired` event delivered after `completed` undoes nothing).
    """
    result = session.execute(update(Order).where(Order.id == order_id, Order.status == OrderStatus.PENDING)
                             .values(status=status).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    release(session, list(session.scalars(select(OrderLine.id).where(OrderLine.order_id == order_id))))
    release_share(session, order_id)  # the status UPDATE above holds the order's row: one closer gets here
    return True


def confirm_paid(session: Session, order_id: int) -> int:
    """The order is paid: its held bookings are confirmed. The caller commits."""
    return confirm(session, list(session.scalars(select(OrderLine.id).where(OrderLine.order_id == order_id))))
