"""What a month of LLM tokens costs on one token offer. No Flask.

monthly cost = input × (1 − cache share) × input price
             + input × cache share × cached-input price (the input price where none is listed)
             + output × output price,
prices in CNY per 1M tokens. Exact Decimal; the total is rounded to the fen at the end.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from pricing.display import Phrase, phrase
from pricing.job_cost import CENT, money, num, rate

MILLION = Decimal(1_000_000)
DEFAULT_DAYS_PER_MONTH = Decimal(30)


class TokenCostError(ValueError):
    """Negative tokens, a cache share outside 0..1, or no tokens at all."""


@dataclass(frozen=True)
class TokenWorkload:
    input_tokens: Decimal  # per month
    output_tokens: Decimal  # per month
    cache_hit_share: Decimal = Decimal(0)  # share of input tokens served from the provider's cache

    @classmethod
    def from_users(cls, daily_active_users: Decimal, requests_per_user: Decimal, input_per_request: Decimal,
                   output_per_request: Decimal, cache_hit_share: Decimal = Decimal(0),
                   days_per_month: Decimal = DEFAULT_DAYS_PER_MONTH) -> "TokenWorkload":
        """Monthly tokens = users × requests per user per day × tokens per request × days."""
        requests = daily_active_users * requests_per_user * days_per_month
        return cls(requests * input_per_request, requests * output_per_request, cache_hit_share)


@dataclass(frozen=True)
class TokenPrices:
    input_price: Decimal  # CNY per 1M tokens
    output_price: Decimal
    cached_input_price: Decimal | None = None


@dataclass
class TokenCost:
    total: Decimal  # CNY per month, to the fen
    input_cost: Decimal
    cached_cost: Decimal
    output_cost: Decimal
    tokens_per_yuan: Decimal | None  # None when the month costs nothing
    cache_priced: bool
    # Said in the page's language, or both for the plan JSON (English msgids, Chinese in i18n/pricing).
    arithmetic: Phrase | None = None
    assumptions: list[Phrase] = field(default_factory=list)


def _millions(tokens: Decimal) -> str:
    return num((tokens / MILLION).quantize(Decimal("0.000001")).normalize())


def token_cost(work: TokenWorkload, prices: TokenPrices) -> TokenCost:
    """:raise TokenCostError: the workload is not a real month of tokens."""
    if work.input_tokens < 0 or work.output_tokens < 0:
        raise TokenCostError("token counts cannot be negative")
    if work.input_tokens + work.output_tokens == 0:
        raise TokenCostError("the workload has no tokens")
    if not Decimal(0) <= work.cache_hit_share <= Decimal(1):
        raise TokenCostError("the cache-hit share must be between 0 and 1")
    cache_priced = prices.cached_input_price is not None
    cached_price = prices.cached_input_price if cache_priced else prices.input_price
    with localcontext() as ctx:
        ctx.prec = 40
        cached_tokens = work.input_tokens * work.cache_hit_share
        fresh_tokens = work.input_tokens - cached_tokens
        input_cost = fresh_tokens * prices.input_price / MILLION
        cached_cost = cached_tokens * cached_price / MILLION
        output_cost = work.output_tokens * prices.output_price / MILLION
        exact = input_cost + cached_cost + output_cost
        total = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        per_yuan = ((work.input_tokens + work.output_tokens) / exact).quantize(Decimal(1), rounding=ROUND_HALF_UP) \
            if exact > 0 else None
    fresh = phrase("%(millions)sM input × %(price)s", millions=_millions(fresh_tokens), price=rate(prices.input_price))
    output = phrase("%(millions)sM output × %(price)s", millions=_millions(work.output_tokens),
                    price=rate(prices.output_price))
    if cached_tokens:
        cached = phrase("%(millions)sM cached input × %(price)s", millions=_millions(cached_tokens),
                        price=rate(cached_price))
        arithmetic = phrase("%(fresh)s + %(cached)s + %(output)s (prices per 1M tokens) = %(total)s/month",
                            fresh=fresh, cached=cached, output=output, total=money(total))
    else:
        arithmetic = phrase("%(fresh)s + %(output)s (prices per 1M tokens) = %(total)s/month",
                            fresh=fresh, output=output, total=money(total))
    result = TokenCost(
        total=total, input_cost=input_cost.quantize(CENT, rounding=ROUND_HALF_UP),
        cached_cost=cached_cost.quantize(CENT, rounding=ROUND_HALF_UP),
        output_cost=output_cost.quantize(CENT, rounding=ROUND_HALF_UP), tokens_per_yuan=per_yuan,
        cache_priced=cache_priced, arithmetic=arithmetic)
    if work.cache_hit_share and not cache_priced:
        result.assumptions.append(phrase("no cached-input price is listed: cached input is charged at the input price"))
    return result
