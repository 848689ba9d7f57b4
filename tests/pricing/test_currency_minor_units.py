"""Amounts to Stripe's integer minor units and back."""

from decimal import Decimal

import pytest

from pricing.currency import MinorUnitError, UnknownCurrency, from_minor_units, to_minor_units


@pytest.mark.parametrize("amount, currency, units", [
    (Decimal("12.34"), "CNY", 1234), (Decimal("0.01"), "cny", 1), (Decimal("20850.00"), "CNY", 2085000),
    (Decimal("500"), "JPY", 500), (Decimal("1000"), "KRW", 1000), (Decimal("7.10"), "USD", 710),
])
def test_to_minor_units(amount, currency, units):
    assert to_minor_units(amount, currency) == units
    assert from_minor_units(units, currency) == amount


def test_a_finer_amount_than_the_minor_unit_is_refused_not_rounded():
    with pytest.raises(MinorUnitError):
        to_minor_units(Decimal("12.345"), "CNY")
    with pytest.raises(MinorUnitError):
        to_minor_units(Decimal("500.5"), "JPY")


def test_unknown_currency():
    with pytest.raises(UnknownCurrency):
        to_minor_units(Decimal("1"), "XYZ")
