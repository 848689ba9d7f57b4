"""The voucher ledger: each movement once, consume or release only of a live reservation, and the sums."""

from datetime import date
from decimal import Decimal

import pytest

from catalog.models import Offer
from catalog.registry import default_registries
from checkout.orders import close_unpaid
from extensions import db
from tests.catalog.factories import gpu_offer
from tests.voucher_support import company_with, program, voucher_order
from vouchers.budget import consumed, remaining_budget
from vouchers.ledger import (
    NotEntitled,
    ShareChanged,
    claim,
    company_sums,
    consume,
    entitlement,
    order_sums,
    program_sums,
    release,
    reserve,
    voucher_lines,
)
from vouchers.models import ApplicationStatus, LedgerEntry


@pytest.fixture()
def ascend(app):
    """Ascend 910B at ¥10.00 a card-hour: a domestic chip, 30% government and 5% platform under hz-2026."""
    offer = gpu_offer("10.00", "ascend-910b", vendor_slug="autodl", region="cn-hangzhou")
    db.session.commit()
    return offer.id


def movements(order_id: int) -> list[tuple[str, Decimal]]:
    return [(e.movement, e.amount) for e in db.session.scalars(
        db.select(LedgerEntry).where(LedgerEntry.order_id == order_id).order_by(LedgerEntry.id))]


def test_each_movement_happens_once_and_a_consumed_share_is_never_released(app, ascend):
    prog = program()
    company, _ = company_with(prog)
    order = voucher_order(ascend, 10, prog, company.id, "once")  # ¥100: government ¥30, platform ¥5
    assert movements(order.id) == [("reserve", Decimal("30.00"))]
    assert reserve(db.session, prog, company.id, order.id, Decimal("30.00"), 2026).movement == "reserve"
    assert consume(db.session, order.id) is not None
    assert consume(db.session, order.id) is None
    assert release(db.session, order.id) is None
    db.session.commit()
    assert movements(order.id) == [("reserve", Decimal("30.00")), ("consume", Decimal("30.00"))]
    sums = order_sums(db.session, order.id)
    assert (sums.held, sums.spent, sums.committed) == (Decimal(0), Decimal("30.00"), Decimal("30.00"))


def test_a_released_share_goes_back_to_the_budget_and_cannot_then_be_consumed(app, ascend):
    prog = program(budget="1000")
    company, _ = company_with(prog)
    order = voucher_order(ascend, 10, prog, company.id, "release")
    assert remaining_budget(db.session, prog) == Decimal("970.00")
    assert consumed(db.session, prog) == Decimal("30.00")
    assert close_unpaid(db.session, order.id, "expired")
    db.session.commit()
    assert consume(db.session, order.id) is None
    assert movements(order.id) == [("reserve", Decimal("30.00")), ("release", Decimal("30.00"))]
    assert remaining_budget(db.session, prog) == Decimal("1000.00")
    assert program_sums(db.session, prog.id).held == Decimal(0)


def test_an_order_without_a_reservation_moves_nothing(app, ascend):
    order = voucher_order(ascend, 2, None, None, "plain")
    assert consume(db.session, order.id) is None and release(db.session, order.id) is None
    assert movements(order.id) == []


def test_held_spent_and_left_per_programme_and_per_company_year(app, ascend):
    prog = program(budget="1000")
    a, _ = company_with(prog)
    b, _ = company_with(prog)
    paid = voucher_order(ascend, 10, prog, a.id, "a1")      # ¥30 held, then spent
    voucher_order(ascend, 20, prog, a.id, "a2")             # ¥60 held
    voucher_order(ascend, 5, prog, b.id, "b1")              # ¥15 held
    consume(db.session, paid.id)
    db.session.commit()
    everyone = program_sums(db.session, prog.id)
    assert (everyone.held, everyone.spent) == (Decimal("75.00"), Decimal("30.00"))
    assert remaining_budget(db.session, prog) == Decimal("895.00")
    year = db.session.scalar(db.select(LedgerEntry.year).limit(1))
    mine = company_sums(db.session, prog.id, a.id, year)
    assert (mine.held, mine.spent, mine.committed) == (Decimal("60.00"), Decimal("30.00"), Decimal("90.00"))
    assert company_sums(db.session, prog.id, a.id, year - 1).committed == Decimal(0)


def test_entitlement_needs_an_approved_application_in_the_programmes_regions(app):
    prog = program(cap_per_company_per_year="50000")
    registries = default_registries()
    pending, _ = company_with(prog, status=ApplicationStatus.PENDING)
    never, _ = company_with(prog, status=None)
    quota, _ = company_with(prog, quota="1200")
    elsewhere, _ = company_with(prog, region_id="cn-beijing")
    zhejiang, _ = company_with(prog, region_id="cn-jiaxing")  # the programme names the province
    assert not entitlement(db.session, prog, pending.id, registries).entitled
    assert entitlement(db.session, prog, never.id, registries).status is None
    granted = entitlement(db.session, prog, quota.id, registries)
    assert granted.entitled and granted.cap == Decimal("1200.00")
    assert entitlement(db.session, prog, zhejiang.id, registries).cap == Decimal("50000.00")
    outside = entitlement(db.session, prog, elsewhere.id, registries)
    assert outside.approved and not outside.entitled and outside.refusal == "region"
    with pytest.raises(NotEntitled) as refused:
        claim(db.session, prog.id, pending.id, [], registries, date(2026, 5, 1))
    assert refused.value.code == "not_approved"


def test_a_claim_refuses_a_company_share_above_the_one_seen_and_takes_a_smaller_one(ascend):
    prog = program(budget="50")
    company, _ = company_with(prog)
    other, _ = company_with(prog)
    voucher_order(ascend, 10, prog, other.id, "first")  # ¥30 of the ¥50
    registries = default_registries()
    lines = voucher_lines(db.session, company.id, [(db.session.get(Offer, ascend), Decimal("100.00"))], registries)
    with pytest.raises(ShareChanged) as grew:
        claim(db.session, prog.id, company.id, lines, registries, date(2026, 5, 1),
              company_seen=Decimal("65.00"), government_seen=Decimal("30.00"))
    db.session.rollback()
    assert (grew.value.old_company, grew.value.new_company) == (Decimal("65.00"), Decimal("75.00"))
    assert (grew.value.old_government, grew.value.new_government) == (Decimal("30.00"), Decimal("20.00"))
    _, split = claim(db.session, prog.id, company.id, lines, registries, date(2026, 5, 1),
                     company_seen=Decimal("80.00"))
    db.session.rollback()
    assert split.company == Decimal("75.00")
