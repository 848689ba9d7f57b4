"""The sandbox's state changes: sessions created, paid, expired, and the events they make.

Each change commits before any webhook goes out, so the app's handler (another request,
maybe another thread) never waits on a lock the sandbox holds.
"""

import hashlib
import json
import secrets
import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from checkout.sandbox.models import SandboxEvent, SandboxSession
from extensions import db

API_VERSION = "2025-sandbox"
MIN_LIFETIME, MAX_LIFETIME = 30 * 60, 24 * 3600


class StripeError(Exception):
    """An error answered in Stripe's shape: {"error": {"type", "message", "param"}}."""

    def __init__(self, message: str, *, status: int = 400, type_: str = "invalid_request_error", param=None):
        super().__init__(message)
        self.status, self.type, self.param, self.message = status, type_, param, message

    def body(self) -> dict:
        return {"error": {"type": self.type, "message": self.message, "param": self.param}}


def _id(prefix: str) -> str:
    return f"{prefix}_sandbox_{secrets.token_hex(12)}"


def _int(value, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeError(f"Invalid integer: {value}", param=param) from None


def create_session(params: dict, *, idempotency_key: str | None, hosted_base: str) -> dict:
    """POST /v1/checkout/sessions; the same Idempotency-Key answers the same session."""
    request_hash = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
    if idempotency_key:
        found = db.session.scalar(select(SandboxSession).where(SandboxSession.idempotency_key == idempotency_key))
        if found is not None:
            return _replay(found, request_hash)
    now = int(time.time())
    items = params.get("line_items") or []
    if params.get("mode") != "payment":
        raise StripeError("mode must be payment in this sandbox", param="mode")
    if not params.get("success_url"):
        raise StripeError("Missing required param: success_url.", param="success_url")
    if not isinstance(items, list) or not items:
        raise StripeError("Missing required param: line_items.", param="line_items")
    currencies, total = set(), 0
    for i, item in enumerate(items):
        price = item.get("price_data") or {}
        unit = _int(price.get("unit_amount"), f"line_items[{i}][price_data][unit_amount]")
        quantity = _int(item.get("quantity"), f"line_items[{i}][quantity]")
        if unit < 0 or quantity < 1:
            raise StripeError("amounts must be non-negative and quantities positive", param=f"line_items[{i}]")
        currencies.add((price.get("currency") or "").lower())
        total += unit * quantity
    if len(currencies) != 1 or "" in currencies:
        raise StripeError("every line item needs the same currency", param="line_items")
    expires_at = _int(params.get("expires_at", now + MAX_LIFETIME), "expires_at")
    if not MIN_LIFETIME <= expires_at - now <= MAX_LIFETIME:
        raise StripeError("expires_at must be 30 minutes to 24 hours from now", param="expires_at")
    session_id = _id("cs_test")
    data = {
        "id": session_id, "object": "checkout.session", "livemode": False, "mode": "payment",
        "created": now, "expires_at": expires_at, "status": "open", "payment_status": "unpaid",
        "amount_subtotal": total, "amount_total": total, "currency": currencies.pop(),
        "metadata": params.get("metadata") or {}, "client_reference_id": params.get("client_reference_id"),
        "customer_email": params.get("customer_email"),
        "customer_details": {"email": params.get("customer_email")} if params.get("customer_email") else None,
        "payment_intent": None, "success_url": params["success_url"], "cancel_url": params.get("cancel_url"),
        "url": f"{hosted_base.rstrip('/')}/pay/{session_id}",
        "line_items_preview": [{"name": (i.get("price_data") or {}).get("product_data", {}).get("name"),
                                "quantity": int(i["quantity"]),
                                "unit_amount": int(i["price_data"]["unit_amount"])} for i in items],
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
