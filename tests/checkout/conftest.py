"""Checkout fixtures: offers to buy, an order placed through the real views, signed webhook posts."""

import json
import re
from decimal import Decimal

import pytest

from catalog.models import Offer, Vendor
from checkout.sandbox.signer import signature_header
from extensions import db


@pytest.fixture()
def make_offer(app):
    def make(stock=None, price="11.20", sku="a100-od", kind="gpu", billing="on_demand", vendor_slug="testcloud"):
        vendor = db.session.scalar(db.select(Vendor).where(Vendor.slug == vendor_slug))
        if vendor is None:
            vendor = Vendor(slug=vendor_slug, name_zh="测试云", name_en="Test Cloud")
            db.session.add(vendor)
            db.session.flush()
        offer = Offer(vendor_id=vendor.id, sku=sku, kind=kind, title=f"A100 80GB ×1 {sku}", billing=billing,
                      stock=stock, list_amount=Decimal(price), list_currency="CNY", list_unit="hour",
                      unit_price=Decimal(price), gpu_count=Decimal(1), vcpus=Decimal(8), region="cn-hangzhou")
        db.session.add(offer)
        db.session.commit()
        return offer.id
    return make


def line(offer_id: int, quantity: int = 3, instances: int = 1, **more) -> dict:
    """The buy page's form (contract C1) for `quantity` purchase units of a one-card offer:
    1 machine × quantity hours, or × quantity terms, or quantity packs (the field the unit reads)."""
    return {"offer_id": offer_id, "instances": instances, "hours": quantity, "terms": quantity, "packs": quantity,
            **more}


def start_checkout(client, offer_id: int, quantity: int = 3, email: str = "buyer@example.cn",
                   instances: int = 1) -> str:
    """Cart -> checkout through the views; returns the Checkout Session id the buyer was sent to."""
    assert client.post("/cart/add", data=line(offer_id, quantity, instances)).status_code == 302
    page = client.get("/cart").get_data(as_text=True)
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    response = client.post("/checkout", data={"email": email, "checkout_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.location.rsplit("/", 1)[1]


def signed_post(client, payload: str, secret: str | None = None, timestamp=None, header=None):
    """POST to the webhook signed with `secret` (default: the app's own, as the sandbox signs)."""
    from checkout.webhook_secret import webhook_secret

    secret = secret or webhook_secret(client.application)
    headers = {"Content-Type": "application/json"}
    if header is not False:
        headers["Stripe-Signature"] = header or signature_header(payload, secret, timestamp)
    return client.post("/webhooks/stripe", data=payload.encode(), headers=headers)


def event_payload(event) -> str:
    from checkout.sandbox.delivery import payload_of
    return payload_of(event)


def fake_event(type_: str, obj: dict, event_id: str = "evt_test_1") -> str:
    return json.dumps({"id": event_id, "object": "event", "type": type_, "created": 1, "livemode": False,
                       "data": {"object": obj}})
