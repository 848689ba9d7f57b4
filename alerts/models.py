"""Typed models of price alerts: what a buyer waits for, and each time it came (a notification)."""

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import NORMALIZED, utcnow
from extensions import db


class PriceAlert(db.Model):
    """A buyer waits for a GPU model (optionally in a region, on a billing mode) or a token model to cost
    at most `threshold` (CNY per card-hour / per 1M tokens, the catalog's normalized `unit_price`)."""

    __tablename__ = "price_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # gpu | token
    model: Mapped[str] = mapped_column(String(120), index=True)  # a GPU or token model id of the registries
    region: Mapped[Optional[str]] = mapped_column(String(64))
    billing: Mapped[Optional[str]] = mapped_column(String(16))
    threshold: Mapped[Decimal] = mapped_column(NORMALIZED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The crossing state: is the cheapest matching price at or below the threshold now, and how many
    # times it has gone there (each time is one notification, keyed by this number).
    below: Mapped[bool] = mapped_column(default=False)
    crossings: Mapped[int] = mapped_column(default=0)
    last_price: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)
    checked_at: Mapped[Optional[datetime]]

    notifications: Mapped[list["AlertNotification"]] = relationship(
        back_populates="alert", cascade="all, delete-orphan")


class AlertNotification(db.Model):
    """One crossing of one alert: shown in the buyer's list and sent by email once."""

    __tablename__ = "alert_notifications"
    # The key that makes a crossing notify once, however often the check runs or retries.
    __table_args__ = (UniqueConstraint("alert_id", "crossing", name="uq_alert_notification_crossing"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("price_alerts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    crossing: Mapped[int]
    price: Mapped[Decimal] = mapped_column(NORMALIZED)
    offer_id: Mapped[Optional[int]]  # the cheapest matching offer then (it may since be gone)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[Optional[datetime]]
    emailed_at: Mapped[Optional[datetime]]

    alert: Mapped[PriceAlert] = relationship(back_populates="notifications")
