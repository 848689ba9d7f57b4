"""What a buyer pays for a quantity of an offer, in the offer's own unit, in CNY.

Buyers buy card-hours or core-hours (hourly and spot offers) as N instances × H hours,
prepaid months or years of N whole listed machines (monthly and yearly offers), or packs
of 1M tokens (token offers, at the blended 3:1 price). The line total is computed from
the listed price as an exact rational (listed amount × quantity ÷ the listed unit's hours
÷ the row's count, at the FX rate) and rounded to the fen once, half up; the order total
is the sum of the line totals, so what the cart shows is what Stripe charges. The price
per purchase unit (ten places) is for display only: a total is never built from it.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

from pricing.currency import BASE, FxTable, minor_unit_exponent
from pricing.units import HOURS, TIME_UNITS, TOKENS, Billing, Kind, PriceUnit

UNIT_PRICE_PLACES = Decimal("0.0000000001")


class PurchaseUnit(StrEnum):
    CARD_HOUR = "card_hour"
    CORE_HOUR = "core_hour"
    MONTH = "month"
    YEAR = "year"
    M_TOKENS = "1m_tokens"


# (min, max) quantity per line: whole units only; stock, where known, caps max further.
QUANTITY_LIMITS = {
    PurchaseUnit.CARD_HOUR: (1, 100_000),
    PurchaseUnit.CORE_HOUR: (1, 1_000_000),
    PurchaseUnit.MONTH: (1, 36),
    PurchaseUnit.YEAR: (1, 5),
    PurchaseUnit.M_TOKENS: (1, 100_000),
}


class QuantityError(ValueError):
    """A line's shape is outside the offer's limits: `code` names the limit, `numbers` its figures.

    Templates translate the code (checkout/_units.html); the message here is for logs.
    """

    def __init__(self, code: str, **numbers):
        super().__init__(f"{code} {numbers}" if numbers else code)
        self.code = code
        self.numbers = numbers


class PricingError(ValueError):
    """The offer's price cannot be turned into a purchase price."""


@dataclass(frozen=True)
class PricedOffer:
    """The facts of an offer that its purchase price depends on."""

    kind: str
    billing: str
    unit_price: Decimal  # normalized CNY per card-hour / core-hour / 1M tokens
    list_amount: Decimal | None
    list_currency: str
    list_unit: str
    gpu_count: Decimal | None = None
    vcpus: Decimal | None = None
    list_input_amount: Decimal | None = None
    list_output_amount: Decimal | None = None


@dataclass(frozen=True)
class PurchasePrice:
    unit: PurchaseUnit
    amount: Decimal  # CNY per one purchase unit, ten places


def purchase_unit(kind: str, billing: str) -> PurchaseUnit:
    if kind == Kind.TOKEN:
        return PurchaseUnit.M_TOKENS
    if billing == Billing.MONTHLY:
        return PurchaseUnit.MONTH
    if billing == Billing.YEARLY:
        return PurchaseUnit.YEAR
    return PurchaseUnit.CARD_HOUR if kind == Kind.GPU else PurchaseUnit.CORE_HOUR


