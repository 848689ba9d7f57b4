"""Voucher tests' helpers: a programme, companies with applications, orders placed under a programme."""

from decimal import Decimal

from accounts.company_models import CompanyMember
from catalog.context import load_fx
from checkout.orders import Wanted, place_order
from checkout.voucher_order import VoucherChoice
from extensions import db
from tests.accounts.company_support import make_company
from tests.stall_support import make_user
from tests.vouchers.conftest import hangzhou, load
from vouchers.models import ApplicationStatus, VoucherApplication, VoucherProgram


def program(**changes) -> VoucherProgram:
    """hz-2026 (30% on domestic chips, 5% platform), in force from 2020 to 2099, with `changes`."""
    load(hangzhou(**changes))
    return db.session.scalar(db.select(VoucherProgram).where(VoucherProgram.code == "hz-2026"))


def company_with(prog: VoucherProgram, status: str | None = ApplicationStatus.APPROVED, quota: str | None = None,
                 region_id: str = "cn-hangzhou", email: str | None = None, vendors=()):
    """A company with an owner (returned too) and, unless status is None, an application in that status."""
    owner = make_user(email or f"owner{db.session.scalar(db.select(db.func.count(CompanyMember.id))) + 1}@co.cn")
    company = make_company(name=f"{owner.email} 公司", owner=owner, region_id=region_id, vendors=vendors)
    if status is not None:
        db.session.add(VoucherApplication(program_id=prog.id, company_id=company.id, submitted_by_user_id=owner.id,
                                          status=status, expected_spend=Decimal(100000),
                                          quota=Decimal(quota) if quota is not None else None))
        db.session.commit()
    return company, owner


def voucher_order(offer_id: int, hours: int, prog: VoucherProgram | None, company_id: int | None, token: str,
                  session=None):
    """A pending order of `hours` card-hours on one machine, under the programme for the company."""
    session = session or db.session
    choice = VoucherChoice(prog.id, company_id) if prog is not None else None
    return place_order(session, [Wanted(offer_id, instances=1, hours=hours)], email="buyer@co.cn", user_id=None,
                       checkout_token=f"voucher-{token}-0123456789", fx=load_fx(session), voucher=choice)
