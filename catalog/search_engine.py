"""The text engine behind a small interface of our own, so it can be swapped. No Flask.

An engine holds, per offer id, the offer's index terms (catalog.search_text) and their
signature, and answers "which offers have all of these terms". Filters, sorting and facets
are not its job (catalog.snapshot does them). `WhooshEngine` is the embedded default.

On disk: SEARCH_INDEX_DIR/current is a symlink to a generation folder; `rebuild` writes a
new generation and swaps the link atomically, so readers never see a half-built index.
"""

import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, STORED, FieldType, Schema
from whoosh.formats import Existence
from whoosh.query import And, Or, Term

from catalog.search_text import signature
from web import caches

caches.register(
    "text-query-ids", __name__, holds="ids of the offers matching a text query's terms (whoosh and tantivy)",
    key="the query's term groups", bound="4,000,000 offer ids (~32 MB) per process",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)
caches.register(
    "index-segment-ids", __name__, holds="docnum -> offer id of each whoosh index segment",
    key="(index generation, segment id)", bound="the live segments' documents (one int64 each)",
    invalidated_by=caches.Invalidation.NEVER, catalog_facts=False)

Doc = tuple[int, list[str]]  # (offer id, index terms)


class TextEngine(Protocol):
    def upsert(self, docs: Iterable[Doc]) -> int:
        """Add or replace documents whose terms changed; returns how many were written."""

    def remove(self, ids: Iterable[int]) -> None: ...

    def query(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        """Ids of the offers holding at least one term of every group (int64, any order)."""

    def knows(self, term: str) -> bool: ...

    def signatures(self) -> dict[int, str]:
        """Offer id -> signature of its indexed terms, for check-index."""

    def rebuild(self, docs: Iterable[Doc], progress=None) -> int:
        """Build a fresh index from `docs` beside the live one and swap it in."""


class QueryCache:
    """Recent query results of one index version, bounded by the ids they hold.

    Collecting a common word's matches costs ~0.2 µs per matching offer in either engine
    (40 ms for 200k matches at 1M offers), and the same words come back all the time. Price
    and stock changes leave an offer's terms alone, so they keep the cache; any index write
    that lands (here or in another process) clears it.
    """

    def __init__(self, max_ids: int = 4_000_000):
        self.max_ids = max_ids
        self._items: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._size = 0

    def get(self, key: tuple) -> np.ndarray | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple, ids: np.ndarray) -> None:
        if len(ids) > self.max_ids // 4 or key in self._items:
            return
        ids.flags.writeable = False  # shared between callers
        self._items[key] = ids
        self._size += len(ids)
        while self._size > self.max_ids:
            _key, old = self._items.popitem(last=False)
            self._size -= len(old)

    def clear(self) -> None:
        self._items.clear()
        self._size = 0


def new_generation(root: Path) -> Path:
    """A fresh, empty generation folder under `root`."""
    gen = root / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9}"
    gen.mkdir(parents=True)
    return gen


def swap_in(root: Path, gen: Path) -> None:
    """Point root/current at `gen` atomically and delete the other generations."""
    tmp = root / f"current.{os.getpid()}.tmp"
    if tmp.is_symlink():
        tmp.unlink()
    tmp.symlink_to(gen.name)
    os.replace(tmp, root / "current")  # atomic on POSIX
    for old in root.glob("gen-*"):
        if old.name != gen.name:
            shutil.rmtree(old, ignore_errors=True)


class _Terms(FieldType):
    """Pre-analyzed index terms: indexed exactly as given (no analyzer), presence only, no lengths.

    Our terms are already jieba-segmented, stemmed and de-duplicated (catalog.search_text), so
    whoosh's tokenizer, frequencies and per-document lengths were pure cost (about half of a
    rebuild's time, bench/results/reindex.md).
    """

    def __init__(self):
        self.format = Existence()
        self.scorable = self.stored = self.unique = False
        self.vector = None

    def index(self, value, **kwargs):
        return ((t.encode("utf-8"), 1, 1.0, b"") for t in value)


