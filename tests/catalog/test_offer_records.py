"""Offers kept in memory for listing pages are forgotten the moment they change."""

from decimal import Decimal

from sqlalchemy import select

from catalog.models import Offer, Vendor
from catalog.search_service import service_for
from extensions import db


def first_gpu(client) -> dict:
    return client.get("/api/v1/offers", query_string={"kind": "gpu", "sort": "unit_price"}).get_json()["items"][0]


def test_a_vendor_rename_shows_at_once_on_listed_offers(app, client, seeded):
    shown = first_gpu(client)
    vendor = db.session.scalar(select(Vendor).where(Vendor.slug == shown["vendor"]))
    vendor.name_zh = "改名后的算力商"
    db.session.commit()
    page = client.get("/offers?kind=gpu&sort=unit_price").get_data(as_text=True)
    assert "改名后的算力商" in page


def test_a_title_edit_shows_at_once(app, client, seeded):
    shown = first_gpu(client)
    offer = db.session.get(Offer, shown["id"])
    offer.title = "全新标题 H100"
    db.session.commit()
    assert first_gpu(client)["title"] == "全新标题 H100"


def test_a_load_that_races_a_change_is_not_kept(app, seeded, monkeypatch):
    """An offer read while another change lands may be the old one: it is used once, not kept."""
    import catalog.offer_records as module

    records = service_for(db.engine).records
    records.forget(None)
    offer_id = db.session.scalar(select(Offer.id).limit(1))
    real_session = module.Session

    class RacingSession(real_session):
        def scalars(self, *args, **kwargs):
            result = super().scalars(*args, **kwargs)
            records.forget([12345])  # some other offer changed meanwhile
            return result

    monkeypatch.setattr(module, "Session", RacingSession)
    assert [o.id for o in records.get([offer_id])] == [offer_id]
    monkeypatch.setattr(module, "Session", real_session)
    calls = []
    monkeypatch.setattr(records, "engine", _CountingEngine(records.engine, calls))
    records.get([offer_id])
    assert calls, "the raced load was kept: it should have been read again"
    records.get([offer_id])
    assert len(calls) == 1, "a clean load should be kept"


class _CountingEngine:
    """An engine that counts the sessions opened on it."""

    def __init__(self, engine, calls):
        self._engine, self._calls = engine, calls

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def connect(self, *args, **kwargs):
        self._calls.append(1)
        return self._engine.connect(*args, **kwargs)


def test_prices_on_listed_offers_are_exact_decimals(app, client, seeded):
    offer = db.session.get(Offer, first_gpu(client)["id"])
    offer.unit_price = Decimal("0.000001")
    db.session.commit()
    assert first_gpu(client)["unit_price"] == "0.000001"


def test_kept_offer_cells_follow_the_page_language(app, client, seeded):
    """Rows are rendered once per kept offer and language: the English page must not get the Chinese cells."""
    query = "/offers?kind=token&sort=unit_price"
    zh = client.get(query + "&lang=zh").get_data(as_text=True)
    en = client.get(query + "&lang=en").get_data(as_text=True)
    again = client.get(query + "&lang=zh").get_data(as_text=True)
    assert "百万 tokens" in zh and "百万 tokens" not in en
    assert "1M tokens" in en and "input" in en
    assert again.count("百万 tokens") == zh.count("百万 tokens")
