"""The offer page shows its 7- and 30-day price change and an "alert me" link prefilled with the offer."""

import html

from extensions import db
from tests.catalog.factories import gpu_offer, reprice, token_offer


def test_the_offer_page_shows_the_change_from_its_history(client):
    offer = gpu_offer("1.896")
    reprice(offer, "2.000", days_ago=10)
    reprice(offer, "1.880", days_ago=31)
    db.session.commit()
    page = client.get(f"/offers/{offer.id}").text
    assert "价格变化: 7 天 −5.2% · 30 天 +0.9%" in page
    assert "Price change: 7 days −5.2% · 30 days +0.9%" in client.get(f"/offers/{offer.id}?lang=en").text


def test_a_new_offer_has_no_change_to_show(client):
    offer = gpu_offer("1.90")
    db.session.commit()
    assert "7 天 — · 30 天 —" in client.get(f"/offers/{offer.id}").text


def test_alert_me_is_prefilled_with_the_offers_model_region_billing_and_price(client):
    offer = gpu_offer("1.90", gpu_model="h100-sxm", region="cn-beijing", billing="monthly")
    tok = token_offer()
    db.session.commit()
    page = html.unescape(client.get(f"/offers/{offer.id}").text)
    assert "/alerts?kind=gpu&model=h100-sxm&region=cn-beijing&billing=monthly&threshold=1.9" in page
    page = html.unescape(client.get(f"/offers/{tok.id}").text)
    assert "/alerts?kind=token&model=gpt-4o&threshold=" in page and "region=" not in page.split("/alerts?")[1][:80]
