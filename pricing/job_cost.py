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
    arithmetic_zh: str = ""
    arithmetic_en: str = ""
    assumptions: list[tuple[str, str]] = field(default_factory=list)  # (zh, en)
    excluded_because: tuple[str, str] | None = None


# Shown the one way the market shows money (pricing/display.py); the names are this module's callers'.
money = display.total
rate = display.exact_price
num = display.quantity


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
    unit_zh, unit_en = ("卡", "cards") if job.kind == "gpu" else ("核", "cores")
    rate_zh, rate_en = ("卡时", "card-hour") if job.kind == "gpu" else ("核时", "core-hour")

    if terms.billing is Billing.SPOT and not job.allow_spot:
        return JobCost(None, False, interruptible=True,
                       excluded_because=("竞价实例可能被中断，本次未允许竞价", "spot capacity can be interrupted; spot was not allowed"))
    if terms.billing is Billing.YEARLY and not job.allow_commitment:
        return JobCost(None, False, excluded_because=(
            "包年合约需要买方接受长期承诺", "a yearly contract is only an option when the buyer accepts a commitment"))

    with localcontext() as ctx:
        ctx.prec = 40
        instances = _ceil(job.count / terms.per_instance)
        billed = instances * terms.per_instance
    result = JobCost(None, True, instances=instances, billed_units=billed,
                     interruptible=terms.billing is Billing.SPOT)
    per_inst_zh = f"{num(Decimal(instances))} 台 × {num(terms.per_instance)} {unit_zh}/台"
    per_inst_en = f"{num(Decimal(instances))} × {num(terms.per_instance)}-{unit_en[:-1]} instance"
    if billed != job.count:
        result.assumptions.append((
            f"需要 {num(job.count)} {unit_zh}，按整台租用 {per_inst_zh}，共计费 {num(billed)} {unit_zh}",
            f"the job needs {num(job.count)} {unit_en}; the offer rents whole instances, so "
            f"{per_inst_en}{'s' if instances > 1 else ''} = {num(billed)} {unit_en} are billed"))

    if terms.billing in (Billing.ON_DEMAND, Billing.SPOT):
        total = (billed * job.hours * terms.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        result.arithmetic_zh = (f"{num(billed)} {unit_zh} × {num(job.hours)} 小时 × {rate(terms.unit_price)}/{rate_zh}"
                                f" = {money(total)}")
        result.arithmetic_en = (f"{num(billed)} {unit_en} × {num(job.hours)} h × {rate(terms.unit_price)}/{rate_en}"
                                f" = {money(total)}")
        if terms.billing is Billing.SPOT:
            result.assumptions.append(("竞价实例可能随时被回收，任务需能中断重启",
                                       "spot capacity can be reclaimed at any time: the job must tolerate interruption"))
    else:
        monthly = terms.billing is Billing.MONTHLY
        span = MONTH_HOURS if monthly else YEAR_HOURS
        periods = _ceil(job.hours / span)
        price = period_price(terms, span)
        total = (instances * periods * price).quantize(CENT, rounding=ROUND_HALF_UP)
        p_zh, p_en = ("月", "month") if monthly else ("年", "year")
        result.periods, result.period_price = periods, price
        result.arithmetic_zh = f"{num(Decimal(instances))} 台 × {periods} {p_zh} × {money(price)}/台·{p_zh} = {money(total)}"
        result.arithmetic_en = (f"{num(Decimal(instances))} instance{'s' if instances > 1 else ''} × {periods} "
                                f"{p_en}{'s' if periods > 1 else ''} × {money(price)}/instance-{p_en} = {money(total)}")
        result.assumptions.append((
            f"{'包月' if monthly else '包年'}按整{p_zh}计费（1 {p_zh} = {num(span)} 小时）：{num(job.hours)} 小时需付 {periods} {p_zh}",
            f"a {'monthly' if monthly else 'yearly'} term bills whole {p_en}s ({num(span)} h each): "
            f"{num(job.hours)} h pays {periods} {p_en}{'s' if periods > 1 else ''}"))
    result.total = total

    if terms.stock is None:
        result.assumptions.append(("商家未标明库存，能否满足未知", "the vendor did not state stock: availability unknown"))
    else:
        result.stock_covers = instances <= terms.stock
        if not result.stock_covers:
            result.assumptions.append((f"库存 {terms.stock} 台，不足所需的 {instances} 台",
                                       f"stock is {terms.stock}, fewer than the {instances} needed"))
    return result
