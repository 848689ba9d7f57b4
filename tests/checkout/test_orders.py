"""Orders are priced on the server, snapshot the offer, and never book an hour past its stock."""

import re
import threading
from datetime import timedelta
from decimal import Decimal

from catalog.bookings import LIVE, Booking, next_start
from catalog.context import load_fx
from catalog.models import Offer
from checkout.models import Order
from checkout.orders import OutOfStock, Wanted, place_order
from checkout.sandbox import store
from extensions import db
from tests.checkout.conftest import line, start_checkout


def _race(app, offer_id: int, asks: list[tuple[int, int, int]]) -> list[str]:
    """Each ask (start offset in hours, hours, instances) from its own thread and session, at once."""
    barrier, outcomes, lock = threading.Barrier(len(asks)), [], threading.Lock()
    start = next_start() + timedelta(hours=2)

    def buy(n, offset, hours, instances):
        with app.app_context():
            barrier.wait()
            try:
                place_order(db.session, [Wanted(offer_id, instances=instances, hours=hours,
                                                start=start + timedelta(hours=offset))],
                            email=f"{n}@example.cn", user_id=None, checkout_token=f"race-token-{n}-0123456789",
                            fx=load_fx(db.session))
                result = "ok"
            except OutOfStock:
                result = "out"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=buy, args=(n, *ask)) for n, ask in enumerate(asks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def _never_negative(offer_id: int) -> None:
    db.session.expire_all()
    offer = db.session.get(Offer, offer_id)
    bookings = db.session.scalars(db.select(Booking).where(Booking.state.in_(LIVE))).all()
    hours = {b.starts_at + timedelta(hours=i) for b in bookings for i in range(int((b.ends_at - b.starts_at) / timedelta(hours=1)))}
    for hour in hours:
        assert sum(b.instances for b in bookings if b.starts_at <= hour < b.ends_at) <= offer.stock


def test_buyers_racing_for_the_last_instance_over_overlapping_hours_exactly_one_wins(app, make_offer):
    # Stock 3, two instances already held over the whole range: one is left. Six buyers want it
    # over hour ranges that all share hour 5.
    offer_id = make_offer(stock=3)
    place_order(db.session, [Wanted(offer_id, instances=2, hours=30, start=next_start() + timedelta(hours=2))],
                email="first@example.cn", user_id=None, checkout_token="race-first-0123456789",
                fx=load_fx(db.session))
    outcomes = _race(app, offer_id, [(0, 6, 1), (5, 4, 1), (2, 8, 1), (4, 2, 1), (5, 1, 1), (3, 3, 1)])
    assert sorted(outcomes) == ["ok"] + ["out"] * 5
    assert db.session.query(Order).count() == 2
    _never_negative(offer_id)
    db.session.expire_all()
    assert db.session.get(Offer, offer_id).stock == 3  # bookings hold hours; the stock figure is the vendor's


def test_buyers_on_hours_that_do_not_overlap_all_win(app, make_offer):
    offer_id = make_offer(stock=1)
    outcomes = _race(app, offer_id, [(0, 2, 1), (2, 2, 1), (4, 2, 1), (6, 2, 1)])
    assert outcomes == ["ok"] * 4
    _never_negative(offer_id)


def test_sixteen_card_hours_are_accepted_on_an_offer_with_twelve_machines(client, make_offer):
    offer_id = make_offer(stock=12)
    start_checkout(client, offer_id, quantity=16)
    line_ = db.session.scalar(db.select(Order)).lines[0]
    assert (line_.quantity, line_.instances, line_.hours) == (16, 1, 16)
    assert (line_.ends_at - line_.starts_at) == timedelta(hours=16)
    db.session.expire_all()
    assert db.session.get(Offer, offer_id).stock == 12  # 16 card-hours no longer take 12 → 4


def test_a_double_submitted_checkout_makes_one_order_and_one_session(app, client, make_offer):
    offer_id = make_offer(stock=10)
    client.post("/cart/add", data=line(offer_id, 2))
    page = client.get("/cart").get_data(as_text=True)
    form = {"email": "a@example.cn",
            "checkout_token": re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)}
    first = client.post("/checkout", data=form)
    client.post("/cart/add", data=line(offer_id, 2))  # the cart is refilled meanwhile
    second = client.post("/checkout", data=form)
    assert first.location == second.location
    assert db.session.query(Order).count() == 1
    assert db.session.query(store.SandboxSession).count() == 1
    assert db.session.scalar(db.select(db.func.sum(Booking.instances))) == 1  # one machine held, once


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
    client.post("/cart/add", data=line(offer_id, 1, price="0.01", unit_amount="1"))
    start_checkout(client, offer_id, quantity=1)  # the same offer again: the line takes the latest choices
    assert store.get_session(db.session.scalar(db.select(Order)).stripe_session_id).data["amount_total"] == 1120


def test_more_machines_than_are_free_are_refused_at_the_cart_in_the_page_language(client, make_offer):
    offer_id = make_offer(stock=2)
    response = client.post("/cart/add", data=line(offer_id, 3, instances=3), follow_redirects=True)
    assert "此报价剩余 2 台（每台 1 卡）" in response.get_data(as_text=True)
    assert "cart-total" not in client.get("/cart").get_data(as_text=True)
    client.set_cookie("lang", "en")
    response = client.post("/cart/add", data=line(offer_id, 3, instances=3), follow_redirects=True)
    assert "Only 2 machines of 1 cards left on this offer" in response.get_data(as_text=True)


def test_another_buyers_checkout_token_opens_nothing_and_keeps_my_cart(app, client, make_offer):
    offer_id = make_offer(stock=10)
    client.post("/cart/add", data=line(offer_id, 2))
    page = client.get("/cart").get_data(as_text=True)  # the victim's checkout form
    victim_token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    assert client.post("/checkout", data={"email": "victim@example.cn", "checkout_token": victim_token}
                       ).status_code == 303
    victim_order = db.session.scalar(db.select(Order))

    other = app.test_client()  # another browser, which learnt the victim's token
    other.post("/cart/add", data=line(offer_id, 1))
    response = other.post("/checkout", data={"email": "thief@example.cn", "checkout_token": victim_token})
    assert response.status_code in (302, 303)
    assert victim_order.token not in response.location and victim_order.stripe_session_id not in response.location
    assert "victim@example.cn" not in other.get("/orders").get_data(as_text=True)
    assert victim_order.token not in other.get("/orders").get_data(as_text=True)
    cart = other.get("/cart").get_data(as_text=True)
    assert "cart-total" in cart  # the other buyer's line is still in their cart
    assert db.session.query(Order).count() == 1
