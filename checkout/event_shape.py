"""The shape a Stripe event must have before anything acts on it. No Flask.

A correct signature proves who sent the bytes, not that they make sense; and in sandbox
mode the signer is this app, whose secret a demo's users may learn. So after the
signature, the body is checked here: an event the handlers could trip over (no `data`,
`data.object` a string, a 23-digit order id, an amount no column holds) is refused with
where and what, before anything is recorded.
"""

import json
import re

from web.converters import parse_id

MAX_AMOUNT = 2**31 - 1  # payments.amount_total is INTEGER (32-bit on PostgreSQL)
_CURRENCY = re.compile(r"[A-Za-z]{3}")


class MalformedEvent(ValueError):
    """The body is not an event this app can act on; nothing was recorded."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")
        self.where, self.problem = where, problem


def _text(value, where: str, *, max_length: int, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not 0 < len(value) <= max_length:
        raise MalformedEvent(where, f"must be a string of 1 to {max_length} characters")


def parse_event(payload: bytes | str) -> dict:
    """The event in `payload` (already signature-checked), its envelope and session object checked.

    :raise MalformedEvent: not JSON, not an event, or a Checkout Session object the handlers cannot use.
    """
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past Python's stack
        raise MalformedEvent("body", "is not JSON") from None
    if not isinstance(event, dict):
        raise MalformedEvent("body", "must be a JSON object")
    _text(event.get("id"), "id", max_length=255)
    _text(event.get("type"), "type", max_length=100)
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEvent("data.object", "must be an object")
    if event["type"].startswith("checkout.session."):
        check_checkout_session(data["object"], "data.object")
    return event


def check_checkout_session(obj: dict, where: str) -> None:
    """:raise MalformedEvent: a field fulfilment reads is of the wrong type or past its column."""
    _text(obj.get("id"), f"{where}.id", max_length=255)
    for name in ("payment_status", "status"):
        _text(obj.get(name), f"{where}.{name}", max_length=100, optional=True)
    currency = obj.get("currency")
    if currency is not None and not (isinstance(currency, str) and _CURRENCY.fullmatch(currency)):
        raise MalformedEvent(f"{where}.currency", "must be a three-letter currency code")
    amount = obj.get("amount_total")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)
                               or not 0 <= amount <= MAX_AMOUNT):
        raise MalformedEvent(f"{where}.amount_total", f"must be a whole number of minor units, 0 to {MAX_AMOUNT}")
    intent = obj.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    _text(intent, f"{where}.payment_intent", max_length=255, optional=True)
    metadata = obj.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise MalformedEvent(f"{where}.metadata", "must be an object")
    order_id = (metadata or {}).get("order_id")
    if order_id is not None and parse_id(order_id) is None:
        raise MalformedEvent(f"{where}.metadata.order_id", "is not an order id")
