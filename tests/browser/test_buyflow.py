"""In Chromium: plan 8 × H100 for 72 h, buy from the planner row, and meet a price that changed before paying."""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from catalog.models import Offer, Vendor
from checkout.models import Order
from extensions import db

pytestmark = pytest.mark.browser


def _offers():
    vendor = Vendor(slug="hzcloud", name_zh="杭州智算", name_en="HZ Cloud")
    db.session.add(vendor)
    db.session.flush()
    made = []
    for sku, count, price in (("h100-1", 1, "18.50"), ("h100-8", 8, "17.12")):
        offer = Offer(vendor_id=vendor.id, sku=sku, kind="gpu", title=f"H100 80GB ×{count} 按量", billing="on_demand",
                      stock=100, list_amount=Decimal(price) * count, list_currency="CNY", list_unit="hour",
                      unit_price=Decimal(price), gpu_model="h100-sxm", gpu_count=Decimal(count),
                      gpu_memory_gb=Decimal(80), region="cn-hangzhou")
        db.session.add(offer)
        made.append(offer)
    db.session.commit()
    return made


def test_buy_from_a_planner_row_then_see_the_price_change_before_paying(app, live_server, page, screenshot):
    one_card, eight_cards = _offers()
    page.goto(f"{live_server}/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72")
    first = page.locator(".plan-table tbody tr").nth(0)
    assert first.get_attribute("data-offer-id") == str(eight_cards.id)  # ¥17.12 beats ¥18.50
    assert first.locator(".btn.buy").is_visible()
    screenshot("buyflow-plan-zh")

    first.locator(".btn.buy").click()
    page.wait_for_url(re.compile(rf"/cart/add/{eight_cards.id}\?"))
    assert parse_qs(urlsplit(page.url).query) == {"instances": ["1"], "hours": ["72"]}
    screenshot("buyflow-buy-page-zh")
    page.click(".buy-form button[type=submit]")
    page.wait_for_url("**/cart")
    seen = page.locator("#cart-total").inner_text()

    offer = db.session.get(Offer, eight_cards.id)  # the vendor re-prices while the buyer reads the cart
    offer.unit_price, offer.list_amount = Decimal("19.00"), Decimal("152.00")
    db.session.commit()
    page.fill("input[name=email]", "buyer@example.cn")
    page.click(".checkout-form button[type=submit]")
    notice = page.locator("#price-changes")
    notice.wait_for()  # is_visible() does not wait for the 409 page to load
    assert notice.is_visible()
    assert notice.locator("#old-total").inner_text() == seen
    new_total = notice.locator("#new-total").inner_text()
    assert new_total != seen
    assert "打开购物车之后价格有变" in notice.inner_text()
    screenshot("buyflow-price-changed-zh")
    db.session.expire_all()
    assert db.session.scalar(db.select(Order)) is None

    page.click("#confirm-new-prices")
    page.wait_for_url("**/stripe-sandbox/pay/**")
    assert page.locator("#sandbox-amount").inner_text() == new_total
    screenshot("buyflow-sandbox-zh")
    page.goto(page.url + "?lang=en")
    assert page.locator("#sandbox-amount").inner_text() == new_total
    assert "Test payment" in page.locator("h1").inner_text()
    screenshot("buyflow-sandbox-en")
    page.click("#sandbox-pay")
    page.wait_for_url("**/orders/**")
    assert page.locator("#order-status").inner_text() == "Paid"
    assert page.locator("#order-total").inner_text() == new_total
    screenshot("buyflow-order-paid-en")


def test_compare_column_buy_and_a_sold_out_line_marked_in_the_cart(app, live_server, page, screenshot):
    one_card, eight_cards = _offers()
    page.goto(f"{live_server}/compare?ids={one_card.id},{eight_cards.id}")
    column = page.locator("th.offer-col").nth(0)
    assert column.locator("a.offer-link").get_attribute("href") == f"/offers/{one_card.id}"
    screenshot("buyflow-compare-zh")
    column.locator(".btn.buy").click()
    page.wait_for_url(re.compile(rf"/cart/add/{one_card.id}$"))
    page.click(".buy-form button[type=submit]")
    page.wait_for_url("**/cart")

    offer = db.session.get(Offer, one_card.id)
    offer.stock = 0
    db.session.commit()
    page.reload()
    mark = page.locator("#line-problems li[data-problem=sold_out]")
    assert "已售罄" in mark.inner_text()
    assert page.locator("tr.line-problem").count() == 1
    screenshot("buyflow-sold-out-zh")
    mark.locator("a.similar").click()
    page.wait_for_url(re.compile(r"/offers\?gpu_model=h100-sxm"))
