"""Capacity over time: free instances per hour = stock − overlapping bookings, never below zero."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.capacity import (
    Availability,
    Span,
    free_by_hour,
    free_runs,
    least_free,
    parse_daily,
    run_lengths,
    shortfall,
    whole_hour_at_or_after,
)
from pricing.line_shape import instances_for, shape_line
from pricing.line_total import PurchaseUnit, QuantityError

T0 = datetime(2026, 12, 3, 0, 0)
H = timedelta(hours=1)


def test_free_is_stock_minus_the_bookings_overlapping_each_hour():
    bookings = [Span(T0 + H, T0 + 3 * H, 2), Span(T0 + 2 * H, T0 + 5 * H, 1)]
    assert free_by_hour(4, bookings, T0, T0 + 6 * H) == [4, 2, 1, 3, 3, 4]


def test_unknown_stock_is_always_bookable():
    assert free_by_hour(None, [Span(T0, T0 + H, 50)], T0, T0 + 2 * H) == [None, None]
    assert shortfall(None, [Span(T0, T0 + H, 50)], T0, T0 + 2 * H, 1000) is None


def test_a_booking_that_would_make_any_hour_negative_is_refused_at_that_hour():
    bookings = [Span(T0 + 3 * H, T0 + 4 * H, 3)]
    short = shortfall(4, bookings, T0, T0 + 10 * H, 2)
    assert (short.code, short.hour, short.free) == ("capacity", T0 + 3 * H, 1)
    assert shortfall(4, bookings, T0, T0 + 3 * H, 4) is None  # before the busy hour: all four are free
    assert shortfall(4, bookings, T0 + 4 * H, T0 + 9 * H, 4) is None  # [start, end): the end hour is free


def test_sixteen_card_hours_fit_an_offer_of_twelve_machines():
    # The old check compared card-hours with stock: 16 > 12 was refused. Now 1 card × 16 hours.
    shape = shape_line(PurchaseUnit.CARD_HOUR, Decimal(1), instances=1, hours=16)
    assert shape.quantity == 16
    assert shortfall(12, [], T0, T0 + 16 * H, shape.instances) is None


def test_outside_the_daily_window_nothing_is_free():
    night = Availability(daily=parse_daily("22:00-08:00"))  # Beijing time, wraps midnight
    # 13:00 UTC = 21:00 Beijing (closed), 14:00 UTC = 22:00 (open) … 23:00 UTC = 07:00 (open), 00:00 UTC = 08:00 (closed)
    start = datetime(2026, 12, 3, 13)
    frees = free_by_hour(2, [], start, start + 12 * H, night)
    assert frees == [0] + [2] * 10 + [0]
    short = shortfall(2, [], start, start + 3 * H, 1, night)
    assert (short.code, short.hour) == ("outside_window", start)


def test_the_availability_span_bounds_the_hours():
    span = Availability(starts=T0 + 2 * H, ends=T0 + 4 * H)
    assert free_by_hour(1, [], T0, T0 + 5 * H, span) == [0, 0, 1, 1, 0]


def test_a_start_moves_up_to_the_next_whole_hour():
    assert whole_hour_at_or_after(datetime(2026, 12, 3, 9, 0, 1)) == datetime(2026, 12, 3, 10)
    assert whole_hour_at_or_after(datetime(2026, 12, 3, 9)) == datetime(2026, 12, 3, 9)


def test_run_lengths_join_equal_neighbours():
    runs = run_lengths(T0, [3, 3, 1, None, None])
    assert runs == [(T0, T0 + 2 * H, 3), (T0 + 2 * H, T0 + 3 * H, 1), (T0 + 3 * H, T0 + 5 * H, None)]
    assert least_free([3, None, 1]) == 1 and least_free([None]) is None


@settings(deadline=None)  # the machine is shared: a slow example is not a wrong one
@given(stock=st.integers(0, 6), asks=st.lists(st.tuples(st.integers(0, 20), st.integers(1, 8), st.integers(1, 4)),
                                               max_size=25))
def test_bookings_accepted_one_by_one_never_make_an_hour_negative(stock, asks):
    accepted: list[Span] = []
    for offset, hours, instances in asks:
        start, end = T0 + offset * H, T0 + (offset + hours) * H
        if shortfall(stock, accepted, start, end, instances) is None:
            accepted.append(Span(start, end, instances))
    for hour in range(30):
        held = sum(s.instances for s in accepted if s.start <= T0 + hour * H < s.end)
        assert held <= stock


@settings(deadline=None)
@given(stock=st.one_of(st.none(), st.integers(-1, 6)),
       spans=st.lists(st.tuples(st.integers(-5, 30), st.integers(1, 10), st.integers(1, 3)), max_size=4),
       window=st.sampled_from([Availability(), Availability(daily=(22 * 60, 8 * 60)),
                               Availability(starts=T0 + 5 * H), Availability(ends=T0 + 20 * H)]),
       hours=st.integers(1, 48))
def test_free_runs_are_the_run_lengths_of_the_hours(stock, spans, window, hours):
    # The shortcut for an offer with nothing booked and no window is the same answer, only cheaper.
    bookings = [Span(T0 + a * H, T0 + (a + n) * H, k) for a, n, k in spans]
    end = T0 + hours * H
    assert free_runs(stock, bookings, T0, end, window) == run_lengths(T0, free_by_hour(stock, bookings, T0, end, window))


def test_line_shapes_count_the_purchase_unit():
    assert shape_line(PurchaseUnit.CARD_HOUR, Decimal(8), instances=1, hours=72).quantity == 576
    assert shape_line(PurchaseUnit.CORE_HOUR, Decimal(16), instances=2, hours=10).quantity == 320
    month = shape_line(PurchaseUnit.MONTH, Decimal(8), instances=2, terms=3, hours=99)
    assert (month.quantity, month.hours, month.booked_hours) == (6, None, 3 * 730)
    assert shape_line(PurchaseUnit.M_TOKENS, None, instances=4, packs=5).quantity == 5
    assert instances_for(8, Decimal(1)) == 8 and instances_for(8, Decimal(8)) == 1 and instances_for(9, Decimal(8)) == 2


@pytest.mark.parametrize("choices, code", [
    ({"instances": 0, "hours": 1}, "instances_min"),
    ({"instances": 1}, "hours_whole"),
    ({"instances": 1001, "hours": 1}, "instances_max"),
    ({"instances": 1, "hours": 8761}, "hours_max"),
    ({"instances": 200, "hours": 600}, "quantity_max"),
])
def test_shapes_outside_the_limits_name_the_limit(choices, code):
    with pytest.raises(QuantityError) as caught:
        shape_line(PurchaseUnit.CARD_HOUR, Decimal(1), **choices)
    assert caught.value.code == code


def test_a_half_card_machine_needs_whole_card_hours():
    assert shape_line(PurchaseUnit.CARD_HOUR, Decimal("0.5"), instances=1, hours=2).quantity == 1
    with pytest.raises(QuantityError) as caught:
        shape_line(PurchaseUnit.CARD_HOUR, Decimal("0.5"), instances=1, hours=3)
    assert caught.value.code == "quantity_fraction"