def _exact(value: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return value.quantize(UNIT_PRICE_PLACES, rounding=ROUND_HALF_UP)


def purchase_price(offer: PricedOffer, fx: FxTable) -> PurchasePrice:
    """CNY per purchase unit, to ten places, for display (totals use exact_line_total).

    A prepaid term prices the whole listed machine from the listed price (6950 元/月 buys a
    month for 6950, not for 730 × a rounded hourly price).
    """
    exact = exact_unit_price(offer, fx)
    with localcontext() as ctx:
        ctx.prec = 40
        amount = _exact(Decimal(exact.numerator) / Decimal(exact.denominator))
    return PurchasePrice(purchase_unit(offer.kind, offer.billing), amount)


def exact_unit_price(offer: PricedOffer, fx: FxTable) -> Fraction:
    """CNY per one purchase unit as an exact rational, from the listed price where there is one."""
    unit = purchase_unit(offer.kind, offer.billing)
    if unit in (PurchaseUnit.MONTH, PurchaseUnit.YEAR):
        if offer.list_amount is None:
            raise PricingError("a prepaid offer needs a listed price")
        return _term_price(offer, fx, unit)
    rate = Fraction(fx.rate(offer.list_currency))
    if unit is PurchaseUnit.M_TOKENS:
        if offer.list_unit in TOKENS and offer.list_input_amount is not None and offer.list_output_amount is not None:
            per_pack = Fraction(1_000_000) / Fraction(TOKENS[PriceUnit(offer.list_unit)])
            blended = (3 * Fraction(offer.list_input_amount) + Fraction(offer.list_output_amount)) / 4
            return blended * per_pack * rate
        if offer.list_unit in TOKENS and offer.list_amount is not None:
            return Fraction(offer.list_amount) * Fraction(1_000_000) / Fraction(TOKENS[PriceUnit(offer.list_unit)]) * rate
        return Fraction(offer.unit_price)
    if offer.list_amount is None or offer.list_unit not in set(PriceUnit):
        return Fraction(offer.unit_price)
    listed_unit = PriceUnit(offer.list_unit)
    cny = Fraction(offer.list_amount) * rate
    if listed_unit in (PriceUnit.CARD_HOUR, PriceUnit.CORE_HOUR):
        return cny
    if listed_unit not in TIME_UNITS:
        raise PricingError(f"unit {listed_unit.value} cannot be sold by the {unit.value}")
    count = offer.gpu_count if unit is PurchaseUnit.CARD_HOUR else offer.vcpus
    if not count or count <= 0:
        raise PricingError("an hourly price of a whole row needs the row's card or core count")
    return cny / HOURS[listed_unit] / Fraction(count)


def _term_price(offer: PricedOffer, fx: FxTable, unit: PurchaseUnit) -> Fraction:
    term_hours = HOURS[PriceUnit.MONTH if unit is PurchaseUnit.MONTH else PriceUnit.YEAR]
    listed_unit = PriceUnit(offer.list_unit)
    cny = Fraction(offer.list_amount) * Fraction(fx.rate(offer.list_currency))
    if listed_unit in TIME_UNITS:
        return cny * term_hours / HOURS[listed_unit]
    count = offer.gpu_count if listed_unit is PriceUnit.CARD_HOUR else offer.vcpus
    if listed_unit not in (PriceUnit.CARD_HOUR, PriceUnit.CORE_HOUR) or not count or count <= 0:
        raise PricingError(f"unit {listed_unit.value} cannot be sold by the {unit.value}")
    return cny * Fraction(count) * term_hours


def round_money(amount: Fraction, currency: str = BASE) -> Decimal:
    """An exact amount rounded once to the currency's minor unit, half up."""
    scale = 10 ** minor_unit_exponent(currency)
    numerator, denominator = amount.numerator * scale, amount.denominator
    units = (2 * numerator + denominator) // (2 * denominator)  # half up (amounts are never negative)
    return Decimal(units).scaleb(-minor_unit_exponent(currency))


def exact_line_total(offer: PricedOffer, quantity: int, fx: FxTable, currency: str = BASE) -> Decimal:
    """The listed price × quantity as an exact rational, rounded to the fen once."""
    _check_whole(quantity)
    return round_money(exact_unit_price(offer, fx) * quantity, currency)


def _check_whole(quantity) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise QuantityError("quantity_whole")


def line_total(unit_amount: Decimal, quantity: int, currency: str = BASE) -> Decimal:
    """unit price × quantity, rounded once to the currency's minor unit (half up)."""
    _check_whole(quantity)
    quantum = Decimal(1).scaleb(-minor_unit_exponent(currency))
    with localcontext() as ctx:
        ctx.prec = 40
        return (Decimal(unit_amount) * quantity).quantize(quantum, rounding=ROUND_HALF_UP)


def average_unit_price(total: Decimal, quantity: int) -> Decimal:
    """A line's total over its quantity, to ten places: what one purchase unit cost on average
    (below the unit price when some of its hours were charged at an off-peak rate)."""
    _check_whole(quantity)
    with localcontext() as ctx:
        ctx.prec = 40
        return _exact(Decimal(total) / quantity)


def order_total(line_totals: list[Decimal], currency: str = BASE) -> Decimal:
    quantum = Decimal(1).scaleb(-minor_unit_exponent(currency))
    return sum(line_totals, Decimal(0)).quantize(quantum)


def check_quantity(quantity: int, unit: PurchaseUnit) -> None:
    """:raise QuantityError: not a whole number, below the minimum or above the maximum of the unit."""
    low, high = QUANTITY_LIMITS[unit]
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise QuantityError("quantity_whole")
    if quantity < low:
        raise QuantityError("quantity_min", low=low)
    if quantity > high:
        raise QuantityError("quantity_max", high=high)
