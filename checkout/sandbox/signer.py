"""The Stripe-Signature header, computed as Stripe computes it."""

import hashlib
import hmac
import time


def signature_header(payload: str, secret: str, timestamp: int | None = None) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed by the endpoint secret>`."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode("utf-8"), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"
