"""What a job of H hours really costs on an offer, given its billing term. Pure: no Flask, no database.

The normalized price (per card-hour, core-hour) hides the term: a monthly machine at ¥15.80/卡时
is ¥15.80 only when the month is used in full. For a job of H hours the buyer pays:
- hourly and spot offers (listed per hour, minute, day… and sold by the card-hour or core-hour,
  pricing.line_total): the H hours, at the exact listed price;
- monthly offers: ceil(H / 730) whole months of the listed machine; yearly: ceil(H / 8760) years.
The job total is for the listed instance(s) (the row's cards or cores), rounded to the fen once
(pricing.line_total.round_money); the effective price is that exact total over the card-hours
(core-hours) the job uses, to ten places, for display and ranking.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from pricing.currency import FxTable
from pricing.line_shape import HOURLY, MAX_HOURS
from pricing.line_total import (
    UNIT_PRICE_PLACES,
    PricedOffer,
    PricingError,
    PurchaseUnit,
    exact_unit_price,
    purchase_unit,
    round_money,
)
from pricing.units import HOURS, Billing, Kind, PriceUnit

MIN_DURATION_HOURS = 1
MAX_DURATION_HOURS = MAX_HOURS  # a year
TERM_HOURS = {PurchaseUnit.MONTH: int(HOURS[PriceUnit.MONTH]), PurchaseUnit.YEAR: int(HOURS[PriceUnit.YEAR])}


@dataclass(frozen=True)
class DurationPrice:
    hours: int  # the job's hours
    terms: int | None  # whole months / years paid (None for hourly offers)
    billed_hours: int  # hours paid for: the job's, or its whole terms'
    total: Decimal  # CNY for the listed instance(s) for the job, to the fen
    effective: Decimal  # CNY per card-hour (core-hour) the job uses, ten places


def check_duration(hours: int) -> None:
    """:raise ValueError: not a whole number of hours from 1 to 8760."""
    if isinstance(hours, bool) or not isinstance(hours, int) or not MIN_DURATION_HOURS <= hours <= MAX_DURATION_HOURS:
        raise ValueError(f"duration must be whole hours from {MIN_DURATION_HOURS} to {MAX_DURATION_HOURS}")


def terms_for(unit: PurchaseUnit, hours: int) -> int:
    """Whole terms (months or years) that cover `hours`."""
    return -(-hours // TERM_HOURS[unit])


def billed_hours(billing: str, hours: int) -> int:
    """Hours paid for a job of `hours` on this billing mode (a month is 730 h, a year 8760 h)."""
    check_duration(hours)
    unit = purchase_unit(Kind.GPU, billing)
    return terms_for(unit, hours) * TERM_HOURS[unit] if unit in TERM_HOURS else hours


def rank_multiplier(billing: str, hours: int) -> int:
    """An integer M with effective price = normalized price × M / hours, the same M for every offer
    of a billing mode: ranking by normalized price × M ranks by effective price without division,
    exactly, in SQL and in the snapshot alike."""
    return billed_hours(billing, hours)


def duration_price(offer: PricedOffer, per_instance: Decimal | None, hours: int, fx: FxTable) -> DurationPrice | None:
    """The job of `hours` on the listed instance(s); None for token offers or a row with no card/core count.

    :raise ValueError: hours out of 1..8760.  :raise PricingError: a price that cannot be sold so.
    """
    check_duration(hours)
    if offer.kind == Kind.TOKEN or per_instance is None or per_instance <= 0:
        return None
    unit = purchase_unit(offer.kind, offer.billing)
    price = exact_unit_price(offer, fx)  # per card/core-hour (hourly) or per listed machine-term
    used = Fraction(per_instance) * hours  # card-hours (core-hours) the job uses
    if unit in HOURLY:
        exact_total, terms, paid = price * used, None, hours
    elif unit in TERM_HOURS:
        terms = terms_for(unit, hours)
        exact_total, paid = price * terms, terms * TERM_HOURS[unit]
    else:  # pragma: no cover - purchase_unit gives only these for gpu/cpu
        raise PricingError(f"no duration price for {unit}")
    effective = exact_total / used
    with localcontext() as ctx:
        ctx.prec = 40
        with_places = (Decimal(effective.numerator) / Decimal(effective.denominator)).quantize(
            UNIT_PRICE_PLACES, rounding=ROUND_HALF_UP)
    return DurationPrice(hours, terms, paid, round_money(exact_total), with_places)


def min_term(billing: str, list_unit: str | None) -> PriceUnit:
    """The shortest time one can buy: a month or a year for prepaid offers; a minute for offers
    listed per minute; else an hour."""
    if billing == Billing.MONTHLY:
        return PriceUnit.MONTH
    if billing == Billing.YEARLY:
        return PriceUnit.YEAR
    return PriceUnit.MINUTE if list_unit == PriceUnit.MINUTE else PriceUnit.HOUR
