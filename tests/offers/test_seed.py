"""The seed catalog lands whole through the importer, is broad enough to be a market, and is idempotent."""

import json

from sqlalchemy import distinct, func, select

from catalog.models import Offer, Vendor
from extensions import db
from tests.conftest import seed_sheet_rows


def test_seed_lands_a_broad_catalog_and_a_second_run_changes_nothing(runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    totals = json.loads(first.output.strip().splitlines()[-1])
    assert totals["rejected"] == 0 and totals["created"] == seed_sheet_rows() >= 400
    assert totals["voucher_programs"] == {"created": 3, "updated": 0, "unchanged": 0}

    kinds = dict(db.session.execute(select(Offer.kind, func.count()).group_by(Offer.kind)).all())
    assert set(kinds) == {"gpu", "cpu", "token"} and min(kinds.values()) >= 50
    vendors_with_offers = db.session.scalar(select(func.count(distinct(Offer.vendor_id))))
    assert vendors_with_offers >= 20
    assert db.session.scalar(select(func.count(distinct(Offer.region)))) >= 20
    billings = set(db.session.scalars(select(Offer.billing).distinct()))
    assert billings == {"on_demand", "spot", "monthly", "yearly"}
    currencies = set(db.session.scalars(select(Offer.list_currency).distinct()))
    assert {"CNY", "USD"} <= currencies
    autodl = db.session.scalar(select(Vendor).where(Vendor.slug == "autodl"))
    assert autodl.name_zh and autodl.website

    second = runner.invoke(args=["seed"])
    again = json.loads(second.output.strip().splitlines()[-1])
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, totals["created"])
    assert again["voucher_programs"] == {"created": 0, "updated": 0, "unchanged": 3}
