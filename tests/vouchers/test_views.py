"""The programme pages and the offer page's "after voucher" panel, in both languages."""

import html
import re

import pytest

from extensions import db
from tests.catalog.factories import vendor
from tests.vouchers.conftest import hangzhou, load


@pytest.fixture()
def programs(app):
    load(hangzhou(), hangzhou(code="bj", vendors=["aliyun"], company_regions=["cn-beijing"], platform_rate="0",
                              budget=None, cap_per_company_per_year="2000000",
                              name={"zh": "北京算力券", "en": "Beijing vouchers"},
                              rules=[{"when": {"kind": ["gpu", "token"]}, "rate": "0.20"}]))


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["杭州市算力券（2026，示例）", "最高补贴符合条件支出的 30%", "注册地在浙江的企业", "剩余预算", "¥250,000,000.00"]),
    ("en", ["Hangzhou compute vouchers 2026 (example)", "up to 30% of eligible spend",
            "companies registered in Zhejiang", "Budget left", "¥250,000,000.00"]),
])
def test_the_list_shows_each_programme_with_its_budget(client, programs, lang, words):
    response = client.get(f"/vouchers?lang={lang}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = text(response)
    for word in words:
        assert word in page, word
    assert "<svg" in response.text and 'href="/vouchers/bj"' in response.text


def test_the_programme_page_says_its_rules_in_plain_words(client, programs):
    zh = text(client.get("/vouchers/hz-2026?lang=zh"))
    for words in ("GPU 算力 · 国产芯片", "大模型 API · 已备案的生成式人工智能模型", "其他符合条件的订单行", "30%", "20%",
                  "每年 ¥8,000,000.00", "平台让利每条符合条件订单行的 5%", "如何申请", "示例项目", "已用", "剩余"):
        assert words in zh, words
    en = text(client.get("/vouchers/hz-2026?lang=en"))
    for words in ("on a domestic (Chinese-designed) chip", "a model filed for generative AI service in China",
                  "Every other eligible line", "¥8,000,000.00 a year", "How to apply", "companies registered in Zhejiang",
                  "Used ¥0.00, left ¥250,000,000.00"):
        assert words in en, words
    vendor("aliyun", "阿里云", "Alibaba Cloud")
    db.session.commit()
    bj = text(client.get("/vouchers/bj?lang=en"))
    assert "only offers of Alibaba Cloud" in bj and "仅限阿里云的商品" in text(client.get("/vouchers/bj?lang=zh"))
    assert "only offers of" in bj and "No overall budget is set." in bj and "Platform share none" in bj


def test_an_unknown_programme_is_a_404(client, programs):
    assert client.get("/vouchers/nope").status_code == 404


def test_the_nav_links_to_the_vouchers(client, programs):
    assert 'href="/vouchers"' in client.get("/vouchers?lang=zh").text
    assert "算力券" in client.get("/?lang=zh").text


def test_the_offer_page_shows_the_price_after_the_chosen_programme(client, programs, order):
    ascend, h100 = order
    zh = client.get(f"/offers/{ascend.id}?program=hz-2026&lang=zh")
    assert zh.headers["Cache-Control"] == "no-store"
    # ¥9.50 × (1 − 30% − 5%) = ¥6.175 a card-hour, shown to the fen like every unit price above ¥1
    assert "券后 ¥6.18 / 卡时" in text(zh) and "（政府补贴 30%，平台让利 5%）" in text(zh)
    en = text(client.get(f"/offers/{h100.id}?program=hz-2026&lang=en"))
    # ¥21.33 × (1 − 20% − 5%) = ¥15.9975
    assert "After voucher ¥16.00 / card-hour" in en and "(government pays 20%, the platform 5%)" in en
    outside = text(client.get(f"/offers/{ascend.id}?program=bj&lang=en"))
    assert "This vendor is not on the programme's list" in outside and "After voucher" not in outside
    plain = client.get(f"/offers/{ascend.id}?lang=en")
    assert 'name="program"' in plain.text and "After voucher" not in text(plain)
    assert plain.headers.get("Cache-Control") != "no-store"
