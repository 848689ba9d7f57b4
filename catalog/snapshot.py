"""An in-memory columnar snapshot of the catalog's filter, sort and facet fields. No Flask.

Numpy arrays, one row per offer (dead rows masked out until the next full load). Prices and
quantities are held as exact integers at their column's scale (unit_price in millionths of
a CNY, gpu_count in ten-thousandths…), so a filter is the same comparison SQL makes.
Refreshed incrementally from the index outbox: every change commits an outbox row with the
offer, so reading the rows newer than the last seen id tells which offers to reload; a process
whose rows were pruned before it read them (catalog.outbox) loads in full.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Engine

from catalog.outbox import max_outbox_id, outbox_span
from pricing.duration_price import rank_multiplier
from pricing.units import Billing
from web import caches

NULL = -1
INT_MAX = np.iinfo(np.int64).max
SCALES = {"unit_price": 6, "price_per_tflop_hour": 6, "gpu_count": 4, "gpu_memory_gb": 2, "vcpus": 2}
CODED = ("kind", "vendor", "gpu_model", "model", "region", "billing", "status")
# Spec §4.1 fields the "available between" and "off-peak" filters read (offer_query): the span in
# microseconds (UTC), the daily window coded, 1 when the offer has an off-peak rate.
WINDOW_CODED = ("available_hours",)
SPAN = ("available_from", "available_to", "off_peak")
# Outbox rows committed out of id order (concurrent PostgreSQL transactions) are caught by
# looking back this many ids on every refresh.
LOOK_BACK = 500
REFRESH_SECONDS = 0.25
# A snapshot idle this long reloads in full rather than read half a day of outbox rows (rows it
# missed that were pruned meanwhile are caught sooner, by refresh()'s look at the lowest id).
MAX_IDLE_SECONDS = 12 * 3600
# Recent answers kept per process; a vendor facet at 2,000 vendors is ~200 KB, so ~50 MB at most.
ANSWERS_KEPT = 256
caches.register(
    "catalog-snapshot", __name__, holds="every offer's filter, sort and facet fields (prices, stock) as arrays",
    key="offer id", bound="11 int64 and 8 int32 columns per offer (~12 MB at 100k offers) per process",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)
caches.register(
    "search-answers", __name__, holds="filter-only search answers: total, page ids, facet counts",
    key="the query's parameters", bound=f"{ANSWERS_KEPT} answers per process (~50 MB at 2,000 vendors)",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)
caches.register(
    "sort-orders", __name__, holds="every offer sorted by one sort key (price, price per TFLOPS, updated)",
    key="the sort key", bound="5 arrays of one int64 per offer per process (effective-price orders are not kept)",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)
caches.register(
    "facet-name-rank", __name__, holds="each facet value's rank by name (facet ties)",
    key="the facet column", bound="one int64 per distinct value", invalidated_by=caches.Invalidation.CATALOG_VERSION,
    catalog_facts=True)


def _scaled(column: str, scale: int) -> str:
    return f"COALESCE(CAST(ROUND(o.{column} * {10 ** scale}) AS BIGINT), {NULL})"


_SELECT = (
    "SELECT o.id, o.kind, v.slug, o.gpu_model, o.model, o.region, o.billing, o.status, "
    + ", ".join(_scaled(c, s) for c, s in SCALES.items())
    + ", o.stock, o.updated_at, o.available_from, o.available_to, o.available_hours,"
    " CASE WHEN o.off_peak_rate IS NULL THEN 0 ELSE 1 END FROM offers o JOIN vendors v ON v.id = o.vendor_id"
)


class Codebook:
    """Strings <-> small ints; NULL for None."""

    def __init__(self):
        self.values: list[str] = []
        self.codes: dict[str, int] = {}
        self._rank: np.ndarray | None = None

    def name_rank(self) -> np.ndarray:
        """Each code's position among the values sorted by name (facet ties), kept until a value is added."""
        if self._rank is None or len(self._rank) != len(self.values):
            rank = np.empty(len(self.values), dtype=np.int64)
            rank[sorted(range(len(self.values)), key=self.values.__getitem__)] = np.arange(len(self.values))
            self._rank = rank
        return self._rank

    def code(self, value: str | None) -> int:
        if value is None:
            return NULL
        code = self.codes.get(value)
        if code is None:
            code = self.codes[value] = len(self.values)
            self.values.append(value)
        return code


def from_micros(value: int) -> datetime | None:
    """A stored _micros value back as naive UTC (None for NULL)."""
    return None if value == NULL else datetime(1970, 1, 1) + timedelta(microseconds=int(value))


def _micros(value) -> int:
    if value is None:
        return NULL
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return int(value.timestamp() * 1_000_000) if value.tzinfo else int(
        (value - datetime(1970, 1, 1)).total_seconds() * 1_000_000)


@dataclass
class Selection:
    rows: np.ndarray  # snapshot rows matching, in no particular order


