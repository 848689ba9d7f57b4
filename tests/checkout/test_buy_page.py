"""The buy page (contract C1): prefilled from the query, the server's arithmetic, refusals that name the limit."""

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.bookings import Booking, next_start
from checkout.models import CartLine, Order
from checkout.payments import session_params
from checkout.sandbox import store
from extensions import db
from tests.catalog.factories import gpu_offer, token_offer
from tests.checkout.conftest import line, start_checkout


def eight_cards(title=None):
    offer = gpu_offer("17.12", "h100-sxm", count="8", stock=2, title=title)
    offer.list_amount, offer.list_unit = Decimal("136.96"), "hour"  # ¥136.96 an hour for the 8-card machine
    db.session.commit()
    return offer


@pytest.mark.parametrize(("lang", "arith"), [
    ("zh", "8 卡 × 72 小时 × ¥17.12/卡时 = ¥9,861.12"),
    ("en", "8 cards × 72 hours × ¥17.12/card-hour = ¥9,861.12"),
])
def test_the_query_prefills_the_form_and_the_server_renders_the_arithmetic(client, lang, arith):
    offer = eight_cards()
    client.set_cookie("lang", lang)
    page = client.get(f"/cart/add/{offer.id}?instances=1&hours=72").text
    assert arith in page
    assert 'name="hours" value="72"' in page and 'name="instances" value="1"' in page


@pytest.mark.parametrize("query", ["instances=x&hours=-3", "instances=0&hours=1.5&start=yesterday",
                                   "hours=99999999999999999999", "start=2026-13-40T25:00"])
def test_invalid_prefill_values_are_ignored_never_an_error(client, query):
    offer = eight_cards()
    response = client.get(f"/cart/add/{offer.id}?{query}")
    assert response.status_code == 200
    assert "8 卡 × 1 小时 × ¥17.12/卡时 = ¥136.96" in response.text  # the defaults: one machine, one hour


def test_the_quote_fragment_follows_the_choices_and_names_the_limit(client):
    offer = eight_cards()
    fragment = client.get(f"/cart/quote/{offer.id}?instances=3&hours=10")
    assert fragment.headers["Cache-Control"] == "no-store"
    assert "此报价剩余 2 台（每台 8 卡）" in fragment.text
    assert "24 卡 × 10 小时" in fragment.text


def test_a_chosen_start_is_kept_and_shown_in_beijing_time(client):
    offer = eight_cards()
    start = next_start() + timedelta(days=2)
    local = (start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")
    client.post("/cart/add", data=line(offer.id, 72, start=local))
    cart_line = db.session.scalar(db.select(CartLine))
    assert (cart_line.starts_at, cart_line.instances, cart_line.hours, cart_line.quantity) == (start, 1, 72, 576)
    end_local = (start + timedelta(hours=80)).strftime("%Y-%m-%d %H:%M")
    assert end_local in client.get("/cart").text


@pytest.mark.parametrize(("start", "message"), [
    (-3, "该开始时间已过"),
    (400 * 24, "开始时间须在 365 天之内"),
])
def test_a_start_outside_what_the_offer_can_serve_is_refused_with_the_reason(client, start, message):
    offer = eight_cards()
    local = (next_start() + timedelta(hours=start + 8)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/cart/add", data=line(offer.id, 2, start=local), follow_redirects=True)
    assert message in response.text
    assert db.session.query(CartLine).count() == 0


def test_an_hour_booked_out_is_refused_naming_the_hour_and_what_is_left(client):
    offer = eight_cards()
    start = next_start() + timedelta(hours=5)
    db.session.add(Booking(offer_id=offer.id, instances=2, starts_at=start, ends_at=start + timedelta(hours=1)))
    db.session.commit()
    client.set_cookie("lang", "en")
    response = client.post("/cart/add", data=line(offer.id, 10), follow_redirects=True)
    assert "Only 0 machines of 8 cards left on this offer at " in response.text
    assert (start + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in response.text
    assert client.post("/cart/add", data=line(offer.id, 5)).status_code == 302  # the hours before it are free
    assert db.session.query(CartLine).count() == 1


def test_limits_are_said_in_the_page_language_with_their_numbers(client):
    offer = eight_cards()
    response = client.post("/cart/add", data=line(offer.id, 9000), follow_redirects=True)
    assert "每行最多 8,760 小时。" in response.text


def test_stripe_line_items_say_the_real_quantity_and_charge_the_snapshot_exactly(client):
    offer = eight_cards(title="RTX 4090")
    session_id = start_checkout(client, offer.id, quantity=72)
    order = db.session.scalar(db.select(Order))
    params = session_params(order, success_url="s", cancel_url="c")
    item = params["line_items"][0]
    assert item["quantity"] == 1 and item["price_data"]["unit_amount"] == 986112
    assert item["price_data"]["product_data"]["name"] == "RTX 4090 · 8 卡 × 72 小时"
    assert "8 cards × 72 hours" in item["price_data"]["product_data"]["description"]
    assert store.get_session(session_id).data["amount_total"] == 986112 == int(order.total * 100)
    order_page = client.get(f"/orders/{order.token}").text
    assert "8 卡 × 72 小时" in order_page and "北京时间" in order_page


def test_token_packs_are_bought_by_the_pack_with_no_hours_or_booking(client):
    offer = token_offer()  # US$2.50 in, $10 out per 1M tokens: blended 4.375 USD a pack
    db.session.commit()
    client.set_cookie("lang", "en")
    page = client.get(f"/cart/add/{offer.id}?packs=4").text
    assert 'name="packs" value="4"' in page and 'name="hours"' not in page
    assert "4 packs of 1M tokens × ¥31.06 per 1M tokens = ¥124.25" in page  # 4 × 4.375 × 7.1 = 124.25 exactly
    client.post("/cart/add", data=line(offer.id, 4))
    start_checkout(client, offer.id, quantity=4)
    order = db.session.scalar(db.select(Order))
    assert (order.total, order.lines[0].quantity, order.lines[0].starts_at) == (Decimal("124.25"), 4, None)
    assert db.session.query(Booking).count() == 0
