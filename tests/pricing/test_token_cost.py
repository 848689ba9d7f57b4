"""Worked examples of monthly token bills, each total worked out by hand above it."""

from decimal import Decimal as D

import pytest

from pricing.token_cost import TokenCostError, TokenPrices, TokenWorkload, request_cost, token_cost

DEEPSEEK = TokenPrices(input_price=D("2.00"), output_price=D("3.00"))


def test_plain_month():
    # 100M input × ¥2 + 20M output × ¥3 = 200 + 60 = ¥260.00; 120M tokens / 260 = 461,538 tokens per yuan
    cost = token_cost(TokenWorkload(D(100_000_000), D(20_000_000)), DEEPSEEK)
    assert cost.total == D("260.00")
    assert cost.tokens_per_yuan == D(461538)
    assert cost.arithmetic.text("en") == "100M input × ¥2.00 + 20M output × ¥3.00 (prices per 1M tokens) = ¥260.00/month"


def test_cache_hits_at_the_cached_price():
    # 40% of 100M input hits the cache at ¥0.50: 60M × 2 + 40M × 0.5 + 20M × 3 = 120 + 20 + 60 = ¥200.00
    prices = TokenPrices(D("2.00"), D("3.00"), cached_input_price=D("0.50"))
    cost = token_cost(TokenWorkload(D(100_000_000), D(20_000_000), D("0.4")), prices)
    assert (cost.input_cost, cost.cached_cost, cost.output_cost) == (D("120.00"), D("20.00"), D("60.00"))
    assert cost.total == D("200.00")
    assert cost.tokens_per_yuan == D(600000)
    assert "40M 缓存命中输入 × ¥0.50" in cost.arithmetic.text("zh")


def test_cache_share_without_a_cached_price_falls_back_to_the_input_price():
    # No cached price: the 40M cached tokens cost ¥2 like the rest -> still ¥260.00, and it says so
    cost = token_cost(TokenWorkload(D(100_000_000), D(20_000_000), D("0.4")), DEEPSEEK)
    assert cost.total == D("260.00")
    assert cost.cache_priced is False
    assert any("input price" in a.text("en") for a in cost.assumptions)


def test_workload_from_daily_users():
    # 1,000 users × 10 requests × 30 days = 300,000 requests;
    # × 1,500 input = 450M input, × 500 output = 150M output; 450 × 2 + 150 × 3 = ¥1,350.00
    work = TokenWorkload.from_users(D(1000), D(10), D(1500), D(500))
    assert (work.input_tokens, work.output_tokens) == (D(450_000_000), D(150_000_000))
    assert token_cost(work, DEEPSEEK).total == D("1350.00")


def test_foreign_model_normalized_prices():
    # USD 3 / 15 per 1M at 7.1 = ¥21.30 / ¥106.50; 1M in + 1M out = ¥127.80; 2M / 127.8 = 15,649 tokens per yuan
    cost = token_cost(TokenWorkload(D(1_000_000), D(1_000_000)), TokenPrices(D("21.3"), D("106.5")))
    assert cost.total == D("127.80")
    assert cost.tokens_per_yuan == D(15649)


@pytest.mark.parametrize("work", [
    TokenWorkload(D(-1), D(5)),
    TokenWorkload(D(0), D(0)),
    TokenWorkload(D(10), D(10), D("1.5")),
])
def test_impossible_workloads_are_refused(work):
    with pytest.raises(TokenCostError):
        token_cost(work, DEEPSEEK)


def test_arithmetic_in_each_language_from_the_catalogs():
    # 60M × ¥2 + 40M × ¥2 (no cached price) + 20M × ¥3 = ¥260.00
    cost = token_cost(TokenWorkload(D(100_000_000), D(20_000_000), D("0.4")), DEEPSEEK)
    assert cost.arithmetic.text("zh") == "60M 输入 × ¥2.00 + 40M 缓存命中输入 × ¥2.00 + 20M 输出 × ¥3.00（单价 /百万 tokens）= ¥260.00/月"
    assert cost.arithmetic.text("en") == ("60M input × ¥2.00 + 40M cached input × ¥2.00 + 20M output × ¥3.00 "
                                          "(prices per 1M tokens) = ¥260.00/month")
    assert [a.text("zh") for a in cost.assumptions] == ["该模型未标缓存命中价，缓存命中部分按普通输入价计"]


# --- every price component (issue 16), each worked out by hand above it --------------------------

GEMINI_PRO = TokenPrices(input_price=D("9.00"), output_price=D("72.00"), cached_input_price=D("0.90"),
                         long_context_threshold=200_000, long_input_price=D("18.00"), long_output_price=D("108.00"),
                         batch_rate=D("0.5"))


def test_one_request_over_the_threshold_is_billed_whole_at_the_long_rate():
    # 250,000 input + 2,000 output, threshold 200,000: the WHOLE request at the long prices,
    # 250,000 × ¥18 / 1M + 2,000 × ¥108 / 1M = 4.5 + 0.216 = ¥4.716 (not just the 50,000 past the threshold:
    # that would be 200,000 × 9 / 1M + 50,000 × 18 / 1M + 2,000 × 72 / 1M = 1.8 + 0.9 + 0.144 = ¥2.844).
    assert request_cost(250_000, 2_000, GEMINI_PRO) == (D("4.716"), True)
    # 200,000 is not over the threshold: 200,000 × 9 / 1M + 2,000 × 72 / 1M = 1.8 + 0.144 = ¥1.944
    assert request_cost(200_000, 2_000, GEMINI_PRO) == (D("1.944"), False)


