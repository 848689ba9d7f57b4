"""POST /api/v1/vendor/orders/<line id>/deliver: the vendor API moves a paid line as the stall's form does,
through the same schema and record_step; the buyer and the stall see the same state."""

import re
from decimal import Decimal

import pytest

from accounts.api_keys import issue_key
from checkout.models import Delivery, OrderLine
from extensions import db
from tests.checkout.test_delivery import DELIVERED, _order, _vendor_client
from tests.stall_support import make_vendor_member
from tests.vendor_api_support import bearer, vendor_with_key


@pytest.fixture()
def keyed_seller(app):
    user, vendor = make_vendor_member("seller@example.cn", "acme")
    secret = issue_key(db.session, vendor, user.id, "delivery").secret
    db.session.commit()
    return user, secret


def _post(client, line_id: int, body, secret: str, **headers):
    return client.post(f"/api/v1/vendor/orders/{line_id}/deliver", json=body, headers=bearer(secret, **headers))


def test_a_line_delivered_through_the_api_shows_delivered_to_the_buyer_and_in_the_stall(app, client, make_offer,
                                                                                        keyed_seller):
    user, secret = keyed_seller
    order = _order(client, make_offer)
    line_id = order.lines[0].id
    listed = client.get("/api/v1/vendor/orders?status=paid", headers=bearer(secret)).json["items"]
    assert [(item["id"], item["delivery_state"]) for item in listed] == [(line_id, "paid")]
    delivering = _post(client, line_id, {"state": "delivering", "start": "2026-12-01T08:00"}, secret)
    assert delivering.status_code == 201, delivering.json
    assert delivering.json["line"]["delivery_state"] == "delivering"
    done = _post(client, line_id, {**DELIVERED, "amount": 216}, secret)
    assert done.status_code == 201, done.json
    assert done.json["delivery"]["amount"] == "216" and done.json["delivery"]["start"] == "2026-12-01T00:00:00Z"
    db.session.expire_all()
    line = db.session.get(OrderLine, line_id)
    assert line.delivery_state == "delivered"
    assert [(d.state, d.by_user_id) for d in line.deliveries] == [("delivering", user.id), ("delivered", user.id)]
    assert (line.deliveries[1].amount, line.deliveries[1].unit) == (Decimal("216"), "card_hour")
    order_page = client.get(f"/orders/{line.order.token}").text
    assert re.search(r'id="delivery-\d+"><span class="status delivery-delivered">已交付<', order_page)
    assert "ssh root@10.0.0.8" in order_page
    stall = _vendor_client(app, user).get("/stall/orders?state=delivered").text
    assert f"#{line.order_id}" in stall
    # The same step again records nothing; nothing follows delivered.
    again = _post(client, line_id, DELIVERED, secret)
    assert (again.status_code, again.json["recorded"]) == (200, False)
    late = _post(client, line_id, {"state": "delivering", "start": "2026-12-05T08:00"}, secret)
    assert (late.status_code, late.json["recorded"], late.json["line"]["delivery_state"]) == (200, False, "delivered")
    assert db.session.query(Delivery).count() == 2


def test_nothing_follows_delivered(client, make_offer, keyed_seller):
    _, secret = keyed_seller
    line_id = _order(client, make_offer).lines[0].id
    assert _post(client, line_id, DELIVERED, secret).status_code == 201  # straight from paid
    late = _post(client, line_id, {"state": "delivering", "start": "2026-12-05T08:00"}, secret)
    assert (late.status_code, late.json["error"]["code"]) == (409, "already_delivered")
    assert db.session.query(Delivery).count() == 1


@pytest.mark.parametrize("change, field", [
    ({"end": "2026-11-30T08:00"}, "end"),
    ({"amount": "-3"}, "amount"),
    ({"amount": None}, "amount"),
    ({"unit": "gpu"}, "unit"),
    ({"start": "tomorrow"}, "start"),
    ({"state": "lost"}, "state"),
    ({"notes": 12}, "notes"),
])
def test_a_bad_step_is_a_400_naming_the_field_and_records_nothing(client, make_offer, keyed_seller, change, field):
    _, secret = keyed_seller
    line_id = _order(client, make_offer).lines[0].id
    refused = _post(client, line_id, {**DELIVERED, **change}, secret)
    assert refused.status_code == 400, refused.json
    assert field in refused.json["error"]["details"] and field in refused.json["error"]["message"]
    db.session.expire_all()
    assert db.session.get(OrderLine, line_id).delivery_state == "paid"
    assert db.session.query(Delivery).count() == 0


def test_another_vendors_key_gets_a_404_and_an_unpaid_line_a_409(client, make_offer, keyed_seller):
    _, secret = keyed_seller
    line_id = _order(client, make_offer).lines[0].id
    _, _, other = vendor_with_key("beta@example.com", "beta")
    assert _post(client, line_id, DELIVERED, other).status_code == 404
    assert _post(client, 10**6, DELIVERED, secret).status_code == 404
    unpaid = _order(client, make_offer, pay=False, sku="second").lines[0].id
    refused = _post(client, unpaid, DELIVERED, secret)
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "not_paid")
    db.session.expire_all()
    assert db.session.get(OrderLine, line_id).delivery_state == "paid"


def test_an_idempotency_key_replays_the_first_answer(client, make_offer, keyed_seller):
    _, secret = keyed_seller
    line_id = _order(client, make_offer).lines[0].id
    first = _post(client, line_id, DELIVERED, secret, **{"Idempotency-Key": "d-1"})
    replay = _post(client, line_id, DELIVERED, secret, **{"Idempotency-Key": "d-1"})
    assert (first.status_code, replay.status_code) == (201, 201) and replay.json == first.json
    assert replay.headers.get("Idempotent-Replayed") == "true"
    other_body = _post(client, line_id, {**DELIVERED, "amount": "5"}, secret, **{"Idempotency-Key": "d-1"})
    assert other_body.status_code == 409
    assert db.session.query(Delivery).count() == 1
