"""Every cache kept across requests, in one list: what it holds, its key, its bound, and what empties it. No Flask.

A cache registers itself where it is defined, with one `register(...)` at import, so a reader
finds here what every cache holds and what clears it, and `flask --app app caches` prints the
list. This module imports nothing of the areas (catalog, offers, checkout, compare, accounts):
every layer can register into it.

The rule that keeps pages true: a cache of catalog facts (prices, stock, titles, vendor names)
is emptied or re-keyed by the catalog version, never by a clock. The catalog version is the
newest `index_outbox` id a worker's snapshot has seen; every offer or vendor change commits
an outbox row with it (a renamed vendor one row per offer), so a vendor change is a catalog
version change too.
"""

from dataclasses import dataclass
from enum import StrEnum


class Invalidation(StrEnum):
    """The one event that makes an entry wrong."""

    CATALOG_VERSION = "catalog version"  # any committed offer or vendor change
    TIME = "time"  # expires after a while: only for what is not a catalog fact
    NEVER = "never"  # a pure function of its key, or of files read once per process


@dataclass(frozen=True)
class Cache:
    name: str
    module: str
    holds: str
    key: str
    bound: str
    invalidated_by: Invalidation
    catalog_facts: bool  # holds prices, stock, titles or vendor names a page shows


_caches: dict[str, Cache] = {}


def register(name: str, module: str, *, holds: str, key: str, bound: str, invalidated_by: Invalidation,
             catalog_facts: bool) -> Cache:
    """Add a cache to the list; the same registration again (a module reloaded) is a no-op.

    :raise ValueError: a time-based cache of catalog facts, or a second cache under a taken name.
    """
    if invalidated_by is Invalidation.TIME and catalog_facts:
        raise ValueError(f"cache {name!r}: catalog facts must follow the catalog version, not a clock")
    cache = Cache(name, module, holds, key, bound, Invalidation(invalidated_by), catalog_facts)
    known = _caches.setdefault(name, cache)
    if known != cache:
        raise ValueError(f"cache {name!r} is already registered by {known.module}")
    return cache


def registered() -> list[Cache]:
    """Every registered cache, by name."""
    return sorted(_caches.values(), key=lambda c: c.name)


def describe() -> str:
    """The list as plain text, one block per cache (for `flask caches`)."""
    blocks = []
    for c in registered():
        blocks.append(f"{c.name}  [{c.invalidated_by}]  {c.module}\n"
                      f"  holds: {c.holds}\n  key:   {c.key}\n  bound: {c.bound}")
    return "\n".join(blocks)


def init_app(app) -> None:
    """Add `flask caches`, which prints the list (the app is passed in: this module imports no Flask)."""

    @app.cli.command("caches")
    def caches_command():
        """List every cache kept across requests: what it holds, its key, bound and invalidating event."""
        print(describe())
