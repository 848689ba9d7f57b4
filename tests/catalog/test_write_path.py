"""Every write of an offer reaches search at once: bulk statements, checkout stock, commands.

Each test warms the fast path (snapshot, kept offers) first, then writes the way a real
writer does, then asks the fast path and the SQL path the same question.
"""

import gc
import io
import weakref
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import delete, func, select, update

from catalog.context import load_fx
from catalog.models import Offer, PriceHistory, Vendor
from catalog.offer_query import OfferQuerySchema, search_offers, sql_search
from catalog.outbox import IndexOutbox
from catalog.registry import default_registries
from checkout.orders import Wanted, close_unpaid, place_order
from extensions import db
from offers.sheet_import import import_sheet
from tests.stall_support import STANDARD_HEADER


def sheet(*skus: str, stock: str = "") -> io.BytesIO:
    rows = [f"{sku},gpu,,cn-hangzhou,on_demand,RTX 4090,1,,,,,,,1.9,,,CNY,card_hour,{stock}," for sku in skus]
    return io.BytesIO(("\n".join([STANDARD_HEADER, *rows]) + "\n").encode())


def both_paths(**query) -> tuple[list[str], list[str]]:
    """(fast path skus, SQL path skus) for one query, all on one page."""
    params = OfferQuerySchema().load({"per_page": "100", **query})
    registries = default_registries()
    fast = search_offers(db.session, params, registries)
    slow = sql_search(db.session, params, registries)
    return [o.sku for o in fast.items], [o.sku for o in slow.items]


def pending() -> int:
    """Outbox rows this node's index has not applied."""
    return current_app.extensions["search"].drainer.pending()


def test_offers_delisted_by_an_upload_leave_search_at_once(app, context):
    """The sheet's one row is unchanged: the delisting is the upload's only write."""
    import_sheet(db.session, sheet("a", "b", "c"), "acme", context, filename="s.csv")
    assert sorted(both_paths()[0]) == ["a", "b", "c"]  # the snapshot and kept offers are warm
    report = import_sheet(db.session, sheet("a"), "acme", context, filename="s.csv", delist_missing=True)
    assert report.landed and report.delisted == 2
    assert both_paths() == (["a"], ["a"])
    everything = search_offers(db.session, OfferQuerySchema().load({"include_delisted": "true"}),
                               default_registries()).items
    assert {o.sku: o.status for o in everything} == {"a": "active", "b": "delisted", "c": "delisted"}


def test_an_order_holds_hours_and_writes_no_offer_so_search_is_unchanged(app, context):
    """Spec v2: stock counts machines; an order books hours of them (catalog.bookings), it does not
    take stock. Search, the snapshot and the kept offers need hear nothing, and say the same."""
    import_sheet(db.session, sheet("gpu-1", stock="2"), "acme", context, filename="s.csv")
    offer_id = db.session.scalar(select(Offer.id).where(Offer.sku == "gpu-1"))
    assert both_paths(in_stock="true") == (["gpu-1"], ["gpu-1"])
    pending = db.session.scalar(select(func.count(IndexOutbox.id)))
    order = place_order(db.session, [Wanted(offer_id, instances=2, hours=3)], email="b@example.cn", user_id=None,
                        checkout_token="write-path-token-0123456789", fx=load_fx(db.session))
    assert db.session.scalar(select(func.count(IndexOutbox.id))) == pending  # no offer was written
    assert both_paths(in_stock="true") == (["gpu-1"], ["gpu-1"])
    kept = search_offers(db.session, OfferQuerySchema().load({}), default_registries()).items
    assert [o.stock for o in kept] == [2]
    assert close_unpaid(db.session, order.id, "expired")
    db.session.commit()
    assert both_paths(in_stock="true") == (["gpu-1"], ["gpu-1"])


def test_a_new_bulk_writer_is_recorded_without_knowing_about_the_index(app, context):
    """A statement nobody taught about the outbox (here: delist a whole vendor) still reaches search."""
    import_sheet(db.session, sheet("a", "b"), "acme", context, filename="s.csv")
    import_sheet(db.session, sheet("z"), "bolt", context, filename="s.csv")
    assert sorted(both_paths()[0]) == ["a", "b", "z"]
    acme = db.session.scalar(select(Vendor.id).where(Vendor.slug == "acme"))
    db.session.execute(update(Offer).where(Offer.vendor_id == acme).values(status="delisted"))
    db.session.commit()
    assert both_paths() == (["z"], ["z"])
    assert app.extensions["search"].check() == []


