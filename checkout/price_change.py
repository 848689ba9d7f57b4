"""Did the cart's prices change between the cart page the buyer saw and the checkout they submitted? No Flask.

A cart page records what it showed (`seen_lines`), kept server-side under the checkout token it
issued (checkout/quotes.py); checkout compares that with a fresh quote of the same cart
(`changed_lines`) and stops before placing the order when anything the buyer would pay differs.
Prices the browser sends are never read: both sides of the comparison are computed here.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class SeenLine:
    """One cart line as a cart page showed it."""

    line_id: int  # the CartLine's id: a line removed and added again is another line
    offer_id: int
    title: str
    unit_amount: Decimal  # CNY per purchase unit
    total: Decimal  # the line total shown, CNY to the fen

    def as_json(self) -> dict:
        return {"line_id": self.line_id, "offer_id": self.offer_id, "title": self.title,
                "unit_amount": str(self.unit_amount), "total": str(self.total)}

    @classmethod
    def from_json(cls, data: dict) -> "SeenLine":
        return cls(int(data["line_id"]), int(data["offer_id"]), str(data["title"]), Decimal(data["unit_amount"]),
                   Decimal(data["total"]))


@dataclass(frozen=True)
class SeenShare:
    """The voucher split a cart page showed for the programme its checkout form posts (spec §7):
    checkout refuses to charge the company more than `company` without showing it first."""

    program: str  # the programme's code
    government: Decimal
    company: Decimal

    def as_json(self) -> dict:
        return {"program": self.program, "government": str(self.government), "company": str(self.company)}

    @classmethod
    def from_json(cls, data: dict) -> "SeenShare":
        return cls(str(data["program"]), Decimal(data["government"]), Decimal(data["company"]))


@dataclass(frozen=True)
class LineChange:
    """A line whose price the buyer has not seen: `old` is None for a line added since, `new` None
    for one gone since (removed in another tab, or no longer priced)."""

    offer_id: int
    title: str
    old: Decimal | None
    new: Decimal | None
    old_unit_amount: Decimal | None = None
    new_unit_amount: Decimal | None = None

    @property
    def unit_price_changed(self) -> bool:
        return None not in (self.old_unit_amount, self.new_unit_amount) and self.old_unit_amount != self.new_unit_amount


def seen_lines(rows: list[dict]) -> list[SeenLine]:
    """What a cart page shows, from its rows (checkout.views._quote_lines: line, offer, unit_amount, total)."""
    return [SeenLine(r["line"].id, r["offer"].id, r["offer"].title, Decimal(r["unit_amount"]), Decimal(r["total"]))
            for r in rows]


def changed_lines(seen: list[SeenLine], now: list[SeenLine]) -> list[LineChange]:
    """Every line whose total or unit price differs from what was seen, in the cart's order; [] when none does.

    A line is the same line when its cart line id is: a quantity changed in another tab changes
    its total and is shown too, since the buyer would pay a total they have not seen.
    """
    before = {s.line_id: s for s in seen}
    after = {n.line_id: n for n in now}
    changes = []
    for line in now:
        old = before.get(line.line_id)
        if old is None:
            changes.append(LineChange(line.offer_id, line.title, None, line.total, None, line.unit_amount))
        elif old.total != line.total or old.unit_amount != line.unit_amount:
            changes.append(LineChange(line.offer_id, line.title, old.total, line.total, old.unit_amount,
                                      line.unit_amount))
    changes += [LineChange(s.offer_id, s.title, s.total, None, s.unit_amount, None)
                for s in seen if s.line_id not in after]
    return changes


def total_of(lines: list[SeenLine]) -> Decimal:
    return sum((line.total for line in lines), Decimal("0.00"))
