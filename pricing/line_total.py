"""What a buyer pays for a quantity of an offer, in the offer's own unit, in CNY.

Buyers buy card-hours or core-hours (hourly and spot offers), prepaid months or years of
the whole listed machine (monthly and yearly offers), or packs of 1M tokens (token
offers, at the blended 3:1 price). The price per purchase unit is kept exact (ten
places); the line total is rounded to the fen once, half up, and the order total is the
sum of the line totals, so what the cart shows is what Stripe charges.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from pricing.currency import BASE, FxTable, minor_unit_exponent
from pricing.units import HOURS, TIME_UNITS, Billing, Kind, PriceUnit

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
    """The quantity is outside the offer's min/max or above its stock."""


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
    """CNY per purchase unit.

    Hourly units use the normalized price the catalog shows. A prepaid term prices the
    whole listed machine from the listed price (6950 元/月 buys a month for 6950, not for
    730 × a rounded hourly price).
    """
    unit = purchase_unit(offer.kind, offer.billing)
    if unit not in (PurchaseUnit.MONTH, PurchaseUnit.YEAR):
        return PurchasePrice(unit, _exact(Decimal(offer.unit_price)))
    if offer.list_amount is None:
        raise PricingError("a prepaid offer needs a listed price")
    term_hours = HOURS[PriceUnit.MONTH if unit is PurchaseUnit.MONTH else PriceUnit.YEAR]
    listed_unit = PriceUnit(offer.list_unit)
    with localcontext() as ctx:
        ctx.prec = 40
        cny = fx.to_cny(Decimal(offer.list_amount), offer.list_currency)
        if listed_unit in TIME_UNITS:
            hours = HOURS[listed_unit]
            amount = cny * term_hours.numerator * hours.denominator / (term_hours.denominator * hours.numerator)
        elif listed_unit in (PriceUnit.CARD_HOUR, PriceUnit.CORE_HOUR):
            count = offer.gpu_count if listed_unit is PriceUnit.CARD_HOUR else offer.vcpus
            if not count or count <= 0:
                raise PricingError("a per-card or per-core price needs the offer's count")
            amount = cny * Decimal(count) * term_hours.numerator / term_hours.denominator
        else:
            raise PricingError(f"unit {listed_unit.value} cannot be sold by the {unit.value}")
    return PurchasePrice(unit, _exact(amount))


def line_total(unit_amount: Decimal, quantity: int, currency: str = BASE) -> Decimal:
    """unit price × quantity, rounded once to the currency's minor unit (half up)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise QuantityError("quantity must be a positive whole number")
    quantum = Decimal(1).scaleb(-minor_unit_exponent(currency))
    with localcontext() as ctx:
        ctx.prec = 40
        return (Decimal(unit_amount) * quantity).quantize(quantum, rounding=ROUND_HALF_UP)


def order_total(line_totals: list[Decimal], currency: str = BASE) -> Decimal:
    quantum = Decimal(1).scaleb(-minor_unit_exponent(currency))
    return sum(line_totals, Decimal(0)).quantize(quantum)


def check_quantity(quantity: int, unit: PurchaseUnit, stock: int | None) -> None:
    """:raise QuantityError: below the minimum, above the maximum or above the stock."""
    low, high = QUANTITY_LIMITS[unit]
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise QuantityError("quantity must be a whole number")
    if quantity < low:
        raise QuantityError(f"at least {low}")
    if quantity > high:
        raise QuantityError(f"at most {high}")
    if stock is not None and quantity > stock:
        raise QuantityError(f"only {stock} in stock")
