"""Paid in the sandbox → the vendor signs in and confirms delivery with notes → the buyer sees 已交付 and the notes once."""

from decimal import Decimal

import pytest

from catalog.models import Offer
from checkout.models import Delivery
from extensions import db
from tests.browser.steps import log_in, pay_in_sandbox
from tests.stall_support import PASSWORD, make_vendor_member

pytestmark = pytest.mark.browser
NOTES = "ssh -p 2222 gpu@203.0.113.8\n密钥已发送至 buyer@example.cn"


def test_the_vendor_delivers_and_the_buyer_sees_it_once(live_server, browser, page, screenshot):
    seller, vendor = make_vendor_member("ops@hzcloud.example", "hzcloud")
    vendor.name_zh, vendor.name_en = "杭州智算", "HZ Cloud"
    offer = Offer(vendor_id=vendor.id, sku="h100-od", kind="gpu", title="H100 80GB ×1 按量", billing="on_demand",
                  stock=100, list_amount=Decimal("18.50"), list_currency="CNY", list_unit="hour",
                  unit_price=Decimal("18.5"), gpu_count=Decimal(1), region="cn-hangzhou")
    db.session.add(offer)
    db.session.commit()

    # The buyer, logged out, buys 1 card × 72 hours and pays in the sandbox.
    page.goto(f"{live_server}/cart/add/{offer.id}")
    page.fill("input[name=instances]", "1")
    page.fill("input[name=hours]", "72")
    page.click("#buy-form button[type=submit]")
    page.fill("input[name=email]", "buyer@example.cn")
    page.click("button.primary")
    order_url = pay_in_sandbox(page)
    assert page.locator("#order-status").inner_text() == "已支付"
    assert page.locator("td.delivery-state").inner_text() == "待交付"

    # The vendor, in another browser, signs in and confirms the delivery with access notes.
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    try:
        vendor_page = context.new_page()
        vendor_page.set_default_timeout(15000)
        log_in(vendor_page, live_server, seller.email, PASSWORD)
        vendor_page.goto(f"{live_server}/stall/")
        vendor_page.click("text=待交付订单")
        vendor_page.wait_for_url("**/stall/orders")
        line = vendor_page.locator("section.delivery-line")
        assert "待交付" in line.locator("h2").inner_text()
        # The line as booked: its shape and its hours, and the form starts at them.
        assert line.locator(".line-shape strong").inner_text() == "1 卡 × 72 小时"
        assert "北京时间" in line.locator(".line-span").inner_text()
        assert line.locator("input[name=start]").input_value() != ""
        assert line.locator("input[name=end]").input_value() != ""
        # Delivered without an end: refused, naming the field, in Chinese.
        line.locator("input[name=end]").fill("")
        line.locator("button[value=delivered]").click()
        assert "结束时间：标记为已交付时必填。" in vendor_page.locator("ul.row-errors").inner_text()
        line = vendor_page.locator("section.delivery-line")
        line.locator("input[name=start]").fill("2026-12-01T09:00")
        line.locator("input[name=end]").fill("2026-12-04T09:00")
        line.locator("input[name=amount]").fill("72")
        line.locator("textarea[name=notes]").fill(NOTES)
        vendor_page.screenshot(path=str(_path("delivery-01-vendor-form")), full_page=True)
        line.locator("button[value=delivered]").click()
        vendor_page.wait_for_url("**/stall/orders")
        assert "已标记为已交付" in vendor_page.locator(".flash").inner_text()
        delivered = vendor_page.locator("section.delivery-line")
        assert "已交付" in delivered.locator("h2").inner_text()
        assert "72 卡时" in delivered.locator("table").inner_text()
        assert delivered.locator("form").count() == 0  # nothing more to change
        vendor_page.screenshot(path=str(_path("delivery-02-vendor-delivered")), full_page=True)
    finally:
        context.close()

    # The buyer's order page: delivered, and the notes in full this once.
    page.goto(order_url)
    assert page.locator("td.delivery-state").inner_text() == "已交付"
    assert page.locator("pre.note-text").inner_text() == NOTES
    screenshot("delivery-03-buyer-notes-once")
    page.reload()
    assert page.locator("pre.note-text").count() == 0
    assert "已于" in page.locator("p.note-masked").inner_text()
    screenshot("delivery-04-buyer-notes-masked")
    page.goto(f"{live_server}/orders")
    assert "已交付" in page.locator("table.lines").inner_text()

    db.session.expire_all()
    assert [(d.state, d.amount, d.unit) for d in db.session.scalars(db.select(Delivery))] == [
        ("delivered", Decimal("72"), "card_hour")]


def _path(name: str):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
