"""reconcile-payments repairs a paid session whose webhook never came."""

import json

from checkout.models import Order, Payment
from checkout.sandbox import store
from extensions import db
from tests.checkout.conftest import start_checkout


def test_reconcile_fulfils_a_paid_session_without_webhook_and_is_idempotent(app, client, runner, make_offer):
    app.config["STRIPE_SANDBOX_HOLD_WEBHOOKS"] = True
    try:
        paid = start_checkout(client, make_offer(stock=5), quantity=1)
        store.pay(paid)  # paid at Stripe, webhook lost
        start_checkout(app.test_client(), make_offer(sku="other"), quantity=1)  # open, unpaid
    finally:
        app.config.pop("STRIPE_SANDBOX_HOLD_WEBHOOKS")
    result = runner.invoke(args=["reconcile-payments", "--since", "1d"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert (summary["sessions"], summary["fulfilled"], summary["unpaid"]) == (2, 1, 1)
    db.session.expire_all()
    statuses = {o.stripe_session_id: o.status for o in db.session.scalars(db.select(Order))}
    assert statuses[paid] == "paid"
    again = json.loads(runner.invoke(args=["reconcile-payments"]).output.strip().splitlines()[-1])
    assert again["fulfilled"] == 0 and again["already"] == 1
    assert db.session.query(Payment).count() == 1


def test_reconcile_rejects_a_bad_since(runner):
    assert runner.invoke(args=["reconcile-payments", "--since", "yesterday-ish"]).exit_code != 0
