"""Worked examples of spec section 2, each written out: what the vendor listed, what the buyer sees.

例：一台 8 卡 H100 整机包月 ¥100,000 → 100000 ÷ 730 小时 ÷ 8 卡 = ¥17.123288/卡时。
Example: an 8-card H100 node at ¥100,000 a month → 100000 / 730 h / 8 cards = ¥17.123288 per card-hour.
"""

from datetime import date
from decimal import Decimal

import pytest

from pricing.currency import FxTable, UnknownCurrency
from pricing.normalize import (
    ListedPrice,
    NormalizationError,
    blended_token_price,
    per_hour_of_one,
    per_million_tokens,
    price_per_gb_hour,
    price_per_tflop_hour,
)
from pricing.units import Kind, PriceUnit

FX = FxTable(as_of=date(2026, 11, 20), rates={"USD": Decimal("7.1000"), "HKD": Decimal("0.9130"),
                                                "JPY": Decimal("0.046500")})
D = Decimal


@pytest.mark.parametrize(("amount", "currency", "unit", "cards", "expected", "why"), [
    # 8 卡 H100 包月 ¥100,000：100000 / 730 / 8
    ("100000", "CNY", PriceUnit.MONTH, "8", "17.123288", "8-card node per month"),
    # 元/卡时 already prices one card, whatever the count: 4 卡 × ¥1.90/卡时 is still ¥1.90
    ("1.90", "CNY", PriceUnit.CARD_HOUR, "4", "1.900000", "card_hour ignores the count"),
    # 元/小时 prices the whole instance: 4 卡整机 ¥7.60/小时 → ¥1.90/卡时
    ("7.60", "CNY", PriceUnit.HOUR, "4", "1.900000", "hour prices the whole instance"),
    # 半卡（0.5）¥1.00/小时 → ¥2.00/卡时
    ("1.00", "CNY", PriceUnit.HOUR, "0.5", "2.000000", "half a card"),
    # ¥0.03/分钟 for one card → 0.03 × 60 = ¥1.80/卡时
    ("0.03", "CNY", PriceUnit.MINUTE, "1", "1.800000", "per minute"),
    # ¥45/天 → 45 / 24 = ¥1.875/卡时
    ("45", "CNY", PriceUnit.DAY, "1", "1.875000", "per day"),
    # ¥300/周 → 300 / 168 = 1.785714…
    ("300", "CNY", PriceUnit.WEEK, "1", "1.785714", "per week"),
    # 包年 ¥1,000,000 for 8 cards → 1000000 / 8760 / 8 = 14.269406…
    ("1000000", "CNY", PriceUnit.YEAR, "8", "14.269406", "per year"),
    # US$2.20/hour for 2 A100 at 7.1 → 2.2 × 7.1 / 2 = ¥7.81/卡时
    ("2.20", "USD", PriceUnit.HOUR, "2", "7.810000", "USD converts at the table's rate"),
    # HK$20/card-hour × 0.913 = ¥18.26
    ("20", "HKD", PriceUnit.CARD_HOUR, "1", "18.260000", "HKD"),
])
def test_gpu_card_hour_worked_examples(amount, currency, unit, cards, expected, why):
    listed = ListedPrice(D(amount), currency, unit)
    assert per_hour_of_one(listed, D(cards), FX, kind=Kind.GPU) == D(expected), why


@pytest.mark.parametrize(("amount", "unit", "vcpus", "expected"), [
    # 4 核实例 ¥0.28/小时 → ¥0.07/核时
    ("0.28", PriceUnit.HOUR, "4", "0.070000"),
    # 2 vCPU ¥100/月 → 100 / 730 / 2 = 0.068493…
    ("100", PriceUnit.MONTH, "2", "0.068493"),
    # ¥0.05/核时 stays
    ("0.05", PriceUnit.CORE_HOUR, "16", "0.050000"),
])
def test_cpu_core_hour_worked_examples(amount, unit, vcpus, expected):
    listed = ListedPrice(D(amount), "CNY", unit)
    assert per_hour_of_one(listed, D(vcpus), FX, kind=Kind.CPU) == D(expected)


@pytest.mark.parametrize(("amount", "currency", "unit", "expected"), [
    ("2", "CNY", PriceUnit.M_TOKENS, "2.000000"),          # ¥2 / 百万 tokens
    ("0.002", "CNY", PriceUnit.K_TOKENS, "2.000000"),      # ¥0.002 / 千 tokens = ¥2 / 百万
    ("0.0000016", "USD", PriceUnit.TOKEN, "11.360000"),    # $1.6e-6 per token × 1e6 × 7.1
    ("2.5", "USD", PriceUnit.M_TOKENS, "17.750000"),       # GPT-4o input $2.5 / 1M
])
def test_token_prices_normalize_to_one_million(amount, currency, unit, expected):
    assert per_million_tokens(D(amount), currency, unit, FX) == D(expected)


def test_blended_token_price_is_three_to_one():
    # (3 × 2 + 1 × 8) / 4 = 3.5
    assert blended_token_price(D("2"), D("8")) == D("3.500000")


def test_price_per_performance_and_memory():
    # ¥17.12/卡时 on an H100 (989 dense BF16 TFLOPS, 80 GB): 17.12 / 989 = 0.0173104…, 17.12 / 80 = 0.214
    assert price_per_tflop_hour(D("17.12"), D("989")) == D("0.017310")
    assert price_per_gb_hour(D("17.12"), D("80")) == D("0.214000")
    assert price_per_tflop_hour(D("1"), None) is None


@pytest.mark.parametrize(("unit", "kind", "field"), [
    (PriceUnit.M_TOKENS, Kind.GPU, "price_unit"),
    (PriceUnit.CORE_HOUR, Kind.GPU, "price_unit"),
    (PriceUnit.CARD_HOUR, Kind.CPU, "price_unit"),
])
def test_units_that_do_not_fit_the_kind_are_refused(unit, kind, field):
    with pytest.raises(NormalizationError) as err:
        per_hour_of_one(ListedPrice(D(1), "CNY", unit), D(1), FX, kind=kind)
    assert err.value.field == field


def test_zero_count_is_refused():
    with pytest.raises(NormalizationError) as err:
        per_hour_of_one(ListedPrice(D(1), "CNY", PriceUnit.HOUR), D(0), FX, kind=Kind.GPU)
    assert err.value.field == "gpu_count"


def test_a_currency_without_a_rate_is_refused():
    with pytest.raises(UnknownCurrency):
        per_million_tokens(D(1), "KRW", PriceUnit.M_TOKENS, FX)


def test_fx_table_json_round_trip():
    table = FxTable.from_json(FX.as_json())
    assert table.rates == FX.rates and table.as_of == FX.as_of
    with pytest.raises(ValueError):
        FxTable.from_json({"base": "CNY", "as_of": "2026-01-01", "rates": {"USD": "-1"}})
