"""The index outbox: which offers changed, written in the same transaction as the change, read by every node.

The database is the truth. Every change to an offer records (offer_id, op) rows in
`index_outbox` inside its own transaction, through the one write path (catalog.write_path).
Each search index is a durable consumer of the outbox: a row in `outbox_consumers` under its
node's name holds the last outbox id it applied, so every node applies every change. One
drainer per index at a time (the caller's lock) moves the rows past its position into the text
engine; if the engine is busy or broken the rows wait for the next drain, and the vendor's save
has already committed. The in-memory snapshot of every process follows the same ids on its own
(catalog.snapshot).

Ids are taken in one order and committed in another (concurrent PostgreSQL transactions), so a
consumer also remembers the ids it jumped over ("gaps") and reads them again until they commit
or GAP_SECONDS pass (a rolled-back id never commits).

Pruning: a row is deleted once every registered consumer is past it and it is older than the
keep age (processes' snapshots catch up from the rows). A consumer not seen for longer than the
retention is dropped from the registry; when it comes back it has no position, so it rebuilds
its index from the database.
"""

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, String, Text, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from catalog.models import utcnow
from extensions import db

PENDING_KEY = "index_outbox_pending"
# An id jumped over is read again for this long: longer than any transaction that writes offers
# stays open after its first write (a 100,000-row sheet applies in about a minute).
GAP_SECONDS = 600
# How often an idle consumer says it is alive, and how often a drainer prunes.
SEEN_EVERY_SECONDS = 60
PRUNE_EVERY_SECONDS = 60
log = logging.getLogger(__name__)


class IndexOutbox(db.Model):
    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int]
    op: Mapped[str] = mapped_column(default="upsert")  # upsert | delete
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxConsumer(db.Model):
    """One durable reader of the outbox (a node's search index) and how far it has read."""

    __tablename__ = "outbox_consumers"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)  # every id <= position applied, but the gaps
    # JSON [[first id, last id, unix time first missed], …]: ids below the position not committed yet.
    gaps: Mapped[str] = mapped_column(Text, default="[]")
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


OUTBOX = IndexOutbox.__table__
CONSUMERS = OutboxConsumer.__table__


def enqueue(session: Session, offer_ids: Iterable[int], op: str = "upsert") -> None:
    """Record changed offers inside the caller's transaction (called by catalog.write_path)."""
    now = utcnow()
    rows = [{"offer_id": oid, "op": op, "created_at": now} for oid in offer_ids]
    if rows:
        session.connection().execute(insert(OUTBOX), rows)
        session.info[PENDING_KEY] = True


def max_outbox_id(conn) -> int:
    return conn.execute(select(func.coalesce(func.max(OUTBOX.c.id), 0))).scalar_one()


def outbox_span(conn) -> tuple[int, int]:
    """(lowest, highest) id in the outbox; (0, 0) when it is empty."""
    # Two subqueries, not min and max in one: each is then one index probe (SQLite and PostgreSQL).
    low = select(func.min(OUTBOX.c.id)).scalar_subquery()
    high = select(func.max(OUTBOX.c.id)).scalar_subquery()
    low, high = conn.execute(select(func.coalesce(low, 0), func.coalesce(high, 0))).one()
    return low, high


# The position of an index rebuilt while the outbox was empty: PostgreSQL's sequence says where ids
# go on, but not portably, so the first row read sets it.
FROM_FIRST_ROW = -1


@dataclass
class Position:
    """Where a consumer is: every id up to `position` applied, except those in `gaps`."""

    position: int
    gaps: list[list[int]] = field(default_factory=list)  # [first, last, since (unix seconds)]

    def floor(self) -> int:
        """The highest id this consumer needs no row at or below."""
        return min([self.position, *(g[0] - 1 for g in self.gaps)])

    def needed(self):
        """The outbox rows this consumer has not applied (a WHERE clause)."""
        return or_(OUTBOX.c.id > self.position, *(OUTBOX.c.id.between(g[0], g[1]) for g in self.gaps))

    def advance(self, ids: list[int], now: float) -> None:
        """Take in the ids just applied (sorted; all the needed rows up to the highest one)."""
        if self.position == FROM_FIRST_ROW:
            if not ids:
                return
            # The ids below the first row seen are not gaps: the index was read from the database
            # when the outbox was empty, so they were committed (and pruned) or never will be.
            self.position = ids[0] - 1
        found = set(ids)
        kept = []
        for first, last, since in self.gaps:
            if now - since > GAP_SECONDS:
                continue  # rolled back, or a transaction we no longer wait for
            kept += [[a, b, since] for a, b in _missing(first, last, found)]
        top = max(ids, default=self.position)
        if top > self.position:
            kept += [[a, b, int(now)] for a, b in _missing(self.position + 1, top, found)]
            self.position = top
        self.gaps = kept


