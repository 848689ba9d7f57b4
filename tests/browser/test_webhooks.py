"""A vendor in a real browser sets a webhook URL, sees a failed attempt with its answer, resends, sees it delivered."""

from decimal import Decimal

import pytest

from catalog.models import Offer
from checkout.tasks import requeue_webhooks_task
from extensions import db
from tests.browser.steps import log_in, pay_in_sandbox
from tests.checkout.test_vendor_webhooks import Receiver, verifies
from tests.stall_support import PASSWORD, make_vendor_member

pytestmark = pytest.mark.browser


@pytest.fixture()
def endpoint():
    made = Receiver(failures=1)
    yield made
    made.close()


def test_set_the_url_see_a_failure_resend_and_see_it_delivered(live_server, browser, page, screenshot, endpoint):
    seller, vendor = make_vendor_member("hooks@hzcloud.example", "hzcloud")
    offer = Offer(vendor_id=vendor.id, sku="4090-od", kind="gpu", title="RTX 4090 ×1 按量", billing="on_demand",
                  stock=10, list_amount=Decimal("2.10"), list_currency="CNY", list_unit="hour",
                  unit_price=Decimal("2.1"), gpu_count=Decimal(1), region="cn-hangzhou")
    db.session.add(offer)
    db.session.commit()

    log_in(page, live_server, seller.email, PASSWORD)
    page.goto(f"{live_server}/stall/webhooks")
    assert "t=（Unix 时间）,v1=（" in page.inner_text("body")  # the signature's format survives as text
    assert "还没有发送记录" in page.locator("table.webhook-deliveries").inner_text()
    page.fill("#webhook-url", endpoint.url)
    page.click("form.card button[type=submit]")
    secret = page.inner_text("#webhook-secret").strip()
    assert secret and "只显示这一次" in page.inner_text(".new-key")
    screenshot("webhooks-01-secret-shown-once")

    # A buyer pays for 1 card × 3 hours in another browser: order.paid is written with the payment.
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    try:
        buyer = context.new_page()
        buyer.set_default_timeout(15000)
        buyer.goto(f"{live_server}/cart/add/{offer.id}")
        buyer.fill("input[name=instances]", "1")
        buyer.fill("input[name=hours]", "3")
        buyer.click("#buy-form button[type=submit]")
        buyer.fill("input[name=email]", "buyer@example.cn")
        buyer.click("button.primary")
        pay_in_sandbox(buyer)
    finally:
        context.close()

    requeue_webhooks_task()  # the worker's periodic task (the queue runs tasks in place in tests): answered 500
    page.goto(f"{live_server}/stall/webhooks")
    row = page.locator("table.webhook-deliveries tbody tr").first
    assert "order.paid" in row.inner_text() and "待发送" in row.inner_text() and "HTTP 500" in row.inner_text()
    screenshot("webhooks-02-first-attempt-failed")

    row.locator("button", has_text="重新发送").click()
    page.wait_for_url("**/stall/webhooks")
    assert "将在一分钟内重新发送" in page.locator(".flash").inner_text()
    requeue_webhooks_task()
    page.goto(f"{live_server}/stall/webhooks")
    row = page.locator("table.webhook-deliveries tbody tr").first
    assert "已送达" in row.inner_text() and "HTTP 200" in row.inner_text()
    screenshot("webhooks-03-delivered")
    assert len(endpoint.requests) == 2 and all(verifies(secret, *r) for r in endpoint.requests)
