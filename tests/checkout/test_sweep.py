"""Orders never hold machines forever: the sweep asks Stripe (here the sandbox) about each overdue
pending order, fulfils the paid ones once and releases the rest (their booked hours are free
again); a fresh order is left alone."""

import json
from datetime import timedelta

import pytest
import stripe
from sqlalchemy import update

from catalog.bookings import free_hours, next_start
from catalog.context import load_fx
from catalog.models import Offer, utcnow
from checkout.gateway import payment_service
from checkout.models import Order, Payment
from checkout.orders import Wanted, place_order
from checkout.payments import SESSION_LIFETIME_SECONDS
from checkout.sandbox import store
from checkout.sweep import sweep_orders
from extensions import db
from pricing.capacity import least_free
from tests.checkout.conftest import start_checkout as checkout_lines

OVERDUE = timedelta(seconds=SESSION_LIFETIME_SECONDS + 60)


@pytest.fixture()
def held(app):
    app.config["STRIPE_SANDBOX_HOLD_WEBHOOKS"] = True
    yield
    app.config.pop("STRIPE_SANDBOX_HOLD_WEBHOOKS")


def _age(session_id: str | None = None, order_id: int | None = None, by: timedelta = OVERDUE) -> None:
    """Make an order look created `by` ago (its session keeps Stripe's own expiry)."""
    where = Order.stripe_session_id == session_id if session_id else Order.id == order_id
    db.session.execute(update(Order).where(where).values(created_at=utcnow() - by))
    db.session.commit()


HOURS = 3  # every line here runs 3 hours from the next whole hour


def start_checkout(client, offer_id: int, machines: int) -> str:
    return checkout_lines(client, offer_id, quantity=HOURS, instances=machines)


def _free(offer_id: int) -> int:
    """Machines of the offer free over every hour the lines here book."""
    start = next_start()
    return least_free(free_hours(db.session, db.session.get(Offer, offer_id), start, start + timedelta(hours=HOURS)))


def _sweep() -> dict:
    counts = sweep_orders(db.session, payment_service(), utcnow())
    db.session.expire_all()
    return counts


def _status(session_id: str) -> str:
    return db.session.scalar(db.select(Order.status).where(Order.stripe_session_id == session_id))


def test_paid_at_stripe_with_the_webhook_lost_is_fulfilled_once(app, make_offer, held):
    offer_id = make_offer(stock=5)
    session_id = start_checkout(app.test_client(), offer_id, machines=2)
    store.pay(session_id)  # the completed event is never delivered
    db.session.commit()
    _age(session_id)
    counts = _sweep()
    assert (counts["due"], counts["fulfilled"], counts["released"]) == (1, 1, 0)
    assert _status(session_id) == "paid"
    assert _free(offer_id) == 3  # sold, not released
    assert [line.delivery_state for line in db.session.scalar(db.select(Order)).lines] == ["paid"]
    # A second sweep finds nothing pending; one payment, whoever asks.
    assert _sweep()["due"] == 0
    assert db.session.query(Payment).count() == 1


def test_expired_at_stripe_without_the_webhook_frees_the_booked_machines(app, make_offer, held):
    offer_id = make_offer(stock=5)
    session_id = start_checkout(app.test_client(), offer_id, machines=4)
    store.expire(session_id)  # Stripe expired it; the checkout.session.expired webhook is lost
    db.session.commit()
    assert _free(offer_id) == 1
    _age(session_id)
    assert _sweep()["released"] == 1
    assert _status(session_id) == "expired"
    assert _free(offer_id) == 5
    assert _sweep()["due"] == 0  # released once


@pytest.mark.parametrize("webhooks", ["delivered", "held"])
def test_an_open_session_past_the_order_lifetime_is_expired_at_stripe_then_released(app, make_offer, webhooks):
    app.config["STRIPE_SANDBOX_HOLD_WEBHOOKS"] = webhooks == "held"
    try:
        offer_id = make_offer(stock=5)
        session_id = start_checkout(app.test_client(), offer_id, machines=2)
        _age(session_id)
        counts = _sweep()
    finally:
        app.config.pop("STRIPE_SANDBOX_HOLD_WEBHOOKS")
    assert (counts["released"], counts["expired_at_stripe"]) == (1, 1)
    assert store.get_session(session_id).data["status"] == "expired"  # it can no longer be paid
    assert _status(session_id) == "expired"
    assert _free(offer_id) == 5


