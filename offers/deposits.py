"""Deposits (存入闲置算力): idle GPU capacity a vendor hands the platform to sell by the hour. No Flask.

A deposit is an offer: the few fields of the deposit form become one standard row (kind gpu,
billing on_demand, priced per card-hour in CNY) that goes through offer_form.save_offer, so
OfferSchema validates it and the sheet importer's write path writes it, exactly as the stall's
listing form; the offer is then marked `deposit`. The platform keeps a commission
(BANK_COMMISSION_RATE) of what buyers pay; the vendor earns the rest.
"""

import secrets
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.bookings import Booking, BookingState
from catalog.context import CatalogContext
from catalog.models import Offer, Vendor, utcnow
from checkout import OrderLine
from offers.offer_form import save_offer
from offers.schema import MISSING, bilingual

FEN = Decimal("0.01")


@dataclass(frozen=True)
class DepositField:
    name: str  # a standard column (spec section 4): its errors come back under this name
    label: str  # English msgid
    hint: str = ""  # English msgid
    widget: str = "text"  # text | number | datalist


FIELDS: tuple[DepositField, ...] = (
    DepositField("gpu_model", "GPU model", widget="datalist"),
    DepositField("gpu_count", "Cards per machine", widget="number"),
    DepositField("stock", "Machines", "how many such machines are idle", "number"),
    DepositField("region", "Region", widget="datalist"),
    DepositField("available_from", "Idle from", "Beijing time; blank = now"),
    DepositField("available_to", "Idle until", "a date alone = to the end of that day; blank = no end"),
    DepositField("available_hours", "Idle hours each day", "HH:MM-HH:MM, e.g. 22:00-08:00; blank = all day"),
    DepositField("price", "Price you accept per card-hour (CNY)", widget="number"),
    DepositField("off_peak_hours", "Off-peak hours (optional)", "HH:MM-HH:MM"),
    DepositField("off_peak_rate", "Off-peak rate (optional)", "0.5 = half price; 50%% also works"),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
REQUIRED = ("gpu_model", "gpu_count", "stock", "region", "price")
# What every deposit is: sold by the card-hour, on demand, in CNY.
FIXED = {"kind": "gpu", "billing": "on_demand", "currency": "CNY", "price_unit": "card_hour"}


def new_sku() -> str:
    """A vendor's deposit sku: when it was made, and a random tail so two at once differ."""
    return f"deposit-{utcnow():%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def deposit_row(posted: dict, sku: str) -> dict:
    """The standard row of a deposit: its own fields as typed, the fixed ones, the sku."""
    return {**{name: str(posted.get(name) or "").strip() for name in FIELD_NAMES}, **FIXED, "sku": sku}


def save_deposit(session: Session, vendor: Vendor, context: CatalogContext, posted: dict,
                 sku: str | None = None) -> dict[str, list[str]]:
    """Deposit capacity as an offer of `vendor`; errors by field, {} when saved (and committed).

    `sku` names an existing deposit to update (the seed's), else a new one is made.
    """
    errors = {name: [MISSING] for name in REQUIRED if not str(posted.get(name) or "").strip()}
    stock = str(posted.get("stock") or "").strip()
    if stock in ("0", "0.0"):
        errors["stock"] = [bilingual("至少存入 1 台机器", "deposit at least 1 machine")]
    if errors:
        return errors
    row = deposit_row(posted, sku or new_sku())
    existing = session.scalar(select(Offer).where(Offer.vendor_id == vendor.id, Offer.sku == row["sku"]))
    if existing is not None and not existing.deposit:
        return {"_": [bilingual("这个 sku 是普通报价，不是存入", "this sku is a listed offer, not a deposit")]}
    return save_offer(session, vendor, context, row, existing=existing, deposit=True)


@dataclass(frozen=True)
class Split:
    """What a buyer pays, divided: the platform's commission (rounded down to the fen) and the vendor's rest."""

    paid: Decimal
    commission: Decimal
    earned: Decimal


def split(paid: Decimal, rate: Decimal) -> Split:
    commission = (paid * rate).quantize(FEN, rounding=ROUND_DOWN)
    return Split(paid=paid, commission=commission, earned=paid - commission)


@dataclass(frozen=True)
class DepositFigures:
    offer: Offer
    booked_hours: int  # machine-hours held or paid for
    booked_card_hours: Decimal
    paid: Split  # the lines whose bookings are confirmed (paid for)
    pending: Decimal  # the lines still waiting for payment (held)


def my_deposits(session: Session, vendor: Vendor, rate: Decimal) -> list[DepositFigures]:
    """Each deposit of `vendor`, newest first, with the hours booked and the money, from the live bookings."""
    offers = session.scalars(select(Offer).where(Offer.vendor_id == vendor.id, Offer.deposit)
                             .order_by(Offer.created_at.desc(), Offer.id.desc())).all()
    if not offers:
        return []
    ids = [o.id for o in offers]
    hours: dict[int, int] = {i: 0 for i in ids}
    for offer_id, starts, ends, instances in session.execute(
            select(Booking.offer_id, Booking.starts_at, Booking.ends_at, Booking.instances)
            .where(Booking.offer_id.in_(ids), Booking.state.in_((BookingState.HELD, BookingState.CONFIRMED)))):
        hours[offer_id] += instances * int((ends - starts).total_seconds() // 3600)
    money: dict[tuple[int, str], Decimal] = {}
    # One line books one offer; a line counts once whatever number of bookings it holds. Summed
    # here, not in SQL: SQLite would add the amounts as doubles.
    for offer_id, state, _line, amount in session.execute(
            select(Booking.offer_id, Booking.state, OrderLine.id, OrderLine.line_total)
            .join(OrderLine, OrderLine.id == Booking.order_line_id)
            .where(Booking.offer_id.in_(ids), Booking.state.in_((BookingState.HELD, BookingState.CONFIRMED)))
            .distinct()):
        money[(offer_id, state)] = money.get((offer_id, state), Decimal(0)) + amount
    return [DepositFigures(
        offer=o, booked_hours=hours[o.id], booked_card_hours=hours[o.id] * (o.gpu_count or Decimal(1)),
        paid=split(money.get((o.id, BookingState.CONFIRMED), Decimal(0)).quantize(FEN), rate),
        pending=money.get((o.id, BookingState.HELD), Decimal(0)).quantize(FEN)) for o in offers]
