"""Spans, daily windows and rates as vendors write them (spec 4.1), and how they are said back."""

from datetime import datetime
from decimal import Decimal

import pytest

from pricing.availability import AvailabilityError, discounted, parse_local_time, parse_rate, parse_window
from pricing.display import rate_text, span_text


@pytest.mark.parametrize(("text", "wraps", "inside", "outside"), [
    ("00:30-08:30", False, [30, 509], [29, 510, 1439]),
    ("22:00-08:00", True, [1320, 0, 479], [480, 1319]),
    ("00:00-24:00", False, [0, 1439], []),
    ("22:00-24:00", True, [1320, 1439], [0, 1319]),
])
def test_a_window_may_wrap_midnight(text, wraps, inside, outside):
    window = parse_window(text)
    assert window.wraps is wraps
    assert all(window.contains(m) for m in inside) and not any(window.contains(m) for m in outside)


@pytest.mark.parametrize("text", ["", "08:00", "08:00-08:00", "8-18", "24:00-08:00", "07:60-08:00", "a-b"])
def test_a_bad_window_is_refused(text):
    with pytest.raises(AvailabilityError):
        parse_window(text)


def test_local_times_are_beijing_unless_they_say_otherwise():
    assert parse_local_time("2026-12-01 08:00") == datetime(2026, 12, 1, 0, 0)
    assert parse_local_time("2026/12/01") == datetime(2026, 11, 30, 16, 0)
    assert parse_local_time("2026-12-01", end_of_day=True) == datetime(2026, 12, 1, 16, 0)
    assert parse_local_time("2026-12-01T08:00:00+00:00") == datetime(2026, 12, 1, 8, 0)
    for bad in ("2026-02-30", "tomorrow", "12/01/2026"):
        with pytest.raises(AvailabilityError):
            parse_local_time(bad)


@pytest.mark.parametrize(("text", "rate"), [("5折", "0.5"), ("7.5折", "0.75"), ("50%", "0.5"), ("50％", "0.5"),
                                           ("0.25", "0.25"), ("二五折", "0.25"), ("八八折", "0.88"), ("1", "1")])
def test_rates(text, rate):
    assert parse_rate(text) == Decimal(rate)


@pytest.mark.parametrize("text", ["0", "1.01", "-0.5", "120%", "11折", "0.00001", "nan", "inf", "折"])
def test_bad_rates(text):
    with pytest.raises(AvailabilityError):
        parse_rate(text)


@pytest.mark.parametrize(("rate", "zh", "en"), [("0.5", "五折", "50%"), ("0.75", "七五折", "75%"),
                                                 ("0.25", "二五折", "25%"), ("0.88", "八八折", "88%"),
                                                 ("0.3333", "3.333折", "33.33%")])
def test_a_rate_is_said_as_people_say_it(rate, zh, en):
    assert (rate_text(Decimal(rate), "zh"), rate_text(Decimal(rate), "en")) == (zh, en)


def test_an_end_at_midnight_is_shown_as_24_00_of_the_day_before():
    assert span_text(None, datetime(2026, 12, 31, 16, 0), "en") == "until 2026-12-31 24:00 (Beijing time)"
    assert span_text(datetime(2026, 11, 30, 16, 0), None, "zh") == "2026-12-01 00:00 起（北京时间）"


def test_discounted_keeps_six_places_and_absent_stays_absent():
    assert discounted(Decimal("1.90"), Decimal("0.5")) == Decimal("0.950000")
    assert discounted(Decimal("2.016"), Decimal("0.25")) == Decimal("0.504000")
    assert discounted(None, Decimal("0.5")) is None and discounted(Decimal(1), None) is None
