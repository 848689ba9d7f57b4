"""A voucher order (spec §7) through the cart, the checkout, Stripe and the ledger."""

import re
from decimal import Decimal

import pytest

from checkout.gateway import payment_service
from checkout.models import Order
from checkout.sandbox import store
from extensions import db
from tests.catalog.factories import gpu_offer
from tests.checkout.conftest import event_payload, line, signed_post
from tests.stall_support import log_in
from tests.voucher_support import company_with, program, voucher_order
from vouchers.budget import remaining_budget
from vouchers.ledger import order_sums
from vouchers.models import ApplicationStatus, LedgerEntry, VoucherApplication


@pytest.fixture()
def ascend(app):
    """Ascend 910B at ¥10.00 a card-hour in Hangzhou: 30% government, 5% platform under hz-2026."""
    offer = gpu_offer("10.00", "ascend-910b", vendor_slug="autodl", region="cn-hangzhou")
    db.session.commit()
    return offer.id


@pytest.fixture()
def held(app):
    app.config["STRIPE_SANDBOX_HOLD_WEBHOOKS"] = True
    yield
    app.config.pop("STRIPE_SANDBOX_HOLD_WEBHOOKS")


def cart_page(client, offer_id: int, hours: int, program_code: str = "hz-2026") -> str:
    assert client.post("/cart/add", data=line(offer_id, hours)).status_code == 302
    client.set_cookie("lang", "en")
    response = client.get(f"/cart?program={program_code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def check_out(client, page: str):
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    form = {"email": "buyer@co.cn", "checkout_token": token}
    chosen = re.search(r'name="program" value="([^"]+)"', page)
    if chosen:
        form["program"] = chosen.group(1)
    return client.post("/checkout", data=form)


def ledger(order_id: int) -> list[str]:
    return list(db.session.scalars(db.select(LedgerEntry.movement).where(LedgerEntry.order_id == order_id)
                                   .order_by(LedgerEntry.id)))


def test_an_approved_company_sees_three_shares_and_stripe_charges_only_its_own(client, ascend):
    prog = program()
    _, owner = company_with(prog)
    log_in(client, owner)
    page = cart_page(client, ascend, 10)  # ¥100.00
    assert "Government ¥30.00 · Platform ¥5.00 · You pay ¥65.00" in page
    assert 'id="voucher-applied"' in page
    response = check_out(client, page)
    assert response.status_code == 303
    session_id = response.location.rsplit("/", 1)[1]
    assert store.get_session(session_id).data["amount_total"] == 6500
    # The item says it is the company's share, so ¥65.00 is not read as the compute's price.
    items = store.get_session(session_id).data["line_items_preview"]
    assert [item["name"].endswith("(your share after the voucher)") for item in items] == [True]
    order = db.session.scalar(db.select(Order))
    assert (order.total, order.government_share, order.platform_share, order.company_share) == (
        Decimal("100.00"), Decimal("30.00"), Decimal("5.00"), Decimal("65.00"))
    assert order.lines[0].voucher_rate == Decimal("0.3000") and order.lines[0].company_share == Decimal("65.00")
    assert ledger(order.id) == ["reserve"]
    # Paying 65.00 fulfils the order (the amount due, not the total) and spends the reservation.
    client.get(client.post(f"/stripe-sandbox/pay/{session_id}").location)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "paid"
    assert ledger(order.id) == ["reserve", "consume"]
    page = client.get(f"/orders/{order.token}").get_data(as_text=True)
    assert "Government ¥30.00 · Platform ¥5.00 · You pay ¥65.00" in page


def test_the_chinese_cart_says_the_shares_in_chinese(client, ascend):
    prog = program()
    _, owner = company_with(prog)
    log_in(client, owner)
    client.post("/cart/add", data=line(ascend, 10))
    client.set_cookie("lang", "zh")
    page = client.get("/cart?program=hz-2026").get_data(as_text=True)
    assert "政府补贴 ¥30.00 · 平台让利 ¥5.00 · 企业支付 ¥65.00" in page


@pytest.mark.parametrize("status", [ApplicationStatus.PENDING, None])
def test_an_unapproved_company_sees_what_it_would_be_and_pays_the_full_total(client, ascend, status):
    prog = program()
    _, owner = company_with(prog, status=status)
    log_in(client, owner)
    page = cart_page(client, ascend, 10)
    assert "Government ¥30.00 · Platform ¥5.00 · You pay ¥65.00" in page
    assert 'id="voucher-would-be"' in page and 'href="/vouchers/hz-2026"' in page
    assert 'name="program"' not in page.split('class="checkout-form"')[1]
    session_id = check_out(client, page).location.rsplit("/", 1)[1]
    assert store.get_session(session_id).data["amount_total"] == 10000
    order = db.session.scalar(db.select(Order))
    assert order.government_share is None and order.amount_due == Decimal("100.00")
    assert db.session.scalar(db.select(db.func.count(LedgerEntry.id))) == 0


def test_a_buyer_with_no_company_sees_what_it_would_be(client, ascend):
    program()
    page = cart_page(client, ascend, 10)
    assert "Government ¥30.00 · Platform ¥5.00 · You pay ¥65.00" in page and 'id="voucher-would-be"' in page


def test_a_programme_that_is_not_in_force_is_a_400_naming_the_field(client, ascend):
    program()
    client.post("/cart/add", data=line(ascend, 1))
    client.set_cookie("lang", "en")
    response = client.get("/cart?program=nope")
    assert response.status_code == 400 and "program" in response.get_data(as_text=True)


def test_a_company_refused_after_its_cart_page_places_no_order_and_reserves_nothing(client, ascend):
    prog = program()
    _, owner = company_with(prog)
    log_in(client, owner)
    page = cart_page(client, ascend, 10)
    db.session.execute(db.update(VoucherApplication).values(status=ApplicationStatus.REFUSED))
    db.session.commit()
    response = check_out(client, page)
    assert response.status_code == 302 and db.session.scalar(db.select(db.func.count(Order.id))) == 0
    assert "cannot use this voucher programme" in client.get("/cart").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(LedgerEntry.id))) == 0


