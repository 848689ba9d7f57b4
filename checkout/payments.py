"""The payment service: Stripe Checkout through stripe-python's StripeClient.

The same code talks to Stripe (STRIPE_SECRET_KEY set) or to the app's own Stripe sandbox
(demo mode): only the client's key, api base and HTTP transport differ, chosen from config.
"""

from datetime import UTC
from decimal import Decimal
from typing import Any, Protocol

import stripe

from checkout.models import Order, OrderLine
from pricing.currency import to_minor_units
from pricing.line_words import line_label, local_time

# Stripe accepts expires_at 30 minutes to 24 hours after the session's creation. The
# order is created a moment before its session, and clocks differ a little: two minutes
# of slack keep "30 minutes" from being refused as too early.
SESSION_LIFETIME_SECONDS = 30 * 60 + 120
# An order this old can no longer get a session that lives 30 minutes.
LATEST_SESSION_START_SECONDS = 90


class PaymentService(Protocol):
    def create_checkout_session(self, order: Order, *, success_url: str, cancel_url: str,
                                lang: str = "zh") -> dict: ...

    def retrieve_session(self, session_id: str) -> dict: ...

    def expire_session(self, session_id: str) -> dict: ...

    def list_sessions(self, *, since: int | None) -> list[dict]: ...

    def list_events(self, *, since: int | None, types: list[str]) -> list[dict]: ...


def idempotency_key(order: Order) -> str:
    """One key per order: a double-submit or a retry makes one Checkout Session, not two."""
    return f"checkout-session-order-{order.token}"


def expires_at(order: Order) -> int:
    """Fixed by the order's creation, so a retried create sends the very same parameters."""
    return int(order.created_at.replace(tzinfo=UTC).timestamp()) + SESSION_LIFETIME_SECONDS


def words(line: OrderLine, lang: str) -> str:
    """'8 卡 × 72 小时' / '8 cards × 72 hours' for an order line."""
    # From the snapshot alone: an hourly line's quantity is instances × count × hours.
    count = Decimal(line.quantity) / (line.instances * line.hours) if line.instances and line.hours else None
    return line_label(line.purchase_unit, line.instances, count, line.hours, line.terms, line.quantity).text(lang)


def _span(line: OrderLine) -> str:
    if line.starts_at is None:
        return ""
    return f"{local_time(line.starts_at)} – {local_time(line.ends_at)} UTC+8"


def line_due(line: OrderLine) -> Decimal:
    """What the buyer pays for the line: its company share under a voucher, else its total."""
    return line.line_total if line.company_share is None else line.company_share


def _shares(line: OrderLine) -> str:
    """The receipt's record of a voucher line's split, in both languages (the snapshot keeps all three)."""
    if line.company_share is None:
        return ""
    gov, platform, company = (f"¥{x:,.2f}" for x in (line.government_share, line.platform_share,
                                                      line.company_share))
    return (f"政府补贴 {gov} · 平台让利 {platform} · 企业支付 {company} / "
            f"Government {gov} · Platform {platform} · You pay {company}")


def session_params(order: Order, *, success_url: str, cancel_url: str, lang: str = "zh") -> dict:
    """Checkout Session parameters, built from the order's snapshot only (never from the browser).

    The payment page speaks the buyer's language `lang`: Stripe's own words (locale) and each
    item's name; the description carries the other language for the receipt.
    """
    currency = order.currency.lower()
    other = "en" if lang == "zh" else "zh"
    line_items = []
    for line in order.lines:
        line_items.append({
            "quantity": 1,
            "price_data": {
                "currency": currency,
                # One item per line at its rounded total: Stripe then charges exactly the
                # snapshot's total (unit_amount × quantity could differ by a fen). A voucher order's
                # line is charged its company share: the lines add up to amount_due exactly.
                "unit_amount": to_minor_units(line_due(line), order.currency),
                "product_data": {
                    # Quantity 1 at the line total keeps the charge exact; the words carry the real quantity.
                    # A voucher line's item says it is the company's share, not the compute's price.
                    "name": (f"{line.title} · {words(line, lang)}"
                             + (("（企业支付部分）" if lang == "zh" else " (your share after the voucher)")
                                if line.company_share is not None else ""))[:250],
                    "description": " · ".join(filter(None, [line.vendor_name, words(line, other),
                                                            _span(line), _shares(line)]))[:500],
                    "metadata": {"offer_id": str(line.offer_id), "sku": line.sku[:200]},
                },
            },
        })
    return {
        "mode": "payment",
        "locale": lang,
        "line_items": line_items,
        "customer_email": order.email,
        "client_reference_id": str(order.id),
        "metadata": {"order_id": str(order.id), "order_token": order.token},
        "payment_intent_data": {"metadata": {"order_id": str(order.id)}},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": expires_at(order),
    }


def as_dict(obj: Any) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


class StripePaymentService:
    def __init__(self, client: stripe.StripeClient):
        self.client = client

    def create_checkout_session(self, order: Order, *, success_url: str, cancel_url: str, lang: str = "zh") -> dict:
        session = self.client.v1.checkout.sessions.create(
            session_params(order, success_url=success_url, cancel_url=cancel_url, lang=lang),
            {"idempotency_key": idempotency_key(order)})
        return as_dict(session)

    def retrieve_session(self, session_id: str) -> dict:
        return as_dict(self.client.v1.checkout.sessions.retrieve(session_id))

    def expire_session(self, session_id: str) -> dict:
        return as_dict(self.client.v1.checkout.sessions.expire(session_id))

    def list_sessions(self, *, since: int | None) -> list[dict]:
        params: dict = {"limit": 100}
        if since is not None:
            params["created"] = {"gte": since}
        return [as_dict(s) for s in self.client.v1.checkout.sessions.list(params).auto_paging_iter()]

    def list_events(self, *, since: int | None, types: list[str]) -> list[dict]:
        params: dict = {"limit": 100, "types": types}
        if since is not None:
            params["created"] = {"gte": since}
        return [as_dict(e) for e in self.client.v1.events.list(params).auto_paging_iter()]


def build_client(*, api_key: str, api_base: str | None, http_client=None) -> stripe.StripeClient:
    """A StripeClient for Stripe itself (api_base None) or for another base such as the sandbox."""
    kwargs: dict = {"max_network_retries": 2}
    if api_base:
        kwargs["base_addresses"] = {"api": api_base.rstrip("/")}
    if http_client is not None:
        kwargs["http_client"] = http_client
    return stripe.StripeClient(api_key, **kwargs)
