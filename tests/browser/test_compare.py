"""In Chromium: plan 8 × H100 for 72 hours, read the ranked totals, pick offers and compare them."""

import re

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


def test_plan_a_job_then_compare(live_server, page, screenshot, seeded):
    page.goto(f"{live_server}/plan?kind=gpu")
    page.select_option("#f-gpu_model", "h100-sxm")
    page.fill("#f-count", "8")
    page.fill("#f-hours", "72")
    page.click("button[type=submit]")

    heading = page.locator(".plan-result h2").inner_text()
    assert re.match(r"\d+ 个报价，按总成本排序", heading)
    rows = page.locator(".plan-table tbody tr")
    assert rows.count() >= 5
    first = rows.nth(0).locator(".arith .formula").inner_text()
    assert first.startswith("8 卡 × 72 小时 × ¥") and "= ¥" in first
    # Totals rise down the list among the offers whose stock is not known to be short.
    totals = []
    for i in range(rows.count()):
        row = rows.nth(i)
        if "short" in (row.get_attribute("class") or ""):
            continue
        totals.append(float(row.locator("td.price").inner_text().lstrip("¥").replace(",", "")))
    assert totals == sorted(totals)
    screenshot("compare-plan-zh")

    for i in range(3):
        rows.nth(i).locator("input[name=ids]").check()
    page.click("text=对比所选")
    page.wait_for_url(re.compile(r"/compare$"))  # into the compare tray, then side by side
    assert page.locator("h1").inner_text() == "报价对比"
    assert page.locator(".offer-head").count() == 3
    assert page.locator(".compare-table td.best").count() >= 1
    assert page.locator("tr.differs").count() >= 1
    screenshot("compare-table-zh")

    page.click("text=English")
    assert page.locator("h1").inner_text() == "Compare offers"
    assert page.locator(".offer-head").count() == 3  # the language switch keeps every chosen offer
    assert page.locator("tr[data-row=per_pflops_hour] th").inner_text().startswith("CNY per dense PFLOPS-hour")
    screenshot("compare-table-en")

    page.goto(f"{live_server}/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72&allow_spot=on")
    first_en = page.locator(".plan-table tbody tr").nth(0).locator(".arith .formula").inner_text()
    assert first_en.startswith("8 cards × 72 h × ¥")
    screenshot("compare-plan-en")


def test_market_chart_renders(live_server, page, screenshot, seeded):
    page.goto(f"{live_server}/market/gpu/h100-sxm")
    chart = page.locator(".chart-card svg").first
    assert chart.is_visible()
    assert chart.bounding_box()["height"] > 100
    assert "今日卡时价格" in chart.inner_html()
    screenshot("compare-market-gpu-zh")
    page.goto(f"{live_server}/market/token/deepseek-v3.2?lang=en")
    assert page.locator(".chart-card svg").first.is_visible()
    screenshot("compare-market-token-en")


def test_token_workload_ranked(live_server, page, screenshot, seeded):
    page.goto(f"{live_server}/plan?kind=token")
    page.fill("#f-daily_active_users", "1000")
    page.fill("#f-requests_per_user", "10")
    page.fill("#f-input_tokens_per_request", "1500")
    page.fill("#f-output_tokens_per_request", "500")
    page.fill("#f-cache_hit_share", "0.3")
    page.click("button[type=submit]")
    first = page.locator(".plan-table tbody tr").nth(0)
    assert "/月" in first.locator(".arith .formula").inner_text()
    assert "每月请求 = 1,000 日活 × 10 次/人/天 × 30 天" in page.locator(".assumptions").inner_text()
    screenshot("compare-plan-token-zh")
    from tests.browser.conftest import SCREENSHOTS  # the full page is 169 rows long: keep a readable top too

    page.screenshot(path=str(SCREENSHOTS / "compare-plan-token-zh-top.png"))