def test_the_company_cap_limits_the_share_across_its_orders(app, ascend):
    prog = program()
    company, _ = company_with(prog, quota="40")
    first = voucher_order(ascend, 10, prog, company.id, "cap1")    # wants ¥30 of ¥40
    second = voucher_order(ascend, 10, prog, company.id, "cap2")   # wants ¥30, ¥10 left
    third = voucher_order(ascend, 10, prog, company.id, "cap3")    # nothing left
    assert [o.government_share for o in (first, second, third)] == [Decimal("30.00"), Decimal("10.00"), Decimal(0)]
    # The platform's share does not depend on the cap: the company pays the rest.
    assert [o.company_share for o in (first, second, third)] == [Decimal("65.00"), Decimal("85.00"), Decimal("95.00")]
    assert ledger(third.id) == []


def test_the_budget_limits_the_share_and_a_released_share_is_given_again(app, ascend):
    prog = program(budget="50")
    a, _ = company_with(prog)
    b, _ = company_with(prog)
    first = voucher_order(ascend, 10, prog, a.id, "bud1")   # ¥30
    second = voucher_order(ascend, 10, prog, b.id, "bud2")  # ¥20 left of ¥50
    assert (first.government_share, second.government_share) == (Decimal("30.00"), Decimal("20.00"))
    assert remaining_budget(db.session, prog) == Decimal(0)
    from checkout.orders import close_unpaid
    close_unpaid(db.session, first.id, "expired")
    db.session.commit()
    third = voucher_order(ascend, 10, prog, b.id, "bud3")
    assert third.government_share == Decimal("30.00") and remaining_budget(db.session, prog) == Decimal(0)


def test_a_line_at_an_affiliated_vendor_gets_no_share(app, ascend):
    from catalog.models import Offer
    prog = program()
    own_vendor = db.session.get(Offer, ascend).vendor
    company, _ = company_with(prog, vendors=[own_vendor])
    order = voucher_order(ascend, 10, prog, company.id, "own")
    assert (order.government_share, order.platform_share, order.company_share) == (0, 0, Decimal("100.00"))
    assert order.lines[0].voucher_rate == 0


