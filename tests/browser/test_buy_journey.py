"""The whole purchase in Chinese, as a buyer and then a vendor would live it: plan 8 × H100 for 72 h → buy from
the planner row → cart → sandbox → paid → the vendor delivers → the buyer sees 已交付 and the notes once.

The expected total is worked out here from the offer's listed price, and every page must show that same figure."""

import re
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from catalog.models import Offer
from checkout.models import Delivery, Order
from extensions import db
from tests.browser.conftest import SCREENSHOTS
from tests.browser.steps import log_in, pay_in_sandbox
from tests.stall_support import PASSWORD, make_vendor_member

pytestmark = pytest.mark.browser

NOTES = "ssh -p 2222 gpu@203.0.113.8\n密钥已发送至 buyer@example.cn"
# The 8-card machine lists ¥136.96 per machine-hour: ¥17.12 per card-hour. One machine for 72 h:
# 136.96 × 72 = 9,861.12 — eight cards × 72 hours × ¥17.12.
LISTED_PER_MACHINE_HOUR = Decimal("136.96")
EXPECTED_TOTAL = (LISTED_PER_MACHINE_HOUR * 1 * 72).quantize(Decimal("0.01"), ROUND_HALF_UP)
EXPECTED_YUAN = "¥9,861.12"


def _offers(vendor_id: int) -> tuple[Offer, Offer]:
    made = []
    for sku, count, amount in (("h100-1", 1, "18.50"), ("h100-8", 8, "136.96")):
        offer = Offer(vendor_id=vendor_id, sku=sku, kind="gpu", title=f"H100 80GB ×{count} 按量", billing="on_demand",
                      stock=3, list_amount=Decimal(amount), list_currency="CNY", list_unit="hour",
                      unit_price=Decimal(amount) / count, gpu_model="h100-sxm", gpu_count=Decimal(count),
                      gpu_memory_gb=Decimal(80), region="cn-hangzhou")
        db.session.add(offer)
        made.append(offer)
    db.session.commit()
    return made[0], made[1]


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"journey-{name}.png"), full_page=True)


def _no_raw_codes(page) -> None:
    """What a Chinese buyer must never read: purchase-unit codes, billing codes, English units, fen."""
    text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    for raw in ("card_hour", "on_demand", "1m_tokens", "CNY / hour", "per card-hour", "986112"):
        assert raw not in text, f"{raw!r} shown on {page.url}"


