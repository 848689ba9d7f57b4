"""The sandbox's state changes: sessions created, paid, expired, and the events they make.

Each change commits before any webhook goes out, so the app's handler (another request,
maybe another thread) never waits on a lock the sandbox holds.
"""

import hashlib
import json
import re
import secrets
import time
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from checkout.sandbox.models import SandboxEvent, SandboxSession
from extensions import db

API_VERSION = "2025-sandbox"
MIN_LIFETIME, MAX_LIFETIME = 30 * 60, 24 * 3600
MAX_AMOUNT = 99_999_999  # Stripe's limit on an amount: eight digits of minor units
MAX_QUANTITY = 1_000_000
MAX_TIMESTAMP = 2**31 - 1  # the `created` columns are INTEGER (32-bit on PostgreSQL)
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")  # ASCII digits, never thousands of them


class StripeError(Exception):
    """An error answered in Stripe's shape: {"error": {"type", "message", "param"}}."""

    def __init__(self, message: str, *, status: int = 400, type_: str = "invalid_request_error", param=None):
        super().__init__(message)
        self.status, self.type, self.param, self.message = status, type_, param, message

    def body(self) -> dict:
        return {"error": {"type": self.type, "message": self.message, "param": self.param}}


def _id(prefix: str) -> str:
    return f"{prefix}_sandbox_{secrets.token_hex(12)}"


def int_param(value, param: str, *, low: int | None = None, high: int | None = None) -> int:
    """:raise StripeError: `value` is not a whole number (or is outside low..high), naming `param`."""
    if isinstance(value, str) and not _INTEGER.fullmatch(value.strip()):
        raise StripeError(f"Invalid integer: {value[:40]}", param=param)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise StripeError(f"Invalid integer: {str(value)[:40]}", param=param) from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise StripeError(f"{param} must be from {low} to {high}", param=param)
    return number


