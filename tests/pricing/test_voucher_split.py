"""Who pays what under a voucher programme (spec §7): worked examples, then the properties that always hold."""

from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.voucher_split import (
    CappedBy,
    Reason,
    Rule,
    Terms,
    VoucherLine,
    after_voucher,
    largest_remainder,
    line_rate,
    split_order,
)

# Hangzhou 2026 as seed_data/voucher_programs/hz-2026.json has it: 30% on domestic chips and filed
# models, 20% on everything else, the platform gives 5%, ¥8M a company a year.
HANGZHOU = Terms(
    rules=(Rule(Decimal("0.30"), {"kind": ["gpu"], "domestic_chip": True}),
           Rule(Decimal("0.30"), {"kind": ["token"], "filed_model": True}),
           Rule(Decimal("0.20"), {})),
    platform_rate=Decimal("0.05"), cap_per_company_per_year=Decimal("8000000"),
    valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
# 576 card-hours of Ascend 910B at ¥9.50 and 100 card-hours of H100 at ¥21.33.
ASCEND = VoucherLine(total=Decimal("5472.00"), kind="gpu", billing="on_demand", vendor="autodl",
                     region="cn-hangzhou", gpu_model="ascend-910b", domestic_chip=True)
H100 = VoucherLine(total=Decimal("2133.00"), kind="gpu", billing="on_demand", vendor="autodl",
                   region="cn-hangzhou", gpu_model="h100-sxm")


def test_hangzhou_pays_30_percent_on_the_ascend_line_and_20_on_the_h100_line():
    split = split_order([ASCEND, H100], HANGZHOU)
    # government 5472 × 0.30 + 2133 × 0.20 = 1641.60 + 426.60; platform 7605 × 0.05 = 380.25
    assert (split.total, split.government, split.platform, split.company) == (
        Decimal("7605.00"), Decimal("2068.20"), Decimal("380.25"), Decimal("5156.55"))
    assert split.capped_by is None
    ascend, h100 = split.lines
    assert (ascend.rate, ascend.government, ascend.platform, ascend.company) == (
        Decimal("0.30"), Decimal("1641.60"), Decimal("273.60"), Decimal("3556.80"))
    assert (h100.rate, h100.government, h100.platform, h100.company) == (
        Decimal("0.20"), Decimal("426.60"), Decimal("106.65"), Decimal("1599.75"))
    assert (ascend.reason, ascend.rule, h100.reason, h100.rule) == (Reason.RULE, 1, Reason.RULE, 3)


def test_a_line_at_a_vendor_the_company_is_affiliated_with_earns_nothing_and_the_other_line_keeps_its_share():
    own = VoucherLine(**{**ASCEND.__dict__, "affiliated": True})
    split = split_order([own, H100], HANGZHOU)
    assert (split.lines[0].reason, split.lines[0].government, split.lines[0].company) == (
        Reason.AFFILIATED, Decimal(0), Decimal("5472.00"))
    assert (split.government, split.platform) == (Decimal("426.60"), Decimal("106.65"))


def test_the_company_cap_limits_the_government_share_and_the_lines_share_the_cut():
    # ¥7,999,000 already received this year: ¥1,000 of the ¥8M cap is left.
    split = split_order([ASCEND, H100], HANGZHOU, subsidised_this_year=Decimal("7999000"))
    assert split.government == Decimal("1000.00") and split.capped_by is CappedBy.COMPANY_CAP
    # 1000 in proportion to 1641.60 : 426.60 is 793.7336… : 206.2663…; 99,999 fen go by the floors,
    # the last fen to the larger remainder (the H100 line's .6383 against .3617).
    assert [line.government for line in split.lines] == [Decimal("793.73"), Decimal("206.27")]
    assert split.platform == Decimal("380.25") and split.company == Decimal("6224.75")


def test_the_programme_budget_limits_the_government_share():
    split = split_order([ASCEND, H100], HANGZHOU, remaining_budget=Decimal("500"))
    assert split.government == Decimal("500.00") and split.capped_by is CappedBy.PROGRAM_BUDGET
    # 500 × 1641.60 / 2068.20 = 396.8668…, 500 × 426.60 / 2068.20 = 103.1331…: the Ascend line's .68 wins the fen.
    assert [line.government for line in split.lines] == [Decimal("396.87"), Decimal("103.13")]


def test_the_tighter_of_cap_and_budget_names_the_limit():
    split = split_order([ASCEND], HANGZHOU, subsidised_this_year=Decimal("7999900"), remaining_budget=Decimal("50"))
    assert (split.government, split.capped_by) == (Decimal("50.00"), CappedBy.PROGRAM_BUDGET)
    spent = split_order([ASCEND], HANGZHOU, subsidised_this_year=Decimal("9000000"))
    assert (spent.government, spent.capped_by) == (Decimal("0.00"), CappedBy.COMPANY_CAP)
    assert spent.company == Decimal("5472.00") - Decimal("273.60")


def test_shares_are_rounded_down_to_the_fen():
    line = VoucherLine(total=Decimal("33.33"), kind="cpu", billing="on_demand")
    split = split_order([line], HANGZHOU)
    # 33.33 × 0.20 = 6.666 -> 6.66; 33.33 × 0.05 = 1.6665 -> 1.66
    assert (split.government, split.platform, split.company) == (Decimal("6.66"), Decimal("1.66"), Decimal("25.01"))


@pytest.mark.parametrize(("terms", "line", "reason"), [
    (Terms(rules=(Rule(Decimal("0.5")),), vendors=frozenset({"aliyun"})), H100, Reason.VENDOR),
    (Terms(rules=(Rule(Decimal("0.5")),), offer_regions=frozenset({"cn-beijing"})), H100, Reason.REGION),
    (Terms(rules=(Rule(Decimal("0.5"), {"kind": ["token"]}),)), H100, Reason.NO_RULE),
    (Terms(rules=(Rule(Decimal("0.5"), {"domestic_chip": True}),)), H100, Reason.NO_RULE),
    (Terms(rules=(Rule(Decimal("0.5"), {"billing": ["monthly"]}),)), H100, Reason.NO_RULE),
    (Terms(rules=(Rule(Decimal("0.5"), {"gpu_model": ["h100-sxm"]}),)), H100, Reason.RULE),
])
def test_what_makes_a_line_eligible(terms, line, reason):
    split = split_order([line], terms)
    assert split.lines[0].reason is reason
    assert (split.government > 0) is (reason is Reason.RULE)
    if reason is not Reason.RULE:
        assert split.lines[0].eligible == 0 and split.lines[0].rate == 0


def test_outside_its_dates_a_programme_pays_nothing():
    assert line_rate(ASCEND, HANGZHOU, on=date(2027, 1, 1))[1] is Reason.NOT_IN_FORCE
    assert split_order([ASCEND], HANGZHOU, on=date(2025, 12, 31)).government == 0
    assert split_order([ASCEND], HANGZHOU, on=date(2026, 12, 31)).government == Decimal("1641.60")


def test_a_token_line_of_a_filed_model_earns_the_higher_rate():
    filed = VoucherLine(total=Decimal("100.00"), kind="token", billing="on_demand", model="deepseek-v3",
                        filed_model=True)
    foreign = VoucherLine(total=Decimal("100.00"), kind="token", billing="on_demand", model="gpt-4o")
    assert [line.government for line in split_order([filed, foreign], HANGZHOU).lines] == [
        Decimal("30.00"), Decimal("20.00")]


def test_largest_remainder_never_passes_a_cap():
    assert largest_remainder(3, [Fraction(1)] * 4, [1, 1, 1, 1]) == [1, 1, 1, 0]
    assert largest_remainder(2, [Fraction(9), Fraction(1)], [1, 5]) == [1, 1]
    with pytest.raises(ValueError):
        largest_remainder(3, [Fraction(1), Fraction(1)], [1, 1])


# ---- properties ----------------------------------------------------------------------------------------

RATES = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n).scaleb(-2))
LINES = st.lists(st.builds(
    VoucherLine,
    total=st.integers(min_value=0, max_value=10**11).map(lambda fen: Decimal(fen).scaleb(-2)),
    kind=st.sampled_from(["gpu", "cpu", "token"]), billing=st.sampled_from(["on_demand", "monthly"]),
    vendor=st.sampled_from(["a", "b"]), region=st.sampled_from([None, "cn-hangzhou", "cn-beijing"]),
    domestic_chip=st.booleans(), filed_model=st.booleans()), min_size=1, max_size=8)


