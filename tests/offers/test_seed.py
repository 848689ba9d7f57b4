"""The seed catalog lands whole through the importer, is broad enough to be a market, and is idempotent."""

import json
from datetime import timedelta

from sqlalchemy import distinct, func, select

from catalog.models import Offer, Vendor, utcnow
from extensions import db
from offers.cli import SEED_DIR
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

    deposits = json.loads((SEED_DIR / "deposits.json").read_text(encoding="utf-8"))
    assert totals["deposits"] == {"saved": len(deposits), "rejected": 0}
    saved = dict(db.session.execute(select(Offer.id, Offer.updated_at).where(Offer.deposit)).all())
    assert len(saved) == len(deposits)

    second = runner.invoke(args=["seed"])
    again = json.loads(second.output.strip().splitlines()[-1])
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, totals["created"])
    assert again["voucher_programs"] == {"created": 0, "updated": 0, "unchanged": 3}
    db.session.expire_all()
    assert dict(db.session.execute(select(Offer.id, Offer.updated_at).where(Offer.deposit)).all()) == saved


def test_the_example_deposits_pair_cheap_eastern_nights_with_always_on_western_hubs(runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    deposits = db.session.scalars(select(Offer).where(Offer.deposit)).all()
    hubs = {"cn-guizhou", "cn-qingyang", "cn-wulanchabu", "cn-zhongwei"}
    for model in ("rtx-4090", "h100-sxm", "a100-80gb"):
        night = [o for o in deposits if o.gpu_model == model and o.available_hours == "22:00-08:00"]
        west = [o for o in deposits if o.gpu_model == model and o.region in hubs and o.available_hours is None]
        listed = db.session.scalar(select(func.min(Offer.unit_price)).where(
            Offer.gpu_model == model, Offer.billing == "on_demand", Offer.deposit.is_(False)))
        assert night and west and all(o.off_peak_rate < 1 for o in night), model
        # Nights in the east are cheapest, the hubs next, every listed on-demand offer dearer.
        assert max(o.unit_price for o in night) < min(o.unit_price for o in west), model
        assert max(o.unit_price for o in west) < listed, model
        assert all(o.available_to > utcnow() + timedelta(weeks=4) for o in night + west), model
    assert {o.region for o in deposits} >= hubs | {"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen"}
