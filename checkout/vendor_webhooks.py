"""Signed order webhooks to vendors (spec §9): the URL check, the outbox rows and their delivery.

Plain SQLAlchemy, no Flask. An event is a `webhook_deliveries` row added in the session that
changes the order, so it commits or rolls back with it. Delivery claims the row with a
conditional UPDATE (one attempt at a time), POSTs the stored body signed with
`X-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, and records the outcome: a 2xx is
final, anything else is tried again after an exponentially growing delay, for at most 3 days.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from catalog.models import utcnow
from checkout.models import Order, OrderLine, VendorWebhook, WebhookDelivery

FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=3)
CLAIM_FOR = timedelta(minutes=2)  # WEBHOOK_CLAIM_SECONDS' default; longer than one POST's timeout: a live worker keeps its claim
TIMEOUT_SECONDS = 10
PENDING_KEY = "webhook_deliveries"  # session.info: ids to nudge the queue with once committed


class BadWebhookUrl(ValueError):
    """The URL is refused; `code` says why (for the page to put in words)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # malformed | not_https | private_address | unresolvable


def check_url(url: str, *, production: bool, resolve=socket.getaddrinfo) -> str:
    """The URL, stripped, if deliveries may go there.

    Production: https only, and every address the host resolves to must be public (a vendor
    must not make the server POST into its own network). Development and tests allow http and
    loopback, so a receiver on 127.0.0.1 works.
    """
    url = (url or "").strip()
    parts = urlsplit(url)
    if len(url) > 500 or parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadWebhookUrl("malformed")
    if not production:
        return url
    if parts.scheme != "https":
        raise BadWebhookUrl("not_https")
    try:
        infos = resolve(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise BadWebhookUrl("unresolvable") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise BadWebhookUrl("private_address")
    return url


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def set_webhook(session: Session, vendor_id: int, url: str) -> str:
    """Point the vendor's events at `url` (already checked) with a new secret; returns the secret. No commit."""
    hook = session.scalar(select(VendorWebhook).where(VendorWebhook.vendor_id == vendor_id))
    secret = new_secret()
    if hook is None:
        session.add(VendorWebhook(vendor_id=vendor_id, url=url, secret=secret))
    else:
        hook.url, hook.secret, hook.updated_at = url, secret, utcnow()
    return secret


def webhook_of(session: Session, vendor_id: int) -> VendorWebhook | None:
    return session.scalar(select(VendorWebhook).where(VendorWebhook.vendor_id == vendor_id))


def sign(secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _line_data(line: OrderLine) -> dict:
    return {"id": line.id, "sku": line.sku, "title": line.title, "kind": line.kind,
            "purchase_unit": line.purchase_unit, "quantity": line.quantity,
            "line_total": str(line.line_total), "delivery_state": line.delivery_state}


def _add(session: Session, vendor_id: int, event: str, data: dict, now: datetime) -> None:
    row = WebhookDelivery(vendor_id=vendor_id, event=event, body="", status="pending", attempts=0,
                          created_at=now, next_at=now)
    session.add(row)
    session.flush()  # the row's id is the event's: a receiver dedupes repeats by it
    row.body = json.dumps({"id": row.id, "type": event, "created": now.isoformat() + "Z", "data": data},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    session.flush()
    session.info.setdefault(PENDING_KEY, []).append(row.id)


def _hooked(session: Session, vendor_ids: set[int]) -> set[int]:
    if not vendor_ids:
        return set()
    return set(session.scalars(select(VendorWebhook.vendor_id).where(VendorWebhook.vendor_id.in_(vendor_ids))))


def record_order_paid(session: Session, order_id: int) -> None:
    """`order.paid`, one per vendor with a webhook, carrying that vendor's lines only. No commit."""
    now = utcnow()
    order = session.get(Order, order_id)
    lines = list(session.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)))
    for vendor_id in sorted(_hooked(session, {line.vendor_id for line in lines})):
        own = [line for line in lines if line.vendor_id == vendor_id]
        _add(session, vendor_id, "order.paid",
             {"order_id": order_id, "currency": order.currency, "lines": [_line_data(line) for line in own]}, now)


def record_line_step(session: Session, line_id: int, state: str) -> None:
    """`order_line.delivering` / `order_line.delivered` for the line's vendor, if it has a webhook. No commit."""
    line = session.get(OrderLine, line_id)
    if line is None or not _hooked(session, {line.vendor_id}):
        return
    _add(session, line.vendor_id, f"order_line.{state}",
         {"order_id": line.order_id, "line": {**_line_data(line), "delivery_state": state}}, utcnow())


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, … up to 6 h."""
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def claim(session: Session, delivery_id: int, now: datetime, claim_for: timedelta = CLAIM_FOR) -> bool:
    """Take the row for one attempt if it is due and nobody holds it; commits."""
    taken = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
               WebhookDelivery.next_at <= now,
               or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
        .values(claimed_until=now + claim_for).execution_options(synchronize_session=False)).rowcount
    session.commit()
    return taken == 1


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is the answer, not a hop: following it could lead the POST past the address check."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: str, signature: str) -> tuple[int | None, str | None]:
    """(HTTP status, error): status None when there was no answer."""
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": "application/json", "X-Signature": signature, "User-Agent": "suanli-market-webhooks/1"})
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (OSError, ValueError) as exc:
        return None, str(exc)[:300]


def deliver(session: Session, delivery_id: int, now: datetime | None = None, send=post, *,
            production: bool = False, resolve=socket.getaddrinfo, claim_for: timedelta = CLAIM_FOR) -> str:
    """One attempt at a row, if it can be claimed; returns its status afterwards (or 'busy'); commits.

    Production checks the URL again before each POST: a host's DNS may point inside after it was saved.
    """
    now = now or utcnow()
    if not claim(session, delivery_id, now, claim_for):
        return "busy"
    row = session.get(WebhookDelivery, delivery_id)
    hook = webhook_of(session, row.vendor_id)
    refused = None
    if hook is not None and production:
        try:
            check_url(hook.url, production=True, resolve=resolve)
        except BadWebhookUrl as exc:
            refused = f"URL refused: {exc.code}"
    if hook is None:
        status, error = None, "no webhook URL set"
    elif refused:
        status, error = None, refused
    else:
        status, error = send(hook.url, row.body, sign(hook.secret, _unix(now), row.body))
    attempts = row.attempts + 1
    values = {"attempts": attempts, "last_status": status, "last_error": error, "claimed_until": None}
    if status is not None and 200 <= status < 300:
        values.update(status="delivered", delivered_at=now, next_at=None)
    else:
        next_at = now + backoff(attempts)
        if next_at - row.created_at > GIVE_UP_AFTER:
            values.update(status="failed", next_at=None)
        else:
            values.update(next_at=next_at)
    session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                    .values(**values).execution_options(synchronize_session=False))
    session.commit()
    session.expire_all()
    return values.get("status", "pending")


def _unix(naive_utc: datetime) -> int:
    return int((naive_utc - datetime(1970, 1, 1)).total_seconds())


def due(session: Session, now: datetime, limit: int = 500) -> list[int]:
    """Rows whose attempt is due and not held by a live claim (a dead worker's claim has expired)."""
    return list(session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_at <= now,
               or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
        .order_by(WebhookDelivery.next_at).limit(limit)))


def resend(session: Session, delivery_id: int, vendor_id: int, now: datetime) -> bool:
    """Make the vendor's row due now again (delivered or failed ones too); False if not theirs. No commit."""
    return session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.vendor_id == vendor_id)
        .values(status="pending", next_at=now, created_at=now, claimed_until=None)
        .execution_options(synchronize_session=False)).rowcount == 1


def vendor_deliveries(session: Session, vendor_id: int, limit: int = 200) -> list[WebhookDelivery]:
    return list(session.scalars(select(WebhookDelivery).where(WebhookDelivery.vendor_id == vendor_id)
                                .order_by(WebhookDelivery.id.desc()).limit(limit)))
