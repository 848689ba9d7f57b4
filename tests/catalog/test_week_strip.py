"""The offer page's week: each hour of the next 7 days (Beijing time) coloured by what is still free."""

from datetime import datetime, timedelta

from catalog.bookings import Booking, BookingState
from catalog.models import utcnow
from catalog.week_strip import State, strip_of, week_start
from extensions import db
from pricing.capacity import Availability, parse_daily
from tests.catalog.factories import gpu_offer

NOW = datetime(2026, 12, 5, 3, 20)  # 11:20 in Beijing


def test_the_week_starts_at_beijing_midnight_and_marks_past_outside_and_booked_hours():
    start = week_start(NOW)
    assert start == datetime(2026, 12, 4, 16)  # 2026-12-05 00:00 in Beijing
    night = Availability(daily=parse_daily("22:00-08:00")).allows
    free = [3] * (7 * 24)
    free[24 + 23], free[24 + 22] = 1, 0  # tomorrow 23:00 partly, 22:00 fully booked
    days = strip_of(3, free, night, start, NOW)
    assert [d.day.isoformat() for d in days][:2] == ["2026-12-05", "2026-12-06"] and len(days) == 7
    today, tomorrow = days[0].cells, days[1].cells
    assert {c.state for c in today[:11]} == {State.PAST} and today[11].state == State.OUTSIDE
    assert (today[7].state, today[22].state) == (State.PAST, State.FREE)
    assert [tomorrow[h].state for h in (7, 8, 21, 22, 23)] == [State.FREE, State.OUTSIDE, State.OUTSIDE,
                                                               State.NONE, State.PARTLY]
    # Unknown stock is always bookable: free wherever the window allows.
    unknown = strip_of(None, [None] * 24, Availability().allows, start, start)
    assert {c.state for c in unknown[0].cells} == {State.FREE}


def test_the_offer_page_shows_the_week_from_real_bookings_with_a_legend_in_both_languages(client):
    offer = gpu_offer("1.20", stock=2, available_hours="22:00-08:00")
    db.session.commit()
    tomorrow_night = week_start(utcnow()) + timedelta(days=1, hours=22)  # 22:00 in Beijing
    db.session.add(Booking(offer_id=offer.id, instances=1, starts_at=tomorrow_night,
                           ends_at=tomorrow_night + timedelta(hours=2), state=BookingState.CONFIRMED))
    db.session.commit()
    en = client.get(f"/offers/{offer.id}?lang=en")
    assert en.headers["Cache-Control"] == "no-store"
    rows = en.text.split('class="week-row"')[2:]
    assert len(rows) == 7
    tomorrow = rows[1].split('data-state="')[1:]
    assert [cell.split('"')[0] for cell in tomorrow[21:24]] == ["outside", "partly", "partly"]
    assert "1 free" in rows[1] and "partly booked" in en.text and "outside the offer" in en.text
    zh = client.get(f"/offers/{offer.id}?lang=zh").text
    assert "本周可用情况" in zh and "部分已订" in zh and "已订满" in zh and "不在可用时段" in zh
