"""The buyer's path in Chromium on the seed catalog: home, search, facet, sort, offer, back."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.models import Offer, PriceHistory, utcnow
from extensions import db
from offers.cli import seed_catalog

pytestmark = pytest.mark.browser


@pytest.fixture()
def seeded(app):
    totals = seed_catalog(echo=lambda *_: None)
    assert totals["created"] > 600
    return totals


def give_history(offer_id: int) -> None:
    """Two older prices, so the offer page's chart has a shape to show."""
    offer = db.session.get(Offer, offer_id)
    for days, factor in ((45, Decimal("1.25")), (20, Decimal("1.10"))):
        offer.price_history.insert(0, PriceHistory(
            at=utcnow() - timedelta(days=days), unit_price=offer.unit_price * factor,
            list_amount=offer.list_amount, list_currency=offer.list_currency, list_unit=offer.list_unit))
    db.session.commit()


def test_search_filter_sort_open_and_come_back(live_server, page, screenshot, seeded):
    page.goto(f"{live_server}/")
    assert "一把尺子比" in page.locator("h1").inner_text()
    screenshot("home-zh")
    page.fill("#home-q", "4090")
    page.press("#home-q", "Enter")
    page.wait_for_url(re.compile(r"/offers\?q=4090"))
    assert page.locator("table.offers tbody tr").count() > 0

    page.click(".facet a:has-text('GeForce RTX 4090 24GB')")
    page.wait_for_url(re.compile(r"gpu_model=rtx-4090"))
    page.select_option("#sort", "-unit_price")  # browse.js submits on change
    page.wait_for_url(re.compile(r"sort=-unit_price"))
    filtered_url = page.url
    assert "q=4090" in filtered_url and "gpu_model=rtx-4090" in filtered_url
    prices = [Decimal(re.sub(r"[¥,]", "", t)) for t in page.locator("table.offers tbody tr td.c-price .price").all_inner_texts()]
    assert prices == sorted(prices, reverse=True) and len(prices) > 3
    screenshot("browse-zh")

    first = page.locator("table.offers tbody tr a.offer-title").first
    first_title = first.inner_text()
    give_history(int(first.get_attribute("href").rsplit("/", 1)[1]))
    first.click()
    page.wait_for_url(re.compile(r"/offers/\d+$"))
    assert page.locator("h1").inner_text() == first_title
    assert page.locator("svg.price-chart circle").count() == 3
    assert page.locator(".others tbody tr").count() > 0
    screenshot("offer-zh")

    page.go_back()
    page.wait_for_url(filtered_url)
    assert page.locator("table.offers tbody tr a.offer-title").first.inner_text() == first_title
    assert page.locator("#sort").input_value() == "-unit_price"

    page.click("text=English")
    page.wait_for_url(re.compile(r"lang=en"))
    assert re.fullmatch(r"\d+ offers", page.locator("h1").inner_text())
    assert page.locator("th:has-text('Normalized price')").count() == 1
    screenshot("browse-en")


def test_filters_work_without_javascript(live_server, browser, seeded):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/offers?kind=gpu")
        page.fill("#min_gpu_count", "8")
        page.click("button:has-text('应用筛选')")
        page.wait_for_url(re.compile(r"min_gpu_count=8"))
        assert "kind=gpu" in page.url  # the chosen facet rides along in a hidden field
        page.select_option("#sort", "-unit_price")
        page.click(".tools button:has-text('应用')")
        page.wait_for_url(re.compile(r"sort=-unit_price"))
        counts = page.locator("table.offers tbody .spec-main .times").all_inner_texts()
        assert counts and all(Decimal(c.strip("× ")) >= 8 for c in counts)
    finally:
        context.close()


def test_bad_filter_value_shows_a_message_in_the_browser(live_server, page, seeded):
    response = page.goto(f"{live_server}/offers?gpu_model=RTX 9999")
    assert response.status == 400
    assert "以下条件无法使用" in page.locator("[role=alert]").inner_text()


def test_tick_offers_to_compare_and_buy_from_the_offer_page(live_server, page, seeded):
    page.goto(f"{live_server}/offers?kind=gpu&gpu_model=rtx-4090")
    boxes = page.locator("table.offers tbody input[name=ids]")
    picked = [boxes.nth(i).get_attribute("value") for i in range(2)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("button:has-text('对比所选')")
    page.wait_for_url(re.compile(r"/compare$"))  # the ticked offers went into the compare tray
    assert all(f"#{offer_id}" in page.content() for offer_id in picked)
    assert page.locator("#compare-tray .tray-count").inner_text() == "(2)"

    page.goto(f"{live_server}/offers/{picked[0]}")
    page.click(".price-actions a:has-text('购买')")
    page.wait_for_url(re.compile(rf"/cart/add/{picked[0]}$"))
    assert page.locator("input[name=instances]").count() == 1  # the buy page asks machines × hours or terms
    assert page.locator("#quote-arith").count() == 1
