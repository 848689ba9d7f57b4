"""A compute-voucher programme (算力券, spec §7), as its JSON file defines it."""

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import utcnow
from catalog.money_type import Money
from extensions import db

# Yuan to the fen; a rate to four places (0.3000 = 30%).
YUAN = Money(20, 2)
SHARE = Money(5, 4)


class VoucherProgram(db.Model):
    __tablename__ = "voucher_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    issuer_zh: Mapped[str] = mapped_column(String(200), default="")
    issuer_en: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    budget: Mapped[Optional[Decimal]] = mapped_column(YUAN)  # None: no overall budget
    cap_per_company_per_year: Mapped[Optional[Decimal]] = mapped_column(YUAN)  # None: no cap
    company_regions: Mapped[list] = mapped_column(JSON, default=list)  # region ids; [] = anywhere
    vendors: Mapped[list] = mapped_column(JSON, default=list)  # vendor slugs; [] = every vendor
    offer_regions: Mapped[list] = mapped_column(JSON, default=list)  # region ids; [] = anywhere
    platform_rate: Mapped[Decimal] = mapped_column(SHARE, default=Decimal(0))
    rules: Mapped[list] = mapped_column(JSON)  # [{"when": {...}, "rate": "0.30"}, ...], first match wins
    # An example programme (seed data): its figures follow a real one, its rules are simplified.
    example: Mapped[bool] = mapped_column(default=False)
    how_to_apply_zh: Mapped[Optional[str]] = mapped_column(Text)
    how_to_apply_en: Mapped[Optional[str]] = mapped_column(Text)
    source_url: Mapped[Optional[str]] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApplicationStatus:
    PENDING = "pending"    # submitted, waiting for an operator
    APPROVED = "approved"  # the company gets the government share, up to `quota`
    REFUSED = "refused"    # `reason` says why; the company may apply again (the row goes back to pending)


class VoucherApplication(db.Model):
    """A company's application to a programme: one per (programme, company), decided by an operator.

    Only an approved application gives a company the government share (spec §7). `quota` is what the
    operator granted for the programme's year, never above the programme's cap; None = the cap itself.
    Every decision is also written to the audit log (accounts.record_audit).
    """

    __tablename__ = "voucher_applications"
    __table_args__ = (UniqueConstraint("program_id", "company_id", name="uq_voucher_application"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("voucher_programs.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    submitted_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.PENDING, index=True)
    expected_spend: Mapped[Decimal] = mapped_column(YUAN)  # the company's own estimate for the year, CNY
    note: Mapped[Optional[str]] = mapped_column(Text)  # what the company says about its use
    quota: Mapped[Optional[Decimal]] = mapped_column(YUAN)
    reason: Mapped[Optional[str]] = mapped_column(String(500))  # the operator's reason (required to refuse)
    decided_by_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    program: Mapped[VoucherProgram] = relationship()
    documents: Mapped[list["ApplicationDocument"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationDocument.id")


class ApplicationDocument(db.Model):
    """A file uploaded with an application (business licence, contract, plan). Kept in the database
    so an application and its evidence are one transaction and one backup."""

    __tablename__ = "voucher_application_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("voucher_applications.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[VoucherApplication] = relationship(back_populates="documents")


class Movement:
    RESERVE = "reserve"  # the order was placed: its government share is held
    CONSUME = "consume"  # the order was paid: the held share is spent
    RELEASE = "release"  # the order expired or its payment failed: the held share goes back


class LedgerEntry(db.Model):
    """The voucher ledger (spec §7): one row per movement of one order's government share, insert-only.

    held   = Σ reserve − Σ consume − Σ release   (per programme, or per programme+company+year)
    spent  = Σ consume
    left   = budget − Σ reserve + Σ release
    The unique (order, movement) makes each movement happen once per order, whatever retries do.
    `year` is the programme year the share counts against (the Beijing year of the order's placing).
    """

    __tablename__ = "voucher_ledger"
    __table_args__ = (UniqueConstraint("order_id", "movement", name="uq_voucher_ledger_order_movement"),
                      Index("ix_voucher_ledger_program_company_year", "program_id", "company_id", "year"))

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("voucher_programs.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    movement: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(YUAN)  # ≥ 0; the movement says which way it counts
    year: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
