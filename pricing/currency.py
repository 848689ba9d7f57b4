"""Currencies and the dated CNY exchange-rate table."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pricing.text import squash

BASE = "CNY"

# Minor units per major unit, for payment amounts (ISO 4217 exponents).
MINOR_UNIT_EXPONENT = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "SGD": 2, "GBP": 2, "JPY": 0, "KRW": 0}

_CURRENCY_WORDS = {
    "CNY": ["cny", "rmb", "人民币", "元", "¥", "人民币元", "yuan", "renminbi"],
    "USD": ["usd", "us$", "$", "美元", "美金", "dollar", "us dollar"],
    "EUR": ["eur", "€", "欧元", "euro"],
    "HKD": ["hkd", "hk$", "港元", "港币"],
    "JPY": ["jpy", "日元", "円", "yen"],
    "SGD": ["sgd", "s$", "新加坡元", "新元"],
    "GBP": ["gbp", "£", "英镑"],
    "KRW": ["krw", "₩", "韩元", "won"],
}
_CURRENCIES = {squash(w): code for code, ws in _CURRENCY_WORDS.items() for w in ws}


class UnknownCurrency(ValueError):
    """A currency word we do not know, or one with no rate in the table."""


def parse_currency(text: str) -> str:
    """Return the ISO code for a currency word ('美元' -> 'USD')."""
    try:
        return _CURRENCIES[squash(text)]
    except KeyError:
        raise UnknownCurrency(f"unknown currency {text!r}") from None


@dataclass(frozen=True)
class FxTable:
    """CNY per one unit of each currency, as of one date."""

    as_of: date
    rates: dict[str, Decimal]

    def rate(self, currency: str) -> Decimal:
        if currency == BASE:
            return Decimal(1)
        try:
            return self.rates[currency]
        except KeyError:
            raise UnknownCurrency(f"no exchange rate for {currency}") from None

    def to_cny(self, amount: Decimal, currency: str) -> Decimal:
        return amount * self.rate(currency)

    def as_json(self) -> dict:
        return {
            "base": BASE,
            "as_of": self.as_of.isoformat(),
            "rates": {code: f"{rate:.4f}" if rate >= 1 else str(rate) for code, rate in sorted(self.rates.items())},
        }

    @classmethod
    def from_json(cls, data: dict) -> "FxTable":
        if data.get("base", BASE) != BASE:
            raise ValueError("the rates table must be based on CNY")
        rates = {code.upper(): Decimal(str(v)) for code, v in data["rates"].items() if code.upper() != BASE}
        if any(not r.is_finite() or r <= 0 for r in rates.values()):
            raise ValueError("every rate must be a positive number")
        return cls(as_of=date.fromisoformat(data["as_of"]), rates=rates)

    @classmethod
    def load(cls, path: Path) -> "FxTable":
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


class MinorUnitError(ValueError):
    """The amount has more decimal places than the currency's minor unit can carry."""


def minor_unit_exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit: 2 for CNY (fen), 0 for JPY/KRW (zero-decimal)."""
    try:
        return MINOR_UNIT_EXPONENT[currency.upper()]
    except KeyError:
        raise UnknownCurrency(f"no minor unit known for {currency}") from None


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Integer minor units for a payment API: CNY 12.34 -> 1234, JPY 500 -> 500.

    The amount must already be rounded to the currency's minor unit (line totals round
    once, in pricing.line_total); a finer amount raises instead of rounding silently.
    """
    exponent = minor_unit_exponent(currency)
    scaled = Decimal(amount).scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise MinorUnitError(f"{amount} {currency} is finer than its minor unit")
    return int(scaled)


def from_minor_units(units: int, currency: str) -> Decimal:
    """The Decimal amount of integer minor units: 1234 CNY fen -> Decimal('12.34')."""
    exponent = minor_unit_exponent(currency)
    return Decimal(int(units)).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))
