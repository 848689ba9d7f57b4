"""Today's prices of one GPU or token model across vendors, and their history. No Flask."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from catalog.models import Offer, PriceHistory

BILLING_ORDER = ("spot", "on_demand", "monthly", "yearly")


@dataclass(frozen=True)
class Spread:
    label: str  # a billing mode, or "input"/"output"
    low: Decimal
    mid: Decimal
    high: Decimal
    count: int
    vendors: int


def _spread(label: str, prices: list[Decimal], vendors: set[str]) -> Spread:
    return Spread(label, min(prices), Decimal(median(prices)), max(prices), len(prices), len(vendors))


def gpu_offers(session: Session, model_id: str) -> list[Offer]:
    return list(session.scalars(select(Offer).options(joinedload(Offer.vendor))
                                .where(Offer.kind == "gpu", Offer.gpu_model == model_id, Offer.status == "active")
                                .order_by(Offer.unit_price, Offer.id)))


def token_offers(session: Session, model_id: str) -> list[Offer]:
    return list(session.scalars(select(Offer).options(joinedload(Offer.vendor))
                                .where(Offer.kind == "token", Offer.model == model_id, Offer.status == "active")
                                .order_by(Offer.unit_price, Offer.id)))


def spread_by_billing(offers: list[Offer]) -> list[Spread]:
    """Min, median and max card-hour price per billing mode, spot first."""
    groups: dict[str, list[Offer]] = {}
    for o in offers:
        groups.setdefault(o.billing, []).append(o)
    order = [b for b in BILLING_ORDER if b in groups] + sorted(set(groups) - set(BILLING_ORDER))
    return [_spread(b, [o.unit_price for o in groups[b]], {o.vendor.slug for o in groups[b]}) for b in order]


def spread_by_side(offers: list[Offer]) -> list[Spread]:
    """Min, median and max input and output price of a token model."""
    out = []
    for side in ("input_price", "output_price", "cached_input_price"):
        priced = [o for o in offers if getattr(o, side) is not None]
        if priced:
            out.append(_spread(side, [getattr(o, side) for o in priced], {o.vendor.slug for o in priced}))
    return out


def cheapest_by_vendor(offers: list[Offer]) -> list[Offer]:
    """Each vendor's cheapest offer per billing mode, cheapest first."""
    best: dict[tuple[str, str], Offer] = {}
    for o in offers:
        key = (o.vendor.slug, o.billing)
        if key not in best or o.unit_price < best[key].unit_price:
            best[key] = o
    return sorted(best.values(), key=lambda o: (o.unit_price, o.id))


def price_histories(session: Session, offer_ids: list[int]) -> list[list[tuple[datetime, Decimal]]]:
    """Each offer's (time, normalized price) history, for pricing.period_change."""
    by_offer: dict[int, list[tuple[datetime, Decimal]]] = {}
    if offer_ids:
        for offer_id, at, price in session.execute(
                select(PriceHistory.offer_id, PriceHistory.at, PriceHistory.unit_price)
                .where(PriceHistory.offer_id.in_(offer_ids)).order_by(PriceHistory.at, PriceHistory.id)):
            by_offer.setdefault(offer_id, []).append((at, price))
    return list(by_offer.values())


def daily_medians(session: Session, offer_ids: list[int], field: str,
                  group_by_billing: bool) -> dict[str, list[tuple[date, Decimal]]]:
    """A trend: on each day any price changed, the median of every offer's price in force that day
    (an offer keeps its last price until it changes). One series per billing mode, or one named `field`."""
    if not offer_ids:
        return {}
    rows = session.execute(
        select(PriceHistory.offer_id, PriceHistory.at, getattr(PriceHistory, field), Offer.billing)
        .join(Offer, Offer.id == PriceHistory.offer_id)
        .where(PriceHistory.offer_id.in_(offer_ids)).order_by(PriceHistory.at, PriceHistory.id)).all()
    changes: dict[str, dict[date, dict[int, Decimal]]] = {}
    for offer_id, at, value, billing in rows:
        if value is not None:
            name = billing if group_by_billing else field
            changes.setdefault(name, {}).setdefault(at.date(), {})[offer_id] = value
    series: dict[str, list[tuple[date, Decimal]]] = {}
    for name, days in changes.items():
        in_force: dict[int, Decimal] = {}
        points = []
        for day in sorted(days):
            in_force.update(days[day])
            points.append((day, Decimal(median(in_force.values()))))
        series[name] = points
    return series
