"""Alerts fire from the outbox after any offer change: once per crossing, never twice for one."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from alerts.checker import check_alerts
from alerts.crossing import crossings
from alerts.models import AlertNotification, PriceAlert
from catalog.models import Offer
from extensions import db
from tests.alerts.support import make_alert, notifications
from tests.catalog import factories

PRICES = ["1.50", "1.99", "2.00", "2.01", "3.00"]


def _reprice(offer_id: int, price: str) -> None:
    offer = db.session.get(Offer, offer_id)
    offer.unit_price = Decimal(price)
    db.session.commit()


def _empty() -> None:
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


def test_alerts_sent_equal_the_downward_crossings(app):
    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(first=st.sampled_from(PRICES), seq=st.lists(st.sampled_from(PRICES), max_size=8),
           reruns=st.lists(st.booleans(), min_size=8, max_size=8))
    def run(first, seq, reruns):
        _empty()
        offer = factories.gpu_offer(first)
        db.session.commit()
        alert = make_alert(threshold="2.00")
        for price, again in zip(seq, reruns[:len(seq)], strict=True):
            _reprice(offer.id, price)
            check_alerts(db.session)
            if again:  # a retried or duplicate check finds nothing new
                check_alerts(db.session)
        expected = crossings([Decimal(p) for p in [first, *seq]], Decimal("2.00"))
        assert notifications(alert.id) == expected == db.session.get(PriceAlert, alert.id).crossings

    run()


def test_an_alert_on_a_price_already_below_fires_once_at_once(app):
    factories.gpu_offer("1.50")
    db.session.commit()
    alert = make_alert(threshold="2.00")
    assert notifications(alert.id) == 1
    check_alerts(db.session)
    assert notifications(alert.id) == 1


def test_the_cheapest_matching_offer_counts_and_others_do_not(app):
    cheap_elsewhere = factories.gpu_offer("1.00", region="cn-beijing")
    monthly = factories.gpu_offer("1.20", billing="monthly", region="cn-hangzhou")
    other_model = factories.gpu_offer("0.50", gpu_model="h100-sxm", region="cn-hangzhou")
    db.session.commit()
    alert = make_alert(threshold="2.00", region="cn-hangzhou", billing="on_demand")
    assert notifications(alert.id) == 0
    offer = factories.gpu_offer("3.00", region="cn-hangzhou")
    db.session.commit()
    check_alerts(db.session)
    assert notifications() == 0
    _reprice(offer.id, "1.80")
    check_alerts(db.session)
    note = db.session.query(AlertNotification).one()
    assert (note.price, note.offer_id, note.crossing) == (Decimal("1.80"), offer.id, 1)
    assert {cheap_elsewhere.id, monthly.id, other_model.id}.isdisjoint({note.offer_id})


def test_a_delisted_or_deleted_cheap_offer_arms_the_alert_again(app):
    offer = factories.gpu_offer("1.50")
    db.session.commit()
    alert = make_alert(threshold="2.00")
    offer.status = "delisted"
    db.session.commit()
    check_alerts(db.session)
    assert db.session.get(PriceAlert, alert.id).below is False
    again = factories.gpu_offer("1.90")
    db.session.commit()
    check_alerts(db.session)
    assert notifications(alert.id) == 2
    db.session.delete(again)
    db.session.commit()
    check_alerts(db.session)
    assert db.session.get(PriceAlert, alert.id).below is False


def test_one_crossing_cannot_be_notified_twice(app):
    factories.gpu_offer("1.50")
    db.session.commit()
    alert = make_alert(threshold="2.00")
    db.session.add(AlertNotification(alert_id=alert.id, user_id=alert.user_id, crossing=1, price=Decimal("1.5")))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_token_alert_follows_the_blended_price_per_million_tokens(app):
    offer = factories.token_offer("2.5", "10", model="gpt-4o")  # blended (3 × 18 + 72) / 4 = 31.5 CNY
    db.session.commit()
    alert = make_alert(kind="token", model="gpt-4o", threshold="30")
    assert notifications(alert.id) == 0
    _reprice(offer.id, "29.99")
    check_alerts(db.session)
    assert notifications(alert.id) == 1


def test_an_offer_moved_to_another_model_arms_the_old_models_alert_again(app):
    offer = factories.gpu_offer("1.50", gpu_model="h100-sxm")
    db.session.commit()
    alert = make_alert(model="h100-sxm", threshold="2.00")
    offer.gpu_model = "rtx-4090"  # a re-import of the same sku under another model
    db.session.commit()
    check_alerts(db.session)
    assert db.session.get(PriceAlert, alert.id).below is False
    factories.gpu_offer("1.90", gpu_model="h100-sxm")
    db.session.commit()
    check_alerts(db.session)
    assert notifications(alert.id) == 2
