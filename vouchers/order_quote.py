"""What an order would cost under a voucher programme (spec §7, POST /api/v1/quote). No Flask.

Each line's total is pricing.line_total's exact total for its quantity of purchase units (the listed
price × quantity, rounded to the fen once); the split is pricing.voucher_split's.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Offer
from catalog.offer_price import priced
from catalog.offer_query import offers_by_id
from catalog.registry import Registries
from pricing.currency import FxTable
from pricing.line_total import PricingError, QuantityError, check_quantity, exact_line_total, purchase_unit
from pricing.voucher_split import Split, split_order
from vouchers.budget import remaining_budget
from vouchers.models import VoucherProgram
from vouchers.program_terms import terms_of, today_in_china, voucher_line  # noqa: F401 (today_in_china: read from here too)


class QuoteProblem(ValueError):
    """An input the quote cannot answer: `field` names it as the request has it (lines.0.offer_id)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class QuotedLine:
    offer: Offer
    quantity: int


@dataclass(frozen=True)
class OrderQuote:
    program: VoucherProgram
    lines: tuple[QuotedLine, ...]
    split: Split


def program_by_code(session: Session, code: str) -> VoucherProgram | None:
    return session.scalar(select(VoucherProgram).where(VoucherProgram.code == code))


def quote_order(session: Session, code: str, wanted: list[tuple[int, int]], subsidised_this_year: Decimal,
                fx: FxTable, registries: Registries, on: date | None = None) -> OrderQuote:
    """`wanted`: (offer id, quantity of its purchase unit) per line.

    :raise QuoteProblem: an unknown programme or offer, an offer not for sale, a quantity outside its unit's limits.
    """
    program = program_by_code(session, code)
    if program is None:
        raise QuoteProblem("program", f"no voucher programme {code!r}")
    found = {o.id: o for o in offers_by_id(session, sorted({offer_id for offer_id, _ in wanted}))}
    lines, facts = [], []
    for number, (offer_id, quantity) in enumerate(wanted):
        offer = found.get(offer_id)
        if offer is None or offer.status != "active":
            raise QuoteProblem(f"lines.{number}.offer_id", f"no offer {offer_id} for sale")
        try:
            check_quantity(quantity, purchase_unit(offer.kind, offer.billing))
            total = exact_line_total(priced(offer), quantity, fx)
        except QuantityError as exc:
            limits = ", ".join(f"{k} {v}" for k, v in exc.numbers.items())
            raise QuoteProblem(f"lines.{number}.quantity", f"{exc.code} {limits}".strip()) from None
        except PricingError as exc:
            raise QuoteProblem(f"lines.{number}.offer_id", f"offer {offer_id} cannot be priced: {exc}") from None
        lines.append(QuotedLine(offer, quantity))
        facts.append(voucher_line(offer, total, registries))
    split = split_order(facts, terms_of(program, registries.regions), subsidised_this_year=subsidised_this_year,
                        remaining_budget=remaining_budget(session, program), on=on or today_in_china())
    return OrderQuote(program, tuple(lines), split)
