"""The 7- and 30-day price changes: exact percentages from the price in force back then, '—' without one."""

from datetime import datetime, timedelta
from decimal import Decimal as D
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from pricing import period_change as pc

NOW = datetime(2026, 12, 3, 12, 0)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_the_price_in_force_is_the_last_one_at_or_before_the_moment():
    history = [(ago(40), D("10")), (ago(8), D("9")), (ago(1), D("8"))]
    assert pc.price_at(history, ago(30)) == D("10")
    assert pc.price_at(history, ago(7)) == D("9")
    assert pc.price_at(history, ago(8)) == D("9")
    assert pc.price_at(history, ago(41)) is None
    assert pc.price_at(reversed(history), ago(7)) == D("9")  # any order


def test_a_worked_example_down_over_a_week_up_over_a_month():
    history = [(ago(31), D("1.880")), (ago(10), D("2.000"))]
    assert pc.period_changes(history, D("1.896"), NOW) == {7: D("-5.2"), 30: D("0.9")}
    assert pc.changes_text({7: D("-5.2"), 30: D("1.0")}, "zh") == "7 天 −5.2% · 30 天 +1.0%"
    assert pc.changes_text({7: D("-5.2"), 30: D("1.0")}, "en") == "7 days −5.2% · 30 days +1.0%"


def test_no_history_that_far_back_shows_a_dash():
    changes = pc.period_changes([(ago(3), D("2"))], D("1.5"), NOW)
    assert changes == {7: None, 30: None}
    assert pc.changes_text(changes, "en") == "7 days — · 30 days —"
    assert pc.period_changes([], D("1.5"), NOW) == {7: None, 30: None}


def test_no_change_and_from_zero():
    assert pc.change_text(pc.percent_change(D("2"), D("2"))) == "0.0%"
    assert pc.percent_change(D("2"), D("0")) is None
    assert pc.percent_change(None, D("2")) is None


def test_halves_round_away_from_zero_exactly():
    assert pc.percent_change(D("1.0005"), D("1")) == D("0.1")  # 0.05 % → 0.1
    assert pc.percent_change(D("0.9995"), D("1")) == D("-0.1")
    assert pc.percent_change(D("1.00049"), D("1")) == D("0.0")
    assert pc.percent_change(D("2"), D("3")) == D("-33.3")


def test_a_model_compares_its_cheapest_offer_now_with_the_cheapest_then():
    a = [(ago(35), D("3.00")), (ago(2), D("2.00"))]
    b = [(ago(20), D("2.50"))]  # listed after 30 days ago: counts for 7 days only
    assert pc.cheapest_at([a, b], ago(7)) == D("2.50")
    assert pc.cheapest_at([a, b], ago(30)) == D("3.00")
    assert pc.model_changes([a, b], D("2.00"), NOW) == {7: D("-20.0"), 30: D("-33.3")}


prices = st.decimals(min_value=D("0.000001"), max_value=D("100000"), places=6)


@given(prices, prices)
def test_the_percentage_is_the_exact_ratio_rounded_once(now, then):
    change = pc.percent_change(now, then)
    exact = (Fraction(now) - Fraction(then)) * 100 / Fraction(then)
    assert abs(Fraction(change) - exact) <= Fraction(1, 20)
    assert change == change.quantize(D("0.1"))
    assert (change > 0) <= (now > then) and (change < 0) <= (now < then)
