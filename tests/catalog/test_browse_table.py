"""The dense browse table: sortable headers, per page, columns, and prices for a job's length."""

import csv
import io
import re
from decimal import Decimal

import pytest

from extensions import db
from tests.catalog.factories import gpu_offer, token_offer


@pytest.fixture()
def catalog(app):
    offers = {
        # The cheapest card-hour on the list, but only sold by the month: ¥15.80 × 730 = ¥11,534 a month.
        "monthly": gpu_offer("15.80", "h100-sxm", vendor_slug="autodl", billing="monthly", title="H100 包月 单卡"),
        "hourly": gpu_offer("18.50", "h100-sxm", vendor_slug="gpushare", title="H100 按量 单卡"),
        "dear": gpu_offer("40.00", "h100-sxm", vendor_slug="ucloud", title="H100 按量 贵"),
        "token": token_offer(),
    }
    db.session.commit()
    return offers


def page_of(client, query: str) -> str:
    response = client.get(f"/offers?{query}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def rows(page: str) -> list[str]:
    return re.findall(r'class="offer-title"[^>]*>([^<]+)</a>', page)


def test_headers_sort_on_the_server_and_a_second_click_flips_the_order(client, catalog):
    page = page_of(client, "kind=gpu")
    assert rows(page) == ["H100 包月 单卡", "H100 按量 单卡", "H100 按量 贵"]
    # The current sort's header says so and links to the other direction.
    price = re.search(r'<th scope="col" class="c-price num sorted" aria-sort="ascending">(.*?)</th>', page, re.S)
    assert price and 'href="/offers?kind=gpu&amp;sort=-unit_price"' in price.group(1) and "▲" in price.group(1)
    flipped = page_of(client, "kind=gpu&sort=-unit_price")
    assert rows(flipped) == ["H100 按量 贵", "H100 按量 单卡", "H100 包月 单卡"]
    assert 'aria-sort="descending"' in flipped and "▼" in flipped
    assert 'href="/offers?kind=gpu&amp;sort=unit_price"' in flipped
    # Other sortable headers link to their own first direction.
    assert 'href="/offers?kind=gpu&amp;sort=updated_at"' in page


def test_sorting_by_price_per_tflops_shows_that_value(client, catalog):
    default = page_of(client, "kind=gpu")
    assert "hide-ppt" in default  # off until picked
    page = page_of(client, "kind=gpu&sort=price_per_tflop_hour")
    table = re.search(r'<table class="([^"]+)"[^>]*data-locked="([^"]*)"', page)
    assert "hide-ppt" not in table.group(1) and table.group(2) == "ppt"
    assert "每 TFLOPS 时价格" in page


@pytest.mark.parametrize("per_page", [20, 50, 100])
def test_per_page_choices(client, catalog, per_page):
    page = page_of(client, f"per_page={per_page}")
    chosen = re.search(r'<select id="per_page"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'value="(\d+)"', chosen) == ["20", "50", "100"]
    assert f'<option value="{per_page}" selected>' in chosen


def test_without_a_duration_each_offer_shows_its_minimum_term(client, catalog):
    page = page_of(client, "kind=gpu")
    assert "最短租期" in page and "1 个月" in page and "1 小时" in page
    assert "c-effective" not in page
    english = page_of(client, "kind=gpu&lang=en")
    assert "Minimum term" in english and "1 month" in english and "1 hour" in english


def test_a_72_hour_job_ranks_the_monthly_machine_by_what_it_really_pays(client, catalog):
    page = page_of(client, "kind=gpu&duration_hours=72")
    # ¥11,534 for the month over 72 card-hours = ¥160.19 / 卡时: dearer than both hourly offers.
    assert rows(page) == ["H100 按量 单卡", "H100 按量 贵", "H100 包月 单卡"]
    assert '<span class="price">¥160.19</span>' in page
    assert "¥11,534.00" in page and "1 月" in page  # the job's total pays one month
    assert "¥1,332.00" in page  # 18.50 × 72 h
    effective = re.search(r'<th scope="col" class="c-effective num sorted" aria-sort="ascending">(.*?)</th>',
                          page, re.S)
    assert effective and "sort=-effective_price" in effective.group(1)
    assert 'value="72"' in page  # the control keeps the length


def test_a_bad_duration_is_shown_as_a_400_naming_the_field(client, catalog):
    response = client.get("/offers?duration_hours=9000")
    assert response.status_code == 400
    assert "用多久（小时）" in response.get_data(as_text=True)


def test_token_listing_prices_input_cached_and_output_apart(client, catalog):
    page = page_of(client, "kind=token")
    for header in ("输入", "缓存命中输入", "输出"):
        assert f">{header}</th>" in page
    assert '<td class="num c-input">¥18.00</td>' in page and '<td class="num c-output">¥72.00</td>' in page


def test_rows_are_one_line_with_a_column_picker(client, catalog):
    page = page_of(client, "kind=gpu")
    assert 'class="data offers dense' in page and 'class="col-picker"' in page
    boxes = re.findall(r'data-col="(\w+)"', page)
    assert {"spec", "price", "ppt", "term", "listed", "stock"} <= set(boxes)
    assert "<script>" not in page  # the picker is static/js/browse.js (CSP: no inline script)


def test_the_csv_of_a_job_view_carries_the_pages_job_price_and_total(client, catalog):
    def export(query: str) -> list[list[str]]:
        response = client.get(f"/offers.csv?{query}")
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))

    table = export("kind=gpu&duration_hours=72")
    header = table[0]
    price, total, paid = (header.index(h) for h in ("本任务折合单价 (元，72 小时)", "任务总价 (元，72 小时)", "计费小时数"))
    by_title = {row[2]: row for row in table[1:]}
    # Ranked as the page ranks it: the month-only machine last.
    assert [row[2] for row in table[1:]] == ["H100 按量 单卡", "H100 按量 贵", "H100 包月 单卡"]
    month = by_title["H100 包月 单卡"]
    assert Decimal(month[price]).quantize(Decimal("0.01")) == Decimal("160.19")  # the page's ¥160.19 / 卡时
    assert month[total] == "11534.00" and month[paid] == "730"
    hourly = by_title["H100 按量 单卡"]
    assert Decimal(hourly[price]) == Decimal("18.50") and hourly[total] == "1332.00" and hourly[paid] == "72"
    english = export("kind=gpu&duration_hours=72&lang=en")[0]
    assert "Price for this job (CNY, 72 h)" in english and "Job total (CNY, 72 h)" in english
    # Without a length the export keeps its columns.
    assert not any("72" in h for h in export("kind=gpu")[0]) and "计费小时数" not in export("kind=gpu")[0]
