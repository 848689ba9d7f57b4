"""Spec 4.1 columns in the stall: the listing form round trip and the upload preview."""

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from catalog.models import Offer
from extensions import db
from tests.offers.test_upload_views import latest_upload_id, preview_of, upload
from tests.stall_support import finish_jobs

pytestmark = pytest.mark.usefixtures("tmp_uploads")

TOKEN_FORM = {"kind": "token", "sku": "ds", "model": "deepseek-v3", "input_price": "2", "output_price": "8",
              "currency": "CNY", "price_unit": "1m_tokens", "billing": "on_demand",
              "cache_write_price": "2.5", "long_context_threshold": "64000", "long_input_price": "4",
              "long_output_price": "16", "batch_rate": "5折", "available_from": "2026-12-01 08:00",
              "available_to": "2026-12-31", "available_hours": "08:00-23:00", "off_peak_hours": "00:30-08:30",
              "off_peak_rate": "50%"}


@pytest.fixture()
def acme(acme_member):
    return acme_member[1]


def test_the_form_saves_them_and_shows_them_again_for_editing(client, acme):
    response = client.post("/stall/offers/new", data=TOKEN_FORM)
    assert response.status_code == 302, response.text
    offer = db.session.scalar(select(Offer))
    assert (offer.off_peak_rate, offer.batch_rate, offer.long_context_threshold) == (Decimal("0.5"), Decimal("0.5"), 64000)
    assert offer.available_to == datetime(2026, 12, 31, 16, 0)
    page = client.get(f"/stall/offers/{offer.id}/edit").text
    for name, shown in (("available_from", "2026-12-01 08:00"), ("available_to", "2027-01-01 00:00"),
                        ("off_peak_hours", "00:30-08:30"), ("off_peak_rate", "0.5"), ("batch_rate", "0.5"),
                        ("cache_write_price", "2.5"), ("long_input_price", "4"), ("long_context_threshold", "64000")):
        assert f'name="{name}" type="text" value="{shown}"' in page, name
    # Saving the form as shown changes nothing: the values round-trip.
    form = dict(TOKEN_FORM, available_to="2027-01-01 00:00", off_peak_rate="0.5", batch_rate="0.5")
    client.post(f"/stall/offers/{offer.id}/edit", data=form)
    db.session.expire_all()
    again = db.session.get(Offer, offer.id)
    assert (again.available_to, again.updated_at) == (offer.available_to, offer.updated_at)


def test_a_bad_rate_is_shown_by_its_field(client, acme):
    response = client.post("/stall/offers/new?lang=en", data=dict(TOKEN_FORM, off_peak_rate="1.5"))
    assert response.status_code == 400
    assert 'data-error-for="off_peak_rate"' in response.text and "at most 1" in response.text
    assert db.session.scalar(select(Offer)) is None


def test_the_upload_preview_shows_them_and_names_ignored_columns(client, acme):
    sheet = ("sku,kind,gpu_model,gpu_count,region,billing,price,currency,price_unit,闲时时段,闲时折扣,可用结束,机房等级\n"
             "g1,gpu,RTX 4090,1,杭州,按量,2.00,CNY,card_hour,00:30-08:30,5折,2026-12-31,T3\n").encode()
    response = upload(client, sheet, "价格表.csv")
    if "/mapping" in response.headers["Location"]:
        upload_id = response.headers["Location"].split("/")[3]
        mapping = {f"col-{i}": c for i, c in enumerate(["sku", "kind", "gpu_model", "gpu_count", "region", "billing",
                                                         "price", "currency", "price_unit", "off_peak_hours",
                                                         "off_peak_rate", "available_to", ""])}
        response = client.post(f"/stall/uploads/{upload_id}/mapping", data=mapping)
        finish_jobs()
    zh = preview_of(client, response).text
    assert "机房等级" in zh
    assert "闲时 00:30–08:30 五折 ¥1.00 / 卡时" in zh and "可用：至 2026-12-31 24:00（北京时间）" in zh
    en = client.get(f"/stall/uploads/{latest_upload_id()}/preview?lang=en").text
    assert "Ignored columns" in en and "Off-peak 00:30–08:30 at 50%: ¥1.00 / card-hour" in en


def test_the_live_preview_reads_the_off_peak_price_back(client, acme):
    form = {"kind": "gpu", "gpu_model": "RTX 4090", "gpu_count": "1", "region": "杭州", "billing": "on_demand",
            "price": "1.90", "currency": "CNY", "price_unit": "card_hour", "off_peak_hours": "00:30-08:30",
            "off_peak_rate": "5折"}
    data = client.post("/stall/offers/preview", data=form).get_json()
    assert data["ok"] and data["text"] == "= ¥1.90 / 卡时 · 闲时 00:30–08:30 五折 ¥0.95 / 卡时"
    data = client.post("/stall/offers/preview", data=dict(form, off_peak_rate="2")).get_json()
    assert not data["ok"] and "off_peak_rate" in data["errors"]
