"""Between the cart page and checkout: a changed price stops checkout with old → new, and a
delisted or sold-out line stops it with what to do. Nothing is placed, no payment page is made."""

import re
from decimal import Decimal

import pytest

from catalog.bookings import Booking
from catalog.models import Offer
from checkout.models import Order
from checkout.sandbox.models import SandboxSession
from extensions import db
from tests.checkout.conftest import line
from tests.web.test_every_page_translated import problems

TOKEN = re.compile(r'name="checkout_token" value="([^"]+)"')


def _reprice(offer_id: int, price: str) -> None:
    offer = db.session.get(Offer, offer_id)
    offer.unit_price = offer.list_amount = Decimal(price)
    db.session.commit()


def _cart_token(client) -> str:
    return TOKEN.search(client.get("/cart").get_data(as_text=True)).group(1)


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["打开购物车之后价格有变", "未扣款，也未下单", "按新价格结算：¥5,500.00"]),
    ("en", ["Prices changed since you opened your cart", "Nothing was charged and no order was placed",
            "Check out at the new price: ¥5,500.00"]),
])
def test_a_price_raised_after_the_cart_page_stops_checkout_then_one_click_pays_the_new_price(
        client, make_offer, lang, words):
    client.set_cookie("lang", lang)
    offer_id = make_offer(stock=1000, price="10")
    client.post("/cart/add", data=line(offer_id, 500))
    token = _cart_token(client)  # the buyer sees ¥5,000.00
    _reprice(offer_id, "11")

    response = client.post("/checkout", data={"email": "buyer@example.cn", "checkout_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0
    assert db.session.scalar(db.select(db.func.count(SandboxSession.seq))) == 0
    notice = page[page.index('id="price-changes"'):page.index("</section>", page.index('id="price-changes"'))]
    row = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", notice))
    assert "¥5,000.00 → ¥5,500.00" in row
    assert "¥10.00 → ¥11.00" in row  # the unit price, too
    for said in words:
        assert said in page
    assert problems(page, lang, ("A100 80GB ×1 a100-od",)) == []
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 0  # no hours held

    confirm = re.search(r'<form[^>]*class="confirm-form".*?</form>', page, re.S).group(0)
    new_token = TOKEN.search(confirm).group(1)
    assert new_token != token
    assert 'name="email" value="buyer@example.cn"' in confirm
    paid = client.post("/checkout", data={"email": "buyer@example.cn", "checkout_token": new_token})
    assert paid.status_code == 303 and "/stripe-sandbox/pay/" in paid.location
    order = db.session.scalar(db.select(Order))
    assert order.total == Decimal("5500.00")
    session = db.session.scalar(db.select(SandboxSession))
    assert session.data["amount_total"] == 550000


def test_the_price_the_browser_sends_is_not_what_is_compared(client, make_offer):
    offer_id = make_offer(stock=10, price="10")
    client.post("/cart/add", data=line(offer_id, 2))
    token = _cart_token(client)
    _reprice(offer_id, "12")
    response = client.post("/checkout", data={"email": "b@example.cn", "checkout_token": token,
                                              "total": "24.00", "unit_amount": "12"})
    assert response.status_code == 409
    assert db.session.scalar(db.select(Order)) is None


def test_an_unchanged_cart_checks_out_and_a_double_submit_pays_one_order(client, make_offer):
    offer_id = make_offer(stock=10, price="10")
    client.post("/cart/add", data=line(offer_id, 2))
    token = _cart_token(client)
    first = client.post("/checkout", data={"email": "b@example.cn", "checkout_token": token})
    again = client.post("/checkout", data={"email": "b@example.cn", "checkout_token": token})
    assert first.status_code == again.status_code == 303
    assert first.location == again.location
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 1


def test_a_quantity_changed_in_another_tab_is_shown_before_paying(client, make_offer):
    offer_id = make_offer(stock=10, price="10")
    client.post("/cart/add", data=line(offer_id, 2))
    token = _cart_token(client)
    client.post("/cart/update", data=line(offer_id, 5))
    response = client.post("/checkout", data={"email": "b@example.cn", "checkout_token": token})
    assert response.status_code == 409
    assert "¥20.00" in response.text and "¥50.00" in response.text
    assert db.session.scalar(db.select(Order)) is None


def _set(offer_id, **values):
    offer = db.session.get(Offer, offer_id)
    for name, value in values.items():
        setattr(offer, name, value)
    db.session.commit()


@pytest.mark.parametrize(("change", "zh", "en"), [
    ({"status": "delisted"}, "已下架：请从购物车移除，或查看类似报价", "is no longer listed: remove it from your cart"),
    ({"stock": 0}, "已售罄：请从购物车移除，或查看类似报价", "is sold out: remove it from your cart"),
    ({"stock": 2}, "仅剩 2 台空闲：请把台数改为 2 或更少", "has only 2 machines free over this line's hours"),
])
def test_a_line_that_cannot_be_bought_is_marked_and_stops_checkout_with_the_same_words(
        client, make_offer, change, zh, en):
    offer_id = make_offer(stock=10, price="10", sku="h100-x")
    client.post("/cart/add", data=line(offer_id, 3, instances=3))  # 3 machines × 3 hours
    token = _cart_token(client)
    _set(offer_id, **change)

    cart = client.get("/cart").get_data(as_text=True)
    assert zh in cart and 'class="line-problem"' in cart
    assert "查看类似报价" in cart and "/offers?" in cart
    assert problems(cart, "zh", ("A100 80GB ×1 h100-x",)) == []
    english = client.get("/cart?lang=en").get_data(as_text=True)
    assert en in english
    assert problems(english, "en", ("A100 80GB ×1 h100-x",)) == []
    client.set_cookie("lang", "zh")

    response = client.post("/checkout", data={"email": "b@example.cn", "checkout_token": token},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "结算已在付款前停止" in page and zh in page
    assert "购物车内容已变化" not in page  # not the bare "Your cart changed"
    assert db.session.scalar(db.select(Order)) is None


def test_removing_the_marked_line_clears_the_mark(client, make_offer):
    offer_id = make_offer(stock=10, price="10")
    client.post("/cart/add", data=line(offer_id, 3))
    _set(offer_id, stock=0)
    client.post("/cart/remove", data={"offer_id": offer_id})
    assert 'id="line-problems"' not in client.get("/cart").get_data(as_text=True)


def test_a_price_change_waits_while_checkout_compares_and_places_the_order(client, make_offer, monkeypatch):
    """Between the comparison and the order's commit no re-pricing can land (PostgreSQL row locks)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: nothing can change a price in between")
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from checkout import views

    offer_id = make_offer(stock=10, price="10")
    client.post("/cart/add", data=line(offer_id, 2))
    token = _cart_token(client)
    attempts = []
    real_place_order = views.place_order

    def place_order_while_a_vendor_reprices(*args, **kwargs):
        with db.engine.connect() as other:
            other.execute(text("SET lock_timeout = '300ms'"))
            try:
                other.execute(text("UPDATE offers SET unit_price = 99 WHERE id = :id"), {"id": offer_id})
                attempts.append("changed")
            except OperationalError:
                attempts.append("waited")
            other.rollback()
        return real_place_order(*args, **kwargs)

    monkeypatch.setattr(views, "place_order", place_order_while_a_vendor_reprices)
    response = client.post("/checkout", data={"email": "b@example.cn", "checkout_token": token})
    assert response.status_code == 303
    assert attempts == ["waited"]
    assert db.session.scalar(db.select(Order)).total == Decimal("20.00")


def test_machines_another_order_booked_for_the_lines_hours_mark_the_line(app, client, make_offer):
    """Stock counts machines; what another order holds over the line's hours is not free."""
    from catalog.context import load_fx
    from checkout.orders import Wanted, place_order

    offer_id = make_offer(stock=3, price="10", sku="h100-x")
    client.post("/cart/add", data=line(offer_id, 4, instances=2))  # 2 machines × 4 hours, as soon as possible
    assert 'id="line-problems"' not in client.get("/cart").get_data(as_text=True)
    place_order(db.session, [Wanted(offer_id, instances=2, hours=2)], email="other@example.cn", user_id=None,
                checkout_token="o" * 24, fx=load_fx(db.session))

    cart = client.get("/cart").get_data(as_text=True)
    assert "仅剩 1 台空闲：请把台数改为 1 或更少" in cart
    token = _cart_token(client)
    response = client.post("/checkout", data={"email": "b@example.cn", "checkout_token": token},
                           follow_redirects=True)
    assert "结算已在付款前停止" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 1  # only the other buyer's
