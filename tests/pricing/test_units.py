"""Unit, billing and kind words as Chinese and English vendors write them."""

import pytest

from pricing.units import Billing, Kind, PriceUnit, UnknownWord, parse_billing, parse_kind, parse_price_unit


@pytest.mark.parametrize(("text", "unit", "currency"), [
    ("元/卡时", PriceUnit.CARD_HOUR, "CNY"),
    ("元/小时", PriceUnit.HOUR, "CNY"),
    ("元/月", PriceUnit.MONTH, "CNY"),
    ("元/年", PriceUnit.YEAR, "CNY"),
    ("元/千tokens", PriceUnit.K_TOKENS, "CNY"),
    ("元/百万tokens", PriceUnit.M_TOKENS, "CNY"),
    ("元/核时", PriceUnit.CORE_HOUR, "CNY"),
    ("元／天", PriceUnit.DAY, "CNY"),  # full-width slash
    ("美元/小时", PriceUnit.HOUR, "USD"),
    ("USD/hour", PriceUnit.HOUR, "USD"),
    ("$/hr", PriceUnit.HOUR, "USD"),
    ("hour", PriceUnit.HOUR, None),
    ("Card_Hour", PriceUnit.CARD_HOUR, None),
    (" minute ", PriceUnit.MINUTE, None),
    ("week", PriceUnit.WEEK, None),
    ("1M tokens", PriceUnit.M_TOKENS, None),
    ("per 1K tokens", PriceUnit.K_TOKENS, None),
    ("1m_tokens", PriceUnit.M_TOKENS, None),
    ("token", PriceUnit.TOKEN, None),
])
def test_price_units_resolve_with_the_currency_they_name(text, unit, currency):
    assert parse_price_unit(text) == (unit, currency)


@pytest.mark.parametrize(("text", "billing"), [
    ("按量", Billing.ON_DEMAND), ("按量付费", Billing.ON_DEMAND), ("On-Demand", Billing.ON_DEMAND),
    ("on_demand", Billing.ON_DEMAND), ("包月", Billing.MONTHLY), ("monthly", Billing.MONTHLY),
    ("包年", Billing.YEARLY), ("Yearly", Billing.YEARLY), ("竞价", Billing.SPOT), ("抢占式实例", Billing.SPOT),
    ("SPOT", Billing.SPOT),
])
def test_billing_words_resolve(text, billing):
    assert parse_billing(text) is billing


@pytest.mark.parametrize(("text", "kind"), [
    ("GPU", Kind.GPU), (" gpu ", Kind.GPU), ("显卡", Kind.GPU), ("cpu", Kind.CPU), ("通用", Kind.CPU),
    ("token", Kind.TOKEN), ("大模型", Kind.TOKEN), ("Token", Kind.TOKEN),
])
def test_kind_words_resolve_case_and_space_insensitively(text, kind):
    assert parse_kind(text) is kind


@pytest.mark.parametrize("parser", [parse_price_unit, parse_billing, parse_kind])
@pytest.mark.parametrize("text", ["fortnight", "元/光年", "", "按揭"])
def test_unknown_words_are_refused(parser, text):
    with pytest.raises(UnknownWord):
        parser(text)
