"""Offers as pages list them, kept in memory per process and dropped the moment they change. No Flask.

A browse page, an API search and an offer page's "other vendors" list 12–22 offers each;
loading them through the ORM (with their vendor) was ~2.5 ms of a ~10 ms page. The same
offers come back again and again (the cheapest of a popular GPU model lead many views), so
each is loaded once and kept, detached from any session and treated as read-only.

Exact, not time-based: the snapshot (catalog/snapshot.py) learns every committed change to
an offer or its vendor from the index outbox and tells this cache which ids to forget (all
of them on a full reload). A load that raced a change is not kept (see `get`), so a kept
offer is never older than what search itself answers from.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, joinedload

from catalog.models import Offer
from web import caches

# ~2 KB each with its vendor, plus the table cells catalog.pages.kept_macro renders onto them
# (~3 KB per language shown): ~100 MB per process at most.
KEPT = 20_000
caches.register(
    "offer-records", __name__, holds="offers with their vendor as pages list them (prices, stock, titles)",
    key="offer id", bound=f"{KEPT:,} offers per process (~100 MB with their row HTML)",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)


class OfferRecords:
    def __init__(self, engine: Engine, catch_up: Callable[[], None], kept: int = KEPT):
        """`catch_up` brings the change feed up to date (the snapshot's refresh), so what is
        kept here is checked against the latest committed changes before every read."""
        self.engine, self.catch_up, self.kept = engine, catch_up, kept
        self._offers: OrderedDict[int, Offer] = OrderedDict()
        self._lock = threading.Lock()
        self.version = 0  # bumped by every forget(); a load that spans one is not kept

    def forget(self, offer_ids: Iterable[int] | None) -> None:
        """These offers changed (None: any may have)."""
        with self._lock:
            self.version += 1
            if offer_ids is None:
                self._offers.clear()
            else:
                for oid in offer_ids:
                    self._offers.pop(int(oid), None)

    def get(self, ids: list[int], connect: Callable[[], Connection] | None = None) -> list[Offer]:
        """The offers with these ids, in this order (ids no longer in the database are left out).

        Loaded in a session of their own, never the caller's: the caller's session may hold
        the same offer attached (the offer page's own offer) and must keep it. `connect` gives
        the connection to read on (the caller's, so a page holds one pooled connection, not
        two); called only when something is missing.
        """
        self.catch_up()
        with self._lock:
            found = {i: self._offers[i] for i in ids if i in self._offers}
            for i in found:
                self._offers.move_to_end(i)
            version = self.version
        missing = [i for i in ids if i not in found]
        if missing:
            with Session(connect() if connect else self.engine, expire_on_commit=False) as session:
                loaded = session.scalars(
                    select(Offer).options(joinedload(Offer.vendor)).where(Offer.id.in_(missing))).all()
            found.update((o.id, o) for o in loaded)
            with self._lock:
                if self.version == version:  # nothing changed while loading: safe to keep
                    self._offers.update((o.id, o) for o in loaded)
                    while len(self._offers) > self.kept:
                        self._offers.popitem(last=False)
        return [found[i] for i in ids if i in found]
