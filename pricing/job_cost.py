"""What a GPU or CPU job costs on one offer, counting its billing term honestly. No Flask.

A job is N cards (or cores) for H hours. An offer sells whole instances of `per_instance`
cards (or cores), so the buyer rents ceil(N / per_instance) of them. Hourly modes
(on_demand, spot) bill every card-hour; a monthly term bills whole months (730 h each,
spec section 2) and a yearly term whole years (8760 h), however short the job.

Every amount is Decimal; the total is rounded once, to the fen, at the end.
"""

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from pricing import display
from pricing.display import Phrase, phrase, phrase_n
from pricing.units import HOURS, Billing, PriceUnit

CENT = Decimal("0.01")
MONTH_HOURS = Decimal(730)
YEAR_HOURS = Decimal(8760)
_PER_ONE_UNITS = (PriceUnit.CARD_HOUR, PriceUnit.CORE_HOUR)


class JobCostError(ValueError):
    """The job or the offer cannot be priced (zero cards, a token offer, a missing price)."""


@dataclass(frozen=True)
class Job:
    kind: str  # "gpu" or "cpu"
    count: Decimal  # cards or cores the job needs (may be fractional: 0.5 of a card)
    hours: Decimal
    allow_spot: bool = False
    allow_commitment: bool = False  # may a yearly contract be proposed for this job?


@dataclass(frozen=True)
class OfferTerms:
    """The facts of one offer that its job cost depends on."""

    billing: Billing
    unit_price: Decimal  # CNY per card-hour / core-hour (normalized)
    per_instance: Decimal  # gpu_count or vcpus: what one rented unit holds
    list_amount: Decimal | None = None
    list_unit: PriceUnit | None = None
    cny_per_list_unit: Decimal = Decimal(1)  # the FX rate of the listed currency
    stock: int | None = None


@dataclass
class JobCost:
    total: Decimal | None  # CNY, to the fen; None when the offer is excluded
    eligible: bool
    instances: int = 0
    billed_units: Decimal = Decimal(0)  # cards or cores rented (instances × per_instance)
    periods: int = 0  # months or years paid for; 0 for hourly modes
    period_price: Decimal | None = None  # CNY per instance per month/year
    stock_covers: bool | None = None  # None: the vendor did not say how many are free
    interruptible: bool = False
    # Said in the page's language, or both for the plan JSON (English msgids, Chinese in i18n/pricing).
    arithmetic: Phrase | None = None
    assumptions: list[Phrase] = field(default_factory=list)
    excluded_because: Phrase | None = None


# Shown the one way the market shows money (pricing/display.py); the names are this module's callers'.
money = display.total
rate = display.exact_price
num = display.quantity


def units(kind: str, n: Decimal) -> Phrase:
    """'8 cards' / '8 卡', '1 core' / '1 核'."""
    if kind == "gpu":
        return phrase_n("%(num)s card", "%(num)s cards", n)
    return phrase_n("%(num)s core", "%(num)s cores", n)


def _instances(n: int) -> Phrase:
    return phrase_n("%(num)s instance", "%(num)s instances", n)


