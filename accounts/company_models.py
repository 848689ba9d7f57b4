"""Typed models of companies: who belongs to one (people, vendors) and which companies are declared affiliated.

A voucher application (later) names a company and a programme; checkout asks accounts.affiliation
whether the company may spend vouchers at a vendor.
"""

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from catalog.models import Vendor, utcnow
from extensions import db

COMPANY_ROLES = ("owner", "member", "pending")  # pending: asked to join, not yet approved by the owner
ACTING_ROLES = ("owner", "member")


class Company(db.Model):
    """An enterprise, known by its unified social credit code (accounts/credit_code.py), kept as normalized."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    region_id: Mapped[str] = mapped_column(String(64))  # where it is registered: a region id of the region registry
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by an operator once the registration is checked; None while unchecked or after unverifying.
    verified_at: Mapped[Optional[datetime]]
    # The operator's last reason (for verifying or unverifying), shown to the company's members.
    review_note: Mapped[Optional[str]] = mapped_column(String(500))

    members: Mapped[list["CompanyMember"]] = relationship(back_populates="company", cascade="all, delete-orphan",
                                                          order_by="CompanyMember.id")
    vendors: Mapped[list["CompanyVendor"]] = relationship(back_populates="company", order_by="CompanyVendor.id")


class CompanyMember(db.Model):
    """A person acting for a company (or asking to); a person belongs to at most one company."""

    __tablename__ = "company_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="member")  # COMPANY_ROLES
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class CompanyVendor(db.Model):
    """A vendor (a stall) run by a company; a vendor belongs to at most one company."""

    __tablename__ = "company_vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company] = relationship(back_populates="vendors")
    vendor: Mapped[Vendor] = relationship()


class CompanyAffiliation(db.Model):
    """Two companies declared affiliated (same group, common control). Symmetric: kept once, lower id first."""

    __tablename__ = "company_affiliations"
    __table_args__ = (
        UniqueConstraint("company_id", "affiliate_id", name="uq_company_affiliation"),
        CheckConstraint("company_id < affiliate_id", name="ck_company_affiliation_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    affiliate_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