def test_plan_buy_pay_and_get_it_delivered_in_chinese(live_server, browser, page):
    assert f"¥{EXPECTED_TOTAL:,}" == EXPECTED_YUAN  # the figure every page must show, from the listed price
    seller, vendor = make_vendor_member("ops@hzcloud.example", "hzcloud")
    vendor.name_zh, vendor.name_en = "杭州智算", "HZ Cloud"
    one_card, eight_cards = _offers(vendor.id)

    # 1. Plan 8 × H100 for 72 h; the cheapest row is the 8-card machine, bought as one instance.
    page.goto(f"{live_server}/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72")
    row = page.locator(f".plan-table tbody tr[data-offer-id='{eight_cards.id}']")
    assert row.is_visible()
    _shot(page, "01-plan")
    _no_raw_codes(page)
    row.locator(".btn.buy").click()

    # 2. The buy page, prefilled, with the arithmetic spelled out.
    page.wait_for_url(re.compile(rf"/cart/add/{eight_cards.id}\?"))
    assert parse_qs(urlsplit(page.url).query) == {"instances": ["1"], "hours": ["72"]}
    assert page.input_value("input[name=instances]") == "1"
    assert page.input_value("input[name=hours]") == "72"
    assert page.locator("#quote-arith").inner_text() == f"8 卡 × 72 小时 × ¥17.12/卡时 = {EXPECTED_YUAN}"
    _shot(page, "02-buy-page")
    _no_raw_codes(page)
    page.click("#buy-form button[type=submit]")

    # 3. The cart: the same cards × hours and the same total.
    page.wait_for_url("**/cart")
    assert page.locator(".line-label").inner_text() == "8 卡 × 72 小时"
    booked_span = page.locator(".line-span").inner_text()
    assert booked_span.startswith("北京时间 ")
    booked_start = booked_span.split()[1] + "T" + booked_span.split()[2][:5]  # '2026-12-03T23:00'
    assert page.locator("#cart-total").inner_text() == EXPECTED_YUAN
    _shot(page, "03-cart")
    _no_raw_codes(page)

    # 4. Check out → the sandbox asks for the same yuan.
    page.fill("input[name=email]", "buyer@example.cn")
    page.click(".checkout-form button[type=submit]")
    page.wait_for_url("**/stripe-sandbox/pay/**")
    assert page.locator("#sandbox-amount").inner_text() == EXPECTED_YUAN
    _shot(page, "04-sandbox")
    _no_raw_codes(page)

    # 5. Pay → the order page says paid, waiting for the vendor, with the same total.
    order_url = pay_in_sandbox(page)
    assert page.locator("#order-status").inner_text() == "已支付"
    assert page.locator("#order-total").inner_text() == EXPECTED_YUAN
    assert page.locator("td.delivery-state").inner_text() == "待交付"
    assert "北京时间" in page.locator("p.muted", has_text="收据发送至").inner_text()  # not UTC on a Chinese page
    _shot(page, "05-order-paid")
    _no_raw_codes(page)

    # 6. The vendor signs in (another browser), opens 待交付订单 and confirms the delivery.
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    try:
        vendor_page = context.new_page()
        vendor_page.set_default_timeout(15000)
        log_in(vendor_page, live_server, seller.email, PASSWORD)
        vendor_page.goto(f"{live_server}/stall/")
        vendor_page.click("text=待交付订单")
        vendor_page.wait_for_url("**/stall/orders")
        line = vendor_page.locator("section.delivery-line")
        assert line.count() == 1
        assert "待交付" in line.locator("h2").inner_text()
        assert "576 卡时" in line.inner_text()  # what was bought: 8 cards × 72 hours
        # ...and when the buyer expects it: the booked window, which the start field begins from.
        assert line.locator(".line-shape strong").inner_text() == "8 卡 × 72 小时"
        assert line.locator(".line-span").inner_text() == booked_span
        assert line.locator("input[name=start]").input_value() == booked_start
        line.locator("input[name=start]").fill("2026-12-01T09:00")
        line.locator("input[name=end]").fill("2026-12-04T09:00")
        line.locator("input[name=amount]").fill("576")
        line.locator("textarea[name=notes]").fill(NOTES)
        _shot(vendor_page, "06-vendor-form")
        _no_raw_codes(vendor_page)
        line.locator("button[value=delivered]").click()
        vendor_page.wait_for_url("**/stall/orders")
        assert "已标记为已交付" in vendor_page.locator(".flash").inner_text()
        assert "已交付" in vendor_page.locator("section.delivery-line h2").inner_text()
        _shot(vendor_page, "07-vendor-delivered")
        _no_raw_codes(vendor_page)
    finally:
        context.close()

    # 7. The buyer's order page: 已交付 and the notes in full this once, then masked.
    page.goto(order_url)
    assert page.locator("td.delivery-state").inner_text() == "已交付"
    assert page.locator("pre.note-text").inner_text() == NOTES
    assert page.locator("#order-total").inner_text() == EXPECTED_YUAN
    _shot(page, "08-order-delivered")
    _no_raw_codes(page)
    page.reload()
    assert page.locator("pre.note-text").count() == 0
    _shot(page, "09-order-notes-masked")

    db.session.expire_all()
    order = db.session.scalar(db.select(Order))
    assert (order.status, order.total) == ("paid", EXPECTED_TOTAL)
    assert [(d.state, d.amount, d.unit) for d in db.session.scalars(db.select(Delivery))] == [
        ("delivered", Decimal("576"), "card_hour")]


def test_the_buy_page_and_the_cart_fit_a_phone(live_server, browser):
    seller, vendor = make_vendor_member("ops@hzcloud.example", "hzcloud")
    vendor.name_zh, vendor.name_en = "杭州智算", "HZ Cloud"
    _, eight_cards = _offers(vendor.id)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    try:
        phone = context.new_page()
        phone.set_default_timeout(15000)
        phone.goto(f"{live_server}/cart/add/{eight_cards.id}?instances=1&hours=72")
        assert phone.locator("#quote-arith").inner_text() == f"8 卡 × 72 小时 × ¥17.12/卡时 = {EXPECTED_YUAN}"
        _shot(phone, "10-buy-page-390")
        assert _overflow(phone) <= 0, "the buy page scrolls sideways at 390 px"
        phone.click("#buy-form button[type=submit]")
        phone.wait_for_url("**/cart")
        assert phone.locator("#cart-total").inner_text() == EXPECTED_YUAN
        _shot(phone, "11-cart-390")
        assert _overflow(phone) <= 0, "the cart scrolls sideways at 390 px"
    finally:
        context.close()


def _overflow(page) -> int:
    """How far the page is wider than the screen (px); tables may scroll inside their own box."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
