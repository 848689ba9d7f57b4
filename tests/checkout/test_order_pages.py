"""The sandbox's test payment page and the order pages: the page language, yuan (never fen), units in words."""

import re
from decimal import Decimal

import pytest
from flask_login import login_user

from accounts.models import User, VendorMember
from catalog.models import Offer
from checkout.models import Order
from extensions import db
from tests.checkout.conftest import start_checkout
from tests.web.test_every_page_translated import problems

VENDOR_TEXT = ("A100 80GB ×1", "a100-od", "tok-1", "month-1")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["测试支付", "合计（人民币）", "等待付款 · 未付款"]),
    ("en", ["Test payment", "Total (CNY)", "waiting for payment · not paid"]),
])
def test_the_sandbox_page_shows_yuan_in_the_page_language(client, make_offer, lang, words):
    client.set_cookie("lang", lang)  # the buyer's language when checking out is the payment page's
    session_id = start_checkout(client, make_offer(stock=1000, price="15.04"), quantity=100)
    page = client.get(f"/stripe-sandbox/pay/{session_id}").get_data(as_text=True)
    main = page[page.index("<main"):page.index("</main>")]
    assert re.search(r'id="sandbox-amount">¥1,504.00<', main)
    assert "150400" not in _text(main) and "1504 " not in _text(main)
    for said in words:
        assert said in _text(main)
    assert ("1 卡 × 100 小时" if lang == "zh" else "1 card × 100 hours") in _text(main)
    assert problems(page, lang, VENDOR_TEXT) == []


def _paid_order(client, offer_id, quantity):
    session_id = start_checkout(client, offer_id, quantity=quantity)
    client.post(f"/stripe-sandbox/pay/{session_id}")
    return db.session.scalar(db.select(Order).order_by(Order.id.desc()))


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["已支付", "1 卡 × 1,000 小时", "¥15,040.00"]),
    ("en", ["Paid", "1 card × 1,000 hours", "¥15,040.00"]),
])
def test_the_order_page_and_history_say_units_in_words_and_yuan(client, make_offer, lang, words):
    order = _paid_order(client, make_offer(stock=5000, price="15.04"), 1000)
    client.set_cookie("lang", lang)
    page = client.get(f"/orders/{order.token}").get_data(as_text=True)
    for said in words:
        assert said in _text(page)
    assert "off-peak-average" not in page  # a line at its unit price needs no average
    assert problems(page, lang, VENDOR_TEXT) == []
    history = client.get("/orders").get_data(as_text=True)
    assert words[0] in _text(history) and "¥15,040.00" in history
    assert problems(history, lang, VENDOR_TEXT) == []


@pytest.mark.parametrize(("lang", "unit", "billing", "quantity", "said"), [
    ("zh", "month", "monthly", 2, "1 台 × 2 个月"),
    ("en", "month", "monthly", 1, "1 machine × 1 whole month"),
    ("en", "token", "on_demand", 3, "3 packs of 1M tokens"),
    ("zh", "token", "on_demand", 3, "3 × 百万 tokens"),
])
def test_terms_and_token_packs_in_words(client, make_offer, lang, unit, billing, quantity, said):
    kind = "token" if unit == "token" else "gpu"
    offer_id = make_offer(stock=10, price="10", sku=f"{unit}-1" if unit == "month" else "tok-1", kind=kind,
                          billing=billing)
    if kind == "token":
        offer = db.session.get(Offer, offer_id)
        offer.list_unit, offer.input_price, offer.output_price = "1m_tokens", Decimal(10), Decimal(10)
        db.session.commit()
    else:
        offer = db.session.get(Offer, offer_id)
        offer.list_unit = "month"
        db.session.commit()
    order = _paid_order(client, offer_id, quantity)
    client.set_cookie("lang", lang)
    assert said in _text(client.get(f"/orders/{order.token}").get_data(as_text=True))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_vendors_orders_page_speaks_one_language(app, make_offer, lang):
    offer_id = make_offer(stock=5000, price="15.04")
    _paid_order(app.test_client(), offer_id, 1000)
    seller = User(email="seller@example.cn", password_hash="x")
    db.session.add(seller)
    db.session.commit()
    db.session.add(VendorMember(user_id=seller.id, vendor_id=db.session.get(Offer, offer_id).vendor_id))
    db.session.commit()
    from checkout.views import vendor_orders
    with app.test_request_context(f"/vendor/orders?lang={lang}"):
        login_user(seller)
        page = vendor_orders()
    assert ("1 卡 × 1,000 小时" if lang == "zh" else "1 card × 1,000 hours") in _text(page)
    assert "¥15,040.00" in page
    assert problems(page, lang, VENDOR_TEXT + ("seller@example.cn",)) == []


def test_a_payment_under_review_tells_the_buyer_what_happens_not_the_minor_units(client, make_offer):
    order = _paid_order(client, make_offer(stock=10, price="10"), 1)
    order.status, order.review_reason = "review", "paid 999 minor units, order total is 1000"
    db.session.commit()
    page = client.get(f"/orders/{order.token}").get_data(as_text=True)
    assert "人工核对" in page and "minor units" not in page
