"""In Chromium: the token comparison page on the seed catalog, sorted and filtered, in Chinese and English."""

import pytest

from extensions import db
from offers.cli import seed_catalog

pytestmark = pytest.mark.browser


@pytest.fixture()
def seeded(app):
    totals = seed_catalog(echo=lambda *_: None)
    db.session.remove()
    assert totals["rejected"] == 0
    return totals


def _prices(page, column: int) -> list[float | None]:
    cells = page.locator(f".token-table tbody tr td:nth-child({column})")
    values = []
    for i in range(cells.count()):
        text = cells.nth(i).inner_text().split("\n")[0].strip()
        values.append(None if text == "—" else float(text.lstrip("¥").replace(",", "")))
    return values


def test_sort_and_filter_the_token_table_in_chinese(live_server, page, screenshot, seeded):
    page.goto(f"{live_server}/market")
    with page.expect_navigation():
        page.click("text=所有 token 价格一览")
    assert page.locator("h1").inner_text() == "Token 价格一览"
    assert page.locator(".token-table tbody tr").count() > 50
    # Sort by output price, then the other way round: empty cells stay last.
    with page.expect_navigation():
        page.click(".token-table th >> text=输出")
    assert "sort=output" in page.url
    outputs = [v for v in _prices(page, 5) if v is not None]
    assert outputs == sorted(outputs)
    with page.expect_navigation():
        page.click(".token-table th >> text=闲时输入")
    with page.expect_navigation():
        page.click(".token-table th >> text=闲时输入")
    assert "sort=-off_peak_input" in page.url
    off_peak = _prices(page, 11)
    given = [v for v in off_peak if v is not None]
    assert given and given == sorted(given, reverse=True) and off_peak[:len(given)] == given
    # Filter to DeepSeek's family: its off-peak rows show the window.
    page.select_option("#tf-family", "deepseek")
    with page.expect_navigation():
        page.click(".token-filters button")
    assert "family=deepseek" in page.url and "sort=-off_peak_input" in page.url
    first = page.locator(".token-table tbody tr").nth(0)
    assert "00:30–08:30" in first.inner_text()
    screenshot("token-table-zh")


def test_the_token_table_in_english_links_each_row_to_its_offer(live_server, browser, seeded):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/market/tokens/compare?lang=en&family=gemini&sort=long_input")
        assert page.locator("h1").inner_text() == "Token prices side by side"
        first = page.locator(".token-table tbody tr").nth(0)
        assert "over 200K" in first.inner_text()
        page.screenshot(path=str(_path("token-table-en")), full_page=True)
        first.locator("td a").first.click()
        page.wait_for_url("**/offers/*")
        assert "Long context (input over 200,000 tokens)" in page.content()
    finally:
        context.close()


def _path(name: str):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def test_the_offer_page_shows_the_off_peak_price_beside_the_peak_price(live_server, page, screenshot, seeded):
    page.goto(f"{live_server}/market/tokens/compare?family=deepseek&sort=-off_peak_input")
    page.locator(".token-table tbody tr td a").first.click()
    page.wait_for_url("**/offers/*")
    box = page.locator(".price-box").inner_text()
    assert "闲时 00:30–08:30 五折：输入 ¥1.00、输出 ¥4.00 /百万 tokens" in box
    screenshot("offer-off-peak-zh")
    page.goto(page.url + "?lang=en")
    assert "Off-peak 00:30–08:30 at 50%: input ¥1.00, output ¥4.00 per 1M tokens" in page.locator(".price-box").inner_text()
    screenshot("offer-off-peak-en")


def test_filed_in_china_only_in_chromium(live_server, page, screenshot, seeded):
    page.goto(f"{live_server}/market/tokens/compare")
    everything = page.locator(".token-table tbody tr").count()
    page.check("#tf-filed")
    with page.expect_navigation():
        page.click(".token-filters button")
    rows = page.locator(".token-table tbody tr")
    assert 0 < rows.count() < everything
    for i in range(rows.count()):
        assert "已备案" in rows.nth(i).locator("td").first.inner_text()
    assert page.locator("#tf-filed").is_checked()
    screenshot("token-table-filed-zh")
    page.screenshot(path=str(_path("token-table-filed-zh-top")))
