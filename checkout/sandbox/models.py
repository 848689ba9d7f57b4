"""What the sandbox remembers: Checkout Sessions and events, as Stripe's JSON objects."""

from typing import Optional

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db


class SandboxSession(db.Model):
    __tablename__ = "sandbox_sessions"

    seq: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(80), unique=True)
    created: Mapped[int] = mapped_column(index=True)
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    request_hash: Mapped[Optional[str]] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)


class SandboxEvent(db.Model):
    __tablename__ = "sandbox_events"

    seq: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(80), unique=True)
    created: Mapped[int] = mapped_column(index=True)
    type: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict] = mapped_column(JSON)
