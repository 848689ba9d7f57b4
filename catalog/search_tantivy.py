"""The tantivy text engine (Rust, via the `tantivy` Python bindings), SEARCH_ENGINE=tantivy. No Flask.

Same contract as catalog.search_engine.WhooshEngine: it indexes our own terms
(catalog.search_text: jieba, stemming, concept terms), one `raw` token per term, so both
engines match exactly the same offers; only the storage and the matching are tantivy's.
Same on-disk layout too: SEARCH_INDEX_DIR/current -> a generation folder, swapped
atomically by `rebuild`. Tantivy allows one writer per index across processes (a lock
file); a writer is opened per batch and released at once, waiting up to WRITER_TIMEOUT.
"""

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import tantivy

from catalog.search_engine import Doc, QueryCache, new_generation, swap_in
from catalog.search_text import signature

WRITER_TIMEOUT = 10.0


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("oid", stored=True, indexed=True, fast=True)
    builder.add_text_field("sig", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("terms", stored=False, tokenizer_name="raw", index_option="basic")
    return builder.build()


def _document(oid: int, terms: list[str]) -> tantivy.Document:
    return tantivy.Document(oid=[oid], sig=[signature(terms)], terms=list(terms))


class TantivyEngine:
    REFRESH_SECONDS = 0.2

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.schema = _schema()
        self._lock = threading.RLock()
        self._ix: tantivy.Index | None = None
        self._target = None
        self._searcher = None
        self._checked = 0.0
        self._version = None
        self.cache = QueryCache()

    # -- opening ---------------------------------------------------------------------
    def _open(self) -> tantivy.Index:
        link = self.root / "current"
        if not link.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            gen = new_generation(self.root)
            tantivy.Index(self.schema, path=str(gen))
            swap_in(self.root, gen)
        target = os.readlink(link)
        if self._ix is None or target != self._target:
            self._ix = tantivy.Index.open(str(self.root / target))
            self._target = target
            self._searcher = None
        return self._ix

    def _reader(self):
        now = time.monotonic()
        if self._searcher is None or now - self._checked > self.REFRESH_SECONDS:
            self._checked = now
            ix = self._open()
            # Every commit rewrites meta.json: reload (and drop cached results) only when it changed.
            meta = os.stat(self.root / self._target / "meta.json")
            version = (self._target, meta.st_mtime_ns, meta.st_size, meta.st_ino)
            if self._searcher is None or version != self._version:
                ix.reload()
                self._searcher, self._version = ix.searcher(), version
                self.cache.clear()
        return self._searcher

    def _writer(self, ix: tantivy.Index, **kwargs):
        deadline = time.monotonic() + WRITER_TIMEOUT
        while True:
            try:
                return ix.writer(**kwargs)
            except ValueError as exc:  # another process holds the index's writer lock
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _all_hits(self, searcher, query, limit: int | None = None):
        n = searcher.num_docs if limit is None else limit
        if n == 0:
            return []
        return searcher.search(query, limit=n, count=False, order_by_field="oid").hits

    def close(self) -> None:
        with self._lock:
            self._ix, self._searcher, self._target, self._version = None, None, None, None
            self.cache.clear()

    # -- the interface -----------------------------------------------------------------
    def query(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        if not groups:
            raise ValueError("no terms")
        with self._lock:
            searcher = self._reader()
            key = tuple(tuple(g) for g in groups)
            found = self.cache.get(key)
            if found is not None:
                return found
            # The collector's size is the most offers that can match (postings still counting deleted
            # documents make it an upper bound): a collector sized to the whole index costs ms at 1M.
            bound = min(sum(searcher.doc_freq("terms", t) for t in g) for g in groups)
            if bound == 0:
                return np.empty(0, np.int64)
            parts = [tantivy.Query.term_set_query(self.schema, "terms", list(g)) for g in groups]
            q = parts[0] if len(parts) == 1 else tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, p) for p in parts])
            hits = self._all_hits(searcher, q, limit=bound)
            found = np.fromiter((oid for oid, _addr in hits), dtype=np.int64, count=len(hits))
            self.cache.put(key, found)
            return found

    def knows(self, term: str) -> bool:
        with self._lock:
            return self._reader().doc_freq("terms", term) > 0

    def _stored_sigs(self, searcher, ids: list[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            q = tantivy.Query.term_set_query(self.schema, "oid", chunk)
            for _key, addr in self._all_hits(searcher, q, limit=4 * len(chunk)):
                doc = searcher.doc(addr)
                out.setdefault(doc["oid"][0], []).append(doc["sig"][0])
        return out

    def upsert(self, docs: Iterable[Doc]) -> int:
        docs = {oid: terms for oid, terms in docs}
        if not docs:
            return 0
        with self._lock:
            ix = self._open()
            writer = self._writer(ix, heap_size=15_000_000, num_threads=1)
            written = 0
            try:
                ix.reload()
                held = self._stored_sigs(ix.searcher(), list(docs))
                for oid, terms in docs.items():
                    if held.get(oid) == [signature(terms)]:
                        continue
                    if oid in held:
                        writer.delete_documents_by_term("oid", oid)
                    writer.add_document(_document(oid, terms))
                    written += 1
                if written:
                    writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # also releases the writer lock
            self._checked = 0.0
            return written

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        with self._lock:
            ix = self._open()
            writer = self._writer(ix, heap_size=15_000_000, num_threads=1)
            try:
                for oid in ids:
                    writer.delete_documents_by_term("oid", oid)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            self._checked = 0.0

    def signatures(self) -> dict[int, str]:
        with self._lock:
            ix = self._open()
            ix.reload()
            searcher = ix.searcher()
            out = {}
            for _key, addr in self._all_hits(searcher, tantivy.Query.all_query()):
                doc = searcher.doc(addr)
                out[doc["oid"][0]] = doc["sig"][0]
            return out

    def rebuild(self, docs: Iterable[Doc], progress=None) -> int:
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            gen = new_generation(self.root)
            ix = tantivy.Index(self.schema, path=str(gen))
            writer = ix.writer(heap_size=128_000_000, num_threads=1)
            count = 0
            try:
                for oid, terms in docs:
                    writer.add_document(_document(oid, terms))
                    count += 1
                    if progress:
                        progress(1)
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                with contextlib.suppress(Exception):  # already consumed by wait_merging_threads
                    writer.rollback()
                shutil.rmtree(gen, ignore_errors=True)
                raise
            self.close()
            swap_in(self.root, gen)
            self._checked = 0.0
            return count
