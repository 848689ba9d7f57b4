"""The buyer's pages through the test client: what a buyer sees, in both languages."""

import csv
import io
import re
from decimal import Decimal

import pytest

from catalog.csv_export import BOM
from extensions import db
from tests.catalog.factories import gpu_offer, reprice, token_offer


@pytest.fixture()
def get(client):
    return client.get


@pytest.fixture()
def catalog(app):
    offers = {
        "cheap": gpu_offer("1.85", "rtx-4090", vendor_slug="gpushare", title="RTX 4090 单卡 杭州", stock=12),
        "dear": gpu_offer("2.08", "rtx-4090", vendor_slug="autodl", region="cn-beijing", title="4090 北京"),
        "h100": gpu_offer("12.00", "h100-sxm", vendor_slug="autodl", billing="monthly", count="8",
                          title="H100 8卡 包月", stock=0),
        "token": token_offer(),
    }
    db.session.commit()
    return offers


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_home_shows_the_catalog_at_a_glance(get, catalog):
    page = text_of(get("/"))
    assert "算力超市" in page and "热门 GPU 今日最低卡时价" in page
    assert re.search(r'stat-n">4<', page)  # offers
    assert "GeForce RTX 4090 24GB" in page and "¥1.85" in page  # the cheaper 4090, not ¥2.08
    assert "¥2.08" not in page
    assert 'action="/offers"' in page  # the search box goes to browse
    english = text_of(get("/?lang=en"))
    assert "Today's cheapest card-hour for popular GPUs" in english and "card-hour" in english


def test_browse_lists_normalized_and_listed_prices_with_vendor_region_billing_stock_freshness(get, catalog):
    response = get("/offers?kind=gpu")
    page = text_of(response)
    assert response.status_code == 200
    assert "3 个报价" in page
    for shown in ("¥1.85", "/ 卡时", "¥1.85 / 卡时", "gpushare云", "杭州", "北京", "按量", "包月",
                  "售罄", "刚刚更新"):
        assert shown in page, shown
    # Cheapest first by default.
    assert page.index("RTX 4090 单卡 杭州") < page.index("4090 北京") < page.index("H100 8卡 包月")


def test_browse_in_english(get, catalog):
    page = text_of(get("/offers?kind=token&lang=en"))
    assert "1 offer</h1>" in page
    assert "$2.50 / 1M tokens in, $10.00 out" in page
    assert "¥18.00" in page and "¥72.00" in page  # input and output per 1M tokens, in CNY
    # A token listing prices input, cached input and output in their own columns, then the blend.
    for header in ("Input</th>", "Cached input</th>", "Output</th>", "Blended 3:1"):
        assert header in page, header
    assert '<td class="num c-price"><span class="price">¥31.50</span>' in page


def test_facets_count_and_link_to_a_narrower_view(get, catalog):
    page = text_of(get("/offers"))
    gpu_facet = re.search(r'href="/offers\?gpu_model=rtx-4090"[^>]*>\s*<span class="facet-label">'
                          r'GeForce RTX 4090 24GB</span><span class="count">2</span>', page)
    assert gpu_facet, "the GPU facet links to the filtered view with its count"
    narrowed = text_of(get("/offers?gpu_model=rtx-4090&sort=-unit_price"))
    assert "2 个报价" in narrowed
    assert narrowed.index("4090 北京") < narrowed.index("RTX 4090 单卡 杭州")  # dearest first
    # The filter stays in the form and can be removed from its chip.
    assert '<input type="hidden" name="gpu_model" value="rtx-4090">' in narrowed
    assert 'href="/offers?sort=-unit_price"' in narrowed
    assert '<option value="-unit_price" selected>' in narrowed


def test_pagination_links_keep_the_view(get, app):
    for i in range(25):
        gpu_offer(f"{2 + i / 100:.2f}", "a100-80gb", title=f"A100 #{i}")
    db.session.commit()
    page = text_of(get("/offers?gpu_model=a100-80gb&sort=-unit_price"))
    assert 'href="/offers?gpu_model=a100-80gb&amp;sort=-unit_price&amp;page=2"' in page
    second = text_of(get("/offers?gpu_model=a100-80gb&sort=-unit_price&page=2"))
    assert second.count('class="offer-title"') == 5


def test_the_browse_form_works_without_javascript(get, catalog):
    page = text_of(get("/offers?q=4090&min_gpu_memory_gb=16&in_stock=true"))
    assert '<form class="browse" method="get" action="/offers"' in page
    assert 'name="q" value="4090"' in page
    assert 'name="min_gpu_memory_gb" min="0" step="any" inputmode="decimal" value="16"' in page
    assert 'name="in_stock" value="true" checked' in page
    assert "RTX 4090 单卡 杭州" in page and "H100" not in page.split('class="results"')[1]


@pytest.mark.parametrize("query", ["min_gpu_count=abc", "sort=cheapest", "page=0", "kind=tpu",
                                   "gpu_model=no-such-card", "region=atlantis", "max_unit_price=-1", "per_page=1000"])
def test_bad_parameters_show_the_page_with_a_message(get, catalog, query):
    response = get(f"/offers?{query}")
    assert response.status_code == 400
    page = text_of(response)
    assert "以下条件无法使用" in page
    assert '<form class="browse"' in page  # the buyer can fix the search from here


