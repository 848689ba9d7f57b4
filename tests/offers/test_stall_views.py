"""The listing form end to end: create, errors by field in the user's language, edit, delist, preview."""

import pytest
from sqlalchemy import func, select

from catalog.models import Offer, PriceHistory
from extensions import db
from tests.stall_support import log_in, make_vendor_member

GPU_FORM = {"kind": "gpu", "sku": "g-4090", "gpu_model": "RTX 4090", "gpu_count": "1", "region": "杭州",
            "billing": "on_demand", "price": "1.90", "currency": "CNY", "price_unit": "card_hour", "stock": "5"}


@pytest.fixture()
def acme(client):
    user, vendor = make_vendor_member("acme@example.com", "acme")
    log_in(client, user)
    return vendor


def test_list_an_offer_by_form(client, acme):
    response = client.post("/stall/offers/new", data=GPU_FORM)
    assert response.status_code == 302
    offer = db.session.scalar(select(Offer))
    assert (offer.vendor_id, offer.sku, offer.gpu_model, offer.region) == (acme.id, "g-4090", "rtx-4090", "cn-hangzhou")
    assert str(offer.unit_price) == "1.900000"
    assert "= ¥1.90 / 卡时" in client.get("/stall/").text
    assert len(offer.price_history) == 1


def test_fields_of_another_kind_are_ignored(client, acme):
    """A GPU model left in a hidden field does not fail a CPU offer."""
    response = client.post("/stall/offers/new", data={
        "kind": "cpu", "sku": "c8", "gpu_model": "A100", "vcpus": "8", "region": "cn-beijing", "billing": "monthly",
        "price": "408.80", "currency": "CNY", "price_unit": "month"})
    assert response.status_code == 302
    offer = db.session.scalar(select(Offer))
    assert offer.gpu_model is None and str(offer.unit_price) == "0.070000"


def test_errors_are_shown_by_field_in_the_users_language_and_nothing_is_saved(client, acme):
    bad = {**GPU_FORM, "gpu_model": "RTX 9999", "price": "abc"}
    response = client.post("/stall/offers/new", data=bad)
    assert response.status_code == 400
    page = response.text
    assert 'data-error-for="gpu_model"' in page and 'data-error-for="price"' in page
    assert "未知的 GPU 型号" in page and "不是有效数字" in page
    assert "unknown GPU model" not in page
    assert db.session.scalar(select(func.count(Offer.id))) == 0
    page = client.post("/stall/offers/new?lang=en", data=bad).text
    assert "not a number" in page and "不是有效数字" not in page
    # What the vendor typed stays in the form.
    assert 'value="RTX 9999"' in page


def test_a_second_offer_with_the_same_sku_is_refused(client, acme):
    client.post("/stall/offers/new", data=GPU_FORM)
    response = client.post("/stall/offers/new", data={**GPU_FORM, "price": "2.50"})
    assert response.status_code == 400 and "你已有这个 sku 的报价" in response.text
    assert str(db.session.scalar(select(Offer.unit_price))) == "1.900000"


def test_editing_the_price_keeps_the_old_price_in_history(client, acme):
    client.post("/stall/offers/new", data=GPU_FORM)
    offer = db.session.scalar(select(Offer))
    form = client.get(f"/stall/offers/{offer.id}/edit").text
    assert 'value="1.9"' in form and "readonly" in form
    response = client.post(f"/stall/offers/{offer.id}/edit", data={**GPU_FORM, "sku": "renamed", "price": "2.10"})
    assert response.status_code == 302
    db.session.expire_all()
    offer = db.session.get(Offer, offer.id)
    assert offer.sku == "g-4090"  # the sku is the offer's identity; an edit cannot change it
    assert [str(h.unit_price) for h in offer.price_history] == ["1.900000", "2.100000"]


