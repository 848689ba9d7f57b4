"""In Chromium: ask the compute bank for 8 × H100 for 6 hours, see the timeline and the saving, book it."""

import pytest

from tests.bank.conftest import bank, day  # noqa: F401 (pytest fixtures)

pytestmark = pytest.mark.browser


def test_find_a_schedule_and_book_it(live_server, page, screenshot, bank, day):  # noqa: F811
    first, second = day
    page.goto(f"{live_server}/schedule")
    page.select_option("#f-gpu_model", "h100-sxm")
    page.fill("#f-cards", "8")
    page.fill("#f-hours", "6")
    page.fill("#f-earliest_start", f"{first}T08:00")
    page.fill("#f-deadline", f"{second}T08:00")
    page.click("form.plan-form button[type=submit]")

    assert "¥288.00" in page.locator("h2").first.inner_text()
    assert "错峰 + 跨区域节省 ¥192.00（40.0%）" in page.locator(".saving").inner_text()
    assert page.locator("svg.schedule-timeline rect").count() >= 3
    assert "8 卡 × 6 小时 × ¥6.00/卡时 = ¥288.00" in page.locator(".schedule-table").inner_text()
    screenshot("schedule")

    page.fill("#f-email", "buyer@example.com")
    page.click("form.book-form button[type=submit]")
    page.wait_for_url("**/orders/**")
    assert "288.00" in page.inner_text("main")
    screenshot("schedule-booked")
