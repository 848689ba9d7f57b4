"""Orders are priced on the server, snapshot the offer, and never oversell stock."""

import re
import threading
from decimal import Decimal

from catalog.context import load_fx
from catalog.models import Offer
from checkout.models import Order
from checkout.orders import OutOfStock, Wanted, place_order
from checkout.sandbox import store
from extensions import db
from tests.checkout.conftest import start_checkout


def test_two_buyers_racing_for_the_last_units_never_take_stock_below_zero(app, make_offer):
    offer_id = make_offer(stock=3)
    barrier, outcomes = threading.Barrier(2), []

    def buy(n):
        with app.app_context():
            barrier.wait()
            try:
                place_order(db.session, [Wanted(offer_id, 2)], email=f"{n}@example.cn", user_id=None,
                            checkout_token=f"race-token-{n}-0123456789", fx=load_fx(db.session))
                outcomes.append("ok")
            except OutOfStock:
                outcomes.append("out")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "out"]
    db.session.expire_all()
    assert db.session.get(Offer, offer_id).stock == 1
    assert db.session.query(Order).count() == 1


def test_a_double_submitted_checkout_makes_one_order_and_one_session(app, client, make_offer):
    offer_id = make_offer(stock=10)
    client.post("/cart/add", data={"offer_id": offer_id, "quantity": 2})
    page = client.get("/cart").get_data(as_text=True)
    form = {"email": "a@example.cn",
            "checkout_token": re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)}
    first = client.post("/checkout", data=form)
    client.post("/cart/add", data={"offer_id": offer_id, "quantity": 2})  # the cart is refilled meanwhile
    second = client.post("/checkout", data=form)
    assert first.location == second.location
    assert db.session.query(Order).count() == 1
    assert db.session.query(store.SandboxSession).count() == 1
    assert db.session.get(Offer, offer_id).stock == 8


def test_stripe_is_charged_from_the_snapshot_not_from_todays_price(client, make_offer):
    offer_id = make_offer(stock=None, price="11.20")
    session_id = start_checkout(client, offer_id, quantity=3)
    offer = db.session.get(Offer, offer_id)
    offer.unit_price = Decimal("99")
    db.session.commit()
    session = store.get_session(session_id).data
    assert (session["amount_total"], session["currency"]) == (3360, "cny")
    order = db.session.scalar(db.select(Order))
    assert order.total == Decimal("33.60") and order.lines[0].normalized_price == Decimal("11.2")
    assert session["metadata"]["order_id"] == str(order.id)
    assert session["expires_at"] - session["created"] >= 30 * 60


def test_the_browser_cannot_set_a_price(client, make_offer):
    offer_id = make_offer(price="11.20")
    client.post("/cart/add", data={"offer_id": offer_id, "quantity": 1, "price": "0.01", "unit_amount": "1"})
    start_checkout(client, offer_id, quantity=1)
    assert store.get_session(db.session.scalar(db.select(Order)).stripe_session_id).data["amount_total"] == 2240


def test_a_quantity_above_stock_is_refused_at_the_cart(client, make_offer):
    offer_id = make_offer(stock=2)
    response = client.post("/cart/add", data={"offer_id": offer_id, "quantity": 3}, follow_redirects=True)
    assert "2" in response.get_data(as_text=True)
    assert "cart-total" not in client.get("/cart").get_data(as_text=True)


def test_another_buyers_checkout_token_opens_nothing_and_keeps_my_cart(app, client, make_offer):
    offer_id = make_offer(stock=10)
    client.post("/cart/add", data={"offer_id": offer_id, "quantity": 2})
    page = client.get("/cart").get_data(as_text=True)  # the victim's checkout form
    victim_token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    assert client.post("/checkout", data={"email": "victim@example.cn", "checkout_token": victim_token}
                       ).status_code == 303
    victim_order = db.session.scalar(db.select(Order))

    other = app.test_client()  # another browser, which learnt the victim's token
    other.post("/cart/add", data={"offer_id": offer_id, "quantity": 1})
    response = other.post("/checkout", data={"email": "thief@example.cn", "checkout_token": victim_token})
    assert response.status_code in (302, 303)
    assert victim_order.token not in response.location and victim_order.stripe_session_id not in response.location
    assert "victim@example.cn" not in other.get("/orders").get_data(as_text=True)
    assert victim_order.token not in other.get("/orders").get_data(as_text=True)
    cart = other.get("/cart").get_data(as_text=True)
    assert "cart-total" in cart  # the other buyer's line is still in their cart
    assert db.session.query(Order).count() == 1
