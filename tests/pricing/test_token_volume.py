"""Token volumes in 万/亿/K/M/B shorthand."""

from decimal import Decimal as D

import pytest

from pricing.token_volume import VolumeError, parse_token_volume


@pytest.mark.parametrize(("text", "tokens"), [
    ("5亿", 500_000_000),
    ("1亿", 100_000_000),
    ("1.5亿", 150_000_000),
    ("2000万", 20_000_000),
    ("2,000万", 20_000_000),
    ("3 万", 30_000),
    ("1万亿", 1_000_000_000_000),
    ("8千万", 80_000_000),
    ("5百万", 5_000_000),
    ("1.5M", 1_500_000),
    ("1.5m", 1_500_000),
    ("300K", 300_000),
    ("300k tokens", 300_000),
    ("2B", 2_000_000_000),
    ("１.５Ｍ", 1_500_000),  # full-width, as a Chinese keyboard types it
    ("500000000", 500_000_000),
    ("1,000,000", 1_000_000),
    ("0", 0),
    (12, 12),
    (D("7"), 7),
])
def test_shorthand_reads_as_tokens(text, tokens):
    assert parse_token_volume(text) == D(tokens)


@pytest.mark.parametrize("text", ["", "abc", "5亿亿", "1.5", "0.0001K", "-5M", "5X", "1e9", "M", "五亿", "1.2.3M",
                                  "9" * 30, "9" * 20 + "T", D("1e300"), True])
def test_anything_else_is_a_clear_error(text):
    with pytest.raises(VolumeError) as exc:
        parse_token_volume(text)
    assert "token" in str(exc.value)
