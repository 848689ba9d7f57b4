"""The importer's extensions for the stall: preview rows for every row, missing offers, delist-missing."""

import io

from sqlalchemy import select

from catalog.models import Offer
from extensions import db
from offers.sheet_import import import_sheet
from tests.stall_support import STANDARD_HEADER


def sheet(*rows: str) -> io.BytesIO:
    return io.BytesIO(("\n".join([STANDARD_HEADER, *rows]) + "\n").encode())


def row(sku: str, price: str = "1.9", model: str = "RTX 4090") -> str:
    return f"{sku},gpu,,cn-hangzhou,on_demand,{model},1,,,,,,,{price},,,CNY,card_hour,,"


def test_preview_classifies_every_row_even_after_an_error(context):
    report = import_sheet(db.session, sheet(row("a"), row("b", model="nope"), row("c")), "v", context,
                          filename="s.csv", dry_run=True, mode="good_rows", collect_changes=True)
    assert sorted((c["row"], c["change"]) for c in report.changes) == [(2, "new"), (3, "error"), (4, "new")]
    assert db.session.scalar(select(Offer.id)) is None


def test_delist_missing_only_when_asked_and_keeps_skus_of_bad_rows(context):
    import_sheet(db.session, sheet(row("a"), row("b"), row("c")), "v", context, filename="s.csv")
    report = import_sheet(db.session, sheet(row("a"), row("b", model="nope")), "v", context, filename="s.csv",
                          mode="good_rows")
    assert [m["sku"] for m in report.missing] == []  # missing is computed only when asked
    assert db.session.scalar(select(Offer.status).where(Offer.sku == "c")) == "active"
    report = import_sheet(db.session, sheet(row("a"), row("b", model="nope")), "v", context, filename="s.csv",
                          mode="good_rows", delist_missing=True)
    assert [m["sku"] for m in report.missing] == ["c"]  # b's row is bad, but the sheet still names it
    assert report.summary()["delisted"] == 1
    statuses = dict(db.session.execute(select(Offer.sku, Offer.status)).all())
    assert statuses == {"a": "active", "b": "active", "c": "delisted"}


def test_delist_missing_does_nothing_when_the_sheet_does_not_land(context):
    import_sheet(db.session, sheet(row("a"), row("c")), "v", context, filename="s.csv")
    report = import_sheet(db.session, sheet(row("a"), row("b", model="nope")), "v", context, filename="s.csv",
                          delist_missing=True)
    assert not report.landed and report.summary()["delisted"] == 0
    assert db.session.scalar(select(Offer.status).where(Offer.sku == "c")) == "active"
