"""Amounts as people type them become exact Decimals, or are refused."""

from decimal import Decimal

import pytest

from pricing.currency import UnknownCurrency, parse_currency
from pricing.money import AmountError, parse_amount


@pytest.mark.parametrize(("text", "amount", "hint"), [
    ("1.90", Decimal("1.90"), None),
    ("１．９０", Decimal("1.90"), None),  # full-width digits from a Chinese IME
    ("¥1.90", Decimal("1.90"), "CNY"),
    ("￥1,234.5", Decimal("1234.5"), "CNY"),
    ("$2.50", Decimal("2.50"), "USD"),
    ("US$ 3", Decimal("3"), "USD"),
    ("HK$10", Decimal("10"), "HKD"),
    ("120元", Decimal("120"), "CNY"),
    ("1.6e-06", Decimal("0.0000016"), None),
    (" 24192.0 ", Decimal("24192.0"), None),
    (0.1, Decimal("0.1"), None),
    (3, Decimal(3), None),
])
def test_amounts_parse_exactly(text, amount, hint):
    value, currency = parse_amount(text)
    assert value == amount
    assert currency == hint


@pytest.mark.parametrize("text", ["abc", "", "1.2.3", "NaN", "inf", "1,23", "--1", True, float("nan")])
def test_non_numbers_are_refused(text):
    with pytest.raises(AmountError):
        parse_amount(text)


@pytest.mark.parametrize(("text", "code"), [
    ("人民币", "CNY"), ("RMB", "CNY"), ("cny", "CNY"), ("元", "CNY"), ("美元", "USD"), ("USD", "USD"),
    ("港币", "HKD"), ("欧元", "EUR"), ("日元", "JPY"), ("新加坡元", "SGD"),
])
def test_currency_words(text, code):
    assert parse_currency(text) == code


def test_unknown_currency():
    with pytest.raises(UnknownCurrency):
        parse_currency("比特币")
