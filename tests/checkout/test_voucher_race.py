"""200 voucher checkouts from 40 companies on 16 threads against a budget for about 50 (PostgreSQL).

Each checkout places its order under the programme (vouchers.claim locks the programme row), then is
paid through the real fulfilment, expired through the real close, or left pending. Whatever the
interleaving: the budget and every company's cap hold to the fen, the ledger balances per order,
and no order is paid with a government share it did not reserve.
"""

import random
import threading
from collections import defaultdict
from decimal import Decimal

import pytest

from catalog.context import load_fx
from catalog.models import Offer, Vendor
from checkout.fulfilment import Outcome, close_for_session, fulfil
from checkout.models import Order, OrderStatus, Payment
from checkout.orders import Wanted, place_order
from checkout.voucher_order import VoucherChoice
from extensions import db
from pricing.currency import to_minor_units
from tests.voucher_support import company_with, program
from vouchers.models import LedgerEntry

CHECKOUTS, COMPANIES, THREADS = 200, 40, 16
CAP = Decimal("100.00")  # the programme's cap per company and year: 3 orders of ~¥30 each
BUDGET = Decimal("1515.55")  # ~50 orders of ~¥30


@pytest.fixture()
def postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the voucher race needs PostgreSQL's row locks and concurrent writers: "
                    "set TEST_DATABASE_URL=postgresql://… (SQLite has one writer, so it cannot race)")


def _offers(n: int = 16) -> list[int]:
    """Ascend 910B at ¥10.00 a card-hour (30% government, 5% platform), unlimited stock, one vendor each: the offer locks must not be what serialises the checkouts."""
    ids = []
    for i in range(n):
        vendor = Vendor(slug=f"race-{i}", name_zh=f"竞速{i}", name_en=f"Race {i}")
        db.session.add(vendor)
        db.session.flush()
        offer = Offer(vendor_id=vendor.id, sku=f"race-{i}", kind="gpu", title=f"Ascend 910B race {i}",
                      billing="on_demand", stock=None, list_amount=Decimal("10.00"), list_currency="CNY",
                      list_unit="card_hour", unit_price=Decimal("10.00"), gpu_model="ascend-910b",
                      gpu_count=Decimal(1), gpu_memory_gb=Decimal(64), region="cn-hangzhou")
        db.session.add(offer)
        db.session.flush()
        ids.append(offer.id)
    db.session.commit()
    return ids


def test_200_checkouts_never_overspend_the_budget_or_a_cap(app, postgres):
    prog = program(budget=str(BUDGET), cap_per_company_per_year=str(CAP))
    companies = [company_with(prog)[0].id for _ in range(COMPANIES)]
    offers = _offers()
    rng = random.Random(15)
    # (n, company, offer, hours 8–12, what the buyer does next)
    plan = [(n, companies[n % COMPANIES], rng.choice(offers), rng.randint(8, 12),
             rng.choices(["pay", "expire", "leave"], weights=[7, 2, 1])[0]) for n in range(CHECKOUTS)]
    program_id = prog.id
    barrier, errors, outcomes, lock = threading.Barrier(THREADS), [], defaultdict(int), threading.Lock()

    def checkout(n, company_id, offer_id, hours, then) -> str:
        order = place_order(db.session, [Wanted(offer_id, instances=1, hours=hours)], email=f"{n}@co.cn",
                            user_id=None, checkout_token=f"race-{n}-0123456789", fx=load_fx(db.session),
                            voucher=VoucherChoice(program_id, company_id))
        stripe_session = {"id": f"cs_race_{n}", "metadata": {"order_id": str(order.id)}, "currency": "cny"}
        if then == "pay":
            paid = {**stripe_session, "payment_status": "paid", "status": "complete",
                    "amount_total": to_minor_units(order.amount_due, "CNY")}
            return fulfil(db.session, paid).value
        if then == "expire":
            return "expired" if close_for_session(db.session, {**stripe_session, "status": "expired"},
                                                  OrderStatus.EXPIRED) else "unchanged"
        return "left"

    def worker(chunk):
        with app.app_context():
            barrier.wait()
            for step in chunk:
                try:
                    outcome = checkout(*step)
                except Exception as exc:  # noqa: BLE001 - every failure is reported below
                    db.session.rollback()
                    outcome = "error"
                    with lock:
                        errors.append(f"{step}: {exc!r}")
                with lock:
                    outcomes[outcome] += 1
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(plan[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a checkout thread hung"
    assert errors == []
    db.session.expire_all()

    orders = {o.id: o for o in db.session.scalars(db.select(Order))}
    assert len(orders) == CHECKOUTS
    assert outcomes[Outcome.FULFILLED.value] == sum(1 for step in plan if step[4] == "pay")
    entries = db.session.scalars(db.select(LedgerEntry)).all()
    by_order: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for e in entries:
        by_order[e.order_id][e.movement] = e.amount

    def total(movement: str, company_id: int | None = None) -> Decimal:
        return sum((e.amount for e in entries if e.movement == movement
                    and (company_id is None or e.company_id == company_id)), Decimal(0))

    # The budget, to the fen: what is spent, and what is spent or still held.
    assert total("consume") <= BUDGET
    assert total("reserve") - total("release") <= BUDGET
    # The race was real: the budget ran out, so later orders got less or nothing.
    assert BUDGET - (total("reserve") - total("release")) < Decimal("30.00")
    assert any(o.government_share == 0 for o in orders.values())
    # Every company within its cap.
    for company_id in companies:
        assert total("reserve", company_id) - total("release", company_id) <= CAP
    # The ledger balances order by order, and the order's status says which way it went.
    for order_id, order in orders.items():
        moved = by_order.get(order_id, {})
        if order.government_share == 0:
            assert moved == {}, order_id
            continue
        # No order carries a government share other than the one it reserved.
        assert moved.get("reserve") == order.government_share, order_id
        assert order.government_share + order.platform_share + order.company_share == order.total
        expected = {OrderStatus.PAID: {"reserve", "consume"}, OrderStatus.EXPIRED: {"reserve", "release"},
                    OrderStatus.PENDING: {"reserve"}}[order.status]
        assert set(moved) == expected, (order_id, order.status, moved)
        assert all(amount == moved["reserve"] for amount in moved.values())
    # Paid orders paid their company share, no more and no less.
    for payment in db.session.scalars(db.select(Payment)):
        assert payment.amount_total == to_minor_units(orders[payment.order_id].amount_due, "CNY")
