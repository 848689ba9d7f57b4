"""Buy page -> cart -> checkout -> the sandbox's hosted page -> Pay -> the order is paid, in Chromium."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.bookings import Booking
from catalog.models import Offer, Vendor
from checkout.models import Order, Payment
from extensions import db

pytestmark = pytest.mark.browser


def _offer(**kw) -> Offer:
    vendor = db.session.scalar(db.select(Vendor).where(Vendor.slug == "hzcloud"))
    if vendor is None:
        vendor = Vendor(slug="hzcloud", name_zh="杭州智算", name_en="HZ Cloud")
        db.session.add(vendor)
        db.session.flush()
    base = dict(vendor_id=vendor.id, sku="h100x8-od", kind="gpu", title="H100 80GB ×8 按量", billing="on_demand",
                stock=2, list_amount=Decimal("136.96"), list_currency="CNY", list_unit="hour",
                unit_price=Decimal("17.12"), gpu_model="h100-sxm", gpu_count=Decimal(8), region="cn-hangzhou")
    offer = Offer(**{**base, **kw})
    db.session.add(offer)
    db.session.commit()
    return offer


def test_buy_eight_cards_for_72_hours_and_pay_in_the_sandbox(app, live_server, page, screenshot):
    offer = _offer()
    page.goto(f"{live_server}/cart/add/{offer.id}?instances=1&hours=72")
    assert page.locator("#quote-arith").inner_text() == "8 卡 × 72 小时 × ¥17.12/卡时 = ¥9,861.12"
    assert "至少 2 台" in page.locator("#quote-free").inner_text()
    page.fill("input[name=hours]", "10")
    expect(page.locator("#quote-arith")).to_have_text("8 卡 × 10 小时 × ¥17.12/卡时 = ¥1,369.60")
    page.fill("input[name=instances]", "3")
    expect(page.locator("#quote-problem")).to_contain_text("此报价剩余 2 台（每台 8 卡）")
    screenshot("buy-page-too-many-machines")
    page.fill("input[name=instances]", "1")
    page.fill("input[name=hours]", "72")
    expect(page.locator("#quote-arith")).to_have_text("8 卡 × 72 小时 × ¥17.12/卡时 = ¥9,861.12")
    expect(page.locator("#quote-problem")).to_have_count(0)
    screenshot("buy-page-8-cards-72-hours")
    page.click("#buy-form button[type=submit]")

    assert page.locator(".line-label").inner_text() == "8 卡 × 72 小时"
    assert "北京时间" in page.locator(".line-span").inner_text()
    assert page.locator("#cart-total").inner_text() == "¥9,861.12"
    screenshot("checkout-cart")
    page.fill("input[name=email]", "buyer@example.cn")
    page.click("button.primary")
    page.wait_for_url("**/stripe-sandbox/pay/**")
    assert page.locator("#sandbox-amount").inner_text() == "¥9,861.12"  # yuan, never fen
    screenshot("checkout-sandbox-pay")
    page.click("#sandbox-pay")
    page.wait_for_url("**/orders/**")
    assert page.locator("#order-status").inner_text() == "已支付"
    screenshot("checkout-order-paid")

    db.session.expire_all()
    order = db.session.scalar(db.select(Order))
    assert (order.status, order.total, order.lines[0].quantity) == ("paid", Decimal("9861.12"), 576)
    assert db.session.query(Payment).count() == 1
    booking = db.session.scalar(db.select(Booking))
    assert (booking.state, booking.instances, (booking.ends_at - booking.starts_at).total_seconds()) == (
        "confirmed", 1, 72 * 3600)
    assert db.session.get(Offer, offer.id).stock == 2  # machines, not card-hours: nothing taken from it


def test_a_monthly_machine_says_a_short_job_pays_the_whole_month(app, live_server, page, screenshot):
    offer = _offer(sku="h100x8-m", title="H100 80GB ×8 包月", billing="monthly", list_amount=Decimal("69800"),
                   list_unit="month", unit_price=Decimal("11.952055"), stock=None)
    page.goto(f"{live_server}/cart/add/{offer.id}?instances=1&terms=1&lang=en")
    assert page.locator("#quote-arith").inner_text() == (
        "1 machine × 1 whole month × ¥69,800.00 per machine-month = ¥69,800.00")
    assert "a 72-hour job still pays the whole month" in page.locator("#quote-effect").inner_text()
    assert "has not stated its stock" in page.locator("#quote-free").inner_text()
    screenshot("buy-page-monthly-en")
