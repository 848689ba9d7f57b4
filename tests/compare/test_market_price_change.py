"""GPU and token model pages: the cheapest price's 7- and 30-day change, and "alert me" for the model."""

import html

from extensions import db
from tests.catalog.factories import gpu_offer, reprice, token_offer


def test_the_gpu_model_page_compares_its_cheapest_price_with_the_cheapest_back_then(client):
    a = gpu_offer("2.00", gpu_model="h100-sxm")
    reprice(a, "3.00", days_ago=35)
    b = gpu_offer("2.50", gpu_model="h100-sxm", vendor_slug="bolt")
    reprice(b, "2.50", days_ago=20)
    db.session.commit()
    page = html.unescape(client.get("/market/gpu/h100-sxm").text)
    assert "最低价变化: 7 天 −20.0% · 30 天 −33.3%" in page
    assert "/alerts?kind=gpu&model=h100-sxm&threshold=2" in page
    english = client.get("/market/gpu/h100-sxm?lang=en").text
    assert "Cheapest price change: 7 days −20.0% · 30 days −33.3%" in english


def test_the_token_model_page_shows_a_dash_without_history_that_old(client):
    token_offer(model="gpt-4o")
    db.session.commit()
    page = html.unescape(client.get("/market/token/gpt-4o").text)
    assert "7 天 — · 30 天 —" in page
    assert "/alerts?kind=token&model=gpt-4o&threshold=" in page