def _object(value, param: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise StripeError(f"Invalid object: {param} must be a hash", param=param)
    return value


def _string(value, param: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise StripeError(f"{'Missing required param' if value is None else 'Invalid string'}: {param}.",
                          param=param)
    return value


def _own_url(value, param: str, origin: str, *, required: bool) -> str | None:
    """An absolute URL on the app's own origin: anything else would make the hosted page an
    open redirect (Pay and Cancel send the buyer to these URLs)."""
    url = _string(value, param, required=required)
    if url is None:
        return None
    parts, own = urlsplit(url), urlsplit(origin)
    if (any(ord(c) < 0x21 or c == "\\" for c in url) or parts.scheme.lower() not in ("http", "https")
            or (parts.scheme.lower(), parts.netloc.lower()) != (own.scheme.lower(), own.netloc.lower())):
        raise StripeError(f"{param} must be an absolute URL on {own.scheme}://{own.netloc}", param=param)
    return url


def is_own_url(url, origin: str) -> bool:
    try:
        return _own_url(url, "url", origin, required=True) is not None
    except StripeError:
        return False


def _line_items(params: dict) -> tuple[list[dict], str, int]:
    """The line items checked as Stripe checks them; their currency and total."""
    items = params.get("line_items")
    if not isinstance(items, list) or not items:
        raise StripeError("Missing required param: line_items.", param="line_items")
    currencies, total, preview = set(), 0, []
    for i, item in enumerate(items):
        where = f"line_items[{i}]"
        item = _object(item, where)
        price = _object(item.get("price_data"), f"{where}[price_data]")
        product = _object(price.get("product_data"), f"{where}[price_data][product_data]")
        _object(product.get("metadata"), f"{where}[price_data][product_data][metadata]")
        name = _string(product.get("name"), f"{where}[price_data][product_data][name]")
        unit = int_param(price.get("unit_amount"), f"{where}[price_data][unit_amount]", low=0, high=MAX_AMOUNT)
        quantity = int_param(item.get("quantity"), f"{where}[quantity]", low=1, high=MAX_QUANTITY)
        currencies.add((_string(price.get("currency"), f"{where}[price_data][currency]") or "").lower())
        total += unit * quantity
        preview.append({"name": name, "quantity": quantity, "unit_amount": unit})
    if len(currencies) != 1 or "" in currencies:
        raise StripeError("every line item needs the same currency", param="line_items")
    if total > MAX_AMOUNT:
        raise StripeError(f"amount_total must be at most {MAX_AMOUNT}", param="line_items")
    return preview, currencies.pop(), total


def create_session(params: dict, *, idempotency_key: str | None, hosted_base: str, origin: str) -> dict:
    """POST /v1/checkout/sessions; the same Idempotency-Key answers the same session.

    :raise StripeError: a parameter Stripe would refuse, or a success/cancel URL off `origin`.
    """
    request_hash = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
    if idempotency_key:
        found = db.session.scalar(select(SandboxSession).where(SandboxSession.idempotency_key == idempotency_key))
        if found is not None:
            return _replay(found, request_hash)
    now = int(time.time())
    if params.get("mode") != "payment":
        raise StripeError("mode must be payment in this sandbox", param="mode")
    success_url = _own_url(params.get("success_url"), "success_url", origin, required=True)
    cancel_url = _own_url(params.get("cancel_url"), "cancel_url", origin, required=False)
    preview, currency, total = _line_items(params)
    metadata = _object(params.get("metadata"), "metadata")
    for key, value in metadata.items():
        _string(value, f"metadata[{key}]", required=True)
    _object(params.get("payment_intent_data"), "payment_intent_data")
    email = _string(params.get("customer_email"), "customer_email")
    reference = _string(params.get("client_reference_id"), "client_reference_id")
    expires_at = int_param(params.get("expires_at", now + MAX_LIFETIME), "expires_at")
    if not MIN_LIFETIME <= expires_at - now <= MAX_LIFETIME:
        raise StripeError("expires_at must be 30 minutes to 24 hours from now", param="expires_at")
    session_id = _id("cs_test")
    data = {
        "id": session_id, "object": "checkout.session", "livemode": False, "mode": "payment",
        "created": now, "expires_at": expires_at, "status": "open", "payment_status": "unpaid",
        "amount_subtotal": total, "amount_total": total, "currency": currency,
        "metadata": metadata, "client_reference_id": reference,
        "customer_email": email, "customer_details": {"email": email} if email else None,
        "payment_intent": None, "success_url": success_url, "cancel_url": cancel_url,
        "url": f"{hosted_base.rstrip('/')}/pay/{session_id}",
        "line_items_preview": preview,
    }
    row = SandboxSession(id=session_id, created=now, idempotency_key=idempotency_key, request_hash=request_hash,
                         data=data)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        # Two requests with one Idempotency-Key at once: the first one's session is the answer.
        db.session.rollback()
        found = db.session.scalar(select(SandboxSession).where(SandboxSession.idempotency_key == idempotency_key))
        if found is None:
            raise
        return _replay(found, request_hash)
    return data


def _replay(found: SandboxSession, request_hash: str) -> dict:
    if found.request_hash != request_hash:
        raise StripeError("Keys for idempotent requests can only be used with the same parameters they were "
                          "first used with.", type_="idempotency_error")
    return dict(found.data)


def get_session(session_id: str) -> SandboxSession:
    row = db.session.scalar(select(SandboxSession).where(SandboxSession.id == session_id))
    if row is None:
        raise StripeError(f"No such checkout.session: '{session_id}'", status=404, param="session")
    return row


def _update(row: SandboxSession, **changes) -> dict:
    row.data = {**row.data, **changes}
    return row.data


def _event(type_: str, obj: dict) -> SandboxEvent:
    now = int(time.time())
    event = SandboxEvent(id=_id("evt"), created=now, type=type_, data={
        "id": None, "object": "event", "api_version": API_VERSION, "created": now, "type": type_,
        "livemode": False, "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
        "data": {"object": obj}})
    event.data = {**event.data, "id": event.id}
    db.session.add(event)
    return event


def pay(session_id: str, *, asynchronous: bool = False) -> SandboxEvent:
    """The buyer pays: the session completes (paid, or unpaid until an async method settles)."""
    row = get_session(session_id)
    if row.data["status"] != "open":
        raise StripeError(f"This Checkout Session is {row.data['status']}.", param="session")
    obj = _update(row, status="complete", payment_status="unpaid" if asynchronous else "paid",
                  payment_intent=_id("pi"))
    event = _event("checkout.session.completed", obj)
    db.session.commit()
    return event


def settle_async(session_id: str, *, succeeded: bool) -> SandboxEvent:
    row = get_session(session_id)
    obj = _update(row, payment_status="paid" if succeeded else "unpaid")
    event = _event("checkout.session.async_payment_succeeded" if succeeded
                   else "checkout.session.async_payment_failed", obj)
    db.session.commit()
    return event


def expire(session_id: str) -> tuple[dict, SandboxEvent]:
    """POST /v1/checkout/sessions/<id>/expire: only an open session can expire."""
    row = get_session(session_id)
    if row.data["status"] != "open":
        raise StripeError(f"Only Checkout Sessions with a status of open can be expired; this one is "
                          f"{row.data['status']}.", param="session")
    obj = _update(row, status="expired")
    event = _event("checkout.session.expired", obj)
    db.session.commit()
    return obj, event


def expire_due(now: int | None = None) -> list[SandboxEvent]:
    """Open sessions past their expires_at expire by themselves, as Stripe's do; returns the new events."""
    now = int(time.time()) if now is None else now
    events = []
    for row in db.session.scalars(select(SandboxSession)).all():  # a sandbox holds a handful of sessions
        if row.data.get("status") == "open" and int(row.data.get("expires_at") or now + 1) <= now:
            events.append(_event("checkout.session.expired", _update(row, status="expired")))
    if events:
        db.session.commit()
    return events


def list_objects(model, *, limit: int, starting_after: str | None, created_gte: int | None,
                 types: list[str] | None = None) -> dict:
    """A Stripe list: newest first, `starting_after` pages on, `has_more` says whether to."""
    query = select(model).order_by(model.seq.desc())
    if created_gte is not None:
        query = query.where(model.created >= created_gte)
    if types:
        query = query.where(model.type.in_(types))
    if starting_after:
        anchor = db.session.scalar(select(model).where(model.id == starting_after))
        if anchor is not None:
            query = query.where(model.seq < anchor.seq)
    rows = db.session.scalars(query.limit(limit + 1)).all()
    return {"object": "list", "data": [r.data for r in rows[:limit]], "has_more": len(rows) > limit,
            "url": "/v1/" + ("events" if model is SandboxEvent else "checkout/sessions")}
