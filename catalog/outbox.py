"""The index outbox: which offers changed, written in the same transaction as the change.

The database is the truth. Every change to an offer records (offer_id, op) rows in
`index_outbox` inside its own transaction, through the one write path (catalog.write_path).
After a commit, one writer drains the pending rows into the text engine; if the engine is
busy or broken the rows wait for the next drain or for `flask reindex`, and the vendor's
save has already committed. Drained rows are kept for a while: the in-memory snapshot of
every process reads the same rows to see changes (catalog.snapshot).
"""

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import Index, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.models import utcnow
from extensions import db

KEEP_DRAINED = timedelta(hours=24)
PENDING_KEY = "index_outbox_pending"


class IndexOutbox(db.Model):
    __tablename__ = "index_outbox"
    __table_args__ = (Index("ix_index_outbox_pending", "indexed", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int]
    op: Mapped[str] = mapped_column(default="upsert")  # upsert | delete
    indexed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def enqueue(session: Session, offer_ids: Iterable[int], op: str = "upsert") -> None:
    """Record changed offers inside the caller's transaction (called by catalog.write_path)."""
    now = utcnow()
    rows = [{"offer_id": oid, "op": op, "indexed": False, "created_at": now} for oid in offer_ids]
    if rows:
        session.connection().execute(insert(IndexOutbox.__table__), rows)
        session.info[PENDING_KEY] = True


class Drainer:
    """The single writer: moves pending outbox rows into the text engine, one drain at a time."""

    BATCH = 2000

    def __init__(self, engine: Engine, apply: Callable[[list[int]], None]):
        self.engine = engine
        self.apply = apply  # offer ids -> (re)index or remove them
        self._lock = threading.Lock()
        self._again = threading.Event()

    def drain(self, wait: bool = False) -> int:
        """Drain until nothing is pending; if another drain is running, ask it to go round
        again, or with `wait` (a process about to exit), wait for it and drain after it."""
        if not self._lock.acquire(blocking=wait):
            self._again.set()
            return 0
        done = 0
        try:
            while True:
                self._again.clear()
                n = self._drain_once()
                done += n
                if not n and not self._again.is_set():
                    break
            self._prune()
        finally:
            self._lock.release()
        return done

    def _drain_once(self) -> int:
        table = IndexOutbox.__table__
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.offer_id).where(table.c.indexed.is_(False))
                                .order_by(table.c.id).limit(self.BATCH)).all()
        if not rows:
            return 0
        self.apply(sorted({r.offer_id for r in rows}))
        with self.engine.begin() as conn:
            conn.execute(update(table).where(table.c.id.in_([r.id for r in rows])).values(indexed=True))
        return len(rows)

    def _prune(self) -> None:
        table = IndexOutbox.__table__
        with self.engine.begin() as conn:
            conn.execute(delete(table).where(table.c.indexed.is_(True), table.c.created_at < utcnow() - KEEP_DRAINED))

    def mark_all_drained(self, up_to_id: int) -> None:
        table = IndexOutbox.__table__
        with self.engine.begin() as conn:
            conn.execute(update(table).where(table.c.id <= up_to_id).values(indexed=True))


def max_outbox_id(conn) -> int:
    from sqlalchemy import func

    return conn.execute(select(func.coalesce(func.max(IndexOutbox.__table__.c.id), 0))).scalar_one()
