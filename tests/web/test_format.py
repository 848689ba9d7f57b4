from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from web import format as fmt

NOW = datetime(2026, 3, 1, 12, 0)


@pytest.mark.parametrize("value, shown", [
    ("1.9", "1.90"), ("12.345600", "12.35"), ("10312", "10,312.00"), ("0.550000", "0.55"),
    ("0.022041", "0.022"), ("0.000350", "0.00035"), ("0.1", "0.10"), ("0", "0.00"), ("0.995", "0.995"),
])
def test_amounts_keep_what_matters(value, shown):
    assert fmt.amount(Decimal(value)) == shown


def test_ago_speaks_the_page_language():
    assert fmt.ago(NOW - timedelta(hours=3), "zh", NOW) == "3小时前"
    assert fmt.ago(NOW - timedelta(hours=3), "en", NOW) == "3 hours ago"
    assert fmt.ago(NOW - timedelta(seconds=5), "en", NOW) == ""  # "just now" is the caller's word


def offer(**kw):
    base = dict(kind="gpu", list_amount=None, list_input_amount=None, list_output_amount=None,
                list_currency="CNY", list_unit="card_hour")
    return SimpleNamespace(**{**base, **kw})


@pytest.mark.parametrize("lang, expected", [
    ("zh", ["¥1.90 / 卡时", "¥10,312.00 / 月", "输入 $2.50 / 百万 tokens，输出 $10.00", "¥0.80 / 千 tokens", "3小时前更新"]),
    ("en", ["¥1.90 / card-hour", "¥10,312.00 / month", "$2.50 / 1M tokens in, $10.00 out", "¥0.80 / 1K tokens",
            "updated 3 hours ago"]),
])
def test_prices_and_freshness_in_both_languages(app, lang, expected):
    with app.app_context(), app.test_request_context(f"/?lang={lang}"):
        assert [
            fmt.price_per_unit(Decimal("1.900000"), "gpu"),
            fmt.listed_price(offer(list_amount=Decimal("10312.0000000000"), list_unit="month")),
            fmt.listed_price(offer(kind="token", list_input_amount=Decimal("2.5000000000"),
                                   list_output_amount=Decimal("10"), list_currency="USD", list_unit="1m_tokens")),
            fmt.listed_price(offer(kind="token", list_input_amount=Decimal("0.8"), list_output_amount=Decimal("0.8"),
                                   list_unit="1k_tokens")),
            fmt.freshness(datetime.now() - timedelta(hours=3, minutes=1)),
        ] == expected


def test_registry_ids_show_their_names(app):
    with app.app_context(), app.test_request_context("/?lang=zh"):
        assert (fmt.region_name("cn-hangzhou"), fmt.gpu_name("rtx-4090")) == ("杭州", "GeForce RTX 4090 24GB")
        assert fmt.region_name("nowhere") == "nowhere"
    with app.app_context(), app.test_request_context("/?lang=en"):
        assert fmt.region_name("cn-hangzhou") == "Hangzhou"
        assert fmt.billing_label("spot") == "Spot (interruptible)"


@pytest.mark.parametrize("tokens, shown", [(128000, "128K"), (131072, "128K"), (1047576, "1.05M"), (None, "")])
def test_context_window(tokens, shown):
    assert fmt.context_window(tokens) == shown


def test_ago_gives_babels_words_for_every_kind_of_delta():
    """ago() keeps Babel's words per unit and count; they must be Babel's own for any delta."""
    import random

    from babel import Locale
    from babel.dates import format_timedelta

    rng = random.Random(5)
    for seconds in [60, 89, 90, 3599, 3600, 5.6 * 86400, 5.96 * 86400, 20.39 * 3600, 20.41 * 3600, 400 * 86400] + [
            rng.uniform(60, 3 * 365 * 86400) for _ in range(300)]:
        for lang in ("zh", "en"):
            expected = format_timedelta(-timedelta(seconds=seconds), add_direction=True, locale=Locale.parse(lang))
            assert fmt.ago(NOW - timedelta(seconds=seconds), lang, NOW) == expected, (seconds, lang)
