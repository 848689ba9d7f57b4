"""Typed models of people and their membership of vendors."""

from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
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


def load_user(user_id: str) -> Optional[User]:
    """Flask-Login's loader: the id carries the session version, so a rotated session is refused."""
    try:
        ident, version = (int(part) for part in user_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, ident)
    return user if user is not None and user.session_version == version else None