def _instances_of(kind: str, n: int, per_instance: Decimal) -> Phrase:
    """'2 × 8-card instances' / '2 台 × 8 卡/台'."""
    if kind == "gpu":
        return phrase_n("%(num)s × %(per)s-card instance", "%(num)s × %(per)s-card instances", n,
                        per=num(per_instance))
    return phrase_n("%(num)s × %(per)s-core instance", "%(num)s × %(per)s-core instances", n, per=num(per_instance))


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def period_price(terms: OfferTerms, period_hours: Decimal) -> Decimal:
    """CNY for one instance over one period (a month or a year), from the listed price.

    A price listed per month (or year) is that period's price for the whole instance; a
    price listed per card-hour or core-hour prices one card, so a month is 730 × it × cards.
    Without a listed price the normalized unit price stands in.
    """
    with localcontext() as ctx:
        ctx.prec = 40
        if terms.list_amount is None or terms.list_unit is None or terms.list_unit not in HOURS:
            exact = terms.unit_price * terms.per_instance * period_hours
        else:
            hours: Fraction = HOURS[terms.list_unit]
            cny = terms.list_amount * terms.cny_per_list_unit
            exact = cny * period_hours * hours.denominator / hours.numerator
            if terms.list_unit in _PER_ONE_UNITS:
                exact *= terms.per_instance
        return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def job_cost(job: Job, terms: OfferTerms) -> JobCost:
    """Price `job` on the offer described by `terms`.

    :raise JobCostError: a non-positive count or hours, or an offer that holds no cards/cores.
    """
    if job.count <= 0 or job.hours <= 0:
        raise JobCostError("count and hours must be positive")
    if terms.per_instance is None or terms.per_instance <= 0:
        raise JobCostError("the offer holds no cards or cores")
    if terms.billing is Billing.SPOT and not job.allow_spot:
        return JobCost(None, False, interruptible=True,
                       excluded_because=phrase("spot capacity can be interrupted; spot was not allowed"))
    if terms.billing is Billing.YEARLY and not job.allow_commitment:
        return JobCost(None, False, excluded_because=phrase(
            "a yearly contract is only an option when the buyer accepts a commitment"))

    with localcontext() as ctx:
        ctx.prec = 40
        instances = _ceil(job.count / terms.per_instance)
        billed = instances * terms.per_instance
    result = JobCost(None, True, instances=instances, billed_units=billed,
                     interruptible=terms.billing is Billing.SPOT)
    if billed != job.count:
        result.assumptions.append(phrase(
            "the job needs %(needed)s; the offer rents whole instances, so it bills %(instances)s = %(billed)s",
            needed=units(job.kind, job.count), instances=_instances_of(job.kind, instances, terms.per_instance),
            billed=units(job.kind, billed)))

    if job.kind == "gpu" and instances > 1 and terms.per_instance >= 1:
        # Ranked by price alone, eight single-card machines beat one 8-card machine: say what they are
        # (slices of one card are not separate machines).
        result.assumptions.append(phrase(
            "%(instances)s separate machines: the cards are not on one machine (no NVLink between them)",
            instances=num(instances)))

    if terms.billing in (Billing.ON_DEMAND, Billing.SPOT):
        total = (billed * job.hours * terms.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        per_hour = ("%(units)s × %(hours)s h × %(rate)s/card-hour = %(total)s" if job.kind == "gpu"
                    else "%(units)s × %(hours)s h × %(rate)s/core-hour = %(total)s")
        result.arithmetic = phrase(per_hour, units=units(job.kind, billed), hours=num(job.hours),
                                   rate=rate(terms.unit_price), total=money(total))
        if terms.billing is Billing.SPOT:
            result.assumptions.append(phrase(
                "spot capacity can be reclaimed at any time: the job must tolerate interruption"))
    else:
        monthly = terms.billing is Billing.MONTHLY
        span = MONTH_HOURS if monthly else YEAR_HOURS
        periods = _ceil(job.hours / span)
        price = period_price(terms, span)
        total = (instances * periods * price).quantize(CENT, rounding=ROUND_HALF_UP)
        result.periods, result.period_price = periods, price
        if monthly:
            paid = phrase_n("%(num)s month", "%(num)s months", periods)
            result.arithmetic = phrase("%(instances)s × %(periods)s × %(price)s/instance-month = %(total)s",
                                       instances=_instances(instances), periods=paid, price=money(price),
                                       total=money(total))
            term = "a monthly term bills whole months (%(span)s h each): %(hours)s h pays %(periods)s"
        else:
            paid = phrase_n("%(num)s year", "%(num)s years", periods)
            result.arithmetic = phrase("%(instances)s × %(periods)s × %(price)s/instance-year = %(total)s",
                                       instances=_instances(instances), periods=paid, price=money(price),
                                       total=money(total))
            term = "a yearly term bills whole years (%(span)s h each): %(hours)s h pays %(periods)s"
        result.assumptions.append(phrase(term, span=num(span), hours=num(job.hours), periods=paid))
    result.total = total

    if terms.stock is None:
        result.assumptions.append(phrase("the vendor did not state stock: availability unknown"))
    else:
        result.stock_covers = instances <= terms.stock
        if not result.stock_covers:
            result.assumptions.append(phrase("stock is %(stock)s, fewer than the %(needed)s needed",
                                             stock=num(Decimal(terms.stock)), needed=_instances(instances)))
    return result
