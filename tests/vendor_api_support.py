"""Helpers for tests of the vendor API: a vendor member with a key, and the headers to send it."""

from accounts.api_keys import issue_key
from extensions import db
from tests.stall_support import make_vendor_member

GPU_COLUMNS = {"kind": "gpu", "gpu_model": "RTX 4090", "gpu_count": 1, "region": "杭州", "billing": "on_demand",
               "price": "1.90", "currency": "CNY", "price_unit": "card_hour", "stock": 5}


def vendor_with_key(email: str, slug: str, name: str = "sync"):
    """(user, vendor, secret): a vendor member and a live API key of that vendor."""
    user, vendor = make_vendor_member(email, slug)
    secret = issue_key(db.session, vendor, user.id, name).secret
    db.session.commit()
    return user, vendor, secret


def bearer(secret: str, **extra: str) -> dict:
    return {"Authorization": f"Bearer {secret}", **extra}
