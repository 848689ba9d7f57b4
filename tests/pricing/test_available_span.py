"""The "available between" rule: an offer matches when one whole hour of the wanted span is usable."""

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pricing.available_span import always_covers, covers_an_hour
from pricing.capacity import HOUR, Availability, parse_daily

NIGHT = Availability(daily=parse_daily("22:00-08:00"))  # Beijing time: 14:00-24:00 UTC
DAY = datetime(2026, 12, 5)


def test_a_night_window_matches_a_span_that_reaches_the_night_and_not_one_that_does_not():
    assert covers_an_hour(NIGHT, DAY + timedelta(hours=13), DAY + timedelta(hours=15))  # 21:00-23:00 local
    assert not covers_an_hour(NIGHT, DAY + timedelta(hours=1), DAY + timedelta(hours=13))  # 09:00-21:00 local
    # 30 minutes of the night is not a whole hour.
    assert not covers_an_hour(NIGHT, DAY + timedelta(hours=13, minutes=30), DAY + timedelta(hours=14, minutes=30))


def test_the_offers_own_span_bounds_it_and_open_sides_are_unbounded():
    until = Availability(ends=DAY)
    assert covers_an_hour(until, DAY - timedelta(hours=1), None)
    assert not covers_an_hour(until, DAY - timedelta(minutes=30), None)
    assert covers_an_hour(until, None, DAY + timedelta(days=9))
    assert covers_an_hour(Availability(starts=DAY), None, None)
    assert not covers_an_hour(Availability(starts=DAY, ends=DAY + timedelta(minutes=59)), None, None)
    assert always_covers(DAY, DAY + HOUR) and not always_covers(DAY, DAY + timedelta(minutes=59))


@given(start=st.integers(0, 24 * 14), length=st.integers(0, 24 * 3), begin=st.integers(0, 23), width=st.integers(1, 23))
def test_it_agrees_with_checking_every_hour_of_the_span(start, length, begin, width):
    window = Availability(starts=DAY + timedelta(days=3), ends=DAY + timedelta(days=10),
                          daily=(begin * 60, ((begin + width) % 24) * 60))
    low, high = DAY + timedelta(hours=start), DAY + timedelta(hours=start + length)
    hours = [low + HOUR * i for i in range(length)]
    assert covers_an_hour(window, low, high) == any(window.allows(h) for h in hours)
