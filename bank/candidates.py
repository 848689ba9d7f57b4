"""The offers a schedule may use, as the scheduler's lanes: what the job costs on each at every hour. No Flask.

One query reads every candidate's columns, one more the live bookings over the horizon. Each
offer's hours are then arrays: usable (its §4.1 span and daily hours, instances free, the
buyer's price cap) and off-peak. Offers whose usable and off-peak hours are the same and whose
off-peak rate is the same cost a multiple of one another at every hour, so of each such group
only the cheapest (then the lowest id) can be in a best schedule: only it becomes a lane.
That keeps the solver exact while 20,000 offers shrink to the few patterns they share.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
from sqlalchemy import or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from catalog.bookings import LIVE, Booking
from catalog.models import Offer, Vendor
from catalog.registry import Registries
from pricing.capacity import HOUR, Availability, parse_daily
from pricing.line_shape import MAX_INSTANCES, instances_for
from pricing.schedule import Lane

HOURLY_UNITS = ("minute", "hour", "card_hour")  # a price that divides into whole hours
# China's western areas (东数西算's western hubs): what a buyer means by "西部" / "west".
WEST = ("西南", "西北")
WEST_WORDS = ("西部", "west", "western china", "west china")


@dataclass(frozen=True)
class Candidate:
    """One offer a lane stands for, with what its blocks need and cost."""

    offer_id: int
    vendor: str  # the vendor's Chinese name (or its English one, or its slug)
    vendor_en: str
    region: str | None
    gpu_count: Decimal
    instances: int  # n = ceil(cards / gpu_count)
    paid_cards: Decimal  # n × gpu_count
    unit_price: Decimal  # per card-hour, peak
    prices: tuple[Decimal | None, ...]  # per card-hour at each hour of the horizon; None = unusable


@dataclass(frozen=True)
class Horizon:
    start: datetime  # UTC, on the hour
    hours: int

    def at(self, index: int) -> datetime:
        return self.start + index * HOUR


def region_ids(words: Sequence[str], registries: Registries) -> list[str]:
    """Region ids for region, province or area words ('cn-beijing', '浙江', '华东', '西部').

    :raise UnknownName: a word that names nothing.
    """
    found: list[str] = []
    for word in words:
        if word.strip().lower() in WEST_WORDS:
            found += [r.id for r in registries.regions.regions.values() if r.area_zh in WEST]
            continue
        area = registries.regions.in_area(word)
        hub = [r for r in registries.regions.regions.values() if r.hub and word.strip() and word.strip() in r.hub]
        if area or hub:
            found += [r.id for r in area + hub]
        else:
            found.append(registries.regions.resolve(word).id)
    return sorted(set(found))


def _raw(column, name: str):
    """The column's value as the driver gives it (SQLite: a float), skipping Money's per-row conversion."""
    return type_coerce(column, NullType()).label(name)


def _decimal(value) -> Decimal:
    """A driver's number as the exact decimal it was stored from (Money writes at most 15 digits to SQLite)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _hour_mask(cache: dict, text: str | None, horizon: Horizon) -> np.ndarray | None:
    """Which hours of the horizon lie wholly inside a daily window (None: no window)."""
    if not text:
        return None
    if text not in cache:
        try:
            window = Availability(daily=parse_daily(text))
        except ValueError:
            window = Availability(daily=(0, 0))
        cache[text] = np.array([window.allows(horizon.at(t)) for t in range(horizon.hours)], dtype=bool)
    return cache[text]


def _index(horizon: Horizon, moment: datetime | None, default: int, *, up: bool) -> int:
    if moment is None:
        return default
    hours = (moment - horizon.start) / HOUR
    whole = int(hours) if hours >= 0 else -int(-hours)
    if up and whole < hours:
        whole += 1
    elif not up and whole > hours:
        whole -= 1
    return max(0, min(horizon.hours, whole))


