"""An alert fires once per downward crossing of its threshold: the pure rule."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from alerts.crossing import crossings, step

T = Decimal("2.00")


def test_going_to_the_threshold_fires_and_staying_below_does_not():
    assert step(False, Decimal("2.00"), T).crossed
    assert not step(True, Decimal("1.50"), T).crossed
    assert step(True, Decimal("1.50"), T).below


def test_going_above_or_losing_every_offer_arms_it_again():
    assert step(True, Decimal("2.01"), T) == step(False, Decimal("2.01"), T) == step(True, None, T)
    assert not step(True, None, T).below


def test_a_worked_sequence():
    prices = [Decimal(p) if p else None for p in ["3", "2", "1", "2.5", None, "1.9", "1.8", "2.01", "0.5"]]
    assert crossings(prices, T) == 3


prices = st.lists(st.one_of(st.none(), st.decimals(min_value=0, max_value=5, places=2)), max_size=30)


@given(prices)
def test_alerts_equal_the_times_the_price_goes_from_above_to_at_or_below(seq):
    below = [p is not None and p <= T for p in seq]
    downward = sum(1 for i, b in enumerate(below) if b and (i == 0 or not below[i - 1]))
    assert crossings(seq, T) == downward