def test_a_bulk_update_by_parameters_that_name_no_offer_is_refused(app, context):
    """Many parameter sets without the offer id in them: the write path cannot tell what changed."""
    import_sheet(db.session, sheet("a", "b"), "acme", context, filename="s.csv")
    from sqlalchemy import bindparam

    stmt = update(Offer.__table__).where(Offer.__table__.c.sku == bindparam("_sku")).values(stock=bindparam("s"))
    with pytest.raises(ValueError, match="offer ids"):
        db.session.execute(stmt, [{"_sku": "a", "s": 1}, {"_sku": "b", "s": 2}])
    db.session.rollback()


def test_a_command_line_seed_leaves_the_index_current_when_it_returns(app, runner, monkeypatch):
    """Commands run in a process that exits right after; a background drain would die with it
    (a fresh `scripts/run.sh` answered /healthz 503 with outbox rows left pending by `seed`)."""
    monkeypatch.setattr(app.extensions["search"], "drain_mode", "thread")  # as outside tests
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert pending() == 0
    assert app.extensions["search"].check() == []


def test_a_command_line_import_leaves_the_index_current_when_it_returns(app, runner, monkeypatch, tmp_path):
    monkeypatch.setattr(app.extensions["search"], "drain_mode", "thread")
    path = tmp_path / "s.csv"
    path.write_bytes(sheet("a", "b").getvalue())
    result = runner.invoke(args=["import-sheet", str(path), "--vendor", "acme"])
    assert result.exit_code == 0, result.output
    assert pending() == 0


def test_an_app_that_is_gone_leaves_nothing_behind(app, tmp_path):
    """Commit hooks and services belong to their app: a discarded app is freed, not kept by a global."""
    from app import create_app

    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}",
                        "SEARCH_INDEX_DIR": str(tmp_path / "other-index"), "SECRET_KEY": "x"})
    with other.app_context():
        db.create_all()
        db.session.add(Vendor(slug="other"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    service = weakref.ref(other.extensions["search"])
    del other
    gc.collect()
    assert service() is None
    # The test app still records its own writes.
    db.session.add(Offer(vendor=Vendor(slug="acme"), sku="x", kind="cpu", title="CPU", billing="on_demand",
                         list_currency="CNY", list_unit="hour", unit_price=Decimal("0.2"), vcpus=Decimal(8)))
    db.session.commit()
    assert both_paths() == (["x"], ["x"])


def test_statements_that_rename_a_vendor_delete_offers_or_reprice_by_id_reach_search(app, context):
    import_sheet(db.session, sheet("a", "b", "c"), "acme", context, filename="s.csv")
    # "极光" alone: "极光算力" is two words to search, and 算力 (compute) alone holds every GPU offer,
    # so the search would answer it relaxed, leaving 极光 out.
    assert both_paths(q="极光") == ([], [])
    db.session.execute(update(Vendor).where(Vendor.slug == "acme").values(name_zh="极光算力"))
    db.session.commit()
    assert sorted(both_paths(q="极光")[0]) == ["a", "b", "c"]
    ids = dict(db.session.execute(select(Offer.sku, Offer.id)).all())
    db.session.execute(delete(PriceHistory).where(PriceHistory.offer_id == ids["c"]))
    db.session.execute(delete(Offer).where(Offer.sku == "c"))
    # The ORM's bulk UPDATE by primary key: many parameter sets, each naming its offer.
    db.session.execute(update(Offer), [{"id": ids["a"], "stock": 0}, {"id": ids["b"], "stock": 4}])
    db.session.commit()
    assert both_paths(in_stock="true") == (["b"], ["b"])
    assert app.extensions["search"].check() == []


def test_an_orm_bulk_insert_of_many_rows_reaches_search(app):
    """`session.execute(insert(Offer), rows)` (the catalog generator's write) is recorded like any other:
    the hook once failed on it, compiling a statement whose values only exist per row."""
    from bench.catalog_generator import build

    build(db.session, default_registries(), 40)
    db.session.commit()
    fast, slow = both_paths()
    assert len(fast) == len(slow) == db.session.scalar(select(func.count(Offer.id)).where(Offer.status == "active"))
    assert fast == slow and pending() == 0
    assert app.extensions["search"].check() == []
