"""Paid voucher orders for write-off and settlement tests, made as rows with their shares set (the ledger that
fills them at checkout is tested on its own), and delivered through checkout.delivery's own function."""

import secrets
from datetime import UTC, date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from checkout.delivery import Step, record_step
from checkout.models import Order, OrderLine
from extensions import db
from tests.accounts.company_support import make_company
from vouchers import VoucherProgram

CHINA = ZoneInfo("Asia/Shanghai")


def make_program(code: str = "yz-2026") -> VoucherProgram:
    program = VoucherProgram(code=code, name_zh="扬州市算力券", name_en="Yangzhou compute vouchers",
                             valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), platform_rate=D("0.05"),
                             rules=[{"when": {}, "rate": "0.30"}])
    db.session.add(program)
    db.session.commit()
    return program


def china(text: str) -> datetime:
    """'2026-09-30 23:30' on China's clock as stored: naive UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=CHINA).astimezone(UTC).replace(tzinfo=None)


def voucher_order(program, vendor, *, company=None, paid_at: str = "2026-11-02 10:00", status: str = "paid",
                  lines=(("1000.00", "300.00", "50.00"),), quantity: int = 100) -> Order:
    """One order of `program` with a line per (line total, government, platform); the company pays the rest."""
    company = company or make_company()
    shares = [(D(total), D(gov), D(plat), D(total) - D(gov) - D(plat)) for total, gov, plat in lines]
    order = Order(checkout_token=secrets.token_hex(8), email="buyer@example.cn", status=status,
                  total=sum(s[0] for s in shares), paid_at=china(paid_at) if status == "paid" else None,
                  voucher_program_id=program.id, company_id=company.id,
                  government_share=sum(s[1] for s in shares), platform_share=sum(s[2] for s in shares),
                  company_share=sum(s[3] for s in shares))
    for i, (total, gov, plat, own) in enumerate(shares):
        order.lines.append(OrderLine(
            vendor_id=vendor.id, vendor_name=vendor.name_zh, sku=f"a100-{i}", title=f"A100 80GB 按量 {i}", kind="gpu",
            billing="on_demand", list_amount=D("10.00"), list_currency="CNY", list_unit="hour",
            normalized_price=D("10.00"), purchase_unit="card_hour", unit_amount=D("10.00"), quantity=quantity,
            line_total=total, instances=1, hours=quantity, delivery_state="paid" if status == "paid" else None,
            government_share=gov, platform_share=plat, company_share=own,
            voucher_rate=D("0.30") if gov > 0 else D("0")))
    db.session.add(order)
    db.session.commit()
    return order


def deliver(line: OrderLine, user) -> None:
    record_step(db.session, line, Step(state="delivered", started_at=china("2026-11-02 12:00"),
                                       ended_at=china("2026-11-06 16:00"), amount=D(100), unit="card_hour"),
                by_user_id=user.id)
