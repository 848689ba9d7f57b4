"""What a programme's budget has paid out, and what is left: the one place a ledger plugs into.

There is no ledger of reservations yet (spec §7: an order reserves its government share when it is
placed, payment consumes it, expiry releases it), so nothing has been consumed and the whole budget
is left. When the ledger lands, `consumed` sums its consumed and reserved rows; every reader (the
quote, the programme API, the programme pages) goes through `remaining_budget`.
"""

from decimal import Decimal

from sqlalchemy.orm import Session

from vouchers.models import VoucherProgram


def consumed(session: Session, program: VoucherProgram) -> Decimal:
    """Government shares paid or reserved under the programme so far (no ledger yet: none)."""
    return Decimal("0.00")


def remaining_budget(session: Session, program: VoucherProgram) -> Decimal | None:
    """budget − consumed, never below zero; None for a programme without an overall budget."""
    if program.budget is None:
        return None
    return max(Decimal("0.00"), program.budget - consumed(session, program))
