"""An order under a voucher programme (spec §7): its three shares, written with the order. No Flask.

`apply_voucher` runs inside place_order's transaction, after the offer locks: vouchers.claim locks the
programme and splits against the budget and cap left under that lock, the shares go onto the order
and its lines, and the government share is reserved in the ledger — all in the order's one commit.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from catalog.models import Offer
from catalog.registry import default_registries
from checkout.models import Order, OrderLine
from vouchers import claim, reserve, today_in_china, voucher_lines


@dataclass(frozen=True)
class VoucherChoice:
    """The programme the buyer chose and the company it buys for."""

    program_id: int
    company_id: int
    # The split its cart page showed (None: none shown, nothing checked): a larger company share
    # under the lock stops the order (vouchers.ShareChanged) rather than charging an unseen amount.
    company_share_seen: Decimal | None = None
    government_share_seen: Decimal | None = None


def apply_voucher(session: Session, order: Order, lines: list[tuple[Offer, OrderLine]], choice: VoucherChoice,
                  on: date | None = None) -> None:
    """Split the flushed order under the programme's lock, write the shares, reserve the government's.

    :raise vouchers.NotEntitled: the company may not take the programme's share (nothing is written).
    :raise vouchers.ShareChanged: the company's share is above the one its buyer saw (nothing is written).
    """
    registries = default_registries()
    on = on or today_in_china()
    facts = voucher_lines(session, choice.company_id, [(offer, line.line_total) for offer, line in lines],
                          registries)
    program, split = claim(session, choice.program_id, choice.company_id, facts, registries, on,
                           company_seen=choice.company_share_seen, government_seen=choice.government_share_seen)
    order.voucher_program_id, order.company_id = program.id, choice.company_id
    order.government_share, order.platform_share, order.company_share = (split.government, split.platform,
                                                                         split.company)
    for (_offer, line), share in zip(lines, split.lines, strict=True):
        line.government_share, line.platform_share, line.company_share = (share.government, share.platform,
                                                                          share.company)
        line.voucher_rate = share.rate
    session.flush()
    reserve(session, program, choice.company_id, order.id, split.government, on.year)
