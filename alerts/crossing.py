"""When an alert fires: once each time the price goes from above its threshold to at or below it. Pure."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Step:
    below: bool  # the state to keep: the price is at or below the threshold now
    crossed: bool  # this step is a new crossing: notify


def step(below: bool, price: Decimal | None, threshold: Decimal) -> Step:
    """The next state of an alert that was `below` (or not) on seeing `price` (None: no matching offer now).

    Staying at or below fires nothing more; going above (or the offers going away) arms it again.
    """
    now_below = price is not None and price <= threshold
    return Step(now_below, now_below and not below)


def crossings(prices: list[Decimal | None], threshold: Decimal, below: bool = False) -> int:
    """How many notifications a run of prices makes (the count the property tests hold the checker to)."""
    count = 0
    for price in prices:
        moved = step(below, price, threshold)
        below, count = moved.below, count + moved.crossed
    return count
