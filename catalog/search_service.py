"""The search service of one database: text engine + snapshot + outbox drainer. No Flask.

One per SQLAlchemy engine, and one way to find it: `service_for(session)` (or a connection
or the engine), so `search_offers(session, …)` needs nothing else and neither does a view.
Built by catalog.index_cli.init_app from config; the app holds it (app.extensions) for as long
as the app lives, and this module only weakly, so an app's service goes with its app.
"""

import fcntl
import logging
import queue
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from catalog import outbox, write_path
from catalog.models import Offer, Vendor
from catalog.offer_records import OfferRecords
from catalog.registry import Registries
from catalog.search_engine import TextEngine
from catalog.search_text import OfferText, ParsedQuery, TextBuilder, parse_query, signature
from catalog.snapshot import Snapshot

log = logging.getLogger(__name__)
_TEXT_COLUMNS = (Offer.id, Offer.kind, Offer.title, Offer.description, Offer.sku, Offer.billing, Offer.region,
                 Offer.gpu_model, Offer.model, Offer.cpu_arch, Vendor.slug, Vendor.name_zh, Vendor.name_en)


_held = threading.local()  # the index folders this thread holds the lock of


@contextmanager
def _index_lock(root):
    """An exclusive lock on `root`/.index.lock across processes (released by the OS if the holder dies).

    Re-entrant in one thread: a drain holds it and applies batches that take it again (a second
    flock from the same process on another handle would wait for itself).
    """
    held = _held.__dict__.setdefault("roots", set())
    if root is None or str(root) in held:
        yield
        return
    Path(root).mkdir(parents=True, exist_ok=True)
    with open(Path(root) / ".index.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        held.add(str(root))
        try:
            yield
        finally:
            held.discard(str(root))
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Mismatch:
    offer_id: int
    problem: str  # missing | stale | extra


class SearchService:
    def __init__(self, db_engine: Engine, text: TextEngine, registries: Registries, drain_mode: str = "thread",
                 drain_before_return: Callable[[], bool] = lambda: False, *, node: str = "local",
                 retention: timedelta = timedelta(hours=24), keep: timedelta = timedelta(hours=1),
                 poll_seconds: float = 0.5):
        self.db_engine = db_engine
        self.text = text
        self.builder = TextBuilder(registries)
        self.snapshot = Snapshot(db_engine)
        self.records = OfferRecords(db_engine, self.snapshot.refresh)
        self.snapshot.listeners.append(self.records.forget)
        root = getattr(text, "root", None)
        self.drainer = outbox.Drainer(db_engine, self.index_offers, name=node, rebuild=self._rebuild_text,
                                      lock=lambda: _index_lock(root), retention=retention, keep=keep,
                                      owner=self._owner)
        self.drain_mode = drain_mode
        # True when the committing thread must not leave the drain to the background thread:
        # a command-line command, whose process exits right after (catalog.index_cli).
        self.drain_before_return = drain_before_return
        # The background drainer also wakes this often with no commit of its own: other nodes'
        # (and other processes') changes reach this node's index that way.
        self.poll_seconds = poll_seconds
        self._wake: queue.Queue | None = None
        self._start = threading.Lock()

    # -- writing ---------------------------------------------------------------------
    def _texts(self, conn, ids: list[int] | None) -> Iterator[OfferText]:
        stmt = select(*_TEXT_COLUMNS).join(Vendor, Vendor.id == Offer.vendor_id).order_by(Offer.id)
        chunks = [None] if ids is None else [ids[i:i + 2000] for i in range(0, len(ids), 2000)]
        for chunk in chunks:
            query = stmt if chunk is None else stmt.where(Offer.id.in_(chunk))
            for row in conn.execute(query.execution_options(yield_per=5000)):
                yield OfferText(*row)

    def docs(self, conn, ids: list[int] | None = None) -> Iterator[tuple[int, list[str]]]:
        for offer in self._texts(conn, ids):
            yield offer.id, self.builder.terms(offer)

    def index_offers(self, ids: list[int]) -> None:
        """Bring these offers' index entries in line with the database.

        Reading the offers and writing their entries happen under one lock shared by every
        process on this index: two workers draining at once could otherwise read an offer
        before and after an edit and write in the other order, leaving the older text indexed
        (bench/faults/index_writers.py found 2 stale offers in 300 concurrent edits). The
        engine's own write lock covers only the write.
        """
        with _index_lock(getattr(self.text, "root", None)):
            with self.db_engine.connect() as conn:
                docs = list(self.docs(conn, ids))
            present = {oid for oid, _ in docs}
            self.text.upsert(docs)
            self.text.remove([oid for oid in ids if oid not in present])

    def on_commit(self) -> None:
        self.snapshot.checked = 0.0  # the next query catches up at once
        if self.drain_mode == "sync":
            self.drainer.drain()
        elif self.drain_mode == "thread" and self.drain_before_return():
            self.drainer.drain(wait=True)
        elif self.drain_mode == "thread":
            self._start_worker()
            self._wake.put(1)

    def start_polling(self) -> None:
        """Drain in the background after every commit and every `poll_seconds` (serving processes)."""
        self._start_worker()

    def _start_worker(self) -> None:
        with self._start:
            if self._wake is not None:
                return
            self._wake = queue.Queue()
        wake = self._wake

        def work():
            while True:
                with suppress(queue.Empty):
                    wake.get(timeout=self.poll_seconds)
                while not wake.empty():
                    wake.get_nowait()
                try:
                    self.drainer.drain()
                except Exception:
                    log.exception("draining the index outbox failed; `flask reindex` will catch up")

        threading.Thread(target=work, name="index-outbox-drainer", daemon=True).start()

    def _owner_file(self) -> Path | None:
        root = getattr(self.text, "root", None)
        return None if root is None else Path(root) / ".node"

    def _owner(self) -> str | None:
        """The node this index folder was last built for (outbox.Drainer refuses to drain another's)."""
        path = self._owner_file()
        try:
            return path.read_text(encoding="utf-8").strip() or None if path else None
        except FileNotFoundError:
            return None

    def _rebuild_text(self, progress=None) -> tuple[int, int]:
        with self.db_engine.connect() as conn:
            up_to = outbox.max_outbox_id(conn)
            count = self.text.rebuild(self.docs(conn), progress=progress)
        path = self._owner_file()
        if path is not None:
            path.write_text(self.drainer.name, encoding="utf-8")
        return count, up_to

    def reindex(self, progress=None) -> int:
        """Rebuild the text index from the database into a new folder, swap it in, replay what raced."""
        count = self.drainer.rebuild(progress)
        self.drainer.drain(wait=True)
        self.snapshot.load()
        return count

    def check(self) -> list[Mismatch]:
        """Offers whose indexed terms differ from what the database says they should be."""
        indexed = self.text.signatures()
        out = []
        with self.db_engine.connect() as conn:
            for oid, terms in self.docs(conn):
                sig = indexed.pop(oid, None)
                if sig is None:
                    out.append(Mismatch(oid, "missing"))
                elif sig != signature(terms):
                    out.append(Mismatch(oid, "stale"))
        out.extend(Mismatch(oid, "extra") for oid in sorted(indexed))
        return out

    def reset(self) -> None:
        """Forget everything (after the tables were emptied underneath us) and start from the outbox's end."""
        self.drainer.rebuild()
        self.snapshot.loaded = False

    # -- reading ---------------------------------------------------------------------
    def parse(self, q: str) -> ParsedQuery:
        return parse_query(q, self.builder, self.text.knows)

    def version(self) -> int:
        """The newest catalog change this process has seen (an index_outbox id): a key for caches of
        what the catalog shows. :raise SQLAlchemyError: the database cannot say."""
        self.snapshot.refresh()
        return self.snapshot.last_id

    def offers(self, ids: list[int], connect) -> list[Offer]:
        """These offers, in this order, read-only, from the per-process offer cache (offer_records.py)."""
        return self.records.get(ids, connect)


# By the id of their engine; weak, so the entry goes when the service's app does (a service holds
# its engine, so an id is never reused while its entry lives).
_services: weakref.WeakValueDictionary[int, SearchService] = weakref.WeakValueDictionary()


def _on_commit(session: Session) -> None:
    service = service_for(session)
    if service is not None:
        service.on_commit()


def register(service: SearchService, sessions) -> None:
    """Make `service` the one for its engine, and record offer writes made through `sessions`
    (the app's scoped session) in the outbox (catalog.write_path)."""
    _services[id(service.db_engine)] = service
    write_path.install(sessions, _on_commit)


def service_for(bind: Session | Connection | Engine) -> SearchService | None:
    """The search service of this session's (connection's, engine's) database, None where none is set up."""
    if hasattr(bind, "get_bind"):  # a Session, or Flask-SQLAlchemy's scoped session
        bind = bind.get_bind()
    if isinstance(bind, Connection):
        bind = bind.engine
    return _services.get(id(bind))
