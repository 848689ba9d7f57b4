"""Worked examples of what a buyer pays, in the offer's own unit."""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.currency import FxTable
from pricing.line_total import (
    PricedOffer,
    PurchaseUnit,
    QuantityError,
    check_quantity,
    exact_line_total,
    line_total,
    order_total,
    purchase_price,
    round_money,
)
from pricing.units import HOURS, PriceUnit

FX = FxTable(as_of=date(2026, 11, 20), rates={"USD": Decimal("7.1"), "JPY": Decimal("0.0475")})


def offer(**kw) -> PricedOffer:
    base = dict(kind="gpu", billing="on_demand", unit_price=Decimal("11.200000"), list_amount=Decimal("11.20"),
                list_currency="CNY", list_unit="hour", gpu_count=Decimal(1), vcpus=Decimal(8))
    return PricedOffer(**{**base, **kw})


def test_card_hours_at_the_normalized_price():
    price = purchase_price(offer(), FX)
    assert price.unit is PurchaseUnit.CARD_HOUR
    assert line_total(price.amount, 10) == Decimal("112.00")


def test_core_hours_round_to_the_fen_once_not_per_hour():
    # 0.034247 CNY/core-hour × 1000 = 34.247 -> 34.25 (rounding each hour first would give 30.00)
    price = purchase_price(offer(kind="cpu", unit_price=Decimal("0.034247"), list_amount=Decimal("0.034247"),
                                 list_unit="core_hour"), FX)
    assert price.unit is PurchaseUnit.CORE_HOUR
    assert line_total(price.amount, 1000) == Decimal("34.25")


def test_a_prepaid_month_costs_the_listed_monthly_price_not_730_rounded_hours():
    # 6950 元/月 normalizes to 9.520548 元/卡时; 730 × that would be 6949.99.
    price = purchase_price(offer(billing="monthly", unit_price=Decimal("9.520548"), list_amount=Decimal("6950"),
                                 list_unit="month"), FX)
    assert price.unit is PurchaseUnit.MONTH
    assert line_total(price.amount, 3) == Decimal("20850.00")


def test_a_prepaid_year_from_a_usd_monthly_price_of_an_eight_card_node():
    price = purchase_price(offer(billing="yearly", list_amount=Decimal("34152"), list_currency="USD",
                                 list_unit="month", gpu_count=Decimal(8)), FX)
    assert price.unit is PurchaseUnit.YEAR
    # 34152 USD/month × 12 months × 7.1 = 2,909,750.40 CNY
    assert line_total(price.amount, 1) == Decimal("2909750.40")


def test_a_month_of_a_per_card_hour_listing_covers_every_card():
    price = purchase_price(offer(billing="monthly", list_amount=Decimal("2.08"), list_unit="card_hour",
                                 gpu_count=Decimal(2)), FX)
    assert line_total(price.amount, 1) == Decimal("3036.80")  # 2.08 × 2 cards × 730 h


def test_token_packs_at_the_blended_price():
    price = purchase_price(offer(kind="token", unit_price=Decimal("42.600000"), list_amount=Decimal("42.6"),
                                 list_unit="1m_tokens"), FX)
    assert price.unit is PurchaseUnit.M_TOKENS
    assert line_total(price.amount, 5) == Decimal("213.00")


def test_half_a_fen_rounds_up():
    assert line_total(Decimal("0.005"), 1) == Decimal("0.01")
    assert line_total(Decimal("0.0049999999"), 1) == Decimal("0.00")


def test_zero_decimal_currency_rounds_to_whole_units():
    assert line_total(Decimal("100.6"), 1, "JPY") == Decimal("101")


def test_order_total_is_the_sum_of_rounded_lines():
    assert order_total([line_total(Decimal("0.034247"), 1000), Decimal("112.00")]) == Decimal("146.25")


