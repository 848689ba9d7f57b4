"""Deposits: the form makes a searchable offer by the listing form's rules; my deposits shows real bookings' money."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from catalog.bookings import next_start
from catalog.context import catalog_context
from catalog.models import Offer
from catalog.offer_query import OfferQuerySchema, search_offers
from catalog.registry import default_registries
from checkout.orders import Wanted, close_unpaid, confirm_paid, place_order
from extensions import db
from offers.deposits import save_deposit, split
from tests.stall_support import make_vendor_member

DEPOSIT = {"gpu_model": "RTX 4090", "gpu_count": "8", "stock": "3", "region": "杭州", "price": "1.60",
           "available_from": "2026-12-01", "available_to": "2027-12-31", "available_hours": "22:00-08:00",
           "off_peak_hours": "00:00-06:00", "off_peak_rate": "5折"}


@pytest.fixture()
def acme(acme_member):
    return acme_member[1]


def test_the_form_shows_the_commission_before_depositing(client, acme, app):
    app.config["BANK_COMMISSION_RATE"] = Decimal("0.15")
    page = client.get("/stall/deposits/new?lang=zh").text
    assert "平台佣金 15%：每卡时 ¥10.00 中您得 ¥8.50" in page
    shown = client.post("/stall/deposits/new?lang=en", data=dict(DEPOSIT, price="2.00", action="preview"))
    assert shown.status_code == 200
    assert "Platform commission 15%: of each card-hour's ¥2.00 you get ¥1.70" in shown.text
    assert db.session.scalar(select(Offer)) is None  # a preview saves nothing


def test_a_deposit_becomes_a_searchable_offer_with_its_availability(client, acme):
    response = client.post("/stall/deposits/new?lang=en", data=DEPOSIT, follow_redirects=True)
    assert response.request.path == "/stall/deposits" and "Capacity deposited" in response.text
    offer = db.session.scalar(select(Offer))
    assert f'data-deposit="{offer.id}"' in response.text
    assert offer.deposit and offer.vendor_id == acme.id and offer.sku.startswith("deposit-")
    assert (offer.kind, offer.billing, offer.list_unit, offer.list_currency) == ("gpu", "on_demand", "card_hour", "CNY")
    assert (offer.gpu_model, offer.gpu_count, offer.stock, offer.region) == ("rtx-4090", 8, 3, "cn-hangzhou")
    assert (offer.unit_price, offer.available_hours, offer.off_peak_rate) == (Decimal("1.6"), "22:00-08:00",
                                                                              Decimal("0.5"))
    params = OfferQuerySchema().load({"gpu_model": "4090", "region": "杭州"})
    assert [o.id for o in search_offers(db.session, params, default_registries()).items] == [offer.id]
    page = client.get(f"/offers/{offer.id}?lang=en").text
    assert "22:00–08:00" in page and "Off-peak 00:00–06:00" in page


@pytest.mark.parametrize("lang, bad, field, words", [
    ("en", {"price": "abc"}, "price", "not a number"),
    ("zh", {"price": "abc"}, "price", "不是有效数字"),
    ("en", {"gpu_model": "RTX 9999"}, "gpu_model", "RTX 9999"),
    ("en", {"stock": ""}, "stock", "missing required field"),
    ("zh", {"stock": "0"}, "stock", "至少存入 1 台机器"),
    ("en", {"available_hours": "22:00"}, "available_hours", "HH:MM-HH:MM"),
    ("zh", {"off_peak_rate": "1.5"}, "off_peak_rate", "折扣须大于 0 且不超过 1"),
    ("en", {"off_peak_hours": ""}, "off_peak_hours", "off_peak_rate needs off_peak_hours"),
    ("en", {"available_to": "2026-11-01"}, "available_to", "must be after available_from"),
])
def test_a_bad_field_is_named_in_the_page_language_and_nothing_is_saved(client, acme, lang, bad, field, words):
    response = client.post(f"/stall/deposits/new?lang={lang}", data={**DEPOSIT, **bad})
    assert response.status_code == 400
    errors = response.text.split(f'data-error-for="{field}">', 1)
    assert len(errors) == 2 and words in errors[1].split("</div>", 1)[0]
    assert ("不是有效数字" in response.text) is (lang == "zh" and field == "price")  # one language per page
    assert db.session.scalar(select(Offer)) is None


def test_another_vendors_member_cannot_deposit_as_acme_and_a_listed_sku_is_not_a_deposit(client, acme):
    context = catalog_context(db.session)
    assert save_deposit(db.session, acme, context, DEPOSIT, sku="night-4090") == {}
    _, beta = make_vendor_member("beta@example.com", "beta")
    assert save_deposit(db.session, beta, context, dict(DEPOSIT, price="1.20"), sku="night-4090") == {}
    prices = dict(db.session.execute(select(Offer.vendor_id, Offer.unit_price)).all())
    assert prices == {acme.id: Decimal("1.6"), beta.id: Decimal("1.2")}
    listed = client.post("/stall/offers/new", data={"kind": "gpu", "sku": "plain", "gpu_model": "RTX 4090",
                                                     "region": "杭州", "billing": "on_demand", "price": "2",
                                                     "currency": "CNY", "price_unit": "card_hour"})
    assert listed.status_code == 302
    assert "_" in save_deposit(db.session, acme, context, DEPOSIT, sku="plain")
    assert client.get("/stall/deposits?lang=en").text.count("data-deposit=") == 1


def test_my_deposits_counts_hours_and_money_from_real_bookings(client, acme, app):
    app.config["BANK_COMMISSION_RATE"] = Decimal("0.10")
    always = dict(DEPOSIT, available_from="", available_to="", available_hours="", off_peak_hours="",
                  off_peak_rate="", price="1.99")
    assert save_deposit(db.session, acme, catalog_context(db.session), always, sku="all-day") == {}
    offer = db.session.scalar(select(Offer))
    fx, start = catalog_context(db.session).fx, next_start()
    paid = place_order(db.session, [Wanted(offer.id, instances=2, hours=5, start=start)], email="a@example.com",
                       user_id=None, checkout_token="t1", fx=fx)
    confirm_paid(db.session, paid.id)
    paid.status = "paid"
    pending = place_order(db.session, [Wanted(offer.id, instances=1, hours=3, start=start + timedelta(hours=5))],
                          email="b@example.com", user_id=None, checkout_token="t2", fx=fx)
    gone = place_order(db.session, [Wanted(offer.id, instances=1, hours=7, start=start + timedelta(hours=8))],
                       email="c@example.com", user_id=None, checkout_token="t3", fx=fx)
    close_unpaid(db.session, gone.id, "expired")
    db.session.commit()
    # 2 machines × 8 cards × 5 h × ¥1.99 = ¥159.20 paid; 10% = ¥15.92; the held order is still pending.
    assert (paid.total, pending.total) == (Decimal("159.20"), Decimal("47.76"))
    page = client.get("/stall/deposits?lang=en").text
    row = page.split(f'data-deposit="{offer.id}"', 1)[1].split("</tr>", 1)[0]
    assert "13 machine-hours (104 card-hours)" in row  # 2×5 paid + 1×3 held; the released 7 h are free again
    for figure, shown in (("paid", "¥159.20"), ("commission", "¥15.92"), ("earned", "¥143.28"),
                          ("pending", "¥47.76")):
        assert f'data-figure="{figure}">{shown}<' in row, figure
    assert "我的存入" in client.get("/stall/deposits?lang=zh").text


def test_the_deposit_form_refuses_a_post_without_its_csrf_token(client, acme, app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post("/stall/deposits/new?lang=en", data=DEPOSIT)
        assert refused.status_code == 400 and db.session.scalar(select(Offer)) is None
        page = client.get("/stall/deposits/new").text
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        assert client.post("/stall/deposits/new", data={**DEPOSIT, "csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.scalar(select(Offer)).deposit


@given(paid=st.decimals(min_value=0, max_value=10**9, places=2), rate=st.decimals(min_value=0, max_value="0.99",
                                                                                    places=4))
def test_the_commission_is_rounded_down_to_the_fen_and_the_vendor_gets_the_rest(paid, rate):
    share = split(paid, rate)
    assert share.commission + share.earned == paid
    assert share.commission == share.commission.quantize(Decimal("0.01"))
    assert 0 <= paid * rate - share.commission < Decimal("0.01")


def test_a_sheet_that_delists_missing_offers_leaves_the_vendors_deposits_listed(acme):
    from offers.sheet_import import import_sheet
    from tests.offers.test_sheet_import_delist import row, sheet

    context = catalog_context(db.session)
    assert save_deposit(db.session, acme, context, DEPOSIT, sku="night-4090") == {}
    import_sheet(db.session, sheet(row("a"), row("b")), "acme", context, filename="s.csv")
    report = import_sheet(db.session, sheet(row("a")), "acme", context, filename="s.csv", delist_missing=True)
    assert [m["sku"] for m in report.missing] == ["b"]
    statuses = dict(db.session.execute(select(Offer.sku, Offer.status)).all())
    assert statuses == {"a": "active", "b": "delisted", "night-4090": "active"}
