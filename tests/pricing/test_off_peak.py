"""Off-peak share from an hourly profile, each worked out by hand."""

from decimal import Decimal as D

import pytest

from pricing.off_peak import ProfileError, off_peak_share, parse_profile, parse_window
from pricing.token_cost import TokenPrices, TokenWorkload, token_cost

# A ToC app: quiet at night (1 per hour from 00:00 to 07:59), busy by day (3 per hour from 08:00).
APP = [D(1)] * 8 + [D(3)] * 16


def test_deepseek_hours_on_an_app_profile_and_the_month_it_costs():
    # DeepSeek's off-peak 00:30-08:30 Beijing: half of hour 0 (0.5), hours 1–7 (7 × 1), half of hour 8
    # (0.5 × 3 = 1.5): 9 of the day's 8 × 1 + 16 × 3 = 56 → 9/56 = 0.160714… → 0.1607.
    share = off_peak_share(APP, "00:30-08:30")
    assert share == D("0.1607")
    # 100M input × ¥2 + 10M output × ¥3 = ¥230; off-peak at 25%:
    # 230 × (1 − 0.1607 × 0.75) = 230 × 0.879475 = 202.27925 → ¥202.28
    cost = token_cost(TokenWorkload(D(100_000_000), D(10_000_000), off_peak_share=share),
                      TokenPrices(D(2), D(3), off_peak_rate=D("0.25")))
    assert cost.total == D("202.28")
    assert "16.07% off-peak × (1 − 0.25)" in cost.arithmetic.text("en")


def test_a_window_that_wraps_midnight():
    # 22:00-06:00 on a flat profile: 8 of 24 hours = 0.3333
    assert off_peak_share([D(1)] * 24, "22:00-06:00") == D("0.3333")
    # all traffic at 23:00 falls inside; all at noon falls outside
    assert off_peak_share([D(0)] * 23 + [D(5)], "22:00-06:00") == D(1)
    assert off_peak_share([D(0)] * 12 + [D(5)] + [D(0)] * 11, "22:00-06:00") == D(0)


def test_profiles_and_windows_as_typed():
    assert parse_profile("1, 1 1，1、1 " * 4 + "1 2 3 4") == [D(1)] * 20 + [D(1), D(2), D(3), D(4)]
    assert parse_window("00:30-08:30") == (30, 510)
    assert parse_window("22:00 - 24:00") == (1320, 0)


@pytest.mark.parametrize("text", ["1,2,3", "x," * 23 + "x", "-1," * 23 + "1", "0," * 23 + "0", "nan," * 24])
def test_bad_profiles(text):
    with pytest.raises(ProfileError):
        parse_profile(text)


@pytest.mark.parametrize("text", ["", "0030-0830", "25:00-01:00", "08:00-08:00", "08:61-09:00", "24:30-01:00"])
def test_bad_windows(text):
    with pytest.raises(ProfileError):
        parse_window(text)
