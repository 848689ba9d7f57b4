"""Worked examples of monthly token bills, each total worked out by hand above it."""

from decimal import Decimal as D

import pytest

from pricing.token_cost import TokenCostError, TokenPrices, TokenWorkload, token_cost

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