class _Codec(W3Codec):
    # No field is scorable: without this, whoosh looks up (and stats a missing file for) every
    # posting's field length while writing.
    length_stats = False


def _schema() -> Schema:
    # `oid` is a column only (docnum -> offer id); not NUMERIC, which would index 16 terms per
    # offer (and needs an int default, or crashes on Python 3.11, see shared figures). There is
    # no unique key term: one more posting and one more term per offer made writing ~30% slower;
    # updates and deletes find their documents through the `oid` column instead.
    return Schema(oid=COLUMN(NumericColumn("q", default=0)), sig=STORED(), terms=_Terms())


class WhooshEngine:
    """Whoosh (whoosh-reloaded) on local disk; one writer at a time, many readers."""

    REFRESH_SECONDS = 0.2

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._lock = threading.RLock()
        self._ix = None
        self._searcher = None
        self._target = None
        self._checked = 0.0
        self._oids: np.ndarray | None = None
        self.cache = QueryCache()
        self._segment_oids: dict[str, np.ndarray] = {}

    # -- opening ---------------------------------------------------------------------
    def _current(self) -> Path:
        return self.root / "current"

    def _open(self):
        link = self._current()
        if not link.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            gen = self._new_generation()
            index.create_in(str(gen), _schema())
            self._swap(gen)
        target = os.readlink(link)
        if self._ix is None or target != self._target:
            self._close()
            self._ix = index.open_dir(str(link))
            self._target = target
        return self._ix

    def _new_generation(self) -> Path:
        return new_generation(self.root)

    def _swap(self, gen: Path) -> None:
        swap_in(self.root, gen)

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher, self._ix, self._oids = None, None, None
        self._segment_oids = {}

    def close(self) -> None:
        with self._lock:
            self._close()

    @staticmethod
    def _segment_of(leaf):
        """A leaf's segment; None for an empty index, whose EmptyReader has no segment nor columns."""
        if leaf.doc_count_all() == 0:
            return None
        return getattr(leaf, "segment", lambda: None)()

    def _leaf_oids(self, leaf) -> np.ndarray:
        """docnum -> offer id of one segment (segments never change once written, so cached)."""
        segment = self._segment_of(leaf)
        if segment is None:  # an empty index
            return np.empty(0, np.int64)
        key = f"{self._target}/{segment.segment_id()}"
        oids = self._segment_oids.get(key)
        if oids is None:
            column = leaf.column_reader("oid")
            n = leaf.doc_count_all()
            oids = self._segment_oids[key] = np.fromiter((column[i] for i in range(n)), dtype=np.int64, count=n)
        return oids

    def _docnums(self, reader, ids: Iterable[int]) -> dict[int, list[int]]:
        """Offer id -> the (live) docnums holding it, for these ids."""
        wanted = np.fromiter(ids, dtype=np.int64)
        out: dict[int, list[int]] = {}
        for leaf, offset in reader.leaf_readers():
            oids = self._leaf_oids(leaf)
            for docnum in np.flatnonzero(np.isin(oids, wanted)).tolist():
                if not leaf.is_deleted(docnum):
                    out.setdefault(int(oids[docnum]), []).append(offset + docnum)
        return out

    def _reader(self):
        """A searcher no older than REFRESH_SECONDS, with docnum -> offer id cached per generation."""
        now = time.monotonic()
        if self._searcher is None or now - self._checked > self.REFRESH_SECONDS:
            self._checked = now
            ix = self._open()
            if self._searcher is None:
                self._searcher, self._oids = ix.searcher(), None
            elif not self._searcher.up_to_date():
                # Not searcher.refresh(): it reuses a segment's old reader when only the segment's
                # deletions changed, so another process's updates showed the old document too.
                self._searcher.close()
                self._searcher, self._oids = ix.searcher(), None
        if self._oids is None:
            self.cache.clear()
            leaves = [leaf for leaf, _offset in self._searcher.reader().leaf_readers()]
            parts = [self._leaf_oids(leaf) for leaf in leaves]
            live = {f"{self._target}/{seg.segment_id()}" for seg in map(self._segment_of, leaves) if seg}
            self._segment_oids = {k: v for k, v in self._segment_oids.items() if k in live}
            self._oids = np.concatenate(parts) if parts else np.empty(0, np.int64)
        return self._searcher

    def _writer(self, **kwargs):
        ix = self._open()
        if not isinstance(ix.schema["terms"], _Terms):
            # Written by an older version (analyzed KEYWORD terms and a key field): readable, not writable.
            raise RuntimeError(f"search index {self.root} has an older layout; run `flask reindex`")
        return ix.writer(timeout=10.0, codec=_Codec(), **kwargs)

    # -- the interface -----------------------------------------------------------------
    def query(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        if not groups:
            raise ValueError("no terms")
        with self._lock:
            searcher = self._reader()
            key = tuple(tuple(g) for g in groups)
            found = self.cache.get(key)
            if found is None:
                parts = [Term("terms", g[0]) if len(g) == 1 else Or([Term("terms", t) for t in g]) for g in groups]
                q = parts[0] if len(parts) == 1 else And(parts)
                docnums = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
                found = self._oids[docnums] if len(docnums) else docnums
                self.cache.put(key, found)
            return found

    def knows(self, term: str) -> bool:
        with self._lock:
            return self._reader().doc_frequency("terms", term) > 0

    def upsert(self, docs: Iterable[Doc]) -> int:
        docs = {oid: terms for oid, terms in docs}
        if not docs:
            return 0
        with self._lock:
            writer = self._writer()
            written = 0
            try:
                reader = writer.reader()
                held = self._docnums(reader, docs)
                for oid, terms in docs.items():
                    sig = signature(terms)
                    docnums = held.get(oid, [])
                    if len(docnums) == 1 and reader.stored_fields(docnums[0]).get("sig") == sig:
                        continue
                    for docnum in docnums:
                        writer.delete_document(docnum)
                    writer.add_document(oid=oid, sig=sig, terms=terms)
                    written += 1
            except BaseException:
                writer.cancel()
                raise
            if written:
                writer.commit()
                self._checked = 0.0
            else:
                writer.cancel()
            return written

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        with self._lock:
            writer = self._writer()
            try:
                docnums = [d for found in self._docnums(writer.reader(), ids).values() for d in found]
                for docnum in docnums:
                    writer.delete_document(docnum)
            except BaseException:
                writer.cancel()
                raise
            if docnums:
                writer.commit()
                self._checked = 0.0
            else:
                writer.cancel()

    def signatures(self) -> dict[int, str]:
        with self._lock:
            out = {}
            with self._open().searcher() as searcher:
                for leaf, _offset in searcher.reader().leaf_readers():
                    oids = self._leaf_oids(leaf)
                    for docnum, fields in leaf.iter_docs():
                        out[int(oids[docnum])] = fields["sig"]
            return out

    def rebuild(self, docs: Iterable[Doc], progress=None) -> int:
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            gen = self._new_generation()
            ix = index.create_in(str(gen), _schema())
            writer = ix.writer(limitmb=256, codec=_Codec())
            count = 0
            try:
                for oid, terms in docs:
                    writer.add_document(oid=oid, sig=signature(terms), terms=terms)
                    count += 1
                    if progress:
                        progress(1)
            except BaseException:
                writer.cancel()
                shutil.rmtree(gen, ignore_errors=True)
                raise
            writer.commit()
            ix.close()
            self._close()
            self._swap(gen)
            self._checked = 0.0
            return count


def make_engine(name: str, root: str | os.PathLike) -> TextEngine:
    """The engine named by config SEARCH_ENGINE: 'whoosh' (the default) or 'tantivy'."""
    if name == "whoosh":
        return WhooshEngine(root)
    if name == "tantivy":
        from catalog.search_tantivy import TantivyEngine

        return TantivyEngine(root)
    raise ValueError(f"unknown SEARCH_ENGINE {name!r}")
