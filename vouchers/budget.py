"""What a programme's budget has committed, and what is left: read from the ledger (vouchers/ledger.py).

Every reader (the quote, the programme API, the programme pages, the checkout's split) goes
through `remaining_budget`, so the budget they show is the one a reservation is checked against.
"""

from decimal import Decimal

from sqlalchemy.orm import Session

from vouchers.ledger import left, program_sums
from vouchers.models import VoucherProgram


def consumed(session: Session, program: VoucherProgram) -> Decimal:
    """Government shares paid or still held under the programme: Σ reserve − Σ release."""
    return program_sums(session, program.id).committed


def remaining_budget(session: Session, program: VoucherProgram) -> Decimal | None:
    """budget − Σ reserve + Σ release, never below zero; None for a programme without an overall budget."""
    return left(program, program_sums(session, program.id))