def test_a_share_of_long_requests_in_a_month():
    # 100M input, 10M output, 20% of requests past the threshold (billed whole at the long prices):
    # 80M × 9 + 20M × 18 + 8M × 72 + 2M × 108 = 720 + 360 + 576 + 216 = ¥1,872.00
    work = TokenWorkload(D(100_000_000), D(10_000_000), long_context_share=D("0.2"))
    cost = token_cost(work, GEMINI_PRO)
    assert cost.total == D("1872.00")
    assert (cost.input_cost, cost.output_cost) == (D("1080.00"), D("792.00"))
    assert cost.arithmetic.text("en") == (
        "80M input × ¥9.00 + 20M long-context input × ¥18.00 + 8M output × ¥72.00 + 2M long-context output × "
        "¥108.00 (prices per 1M tokens) = ¥1,872.00/month")
    assert [a.text("en") for a in cost.assumptions] == [
        "a request over 200,000 input tokens is billed whole at the long-context prices"]
    assert "长上下文" in cost.arithmetic.text("zh")


def test_long_share_without_a_long_price_is_billed_normally_and_says_so():
    # 100M × 2 + 20M × 3 = ¥260.00 whatever the long share, and the plan says why
    cost = token_cost(TokenWorkload(D(100_000_000), D(20_000_000), long_context_share=D("0.5")), DEEPSEEK)
    assert cost.total == D("260.00")
    assert [a.text("en") for a in cost.assumptions] == [
        "no long-context price is listed: long requests are charged at the normal prices"]


def test_cached_share_and_cache_writes():
    # 100M input: 50% cache hits at ¥0.90, 10% written to the cache at ¥11.25, 40% fresh at ¥9; 10M output at ¥72:
    # 40M × 9 + 50M × 0.9 + 10M × 11.25 + 10M × 72 = 360 + 45 + 112.5 + 720 = ¥1,237.50
    prices = TokenPrices(D("9.00"), D("72.00"), cached_input_price=D("0.90"), cache_write_price=D("11.25"))
    work = TokenWorkload(D(100_000_000), D(10_000_000), cache_hit_share=D("0.5"), cache_write_share=D("0.1"))
    cost = token_cost(work, prices)
    assert (cost.input_cost, cost.cached_cost, cost.cache_write_cost, cost.output_cost) == (
        D("360.00"), D("45.00"), D("112.50"), D("720.00"))
    assert cost.total == D("1237.50")
    assert "10M cache-write input × ¥11.25" in cost.arithmetic.text("en")


def test_batch_share_at_the_batch_rate():
    # 100M input × 9 + 10M output × 72 = 900 + 720 = ¥1,620 before discounts;
    # 40% sent as batch at half price: 1,620 × (1 − 0.4 × (1 − 0.5)) = 1,620 × 0.8 = ¥1,296.00
    cost = token_cost(TokenWorkload(D(100_000_000), D(10_000_000), batch_share=D("0.4")), GEMINI_PRO)
    assert (cost.subtotal, cost.discount, cost.total) == (D("1620.00"), D("324.00"), D("1296.00"))
    assert cost.arithmetic.text("en") == (
        "100M input × ¥9.00 + 10M output × ¥72.00 (prices per 1M tokens) = ¥1,620.00; "
        "¥1,620.00 × (1 − 40% batch × (1 − 0.5)) = ¥1,296.00/month")


def test_off_peak_share_at_the_off_peak_rate_and_batch_without_a_batch_price():
    # DeepSeek-style: ¥2 in / ¥3 out, off-peak at 25% of the price (00:30–08:30 Beijing).
    # 500M input (5亿) × 2 + 100M output (1亿) × 3 = 1,000 + 300 = ¥1,300 before discounts;
    # 60% of the traffic at off-peak hours: 1,300 × (1 − 0.6 × (1 − 0.25)) = 1,300 × 0.55 = ¥715.00.
    # The 20% sent as batch has no batch price: billed at the normal price, and the plan says so.
    prices = TokenPrices(D("2.00"), D("3.00"), off_peak_rate=D("0.25"))
    work = TokenWorkload(D(500_000_000), D(100_000_000), batch_share=D("0.2"), off_peak_share=D("0.6"))
    cost = token_cost(work, prices)
    assert cost.total == D("715.00")
    assert "60% off-peak × (1 − 0.25)" in cost.arithmetic.text("en")
    assert "60% 闲时" in cost.arithmetic.text("zh")
    assert [a.text("en") for a in cost.assumptions] == [
        "no batch price is listed: the batch share is charged at the normal price"]


def test_batch_and_off_peak_are_disjoint_parts_of_the_traffic():
    # 1,000 × (1 − 0.5 × 0.5 − 0.5 × 0.75) = 1,000 × 0.375 = ¥375.00 (100M × ¥10, no output)
    prices = TokenPrices(D("10"), D("10"), batch_rate=D("0.5"), off_peak_rate=D("0.25"))
    work = TokenWorkload(D(100_000_000), D(0), batch_share=D("0.5"), off_peak_share=D("0.5"))
    assert token_cost(work, prices).total == D("375.00")
    with pytest.raises(TokenCostError):
        token_cost(TokenWorkload(D(100), D(0), batch_share=D("0.6"), off_peak_share=D("0.5")), prices)
    with pytest.raises(TokenCostError):
        token_cost(TokenWorkload(D(100), D(0), cache_hit_share=D("0.8"), cache_write_share=D("0.3")), prices)
