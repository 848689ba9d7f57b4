from decimal import Decimal
from types import SimpleNamespace

import pytest

from pricing import display
from pricing.display import cny, normalized_text


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("1.9"), "¥1.90"), (Decimal("0.070000"), "¥0.07"), (Decimal("12345.675"), "¥12,345.68"),
    (Decimal("0.001234"), "¥0.00123"), (Decimal("0.00005"), "¥0.00005"), (Decimal(0), "¥0.00"),
])
def test_cny_rounds_for_display_only(value, text):
    assert cny(value) == text


def test_normalized_text_per_kind_and_language():
    assert normalized_text({"kind": "gpu", "unit_price": Decimal("1.9")}) == "= ¥1.90 / 卡时"
    assert normalized_text({"kind": "cpu", "unit_price": Decimal("0.07")}, "en") == "= ¥0.07 / core-hour"
    token = {"kind": "token", "unit_price": Decimal("3.5"), "input_price": Decimal("2"), "output_price": Decimal("8")}
    assert normalized_text(token) == "= ¥2.00 / 百万 tokens 输入 · ¥8.00 / 百万 tokens 输出"
    assert normalized_text({**token, "output_price": Decimal("2")}) == "= ¥2.00 / 百万 tokens 输入"


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("3.98"), "¥3.98"), (Decimal("0.022041"), "¥0.022"), (Decimal("0.000350"), "¥0.00035"),
    (Decimal("92268"), "¥92,268.00"),
])
def test_one_unit_price_rule_for_python_and_templates(app, value, text):
    from pricing import job_cost
    from web import format as fmt

    with app.test_request_context("/?lang=en"):
        rendered = app.jinja_env.from_string("{{ v | cny }}").render(v=value)
    assert {cny(value), fmt.cny(value), rendered} == {text}
    assert job_cost.money(Decimal("9861.115")) == display.total(Decimal("9861.115")) == "¥9,861.12"


def test_listed_amounts_take_the_one_money_format():
    # Grouped, two places from ¥1 up, enough significant digits below it: one format on every page.
    assert display.listed_amount(Decimal("92268.0000"), "CNY") == "¥92,268.00"
    assert display.listed_amount(Decimal("1234.5"), "USD") == "$1,234.50"
    assert display.listed_amount(Decimal("3.982363"), "CNY") == "¥3.98"
    assert display.listed_amount(Decimal("160.1875"), "CNY") == "¥160.19"
    assert display.listed_amount(Decimal("0.0035"), "CNY") == "¥0.0035"
    assert display.listed_amount(Decimal("0.00035123"), "USD") == "$0.000351"
    assert display.listed_amount(Decimal("5"), "HKD") == "HK$5.00"
    assert display.exact_price(Decimal("15.799315")) == "¥15.799315"


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["卡时", "百万 tokens", "按量", "竞价（可中断）", "贝塔算力"]),
    ("en", ["card-hour", "1M tokens", "On demand", "Spot (interruptible)", "Beta Compute"]),
])
def test_words_and_vendor_names_follow_the_language(lang, words):
    beta = SimpleNamespace(slug="beta", name_zh="贝塔算力", name_en="Beta Compute")
    assert [display.unit_label("card_hour", lang), display.unit_label("1m_tokens", lang),
            display.billing_label("on_demand", lang), display.billing_label("spot", lang),
            display.vendor_name(beta, lang)] == words


def test_every_display_word_has_its_chinese():
    msgids = {*display.UNIT_WORDS.values(), *display.KIND_WORDS.values(), *display.BILLING_WORDS.values()}
    assert {m for m in msgids if display.word(m, "zh") == m and m not in ("token", "GPU", "CPU")} == set()


def test_per_unit_takes_a_kind_for_its_normalized_unit():
    assert display.per_unit(Decimal("1.9"), "gpu", "zh") == display.per_unit(Decimal("1.9"), "card_hour", "zh")
    assert display.per_unit(Decimal("0.07"), "cpu", "en") == "¥0.07 / core-hour"


def test_a_phrase_waits_for_its_language_and_counts_in_english():
    # "%(num)s month(s)" is in i18n/pricing with one Chinese form; English picks by the count.
    months = [display.phrase_n("%(num)s month", "%(num)s months", n) for n in (Decimal(1), Decimal(2),
                                                                                Decimal("0.5"), Decimal(1000))]
    assert [m.text("en") for m in months] == ["1 month", "2 months", "0.5 months", "1,000 months"]
    assert [m.text("zh") for m in months] == ["1 月", "2 月", "0.5 月", "1,000 月"]
    nested = display.phrase("stock is %(stock)s, fewer than the %(needed)s needed", stock="1",
                            needed=display.phrase_n("%(num)s instance", "%(num)s instances", Decimal(2)))
    assert nested.text("zh") == "库存 1 台，不足所需的 2 台"
    assert nested.text("en") == "stock is 1, fewer than the 2 instances needed"


def test_a_list_in_a_phrase_is_joined_as_each_language_joins_lists():
    regions = display.phrase("regions: %(names)s", names=("浙江", "北京", "华东"))
    assert regions.text("zh") == "地域限于：浙江、北京和华东"
    assert regions.text("en") == "regions: 浙江, 北京, and 华东"
