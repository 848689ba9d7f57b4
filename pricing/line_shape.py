"""The shape of a line a buyer orders: N instances × H hours, N instances × T terms, or P packs.

Pure: no Flask, no database. The quantity stays the count of the purchase unit (spec §7):
card_hour = instances × gpu_count × hours, core_hour = instances × vcpus × hours,
month/year = instances × terms, 1m_tokens = packs.
"""

from dataclasses import dataclass
from decimal import Decimal

from pricing.line_total import PurchaseUnit, QuantityError, check_quantity
from pricing.units import HOURS, PriceUnit

MAX_INSTANCES = 1000
MAX_HOURS = 8760  # a year of hourly use on one line
MAX_TERMS = {PurchaseUnit.MONTH: 36, PurchaseUnit.YEAR: 5}
MAX_PACKS = 100_000
HOURLY = (PurchaseUnit.CARD_HOUR, PurchaseUnit.CORE_HOUR)
TERMS = (PurchaseUnit.MONTH, PurchaseUnit.YEAR)


@dataclass(frozen=True)
class LineShape:
    unit: PurchaseUnit
    instances: int | None  # None for token packs
    hours: int | None  # hourly units
    terms: int | None  # month / year
    packs: int | None  # 1m_tokens
    per_instance: Decimal | None  # cards (gpu) or cores (cpu) in one instance
    quantity: int

    @property
    def booked_hours(self) -> int | None:
        """How long the line holds its instances: its hours, or its whole terms; None for tokens."""
        if self.unit in HOURLY:
            return self.hours
        if self.unit in TERMS:
            term = HOURS[PriceUnit.MONTH if self.unit is PurchaseUnit.MONTH else PriceUnit.YEAR]
            return int(term) * self.terms
        return None


def _whole(name: str, value, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuantityError(f"{name}_whole")
    if value < 1:
        raise QuantityError(f"{name}_min", low=1)
    if value > high:
        raise QuantityError(f"{name}_max", high=high)
    return value


def shape_line(unit: PurchaseUnit, per_instance: Decimal | None, *, instances: int | None = None,
               hours: int | None = None, terms: int | None = None, packs: int | None = None) -> LineShape:
    """The line for these choices; the fields that do not fit the unit are ignored.

    :raise QuantityError: a missing or out-of-range choice, or a quantity that is not whole.
    """
    if unit is PurchaseUnit.M_TOKENS:
        packs = _whole("packs", packs, MAX_PACKS)
        return LineShape(unit, None, None, None, packs, None, packs)
    instances = _whole("instances", instances, MAX_INSTANCES)
    if unit in TERMS:
        terms = _whole("terms", terms, MAX_TERMS[unit])
        return LineShape(unit, instances, None, terms, None, per_instance, instances * terms)
    hours = _whole("hours", hours, MAX_HOURS)
    if per_instance is None or per_instance <= 0:
        raise QuantityError("count_unknown")
    exact = Decimal(instances) * Decimal(per_instance) * hours
    if exact != exact.to_integral_value():
        raise QuantityError("quantity_fraction", per_instance=per_instance)
    quantity = int(exact)
    check_quantity(quantity, unit)
    return LineShape(unit, instances, hours, None, None, per_instance, quantity)


def instances_for(cards: int, per_instance: Decimal) -> int:
    """Instances needed for a number of cards (or cores): ceil(cards / per_instance), spec §8."""
    whole, rest = divmod(Decimal(cards), Decimal(per_instance))
    return int(whole) + (1 if rest else 0)