def _missing(first: int, last: int, found: set[int]) -> list[tuple[int, int]]:
    """The ranges of ids in [first, last] that are not in `found`."""
    out, start = [], first
    for i in sorted(i for i in found if first <= i <= last):
        if i > start:
            out.append((start, i - 1))
        start = i + 1
    if start <= last:
        out.append((start, last))
    return out


def read_position(conn: Connection, name: str) -> Position | None:
    """The consumer's position, None when it is not registered (new, or dropped after the retention)."""
    row = conn.execute(select(CONSUMERS.c.position, CONSUMERS.c.gaps).where(CONSUMERS.c.name == name)).first()
    return None if row is None else Position(row.position, json.loads(row.gaps or "[]"))


def save_position(conn: Connection, name: str, at: Position) -> None:
    values = {"position": at.position, "gaps": json.dumps(at.gaps), "seen_at": utcnow()}
    if not conn.execute(update(CONSUMERS).where(CONSUMERS.c.name == name).values(**values)).rowcount:
        conn.execute(insert(CONSUMERS).values(name=name, **values))


def pending(conn: Connection, name: str, older_than: timedelta | None = None) -> int:
    """How many outbox rows consumer `name` has not applied (all of them when it is not registered)."""
    at = read_position(conn, name) or Position(0)
    query = select(func.count()).select_from(OUTBOX).where(at.needed())
    if older_than is not None:
        query = query.where(OUTBOX.c.created_at < utcnow() - older_than)
    return conn.execute(query).scalar_one()


def position_after_rebuild(conn: Connection, up_to: int, look_back: int = 2000) -> Position:
    """A rebuild read the database as of outbox id `up_to`: ids below it not yet committed then are gaps."""
    if not up_to:
        return Position(FROM_FIRST_ROW)
    low = max(up_to - look_back, outbox_span(conn)[0] - 1)  # ids below the lowest row were pruned, not pending
    present = conn.execute(select(OUTBOX.c.id).where(OUTBOX.c.id > low, OUTBOX.c.id <= up_to)
                           .order_by(OUTBOX.c.id)).scalars().all()
    at = Position(low)
    at.advance(present, time.time())
    return at


@dataclass(frozen=True)
class Pruned:
    rows: int
    dropped: list[str]  # consumers not seen within the retention


def prune(engine: Engine, retention: timedelta, keep: timedelta) -> Pruned:
    """Drop consumers not seen within `retention`; delete the rows every remaining one is past, once
    older than `keep`. With no consumer registered, rows go by age alone."""
    now = utcnow()
    with engine.begin() as conn:
        dropped = list(conn.execute(select(CONSUMERS.c.name).where(CONSUMERS.c.seen_at < now - retention)).scalars())
        if dropped:
            conn.execute(delete(CONSUMERS).where(CONSUMERS.c.name.in_(dropped)))
            for name in dropped:
                log.warning("outbox consumer %s not seen for more than %s: dropped; it rebuilds its index "
                            "from the database when it comes back", name, retention)
        floors = [Position(r.position, json.loads(r.gaps or "[]")).floor()
                  for r in conn.execute(select(CONSUMERS.c.position, CONSUMERS.c.gaps))]
        limit = min(floors) if floors else max_outbox_id(conn)
        rows = conn.execute(delete(OUTBOX).where(OUTBOX.c.id <= limit, OUTBOX.c.created_at < now - keep)).rowcount
    return Pruned(rows, dropped)


