"""The compare tray's rules: at most six, a seventh refused whole, nothing dropped."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compare import tray
from compare.side_by_side import MAX_OFFERS


def test_adds_in_order_and_keeps_what_is_there():
    result = tray.add([3, 1], [5, 1, 5])
    assert result.ids == [3, 1, 5] and result.new == [5]


def test_a_seventh_is_refused_and_the_tray_is_unchanged():
    full = [1, 2, 3, 4, 5, 6]
    with pytest.raises(tray.TrayFull) as refused:
        tray.add(full, [7])
    assert refused.value.held == 6
    assert full == [1, 2, 3, 4, 5, 6]
    assert tray.add(full, [4]).ids == full  # one already in it still "fits"


@given(st.lists(st.integers(1, 30), max_size=6, unique=True), st.lists(st.integers(1, 30), max_size=10))
def test_never_more_than_six_and_never_a_silent_drop(held, adding):
    try:
        result = tray.add(held, adding)
    except tray.TrayFull:
        assert len(set(held) | set(adding)) > MAX_OFFERS
        return
    assert len(result.ids) <= MAX_OFFERS
    assert set(result.ids) == set(held) | set(adding)  # every asked offer is in it
    assert result.ids[:len(held)] == held


def test_remove_and_a_cleaned_session_value():
    assert tray.remove([1, 2, 3], 2) == [1, 3]
    assert tray.cleaned([1, "2", 1, -3, True, 4.0, 5, 6, 7, 8, 9, 10]) == [1, 5, 6, 7, 8, 9]
    assert tray.cleaned("1,2") == [] and tray.cleaned(None) == []
