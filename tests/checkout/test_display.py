"""The buyer's checkout pages show prices the way every other page does, in the page language."""

from decimal import Decimal

import pytest

from extensions import db
from tests.catalog.factories import gpu_offer
from tests.checkout.conftest import line


@pytest.mark.parametrize(("lang", "price", "vendor"), [
    ("zh", "¥92,268.00 / 月", "贝塔算力"), ("en", "¥92,268.00 / month", "Beta Compute"),
])
def test_cart_shows_the_unit_price_per_one_unit_and_the_vendor_in_the_page_language(client, lang, price, vendor):
    offer = gpu_offer("15.80", "h100-sxm", vendor_slug="beta", billing="monthly", count="8", stock=3)
    offer.list_amount, offer.list_unit = Decimal(92268), "month"
    offer.vendor.name_zh, offer.vendor.name_en = "贝塔算力", "Beta Compute"
    db.session.commit()
    client.set_cookie("lang", lang)
    client.post("/cart/add", data=line(offer.id, 1))
    page = client.get("/cart").text
    assert price in page and vendor in page
    # The price per month, and the vendor's listed price (here the same month, in the same one format).
    buy = client.get(f"/cart/add/{offer.id}").text
    assert f"<dd>{price}</dd>" in buy and buy.count(price) == 2
