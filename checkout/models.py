"""Typed models of carts, orders with their price snapshot, Stripe events and payments."""

import secrets
from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import LISTED, NORMALIZED, utcnow
from catalog.money_type import Money
from extensions import db

FEN = Money(14, 2)


def new_token() -> str:
    return secrets.token_urlsafe(18)


class Cart(db.Model):
    """A buyer's cart: found by the token in their session, or by their user once logged in."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_token)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list["CartLine"]] = relationship(back_populates="cart", cascade="all, delete-orphan",
                                                   order_by="CartLine.id")


class CartLine(db.Model):
    __tablename__ = "cart_lines"
    __table_args__ = (UniqueConstraint("cart_id", "offer_id", name="uq_cart_line_offer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"))
    # Count of the purchase unit (spec §7), derived from the shape below when the line is set.
    quantity: Mapped[int]
    instances: Mapped[Optional[int]]  # None for token packs
    hours: Mapped[Optional[int]]  # card_hour / core_hour lines
    terms: Mapped[Optional[int]]  # month / year lines
    starts_at: Mapped[Optional[datetime]]  # UTC on the hour; None = as soon as possible

    cart: Mapped[Cart] = relationship(back_populates="lines")
    offer = relationship("Offer")


class OrderStatus:
    PENDING = "pending"      # created, its bookings held, waiting for payment
    PAID = "paid"            # fulfilled, its bookings confirmed
    REVIEW = "review"        # paid, but the amount or currency did not match the snapshot
    FAILED = "failed"        # an async payment failed; bookings released
    EXPIRED = "expired"      # the Checkout Session expired unpaid; bookings released


class Order(db.Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unguessable: order pages of logged-out buyers are found by it.
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_token)
    # One per rendered checkout form: a double-submit finds the same order.
    checkout_token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.PENDING, index=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    total: Mapped[Decimal] = mapped_column(FEN)
    stripe_session_id: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    review_reason: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[Optional[datetime]]
    # A compute-voucher order (spec §7): the programme and the buying company; the three shares of
    # `total` (government + platform + company == total). Without a programme all four are None and
    # the buyer pays `total`. Stripe charges `company_share` (amount_due below).
    voucher_program_id: Mapped[Optional[int]] = mapped_column(ForeignKey("voucher_programs.id"), index=True)
    company_id: Mapped[Optional[int]] = mapped_column(ForeignKey("companies.id"), index=True)
    government_share: Mapped[Optional[Decimal]] = mapped_column(FEN)
    platform_share: Mapped[Optional[Decimal]] = mapped_column(FEN)
    company_share: Mapped[Optional[Decimal]] = mapped_column(FEN)

    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                    order_by="OrderLine.id")

    @property
    def amount_due(self) -> Decimal:
        """What the buyer pays through Stripe: the company share of a voucher order, else the total."""
        return self.total if self.company_share is None else self.company_share


class OrderLine(db.Model):
    """One line with a snapshot of the offer as it was bought: later re-pricing never changes it."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    offer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("offers.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    vendor_name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(8))
    billing: Mapped[str] = mapped_column(String(16))
    list_amount: Mapped[Optional[Decimal]] = mapped_column(LISTED)
    list_currency: Mapped[str] = mapped_column(String(3))
    list_unit: Mapped[str] = mapped_column(String(16))
    normalized_price: Mapped[Decimal] = mapped_column(NORMALIZED)
    purchase_unit: Mapped[str] = mapped_column(String(16))
    unit_amount: Mapped[Decimal] = mapped_column(LISTED)
    quantity: Mapped[int]  # count of purchase_unit (spec §7)
    line_total: Mapped[Decimal] = mapped_column(FEN)
    # The shape bought: instances × hours (or × terms) from starts_at to ends_at; tokens: quantity packs.
    instances: Mapped[Optional[int]]
    hours: Mapped[Optional[int]]
    terms: Mapped[Optional[int]]
    starts_at: Mapped[Optional[datetime]]  # UTC
    ends_at: Mapped[Optional[datetime]]  # UTC, exclusive
    # None until the order is paid; then DeliveryState.PAID, moved on by the vendor (checkout/delivery.py).
    delivery_state: Mapped[Optional[str]] = mapped_column(String(16), index=True)
    # The line's part of the order's voucher shares (None: not a voucher order); they add up to line_total.
    government_share: Mapped[Optional[Decimal]] = mapped_column(FEN)
    platform_share: Mapped[Optional[Decimal]] = mapped_column(FEN)
    company_share: Mapped[Optional[Decimal]] = mapped_column(FEN)
    voucher_rate: Mapped[Optional[Decimal]] = mapped_column(Money(5, 4))  # the rule's rate; 0 = not eligible
    # Write-off (核销, spec §7): the vendor's invoice for the line; a voucher line is claimable only once
    # it is delivered and this is recorded.
    invoice_number: Mapped[Optional[str]] = mapped_column(String(64))
    invoice_recorded_at: Mapped[Optional[datetime]]
    invoice_recorded_by_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    order: Mapped[Order] = relationship(back_populates="lines")
    vendor = relationship("Vendor")
    deliveries: Mapped[list["Delivery"]] = relationship(back_populates="line", order_by="Delivery.id")


