"""The dense browse table in Chromium at 1440×900: one line a row, and a column picker that outlives a reload."""

import re

import pytest

from offers.cli import seed_catalog

pytestmark = pytest.mark.browser


@pytest.fixture()
def seeded(app):
    totals = seed_catalog(echo=lambda *_: None)
    assert totals["created"] > 600
    return totals


@pytest.fixture()
def wide(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_rows_are_dense_and_the_column_picker_persists(live_server, wide, seeded):
    page = wide
    page.goto(f"{live_server}/offers?kind=gpu&per_page=50")
    rows = page.locator("table.offers tbody tr")
    assert rows.count() == 50
    heights = [box["height"] for box in (rows.nth(i).bounding_box() for i in range(rows.count()))]
    assert max(heights) <= 40, max(heights)
    # Under the banner, header, search bar and toolbar, 14+ rows fit in the first screen (the old table ~8).
    on_screen = sum(1 for i in range(rows.count()) if rows.nth(i).bounding_box()["y"] + 40 <= 900)
    assert on_screen >= 14, on_screen

    # Hide the listed price and show price per TFLOPS-hour; both choices survive a reload.
    assert page.locator("td.c-listed").first.is_visible()
    assert not page.locator("td.c-ppt").first.is_visible()
    page.click(".col-picker summary")
    page.uncheck(".col-picker input[data-col=listed]")
    page.check(".col-picker input[data-col=ppt]")
    assert not page.locator("td.c-listed").first.is_visible()
    page.reload()
    assert not page.locator("td.c-listed").first.is_visible()
    assert page.locator("td.c-ppt").first.is_visible()
    page.click(".col-picker summary")
    assert not page.locator(".col-picker input[data-col=listed]").is_checked()
    page.click("#results-heading")  # a click outside closes the picker
    assert not page.locator(".col-picker ul").is_visible()

    # A sort header sorts on the server and keeps the picked columns.
    page.click("th.c-price a.sort")  # the current sort: flips to high-to-low
    page.wait_for_url(re.compile(r"sort=-unit_price"))
    prices = [float(re.sub(r"[¥,]", "", t)) for t in page.locator("td.c-price .price").all_inner_texts()]
    assert prices == sorted(prices, reverse=True)
    assert not page.locator("td.c-listed").first.is_visible()
    page.screenshot(path=str(_path("browse-dense")))


def test_a_job_length_reprices_and_reranks_the_rows(live_server, wide, seeded):
    page = wide
    page.goto(f"{live_server}/offers?kind=gpu&per_page=50")
    page.fill("#duration_hours", "72")
    page.press("#duration_hours", "Enter")
    page.wait_for_url(re.compile(r"duration_hours=72"))
    assert "sort=" not in page.url  # the default sort for a job is its effective price
    effective = [float(re.sub(r"[¥,]", "", t)) for t in page.locator("td.c-effective .price").all_inner_texts()]
    assert len(effective) == 50 and effective == sorted(effective)
    assert page.locator("th.c-effective[aria-sort=ascending]").count() == 1
    heights = [page.locator("table.offers tbody tr").nth(i).bounding_box()["height"] for i in range(10)]
    assert max(heights) <= 40
    # The job's columns fit beside the offer at 1440 px, without scrolling the table sideways.
    wrap = page.locator(".table-wrap").bounding_box()
    total = page.locator("th.c-total").bounding_box()
    assert total["x"] + total["width"] <= wrap["x"] + wrap["width"] + 1
    page.screenshot(path=str(_path("browse-dense-72h")))  # the first screen, as a buyer sees it


def _path(name: str):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
