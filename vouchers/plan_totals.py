"""What each option of a plan costs after a voucher programme (the planner's `program=`). No Flask.

Each option is its own one-line order under pricing.voucher_split.split_order, with the programme's
terms but without the company's yearly cap or the programme's remaining budget: the planner knows
no company, so its pages say "before your company's cap".
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from catalog.models import Offer
from catalog.registry import Registries
from pricing.voucher_split import LineShare, Reason, split_order
from vouchers.order_quote import program_by_code, today_in_china
from vouchers.program_terms import terms_of, voucher_line


@dataclass(frozen=True)
class ProgramTotals:
    code: str
    name_zh: str
    name_en: str
    in_force: bool
    shares: dict[int, LineShare]  # by offer id: only the options the programme pays for


def after_voucher_totals(session: Session, code: str, priced: Sequence[tuple[Offer, Decimal]],
                         registries: Registries, on: date | None = None) -> ProgramTotals | None:
    """Each (offer, total to the fen) option's shares under the programme; None: no such programme."""
    program = program_by_code(session, code)
    if program is None:
        return None
    on = on or today_in_china()
    terms = replace(terms_of(program, registries.regions), cap_per_company_per_year=None)
    shares = {}
    for offer, total in priced:
        line = split_order([voucher_line(offer, total, registries)], terms, on=on).lines[0]
        if line.reason is Reason.RULE and line.rate > 0:
            shares[offer.id] = line
    return ProgramTotals(program.code, program.name_zh, program.name_en,
                         program.valid_from <= on <= program.valid_to, shares)
