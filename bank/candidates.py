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
    off_peak_price: Decimal | None  # per card-hour inside the off-peak window
    usable: np.ndarray  # bool per hour of the horizon
    off_peak: np.ndarray  # bool per hour: usable and off-peak

    @property
    def prices(self) -> tuple[Decimal | None, ...]:
        """Per card-hour at each hour of the horizon; None = unusable."""
        return tuple((self.off_peak_price if o else self.unit_price) if u else None
                     for u, o in zip(self.usable.tolist(), self.off_peak.tolist(), strict=True))


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


def _cached(cache: dict, raw, convert):
    try:
        return cache[raw]
    except KeyError:
        cache[raw] = value = convert(raw)
        return value


def _moment(raw) -> datetime | None:
    """A raw datetime column (SQLite: text) as a datetime."""
    return raw if raw is None or isinstance(raw, datetime) else datetime.fromisoformat(raw)


def gather(session: Session, horizon: Horizon, *, cards: int, gpu_model: str | None = None,
           min_gpu_memory_gb: Decimal | None = None, regions: Sequence[str] = (), allow_spot: bool = False,
           same_machine: bool = False, max_unit_price: Decimal | None = None) -> list[Candidate]:
    """One candidate per group of offers that cost alike (see the module docstring), in offer-id order."""
    end = horizon.start + horizon.hours * HOUR
    billings = ["on_demand", "spot"] if allow_spot else ["on_demand"]
    stmt = (select(Offer.id, Offer.vendor_id, Offer.region, _raw(Offer.gpu_count, "g"), Offer.stock,
                   _raw(Offer.unit_price, "p"), _raw(Offer.available_from, "af"), _raw(Offer.available_to, "at"),
                   Offer.available_hours, Offer.off_peak_hours, _raw(Offer.off_peak_rate, "r"))
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
    # Plain tuples from the driver (no ORM, no per-row type conversion): 20,000 rows a request.
    rows = session.connection().execute(stmt).fetchall()
    if not rows:
        return []

    held: dict[int, np.ndarray] = {}
    stocked = {row[0] for row in rows if row[4] is not None}
    for offer_id, starts, ends, instances in session.execute(
            select(Booking.offer_id, Booking.starts_at, Booking.ends_at, Booking.instances).where(
                Booking.state.in_(LIVE), Booking.starts_at < end, Booking.ends_at > horizon.start)):
        if offer_id in stocked:
            taken = held.setdefault(offer_id, np.zeros(horizon.hours, dtype=np.int64))
            taken[_index(horizon, starts, 0, up=False):_index(horizon, ends, horizon.hours, up=True)] += instances

    # First pass, plain Python per row: offers with the same span, windows, rate, cap outcome and no
    # bookings of their own have the same hours; keep the cheapest of each (then the lowest id).
    # Prices are compared as floats, and exactly when two are within a hair of each other.
    sized: dict = {}
    rates: dict = {}
    froms: dict = {None: 0}
    tos: dict = {None: horizon.hours}
    first_pass: dict[tuple, list] = {}
    cap = max_unit_price
    for row in rows:
        offer_id, _vendor, _region, g_raw, stock, p_raw, af, at, daily, off_text, r_raw = row
        size = sized.get(g_raw)
        if size is None:
            count = _decimal(g_raw)
            n = instances_for(cards, count)
            size = sized[g_raw] = (n, (n * count).normalize(), float(n * count), count)
        instances = size[0]
        if instances > MAX_INSTANCES or (stock is not None and stock < instances):
            continue
        rate = _cached(rates, r_raw, _decimal) if r_raw is not None and off_text else None
        first = froms.get(af)
        if first is None:
            first = froms[af] = _index(horizon, _moment(af), 0, up=True)
        last = tos.get(at)
        if last is None:
            last = tos[at] = _index(horizon, _moment(at), horizon.hours, up=False)
        if first >= last:
            continue
        if cap is None:
            peak_ok, off_ok = True, rate is not None
        else:
            price = _decimal(p_raw)
            peak_ok = price <= cap
            off_ok = rate is not None and price * rate <= cap
            if not (peak_ok or off_ok):
                continue
        key = (first, last, daily or None, off_text if rate is not None else None, rate, peak_ok, off_ok,
               offer_id if offer_id in held else None)
        scale = size[2] * float(p_raw)
        kept = first_pass.get(key)
        cheaper = kept is None or scale < kept[0] * (1 - 1e-12) or (
            scale <= kept[0] * (1 + 1e-12) and size[1] * _decimal(p_raw) < kept[2][1] * _decimal(kept[1][5]))
        if cheaper:
            first_pass[key] = [scale, row, size]

    # Second pass, arrays for the few kept: the same hours by another route merge too (exact prices now).
    daily_cache: dict = {}
    peak_cache: dict = {}
    nowhere = np.zeros(horizon.hours, dtype=bool)
    best: dict[tuple, tuple] = {}
    for (first, last, daily_text, off_text, rate, peak_ok, off_ok, _), (_s, row, size) in sorted(
            first_pass.items(), key=lambda item: item[1][1][0]):
        instances, paid, _f, count = size
        usable = np.zeros(horizon.hours, dtype=bool)
        usable[first:last] = True
        daily = _hour_mask(daily_cache, daily_text, horizon)
        if daily is not None:
            usable &= daily
        if row[0] in held:
            usable &= (row[4] - held[row[0]]) >= instances
        off = _hour_mask(peak_cache, off_text, horizon) if rate is not None else None
        off = nowhere if off is None else off
        if not peak_ok:
            usable &= off
        if rate is not None and not off_ok:
            usable &= ~off
        off = off & usable
        if not usable.any():
            continue
        price = _decimal(row[5])
        key = (usable.tobytes(), off.tobytes(), rate if off.any() else None)
        scale = paid * price
        if key not in best or scale < best[key][0]:
            best[key] = (scale, row, size, price, usable, off, rate if off.any() else None)
    names = dict(((v, (zh, en, slug)) for v, zh, en, slug in session.execute(
        select(Vendor.id, Vendor.name_zh, Vendor.name_en, Vendor.slug).where(
            Vendor.id.in_({row[1] for _s, row, *_ in best.values()}))))) if best else {}
    found = []
    for _scale, row, size, price, usable, off, rate in best.values():
        instances, paid, _f, count = size
        price = price.normalize()
        zh, en, slug = names[row[1]]
        found.append(Candidate(row[0], zh or en or slug, en or zh or slug, row[2], count.normalize(), instances, paid,
                               price, (price * rate).normalize() if rate is not None else None, usable, off))
    return sorted(found, key=lambda c: c.offer_id)


def grid(candidates: Sequence[Candidate]) -> tuple[list[int], np.ndarray, int]:
    """The candidates' costs at every hour as integers of one decimal scale (-1: unusable), for plan_grid."""
    values = {c.paid_cards * c.unit_price for c in candidates}
    values |= {c.paid_cards * c.off_peak_price for c in candidates if c.off_peak_price is not None}
    scale = max(0, max((-v.normalize().as_tuple().exponent for v in values), default=0))
    whole = {v: int(v.scaleb(scale)) for v in values}
    peak = [whole[c.paid_cards * c.unit_price] for c in candidates]
    off = [whole[c.paid_cards * c.off_peak_price] if c.off_peak_price is not None else -1 for c in candidates]
    dtype = np.int64 if max(whole.values(), default=0) < 2**62 else object
    peak_col = np.array(peak, dtype=dtype)[:, None]
    off_col = np.array(off, dtype=dtype)[:, None]
    usable = np.array([c.usable for c in candidates], dtype=bool)
    off_peak = np.array([c.off_peak for c in candidates], dtype=bool)
    cost = np.where(usable, np.where(off_peak, off_col, peak_col), -1)
    return [c.offer_id for c in candidates], cost, scale


def lanes(candidates: Sequence[Candidate]) -> list[Lane]:
    """What the job's paid cards cost on each candidate at every hour."""
    out = []
    for c in candidates:
        cost = {p: c.paid_cards * p for p in set(c.prices) if p is not None}
        out.append(Lane(c.offer_id, [None if p is None else cost[p] for p in c.prices]))
    return out