def test_an_order_whose_session_was_never_created_is_released_after_the_expiry(app, make_offer):
    offer_id = make_offer(stock=5)
    order = place_order(db.session, [Wanted(offer_id, instances=3, hours=HOURS)], email="b@example.cn", user_id=None,
                        checkout_token="t" * 24, fx=load_fx(db.session))
    order_id = order.id
    # Not yet past the time a session would live: the buyer may still pay.
    _age(order_id=order_id, by=timedelta(seconds=SESSION_LIFETIME_SECONDS - 60))
    assert _sweep()["due"] == 0
    assert _free(offer_id) == 2
    _age(order_id=order_id)
    counts = _sweep()
    assert (counts["due"], counts["released"]) == (1, 1)
    assert db.session.get(Order, order_id).status == "expired"
    assert _free(offer_id) == 5


def test_an_order_that_lost_its_session_id_but_was_paid_is_fulfilled_not_released(app, make_offer, held):
    offer_id = make_offer(stock=5)
    session_id = start_checkout(app.test_client(), offer_id, machines=1)
    store.pay(session_id)
    db.session.commit()
    # The session was made and paid, but the order never recorded its id (a crash between the two).
    db.session.execute(update(Order).values(stripe_session_id=None, created_at=utcnow() - OVERDUE))
    db.session.commit()
    counts = _sweep()
    assert (counts["fulfilled"], counts["released"]) == (1, 0)
    assert db.session.scalar(db.select(Order)).status == "paid"
    assert _free(offer_id) == 4


def test_a_fresh_pending_order_is_untouched(app, make_offer, held):
    offer_id = make_offer(stock=5)
    session_id = start_checkout(app.test_client(), offer_id, machines=2)
    counts = _sweep()
    assert counts["due"] == 0 and sum(counts.values()) == 0
    assert _status(session_id) == "pending"
    assert store.get_session(session_id).data["status"] == "open"
    assert _free(offer_id) == 3


def test_the_cli_prints_each_order_and_a_json_summary(app, runner, make_offer, held):
    stale = start_checkout(app.test_client(), make_offer(stock=5), machines=1)
    store.expire(stale)
    db.session.commit()
    _age(stale)
    start_checkout(app.test_client(), make_offer(stock=5, sku="fresh"), machines=1)
    result = runner.invoke(args=["sweep-orders"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    stale_id = db.session.scalar(db.select(Order.id).where(Order.stripe_session_id == stale))
    assert lines[0] == f"order {stale_id}: released"
    summary = json.loads(lines[-1])
    assert (summary["due"], summary["released"], summary["errors"]) == (1, 1, 0)


def test_reconcile_payments_also_releases_an_expired_session_whose_webhook_was_lost(app, runner, make_offer, held):
    offer_id = make_offer(stock=5)
    session_id = start_checkout(app.test_client(), offer_id, machines=2)
    store.expire(session_id)
    db.session.commit()
    summary = json.loads(runner.invoke(args=["reconcile-payments"]).output.strip().splitlines()[-1])
    assert summary["released"] == 1
    db.session.expire_all()
    assert _status(session_id) == "expired"
    assert _free(offer_id) == 5


class _FailingFor:
    """The payment service, except that retrieving one session fails as a network error would."""

    def __init__(self, service, session_id):
        self.service, self.session_id = service, session_id

    def __getattr__(self, name):
        return getattr(self.service, name)

    def retrieve_session(self, session_id):
        if session_id == self.session_id:
            raise stripe.APIConnectionError("network down")
        return self.service.retrieve_session(session_id)


def test_one_order_stripe_cannot_answer_for_stays_pending_and_the_others_are_settled(app, make_offer, held):
    offer_id = make_offer(stock=5)
    unlucky = start_checkout(app.test_client(), offer_id, machines=1)
    expired = start_checkout(app.test_client(), offer_id, machines=1)
    for session_id in (unlucky, expired):
        store.expire(session_id)
        db.session.commit()
        _age(session_id)
    counts = sweep_orders(db.session, _FailingFor(payment_service(), unlucky), utcnow())
    db.session.expire_all()
    assert (counts["due"], counts["errors"], counts["released"]) == (2, 1, 1)
    assert (_status(unlucky), _status(expired)) == ("pending", "expired")
    assert _free(offer_id) == 4
    assert _sweep()["released"] == 1  # the next run settles it
    assert _free(offer_id) == 5
