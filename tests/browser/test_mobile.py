"""Every page a buyer or a vendor sees, on a 390 × 844 phone: nothing wider than the screen, the menu
behind ☰, the browse filters in a drawer under the results' heading; and the compare tray in the header.

Screenshots (test-artifacts/screenshots/mobile-*.png, desktop-*.png) are for a person to look at.
"""

import re

import pytest
from sqlalchemy import select

from accounts.models import VendorMember
from catalog.models import Offer, Vendor
from extensions import db
from offers.cli import seed_catalog
from tests.browser.conftest import SCREENSHOTS
from tests.stall_support import PASSWORD, make_user

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def seeded(app):
    assert seed_catalog(echo=lambda *_: None)["created"] > 600
    vendor = db.session.scalar(select(Vendor).where(Vendor.slug == "autodl"))
    user = make_user("ops@autodl.example")
    db.session.add(VendorMember(user_id=user.id, vendor_id=vendor.id))
    db.session.commit()
    gpu = db.session.scalar(select(Offer).where(Offer.vendor_id == vendor.id, Offer.kind == "gpu",
                                                Offer.status == "active").order_by(Offer.id))
    token = db.session.scalar(select(Offer).where(Offer.kind == "token", Offer.status == "active").order_by(Offer.id))
    return {"gpu": gpu.id, "token": token.id, "token_model": token.model}


def _shot(page, name: str, full_page: bool = False) -> None:
    """The screen as the visitor first sees it (full_page for the whole length)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_every_page_fits_a_phone(live_server, browser, seeded):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(15000)
    too_wide: dict[str, int] = {}

    def visit(path: str, name: str) -> None:
        phone.goto(f"{live_server}{path}")
        _shot(phone, f"mobile-{name}")
        if _width(phone) > PHONE["width"]:
            too_wide[path] = _width(phone)

    try:
        gpu, token = seeded["gpu"], seeded["token"]
        visit("/", "home")
        # The menu is folded behind ☰ and opens on a tap.
        assert not phone.locator("#mainnav").is_visible()
        phone.click(".menu-toggle")
        assert phone.locator("#mainnav").is_visible()
        _shot(phone, "mobile-menu-open")

        visit("/offers?q=4090", "browse")
        # Results come first; the filters wait in a closed drawer.
        drawer = phone.locator("details.facet-drawer")
        assert drawer.get_attribute("open") is None
        first_row = phone.locator("table.offers tbody tr").first.bounding_box()
        assert first_row["y"] < PHONE["height"], "the first result is below the fold"
        assert first_row["width"] <= PHONE["width"]
        # A card's bare figures say what they are (the column headings are hidden on a phone).
        stock = phone.locator("table.offers tbody tr").first.locator("td.c-stock")
        assert stock.get_attribute("data-label") == "库存"
        assert phone.locator("table.offers tbody tr").first.locator("td.c-term").get_attribute("data-label")
        phone.click("details.facet-drawer > summary")
        assert phone.locator(".facets .facet").first.is_visible()
        _shot(phone, "mobile-browse-filters")

        visit(f"/offers/{gpu}", "offer")
        # Add to compare in place: the header's count goes up without leaving the page.
        phone.click("form.compare-add-form button")
        phone.locator("#compare-tray .tray-count", has_text="1").wait_for()  # no eval: the CSP forbids it
        assert phone.url.endswith(f"/offers/{gpu}")
        visit(f"/offers/{token}", "offer-token")
        visit("/plan?kind=gpu&gpu_model=rtx-4090&count=8&hours=72", "plan-gpu")
        visit(f"/plan?kind=token&models={seeded['token_model']}&input_tokens=1000000&output_tokens=200000",
              "plan-token")
        visit("/plan?kind=cpu", "plan-cpu")
        visit("/compare", "compare-tray")
        visit("/market", "market")
        visit("/market/gpu/rtx-4090", "market-gpu")
        visit(f"/market/token/{seeded['token_model']}", "market-token")
        visit("/market/tokens/compare", "token-table")
        visit(f"/cart/add/{gpu}", "buy")
        phone.click("#buy-form button[type=submit]")
        phone.wait_for_url("**/cart")
        visit("/cart", "cart")
        phone.fill("input[name=email]", "buyer@example.cn")
        phone.click(".checkout-form button[type=submit]")
        phone.wait_for_url("**/stripe-sandbox/pay/**")
        phone.click("#sandbox-pay")
        phone.wait_for_url("**/orders/**")
        visit(re.sub(r"^https?://[^/]+", "", phone.url), "order")
        visit("/orders", "orders")
        visit("/login", "login")
        visit("/signup", "signup")
        visit("/no-such-page", "404")
        visit("/api/v1/docs", "api-docs")

        phone.goto(f"{live_server}/login")
        phone.fill("#email", "ops@autodl.example")
        phone.fill("#password", PASSWORD)
        phone.click("main button[type=submit]")
        phone.wait_for_url("**/account**")
        visit("/account", "account")
        for path in ("/stall/", "/stall/upload", "/stall/imports", "/stall/keys", "/stall/offers/new",
                     f"/stall/offers/{gpu}/edit", "/stall/orders", "/stall/webhooks", "/vendor/orders",
                     "/account/vendor", "/account/password"):
            visit(path, "stall-" + (path.strip("/").replace("/", "-") or "home"))
    finally:
        context.close()
    assert too_wide == {}, f"wider than {PHONE['width']} px: {too_wide}"


def test_desktop_tray_and_layout(live_server, page, seeded):
    """At 1440 px: the tray in the header holds what was added from the offer page and from the browse rows."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server}/offers?q=4090")
    boxes = page.locator("table.offers tbody td.pick input[type=checkbox]")
    for i in range(3):
        boxes.nth(i).check()
    page.click("button[form=compare-form]")
    page.wait_for_url("**/compare")
    assert page.locator("#compare-tray .tray-count").inner_text() == "(3)"
    rows = page.locator("table.compare-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.row)")
    assert rows.index("unit_price") < rows.index("gpu_model")
    _shot(page, "desktop-compare")
    page.goto(f"{live_server}/offers/{seeded['gpu']}")
    page.click("form.compare-add-form button")
    page.locator("#compare-tray .tray-count", has_text="(4)").wait_for()
    page.click("#compare-tray > summary")
    assert page.locator("#compare-tray .tray-list li").count() == 4
    _shot(page, "desktop-tray-open")
    page.goto(f"{live_server}/offers?q=4090")
    _shot(page, "desktop-browse")
