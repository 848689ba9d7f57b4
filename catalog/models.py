"""Typed SQLAlchemy models of the unified catalog: vendors, offers, price history, FX rates."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.money_type import Money
from extensions import db
from pricing.text import fold

# Normalized prices keep six places (spec: round only for display); listed prices keep
# ten, enough for a per-token price such as USD 0.0000016.
NORMALIZED = Money(20, 6)
LISTED = Money(24, 10)
# A price multiplier (off-peak, batch): above 0, at most 1, four places (0.7500 = 七五折).
RATE = Money(5, 4)


def utcnow() -> datetime:
    """Naive UTC: SQLite drops time zones, so every stored time is UTC without one."""
    return datetime.now(UTC).replace(tzinfo=None)


class Vendor(db.Model):
    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[Optional[str]] = mapped_column(String(300))
    contact: Mapped[Optional[str]] = mapped_column(String(300))
    description_zh: Mapped[Optional[str]] = mapped_column(Text)
    description_en: Mapped[Optional[str]] = mapped_column(Text)
    vendor_type: Mapped[Optional[str]] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The names folded (case, full width): no vendor may show itself under another's name.
    # Set on every flush from the names; NULL for an empty name.
    name_zh_key: Mapped[Optional[str]] = mapped_column(String(200), unique=True)
    name_en_key: Mapped[Optional[str]] = mapped_column(String(200), unique=True)

    offers: Mapped[list["Offer"]] = relationship(back_populates="vendor")

    @property
    def display_name(self) -> str:
        return self.name_zh or self.name_en or self.slug


def vendor_name_key(name: str | None) -> str | None:
    """What two vendor names must not share: 'ＡＷＳ', 'aws ' and 'AWS' are one name."""
    return fold(name or "") or None


@event.listens_for(Vendor, "before_insert")
@event.listens_for(Vendor, "before_update")
def _fold_vendor_names(mapper, connection, vendor: Vendor) -> None:
    vendor.name_zh_key = vendor_name_key(vendor.name_zh)
    vendor.name_en_key = vendor_name_key(vendor.name_en)


class Offer(db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("vendor_id", "sku", name="uq_offer_vendor_sku"),
        Index("ix_offers_kind_price", "kind", "unit_price"),
        Index("ix_offers_gpu_model_price", "gpu_model", "unit_price"),
        Index("ix_offers_region", "region"),
        Index("ix_offers_model", "model"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: uq_offer_vendor_sku leads with vendor_id. A separate one misled
    # PostgreSQL's planner during imports into scanning every offer of the vendor per look-up.
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    sku: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[Optional[str]] = mapped_column(Text)
    region: Mapped[Optional[str]] = mapped_column(String(64))
    billing: Mapped[str] = mapped_column(String(16))
    stock: Mapped[Optional[int]]
    status: Mapped[str] = mapped_column(String(16), default="active")

    # The price exactly as the vendor listed it.
    list_amount: Mapped[Optional[Decimal]] = mapped_column(LISTED)
    list_input_amount: Mapped[Optional[Decimal]] = mapped_column(LISTED)
    list_output_amount: Mapped[Optional[Decimal]] = mapped_column(LISTED)
    list_cached_input_amount: Mapped[Optional[Decimal]] = mapped_column(LISTED)
    list_currency: Mapped[str] = mapped_column(String(3))
    list_unit: Mapped[str] = mapped_column(String(16))

    # Derived, never typed: CNY per card-hour / core-hour / blended 1M tokens.
    unit_price: Mapped[Decimal] = mapped_column(NORMALIZED)

    gpu_model: Mapped[Optional[str]] = mapped_column(String(64))
    gpu_count: Mapped[Optional[Decimal]] = mapped_column(Money(10, 4))
    gpu_memory_gb: Mapped[Optional[Decimal]] = mapped_column(Money(10, 2))
    vcpus: Mapped[Optional[Decimal]] = mapped_column(Money(10, 2))
    ram_gb: Mapped[Optional[Decimal]] = mapped_column(Money(12, 2))
    cpu_arch: Mapped[Optional[str]] = mapped_column(String(16))
    price_per_tflop_hour: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)
    price_per_gb_hour: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)

    model: Mapped[Optional[str]] = mapped_column(String(120))
    context_window: Mapped[Optional[int]]
    input_price: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)
    output_price: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)
    cached_input_price: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)

    # Spec section 4.1: None means "not offered" or "no limit", never zero. Times are naive UTC;
    # windows "HH:MM-HH:MM" in Asia/Shanghai (pricing/availability.py); rates are multipliers.
    available_from: Mapped[Optional[datetime]]
    available_to: Mapped[Optional[datetime]]
    available_hours: Mapped[Optional[str]] = mapped_column(String(11))
    off_peak_hours: Mapped[Optional[str]] = mapped_column(String(11))
    off_peak_rate: Mapped[Optional[Decimal]] = mapped_column(RATE)
    batch_rate: Mapped[Optional[Decimal]] = mapped_column(RATE)
    long_context_threshold: Mapped[Optional[int]]
    # Token rows: normalized CNY per 1M tokens, and the amounts as listed (for editing them as typed).
    cache_write_price: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)
    long_input_price: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)
    long_output_price: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)
    list_cache_write_amount: Mapped[Optional[Decimal]] = mapped_column(LISTED)
    list_long_input_amount: Mapped[Optional[Decimal]] = mapped_column(LISTED)
    list_long_output_amount: Mapped[Optional[Decimal]] = mapped_column(LISTED)
    # Idle capacity a vendor deposited (offers/deposits.py): the platform takes BANK_COMMISSION_RATE of it.
    deposit: Mapped[bool] = mapped_column(default=False, server_default=false())

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    price_updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    vendor: Mapped[Vendor] = relationship(back_populates="offers")
    price_history: Mapped[list["PriceHistory"]] = relationship(
        back_populates="offer", order_by="PriceHistory.at", cascade="all, delete-orphan")


class PriceHistory(db.Model):
    """Every price an offer has had, oldest first; a re-price appends, never rewrites."""

    __tablename__ = "price_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    unit_price: Mapped[Decimal] = mapped_column(NORMALIZED)
    input_price: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)
    output_price: Mapped[Optional[Decimal]] = mapped_column(NORMALIZED)
    list_amount: Mapped[Optional[Decimal]] = mapped_column(LISTED)
    list_currency: Mapped[str] = mapped_column(String(3))
    list_unit: Mapped[str] = mapped_column(String(16))

    offer: Mapped[Offer] = relationship(back_populates="price_history")


class FxRate(db.Model):
    """CNY per one unit of a currency; the admin updates these, seed_data ships the first."""

    __tablename__ = "fx_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    cny_per_unit: Mapped[Decimal] = mapped_column(Money(20, 8))
    as_of: Mapped[date]


class ImportRun(db.Model):
    """One sheet import: who, when, what file, what came of it."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(16), default="cli")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    landed: Mapped[bool] = mapped_column(default=False)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    errors: Mapped[Optional[list]] = mapped_column(JSON)
