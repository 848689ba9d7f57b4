"""Chromium follows checkout's 303 to the payment origin the CSP names, and no other origin.

Chromium applies the CSP's form-action to the redirects that answer a form POST: with
form-action 'self' alone, the cart's "pay" POST answered by a 303 to Stripe Checkout was
blocked and the buyer stayed on the cart. A second local HTTP server stands in for Stripe's
hosted page; a fake payment service (the gateway's test seam) answers with its URL.
"""

import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from catalog.models import Offer, Vendor
from extensions import db

pytestmark = pytest.mark.browser


class _StandIn(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.seen.append(self.path)
        body = b"<!doctype html><title>pay</title><h1 id='stand-in'>Stripe stand-in</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def pay_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class _FakeStripe:
    def __init__(self, url):
        self.url = url

    def create_checkout_session(self, order, *, success_url, cancel_url, lang="zh"):
        return {"id": f"cs_test_csp_{order.id}", "status": "open", "url": self.url}


@pytest.fixture()
def checkout_to(app):
    """Send checkout to `url` with `allowed` as the configured checkout origin; undone afterwards."""
    saved = app.config.get("STRIPE_CHECKOUT_ORIGIN")

    def configure(url: str, allowed: str) -> None:
        app.config["STRIPE_CHECKOUT_ORIGIN"] = allowed
        app.extensions["payment_service_factory"] = lambda: _FakeStripe(url)

    yield configure
    app.config["STRIPE_CHECKOUT_ORIGIN"] = saved
    app.extensions.pop("payment_service_factory", None)


def _fill_cart(page, live_server):
    vendor = Vendor(slug="hzcloud", name_zh="杭州智算", name_en="HZ Cloud")
    db.session.add(vendor)
    db.session.flush()
    offer = Offer(vendor_id=vendor.id, sku="h100-od", kind="gpu", title="H100 80GB ×1 按量", billing="on_demand",
                  stock=10, list_amount=Decimal("18.50"), list_currency="CNY", list_unit="hour",
                  unit_price=Decimal("18.5"), gpu_count=Decimal(1), region="cn-hangzhou")
    db.session.add(offer)
    db.session.commit()
    page.goto(f"{live_server}/cart/add/{offer.id}")
    page.click("button[type=submit]")
    page.fill("input[name=email]", "buyer@example.cn")


def test_checkout_reaches_the_configured_payment_origin(live_server, page, pay_server, checkout_to):
    origin = f"http://127.0.0.1:{pay_server.server_port}"
    checkout_to(f"{origin}/c/pay/cs_test_csp", allowed=origin)
    _fill_cart(page, live_server)
    page.click("button.primary")
    page.wait_for_url(f"{origin}/c/pay/cs_test_csp")
    assert page.locator("#stand-in").inner_text() == "Stripe stand-in"
    assert pay_server.seen[0] == "/c/pay/cs_test_csp"


def test_a_redirect_to_another_origin_is_still_blocked(live_server, page, pay_server, checkout_to):
    origin = f"http://127.0.0.1:{pay_server.server_port}"
    checkout_to(f"{origin}/c/pay/cs_test_csp", allowed="https://checkout.stripe.com")
    _fill_cart(page, live_server)
    with page.expect_console_message(lambda m: "form-action" in m.text) as violation:
        page.click("button.primary")
    assert "Content Security Policy" in violation.value.text
    assert pay_server.seen == []
    assert page.url.startswith(live_server)
