"""Idempotency-Key records: a write sent again with the same key gets the first answer. No Flask.

Scoped per API key and kept IDEMPOTENCY_TTL; a key reused with a different request is a conflict.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accounts.models import IdempotencyRecord
from catalog.models import utcnow

IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def valid_key(value: str) -> bool:
    """1-255 visible ASCII characters (a UUID, a job id): what fits the column and a log line."""
    return 0 < len(value) <= MAX_KEY_LENGTH and all(33 <= ord(c) <= 126 for c in value)


def fingerprint(method: str, path: str, query: bytes, parts: Iterable[bytes]) -> str:
    """What 'the same request' means: method, path, query and the body's parts, in order."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode("utf-8", "surrogateescape"), query, *parts):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def find(session: Session, api_key_id: int, key: str, now: datetime | None = None) -> IdempotencyRecord | None:
    """The live record of `key` for this API key, else None."""
    cutoff = (now or utcnow()) - IDEMPOTENCY_TTL
    return session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key,
        IdempotencyRecord.created_at >= cutoff))


def claim(session: Session, api_key_id: int, key: str, print_: str, now: datetime | None = None) -> IdempotencyRecord:
    """Add the record of a request about to run, inside the caller's transaction, and flush it.

    :raise sqlalchemy.exc.IntegrityError: another request holds the key (on PostgreSQL this
        waits until that request's transaction ends, so its answer is there to replay).
    """
    now = now or utcnow()
    # An expired record of the same key would block the new one; drop this API key's expired ones.
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.api_key_id == api_key_id,
                                                    IdempotencyRecord.created_at < now - IDEMPOTENCY_TTL))
    record = IdempotencyRecord(api_key_id=api_key_id, key=key, fingerprint=print_, status_code=0, body="",
                               created_at=now)
    session.add(record)
    session.flush()
    return record


def expire_records(session: Session, now: datetime | None = None) -> int:
    """Delete every record older than IDEMPOTENCY_TTL (the caller commits); how many."""
    cutoff = (now or utcnow()) - IDEMPOTENCY_TTL
    return session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)).rowcount
