"""Vendor API keys: issue (shown once), authenticate, list, revoke. No Flask: callers hand in a Session.

A key is 32 random bytes; only its SHA-256 is stored. A fast hash is right here, unlike for
passwords: argon2/bcrypt make guessing a *low-entropy* secret slow, but nobody can guess 256
random bits at any speed, and a slow hash would cost every API request ~50-100 ms of CPU (and
hand anyone with a bogus key a way to burn it). Plain SHA-256 rather than HMAC with SECRET_KEY,
so rotating the app secret does not lock every vendor's automation out.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accounts.models import ApiKey
from catalog.models import Vendor, utcnow

KEY_PREFIX = "csk_"
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 8
MAX_NAME_LENGTH = 100
# last_used_at is written at most this often per key: one UPDATE per request would double the
# writes of a price-sync loop for a date nobody reads to the second.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # the whole key: shown once, never stored


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def issue_key(session: Session, vendor: Vendor, user_id: int, name: str) -> IssuedKey:
    """Add a key for `vendor` (the caller commits). :raise ValueError: a blank or over-long name."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValueError(name)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(vendor_id=vendor.id, created_by=user_id, name=name, prefix=secret[:SHOWN_PREFIX_LENGTH],
                 key_hash=key_hash(secret))
    session.add(key)
    session.flush()
    return IssuedKey(key, secret)


def vendor_keys(session: Session, vendor_id: int) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.vendor_id == vendor_id)
                                .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())))


def revoke_key(session: Session, vendor_id: int, key_id: int) -> bool:
    """Revoke one of `vendor_id`'s keys (the caller commits); False when it has no such live key."""
    done = session.execute(update(ApiKey).where(ApiKey.id == key_id, ApiKey.vendor_id == vendor_id,
                                                ApiKey.revoked_at.is_(None)).values(revoked_at=utcnow()))
    return done.rowcount == 1


def authenticate(session: Session, secret: str, now: datetime | None = None) -> ApiKey | None:
    """The live key whose secret this is, else None; notes when it was last used."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash(secret)))
    if key is None or key.revoked_at is not None:
        return None
    now = now or utcnow()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        key.last_used_at = now
    return key
