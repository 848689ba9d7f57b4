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
    # On the origin the app's client calls the sandbox at outside a request (SANDBOX_PUBLIC_URL's default).
    return {"mode": "payment", "success_url": "http://127.0.0.1:5000/s", "cancel_url": "http://127.0.0.1:5000/c",
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


def test_a_session_past_expires_at_expires_by_itself_and_releases_its_hours(client, make_offer):
    from catalog.bookings import Booking
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
    assert db.session.scalars(db.select(Booking.state).where(Booking.offer_id == offer_id)).all() == ["released"]
    assert store.get_session(session_id).data["status"] == "expired"


def _api(app, client, method: str, path: str, **kwargs):
    headers = {"Authorization": f"Bearer {app.config['STRIPE_SANDBOX_API_KEY']}"}
    return client.open("/stripe-sandbox/v1" + path, method=method, headers=headers, **kwargs)


def _form(**changes) -> dict:
    form = {"mode": "payment", "success_url": "http://localhost/checkout/success",
            "cancel_url": "http://localhost/checkout/cancelled/x", "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": "cny", "line_items[0][price_data][unit_amount]": "100",
            "line_items[0][price_data][product_data][name]": "x"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


BAD_LISTS = [
    ("/checkout/sessions?limit=abc", "limit"),
    ("/checkout/sessions?limit=" + "9" * 5000, "limit"),
    ("/checkout/sessions?created=abc", "created"),
    ("/checkout/sessions?created[gte]=abc", "created[gte]"),
    ("/checkout/sessions?created[gte]=" + "9" * 30, "created[gte]"),
    ("/checkout/sessions?a=1&a[b]=2", "a"),
    ("/checkout/sessions?a[b]=2&a=1", "a"),
    ("/checkout/sessions?starting_after[x]=1", "starting_after"),
    ("/events?types[a]=1", "types"),
    ("/events?type[x]=1", "type"),
    ("/checkout/sessions?=1", ""),
    ("/checkout/sessions?" + "a" + "[b]" * 500 + "=1", "a"),
]


@pytest.mark.parametrize("path, param", BAD_LISTS, ids=[p[:40] for p, _ in BAD_LISTS])
def test_bad_list_parameters_are_a_400_in_stripes_shape(app, client, path, param):
    response = _api(app, client, "GET", path)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"] and error["param"] == param


BAD_CREATES = [
    ({"line_items[0]": "x", "line_items[0][quantity]": None, "line_items[0][price_data][currency]": None,
      "line_items[0][price_data][unit_amount]": None, "line_items[0][price_data][product_data][name]": None},
     "line_items[0]"),
    ({"line_items[0][price_data]": "x", "line_items[0][price_data][currency]": None,
      "line_items[0][price_data][unit_amount]": None, "line_items[0][price_data][product_data][name]": None},
     "line_items[0][price_data]"),
    ({"line_items[0][price_data][product_data]": "x", "line_items[0][price_data][product_data][name]": None},
     "line_items[0][price_data][product_data]"),
    ({"line_items[0][price_data][unit_amount]": "9" * 30}, "line_items[0][price_data][unit_amount]"),
    ({"line_items[0][quantity]": "²"}, "line_items[0][quantity]"),
    ({"line_items[x]": "1"}, "line_items"),
    ({"metadata": "x"}, "metadata"),
    ({"metadata[order_id][x]": "1"}, "metadata[order_id]"),
    ({"customer_email[x]": "a"}, "customer_email"),
    ({"success_url[x]": "http://localhost/"}, "success_url"),
    ({"mode[x]": "payment"}, "mode"),
]


@pytest.mark.parametrize("changes, param", BAD_CREATES, ids=[p for _, p in BAD_CREATES])
def test_bad_create_parameters_are_a_400_in_stripes_shape(app, client, changes, param):
    response = _api(app, client, "POST", "/checkout/sessions", data=_form(**changes))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"] and error["param"] == param
    assert db.session.query(store.SandboxSession).count() == 0


def test_a_well_formed_create_still_works(app, client):
    response = _api(app, client, "POST", "/checkout/sessions", data=_form())
    assert response.status_code == 200 and response.get_json()["amount_total"] == 100


FOREIGN = ["https://evil.example/x", "//evil.example/x", "http://localhost@evil.example/", "javascript:alert(1)",
           "http://localhost.evil.example/", "/checkout/success", "https://localhost/x", "http://localhost\\@evil.example/"]


@pytest.mark.parametrize("url", FOREIGN)
@pytest.mark.parametrize("param", ["success_url", "cancel_url"])
def test_success_and_cancel_urls_must_be_on_the_apps_own_origin(app, client, param, url):
    response = _api(app, client, "POST", "/checkout/sessions", data=_form(**{param: url}))
    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == param
    assert db.session.query(store.SandboxSession).count() == 0


@pytest.mark.parametrize("action", ["pay", "cancel"])
def test_the_hosted_page_never_redirects_off_site(app, client, action):
    session_id = _api(app, client, "POST", "/checkout/sessions", data=_form()).get_json()["id"]
    row = store.get_session(session_id)  # as if stored before the URLs were checked
    row.data = {**row.data, "success_url": "https://evil.example/s", "cancel_url": "https://evil.example/c"}
    db.session.commit()
    response = client.post(f"/stripe-sandbox/{action}/{session_id}")
    assert response.status_code == 303
    assert "evil" not in response.headers["Location"]
