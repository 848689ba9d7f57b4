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
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from whoosh import index
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, Schema
from whoosh.query import And, Or, Term

from catalog.search_text import signature

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


def _schema() -> Schema:
    # `oid` is a column only (docnum -> offer id); not NUMERIC, which would index 16 terms per
    # offer (and needs an int default, or crashes on Python 3.11, see shared figures).
    # `terms` is scorable only because whoosh otherwise stats a missing lengths file per posting.
    return Schema(key=ID(stored=True, unique=True), oid=COLUMN(NumericColumn("q", default=0)),
                  sig=STORED(), terms=KEYWORD(lowercase=False, commas=False, scorable=True))


class WhooshEngine:
    """Whoosh (whoosh-reloaded) on local disk; one writer at a time, many readers."""

    REFRESH_SECONDS = 0.2

    def __init__(self, root: str | os.PathLike, build_procs: int = 1):
        self.root = Path(root)
        self.build_procs = build_procs
        self._lock = threading.RLock()
        self._ix = None
        self._searcher = None
        self._target = None
        self._checked = 0.0
        self._oids: np.ndarray | None = None

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
        gen = self.root / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9}"
        gen.mkdir(parents=True)
        return gen

    def _swap(self, gen: Path) -> None:
        tmp = self.root / f"current.{os.getpid()}.tmp"
        if tmp.is_symlink():
            tmp.unlink()
        tmp.symlink_to(gen.name)
        os.replace(tmp, self._current())  # atomic on POSIX
        for old in self.root.glob("gen-*"):
            if old.name != gen.name:
                shutil.rmtree(old, ignore_errors=True)

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher, self._ix, self._oids = None, None, None

    def close(self) -> None:
        with self._lock:
            self._close()

    def _reader(self):
        """A searcher no older than REFRESH_SECONDS, with docnum -> offer id cached per generation."""
        now = time.monotonic()
        if self._searcher is None or now - self._checked > self.REFRESH_SECONDS:
            self._checked = now
            ix = self._open()
            if self._searcher is None:
                self._searcher, self._oids = ix.searcher(), None
            elif not self._searcher.up_to_date():
                self._searcher = self._searcher.refresh()
                self._oids = None
        if self._oids is None:
            parts = []
            for leaf, _offset in self._searcher.reader().leaf_readers():
                if leaf.doc_count_all() == 0:  # an empty index's EmptyReader has no columns at all
                    continue
                column = leaf.column_reader("oid")
                parts.append(np.fromiter((column[i] for i in range(leaf.doc_count_all())), dtype=np.int64,
                                         count=leaf.doc_count_all()))
            self._oids = np.concatenate(parts) if parts else np.empty(0, np.int64)
        return self._searcher

    # -- the interface -----------------------------------------------------------------
    def query(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        if not groups:
            raise ValueError("no terms")
        with self._lock:
            searcher = self._reader()
            parts = [Term("terms", g[0]) if len(g) == 1 else Or([Term("terms", t) for t in g]) for g in groups]
            q = parts[0] if len(parts) == 1 else And(parts)
            docnums = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
            return self._oids[docnums] if len(docnums) else docnums

    def knows(self, term: str) -> bool:
        with self._lock:
            return self._reader().doc_frequency("terms", term) > 0

    def upsert(self, docs: Iterable[Doc]) -> int:
        with self._lock:
            ix = self._open()
            written = 0
            with ix.searcher() as searcher:
                changed = []
                for oid, terms in docs:
                    sig = signature(terms)
                    stored = searcher.document(key=str(oid))
                    if stored is None or stored.get("sig") != sig:
                        changed.append((oid, sig, terms))
            if changed:
                writer = ix.writer(timeout=10.0)
                try:
                    for oid, sig, terms in changed:
                        writer.update_document(key=str(oid), oid=oid, sig=sig, terms=" ".join(terms))
                        written += 1
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit()
                self._checked = 0.0
            return written

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        with self._lock:
            writer = self._open().writer(timeout=10.0)
            try:
                for oid in ids:
                    writer.delete_by_term("key", str(oid))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self._checked = 0.0

    def signatures(self) -> dict[int, str]:
        with self._lock:
            out = {}
            with self._open().searcher() as searcher:
                for _docnum, fields in searcher.reader().iter_docs():
                    out[int(fields["key"])] = fields["sig"]
            return out

    def rebuild(self, docs: Iterable[Doc], progress=None) -> int:
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            gen = self._new_generation()
            ix = index.create_in(str(gen), _schema())
            # Whoosh is pure Python: index in two processes (this machine's cores), one segment each;
            # this process computes the offers' terms meanwhile.
            writer = ix.writer(procs=self.build_procs, batchsize=500, multisegment=True, limitmb=128) \
                if self.build_procs > 1 else ix.writer(limitmb=256)
            count = 0
            try:
                for oid, terms in docs:
                    writer.add_document(key=str(oid), oid=oid, sig=signature(terms), terms=" ".join(terms))
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
    """The engine named by config SEARCH_ENGINE (only 'whoosh' ships)."""
    if name == "whoosh":
        # whoosh's multi-process writer measured slower here (18 s vs 15 s per 20k offers).
        return WhooshEngine(root, build_procs=1)
    raise ValueError(f"unknown SEARCH_ENGINE {name!r}")
