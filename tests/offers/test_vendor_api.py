"""The vendor API's offers: PUT creates or replaces through the sheet's validation, PATCH re-prices,
DELETE delists, GET lists only the key's vendor's offers; errors name the field."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.models import Offer, PriceHistory
from catalog.offer_query import OfferQuerySchema, search_offers
from catalog.registry import default_registries
from extensions import db
from tests.stall_support import log_in
from tests.vendor_api_support import GPU_COLUMNS, bearer, vendor_with_key


@pytest.fixture()
def acme(app):
    return vendor_with_key("acme@example.com", "acme")


def test_put_creates_then_replaces_and_the_price_is_searchable(client, acme):
    _, vendor, secret = acme
    created = client.put("/api/v1/vendor/offers/g-4090", json=GPU_COLUMNS, headers=bearer(secret))
    assert created.status_code == 201, created.json
    assert created.json["change"] == "created"
    assert created.json["offer"]["unit_price"] == "1.900000"
    assert created.json["offer"]["region"] == "cn-hangzhou"
    again = client.put("/api/v1/vendor/offers/g-4090", json=GPU_COLUMNS, headers=bearer(secret))
    assert (again.status_code, again.json["change"]) == (200, "unchanged")
    # Replace: a column left out becomes blank (stock unknown), the new price is in search at once.
    replaced = client.put("/api/v1/vendor/offers/g-4090", json={**GPU_COLUMNS, "price": 2.5, "stock": None},
                          headers=bearer(secret))
    assert (replaced.status_code, replaced.json["change"]) == (200, "updated")
    offer = db.session.scalar(select(Offer).where(Offer.sku == "g-4090"))
    assert (offer.vendor_id, offer.unit_price, offer.stock) == (vendor.id, Decimal("2.5"), None)
    found = search_offers(db.session, OfferQuerySchema().load({"q": "4090"}), default_registries())
    assert [(o.sku, o.unit_price) for o in found.items] == [("g-4090", Decimal("2.5"))]
    assert db.session.scalar(select(func.count(PriceHistory.id))) == 2


def test_a_json_number_keeps_its_exact_decimal(client, acme):
    _, _, secret = acme
    client.put("/api/v1/vendor/offers/t", json={**GPU_COLUMNS, "price": 0.1}, headers=bearer(secret))
    assert db.session.scalar(select(Offer.list_amount)) == Decimal("0.1")


@pytest.mark.parametrize(("body", "field"), [
    ({**GPU_COLUMNS, "price": "-1"}, "price"),
    ({**GPU_COLUMNS, "gpu_model": "RTX 9999"}, "gpu_model"),
    ({**GPU_COLUMNS, "region": None}, "region"),
    ({**GPU_COLUMNS, "vendor_id": 1}, "vendor_id"),
    ({**GPU_COLUMNS, "price": [1]}, "price"),
    ({**GPU_COLUMNS, "price": True}, "price"),
    ({**GPU_COLUMNS, "sku": "other"}, "sku"),
])
def test_a_bad_offer_is_a_400_naming_the_field_and_writes_nothing(client, acme, body, field):
    _, _, secret = acme
    response = client.put("/api/v1/vendor/offers/g-1", json=body, headers=bearer(secret))
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["details"], response.json
    assert field in response.json["error"]["message"]
    assert db.session.scalar(select(func.count(Offer.id))) == 0


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'{"price": NaN}', b"", b"[" * 10000])
def test_a_body_that_is_not_an_object_is_a_400(client, acme, raw):
    _, _, secret = acme
    response = client.put("/api/v1/vendor/offers/g-1", data=raw, headers=bearer(secret),
                          content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


def test_patch_changes_price_and_stock_and_keeps_the_rest(client, acme):
    _, _, secret = acme
    client.put("/api/v1/vendor/offers/g-4090", json={**GPU_COLUMNS, "title": "我的 4090"}, headers=bearer(secret))
    response = client.patch("/api/v1/vendor/offers/g-4090", json={"price": "1.50", "stock": 0}, headers=bearer(secret))
    assert response.status_code == 200, response.json
    offer = response.json["offer"]
    assert (offer["unit_price"], offer["stock"], offer["title"], offer["region"]) == \
        ("1.500000", 0, "我的 4090", "cn-hangzhou")
    refused = client.patch("/api/v1/vendor/offers/g-4090", json={"region": "北京"}, headers=bearer(secret))
    assert refused.status_code == 400 and "region" in refused.json["error"]["details"]
    bad = client.patch("/api/v1/vendor/offers/g-4090", json={"price": "abc"}, headers=bearer(secret))
    assert bad.status_code == 400 and "price" in bad.json["error"]["details"]
    assert db.session.scalar(select(Offer.unit_price)) == Decimal("1.5")
    assert client.patch("/api/v1/vendor/offers/nope", json={"price": 1}, headers=bearer(secret)).status_code == 404


def test_patch_sets_the_spec_4_1_terms_through_the_same_gate(client, acme):
    _, _, secret = acme
    client.put("/api/v1/vendor/offers/g-4090", json=GPU_COLUMNS, headers=bearer(secret))
    patched = client.patch("/api/v1/vendor/offers/g-4090", headers=bearer(secret), json={
        "off_peak_hours": "23:00-07:00", "off_peak_rate": "0.6", "available_from": "2026-12-10T08:00"})
    assert patched.status_code == 200, patched.json
    shown = client.get("/api/v1/vendor/offers/g-4090", headers=bearer(secret)).json
    assert (shown["off_peak_hours"], shown["off_peak_rate"], shown["unit_price"]) == ("23:00-07:00", "0.6", "1.900000")
    assert shown["available_from"].startswith("2026-12-10T08:00")
    for body, field in (({"off_peak_rate": "1.7"}, "off_peak_rate"), ({"off_peak_hours": "25:00-07:00"},
                                                                      "off_peak_hours"),
                        ({"long_input_price": "3"}, "long_context_threshold")):
        refused = client.patch("/api/v1/vendor/offers/g-4090", json=body, headers=bearer(secret))
        assert refused.status_code == 400 and field in refused.json["error"]["details"], (body, refused.json)
    assert db.session.scalar(select(Offer.off_peak_rate)) == Decimal("0.6")  # a refused PATCH changed nothing
    cleared = client.patch("/api/v1/vendor/offers/g-4090", json={"off_peak_hours": None, "off_peak_rate": None},
                           headers=bearer(secret))
    assert cleared.status_code == 200 and cleared.json["offer"]["off_peak_rate"] is None


def test_delete_delists_and_put_lists_again(client, acme):
    _, _, secret = acme
    client.put("/api/v1/vendor/offers/g-4090", json=GPU_COLUMNS, headers=bearer(secret))
    response = client.delete("/api/v1/vendor/offers/g-4090", headers=bearer(secret))
    assert (response.status_code, response.json["offer"]["status"]) == (200, "delisted")
    found = search_offers(db.session, OfferQuerySchema().load({"q": "4090"}), default_registries())
    assert found.total == 0
    assert client.put("/api/v1/vendor/offers/g-4090", json=GPU_COLUMNS, headers=bearer(secret)).json["change"] == \
        "updated"
    assert db.session.scalar(select(Offer.status)) == "active"


def test_the_list_is_paged_and_holds_only_the_keys_vendor(client, acme):
    _, _, secret = acme
    _, _, other = vendor_with_key("beta@example.com", "beta")
    for n in range(3):
        client.put(f"/api/v1/vendor/offers/a-{n}", json=GPU_COLUMNS, headers=bearer(secret))
    client.put("/api/v1/vendor/offers/b-0", json=GPU_COLUMNS, headers=bearer(other))
    page = client.get("/api/v1/vendor/offers?per_page=2&page=2", headers=bearer(secret)).json
    assert (page["total"], [o["sku"] for o in page["items"]]) == (3, ["a-2"])
    assert client.get("/api/v1/vendor/offers?per_page=0", headers=bearer(secret)).status_code == 400
    assert client.get("/api/v1/vendor/offers?status=x", headers=bearer(secret)).status_code == 400


def test_a_logged_in_session_without_a_key_cannot_write(client, acme):
    """Cookie sessions never authenticate the API, so a cross-site form cannot write through it."""
    user, _, _ = acme
    log_in(client, user)
    response = client.put("/api/v1/vendor/offers/g-1", json=GPU_COLUMNS)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert db.session.scalar(select(func.count(Offer.id))) == 0


def test_writes_need_no_csrf_token_with_a_key(app, client, acme):
    _, _, secret = acme
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.put("/api/v1/vendor/offers/g-1", json=GPU_COLUMNS, headers=bearer(secret))
        assert response.status_code == 201
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_rate_limit_answers_429_with_retry_after(app, client, acme):
    _, _, secret = acme
    previous, app.config["VENDOR_API_RATE_LIMIT"] = app.config["VENDOR_API_RATE_LIMIT"], "3 per minute"
    try:
        codes = [client.get("/api/v1/vendor/offers", headers=bearer(secret)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/api/v1/vendor/offers", headers=bearer(secret))
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.json["error"]["code"] == "rate_limited"
        # Per key: another key of another vendor is not held up.
        _, _, other = vendor_with_key("beta@example.com", "beta")
        assert client.get("/api/v1/vendor/offers", headers=bearer(other)).status_code == 200
    finally:
        app.config["VENDOR_API_RATE_LIMIT"] = previous


def test_a_patch_queues_only_its_own_offer_for_the_index(client, acme):
    """Writers take the vendor's row lock first; that lock must not read as a vendor rename, which
    would queue every offer of the vendor for re-indexing on each one-offer change."""
    from catalog.outbox import IndexOutbox

    _, _, secret = acme
    for n in range(5):
        client.put(f"/api/v1/vendor/offers/g-{n}", json=GPU_COLUMNS, headers=bearer(secret))
    before = db.session.scalar(select(func.count(IndexOutbox.id)))
    client.patch("/api/v1/vendor/offers/g-0", json={"price": "9.99"}, headers=bearer(secret))
    assert db.session.scalar(select(func.count(IndexOutbox.id))) - before == 1
