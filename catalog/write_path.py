"""The one write path for offers: every change to an offer row is recorded in the index outbox
(catalog.outbox) in the transaction that makes it, by hooks on the app's session; writers call nothing.

- ORM changes (add, edit or delete an Offer, rename a Vendor): `after_flush`.
- Statements through the session (importer, delisting, any new bulk writer):
  `do_orm_execute`. UPDATE/DELETE select the ids their WHERE matches and are narrowed to them; an
  executemany names its rows by `id = :param`; INSERT ids are read back by (vendor_id, sku). A
  statement whose offers cannot be told is refused, never run unrecorded.
- After the commit the search service drains (a command, before it returns); snapshot, cached
  offers and page-cache key follow the outbox. SQL text and bare-Connection writes bypass this: don't. New writers join
  tests/catalog/test_write_path_property.py.
"""

import logging
from collections.abc import Callable

from sqlalchemy import BinaryExpression, BindParameter, event, select
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import operators

from catalog.models import Offer, Vendor
from catalog.outbox import PENDING_KEY, enqueue

log = logging.getLogger(__name__)
OFFERS = Offer.__table__
VENDORS = Vendor.__table__
# Narrowing puts the matched ids in the statement as parameters (SQLite allows 32,766).
NARROW_MAX = 10_000
LOOKUP_CHUNK = 1000


def _after_flush(session: Session, _context) -> None:
    upserts: set[int] = set()
    deletes: set[int] = set()
    vendors: list[int] = []
    for obj in session.new:
        if isinstance(obj, Offer):
            upserts.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Offer) and session.is_modified(obj, include_collections=False):
            upserts.add(obj.id)
        elif isinstance(obj, Vendor) and session.is_modified(obj, include_collections=False):
            vendors.append(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Offer):
            deletes.add(obj.id)
    enqueue(session, sorted(upserts - deletes))
    enqueue(session, sorted(deletes), op="delete")
    if vendors:
        # A renamed vendor changes the words all its offers are found by.
        enqueue(session, _offers_of(session, vendors))


def _offers_of(session: Session, vendor_ids: list[int]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(vendor_ids), LOOKUP_CHUNK):
        chunk = vendor_ids[start:start + LOOKUP_CHUNK]
        ids += session.connection().execute(select(OFFERS.c.id).where(OFFERS.c.vendor_id.in_(chunk))).scalars()
    return ids


def _param_sets(state: ORMExecuteState) -> list[dict]:
    params = state.parameters
    sets = params if isinstance(params, list) else [params or {}]
    # Values given in .values(...) rather than per row. An ORM bulk insert (insert(Offer) with a
    # list of rows) has none, and cannot be compiled outside its own execution.
    own = state.statement._values or state.statement._multi_values
    fixed = state.statement.compile().params if own else {}
    return [{**fixed, **p} for p in sets]


def _ids_by_param(state: ORMExecuteState, table) -> list[int] | None:
    """The ids an executemany UPDATE/DELETE names: `WHERE id = :p`, or the ORM's by-primary-key form."""
    where = state.statement.whereclause
    sets = state.parameters
    if (isinstance(where, BinaryExpression) and where.operator is operators.eq
            and isinstance(where.right, BindParameter) and getattr(where.left, "table", None) is not None
            and where.left.table.name == table.name and where.left.name == "id"):
        key = where.right.key
        if all(key in p for p in sets):
            return [p[key] for p in sets]
    if where is None and state.is_orm_statement and all("id" in p for p in sets):
        return [p["id"] for p in sets]
    return None


def _refuse(table, why: str) -> None:
    raise ValueError(f"a write to {table.name} whose offer ids cannot be told ({why}): name the offers by id "
                     f"(WHERE id = :param) or write one statement per WHERE; see catalog/write_path.py")


def _on_execute(state: ORMExecuteState):
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in (OFFERS.name, VENDORS.name):
        return None
    table = OFFERS if name == OFFERS.name else VENDORS
    session = state.session
    if state.is_insert:
        if table is VENDORS:
            return None  # a new vendor has no offers yet
        return _insert_offers(state)
    if state.is_executemany:
        ids = _ids_by_param(state, table)
        if ids is None:
            _refuse(table, "many parameter sets without the row id")
        result = state.invoke_statement()
    else:
        where = state.statement.whereclause
        matched = select(table.c.id) if where is None else select(table.c.id).where(where)
        ids = list(session.execute(matched, state.parameters or {}).scalars())
        if len(ids) > NARROW_MAX:
            _refuse(table, f"{len(ids)} rows in one statement, more than {NARROW_MAX}")
        # Narrowed to the rows just read: one a concurrent commit made match since is left
        # alone, as if this statement had run a moment earlier, so every changed row is recorded.
        result = state.invoke_statement(statement=state.statement.where(table.c.id.in_(ids)))
    if table is VENDORS:
        enqueue(session, _offers_of(session, ids))
    else:
        enqueue(session, ids, op="delete" if state.is_delete else "upsert")
    return result


def _insert_offers(state: ORMExecuteState):
    if getattr(state.statement, "select", None) is not None:
        _refuse(OFFERS, "INSERT … SELECT")
    sets = _param_sets(state)
    if not all(p.get("vendor_id") is not None and p.get("sku") is not None for p in sets):
        _refuse(OFFERS, "an INSERT without vendor_id and sku")
    result = state.invoke_statement()
    by_vendor: dict[int, list[str]] = {}
    for p in sets:
        by_vendor.setdefault(p["vendor_id"], []).append(p["sku"])
    conn = state.session.connection()
    for vendor_id, skus in by_vendor.items():
        for start in range(0, len(skus), LOOKUP_CHUNK):
            enqueue(state.session, conn.execute(select(OFFERS.c.id).where(
                OFFERS.c.vendor_id == vendor_id, OFFERS.c.sku.in_(skus[start:start + LOOKUP_CHUNK]))).scalars())
    return result


def _after_rollback(session: Session, _transaction) -> None:
    session.info.pop(PENDING_KEY, None)


_installed: dict[int, list[Callable[[Session], None]]] = {}


def install(target, on_commit: Callable[[Session], None]) -> None:
    """Record offer writes made through `target`'s sessions (the app's scoped session or its
    class, not SQLAlchemy's global Session) and call `on_commit(session)` after a commit that
    changed offers. Several callers may each add their `on_commit` (the search index, the price
    alerts); each runs once per such commit. Idempotent: apps sharing one `db` share its session class."""
    callbacks = _installed.get(id(target))
    if callbacks is not None:
        if on_commit not in callbacks:
            callbacks.append(on_commit)
        return
    callbacks = _installed[id(target)] = [on_commit]

    def after_commit(session: Session) -> None:
        if session.info.pop(PENDING_KEY, False):
            for callback in list(callbacks):
                try:
                    callback(session)
                except Exception:  # a broken index must never fail a committed save
                    log.exception("after-commit work on changed offers failed; the outbox keeps the change")

    event.listen(target, "after_flush", _after_flush)
    event.listen(target, "do_orm_execute", _on_execute)
    event.listen(target, "after_commit", after_commit)
    event.listen(target, "after_soft_rollback", _after_rollback)
