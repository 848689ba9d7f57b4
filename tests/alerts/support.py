"""Helpers for the price-alert tests: a buyer with an alert, and what the alerts have found."""

from decimal import Decimal

from sqlalchemy import func, select

from alerts.checker import check_new_alert
from alerts.models import AlertNotification, PriceAlert
from extensions import db
from tests.stall_support import make_user


def make_alert(user=None, kind="gpu", model="rtx-4090", threshold="2.00", **extra) -> PriceAlert:
    user = user or make_user("buyer@example.com")
    alert = PriceAlert(user_id=user.id, kind=kind, model=model, threshold=Decimal(threshold), **extra)
    db.session.add(alert)
    db.session.flush()
    check_new_alert(db.session, alert)
    return alert


def notifications(alert_id: int | None = None) -> int:
    query = select(func.count()).select_from(AlertNotification)
    if alert_id is not None:
        query = query.where(AlertNotification.alert_id == alert_id)
    return db.session.scalar(query)
