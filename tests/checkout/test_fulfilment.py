"""One paid session, one fulfilled order: however often, in whatever order, from however many threads."""

import random
import threading

import pytest

from catalog.bookings import Booking
from catalog.models import Offer
from checkout.fulfilment import fulfil
from checkout.gateway import payment_service
from checkout.models import Order, Payment, StripeEvent
from checkout.sandbox import store
from extensions import db
from tests.checkout.conftest import event_payload, signed_post, start_checkout


def booking_states(offer_id: int) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Booking.state).where(Booking.offer_id == offer_id).order_by(Booking.id)))


@pytest.fixture()
def held(app):
    app.config["STRIPE_SANDBOX_HOLD_WEBHOOKS"] = True
    yield
    app.config.pop("STRIPE_SANDBOX_HOLD_WEBHOOKS")


def test_a_session_paid_once_yields_one_paid_order(client, make_offer):
    offer_id = make_offer(stock=10)
    session_id = start_checkout(client, offer_id, quantity=3)
    # The hosted page's Pay sends the signed webhook itself, then the success page runs too.
    response = client.post(f"/stripe-sandbox/pay/{session_id}")
    client.get(response.location)
    orders = db.session.scalars(db.select(Order)).all()
    assert [o.status for o in orders] == ["paid"]
    assert db.session.query(Payment).count() == 1
    assert booking_states(offer_id) == ["confirmed"]


def test_events_replayed_three_times_shuffled_from_8_threads_fulfil_each_session_once(app, make_offer, held):
    offer_id = make_offer(stock=100)
    events = []
    for i in range(4):
        buyer = app.test_client()
        session_id = start_checkout(buyer, offer_id, quantity=2, email=f"b{i}@example.cn")
        events.append(store.pay(session_id))
    expired_too = store.expire(start_checkout(app.test_client(), offer_id, quantity=1))[1]
    payloads = [event_payload(e) for e in [*events, expired_too]] * 3
    random.Random(7).shuffle(payloads)
    barrier, statuses, lock = threading.Barrier(8), [], threading.Lock()

    def worker(chunk):
        client = app.test_client()
        barrier.wait()
        for payload in chunk:
            code = signed_post(client, payload).status_code
            with lock:
                statuses.append(code)

    threads = [threading.Thread(target=worker, args=(payloads[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert statuses == [200] * len(payloads)
    db.session.expire_all()
    orders = db.session.scalars(db.select(Order).order_by(Order.id)).all()
    assert [o.status for o in orders] == ["paid"] * 4 + ["expired"]
    assert db.session.query(Payment).count() == 4
    assert sorted(p.stripe_session_id for p in db.session.scalars(db.select(Payment))) == sorted(
        e.data["data"]["object"]["id"] for e in events)
    assert db.session.query(StripeEvent).count() == 5
    # The paid orders' hours stay held for good; the expired order's hours are free again.
    assert booking_states(offer_id) == ["confirmed"] * 4 + ["released"]
    assert db.session.get(Offer, offer_id).stock == 100


def test_webhook_and_success_page_at_once_fulfil_once(app, make_offer, held):
    session_id = start_checkout(app.test_client(), make_offer(stock=5), quantity=1)
    payload = event_payload(store.pay(session_id))
    barrier = threading.Barrier(8)
    results = []

    def by_webhook():
        client = app.test_client()
        barrier.wait()
        results.append(signed_post(client, payload).status_code)

    def by_success_page():
        client = app.test_client()
        barrier.wait()
        results.append(client.get(f"/checkout/success?session_id={session_id}").status_code)

    threads = [threading.Thread(target=by_webhook if i % 2 else by_success_page) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results) == [200] * 4 + [302] * 4
    assert db.session.query(Payment).count() == 1
    db.session.expire_all()
    assert db.session.scalar(db.select(Order)).status == "paid"


def test_expired_after_completed_does_not_undo_the_payment(client, make_offer, held):
    offer_id = make_offer(stock=5)
    session_id = start_checkout(client, offer_id, quantity=2)
    completed = store.pay(session_id)
    session = store.get_session(session_id).data
    expired = store._event("checkout.session.expired", {**session, "status": "expired"})
    db.session.commit()
    assert signed_post(client, event_payload(completed)).status_code == 200
    assert signed_post(client, event_payload(expired)).get_json()["result"] == "unchanged"
    db.session.expire_all()
    assert db.session.scalar(db.select(Order)).status == "paid"
    assert booking_states(offer_id) == ["confirmed"]


def test_expired_releases_the_held_hours(client, make_offer):
    offer_id = make_offer(stock=5)
    session_id = start_checkout(client, offer_id, quantity=2)
    assert booking_states(offer_id) == ["held"]
    # Through stripe-python to the sandbox, which delivers checkout.session.expired.
    assert payment_service().expire_session(session_id)["status"] == "expired"
    db.session.expire_all()
    assert db.session.scalar(db.select(Order)).status == "expired"
    assert booking_states(offer_id) == ["released"]


def test_an_amount_mismatch_is_flagged_for_review_not_fulfilled(client, make_offer, held):
    session_id = start_checkout(client, make_offer(stock=5), quantity=2)
    store.pay(session_id)
    paid = {**store.get_session(session_id).data}
    assert fulfil(db.session, {**paid, "amount_total": paid["amount_total"] - 1}) == "review"
    order = db.session.scalar(db.select(Order))
    assert order.status == "review"
    assert "2239" in order.review_reason and "2240" in order.review_reason
    # A later correct delivery of the same session does not turn review into paid.
    assert fulfil(db.session, paid) == "already"
    assert db.session.scalar(db.select(Order)).status == "review"


def test_a_currency_mismatch_is_flagged(client, make_offer, held):
    session_id = start_checkout(client, make_offer(), quantity=1)
    store.pay(session_id)
    assert fulfil(db.session, {**store.get_session(session_id).data, "currency": "usd"}) == "review"


def test_async_payment_waits_then_succeeds(client, make_offer, held):
    session_id = start_checkout(client, make_offer(stock=5), quantity=1)
    completed = store.pay(session_id, asynchronous=True)
    assert signed_post(client, event_payload(completed)).get_json()["result"] == "unpaid"
    assert db.session.scalar(db.select(Order)).status == "pending"
    succeeded = store.settle_async(session_id, succeeded=True)
    assert signed_post(client, event_payload(succeeded)).get_json()["result"] == "fulfilled"
    db.session.expire_all()
    assert db.session.scalar(db.select(Order)).status == "paid"


def test_async_payment_failure_releases_the_held_hours(client, make_offer, held):
    offer_id = make_offer(stock=5)
    session_id = start_checkout(client, offer_id, quantity=4)
    signed_post(client, event_payload(store.pay(session_id, asynchronous=True)))
    signed_post(client, event_payload(store.settle_async(session_id, succeeded=False)))
    db.session.expire_all()
    assert db.session.scalar(db.select(Order)).status == "failed"
    assert booking_states(offer_id) == ["released"]
