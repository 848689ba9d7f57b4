"""The unified social credit code check: real codes pass, a valid code with any one character changed fails, with a reason."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.credit_code import (
    AUTHORITY_TYPES,
    CHARSET,
    PROVINCES,
    WEIGHTS,
    check_character,
    is_valid,
    normalized,
    organisation_check_character,
    problem,
                                  province,
)

# Real codes, as each company's registration shows them in the national enterprise credit information
# publicity system (国家企业信用信息公示系统, gsxt.gov.cn) and on its published business licence.
REAL = {
    "914403001922038216": "华为技术有限公司",
    "9144030071526726XG": "腾讯科技（深圳）有限公司",
    "91330100716105852F": "阿里巴巴（中国）有限公司",
    "91110108551385082Q": "小米科技有限责任公司",
}


@pytest.mark.parametrize("code", REAL)
def test_real_codes_pass(code):
    assert problem(code) is None


def test_the_check_characters_of_a_real_code_worked_by_hand():
    # 华为 914403001922038216: organisation code 19220382-1.
    # 1×3 + 9×7 + 2×9 + 2×10 + 0×5 + 3×8 + 8×4 + 2×2 = 164; 164 mod 11 = 10; 11 − 10 = 1.
    assert organisation_check_character("19220382") == "1"
    # Σ of the first 17 values × weights = 831; 831 mod 31 = 25; 31 − 25 = 6: character 18 is '6'.
    assert sum(CHARSET.index(c) * w for c, w in zip("91440300192203821", WEIGHTS, strict=True)) == 831
    assert check_character("91440300192203821") == "6"


def test_typed_forms_are_folded():
    assert normalized(" ９１４４０３００-１９２２０３８２１６ ") == "914403001922038216"
    assert is_valid("9144030071526726xg")


@pytest.mark.parametrize(("code", "lang", "reason"), [
    ("", "zh", "请填写 18 位统一社会信用代码。"),
    ("91440300192203821", "zh", "统一社会信用代码应为 18 位，这里是 17 位。"),
    ("91440300192203821", "en", "A unified social credit code has 18 characters; this one has 17."),
    ("9144030019220382I6", "en", "Character 17, I, is never used in a credit code (nor are I, O, S, V and Z)."),
    ("B14403001922038216", "zh", "第 1 位是登记管理部门代码，“B”不是有效代码。"),
    ("94440300192203821X", "en", "Character 2 is the organisation type code; 4 is not a type of registration "
                                 "authority 9."),
    ("919903001922038216", "zh", "第 3 至 8 位是登记管理机关行政区划码，“990300”不是有效区划码。"),
    ("914403001922038226", "zh", "第 17 位是组织机构代码的校验码，应为 1。"),
    ("914403001922038217", "zh", "第 18 位校验码应为 6（按所填前 17 位计算），请逐位核对。"),
    ("914403001922038217", "en", "Character 18, the check character, should be 6 for the first 17 as typed: "
                                 "check each character."),
])
def test_a_bad_code_says_why_in_both_languages(code, lang, reason):
    found = problem(code)
    assert found is not None and found.text(lang) == reason


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


@st.composite
def valid_codes(draw) -> str:
    authority = draw(st.sampled_from(sorted(AUTHORITY_TYPES)))
    kind = draw(st.sampled_from(AUTHORITY_TYPES[authority]))
    division = draw(st.sampled_from(sorted(PROVINCES))) + draw(st.text("0123456789", min_size=4, max_size=4))
    body = draw(st.text(CHARSET, min_size=8, max_size=8))
    return _with_check(authority + kind + division + body + organisation_check_character(body))


@settings(max_examples=300)
@given(valid_codes())
def test_a_generated_valid_code_passes(code):
    assert problem(code) is None


@settings(max_examples=500)
@given(valid_codes(), st.integers(0, 17), st.sampled_from(CHARSET + "IOSVZ"))
def test_any_single_character_change_fails_with_a_reason(code, position, replacement):
    changed = code[:position] + replacement + code[position + 1:]
    if changed == code:
        return
    found = problem(changed)
    assert found is not None
    assert found.text("zh") and found.text("en") != found.text("zh")


def test_the_province_is_read_from_the_division_code():
    assert [province(code) for code in REAL] == ["广东", "广东", "浙江", "北京"]
    assert province("111000000000000000") is None  # characters 3-4 are 10: registered nationally
