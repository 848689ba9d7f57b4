"""Worked examples of what a buyer pays, in the offer's own unit."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.currency import FxTable
from pricing.line_total import (
    PricedOffer,
    PurchaseUnit,
    QuantityError,
    check_quantity,
    line_total,
    order_total,
    purchase_price,
)

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
    price = purchase_price(offer(kind="cpu", unit_price=Decimal("0.034247")), FX)
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
    price = purchase_price(offer(kind="token", unit_price=Decimal("42.600000"), list_unit="1m_tokens"), FX)
    assert price.unit is PurchaseUnit.M_TOKENS
    assert line_total(price.amount, 5) == Decimal("213.00")


def test_half_a_fen_rounds_up():
    assert line_total(Decimal("0.005"), 1) == Decimal("0.01")
    assert line_total(Decimal("0.0049999999"), 1) == Decimal("0.00")


def test_zero_decimal_currency_rounds_to_whole_units():
    assert line_total(Decimal("100.6"), 1, "JPY") == Decimal("101")


def test_order_total_is_the_sum_of_rounded_lines():
    assert order_total([line_total(Decimal("0.034247"), 1000), Decimal("112.00")]) == Decimal("146.25")


@pytest.mark.parametrize("quantity, stock", [(0, None), (-1, None), (100_001, None), (5, 4), (True, None), (1.5, None)])
def test_quantities_outside_limits_or_stock_are_refused(quantity, stock):
    with pytest.raises(QuantityError):
        check_quantity(quantity, PurchaseUnit.CARD_HOUR, stock)


def test_quantity_within_stock_is_accepted():
    check_quantity(4, PurchaseUnit.CARD_HOUR, 4)
    check_quantity(36, PurchaseUnit.MONTH, None)
    with pytest.raises(QuantityError):
        check_quantity(37, PurchaseUnit.MONTH, None)
