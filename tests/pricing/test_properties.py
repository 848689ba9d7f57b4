"""Property tests (hypothesis) over the amount and unit parsers and the normalizer.

What must hold for every input, not only the ones we thought of: a parser either answers
or raises its own error; a normalized price times the quantity it covers gives back the
listed price (to the rounding of the last kept place).
"""

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pricing.currency import FxTable, UnknownCurrency, parse_currency
from pricing.money import AmountError, parse_amount
from pricing.normalize import (
    NORMALIZED_PLACES,
    ListedPrice,
    NormalizationError,
    blended_token_price,
    per_hour_of_one,
    per_million_tokens,
)
from pricing.units import (
    _UNIT_WORDS,
    HOURS,
    TIME_UNITS,
    TOKENS,
    Kind,
    PriceUnit,
    UnknownWord,
    parse_billing,
    parse_kind,
    parse_price_unit,
)

FX = FxTable(as_of=date(2025, 1, 1), rates={"USD": Decimal("7.1234"), "EUR": Decimal("7.8"),
                                             "JPY": Decimal("0.0471"), "HKD": Decimal("0.91")})
CURRENCIES = ["CNY", *FX.rates]
HALF_PLACE = NORMALIZED_PLACES / 2

# Amounts as vendors list them: up to 8 decimal places, from a fraction of a fen to millions.
amounts = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("10000000"), places=8,
                      allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=1, max_value=512).map(Decimal) | st.sampled_from(
    [Decimal("0.5"), Decimal("0.25"), Decimal("0.125")])
# Text a person might paste into a price cell: digits, separators, symbols, letters, CJK, anything.
price_text = st.text(alphabet=st.sampled_from("0123456789.,+-eE ¥$€£元US hk$s$ ,，．。") | st.characters(), max_size=30)


@given(price_text)
@example("1e999999999")
@example("١٢٣")  # Arabic-Indic digits: NFKC leaves them, Decimal would take them
@example("1,2,3")
def test_parse_amount_answers_or_refuses(text):
    try:
        value, hint = parse_amount(text)
    except AmountError:
        return
    assert value.is_finite()
    assert hint in (None, "CNY", "USD", "EUR", "GBP", "HKD", "SGD", "KRW")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-10**9, max_value=10**9))
def test_parse_amount_reads_back_what_was_written(value):
    assert parse_amount(str(value))[0] == value
    assert parse_amount(f"{value:f}")[0] == value
    if value >= 0:
        assert parse_amount(f"{value:,f}")[0] == value  # thousands separators
        assert parse_amount(f"¥{value:f}") == (value, "CNY")
        assert parse_amount(f"{value:f}元") == (value, "CNY")
        assert parse_amount(f"US${value:f}") == (value, "USD")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_amount_takes_a_float_as_a_spreadsheet_shows_it(value):
    assert parse_amount(value)[0] == Decimal(repr(value))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("-Infinity"),
                                   "nan", "inf", "Infinity", "¥NaN", "sNaN"])
def test_parse_amount_refuses_nan_and_infinity(value):
    with pytest.raises(AmountError):
        parse_amount(value)


@given(st.text(max_size=40))
def test_word_parsers_answer_or_refuse(text):
    for parser, error in ((parse_kind, UnknownWord), (parse_billing, UnknownWord),
                          (parse_price_unit, UnknownWord), (parse_currency, UnknownCurrency)):
        with contextlib.suppress(error):
            parser(text)


@given(st.sampled_from([(unit, word) for unit, words in _UNIT_WORDS.items() for word in words]),
       st.sampled_from(["", "元/", "美元/", "USD/", "¥/", "per ", "每", "/"]),
       st.sampled_from([str.lower, str.upper, str.title, lambda s: f"  {s} "]))
def test_every_unit_word_reads_back_to_its_unit(pair, prefix, shape):
    unit, word = pair
    parsed, currency = parse_price_unit(shape(prefix + word))
    assert parsed is unit or (prefix in ("per ", "每", "/") and word.startswith(("/", "per", "每")))
    if prefix in ("元/", "¥/"):
        assert currency == "CNY"


@given(amounts, st.sampled_from(sorted(TIME_UNITS)), counts, st.sampled_from(CURRENCIES),
       st.sampled_from([Kind.GPU, Kind.CPU]))
@settings(max_examples=300)
def test_normalized_price_times_quantity_gives_back_the_listed_price(amount, unit, count, currency, kind):
    normalized = per_hour_of_one(ListedPrice(amount, currency, unit), count, FX, kind=kind)
    hours = HOURS[unit]
    listed_in_cny = FX.to_cny(amount, currency)
    back = normalized * count * hours.numerator / hours.denominator
    # The normalized price was rounded once to 6 places; multiplying back scales that rounding.
    tolerance = HALF_PLACE * count * hours.numerator / hours.denominator
    assert abs(back - listed_in_cny) <= tolerance
    assert normalized >= 0


@given(amounts, st.sampled_from(CURRENCIES), st.sampled_from([Kind.GPU, Kind.CPU]))
def test_a_price_per_card_or_core_hour_is_kept_as_listed(amount, currency, kind):
    unit = PriceUnit.CARD_HOUR if kind is Kind.GPU else PriceUnit.CORE_HOUR
    normalized = per_hour_of_one(ListedPrice(amount, currency, unit), Decimal(8), FX, kind=kind)
    assert abs(normalized - FX.to_cny(amount, currency)) <= HALF_PLACE


@given(amounts, st.sampled_from(sorted(TOKENS)), st.sampled_from(CURRENCIES))
def test_token_price_per_million_times_tokens_gives_back_the_listed_price(amount, unit, currency):
    per_million = per_million_tokens(amount, currency, unit, FX)
    back = per_million * TOKENS[unit] / Decimal(1_000_000)
    assert abs(back - FX.to_cny(amount, currency)) <= HALF_PLACE * TOKENS[unit] / Decimal(1_000_000)


@given(amounts, amounts)
def test_blended_price_lies_between_input_and_output(a, b):
    blended = blended_token_price(a, b)
    assert min(a, b) - HALF_PLACE <= blended <= max(a, b) + HALF_PLACE


@given(amounts, st.sampled_from(sorted(TIME_UNITS)),
       st.decimals(max_value=0, allow_nan=False, allow_infinity=False) | st.none())
def test_a_count_that_is_not_positive_is_refused(amount, unit, count):
    with pytest.raises(NormalizationError) as caught:
        per_hour_of_one(ListedPrice(amount, "CNY", unit), count, FX, kind=Kind.GPU)
    assert caught.value.field == "gpu_count"


@given(amounts, st.sampled_from(sorted(TOKENS)), st.sampled_from([Kind.GPU, Kind.CPU]))
def test_token_units_never_price_machines(amount, unit, kind):
    with pytest.raises(NormalizationError):
        per_hour_of_one(ListedPrice(amount, "CNY", unit), Decimal(1), FX, kind=kind)
