"""What a month of LLM tokens costs on one token offer, every price component counted. No Flask.

Of the month's input, a share hits the provider's cache (cached-input price) and a share is
written to it (cache-write price); the rest is fresh input. A share of requests runs past the
long-context threshold, and such a request is billed WHOLE at the long-context prices (not
just the tokens past the threshold). Then a share of the traffic is sent as batch and a share
at off-peak hours, each at its multiplier; the two are disjoint parts of the traffic, so a
discount never stacks on another:

  subtotal = fresh input × ((1 − long) × input + long × long input)
           + cached input × cached-input price + cache writes × cache-write price
           + output × ((1 − long) × output + long × long output)
  total    = subtotal × (1 − batch × (1 − batch rate) − off-peak × (1 − off-peak rate))

Prices in CNY per 1M tokens. A component the offer does not have (None) bills its share at the
normal price, and the result says so. Exact Decimal; rounded to the fen at the end.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from pricing.display import Phrase, phrase
from pricing.job_cost import CENT, money, num, rate

MILLION = Decimal(1_000_000)
DEFAULT_DAYS_PER_MONTH = Decimal(30)
ZERO = Decimal(0)
ONE = Decimal(1)


class TokenCostError(ValueError):
    """Negative tokens, a share outside 0..1, shares that add up past the whole, or no tokens at all."""


@dataclass(frozen=True)
class TokenWorkload:
    input_tokens: Decimal  # per month
    output_tokens: Decimal  # per month
    cache_hit_share: Decimal = ZERO  # share of input tokens served from the provider's cache
    cache_write_share: Decimal = ZERO  # share of input tokens written to the cache
    long_context_share: Decimal = ZERO  # share of requests (so of tokens) past the long-context threshold
    batch_share: Decimal = ZERO  # share of traffic sent through the batch API
    off_peak_share: Decimal = ZERO  # share of traffic sent at the provider's off-peak hours

    @classmethod
    def from_users(cls, daily_active_users: Decimal, requests_per_user: Decimal, input_per_request: Decimal,
                   output_per_request: Decimal, cache_hit_share: Decimal = ZERO,
                   days_per_month: Decimal = DEFAULT_DAYS_PER_MONTH, **shares: Decimal) -> "TokenWorkload":
        """Monthly tokens = users × requests per user per day × tokens per request × days."""
        requests = daily_active_users * requests_per_user * days_per_month
        return cls(requests * input_per_request, requests * output_per_request, cache_hit_share, **shares)

    def part(self, share: Decimal, **shares: Decimal) -> "TokenWorkload":
        """This share of the traffic, with the same cache and long-context shape and the given discount shares."""
        return TokenWorkload(self.input_tokens * share, self.output_tokens * share, self.cache_hit_share,
                             self.cache_write_share, self.long_context_share,
                             shares.get("batch_share", ZERO), shares.get("off_peak_share", ZERO))


@dataclass(frozen=True)
class TokenPrices:
    input_price: Decimal  # CNY per 1M tokens
    output_price: Decimal
    cached_input_price: Decimal | None = None
    cache_write_price: Decimal | None = None
    long_context_threshold: int | None = None  # input tokens per request
    long_input_price: Decimal | None = None
    long_output_price: Decimal | None = None
    batch_rate: Decimal | None = None  # multiplier: 0.5 = half price
    off_peak_rate: Decimal | None = None

    @property
    def has_long_context(self) -> bool:
        return None not in (self.long_context_threshold, self.long_input_price, self.long_output_price)


@dataclass
class TokenCost:
    total: Decimal  # CNY per month, to the fen
    input_cost: Decimal  # fresh input, long-context requests included
    cached_cost: Decimal
    output_cost: Decimal  # long-context requests included
    tokens_per_yuan: Decimal | None  # None when the month costs nothing
    cache_priced: bool
    # Said in the page's language, or both for the plan JSON (English msgids, Chinese in i18n/pricing).
    arithmetic: Phrase | None = None
    assumptions: list[Phrase] = field(default_factory=list)
    cache_write_cost: Decimal = ZERO
    discount: Decimal = ZERO  # what batch and off-peak took off the subtotal, to the fen
    subtotal: Decimal = ZERO


def _millions(tokens: Decimal) -> str:
    return num((tokens / MILLION).quantize(Decimal("0.000001")).normalize())


def _share(value: Decimal) -> str:
    return num((value * 100).normalize())


def _check(work: TokenWorkload) -> None:
    if work.input_tokens < 0 or work.output_tokens < 0:
        raise TokenCostError("token counts cannot be negative")
    if work.input_tokens + work.output_tokens == 0:
        raise TokenCostError("the workload has no tokens")
    for name in ("cache_hit_share", "cache_write_share", "long_context_share", "batch_share", "off_peak_share"):
        if not ZERO <= getattr(work, name) <= ONE:
            raise TokenCostError(f"the {name.replace('_', ' ')} must be between 0 and 1")
    if work.cache_hit_share + work.cache_write_share > ONE:
        raise TokenCostError("cache hits and cache writes together cannot pass the whole input")
    if work.batch_share + work.off_peak_share > ONE:
        raise TokenCostError("the batch and off-peak shares together cannot pass the whole traffic")


def _sum(terms: list[Phrase]) -> Phrase:
    said = terms[0]
    for term in terms[1:]:
        said = phrase("%(a)s + %(b)s", a=said, b=term)
    return said


def token_cost(work: TokenWorkload, prices: TokenPrices) -> TokenCost:
    """:raise TokenCostError: the workload is not a real month of tokens."""
    _check(work)
    assumptions: list[Phrase] = []
    cache_priced = prices.cached_input_price is not None
    cached_price = prices.cached_input_price if cache_priced else prices.input_price
    write_price = prices.cache_write_price if prices.cache_write_price is not None else prices.input_price
    long_share = work.long_context_share if prices.has_long_context else ZERO
    batch_rate = prices.batch_rate if prices.batch_rate is not None else ONE
    off_peak_rate = prices.off_peak_rate if prices.off_peak_rate is not None else ONE
    with localcontext() as ctx:
        ctx.prec = 40
        cached_tokens = work.input_tokens * work.cache_hit_share
        written_tokens = work.input_tokens * work.cache_write_share
        fresh_tokens = work.input_tokens - cached_tokens - written_tokens
        long_in, long_out = fresh_tokens * long_share, work.output_tokens * long_share
        short_in, short_out = fresh_tokens - long_in, work.output_tokens - long_out
        input_cost = short_in * prices.input_price / MILLION
        cached_cost = cached_tokens * cached_price / MILLION
        write_cost = written_tokens * write_price / MILLION
        output_cost = short_out * prices.output_price / MILLION
        long_in_cost = long_in * prices.long_input_price / MILLION if long_in else ZERO
        long_out_cost = long_out * prices.long_output_price / MILLION if long_out else ZERO
        subtotal = input_cost + long_in_cost + cached_cost + write_cost + output_cost + long_out_cost
        factor = ONE - work.batch_share * (ONE - batch_rate) - work.off_peak_share * (ONE - off_peak_rate)
        exact = subtotal * factor
        total = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        per_yuan = ((work.input_tokens + work.output_tokens) / exact).quantize(Decimal(1), rounding=ROUND_HALF_UP) \
            if exact > 0 else None
    fresh = phrase("%(millions)sM input × %(price)s", millions=_millions(short_in), price=rate(prices.input_price))
    output = phrase("%(millions)sM output × %(price)s", millions=_millions(short_out),
                    price=rate(prices.output_price))
    cached = phrase("%(millions)sM cached input × %(price)s", millions=_millions(cached_tokens),
                    price=rate(cached_price))
    plain = not (written_tokens or long_in or long_out or factor != ONE)
    if plain and cached_tokens:
        arithmetic = phrase("%(fresh)s + %(cached)s + %(output)s (prices per 1M tokens) = %(total)s/month",
                            fresh=fresh, cached=cached, output=output, total=money(total))
    elif plain:
        arithmetic = phrase("%(fresh)s + %(output)s (prices per 1M tokens) = %(total)s/month",
                            fresh=fresh, output=output, total=money(total))
    else:
        terms = [fresh] if short_in else []
        if long_in:
            terms.append(phrase("%(millions)sM long-context input × %(price)s", millions=_millions(long_in),
                                price=rate(prices.long_input_price)))
        if cached_tokens:
            terms.append(cached)
        if written_tokens:
            terms.append(phrase("%(millions)sM cache-write input × %(price)s", millions=_millions(written_tokens),
                                price=rate(write_price)))
        if short_out:
            terms.append(output)
        if long_out:
            terms.append(phrase("%(millions)sM long-context output × %(price)s", millions=_millions(long_out),
                                price=rate(prices.long_output_price)))
        rounded_subtotal = subtotal.quantize(CENT, rounding=ROUND_HALF_UP)
        if factor == ONE:
            arithmetic = phrase("%(terms)s (prices per 1M tokens) = %(total)s/month", terms=_sum(terms),
                                total=money(total))
        else:
            discounts = []
            if work.batch_share and batch_rate != ONE:
                discounts.append(phrase("%(share)s%% batch × (1 − %(rate)s)", share=_share(work.batch_share),
                                        rate=num(batch_rate.normalize())))
            if work.off_peak_share and off_peak_rate != ONE:
                discounts.append(phrase("%(share)s%% off-peak × (1 − %(rate)s)", share=_share(work.off_peak_share),
                                        rate=num(off_peak_rate.normalize())))
            said = discounts[0] if len(discounts) == 1 else phrase("%(a)s − %(b)s", a=discounts[0], b=discounts[1])
            arithmetic = phrase("%(terms)s (prices per 1M tokens) = %(subtotal)s; "
                                "%(subtotal)s × (1 − %(discounts)s) = %(total)s/month",
                                terms=_sum(terms), subtotal=money(rounded_subtotal), discounts=said,
                                total=money(total))
    if work.cache_hit_share and not cache_priced:
        assumptions.append(phrase("no cached-input price is listed: cached input is charged at the input price"))
    if work.cache_write_share and prices.cache_write_price is None:
        assumptions.append(phrase("no cache-write price is listed: cache writes are charged at the input price"))
    if work.long_context_share and not prices.has_long_context:
        assumptions.append(phrase("no long-context price is listed: long requests are charged at the normal prices"))
    elif work.long_context_share:
        assumptions.append(phrase(
            "a request over %(threshold)s input tokens is billed whole at the long-context prices",
            threshold=num(Decimal(prices.long_context_threshold))))
    if work.batch_share and prices.batch_rate is None:
        assumptions.append(phrase("no batch price is listed: the batch share is charged at the normal price"))
    if work.off_peak_share and prices.off_peak_rate is None:
        assumptions.append(phrase("no off-peak price is listed: the off-peak share is charged at the normal price"))
    return TokenCost(
        total=total, input_cost=(input_cost + long_in_cost).quantize(CENT, rounding=ROUND_HALF_UP),
        cached_cost=cached_cost.quantize(CENT, rounding=ROUND_HALF_UP),
        output_cost=(output_cost + long_out_cost).quantize(CENT, rounding=ROUND_HALF_UP), tokens_per_yuan=per_yuan,
        cache_priced=cache_priced, arithmetic=arithmetic, assumptions=assumptions,
        cache_write_cost=write_cost.quantize(CENT, rounding=ROUND_HALF_UP),
        discount=(subtotal - exact).quantize(CENT, rounding=ROUND_HALF_UP),
        subtotal=subtotal.quantize(CENT, rounding=ROUND_HALF_UP))


def request_cost(input_tokens: int, output_tokens: int, prices: TokenPrices) -> tuple[Decimal, bool]:
    """(CNY, exact) of one request and whether it ran past the threshold, so billed whole at the long prices."""
    long = prices.has_long_context and input_tokens > prices.long_context_threshold
    in_price = prices.long_input_price if long else prices.input_price
    out_price = prices.long_output_price if long else prices.output_price
    with localcontext() as ctx:
        ctx.prec = 40
        return (Decimal(input_tokens) * in_price + Decimal(output_tokens) * out_price) / MILLION, bool(long)
