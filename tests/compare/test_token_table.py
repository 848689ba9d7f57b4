"""The token comparison page: every model × provider, each price column, sorting and filters."""

import re
from decimal import Decimal

import pytest

from extensions import db
from tests.catalog.factories import token_offer, vendor


@pytest.fixture()
def market(app):
    vendor("deepseek", "深度求索", "DeepSeek")
    vendor("bailian", "阿里云百炼", "Alibaba Bailian")
    gpt = token_offer("2.5", "10", vendor_slug="openai", model="gpt-4o")  # 18.00 in, 72.00 out
    ds = token_offer("0.28", "1.1", vendor_slug="deepseek", model="deepseek-v3")  # 2.016 in, 7.92 out
    ds.off_peak_hours, ds.off_peak_rate = "00:30-08:30", Decimal("0.5")
    ds.cache_write_price = Decimal("2.5")
    qwen = token_offer("0.4", "1.2", vendor_slug="bailian", model="qwen-plus")
    qwen.long_context_threshold, qwen.long_input_price, qwen.long_output_price = 128000, Decimal("9"), Decimal("27")
    qwen.batch_rate = Decimal("0.5")
    db.session.commit()
    return {"gpt": gpt, "ds": ds, "qwen": qwen}


def order(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-offer="(\d+)">', page)]


def test_every_offer_is_a_row_linked_to_its_page_cheapest_blended_first(client, market):
    page = client.get("/market/tokens/compare?lang=en").text
    assert order(page) == [market["ds"].id, market["qwen"].id, market["gpt"].id]
    assert f'href="/offers/{market["gpt"].id}"' in page


def test_each_price_column_and_empty_cells_as_a_dash(client, market):
    page = client.get("/market/tokens/compare?lang=en&vendor=deepseek").text
    row = page[page.index('<tr data-offer="'):page.index("</tr>", page.index('<tr data-offer="'))]
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)
    text = [re.sub(r"<[^>]+>", " ", c).split() for c in cells]
    # input, cached, output, cache write, long in, long out, batch in, batch out, off-peak in, off-peak out, context, blended
    assert text[0] == ["¥2.02"] and text[1] == ["—"] and text[2] == ["¥7.92"] and text[3] == ["¥2.50"]
    assert text[4] == text[5] == text[6] == text[7] == ["—"]
    assert text[8][0] == "¥1.01" and text[9] == ["¥3.96"]
    assert "00:30–08:30" in row


def test_sorting_by_any_column_either_way_with_empty_cells_last(client, market):
    asc = order(client.get("/market/tokens/compare?sort=output").text)
    desc = order(client.get("/market/tokens/compare?sort=-output").text)
    assert asc == [market["ds"].id, market["qwen"].id, market["gpt"].id] and desc == asc[::-1]
    # Only qwen has a long-context price: first both ways, the others after it.
    assert order(client.get("/market/tokens/compare?sort=long_input").text)[0] == market["qwen"].id
    assert order(client.get("/market/tokens/compare?sort=-long_input").text)[0] == market["qwen"].id
    batch = order(client.get("/market/tokens/compare?sort=-batch_input").text)
    assert batch[0] == market["qwen"].id
    # An unknown sort is the default, not an error.
    assert client.get("/market/tokens/compare?sort=drop+table").status_code == 200


def test_the_header_links_toggle_the_direction_and_keep_the_filters(client, market):
    page = client.get("/market/tokens/compare?sort=output&family=deepseek").text
    assert 'href="/market/tokens/compare?family=deepseek&amp;sort=-output"' in page
    assert 'href="/market/tokens/compare?family=deepseek&amp;sort=input"' in page


def test_filter_by_model_family_and_provider(client, market):
    assert order(client.get("/market/tokens/compare?family=deepseek").text) == [market["ds"].id]
    assert order(client.get("/market/tokens/compare?vendor=bailian").text) == [market["qwen"].id]
    assert order(client.get("/market/tokens/compare?vendor=openai&family=qwen").text) == []
    page = client.get("/market/tokens/compare?lang=zh&vendor=nobody").text
    assert "没有符合条件的 token 报价" in page


def test_the_market_pages_link_to_it(client, market):
    assert "/market/tokens/compare" in client.get("/market").text
    assert "/market/tokens/compare?family=deepseek" in client.get("/market/token/deepseek-v3").text


def test_filed_in_china_only_keeps_rows_of_filed_models(client, market):
    assert order(client.get("/market/tokens/compare").text) == [market["ds"].id, market["qwen"].id, market["gpt"].id]
    for lang, label, badge in (("zh", "仅已备案模型", "已备案"), ("en", "Filed in China only", "Filed")):
        page = client.get(f"/market/tokens/compare?filed=1&lang={lang}").text
        assert order(page) == [market["ds"].id, market["qwen"].id]  # gpt-4o is not filed
        assert label in page and 'name="filed" value="1" checked' in page
        row = page[page.index(f'<tr data-offer="{market["ds"].id}">'):]
        assert '<span class="badge ok"' in row[:row.index("</tr>")] and f">{badge}</span>" in row
    # The filter is in the URL and the sort links keep it.
    page = client.get("/market/tokens/compare?filed=1&sort=output").text
    assert 'href="/market/tokens/compare?filed=1&amp;sort=-output"' in page
    assert order(client.get("/market/tokens/compare?filed=1&vendor=openai").text) == []
