"""Every cache kept across requests is listed in web.caches, and a change to what it holds shows on the next request.

The apps here run as in production: the page cache on (RESPONSE_CACHE_SECONDS=60) and every
other cache at its production setting, so a cache that lags behind the catalog shows as a
stale page.
"""

from decimal import Decimal

import pytest
from sqlalchemy import select

from catalog.models import Offer, Vendor
from extensions import db


@pytest.fixture()
def live_app(make_app):
    """An app configured as production caches it, with one vendor and one GPU offer."""
    app = make_app(RESPONSE_CACHE_SECONDS=60, HOME_SUMMARY_SECONDS=30, VENDOR_LABELS_SECONDS=60)
    with app.app_context():
        db.create_all()
        vendor = Vendor(slug="acme", name_zh="阿克米", name_en="Acme")
        db.session.add(vendor)
        db.session.flush()
        db.session.add(Offer(vendor_id=vendor.id, sku="h1", kind="gpu", title="H100 x1", billing="on_demand",
                             gpu_model="H100-SXM-80G", gpu_count=Decimal(1), list_currency="CNY",
                             list_unit="card_hour", list_amount=Decimal("9.5"), unit_price=Decimal("9.5")))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def change(app, **values):
    """Commit new values on the one offer (or, for keys starting vendor_, on its vendor)."""
    with app.app_context():
        offer = db.session.scalar(select(Offer))
        for name, value in values.items():
            if name.startswith("vendor_"):
                setattr(offer.vendor, name.removeprefix("vendor_"), value)
            else:
                setattr(offer, name, value)
        db.session.commit()


def test_a_price_change_shows_on_the_home_page_with_the_page_cache_on(live_app):
    client = live_app.test_client()
    assert "¥9.50" in client.get("/?lang=en").get_data(as_text=True)
    change(live_app, unit_price=Decimal("7.25"), list_amount=Decimal("7.25"))
    after = client.get("/?lang=en")
    assert after.headers["X-Cache"] == "miss"
    assert "¥7.25" in after.get_data(as_text=True) and "¥9.50" not in after.get_data(as_text=True)
    again = client.get("/?lang=en")
    assert again.headers["X-Cache"] == "hit" and "¥7.25" in again.get_data(as_text=True)