def test_expiry_releases_the_reserved_share(client, ascend):
    prog = program(budget="1000")
    _, owner = company_with(prog)
    log_in(client, owner)
    session_id = check_out(client, cart_page(client, ascend, 10)).location.rsplit("/", 1)[1]
    assert remaining_budget(db.session, prog) == Decimal("970.00")
    assert payment_service().expire_session(session_id)["status"] == "expired"
    db.session.expire_all()
    order = db.session.scalar(db.select(Order))
    assert order.status == "expired" and ledger(order.id) == ["reserve", "release"]
    assert remaining_budget(db.session, prog) == Decimal("1000.00")


def test_a_failed_payment_releases_the_reserved_share(client, ascend, held):
    prog = program()
    _, owner = company_with(prog)
    log_in(client, owner)
    session_id = check_out(client, cart_page(client, ascend, 10)).location.rsplit("/", 1)[1]
    signed_post(client, event_payload(store.pay(session_id, asynchronous=True)))
    signed_post(client, event_payload(store.settle_async(session_id, succeeded=False)))
    db.session.expire_all()
    order = db.session.scalar(db.select(Order))
    assert order.status == "failed" and ledger(order.id) == ["reserve", "release"]
    assert order_sums(db.session, order.id).held == 0


def test_paying_the_full_total_of_a_voucher_order_is_flagged_and_spends_nothing(app, ascend):
    from checkout.fulfilment import Outcome, fulfil
    prog = program()
    company, _ = company_with(prog)
    order = voucher_order(ascend, 10, prog, company.id, "mismatch")
    paid = {"id": "cs_test_mismatch", "payment_status": "paid", "status": "complete", "amount_total": 10000,
            "currency": "cny", "metadata": {"order_id": str(order.id)}}
    assert fulfil(db.session, paid) is Outcome.REVIEW
    assert ledger(order.id) == ["reserve"]  # held until a person decides


def test_the_sweep_releases_the_share_of_an_order_nobody_paid(app, ascend):
    from datetime import timedelta

    from catalog.models import utcnow
    from checkout.payments import SESSION_LIFETIME_SECONDS
    from checkout.sweep import sweep_orders
    prog = program(budget="1000")
    company, _ = company_with(prog)
    order = voucher_order(ascend, 10, prog, company.id, "swept")  # no Checkout Session was ever made
    db.session.execute(db.update(Order).values(created_at=utcnow() - timedelta(seconds=SESSION_LIFETIME_SECONDS + 60)))
    db.session.commit()
    assert sweep_orders(db.session, payment_service(), utcnow())["released"] == 1
    assert ledger(order.id) == ["reserve", "release"] and remaining_budget(db.session, prog) == Decimal("1000.00")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("status", [ApplicationStatus.APPROVED, ApplicationStatus.PENDING])
def test_the_voucher_cart_and_order_speak_one_language(client, ascend, lang, status):
    from tests.web.test_every_page_translated import problems
    prog = program()
    _, owner = company_with(prog, status=status)
    log_in(client, owner)
    page = cart_page(client, ascend, 10)
    client.set_cookie("lang", lang)
    page = client.get("/cart?program=hz-2026").get_data(as_text=True)
    # The vendor's own words (offer title, vendor slug) and the programme's code in the link are not ours.
    assert problems(page, lang, ("ascend-910b x1", "autodl", "Ascend")) == []
    check_out(client, page)
    order = db.session.scalar(db.select(Order))
    assert problems(client.get(f"/orders/{order.token}").get_data(as_text=True), lang,
                    ("ascend-910b x1", "autodl", "Ascend", order.email)) == []


def test_a_programme_posted_by_a_buyer_with_no_company_orders_nothing(client, ascend):
    program()
    page = cart_page(client, ascend, 10)
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    response = client.post("/checkout", data={"email": "b@co.cn", "checkout_token": token, "program": "hz-2026"})
    assert response.status_code == 302 and db.session.scalar(db.select(db.func.count(Order.id))) == 0


