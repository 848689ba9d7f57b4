"""Spec 4.1 on the buyer's side: the offer page (both languages) and the API's shape."""

from datetime import datetime
from decimal import Decimal

import pytest

from extensions import db
from tests.catalog.factories import gpu_offer, token_offer


@pytest.fixture()
def offers(app):
    gpu = gpu_offer("1.90", "rtx-4090", title="4090 夜间", off_peak_hours="00:30-08:30",
                    off_peak_rate=Decimal("0.5"), available_from=datetime(2026, 11, 30, 16, 0),
                    available_to=datetime(2026, 12, 31, 16, 0), available_hours="22:00-08:00")
    tok = token_offer()
    tok.off_peak_hours, tok.off_peak_rate, tok.batch_rate = "00:30-08:30", Decimal("0.25"), Decimal("0.5")
    tok.cache_write_price, tok.list_cache_write_amount = Decimal("22.5"), Decimal("3.125")
    tok.long_context_threshold, tok.long_input_price, tok.long_output_price = 200000, Decimal("36"), Decimal("108")
    plain = gpu_offer("2.00", "rtx-4090", title="4090 全天")
    db.session.commit()
    return gpu, tok, plain


def test_the_offer_page_shows_the_off_peak_price_beside_the_peak_price_in_chinese(client, offers):
    gpu, _, _ = offers
    page = client.get(f"/offers/{gpu.id}?lang=zh").text
    assert "闲时 00:30–08:30 五折 ¥0.95 / 卡时" in page
    assert "2026-12-01 00:00 至 2026-12-31 24:00（北京时间）" in page
    assert "22:00–08:00（北京时间）" in page


def test_and_in_english(client, offers):
    gpu, _, _ = offers
    page = client.get(f"/offers/{gpu.id}?lang=en").text
    assert "Off-peak 00:30–08:30 at 50%: ¥0.95 / card-hour" in page
    assert "2026-12-01 00:00 to 2026-12-31 24:00 (Beijing time)" in page


def test_the_token_offer_page_shows_long_context_batch_cache_write_and_off_peak(client, offers):
    _, tok, _ = offers
    zh = client.get(f"/offers/{tok.id}?lang=zh").text
    assert "长上下文（输入超过 200,000 tokens）" in zh and "¥36.00" in zh and "¥108.00" in zh
    assert "缓存写入" in zh and "¥22.50" in zh
    # batch 五折 of input 18.00 and output 72.00; off-peak 二五折 of the same.
    assert "五折: 输入 ¥9.00 · 输出 ¥36.00" in zh
    assert "闲时 00:30–08:30 二五折：输入 ¥4.50、输出 ¥18.00 /百万 tokens" in zh
    en = client.get(f"/offers/{tok.id}?lang=en").text
    assert "Off-peak 00:30–08:30 at 25%: input ¥4.50, output ¥18.00 per 1M tokens" in en
    assert "Long context (input over 200,000 tokens)" in en


def test_an_offer_without_them_shows_none_of_it(client, offers):
    _, _, plain = offers
    page = client.get(f"/offers/{plain.id}?lang=en").text
    # The week strip (free machines per hour, in Beijing time) is every GPU offer's; the span, the daily
    # window and the off-peak price are not there when the offer has none.
    assert "Off-peak" not in page and "<dt>Available</dt>" not in page and "<dt>Daily hours</dt>" not in page


def test_the_api_carries_them_as_decimal_strings_and_times_with_an_offset(client, offers):
    gpu, tok, plain = offers
    data = client.get(f"/api/v1/offers/{gpu.id}").get_json()
    assert data["available_from"] == "2026-12-01T00:00:00+08:00"
    assert data["available_to"] == "2027-01-01T00:00:00+08:00"
    assert (data["available_hours"], data["off_peak_hours"], data["off_peak_rate"]) == (
        "22:00-08:00", "00:30-08:30", "0.5")
    assert "batch_rate" not in data  # token-only
    data = client.get(f"/api/v1/offers/{tok.id}").get_json()
    assert (data["batch_rate"], data["long_context_threshold"]) == ("0.5", 200000)
    assert (data["cache_write_price"], data["long_input_price"], data["long_output_price"]) == (
        "22.500000", "36.000000", "108.000000")
    assert data["list_price"]["cache_write_amount"] == "3.125"
    data = client.get(f"/api/v1/offers/{plain.id}").get_json()
    assert [data[k] for k in ("available_from", "available_to", "available_hours", "off_peak_hours",
                              "off_peak_rate")] == [None] * 5


def test_the_openapi_and_the_spec_document_name_every_column(client):
    offer = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Offer"]["properties"]
    spec = client.get("/api/v1/spec").get_json()
    columns = ["available_from", "available_to", "available_hours", "off_peak_hours", "off_peak_rate",
               "cache_write_price", "batch_rate", "long_context_threshold", "long_input_price", "long_output_price"]
    assert set(columns) <= set(offer) and set(columns) <= set(spec["offer"]["properties"])
    assert set(columns) <= set(spec["sheet_row"]["properties"])
