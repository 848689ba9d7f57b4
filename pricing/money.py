"""Parse amounts as people write them into Decimal, never float."""

import re
from decimal import Decimal, InvalidOperation

from pricing.text import fold

# Symbols that may lead an amount; the currency they imply, when they are unambiguous.
_SYMBOLS = [
    ("us$", "USD"), ("hk$", "HKD"), ("s$", "SGD"), ("¥", None), ("$", "USD"),
    ("€", "EUR"), ("£", "GBP"), ("₩", "KRW"), ("元", "CNY"),
]
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


class AmountError(ValueError):
    """The text is not a finite decimal amount."""


def parse_amount(text: str | int | float | Decimal) -> tuple[Decimal, str | None]:
    """Return (amount, currency implied by a symbol or None).

    Floats are taken through their shortest repr, which is what a spreadsheet
    shows; anything that is not a finite number raises AmountError.
    """
    if isinstance(text, bool):
        raise AmountError("not a number")
    if isinstance(text, Decimal):
        value, hint = text, None
    elif isinstance(text, int | float):
        value, hint = Decimal(repr(text)) if isinstance(text, float) else Decimal(text), None
    else:
        raw = fold(str(text)).replace(" ", "")
        hint = None
        for symbol, currency in _SYMBOLS:
            if raw.startswith(symbol) or (symbol == "元" and raw.endswith(symbol)):
                raw = raw[len(symbol):] if raw.startswith(symbol) else raw[: -len(symbol)]
                hint = currency if currency else ("CNY" if symbol == "¥" else None)
                break
        if _GROUPED.match(raw):
            raw = raw.replace(",", "")
        if not raw or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", raw):
            raise AmountError(f"not a number: {text!r}")
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards
            raise AmountError(f"not a number: {text!r}") from exc
    if not value.is_finite():
        raise AmountError(f"not a finite number: {text!r}")
    return value, hint
