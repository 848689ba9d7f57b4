"""The sandbox answers stripe-python like Stripe does, and signs like Stripe does."""

import time

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


def test_a_wrong_api_key_is_refused(client):
    response = client.post("/stripe-sandbox/v1/checkout/sessions", headers={"Authorization": "Bearer pk_live_x"})
    assert response.status_code == 401
