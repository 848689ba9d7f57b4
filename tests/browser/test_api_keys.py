"""A vendor in a real browser makes an API key, a program uses it, the vendor revokes it."""

import pytest

from tests.stall_support import PASSWORD, make_vendor_member
from tests.vendor_api_support import GPU_COLUMNS, call

pytestmark = pytest.mark.browser


def test_make_use_and_revoke_a_key(live_server, page, screenshot):
    make_vendor_member("keys@example.com", "keys")
    page.goto(f"{live_server}/login")
    page.fill("#email", "keys@example.com")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/account**")

    page.goto(f"{live_server}/stall/keys")
    page.fill("#key-name", "价格同步脚本")
    page.click("form.card button[type=submit]")
    secret = page.inner_text("#new-key").strip()
    assert secret.startswith("csk_") and "只显示这一次" in page.inner_text(".new-key")
    screenshot("api-keys-01-created")

    status, body, _ = call(live_server, "PUT", "/api/v1/vendor/offers/k-1", secret, GPU_COLUMNS)
    assert (status, body["change"]) == (201, "created")

    page.goto(f"{live_server}/stall/keys")
    row = page.locator("table.keys tbody tr").first
    assert secret not in page.content() and secret[:12] in row.inner_text() and "从未使用" not in row.inner_text()
    row.locator("button", has_text="吊销").click()
    page.wait_for_url("**/stall/keys")
    assert "已吊销" in page.locator("table.keys tbody tr").first.inner_text()
    screenshot("api-keys-02-revoked")
    assert call(live_server, "GET", "/api/v1/vendor/offers", secret)[0] == 401
