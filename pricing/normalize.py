"""Turn a price as listed into the unified unit: CNY per card-hour, core-hour or 1M tokens.

Every function here is exact Decimal arithmetic; results are rounded once, at the end,
to NORMALIZED_PLACES (spec section 2: round only for display, so we keep six places).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from pricing.currency import FxTable
from pricing.units import HOURS, TIME_UNITS, TOKENS, Kind, PriceUnit

NORMALIZED_PLACES = Decimal("0.000001")
# Spec section 1: the blended token price is the 3:1 input:output mix.
BLEND_INPUT_WEIGHT = Decimal(3)
BLEND_OUTPUT_WEIGHT = Decimal(1)


class NormalizationError(ValueError):
    """The listed price cannot be normalized; `field` names the input at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ListedPrice:
    amount: Decimal
    currency: str
    unit: PriceUnit


def quantize(value: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return value.quantize(NORMALIZED_PLACES, rounding=ROUND_HALF_EVEN)


def per_hour(amount: Decimal, unit: PriceUnit) -> Decimal:
    """Price of one hour of the thing, exactly (not rounded)."""
    hours = HOURS[unit]
    with localcontext() as ctx:
        ctx.prec = 40
        return amount * hours.denominator / hours.numerator


def per_hour_of_one(listed: ListedPrice, count: Decimal, fx: FxTable, *, kind: Kind) -> Decimal:
    """CNY per card-hour (gpu) or core-hour (cpu).

    A time unit prices the whole row (all `count` cards or cores); card_hour / core_hour
    already prices one. A card_hour on a cpu offer (or core_hour on a gpu) is an error.
    """
    own_unit = PriceUnit.CARD_HOUR if kind is Kind.GPU else PriceUnit.CORE_HOUR
    count_field = "gpu_count" if kind is Kind.GPU else "vcpus"
    if listed.unit in TOKENS or listed.unit in (PriceUnit.CARD_HOUR, PriceUnit.CORE_HOUR) and listed.unit != own_unit:
        raise NormalizationError("price_unit", f"unit {listed.unit.value} does not fit a {kind.value} offer")
    if count is None or count <= 0:
        raise NormalizationError(count_field, f"{count_field} must be a positive number")
    cny = fx.to_cny(listed.amount, listed.currency)
    if listed.unit == own_unit:
        return quantize(cny)
    if listed.unit not in TIME_UNITS:  # pragma: no cover - all units are covered above
        raise NormalizationError("price_unit", f"unit {listed.unit.value} does not fit a {kind.value} offer")
    with localcontext() as ctx:
        ctx.prec = 40
        return quantize(per_hour(cny, listed.unit) / count)


def per_million_tokens(amount: Decimal, currency: str, unit: PriceUnit, fx: FxTable) -> Decimal:
    """CNY per 1M tokens."""
    if unit not in TOKENS:
        raise NormalizationError("price_unit", f"unit {unit.value} does not fit a token offer")
    with localcontext() as ctx:
        ctx.prec = 40
        return quantize(fx.to_cny(amount, currency) * Decimal(1_000_000) / TOKENS[unit])


def blended_token_price(input_price: Decimal, output_price: Decimal) -> Decimal:
    weight = BLEND_INPUT_WEIGHT + BLEND_OUTPUT_WEIGHT
    return quantize((BLEND_INPUT_WEIGHT * input_price + BLEND_OUTPUT_WEIGHT * output_price) / weight)


def price_per_tflop_hour(card_hour_price: Decimal, dense_tflops: Decimal | None) -> Decimal | None:
    """CNY per dense-TFLOPS-hour, or None where the model's TFLOPS are unknown."""
    if not dense_tflops:
        return None
    return quantize(card_hour_price / dense_tflops)


def price_per_gb_hour(card_hour_price: Decimal, memory_gb: Decimal | None) -> Decimal | None:
    """CNY per GB of accelerator memory per hour."""
    if not memory_gb:
        return None
    return quantize(card_hour_price / memory_gb)
