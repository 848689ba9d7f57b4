"""Show a normalized price the way a person reads it: '= ¥1.90 / 卡时'. Rounds for display only."""

from decimal import ROUND_HALF_UP, Decimal

UNIT_WORDS = {
    "gpu": {"zh": "卡时", "en": "card-hour"},
    "cpu": {"zh": "核时", "en": "core-hour"},
    "input": {"zh": "百万 tokens 输入", "en": "1M input tokens"},
    "output": {"zh": "百万 tokens 输出", "en": "1M output tokens"},
    "token": {"zh": "百万 tokens（3:1 混合）", "en": "1M tokens (3:1 blend)"},
}


def cny(value: Decimal) -> str:
    """Two places, or four significant digits for prices under a fen: '¥1.90', '¥0.0012'."""
    if value == 0 or abs(value) >= Decimal("0.01"):
        return f"¥{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    digits = max(2, -value.adjusted() + 3)
    return f"¥{value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)}"


def per_unit(value: Decimal, unit: str, lang: str) -> str:
    return f"{cny(value)} / {UNIT_WORDS[unit]['en' if lang == 'en' else 'zh']}"


def normalized_text(offer: dict, lang: str = "zh") -> str:
    """The normalized price(s) of a validated offer dict (OfferSchema output or an Offer's columns)."""
    if offer["kind"] == "token":
        parts = [per_unit(offer["input_price"], "input", lang)]
        if offer.get("output_price") is not None and offer["output_price"] != offer["input_price"]:
            parts.append(per_unit(offer["output_price"], "output", lang))
        return "= " + " · ".join(parts)
    return "= " + per_unit(offer["unit_price"], offer["kind"], lang)
