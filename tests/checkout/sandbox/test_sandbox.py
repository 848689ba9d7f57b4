"""The sandbox answers stripe-python like Stripe does, and signs like Stripe does."""

import time

import pytest
import stripe

from checkout.gateway import payment_service
from checkout.sandbox import store
from checkout.sandbox.form_decode import decode
from checkout.sandbox.signer import signature_header
from extensions import db


def test_signature_header_is_what_stripe_python_computes():
    payload = '{"id": "evt_1", "object": "event"}'
    ours = signature_header(payload, "whsec_x", 1_700_000_000)
    assert ours == stripe.WebhookSignature.generate_signature_header(payload, "whsec_x", 1_700_000_000)
    assert stripe.WebhookSignature.verify_header(payload, ours, "whsec_x", tolerance=None)


def test_form_decoding_of_nested_params():
    assert decode([("line_items[0][price_data][currency]", "cny"), ("line_items[0][quantity]", "1"),
                   ("metadata[order_id]", "7"), ("types[0]", "a"), ("types[1]", "b")]) == {
        "line_items": [{"price_data": {"currency": "cny"}, "quantity": "1"}],
        "metadata": {"order_id": "7"}, "types": ["a", "b"]}


EXPIRES_AT = int(time.time()) + 3600  # fixed once: the same params must be byte-for-byte the same


def _params(amount=100):
    return {"mode": "payment", "success_url": "http://x/s", "cancel_url": "http://x/c",
            "expires_at": EXPIRES_AT,
            "line_items": [{"quantity": 1, "price_data": {"currency": "cny", "unit_amount": amount,
                                                           "product_data": {"name": "x"}}}]}


def test_idempotency_key_replays_the_same_session(app):
    client = payment_service().client
    first = client.v1.checkout.sessions.create(_params(), {"idempotency_key": "k1"})
    again = client.v1.checkout.sessions.create(_params(), {"idempotency_key": "k1"})
    assert first.id == again.id
    try:
        client.v1.checkout.sessions.create(_params(amount=200), {"idempotency_key": "k1"})
        raise AssertionError("a reused key with other params must fail")
    except stripe.IdempotencyError:
        pass
    assert db.session.query(store.SandboxSession).count() == 1


def test_errors_come_back_as_stripe_errors(app):
    client = payment_service().client
    bad = {**_params(), "expires_at": 1}
    try:
        client.v1.checkout.sessions.create(bad)
        raise AssertionError("expected an InvalidRequestError")
    except stripe.InvalidRequestError as exc:
        assert exc.param == "expires_at"
    try:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
        raise AssertionError("expected an InvalidRequestError")
    except stripe.InvalidRequestError as exc:
        assert exc.http_status == 404


def test_lists_page_through_with_starting_after(app):
    service = payment_service()
    ids = {service.client.v1.checkout.sessions.create(_params()).id for _ in range(3)}
    page = service.client.v1.checkout.sessions.list({"limit": 2})
    assert len(page.data) == 2 and page.has_more
    assert {s["id"] for s in service.list_sessions(since=None)} == ids


@pytest.mark.parametrize("auth", ["Bearer pk_live_x", "Bearer sk_test_anything", "Bearer sk_test_sandbox", "", "Basic x"])
def test_only_the_apps_own_key_lists_buyers_sessions(app, client, make_offer, auth):
    from tests.checkout.conftest import start_checkout

    start_checkout(client, make_offer(stock=5), email="someone@example.cn")
    response = client.get("/stripe-sandbox/v1/checkout/sessions", headers={"Authorization": auth})
    assert response.status_code == 401
    assert "someone@example.cn" not in response.get_data(as_text=True)
    assert client.post("/stripe-sandbox/v1/checkout/sessions", headers={"Authorization": auth}).status_code == 401
    # The app's own client, with the app's own key, still lists them (reconcile-payments needs it).
    assert [s["customer_email"] for s in payment_service().list_sessions(since=None)] == ["someone@example.cn"]


def test_a_session_past_expires_at_expires_by_itself_and_releases_stock(client, make_offer):
    from catalog.models import Offer
    from checkout.models import Order
    from checkout.sandbox.delivery import deliver
    from tests.checkout.conftest import start_checkout

    offer_id = make_offer(stock=5)
    session_id = start_checkout(client, offer_id, quantity=2)
    expires_at = store.get_session(session_id).data["expires_at"]
    assert store.expire_due(now=expires_at - 1) == []  # not yet
    events = store.expire_due(now=expires_at)
    assert [e.type for e in events] == ["checkout.session.expired"]
    assert deliver(events[0]) == [200]
    db.session.expire_all()
    assert db.session.scalar(db.select(Order)).status == "expired"
    assert db.session.get(Offer, offer_id).stock == 5
    assert store.get_session(session_id).data["status"] == "expired"
