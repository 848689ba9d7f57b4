"""The catalog side of the scheduler: which offers qualify, their free hours, and grouping that loses nothing."""

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from bank.candidates import Horizon, gather, lanes
from bank.scheduling import make_schedule
from catalog.bookings import Booking, BookingState, free_hours
from catalog.models import Offer, Vendor, utcnow
from catalog.registry import default_registries
from extensions import db
from pricing.availability import parse_local_time
from pricing.capacity import HOUR, Availability, parse_daily, whole_hour_at_or_after
from pricing.line_shape import instances_for
from pricing.schedule import Job, Lane, solve
from tests.bank.conftest import add_gpu, job


def test_a_booking_takes_its_hours_out_of_the_schedule(client, bank, day):
    first, second = day
    shown = client.post("/api/v1/schedule", json=job(day)).get_json()["blocks"][0]
    west = bank["west"]
    # Someone holds the west machine (stock 1) from 22:00 to 02:00: only 02:00-06:00 of its night is left.
    db.session.add(Booking(offer_id=west.id, instances=1, starts_at=parse_local_time(f"{first}T22:00:00+08:00"),
                           ends_at=parse_local_time(f"{second}T02:00:00+08:00"), state=BookingState.HELD))
    db.session.commit()
    body = client.post("/api/v1/schedule", json=job(day)).get_json()
    assert shown["start"] == f"{first}T22:00:00+08:00"
    assert body["blocks"][0]["start"] != shown["start"]
    assert body["total"] != "288.00"


def test_spot_monthly_and_too_small_machines_are_left_out(app, day):
    vendor = Vendor(slug="v", name_zh="云", name_en="Cloud")
    spot = add_gpu(vendor, "spot", "1", billing="spot")
    add_gpu(vendor, "month", "1", billing="monthly", list_unit="month", list_amount=D(5000))
    small = add_gpu(vendor, "small", "5", gpu_count=D(4), list_amount=D(20))
    db.session.commit()
    horizon = Horizon(whole_hour_at_or_after(utcnow()), 24)
    ids = [c.offer_id for c in gather(db.session, horizon, cards=8, gpu_model="h100-sxm")]
    assert ids == [small.id]  # two instances of 4 cards
    assert [c.instances for c in gather(db.session, horizon, cards=8, gpu_model="h100-sxm")] == [2]
    assert gather(db.session, horizon, cards=8, gpu_model="h100-sxm", same_machine=True) == []
    # with spot allowed, the spot machine is usable at the same hours and cheaper: it alone stands for both
    assert [c.offer_id for c in gather(db.session, horizon, cards=8, gpu_model="h100-sxm", allow_spot=True)] == [
        spot.id]


# --- grouping offers by cost pattern loses nothing: compared with one lane per offer ------------------

offer_st = st.fixed_dictionaries({
    "price": st.sampled_from(["5", "6", "7.5", "8"]),
    "count": st.sampled_from([1, 2, 4, 8]),
    "stock": st.sampled_from([None, 1, 2, 4]),
    "daily": st.sampled_from([None, "20:00-08:00", "09:00-18:00"]),
    "off": st.sampled_from([None, ("22:00-06:00", "0.5"), ("00:00-08:00", "0.8")]),
    "span": st.sampled_from([None, (0, 12), (6, 30)]),
    "booked": st.sampled_from([None, (2, 10), (12, 20)]),
})


def _every_offer_as_a_lane(horizon: Horizon, cards: int) -> list[Lane]:
    out = []
    for offer in db.session.scalars(db.select(Offer).order_by(Offer.id)):
        n = instances_for(cards, offer.gpu_count)
        free = free_hours(db.session, offer, horizon.start, horizon.at(horizon.hours))
        window = Availability(daily=parse_daily(offer.off_peak_hours)) if offer.off_peak_hours else None
        costs = []
        for t, f in enumerate(free):
            if f is not None and f < n:
                costs.append(None)
                continue
            off = window is not None and window.allows(horizon.at(t))
            costs.append(n * offer.gpu_count * offer.unit_price * (offer.off_peak_rate if off else 1))
        out.append(Lane(offer.id, costs))
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offers=st.lists(offer_st, min_size=1, max_size=6), cards=st.sampled_from([1, 4, 8]),
       hours=st.integers(1, 8), min_block=st.integers(1, 3), splittable=st.booleans())
def test_grouped_candidates_give_the_schedule_of_every_offer(app, offers, cards, hours, min_block, splittable):
    db.session.execute(delete(Booking))
    db.session.execute(delete(Offer))
    vendor = db.session.scalar(db.select(Vendor)) or Vendor(slug="v", name_zh="云", name_en="Cloud")
    start = whole_hour_at_or_after(utcnow()) + 2 * HOUR
    for i, o in enumerate(offers):
        extra = {"available_hours": o["daily"], "stock": o["stock"], "gpu_count": D(o["count"]),
                 "list_amount": D(o["price"]) * o["count"]}
        if o["off"]:
            extra["off_peak_hours"], extra["off_peak_rate"] = o["off"][0], D(o["off"][1])
        if o["span"]:
            extra["available_from"] = start + o["span"][0] * HOUR
            extra["available_to"] = start + o["span"][1] * HOUR
        offer = add_gpu(vendor, f"o{i}", o["price"], **extra)
        db.session.flush()
        if o["booked"] and o["stock"]:
            db.session.add(Booking(offer_id=offer.id, instances=1, starts_at=start + o["booked"][0] * HOUR,
                                   ends_at=start + o["booked"][1] * HOUR, state=BookingState.HELD))
    db.session.commit()
    horizon = Horizon(start, 36)
    params = {"gpu_model": "h100-sxm", "cards": cards, "hours": hours, "min_block_hours": min_block,
              "splittable": splittable, "earliest_start": start, "deadline": start + 36 * HOUR}
    result = make_schedule(db.session, params, default_registries(), now=start - HOUR)
    expected = solve(_every_offer_as_a_lane(horizon, cards), Job(hours, min_block, splittable), 36)
    if expected is None:
        assert not result.feasible
    else:
        assert sum(b.candidate.paid_cards * p * n for b in result.blocks for n, p in b.runs) == expected.total
        assert result.blocks[-1].end == horizon.at(expected.end)
    assert len(lanes(gather(db.session, horizon, cards=cards, gpu_model="h100-sxm"))) <= len(offers)