def test_editing_without_a_price_change_adds_no_history(client, acme):
    client.post("/stall/offers/new", data=GPU_FORM)
    offer = db.session.scalar(select(Offer))
    client.post(f"/stall/offers/{offer.id}/edit", data={**GPU_FORM, "title": "新标题"})
    assert db.session.scalar(select(func.count(PriceHistory.id))) == 1
    assert db.session.scalar(select(Offer.title)) == "新标题"


def test_delist_keeps_the_offer_and_its_history_and_relist_brings_it_back(client, acme):
    client.post("/stall/offers/new", data=GPU_FORM)
    offer = db.session.scalar(select(Offer))
    client.post(f"/stall/offers/{offer.id}/delist")
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == "delisted"
    assert len(db.session.get(Offer, offer.id).price_history) == 1
    assert "已不再提供" in client.get("/stall/").text
    assert client.get(f"/api/v1/offers/{offer.id}").json["status"] == "delisted"
    client.post(f"/stall/offers/{offer.id}/relist")
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == "active"


def test_an_injected_vendor_id_is_ignored(client, acme):
    _, other = make_vendor_member("other@example.com", "other")
    client.post("/stall/offers/new", data={**GPU_FORM, "vendor_id": str(other.id), "vendor": "other"})
    offer = db.session.scalar(select(Offer))
    assert offer.vendor_id == acme.id


@pytest.mark.parametrize(("form", "text"), [
    (GPU_FORM, "= ¥1.90 / 卡时"),
    ({"kind": "gpu", "gpu_model": "H100", "gpu_count": "8", "region": "cn-beijing", "billing": "on_demand",
      "price": "¥240", "price_unit": "hour"}, "= ¥30.00 / 卡时"),
    ({"kind": "cpu", "vcpus": "8", "region": "cn-beijing", "billing": "monthly", "price": "408.80",
      "currency": "CNY", "price_unit": "month"}, "= ¥0.07 / 核时"),
    ({"kind": "token", "model": "deepseek-v3", "input_price": "2", "output_price": "8", "currency": "CNY",
      "price_unit": "1m_tokens"}, "= ¥2.00 / 百万 tokens 输入 · ¥8.00 / 百万 tokens 输出"),
    ({"kind": "token", "model": "deepseek-v3", "price": "0.002", "currency": "CNY", "price_unit": "1k_tokens"},
     "= ¥2.00 / 百万 tokens 输入"),
])
def test_live_preview_normalizes_like_saving(client, acme, form, text):
    response = client.post("/stall/offers/preview", data={k: v for k, v in form.items() if k != "sku"})
    assert response.json == {"ok": True, "text": text, "unit_price": response.json["unit_price"]}
    assert db.session.scalar(select(func.count(Offer.id))) == 0  # a preview saves nothing


def test_live_preview_reports_errors_by_field(client, acme):
    response = client.post("/stall/offers/preview?lang=en", data={**GPU_FORM, "price": "-1"})
    assert response.json["ok"] is False
    assert response.json["errors"]["price"] == ["price must be greater than 0"]


def test_registry_lookup_in_chinese_or_english(client, acme):
    assert any(i["value"] == "cn-hangzhou" for i in client.get("/stall/lookup/regions?q=杭州").json["items"])
    assert any(i["value"] == "cn-hangzhou" for i in client.get("/stall/lookup/regions?q=hangz").json["items"])
    gpus = client.get("/stall/lookup/gpu-models?q=4090").json["items"]
    assert gpus and gpus[0]["value"] == "rtx-4090"
    assert client.get("/stall/lookup/gpu-models?q=zzzz").json["items"] == []


def test_the_form_renders_kind_fields_and_registry_lists(client, acme):
    page = client.get("/stall/offers/new").text
    assert 'data-kinds="gpu"' in page and 'data-kinds="token"' in page
    assert '<datalist id="dl-region">' in page and 'value="cn-hangzhou"' in page
    assert "<script>" not in page and "style=" not in page and "onclick" not in page
