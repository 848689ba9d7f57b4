from decimal import Decimal

from catalog.summary import catalog_summary
from extensions import db
from tests.catalog.factories import gpu_offer, token_offer


def test_counts_and_cheapest_card_hour_per_popular_model(app):
    gpu_offer("2.08", "rtx-4090", vendor_slug="autodl")
    cheapest = gpu_offer("1.85", "rtx-4090", vendor_slug="gpushare")
    gpu_offer("0.50", "rtx-4090", vendor_slug="spotty", stock=0)  # sold out: not "today's" price
    gpu_offer("1.20", "rtx-4090", vendor_slug="gone", status="delisted")
    gpu_offer("12.00", "h100-sxm", vendor_slug="autodl")
    token_offer()
    db.session.commit()

    summary = catalog_summary(db.session)

    assert summary.offer_count == 5  # the delisted one is not counted
    assert summary.vendor_count == 4
    assert summary.gpu_model_count == 2
    assert summary.token_model_count == 1
    assert summary.kind_counts == {"gpu": 4, "token": 1}
    by_model = {c.gpu_model: c for c in summary.cheapest_gpus}
    assert by_model["rtx-4090"].offer.id == cheapest.id
    assert by_model["rtx-4090"].unit_price == Decimal("1.85")
    assert by_model["rtx-4090"].offer_count == 2
    assert [c.gpu_model for c in summary.cheapest_gpus] == ["rtx-4090", "h100-sxm"]  # most offered first


def test_popular_limits_the_models(app):
    for model in ("rtx-4090", "h100-sxm", "a100-80gb"):
        gpu_offer("3", model)
    db.session.commit()
    assert len(catalog_summary(db.session, popular=2).cheapest_gpus) == 2


def test_empty_catalog(app):
    summary = catalog_summary(db.session)
    assert (summary.offer_count, summary.cheapest_gpus) == (0, [])
