"""The cart's voucher panel (spec §7): the programmes in force, and what the chosen one gives. No Flask.

A buyer whose company's application is approved sees the real split (its cap and the budget as they
stand now; checkout splits again under the programme's lock). Every other buyer sees what it would be
for an approved company, and pays the full total until its company is approved.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from accounts import Company, company_of
from catalog.models import Offer
from catalog.registry import default_registries
from pricing.voucher_split import Split
from vouchers import Entitlement, VoucherProgram, preview, programs_in_force, today_in_china, voucher_lines


class UnknownProgram(ValueError):
    """The `program` asked for is not a programme in force."""


@dataclass(frozen=True)
class CartVoucher:
    programs: list[VoucherProgram]
    program: VoucherProgram | None = None
    split: Split | None = None
    granted: Entitlement | None = None
    company: Company | None = None

    @property
    def usable(self) -> bool:
        """Checkout will apply the programme: the buyer's company is entitled to it."""
        return self.program is not None and self.granted is not None and self.granted.entitled

    @property
    def due(self) -> Decimal | None:
        """What the buyer would pay now: the company share if usable, else None (the full total)."""
        return self.split.company if self.usable and self.split is not None else None


def cart_voucher(session: Session, code: str, user_id: int | None, priced: list[tuple[Offer, Decimal]],
                 on: date | None = None) -> CartVoucher:
    """`code` "" = no programme chosen. :raise UnknownProgram: a code that is not a programme in force."""
    on = on or today_in_china()
    programs = programs_in_force(session, on)
    if not code:
        return CartVoucher(programs)
    program = next((p for p in programs if p.code == code), None)
    if program is None:
        raise UnknownProgram(code)
    company = company_of(session, user_id) if user_id is not None else None
    company_id = company.id if company is not None else None
    registries = default_registries()
    lines = voucher_lines(session, company_id, priced, registries)
    split, granted = preview(session, program, company_id, lines, registries, on)
    return CartVoucher(programs, program, split, granted, company)


def voucher_company(session: Session, user_id: int | None) -> int | None:
    """The company a logged-in buyer acts for, or None."""
    company = company_of(session, user_id) if user_id is not None else None
    return company.id if company is not None else None
