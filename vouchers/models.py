"""A compute-voucher programme (算力券, spec §7), as its JSON file defines it."""

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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
