"""Price units, billing modes and offer kinds, with the words vendors use for them."""

from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from pricing.text import squash


class Kind(StrEnum):
    GPU = "gpu"
    CPU = "cpu"
    TOKEN = "token"


class Billing(StrEnum):
    ON_DEMAND = "on_demand"
    SPOT = "spot"
    MONTHLY = "monthly"
    YEARLY = "yearly"


class PriceUnit(StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    CARD_HOUR = "card_hour"
    CORE_HOUR = "core_hour"
    TOKEN = "token"
    K_TOKENS = "1k_tokens"
    M_TOKENS = "1m_tokens"


# Hours in one unit of time (spec section 2: month = 730 h, year = 8760 h).
# Fractions, because a minute (1/60 h) has no exact Decimal.
HOURS = {
    PriceUnit.MINUTE: Fraction(1, 60),
    PriceUnit.HOUR: Fraction(1),
    PriceUnit.DAY: Fraction(24),
    PriceUnit.WEEK: Fraction(168),
    PriceUnit.MONTH: Fraction(730),
    PriceUnit.YEAR: Fraction(8760),
    PriceUnit.CARD_HOUR: Fraction(1),
    PriceUnit.CORE_HOUR: Fraction(1),
}
# Tokens in one unit of token pricing.
TOKENS = {
    PriceUnit.TOKEN: Decimal(1),
    PriceUnit.K_TOKENS: Decimal(1000),
    PriceUnit.M_TOKENS: Decimal(1_000_000),
}
TIME_UNITS = frozenset(HOURS) - {PriceUnit.CARD_HOUR, PriceUnit.CORE_HOUR}
TOKEN_UNITS = frozenset(TOKENS)

_KIND_WORDS = {
    Kind.GPU: ["gpu", "显卡", "gpu云服务器", "gpu服务器", "算力卡", "加速卡", "加速器", "accelerator", "智算"],
    Kind.CPU: ["cpu", "通用", "通用型", "通用计算", "云服务器", "vm", "instance", "计算型"],
    Kind.TOKEN: ["token", "tokens", "模型", "大模型", "llm", "api", "大模型api", "模型api", "推理api"],
}
_BILLING_WORDS = {
    Billing.ON_DEMAND: ["on_demand", "on demand", "按量", "按量付费", "按量计费", "按需", "按需计费",
                        "按小时", "按时", "pay as you go", "payg", "postpaid", "后付费"],
    Billing.SPOT: ["spot", "竞价", "竞价实例", "抢占式", "抢占式实例", "preemptible", "interruptible"],
    Billing.MONTHLY: ["monthly", "包月", "月付", "按月", "month", "1个月", "prepaid monthly"],
    Billing.YEARLY: ["yearly", "annual", "包年", "年付", "按年", "year", "1年", "prepaid yearly"],
}
_UNIT_WORDS = {
    PriceUnit.MINUTE: ["minute", "min", "分钟", "每分钟", "/min", "per minute"],
    PriceUnit.HOUR: ["hour", "hr", "h", "小时", "每小时", "时", "/hour", "per hour", "hourly"],
    PriceUnit.DAY: ["day", "天", "日", "每天", "per day", "daily"],
    PriceUnit.WEEK: ["week", "周", "星期", "per week", "weekly"],
    PriceUnit.MONTH: ["month", "月", "每月", "per month", "monthly", "mo"],
    PriceUnit.YEAR: ["year", "年", "每年", "per year", "yearly", "yr", "annual"],
    PriceUnit.CARD_HOUR: ["card_hour", "card hour", "卡时", "卡·时", "卡小时", "每卡每小时", "gpu hour",
                          "gpu_hour", "per gpu hour", "per card hour", "gpu-hr"],
    PriceUnit.CORE_HOUR: ["core_hour", "core hour", "核时", "核·时", "核小时", "vcpu hour", "vcpu_hour",
                          "per vcpu hour", "per core hour", "cpu hour"],
    PriceUnit.TOKEN: ["token", "per token", "每token", "/token"],
    PriceUnit.K_TOKENS: ["1k_tokens", "1k tokens", "千tokens", "千token", "每千tokens", "每千token",
                         "1k", "per 1k tokens", "ktok", "1000 tokens", "千个token"],
    PriceUnit.M_TOKENS: ["1m_tokens", "1m tokens", "百万tokens", "百万token", "每百万tokens",
                         "每百万token", "1m", "per 1m tokens", "mtok", "1000000 tokens", "百万个token",
                         "million tokens", "m tokens"],
}
# Currency words that may lead a unit: "元/卡时", "美元/小时", "USD/hour".
_UNIT_CURRENCY_PREFIXES = [
    ("美元", "USD"), ("usd", "USD"), ("us$", "USD"), ("$", "USD"), ("港元", "HKD"), ("港币", "HKD"),
    ("hkd", "HKD"), ("欧元", "EUR"), ("eur", "EUR"), ("€", "EUR"), ("新加坡元", "SGD"), ("sgd", "SGD"),
    ("日元", "JPY"), ("jpy", "JPY"), ("人民币", "CNY"), ("rmb", "CNY"), ("cny", "CNY"), ("元", "CNY"),
    ("¥", "CNY"),
]


def _index(words: dict) -> dict[str, str]:
    return {squash(w): key for key, ws in words.items() for w in [key.value, *ws]}


_KINDS = _index(_KIND_WORDS)
_BILLINGS = _index(_BILLING_WORDS)
_UNITS = _index(_UNIT_WORDS)


class UnknownWord(ValueError):
    """A kind, billing or unit word we do not know."""


def parse_kind(text: str) -> Kind:
    try:
        return Kind(_KINDS[squash(text)])
    except KeyError:
        raise UnknownWord(f"unknown kind {text!r}") from None


def parse_billing(text: str) -> Billing:
    try:
        return Billing(_BILLINGS[squash(text)])
    except KeyError:
        raise UnknownWord(f"unknown billing mode {text!r}") from None


def parse_price_unit(text: str) -> tuple[PriceUnit, str | None]:
    """Return (unit, currency the unit word names, or None): '元/卡时' is (card_hour, 'CNY')."""
    key = squash(text)
    currency = None
    for prefix, code in _UNIT_CURRENCY_PREFIXES:
        p = squash(prefix)
        if key.startswith(p) and key != p and key[len(p):] in _UNITS:
            key, currency = key[len(p):], code
            break
    for prefix in ("per", "每", "/"):
        if key not in _UNITS and key.startswith(prefix) and key[len(prefix):] in _UNITS:
            key = key[len(prefix):]
    try:
        return PriceUnit(_UNITS[key]), currency
    except KeyError:
        raise UnknownWord(f"unknown price unit {text!r}") from None
