"""The webhook endpoint trusts only correctly signed raw bodies, and each event once."""

import json
import time

import pytest

from checkout.models import Order, Payment, StripeEvent
from checkout.sandbox import store
from checkout.sandbox.signer import signature_header
from extensions import db
from tests.checkout.conftest import event_payload, fake_event, line, signed_post, start_checkout


@pytest.fixture()
def paid_event(app, client, make_offer):
    app.config["STRIPE_SANDBOX_HOLD_WEBHOOKS"] = True
    yield store.pay(start_checkout(client, make_offer(stock=10)))
    app.config.pop("STRIPE_SANDBOX_HOLD_WEBHOOKS")


def _nothing_changed():
    assert db.session.scalar(db.select(Order)).status == "pending"
    assert db.session.query(Payment).count() == 0
    assert db.session.query(StripeEvent).count() == 0


def test_missing_signature_header_is_400(client, paid_event):
    assert signed_post(client, event_payload(paid_event), header=False).status_code == 400
    _nothing_changed()


def test_wrong_secret_is_400(client, paid_event):
    assert signed_post(client, event_payload(paid_event), secret="whsec_someone_else").status_code == 400
    _nothing_changed()


def test_stale_timestamp_is_400(client, paid_event):
    # Stripe's default tolerance is 300 s.
    assert signed_post(client, event_payload(paid_event), timestamp=int(time.time()) - 301).status_code == 400
    _nothing_changed()


def test_reserialized_body_is_400(app, client, paid_event):
    from checkout.webhook_secret import webhook_secret

    payload = event_payload(paid_event)
    header = signature_header(payload, webhook_secret(app))
    reserialized = json.dumps(json.loads(payload), separators=(",", ":"))  # same data, other bytes
    assert signed_post(client, reserialized, header=header).status_code == 400
    _nothing_changed()


def test_garbage_payload_is_400(client, paid_event):
    assert signed_post(client, "not json").status_code == 400
    _nothing_changed()


def test_a_correct_signature_fulfils(client, paid_event):
    response = signed_post(client, event_payload(paid_event))
    assert response.status_code == 200
    assert response.get_json()["result"] == "fulfilled"
    assert db.session.scalar(db.select(Order)).status == "paid"


def test_unknown_event_types_are_acknowledged_and_ignored(client):
    response = signed_post(client, fake_event("customer.created", {"id": "cus_1"}))
    assert response.status_code == 200 and response.get_json()["result"] == "ignored"
    assert db.session.query(StripeEvent).count() == 1


def test_an_event_id_is_recorded_once(client, paid_event):
    payload = event_payload(paid_event)
    first, second = signed_post(client, payload), signed_post(client, payload)
    assert first.status_code == second.status_code == 200
    assert second.get_json()["duplicate"] is True
    assert db.session.query(StripeEvent).count() == 1
    assert db.session.query(Payment).count() == 1


def test_webhook_needs_no_csrf_token_but_forms_do(app, client, paid_event, make_offer):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert signed_post(client, event_payload(paid_event)).status_code == 200
        assert client.post("/cart/add", data=line(make_offer(sku="other"), 1)).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _session_object(**changes):
    obj = {"id": "cs_test_forged", "object": "checkout.session", "payment_status": "paid", "status": "complete",
           "currency": "cny", "amount_total": 3360, "metadata": {"order_id": "1"}}
    return {**obj, **changes}


def _event(data) -> str:
    return json.dumps({"id": "evt_forged", "object": "event", "type": "checkout.session.completed", "data": data})


MALFORMED = {
    "no data": json.dumps({"id": "evt_forged", "object": "event", "type": "checkout.session.completed"}),
    "data.object a string": _event({"object": "cs_test_forged"}),
    "data a list": _event([]),
    "a list": "[]",
    "a number": "7",
    "no id": json.dumps({"type": "checkout.session.completed", "data": {"object": _session_object()}}),
    "id not a string": json.dumps({"id": 5, "type": "checkout.session.completed",
                                   "data": {"object": _session_object()}}),
    "type not a string": json.dumps({"id": "evt_forged", "type": ["x"], "data": {"object": _session_object()}}),
    "23-digit order id": _event({"object": _session_object(metadata={"order_id": "1" * 23})}),
    "order id not a number": _event({"object": _session_object(metadata={"order_id": "²"})}),
    "metadata a list": _event({"object": _session_object(metadata=["1"])}),
    "session without id": _event({"object": {k: v for k, v in _session_object().items() if k != "id"}}),
    "session id a dict": _event({"object": _session_object(id={"a": 1})}),
    "session id too long": _event({"object": _session_object(id="cs_" + "x" * 300)}),
    "amount a string": _event({"object": _session_object(amount_total="3360")}),
    "amount past INTEGER": _event({"object": _session_object(amount_total=2**40)}),
    "currency of 5 letters": _event({"object": _session_object(currency="cnyxx")}),
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "not UTF-8": None,
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_correctly_signed_malformed_event_is_400_and_records_nothing(app, client, paid_event, name):
    from checkout.webhook_secret import webhook_secret

    payload = MALFORMED[name]
    if payload is None:
        body = b'{"id": "evt_\xff"}'
        header = signature_header(body.decode("latin-1"), webhook_secret(app))  # signed over other bytes anyway
        response = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": header})
    else:
        response = signed_post(client, payload, secret=webhook_secret(app))
    assert response.status_code == 400, name
    assert response.get_json()["error"]["code"] == "bad_payload"
    _nothing_changed()
