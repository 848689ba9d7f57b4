from decimal import Decimal

import pytest

from pricing.display import cny, normalized_text


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("1.9"), "¥1.90"), (Decimal("0.070000"), "¥0.07"), (Decimal("12345.675"), "¥12,345.68"),
    (Decimal("0.001234"), "¥0.001234"), (Decimal("0.00005"), "¥0.00005000"), (Decimal(0), "¥0.00"),
])
def test_cny_rounds_for_display_only(value, text):
    assert cny(value) == text


def test_normalized_text_per_kind_and_language():
    assert normalized_text({"kind": "gpu", "unit_price": Decimal("1.9")}) == "= ¥1.90 / 卡时"
    assert normalized_text({"kind": "cpu", "unit_price": Decimal("0.07")}, "en") == "= ¥0.07 / core-hour"
    token = {"kind": "token", "unit_price": Decimal("3.5"), "input_price": Decimal("2"), "output_price": Decimal("8")}
    assert normalized_text(token) == "= ¥2.00 / 百万 tokens 输入 · ¥8.00 / 百万 tokens 输出"
    assert normalized_text({**token, "output_price": Decimal("2")}) == "= ¥2.00 / 百万 tokens 输入"
