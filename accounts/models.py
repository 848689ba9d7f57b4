"""Typed models of people and their membership of vendors."""

from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import Vendor, utcnow
from extensions import db


class User(UserMixin, db.Model):
    """A person; every user can buy, and a user who is a member of a vendor can also sell."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped at log-in, log-out and password change: old session cookies and remember-me tokens
    # (both carry get_id()) stop working.
    session_version: Mapped[int] = mapped_column(default=0)
    # A programme administrator: reviews companies (and later voucher applications) at /operator.
    # Granted only from the command line (`flask operator grant EMAIL`), never through a page.
    is_operator: Mapped[bool] = mapped_column(default=False, server_default=false())

    memberships: Mapped[list["VendorMember"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def vendors(self) -> list[Vendor]:
        return [m.vendor for m in self.memberships]


class VendorMember(db.Model):
    __tablename__ = "vendor_members"
    __table_args__ = (UniqueConstraint("user_id", "vendor_id", name="uq_vendor_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="owner")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    vendor: Mapped[Vendor] = relationship()


class ApiKey(db.Model):
    """A vendor's API key (accounts/api_keys.py): only its hash is kept; one vendor each."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, so a vendor can tell keys apart
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[Optional[datetime]]
    revoked_at: Mapped[Optional[datetime]]

    vendor: Mapped[Vendor] = relationship()


class IdempotencyRecord(db.Model):
    """The first answer to a write sent with an Idempotency-Key, per API key, kept 24 hours.

    The unique constraint is what makes concurrent duplicates safe: the first request's row is
    written in the same transaction as its effect, and a duplicate's INSERT waits for that
    transaction and then fails, after which it replays the stored answer.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("api_key_id", "key", name="uq_idempotency_api_key_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def load_user(user_id: str) -> Optional[User]:
    """Flask-Login's loader: the id carries the session version, so a rotated session is refused."""
    try:
        ident, version = (int(part) for part in user_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, ident)
    return user if user is not None and user.session_version == version else None