class DeliveryState:
    PAID = "paid"              # paid, waiting for the vendor
    DELIVERING = "delivering"  # the vendor has started (optional step)
    DELIVERED = "delivered"    # the vendor confirmed what was delivered: final


class Delivery(db.Model):
    """One vendor-confirmed step of a line's delivery: insert-only, the voucher programmes' proof (spec §9).

    The unique (line, state) makes a double-submit record once; the access notes for the buyer
    live apart (AccessNote), so this proof can be shown to a programme without them.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("order_line_id", "state", name="uq_delivery_line_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[Optional[datetime]]
    amount: Mapped[Optional[Decimal]] = mapped_column(LISTED)
    unit: Mapped[Optional[str]] = mapped_column(String(16))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    line: Mapped[OrderLine] = relationship(back_populates="deliveries")
    # passive_deletes="all": a delete must reach the refusal below, not first orphan the note.
    access_note: Mapped[Optional["AccessNote"]] = relationship(back_populates="delivery", passive_deletes="all")


class DeliveryRecordImmutable(Exception):
    """A delivery record was changed or deleted after it was written."""


@event.listens_for(Delivery, "before_update")
@event.listens_for(Delivery, "before_delete")
def _refuse_change(mapper, connection, target: Delivery) -> None:
    raise DeliveryRecordImmutable(f"delivery record {target.id} is proof of delivery and cannot change")


class AccessNote(db.Model):
    """What the buyer needs to reach what they bought (ssh host, API endpoint): read only by the
    buyer's order page, which shows it in full once and masked after that."""

    __tablename__ = "delivery_access_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    shown_at: Mapped[Optional[datetime]]

    delivery: Mapped[Delivery] = relationship(back_populates="access_note")


class StripeEvent(db.Model):
    """Each Stripe event id handled, once."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Payment(db.Model):
    """The fulfilment of one paid Checkout Session: its unique session id makes it happen once."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_session_id: Mapped[str] = mapped_column(String(255), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    amount_total: Mapped[int]  # minor units, as Stripe reported them
    currency: Mapped[str] = mapped_column(String(3))
    payment_intent: Mapped[Optional[str]] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(16))  # paid | review
    raw: Mapped[Optional[dict]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckoutQuote(db.Model):
    """What one cart page showed the buyer, found again by the checkout token it issued: checkout
    compares it with the prices of the moment (checkout/price_change.py), never with the browser's."""

    __tablename__ = "checkout_quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_token: Mapped[str] = mapped_column(String(64), unique=True)
    # {"lines": [SeenLine.as_json(), ...], "share": SeenShare.as_json() | None} (older rows: the bare list)
    lines: Mapped[dict | list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class VendorWebhook(db.Model):
    """Where a vendor wants its order events POSTed, and the secret they are signed with (spec §9)."""

    __tablename__ = "vendor_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    # Kept as issued: signing needs the secret itself, not a hash of it.
    secret: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(db.Model):
    """One order event for one vendor: the outbox row is the truth, a queued message only a nudge.

    `claimed_until` is the lease of the worker delivering it (a conditional UPDATE takes it);
    `next_at` is when the next attempt is due (None: delivered or given up).
    """

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_status: Mapped[Optional[int]]  # HTTP status of the last attempt; None: no answer
    last_error: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_at: Mapped[Optional[datetime]] = mapped_column(index=True)
    claimed_until: Mapped[Optional[datetime]]
    delivered_at: Mapped[Optional[datetime]]
