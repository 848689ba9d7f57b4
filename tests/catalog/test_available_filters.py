"""Search's "available between" and "off-peak price" filters, on both paths, through the API and the page."""

from datetime import datetime
from decimal import Decimal

import pytest

from catalog.offer_query import OfferQuerySchema, search_offers, sql_search
from catalog.registry import default_registries
from extensions import db
from tests.catalog.factories import gpu_offer

# Beijing time in the queries; stored UTC in the offers (08:00 local = 00:00 UTC).
NIGHT_SPAN = {"available_from": "2027-03-02T21:00", "available_to": "2027-03-03T02:00"}
DAY_SPAN = {"available_from": "2027-03-02T09:00", "available_to": "2027-03-02T18:00"}


@pytest.fixture()
def offers(app):
    always = gpu_offer("3.00", title="always")
    night = gpu_offer("1.20", title="night", available_hours="22:00-08:00", off_peak_hours="00:00-06:00",
                      off_peak_rate=Decimal("0.5"), available_to=datetime(2027, 12, 31, 16))
    ended = gpu_offer("0.90", title="ended", available_to=datetime(2027, 1, 1))
    later = gpu_offer("2.00", title="later", available_from=datetime(2027, 3, 2, 12))  # 20:00 local
    db.session.commit()
    return {o.title: o.id for o in (always, night, ended, later)}


def both_paths(params: dict) -> list[str]:
    loaded = OfferQuerySchema().load(params)
    fast = search_offers(db.session, loaded, default_registries())
    slow = sql_search(db.session, loaded, default_registries())
    assert [o.id for o in fast.items] == [o.id for o in slow.items] and fast.facets == slow.facets
    return sorted(o.title for o in fast.items)


def test_an_offer_matches_when_one_whole_hour_of_the_span_is_usable(offers):
    assert both_paths(NIGHT_SPAN) == ["always", "later", "night"]
    assert both_paths(DAY_SPAN) == ["always"]  # the night deposit sleeps, `later` starts at 20:00
    assert both_paths({"available_from": "2027-03-02T23:10", "available_to": "2027-03-02T23:50"}) == []
    assert both_paths({"available_to": "2026-12-31"}) == ["always", "ended", "night"]
    assert both_paths({"available_from": "2028-01-01"}) == ["always", "later"]


def test_off_peak_keeps_only_offers_with_an_off_peak_price(offers):
    assert both_paths({"off_peak": "1"}) == ["night"]
    assert both_paths({"off_peak": "1", **DAY_SPAN}) == []


def test_the_api_takes_them_and_names_a_bad_one(client, offers):
    body = client.get("/api/v1/offers", query_string={**NIGHT_SPAN, "off_peak": "1"}).get_json()
    assert [i["id"] for i in body["items"]] == [offers["night"]]
    for value in ("tomorrow", "0001-01-01", "9999-12-31", "2026-02-30"):
        bad = client.get("/api/v1/offers", query_string={"available_from": value, "available_to": value})
        assert bad.status_code == 400 and "available_from" in bad.get_json()["error"]["message"], value
    backwards = client.get("/api/v1/offers", query_string={"available_from": "2027-03-03", "available_to": "2027-03-02"})
    assert backwards.status_code == 400 and "available_to" in backwards.get_json()["error"]["message"]
    spec = client.get("/api/v1/openapi.json").get_json()
    names = {p["name"] for p in spec["paths"]["/api/v1/offers"]["get"]["parameters"]}
    assert {"available_from", "available_to", "off_peak"} <= names


def test_the_browse_page_offers_the_filters_in_both_languages(client, offers):
    zh = client.get("/offers", query_string={**NIGHT_SPAN, "off_peak": "1", "lang": "zh"}).text
    assert 'name="available_from"' in zh and "仅有闲时价" in zh and "night" in zh and "always" not in zh
    en = client.get("/offers", query_string={**DAY_SPAN, "lang": "en"}).text
    assert "Available between" in en and "always" in en and "night" not in en