@st.composite
def terms(draw):
    platform = draw(st.integers(min_value=0, max_value=30).map(lambda n: Decimal(n).scaleb(-2)))
    rule_rates = draw(st.lists(RATES.filter(lambda r: r + platform <= 1), min_size=0, max_size=3))
    whens = [{}, {"kind": ["gpu"]}, {"domestic_chip": True}, {"kind": ["token"], "filed_model": True},
             {"billing": ["monthly"]}]
    rules = tuple(Rule(rate, draw(st.sampled_from(whens))) for rate in rule_rates)
    cap = draw(st.none() | st.integers(min_value=0, max_value=10**9).map(Decimal))
    return Terms(rules=rules, platform_rate=platform, cap_per_company_per_year=cap,
                 vendors=draw(st.sampled_from([frozenset(), frozenset({"a"})])),
                 offer_regions=draw(st.sampled_from([frozenset(), frozenset({"cn-hangzhou"})])))


def ceil_fen(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def floor_fen(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


@settings(max_examples=400, deadline=None)
@given(LINES, terms(), st.integers(min_value=0, max_value=10**9).map(Decimal),
       st.none() | st.integers(min_value=0, max_value=10**11).map(lambda fen: Decimal(fen).scaleb(-2)))
def test_shares_add_up_never_go_negative_and_never_pass_the_rule_or_the_limits(lines, rules, received, budget):
    split = split_order(lines, rules, subsidised_this_year=received, remaining_budget=budget)
    shares = split.lines
    # the lines add up to the order exactly, and the order's three shares to its total
    assert sum(s.total for s in shares) == split.total == sum(line.total for line in lines)
    assert sum(s.government for s in shares) == split.government
    assert sum(s.platform for s in shares) == split.platform
    assert sum(s.company for s in shares) == split.company
    assert split.government + split.platform + split.company == split.total
    for s in shares:
        assert min(s.government, s.platform, s.company, s.eligible) >= 0
        assert s.government + s.platform + s.company == s.total
        # a line never gets more than its rule gives it, but for the fen the largest remainder adds
        assert s.government <= ceil_fen(s.eligible * s.rate)
        assert s.platform <= ceil_fen(s.eligible * rules.platform_rate)
    wanted = sum((s.eligible * s.rate for s in shares), Decimal(0))
    assert split.government <= wanted and split.platform == floor_fen(
        sum((s.eligible for s in shares), Decimal(0)) * rules.platform_rate)
    if rules.cap_per_company_per_year is not None:
        assert split.government <= max(Decimal(0), rules.cap_per_company_per_year - received)
    if budget is not None:
        assert split.government <= budget
    if split.capped_by is None:
        assert split.government == floor_fen(wanted)
    else:
        assert split.government < wanted


def test_the_price_after_a_voucher_is_what_the_company_pays_per_unit():
    assert after_voucher(Decimal("9.50"), Decimal("0.30"), Decimal("0.05")) == Decimal("6.1750")
    assert after_voucher(Decimal("21.33"), Decimal("0.20"), Decimal(0)) == Decimal("17.0640")
