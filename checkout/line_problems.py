"""Why a cart line cannot be bought as it stands, and what the buyer can do about it. No Flask.

The cart marks such lines and checkout stops on them with the same words, instead of a bare
"your cart changed". Codes here; the cart template says them in the page language.
"""

from dataclasses import dataclass
from enum import StrEnum


class Problem(StrEnum):
    DELISTED = "delisted"  # the vendor took the offer down: remove it, or see similar offers
    SOLD_OUT = "sold_out"  # no instance free over its hours: remove it, or see similar offers
    TOO_MANY = "too_many"  # fewer machines free over its hours than the line takes: choose fewer, or see similar


@dataclass(frozen=True)
class LineProblem:
    problem: Problem
    offer_id: int
    title: str
    left: int | None = None  # the instances free over the line's hours, for TOO_MANY

    @property
    def code(self) -> str:
        return self.problem.value


def line_problem(*, offer_id: int, title: str, status: str, stock: int | None, takes: int) -> LineProblem | None:
    """The line's problem, or None when it can be bought.

    `stock` is the fewest instances free over the line's hours (what other orders have not
    booked), `takes` the instances the line takes; unknown stock (None) never stops a line.
    """
    if status != "active":
        return LineProblem(Problem.DELISTED, offer_id, title)
    if stock is not None and stock <= 0:
        return LineProblem(Problem.SOLD_OUT, offer_id, title)
    if stock is not None and takes > stock:
        return LineProblem(Problem.TOO_MANY, offer_id, title, left=stock)
    return None