@pytest.mark.parametrize("quantity", [0, -1, 100_001, True, 1.5])
def test_quantities_outside_limits_are_refused_with_a_code(quantity):
    with pytest.raises(QuantityError) as caught:
        check_quantity(quantity, PurchaseUnit.CARD_HOUR)
    assert caught.value.code in ("quantity_whole", "quantity_min", "quantity_max")


def test_quantity_limits_carry_their_numbers():
    check_quantity(36, PurchaseUnit.MONTH)
    with pytest.raises(QuantityError) as caught:
        check_quantity(37, PurchaseUnit.MONTH)
    assert (caught.value.code, caught.value.numbers) == ("quantity_max", {"high": 36})


SEED_FX = FxTable.load(Path(__file__).resolve().parents[2] / "seed_data" / "fx_rates.json")


def test_a_usd_hourly_cpu_price_is_charged_from_the_listed_price_not_the_rounded_unit_price():
    # GCP lists US$0.301/h for an 8-vCPU machine. Seed rate: 7.1000 CNY per USD.
    # 0.301 × 1,000,000 core-hours ÷ 8 vCPU × 7.1 = 37,625 × 7.1 = 267,137.50 exactly;
    # the 6-place normalized price (0.267138 CNY/core-hour) would have charged 267,138.00.
    assert SEED_FX.rate("USD") == Decimal("7.1")
    gcp = offer(kind="cpu", unit_price=Decimal("0.267138"), list_amount=Decimal("0.301"), list_currency="USD",
                list_unit="hour", gpu_count=None, vcpus=Decimal(8))
    assert exact_line_total(gcp, 1_000_000, SEED_FX) == Decimal("267137.50")


def test_a_three_card_machine_at_ten_yuan_an_hour_for_100000_card_hours():
    # ¥10/h for 3 cards: 10 × 100,000 ÷ 3 = 333,333.333… -> 333,333.33 (the 3.333333 price gave 333,333.30)
    three = offer(unit_price=Decimal("3.333333"), list_amount=Decimal("10"), gpu_count=Decimal(3))
    assert exact_line_total(three, 100_000, FX) == Decimal("333333.33")


def test_token_packs_from_listed_input_and_output_prices_exactly():
    # US$2.50 in / $10 out per 1M: blended (3 × 2.5 + 10) / 4 = 4.375 USD × 7.1 = 31.0625 CNY a pack
    gpt = offer(kind="token", unit_price=Decimal("31.062500"), list_amount=None, list_currency="USD",
                list_unit="1m_tokens", list_input_amount=Decimal("2.5"), list_output_amount=Decimal("10"))
    assert exact_line_total(gpt, 3, FX) == Decimal("93.19")  # 93.1875 rounds half up once


def test_half_a_fen_rounds_up_exactly():
    assert round_money(Fraction(5, 1000)) == Decimal("0.01")
    assert round_money(Fraction(4999, 1000000)) == Decimal("0.00")


prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999"), places=4)


@settings(deadline=None)  # the machine is shared: a slow example is not a wrong one
@given(amount=prices, unit=st.sampled_from(["hour", "day", "month", "card_hour", "minute"]),
       count=st.sampled_from([Decimal(1), Decimal(2), Decimal(3), Decimal(8), Decimal("0.5")]),
       currency=st.sampled_from(["CNY", "USD", "JPY"]), quantity=st.integers(min_value=1, max_value=1_000_000))
def test_an_hourly_line_total_is_the_exact_rational_price_rounded_once(amount, unit, count, currency, quantity):
    listed = offer(list_amount=amount, list_unit=unit, list_currency=currency, gpu_count=count)
    rate = Fraction(FX.rate(currency))
    per_card_hour = Fraction(amount) * rate if unit == "card_hour" else (
        Fraction(amount) * rate / Fraction(HOURS[PriceUnit(unit)]) / Fraction(count))
    exact = per_card_hour * quantity * 100
    fen = exact.numerator // exact.denominator
    if exact - fen >= Fraction(1, 2):
        fen += 1
    assert exact_line_total(listed, quantity, FX) == Decimal(fen) / 100