class Drainer:
    """The one writer of one index: moves the rows past its consumer's position into the text engine.

    `lock()` is held around a drain and a rebuild: the index's cross-process lock, so the
    processes of one node drain one at a time. `rebuild(progress)` rebuilds the index from the
    database and returns (offers indexed, the outbox id it read up to).
    """

    BATCH = 2000

    def __init__(self, engine: Engine, apply: Callable[[list[int]], None], *, name: str,
                 rebuild: Callable[..., tuple[int, int]],
                 lock: Callable[[], AbstractContextManager] = nullcontext,
                 retention: timedelta = timedelta(hours=24), keep: timedelta = timedelta(hours=1),
                 owner: Callable[[], str | None] = lambda: None):
        self.engine = engine
        self.apply = apply  # offer ids -> (re)index or remove them
        self.name, self.rebuild_index, self.lock = name, rebuild, lock
        self.owner = owner  # the consumer whose index this is, as the index says (None: not said)
        self.retention, self.keep = retention, keep
        self._lock = threading.RLock()
        self._again = threading.Event()
        self._seen = self._pruned = 0.0
        # Why this process last rebuilt the index from the database (check-index and /healthz say it).
        self.rebuilt: str | None = None

    def drain(self, wait: bool = False) -> int:
        """Drain until nothing is pending; if another drain is running, ask it to go round
        again, or with `wait` (a process about to exit), wait for it and drain after it."""
        if not self._lock.acquire(blocking=wait):
            self._again.set()
            return 0
        done = 0
        try:
            with self.lock():
                while True:
                    self._again.clear()
                    n = self._drain_once()
                    done += n
                    if not n and not self._again.is_set():
                        break
            if time.monotonic() - self._pruned > PRUNE_EVERY_SECONDS:
                self._pruned = time.monotonic()
                prune(self.engine, self.retention, self.keep)
        finally:
            self._lock.release()
        return done

    def _drain_once(self) -> int:
        with self.engine.connect() as conn:
            at = read_position(conn, self.name)
            if at is None:
                why = "not registered in the outbox (new, or away longer than the retention)"
            elif max_outbox_id(conn) < at.position:
                why = "the outbox is behind its position (the database was restored or emptied)"
            else:
                why = None
                rows = conn.execute(select(OUTBOX.c.id, OUTBOX.c.offer_id).where(at.needed())
                                    .order_by(OUTBOX.c.id).limit(self.BATCH)).all()
        if why and at is None and self._taken():
            return 0
        if why:
            self.rebuild(why=why)
            return 1
        if rows:
            self.apply(sorted({r.offer_id for r in rows}))
        before = (at.position, len(at.gaps))
        at.advance([r.id for r in rows], time.time())
        if not rows and (at.position, len(at.gaps)) == before and time.monotonic() - self._seen < SEEN_EVERY_SECONDS:
            return 0
        with self.engine.begin() as conn:
            save_position(conn, self.name, at)
        self._seen = time.monotonic()
        return len(rows)

    def _taken(self) -> bool:
        """The index belongs to another registered consumer: this process runs under the wrong name.

        Rebuilding it as a new consumer would cost a full rebuild and leave the other's position
        behind; `flask reindex` under the new name takes the index over on purpose.
        """
        owner = self.owner()
        if owner is None or owner == self.name:
            return False
        with self.engine.connect() as conn:
            if read_position(conn, owner) is None:
                return False
        log.error("search index of node %s belongs to node %s: run this process with NODE_NAME=%s (or "
                  "`flask reindex` to make it %s's); not draining", self.name, owner, owner, self.name)
        return True

    def rebuild(self, progress=None, why: str | None = None) -> int:
        """Rebuild the index from the database and register this consumer where the rebuild read up to."""
        with self._lock, self.lock():
            if why:
                log.warning("search index of node %s: %s; rebuilding it from the database", self.name, why)
            count, up_to = self.rebuild_index(progress)
            with self.engine.begin() as conn:
                save_position(conn, self.name, position_after_rebuild(conn, up_to))
            if why:
                self.rebuilt = why
                log.warning("search index of node %s rebuilt from the database: %d offers", self.name, count)
        return count

    def pending(self, older_than: timedelta | None = None) -> int:
        with self.engine.connect() as conn:
            return pending(conn, self.name, older_than)

    def registered(self) -> bool:
        with self.engine.connect() as conn:
            return read_position(conn, self.name) is not None
