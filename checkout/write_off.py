"""Write-off (核销, spec §7): a voucher line's invoice, and whether the line can be claimed from the programme.

Plain SQLAlchemy, no Flask. A voucher line (government share above zero) of a paid order is
claimable once its vendor has confirmed delivery (the Delivery record is the proof) and recorded
the invoice number. A recorded invoice is corrected only with a reason, and the correction writes
an audit row in the same transaction: the settlement pack a programme paid against must be traceable.
"""

import re
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session

from accounts import record_audit
from catalog.models import utcnow
from checkout.models import DeliveryState, OrderLine, OrderStatus

INVOICE_MAX = 64
# Chinese 发票号码 are 8 digits (paper VAT invoices) or 20 (全电发票); other issuers add letters and
# dashes, so those are accepted too, and nothing else (no spaces, no punctuation a spreadsheet mangles;
# a leading dash would read as a formula in the settlement CSV).
INVOICE_CHARS = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
REASON_MAX = 300
CORRECTED = "invoice.correct"


class ClaimState:
    AWAITING_DELIVERY = "awaiting_delivery"  # 待交付
    AWAITING_INVOICE = "awaiting_invoice"    # 待开票
    CLAIMABLE = "claimable"                  # 可核销


class InvoiceRefused(Exception):
    """The invoice cannot be recorded; `code` says why (for the page or the API to put in words)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # empty | too_long | bad_characters | not_voucher | not_paid | reason_needed | changed


def clean_invoice_number(raw: str | None) -> str:
    """The invoice number as it will be stored (surrounding spaces dropped).

    :raise InvoiceRefused: empty, longer than 64 characters, or anything but letters, digits and (not first) dashes.
    """
    number = (raw or "").strip()
    if not number:
        raise InvoiceRefused("empty")
    if len(number) > INVOICE_MAX:
        raise InvoiceRefused("too_long")
    if not (number.isascii() and INVOICE_CHARS.fullmatch(number)):
        raise InvoiceRefused("bad_characters")
    return number


def is_voucher_line(line: OrderLine) -> bool:
    return line.government_share is not None and line.government_share > Decimal(0)


def claim_state(line: OrderLine) -> str | None:
    """Where a voucher line of a paid order stands in write-off; None for any other line."""
    if not is_voucher_line(line) or line.order.status != OrderStatus.PAID:
        return None
    if line.delivery_state != DeliveryState.DELIVERED:
        return ClaimState.AWAITING_DELIVERY
    if not line.invoice_number:
        return ClaimState.AWAITING_INVOICE
    return ClaimState.CLAIMABLE


def claimable(line: OrderLine) -> bool:
    """A voucher line of a paid order, delivered, with its invoice recorded."""
    return claim_state(line) == ClaimState.CLAIMABLE


def record_invoice(session: Session, line: OrderLine, raw_number: str | None, *, by_user_id: int,
                   reason: str | None = None) -> bool:
    """Record (or correct) the invoice number of a voucher line and commit; returns whether anything changed.

    The same number again changes nothing. A different number over a recorded one needs `reason`
    and writes an audit row with the old and new numbers.
    :raise InvoiceRefused: a bad number, not a voucher line of a paid order, a correction without a
        reason, or another member changed the number meanwhile (`changed`: reload and look).
    """
    number = clean_invoice_number(raw_number)
    if not is_voucher_line(line):
        raise InvoiceRefused("not_voucher")
    if line.order.status != OrderStatus.PAID:
        raise InvoiceRefused("not_paid")
    old = line.invoice_number
    if old == number:
        return False
    reason = (reason or "").strip()[:REASON_MAX]
    if old is not None and not reason:
        raise InvoiceRefused("reason_needed")
    line_id = line.id
    # Conditional on the number read above: two members writing at once record one, the other is told.
    moved = session.execute(
        update(OrderLine).where(OrderLine.id == line_id,
                                OrderLine.invoice_number.is_(None) if old is None else OrderLine.invoice_number == old)
        .values(invoice_number=number, invoice_recorded_at=utcnow(), invoice_recorded_by_user_id=by_user_id)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        session.rollback()
        raise InvoiceRefused("changed")
    if old is not None:
        record_audit(session, by_user_id, CORRECTED, "order_line", line_id,
                     {"order_id": line.order_id, "from": old, "to": number, "reason": reason})
    session.commit()
    session.expire_all()
    return True
