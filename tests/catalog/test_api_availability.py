"""Every offer in the API says what a line of it counts (purchase_unit) and its free machines for 7 days."""

from datetime import datetime, timedelta

from catalog.bookings import Booking, BookingState
from catalog.models import utcnow
from extensions import db
from tests.catalog.factories import gpu_offer, token_offer


def _hour(text: str) -> datetime:
    return datetime.fromisoformat(text.removesuffix("Z"))


def test_offers_carry_purchase_unit_and_run_length_free_capacity(client):
    hourly = gpu_offer("17.12", "h100-sxm", count="8", stock=4)
    monthly = gpu_offer("11.95", "h100-sxm", count="8", billing="monthly", stock=None)
    tokens = token_offer()
    db.session.commit()
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    db.session.add_all([
        Booking(offer_id=hourly.id, instances=3, starts_at=now + timedelta(hours=5), ends_at=now + timedelta(hours=8)),
        Booking(offer_id=hourly.id, instances=1, starts_at=now + timedelta(hours=6), ends_at=now + timedelta(hours=7),
                state=BookingState.CONFIRMED),
        # Released hours are free again.
        Booking(offer_id=hourly.id, instances=4, starts_at=now, ends_at=now + timedelta(hours=2),
                state=BookingState.RELEASED),
    ])
    db.session.commit()

    items = {o["id"]: o for o in client.get("/api/v1/offers?per_page=100").get_json()["items"]}
    assert {i: o["purchase_unit"] for i, o in items.items()} == {
        hourly.id: "card_hour", monthly.id: "month", tokens.id: "1m_tokens"}
    runs = items[hourly.id]["availability"]
    assert [(r["free"], int((_hour(r["to"]) - _hour(r["from"])).total_seconds() // 3600)) for r in runs] == [
        (4, 5), (1, 1), (0, 1), (1, 1), (4, 160)]
    assert _hour(runs[0]["from"]) == now and _hour(runs[-1]["to"]) == now + timedelta(hours=168)
    assert items[monthly.id]["availability"] == [
        {"from": runs[0]["from"], "to": runs[-1]["to"], "free": None}]  # unknown stock: bookable

    one = client.get(f"/api/v1/offers/{hourly.id}")
    assert one.get_json()["availability"] == runs and one.get_json()["purchase_unit"] == "card_hour"
    assert one.headers["Cache-Control"] == "no-store"


def test_the_openapi_and_spec_documents_name_both_fields(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"purchase_unit", "availability"} <= set(schema["Offer"]["properties"])
    assert schema["FreeRun"]["required"] == ["from", "to", "free"]
    spec = client.get("/api/v1/spec").get_json()["offer"]["properties"]
    assert spec["purchase_unit"]["enum"] == ["card_hour", "core_hour", "month", "year", "1m_tokens"]
    assert spec["availability"]["items"]["properties"]["free"]["type"] == ["integer", "null"]