def test_vendor_text_is_escaped_everywhere(get, app):
    offer = gpu_offer("1.5", title="<script>alert(1)</script>", description="<b>fast</b> & cheap")
    formula = gpu_offer("1.6", title="=HYPERLINK(\"http://evil\")")
    db.session.commit()
    for url in ("/offers", f"/offers/{offer.id}"):
        page = text_of(get(url))
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;fast&lt;/b&gt; &amp; cheap" in text_of(get(f"/offers/{offer.id}"))
    exported = text_of(get("/offers.csv"))
    titles = {row[2] for row in csv.reader(io.StringIO(exported[len(BOM):]))}
    assert "<script>alert(1)</script>" in titles  # text in a CSV cell, harmless to a spreadsheet
    assert f"'{formula.title}" in titles


def test_pages_carry_no_inline_script_or_style(get, catalog):
    for url in ("/", "/offers", f"/offers/{catalog['cheap'].id}", "/offers?min_gpu_count=x"):
        page = text_of(get(url))
        assert 'style="' not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert not re.search(r"\son[a-z]+=", page), url


def test_offer_page_shows_fields_gpu_facts_history_and_other_vendors(get, catalog):
    cheap, dear = catalog["cheap"], catalog["dear"]
    same_vendor = gpu_offer("1.10", "rtx-4090", vendor_slug="gpushare", title="same vendor 4090")
    elsewhere = gpu_offer("3.10", "rtx-4090", vendor_slug="matpool", title="矩池 4090")
    reprice(cheap, "2.20", days_ago=20)
    db.session.commit()
    page = text_of(get(f"/offers/{cheap.id}"))
    assert "RTX 4090 单卡 杭州" in page and "¥1.85 / 卡时" in page and "gpushare云" in page
    assert "关于 GeForce RTX 4090 24GB" in page and "Ada Lovelace" in page  # the model's facts
    assert page.count('<circle class="dot"') == 2 and "¥2.20" in page  # both prices on the chart
    others = page.split('class="others"')[1]
    assert others.index(dear.title) < others.index(elsewhere.title)  # cheapest first
    assert same_vendor.title not in others


def test_token_offer_page(get, catalog):
    page = text_of(get(f"/offers/{catalog['token'].id}?lang=en"))
    assert "OpenAI" in page
    assert "$2.50 / 1M tokens in, $10.00 out" in page
    assert "¥18.00 / 1M tokens" in page and "¥72.00 / 1M tokens" in page and "¥31.50 / 1M tokens" in page
    assert "128,000 tokens" in page


def test_other_vendors_are_the_browse_tables_one_line_rows_in_its_number_format(get, catalog):
    cheap = catalog["cheap"]
    # A monthly machine listed at ¥11,534 a month, and a card-hour below ¥1.
    monthly = gpu_offer("15.80", "rtx-4090", vendor_slug="ucloud", billing="monthly", title="4090 包月")
    monthly.list_amount, monthly.list_unit = Decimal("11534"), "month"
    gpu_offer("0.04567", "rtx-4090", vendor_slug="matpool", title="4090 闲时")
    db.session.commit()
    page = text_of(get(f"/offers/{cheap.id}"))
    others = page.split('<section class="others">')[1].split("</section>")[0]
    assert 'class="data offers dense others' in others and "hide-ppt" in others
    # The browse table's headers and one-line cells.
    for header in ("配置", "地域", "计费方式", "最短租期", "统一折算价", "商家标价", "库存"):
        assert f">{header}</th>" in others, header
    assert "<div" not in others.split("<tbody>")[1]
    row = re.search(r"<tr>(?:(?!</tr>).)*4090 包月.*?</tr>", others, re.S).group(0)
    assert '<td class="num c-price"><span class="price">¥15.80</span>' in row
    assert '<td class="num listed c-listed">¥11,534.00 / 月</td>' in row and "1 个月" in row
    assert '<span class="price">¥0.0457</span>' in others  # three significant digits below ¥1
    english = text_of(get(f"/offers/{cheap.id}?lang=en")).split('<section class="others">')[1]
    assert ">Minimum term</th>" in english and "¥11,534.00 / month" in english


def test_missing_offer_is_404(get, app):
    assert get("/offers/424242").status_code == 404


def test_csv_exports_the_whole_view_for_excel(get, app):
    for i in range(130):
        gpu_offer(f"{1 + i / 100:.2f}", "l20", title=f"L20 #{i}")
    gpu_offer("0.5", "t4", title="T4 not in view")
    db.session.commit()
    response = get("/offers.csv?gpu_model=l20&sort=-unit_price&page=3&lang=en")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(BOM.encode("utf-8"))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "Vendor", "Title"]
    assert len(rows) == 1 + 130  # every page of the view, not just one
    assert rows[1][2] == "L20 #129" and rows[1][12] == "2.290000"  # the sort holds, decimals are exact


def test_csv_with_bad_parameters_is_a_400(get, app):
    response = get("/offers.csv?min_gpu_count=lots")
    assert response.status_code == 400
    assert "Min. GPU count" in response.get_data(as_text=True) or "最少卡数" in response.get_data(as_text=True)


def test_navigation_has_browse(get, app):
    page = text_of(get("/offers"))
    assert re.search(r'<a href="/offers" aria-current="page">找算力</a>', page)


def test_parameters_the_page_does_not_know_are_ignored_not_errors(get, catalog):
    response = get("/offers?utm_source=wechat&lang=zh&kind=gpu")
    assert response.status_code == 200 and "3 个报价" in text_of(response)


def test_billing_facet_links(get, catalog):
    page = text_of(get("/offers"))
    assert 'href="/offers?billing=monthly"' in page
    assert "1 个报价" in text_of(get("/offers?billing=monthly"))
