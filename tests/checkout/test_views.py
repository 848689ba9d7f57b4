"""Pages a buyer and a vendor see: cart kept across log-in, order history, vendor orders."""

import pytest
from flask_login import login_user

from accounts.models import User, VendorMember
from catalog.models import Offer
from checkout.models import Cart
from extensions import db
from tests.checkout.conftest import line, start_checkout


def _user(email="u@example.cn"):
    user = User(email=email, password_hash="x")
    db.session.add(user)
    db.session.commit()
    return user


def test_the_logged_out_cart_joins_the_account_at_log_in(app, client, make_offer):
    offer_id = make_offer(stock=10)
    client.post("/cart/add", data=line(offer_id, 2))
    user = _user()
    with client.session_transaction() as flask_session:
        token = flask_session["cart_token"]
    with app.test_request_context():
        from flask import session
        session["cart_token"] = token
        login_user(user)
    cart = db.session.scalar(db.select(Cart).where(Cart.user_id == user.id))
    assert [(line.offer_id, line.quantity) for line in cart.lines] == [(offer_id, 2)]


def test_order_history_and_order_page_for_a_logged_out_buyer(client, make_offer):
    session_id = start_checkout(client, make_offer(stock=10), quantity=2)
    client.post(f"/stripe-sandbox/pay/{session_id}", follow_redirects=True)
    history = client.get("/orders").get_data(as_text=True)
    assert "#1" in history or "#" in history
    page = client.get("/orders").get_data(as_text=True)
    assert "已支付" in page
    assert "¥22.40" in page
    # Another browser sees no history.
    from flask import current_app
    assert "已支付" not in current_app.test_client().get("/orders").get_data(as_text=True)


def test_vendor_sees_orders_for_its_offers(app, make_offer):
    offer_id = make_offer(stock=10)
    start_checkout(app.test_client(), offer_id, quantity=3)
    seller = _user("seller@example.cn")
    db.session.add(VendorMember(user_id=seller.id, vendor_id=db.session.get(Offer, offer_id).vendor_id))
    db.session.commit()
    from checkout.views import vendor_orders
    with app.test_request_context("/vendor/orders"):
        login_user(seller)
        page = vendor_orders()
    assert "a100-od" in page and "¥33.60" in page, page[page.find("<main"):page.find("</main>")]


def test_checkout_needs_an_email(client, make_offer):
    client.post("/cart/add", data=line(make_offer(), 1))
    response = client.post("/checkout", data={"email": "nope", "checkout_token": "t" * 20}, follow_redirects=True)
    assert "邮箱" in response.get_data(as_text=True)


BAD_IDS = ["2147483648", "9223372036854775808", "9" * 5000, "²", "-1", "abc", ""]


@pytest.mark.parametrize("path", ["/cart/add", "/cart/update", "/cart/remove"])
@pytest.mark.parametrize("offer_id", BAD_IDS, ids=lambda v: v[:12] or "empty")
def test_an_offer_id_no_offer_can_have_is_a_400_naming_the_field(client, make_offer, path, offer_id):
    client.post("/cart/add", data=line(make_offer(stock=10), 1))
    response = client.post(path, data=line(offer_id, 1))
    assert response.status_code == 400
    assert "offer_id" in response.get_data(as_text=True)
    cart = db.session.scalar(db.select(Cart))
    assert [line.quantity for line in cart.lines] == [1]  # the cart is as it was