class Snapshot:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.lock = threading.RLock()
        self.books = {name: Codebook() for name in (*CODED, *WINDOW_CODED)}
        self.n = 0
        self.cols: dict[str, np.ndarray] = {}
        self.row_of = np.full(0, NULL, dtype=np.int64)
        self.alive = np.zeros(0, dtype=bool)
        self.last_id = 0
        self.seen: set[int] = set()
        self.loaded = False
        self.checked = 0.0
        self.orders: dict[str, np.ndarray] = {}
        # Answers to recent filter-only queries (see offer_query), dropped with the orders at
        # every change, so an answer is never older than the snapshot itself.
        self.answers: OrderedDict[tuple, object] = OrderedDict()
        # Told which offers changed (None: any may have), e.g. catalog.offer_records.
        self.listeners: list = []
        # Bumped at every change this snapshot sees: the catalog version of this process's caches
        # (unlike last_id, it never repeats when the outbox is emptied and refilled).
        self.generation = 0

    def _changed(self, offer_ids: list[int] | None = None) -> None:
        self.generation += 1
        self.orders = {}
        self.answers.clear()
        for listener in self.listeners:
            listener(offer_ids)

    def cached_answer(self, key: tuple, compute):
        """compute() once per key until the next change (callers hold self.lock)."""
        answer = self.answers.get(key)
        if answer is None:
            answer = self.answers[key] = compute()
            while len(self.answers) > ANSWERS_KEPT:
                self.answers.popitem(last=False)
        else:
            self.answers.move_to_end(key)
        return answer

    # -- loading -----------------------------------------------------------------------
    def _alloc(self, capacity: int) -> None:
        names = ("id", *CODED, *SCALES, "stock", "updated_at", *SPAN, *WINDOW_CODED)
        old = self.cols
        coded = (*CODED, *WINDOW_CODED)
        self.cols = {name: np.full(capacity, NULL, dtype=np.int64 if name not in coded else np.int32)
                     for name in names}
        alive = np.zeros(capacity, dtype=bool)
        if old:
            for name in names:
                self.cols[name][: self.n] = old[name][: self.n]
            alive[: self.n] = self.alive[: self.n]
        self.alive = alive

    def _put(self, row: int, rec) -> None:
        c = self.cols
        c["id"][row] = rec[0]
        for i, name in enumerate(CODED, start=1):
            c[name][row] = self.books[name].code(rec[i])
        for i, name in enumerate(SCALES, start=1 + len(CODED)):
            c[name][row] = rec[i]
        base = 1 + len(CODED) + len(SCALES)
        c["stock"][row] = NULL if rec[base] is None else rec[base]
        c["updated_at"][row] = _micros(rec[base + 1])
        c["available_from"][row] = _micros(rec[base + 2])
        c["available_to"][row] = _micros(rec[base + 3])
        c["available_hours"][row] = self.books["available_hours"].code(rec[base + 4])
        c["off_peak"][row] = rec[base + 5]
        self.alive[row] = True
        oid = rec[0]
        if oid >= len(self.row_of):
            grown = np.full(max(oid + 1, 2 * len(self.row_of)), NULL, dtype=np.int64)
            grown[: len(self.row_of)] = self.row_of
            self.row_of = grown
        self.row_of[oid] = row

    def load(self) -> None:
        """Read every offer (the full load at start, after a reset or a long idle)."""
        with self.lock, self.engine.connect() as conn:
            last = max_outbox_id(conn)
            records = conn.execute(text(_SELECT)).all()
            self.books = {name: Codebook() for name in (*CODED, *WINDOW_CODED)}
            self.n = 0
            self.cols = {}
            self._alloc(max(1024, int(len(records) * 1.1)))
            self.row_of = np.full(1024, NULL, dtype=np.int64)
            for row, rec in enumerate(records):
                self._put(row, rec)
            self.n = len(records)
            self.last_id, self.seen = last, set()
            self._changed()
            self.loaded = True
            self.checked = time.monotonic()

    def apply(self, offer_ids: list[int], conn=None) -> None:
        """Reload these offers (dropping the ones that are gone)."""
        if not offer_ids:
            return
        with self.lock:
            records = {}
            for start in range(0, len(offer_ids), 5000):
                chunk = offer_ids[start:start + 5000]
                query = text(_SELECT + " WHERE o.id IN (" + ",".join(str(int(i)) for i in chunk) + ")")
                if conn is None:
                    with self.engine.connect() as own:
                        records.update((r[0], r) for r in own.execute(query))
                else:
                    records.update((r[0], r) for r in conn.execute(query))
            for oid in offer_ids:
                row = self.row_of[oid] if oid < len(self.row_of) else NULL
                rec = records.get(oid)
                if rec is None:
                    if row != NULL:
                        self.alive[row] = False
                        self.row_of[oid] = NULL
                    continue
                if row == NULL:
                    if self.n >= len(self.alive):
                        self._alloc(2 * len(self.alive))
                    row = self.n
                    self.n += 1
                self._put(row, rec)
            self._changed(offer_ids)

    def refresh(self, force: bool = False) -> None:
        """Catch up with committed changes (at most every REFRESH_SECONDS unless forced)."""
        now = time.monotonic()
        if not self.loaded or now - self.checked > MAX_IDLE_SECONDS:
            self.load()
            return
        if not force and now - self.checked < REFRESH_SECONDS:
            return
        with self.lock:
            self.checked = now
            with self.engine.connect() as conn:
                bottom, top = outbox_span(conn)
                if top < self.last_id or bottom > self.last_id + 1:
                    # The outbox went backwards (its table was emptied: a restore, tests), or rows this
                    # process has not read were pruned (it was idle longer than the outbox keeps them).
                    self.load()
                    return
                if top == self.last_id and not self.seen:
                    return
                rows = conn.execute(text("SELECT id, offer_id FROM index_outbox WHERE id > :floor"),
                                    {"floor": self.last_id - LOOK_BACK}).all()
                new = [r for r in rows if r[0] not in self.seen]
                if new:
                    self.apply(sorted({r[1] for r in new}), conn)
                    self.last_id = max(self.last_id, max(r[0] for r in new))
                self.seen.update(r[0] for r in new)
                floor = self.last_id - LOOK_BACK
                self.seen = {i for i in self.seen if i > floor}

    # -- answering ---------------------------------------------------------------------
    def live_rows(self) -> np.ndarray:
        return np.flatnonzero(self.alive[: self.n])

    def order(self, key: str) -> np.ndarray:
        """All rows sorted by a sort key (ties by id), cached until the next change."""
        cached = self.orders.get(key)
        if cached is None:
            cached = self.orders[key] = self._sort(np.arange(self.n), key)
        return cached

    def _sort(self, rows: np.ndarray, key: str) -> np.ndarray:
        c = self.cols
        ids = c["id"][rows]
        if key == "unit_price":
            perm = np.lexsort((ids, c["unit_price"][rows]))
        elif key == "-unit_price":
            perm = np.lexsort((ids, -c["unit_price"][rows]))
        elif key == "price_per_tflop_hour":
            ppt = c["price_per_tflop_hour"][rows]
            perm = np.lexsort((ids, np.where(ppt == NULL, INT_MAX, ppt)))
        elif key == "updated_at":
            perm = np.lexsort((ids, -c["updated_at"][rows]))
        elif key == "-price_per_tflop_hour":
            ppt = c["price_per_tflop_hour"][rows]
            perm = np.lexsort((ids, np.where(ppt == NULL, INT_MAX, -ppt)))
        elif key.lstrip("-").startswith("effective_price:"):
            effective = c["unit_price"][rows] * self._rank_multipliers(int(key.split(":")[1]))[rows]
            perm = np.lexsort((ids, -effective if key.startswith("-") else effective))
        else:
            raise ValueError(key)
        return rows[perm]

    def _rank_multipliers(self, hours: int) -> np.ndarray:
        """Per row, the integer pricing.duration_price.rank_multiplier of its billing mode for `hours`."""
        billing = self.cols["billing"]
        out = np.full(len(billing), hours, dtype=np.int64)
        for mode in (Billing.MONTHLY, Billing.YEARLY):
            code = self.books["billing"].codes.get(mode.value)
            if code is not None:
                out[billing == code] = rank_multiplier(mode.value, hours)
        return out

    def sorted_page(self, mask: np.ndarray, matched: np.ndarray, key: str, offset: int, limit: int) -> np.ndarray:
        """The rows of one page, in order: sort the matches (`matched` = np.flatnonzero(mask))
        when few, else walk the cached order. Effective-price orders (one per job length) are never
        cached: they are sorted from the matches each time."""
        if key.lstrip("-").startswith("effective_price:"):
            return self._sort(matched, key)[offset:offset + limit]
        # Sorting the matches costs ~0.1 µs each; walking the cached order ~5 ns per offer.
        if len(matched) <= 2_000 or key not in self.orders and len(matched) < self.n // 4:
            return self._sort(matched, key)[offset:offset + limit]
        ordered = self.order(key)
        return ordered[mask[ordered]][offset:offset + limit]

    def facet(self, name: str, rows: np.ndarray) -> dict[str, int]:
        """Counts per value over these rows (snapshot row indices)."""
        book = self.books[name]
        codes = self.cols[name][: self.n][rows]
        counts = np.bincount(codes[codes != NULL], minlength=len(book.values))
        present = np.flatnonzero(counts)
        # Most offers first, ties by name: the same order the SQL path gives. Names compared
        # through their cached rank (sorting 2,000 vendor names per request cost ~1 ms).
        order = present[np.lexsort((book.name_rank()[present], -counts[present]))]
        values = book.values
        return {values[i]: c for i, c in zip(order.tolist(), counts[order].tolist(), strict=True)}
