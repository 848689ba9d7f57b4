"""How much a price moved over the last 7 and 30 days, from its history. Pure: no Flask, no database.

A price "in force" at a moment is the last one recorded at or before it; where nothing was recorded
that early there is no change to show ("—"). A change is (now − then) / then, exact, shown to
one decimal place of a percent, rounded half away from zero once.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from pricing.display import N_, word

PERIODS = (7, 30)  # days
TENTH = Decimal("0.1")
MINUS = "\u2212"  # a true minus sign, as the page sets it
NO_CHANGE = "—"
PERIOD_WORDS = N_("%(days)s days %(change)s")

Point = tuple[datetime, Decimal]


def price_at(history: Iterable[Point], at: datetime) -> Decimal | None:
    """The price in force at `at`: the latest point at or before it (None when every point is later)."""
    best: Point | None = None
    for point in history:
        if point[0] <= at and (best is None or point[0] >= best[0]):
            best = point
    return None if best is None else best[1]


def cheapest_at(histories: Iterable[Sequence[Point]], at: datetime) -> Decimal | None:
    """The lowest price in force at `at` across several offers' histories (None when none had one yet)."""
    prices = [p for p in (price_at(h, at) for h in histories) if p is not None]
    return min(prices, default=None)


def percent_change(now: Decimal | None, then: Decimal | None) -> Decimal | None:
    """(now − then) / then in percent, to 0.1, computed exactly; None without both prices or from zero."""
    if now is None or then is None or then == 0:
        return None
    exact = (Fraction(now) - Fraction(then)) * 100 / Fraction(then)
    # Decimal of the exact fraction to enough places that one rounding to 0.1 is the true rounding.
    scaled = exact * 10
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    if rest * 2 >= scaled.denominator:
        whole += 1
    value = Decimal(whole) * TENTH
    return -value if scaled < 0 else value


def period_changes(history: Iterable[Point], now_price: Decimal | None, now: datetime,
                   periods: Sequence[int] = PERIODS) -> dict[int, Decimal | None]:
    """{days: percent change of `now_price` against the price in force that many days before `now`}."""
    points = list(history)
    return {days: percent_change(now_price, price_at(points, now - timedelta(days=days))) for days in periods}


def model_changes(histories: Iterable[Sequence[Point]], now_price: Decimal | None, now: datetime,
                  periods: Sequence[int] = PERIODS) -> dict[int, Decimal | None]:
    """The same for a model: its cheapest offer's price now against the cheapest in force back then."""
    histories = [list(h) for h in histories]
    return {days: percent_change(now_price, cheapest_at(histories, now - timedelta(days=days))) for days in periods}


def change_text(change: Decimal | None) -> str:
    """'−5.2%', '+1.0%', '0.0%', or '—' when there is nothing to compare with."""
    if change is None:
        return NO_CHANGE
    if change == 0:
        return "0.0%"
    sign = "+" if change > 0 else MINUS
    return f"{sign}{abs(change).quantize(TENTH, rounding=ROUND_HALF_UP)}%"


def changes_text(changes: dict[int, Decimal | None], lang: str) -> str:
    """'7 天 −5.2% · 30 天 +1.0%' / '7 days −5.2% · 30 days +1.0%'."""
    return " · ".join(word(PERIOD_WORDS, lang, days=days, change=change_text(c)) for days, c in changes.items())
