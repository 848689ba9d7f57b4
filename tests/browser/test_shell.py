"""The site shell in a real browser: Chinese by default, English on the switch, CJK rendered."""

import pytest

pytestmark = pytest.mark.browser


def test_error_page_speaks_chinese_then_english(live_server, page, screenshot):
    page.goto(f"{live_server}/no-such-page")
    assert page.locator("h1").inner_text() == "页面不存在"
    screenshot("shell-404-zh")
    page.click("text=English")
    assert page.locator("h1").inner_text() == "Page not found"
    # The choice sticks for the next page.
    page.goto(f"{live_server}/still-nothing")
    assert page.locator("h1").inner_text() == "Page not found"