def test_an_unknown_programme_posted_at_checkout_is_a_400(client, ascend):
    program()
    page = cart_page(client, ascend, 10)
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    response = client.post("/checkout", data={"email": "b@co.cn", "checkout_token": token, "program": "nope"})
    assert response.status_code == 400 and "program" in response.get_data(as_text=True)


@pytest.mark.parametrize("lang, said", [
    ("en", "The voucher share changed: you pay ¥65.00 → ¥75.00 (the budget or your cap was used by other orders)"),
    ("zh", "算力券补贴已变化：企业支付 ¥65.00 → ¥75.00（预算或额度已被其他订单使用）")])
def test_a_share_used_up_after_the_cart_page_stops_checkout_until_the_buyer_sees_it(client, ascend, lang, said):
    prog = program(budget="50")
    _, owner = company_with(prog)
    other, _ = company_with(prog)
    log_in(client, owner)
    page = cart_page(client, ascend, 10)  # ¥100.00
    assert "Government ¥30.00 · Platform ¥5.00 · You pay ¥65.00" in page
    first = voucher_order(ascend, 10, prog, other.id, "other")  # ¥30 of the ¥50: ¥20 left for the buyer
    assert first.government_share == Decimal("30.00")
    client.set_cookie("lang", lang)
    response = check_out(client, page)
    assert response.status_code == 409
    stopped = response.get_data(as_text=True)
    assert said in stopped
    from tests.web.test_every_page_translated import problems
    assert problems(stopped, lang, ("ascend-910b x1", "autodl", "Ascend", "buyer@co.cn")) == []
    # Nothing of the buyer's order was written: only the other company's order and its reservation exist.
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 1
    assert db.session.scalar(db.select(db.func.count(LedgerEntry.id))) == 1
    assert 'id="confirm-new-share"' in stopped
    response = check_out(client, stopped)
    assert response.status_code == 303
    session_id = response.location.rsplit("/", 1)[1]
    assert store.get_session(session_id).data["amount_total"] == 7500
    order = db.session.scalar(db.select(Order).where(Order.id != first.id))
    assert (order.total, order.government_share, order.platform_share, order.company_share) == (
        Decimal("100.00"), Decimal("20.00"), Decimal("5.00"), Decimal("75.00"))
    assert ledger(order.id) == ["reserve"] and order_sums(db.session, order.id).held == Decimal("20.00")


def test_a_larger_subsidy_than_the_cart_page_showed_goes_through(client, ascend):
    prog = program(budget="50")
    _, owner = company_with(prog)
    other, _ = company_with(prog)
    first = voucher_order(ascend, 10, prog, other.id, "other")  # ¥30 of the ¥50
    log_in(client, owner)
    page = cart_page(client, ascend, 10)
    assert "Government ¥20.00 · Platform ¥5.00 · You pay ¥75.00" in page
    from checkout.orders import close_unpaid
    close_unpaid(db.session, first.id, "expired")  # its ¥30 goes back to the budget
    db.session.commit()
    response = check_out(client, page)
    assert response.status_code == 303
    assert store.get_session(response.location.rsplit("/", 1)[1]).data["amount_total"] == 6500
    order = db.session.scalar(db.select(Order).where(Order.id != first.id))
    assert (order.government_share, order.company_share) == (Decimal("30.00"), Decimal("65.00"))


def test_a_cart_page_kept_before_shares_were_kept_checks_no_share(client, ascend):
    """A quote row of the old shape (the bare list of lines) reads as no share seen: checkout splits as it stands."""
    from checkout.models import CheckoutQuote
    prog = program(budget="50")
    _, owner = company_with(prog)
    other, _ = company_with(prog)
    log_in(client, owner)
    page = cart_page(client, ascend, 10)
    quote = db.session.scalar(db.select(CheckoutQuote))
    quote.lines = quote.lines["lines"]
    db.session.commit()
    voucher_order(ascend, 10, prog, other.id, "other")
    response = check_out(client, page)
    assert response.status_code == 303
    assert store.get_session(response.location.rsplit("/", 1)[1]).data["amount_total"] == 7500
