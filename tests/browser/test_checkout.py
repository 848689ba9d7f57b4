"""Cart -> checkout -> the sandbox's hosted page -> Pay -> the order is paid, in Chromium."""

from decimal import Decimal

import pytest

from catalog.models import Offer, Vendor
from checkout.models import Order, Payment
from extensions import db

pytestmark = pytest.mark.browser


def test_buy_card_hours_and_pay_in_the_sandbox(app, live_server, page, screenshot):
    vendor = Vendor(slug="hzcloud", name_zh="杭州智算", name_en="HZ Cloud")
    db.session.add(vendor)
    db.session.flush()
    offer = Offer(vendor_id=vendor.id, sku="h100-od", kind="gpu", title="H100 80GB ×1 按量", billing="on_demand",
                  stock=10, list_amount=Decimal("18.50"), list_currency="CNY", list_unit="hour",
                  unit_price=Decimal("18.5"), gpu_count=Decimal(1), region="cn-hangzhou")
    db.session.add(offer)
    db.session.commit()

    page.goto(f"{live_server}/cart/add/{offer.id}")
    page.fill("input[name=quantity]", "4")
    page.click("button[type=submit]")
    assert page.locator("#cart-total").inner_text() == "¥74.00"
    screenshot("checkout-cart")
    page.fill("input[name=email]", "buyer@example.cn")
    page.click("button.primary")
    page.wait_for_url("**/stripe-sandbox/pay/**")
    assert page.locator("#sandbox-amount").inner_text() == "¥74.00"  # yuan, never fen
    screenshot("checkout-sandbox-pay")
    page.click("#sandbox-pay")
    page.wait_for_url("**/orders/**")
    assert page.locator("#order-status").inner_text() == "已支付"
    screenshot("checkout-order-paid")

    db.session.expire_all()
    assert db.session.scalar(db.select(Order)).status == "paid"
    assert db.session.query(Payment).count() == 1
    assert db.session.get(Offer, offer.id).stock == 6