def gather(session: Session, horizon: Horizon, *, cards: int, gpu_model: str | None = None,
           min_gpu_memory_gb: Decimal | None = None, regions: Sequence[str] = (), allow_spot: bool = False,
           same_machine: bool = False, max_unit_price: Decimal | None = None) -> list[Candidate]:
    """One candidate per group of offers that cost alike (see the module docstring), in offer-id order."""
    end = horizon.start + horizon.hours * HOUR
    billings = ["on_demand", "spot"] if allow_spot else ["on_demand"]
    stmt = (select(Offer.id, Vendor.name_zh, Vendor.name_en, Vendor.slug, Offer.region, _raw(Offer.gpu_count, "gpu_count"),
                   Offer.stock, _raw(Offer.unit_price, "unit_price"), Offer.available_from, Offer.available_to,
                   Offer.available_hours, Offer.off_peak_hours, _raw(Offer.off_peak_rate, "off_peak_rate"))
            .join(Vendor, Vendor.id == Offer.vendor_id)
            .where(Offer.kind == "gpu", Offer.status == "active", Offer.billing.in_(billings),
                   Offer.list_unit.in_(HOURLY_UNITS), Offer.gpu_count > 0, Offer.unit_price > 0,
                   or_(Offer.available_from.is_(None), Offer.available_from < end),
                   or_(Offer.available_to.is_(None), Offer.available_to > horizon.start))
            .order_by(Offer.id))
    if gpu_model is not None:
        stmt = stmt.where(Offer.gpu_model == gpu_model)
    if min_gpu_memory_gb is not None:
        stmt = stmt.where(Offer.gpu_memory_gb >= min_gpu_memory_gb)
    if regions:
        stmt = stmt.where(Offer.region.in_(list(regions)))
    if same_machine:
        stmt = stmt.where(Offer.gpu_count >= cards)
    # Core rows (no ORM loading), decimals converted here: 20,000 rows a request.
    rows = session.connection().execute(stmt).all()
    if not rows:
        return []

    held: dict[int, np.ndarray] = {}
    wanted = {row.id for row in rows if row.stock is not None}
    for offer_id, starts, ends, instances in session.execute(
            select(Booking.offer_id, Booking.starts_at, Booking.ends_at, Booking.instances).where(
                Booking.state.in_(LIVE), Booking.starts_at < end, Booking.ends_at > horizon.start)):
        if offer_id in wanted:
            taken = held.setdefault(offer_id, np.zeros(horizon.hours, dtype=np.int64))
            taken[_index(horizon, starts, 0, up=False):_index(horizon, ends, horizon.hours, up=True)] += instances

    # First pass, plain Python per row: offers with the same span, windows, rate, cap outcome and no
    # bookings of their own have the same hours; keep the cheapest of each (then the lowest id).
    sized: dict[Decimal, tuple[int, Decimal]] = {}
    first_pass: dict[tuple, tuple] = {}
    decimal: dict = {None: None}
    for row in rows:
        count = decimal.get(row.gpu_count) or decimal.setdefault(row.gpu_count, _decimal(row.gpu_count))
        if count not in sized:
            n = instances_for(cards, count)
            sized[count] = (n, (n * count).normalize())
        instances, paid = sized[count]
        if instances > MAX_INSTANCES or (row.stock is not None and row.stock < instances):
            continue
        rate = _decimal(row.off_peak_rate) if row.off_peak_rate is not None and row.off_peak_hours else None
        price = _decimal(row.unit_price)
        peak_ok = max_unit_price is None or price <= max_unit_price
        off_ok = rate is not None and (max_unit_price is None or price * rate <= max_unit_price)
        key = (_index(horizon, row.available_from, 0, up=True) if row.available_from else 0,
               _index(horizon, row.available_to, horizon.hours, up=False) if row.available_to else horizon.hours,
               row.available_hours or None, row.off_peak_hours if rate is not None else None, rate, peak_ok, off_ok,
               row.id if row.id in held else None)
        if key[0] >= key[1] or not (peak_ok or off_ok):
            continue
        scale = paid * price
        if key not in first_pass or scale < first_pass[key][0]:
            first_pass[key] = (scale, row, instances, paid, price, count)

    # Second pass, arrays for the few kept: the same hours by another route merge too.
    daily_cache: dict = {}
    peak_cache: dict = {}
    nowhere = np.zeros(horizon.hours, dtype=bool)
    best: dict[tuple, tuple] = {}
    for (first, last, daily_text, off_text, rate, peak_ok, off_ok, _), (scale, row, instances, paid, price, count) in sorted(
            first_pass.items(), key=lambda item: item[1][1].id):
        usable = np.zeros(horizon.hours, dtype=bool)
        usable[first:last] = True
        daily = _hour_mask(daily_cache, daily_text, horizon)
        if daily is not None:
            usable &= daily
        if row.id in held:
            usable &= (row.stock - held[row.id]) >= instances
        off = _hour_mask(peak_cache, off_text, horizon) if rate is not None else None
        off = nowhere if off is None else off
        if not peak_ok:
            usable &= off
        if rate is not None and not off_ok:
            usable &= ~off
        off = off & usable
        if not usable.any():
            continue
        key = (usable.tobytes(), off.tobytes(), rate if off.any() else None)
        if key not in best or scale < best[key][0]:
            best[key] = (scale, row, instances, paid, price, count, usable, off, rate if off.any() else None)
    found = []
    for _scale, row, instances, paid, price, count, usable, off, rate in best.values():
        price = price.normalize()
        cheap = (price * rate).normalize() if rate is not None else price
        prices = tuple((cheap if o else price) if u else None for u, o in zip(usable.tolist(), off.tolist(), strict=True))
        found.append(Candidate(row.id, row.name_zh or row.name_en or row.slug, row.name_en or row.name_zh or row.slug,
                               row.region, count.normalize(),
                               instances, paid, price, prices))
    return sorted(found, key=lambda c: c.offer_id)


def lanes(candidates: Sequence[Candidate]) -> list[Lane]:
    """What the job's paid cards cost on each candidate at every hour."""
    out = []
    for c in candidates:
        cost = {p: c.paid_cards * p for p in set(c.prices) if p is not None}
        out.append(Lane(c.offer_id, [None if p is None else cost[p] for p in c.prices]))
    return out

