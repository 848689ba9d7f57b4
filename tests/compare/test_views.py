"""The pages as a buyer sees them: compare, plan (no JavaScript needed), market."""

import re
from datetime import datetime
from decimal import Decimal as D

import pytest
from flask_babel import refresh

from catalog.models import PriceHistory
from extensions import db


def get_english(client, url: str) -> str:
    """The tests share one app context, where Flask-Babel caches the locale: drop it first."""
    refresh()
    return client.get(url + "&lang=en" if "?" in url else url + "?lang=en").get_data(as_text=True)


def _row(html: str, key: str) -> str:
    match = re.search(rf'<tr class="[^"]*" data-row="{key}">(.*?)</tr>', html, re.S)
    assert match, key
    return match.group(0)


def test_compare_marks_differences_and_the_cheapest(client, catalog):
    ids = f"{catalog['h100_card'].id},{catalog['h100_node_month'].id},{catalog['a100_40'].id}"
    html = client.get(f"/compare?ids={ids}&lang=en").get_data(as_text=True)
    assert "Compare offers" in html
    assert 'class="differs"' in _row(html, "billing")  # on demand vs monthly
    assert 'class="differs"' not in _row(html, "kind")  # all GPU
    price_row = _row(html, "unit_price")
    # cheapest per unit: the A100 40GB at ¥5/card-hour (third column)
    assert price_row.count('class="best"') == 1 and "¥5.00 / card-hour" in price_row.split('class="best"')[1]
    # cheapest per PFLOPS: ¥5 ÷ 0.312 = ¥16.0256 beats the monthly H100 ¥15.799315 ÷ 0.989 = ¥15.9750? No:
    # 15.9750 < 16.0256, so the monthly H100 node wins per PFLOPS while the A100 wins per card-hour.
    perf_row = _row(html, "per_pflops_hour")
    assert "¥15.98 (BF16)" in perf_row.split('class="best"')[1]
    assert "Interruption risk" in html and "Price as of" in html


def test_compare_keeps_at_most_six(client, catalog):
    ids = ",".join(str(o.id) for o in catalog.values())
    html = client.get(f"/compare?ids={ids}").get_data(as_text=True)
    assert html.count('class="offer-head"') == 6
    assert "最多可对比 6 个报价" in html


def test_ticked_checkboxes_become_one_ids_list(client, catalog):
    a, b = catalog["h100_card"].id, catalog["a100_40"].id
    response = client.get(f"/compare?ids={a}&ids={b}&lang=en")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/compare?ids={a},{b}&lang=en"


def test_compare_with_nothing_chosen(client):
    html = client.get("/compare?ids=abc").get_data(as_text=True)
    assert "还没有可对比的报价" in html


def test_plan_form_without_javascript(client, catalog):
    html = client.get("/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72").get_data(as_text=True)
    assert "3 个报价，按总成本排序" in html
    assert "8 卡 × 72 小时 × ¥17.12/卡时 = ¥9,861.12" in html
    assert 'name="ids"' in html and 'action="/compare/tray/add"' in html
    assert "2 个报价未计入" in html
    english = get_english(client, "/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72")
    assert "8 cards × 72 h × ¥17.12/card-hour = ¥9,861.12" in english


def test_plan_form_shows_errors_beside_the_field(client, catalog):
    html = client.get("/plan?kind=gpu&gpu_model=h100-sxm&count=-3&hours=72").get_data(as_text=True)
    assert 'class="field has-error"' in html and "按总成本排序" not in html


def test_market_gpu_page_draws_the_chart(client, catalog):
    offer = catalog["h100_card"]
    db.session.add(PriceHistory(offer=offer, at=datetime(2026, 2, 1), unit_price=D("16"), list_currency="CNY",
                                list_unit="card_hour"))
    db.session.commit()
    html = client.get("/market/gpu/h100-sxm").get_data(as_text=True)
    assert html.count("<svg") == 2
    assert "今日卡时价格" in html and "卡时价格中位数走势" in html
    # Server-drawn: the only script is the shell's own file (menu, compare tray), none inline, no CDN.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/shell.js" defer>']
    assert "cdn" not in html.lower()
    english = get_english(client, "/market/gpu/h100-sxm")
    assert "card-hour prices today" in english


def test_market_token_page(client, catalog):
    html = client.get("/market/token/deepseek-v3.2?lang=en").get_data(as_text=True)
    assert "token prices today" in html and "<svg" in html


def test_market_unknown_model_is_404(client):
    assert client.get("/market/gpu/no-such-card").status_code == 404


def test_vendor_text_is_escaped(client, catalog):
    offer = catalog["h100_card"]
    offer.title = "<script>alert(1)</script>"
    db.session.commit()
    html = client.get(f"/compare?ids={offer.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    html = client.get("/market/gpu/h100-sxm").get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_add_to_compare_macro_posts_to_the_tray_and_comes_back(app):
    template = app.jinja_env.from_string(
        '{% from "compare/_add_button.html" import add_to_compare with context %}{{ add_to_compare(9) }}')
    with app.test_request_context("/offers?q=4090"):
        html = template.render()
    assert 'method="post" action="/compare/tray/add"' in html
    assert 'name="ids" value="9"' in html and 'name="next" value="/offers?q=4090"' in html


@pytest.mark.parametrize("ids", ["²", "9223372036854775808", "2147483648", "9" * 5000, "1,²,x"])
def test_ids_no_offer_can_have_show_the_empty_comparison(client, ids):
    response = client.get("/compare", query_string={"ids": ids})
    assert response.status_code == 200
    assert "还没有可对比的报价" in response.get_data(as_text=True)


def test_plan_form_with_a_vanishing_count_shows_the_error_not_a_500(client, catalog):
    response = client.get("/plan?kind=gpu&gpu_model=h100-sxm&count=1e-30&hours=72")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="field has-error"' in html and "4 位小数" in html and "按总成本排序" not in html
