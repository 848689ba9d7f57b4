"""What a job of H hours really costs per card-hour, worked by hand, and the rules as properties."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing.currency import FxTable
from pricing.duration_price import billed_hours, duration_price, min_term, rank_multiplier
from pricing.line_total import PricedOffer
from pricing.units import PriceUnit

FX = FxTable(as_of=date(2026, 11, 20), rates={"USD": Decimal("7.1")})


def offer(**kw) -> PricedOffer:
    base = dict(kind="gpu", billing="on_demand", unit_price=Decimal("11.200000"), list_amount=Decimal("11.20"),
                list_currency="CNY", list_unit="hour", gpu_count=Decimal(1), vcpus=Decimal(8))
    return PricedOffer(**{**base, **kw})


def test_a_monthly_machine_used_for_72_hours_costs_its_month():
    # One card at ¥11,534 / 月 normalizes to 11534 / 730 = ¥15.80 / 卡时, the cheapest-looking row.
    # A 72-hour job still pays the whole month: ¥11,534 for 1 card × 72 h = 72 card-hours,
    # 11534 / 72 = 160.19444… -> ¥160.19 per card-hour, ten times its normalized price.
    monthly = offer(billing="monthly", unit_price=Decimal("15.800000"), list_amount=Decimal("11534"),
                    list_unit="month")
    job = duration_price(monthly, Decimal(1), 72, FX)
    assert job.terms == 1 and job.billed_hours == 730
    assert job.total == Decimal("11534.00")
    assert job.effective == Decimal("160.1944444444")


def test_an_hourly_offer_pays_only_the_hours():
    # 8 cards at ¥89.60 / hour = ¥11.20 / 卡时; 72 h = 576 card-hours × 11.20 = ¥6,451.20.
    hourly = offer(list_amount=Decimal("89.60"), gpu_count=Decimal(8))
    job = duration_price(hourly, Decimal(8), 72, FX)
    assert job.terms is None and job.billed_hours == 72
    assert job.total == Decimal("6451.20")
    assert job.effective == Decimal("11.2000000000")


def test_a_per_minute_price_is_exact_for_whole_hours():
    # $0.01 / minute on 1 card at 7.1: 0.6 USD/h = ¥4.26 / 卡时; 10 h = ¥42.60.
    job = duration_price(offer(list_amount=Decimal("0.01"), list_currency="USD", list_unit="minute",
                               unit_price=Decimal("4.26")), Decimal(1), 10, FX)
    assert job.total == Decimal("42.60") and job.effective == Decimal("4.2600000000")


def test_a_yearly_eight_card_node_for_a_full_month():
    # ¥400,000 / 年 for 8 cards: 730 h pays the year. 400000 / (8 × 730) = 68.4931506849…
    yearly = offer(billing="yearly", unit_price=Decimal("5.707763"), list_amount=Decimal("400000"),
                   list_unit="year", gpu_count=Decimal(8))
    job = duration_price(yearly, Decimal(8), 730, FX)
    assert job.terms == 1 and job.total == Decimal("400000.00")
    assert job.effective == Decimal("68.4931506849")


def test_a_monthly_machine_for_two_months_and_an_hour_pays_three_months():
    monthly = offer(billing="monthly", list_amount=Decimal("7300"), list_unit="month")
    job = duration_price(monthly, Decimal(1), 1461, FX)
    # 3 × 7300 = 21900 over 1461 card-hours = 14.9897330595…
    assert job.terms == 3 and job.total == Decimal("21900.00")
    assert job.effective == Decimal("14.9897330595")


def test_a_cpu_offer_is_priced_per_core_hour():
    # 16 vCPU at ¥2.40 / hour = ¥0.15 / 核时; 10 h = ¥24.00.
    cpu = offer(kind="cpu", list_amount=Decimal("2.40"), unit_price=Decimal("0.15"), vcpus=Decimal(16))
    job = duration_price(cpu, Decimal(16), 10, FX)
    assert job.total == Decimal("24.00") and job.effective == Decimal("0.1500000000")


def test_token_offers_have_no_duration_price():
    token = offer(kind="token", list_unit="1m_tokens", list_amount=Decimal(2), gpu_count=None)
    assert duration_price(token, None, 72, FX) is None


@pytest.mark.parametrize("hours", [0, 8761, -1, 1.5, True])
def test_durations_outside_a_year_of_whole_hours_are_refused(hours):
    with pytest.raises(ValueError):
        duration_price(offer(), Decimal(1), hours, FX)


def test_the_shortest_term_is_named_by_billing():
    assert min_term("monthly", "month") is PriceUnit.MONTH
    assert min_term("yearly", "month") is PriceUnit.YEAR
    assert min_term("on_demand", "minute") is PriceUnit.MINUTE
    assert min_term("spot", "card_hour") is PriceUnit.HOUR


@given(billing=st.sampled_from(["on_demand", "spot", "monthly", "yearly"]), hours=st.integers(1, 8760),
       month=st.integers(100, 500_000), cards=st.sampled_from([1, 2, 4, 8]))
def test_effective_price_is_the_normalized_price_times_the_rank_multiplier(billing, hours, month, cards):
    # The ranking key (normalized × M / hours) is the effective price, exactly, for any term.
    listed_unit = "month" if billing in ("monthly", "yearly") else "hour"
    normalized = Fraction(month, 730 * cards) if listed_unit == "month" else Fraction(month, 100 * cards)
    amount = Decimal(month) if listed_unit == "month" else Decimal(month) / 100
    o = offer(billing=billing, list_amount=amount, list_unit=listed_unit, gpu_count=Decimal(cards))
    job = duration_price(o, Decimal(cards), hours, FX)
    exact = normalized * rank_multiplier(billing, hours) / hours
    assert abs(Fraction(job.effective) - exact) <= Fraction(1, 10**10)
    assert job.effective >= Decimal(normalized.numerator) / normalized.denominator - Decimal("1e-10")
    assert billed_hours(billing, hours) >= hours
