"""A search box question read as filters, either-of groups and a planner job. No Flask.

"我需要 8 张 H100 跑 72 小时，华东地区，最便宜的是哪家？" is a question, not six words every offer
must hold: its filler is dropped, its numbers with their units become filters or planner inputs
(8 张 -> cards, 72 小时 -> hours, 5 亿 -> tokens, 80G -> memory, ¥10 以下 -> a price bound), a
region or area becomes the region filter, "最便宜" the sort, and "deepseek 和 qwen" (two models
or GPUs that are not one another) matches either. What is left is searched as words.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import jieba

from catalog.search_text import TextBuilder, tokenize
from pricing.text import fold
from pricing.token_volume import MULTIPLIERS
from web import caches

_LARGEST = Decimal(10) ** 12
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_NUM = r"(\d+(?:\.\d+)?)"
_BEFORE = r"(?<![a-z0-9.])"  # a number starts here, not inside "a100" or "1.5"
_AFTER = r"(?![a-z0-9])"

# Each pattern reads one number with its unit; they run in this order on the folded text and
# blank out what they read, so "72 小时" is not also read as 72 cards.
# A money unit after a number makes it a price, never a count: "2块钱" is ¥2, not 2 cards. "毛" is a
# tenth of a yuan. "块" followed by a card word or a model ("8 块显卡", "8块4090", "8 块 H100") is a
# count, as people say it, left to _CARDS.
_MONEY_CJK = r"(?:元|块钱|块(?!\s*(?:显卡|gpus?|卡(?!时)|[a-z0-9]))|毛钱|毛)"
# "4090 rmb 2": a latin unit followed by a number goes with that number.
_MONEY = rf"(?:{_MONEY_CJK}|(?:yuan|rmb|cny|kuai){_AFTER}(?!\s*\d))"
_UNDER = r"(?:以下|以内|之内|内)"
_PRICE = re.compile(
    rf"(?:(?:低于|不超过|不高于|不到|少于|under|below|less than|cheaper than|at most|max|<=?)\s*[¥$]?\s*{_NUM}"
    rf"\s*{_MONEY}?\s*{_UNDER}?)"
    rf"|(?:(?:¥|(?<![a-z0-9])(?:rmb|cny))\s*{_NUM}\s*{_MONEY}?\s*{_UNDER}?)"
    rf"|(?:{_BEFORE}{_NUM}\s*{_MONEY}?\s*(?:以下|以内|之内))"
    rf"|(?:{_BEFORE}{_NUM}\s*{_MONEY})")
_TENTHS = re.compile(r"\d\s*毛")
_HOURS = re.compile(rf"{_BEFORE}{_NUM}\s*(?:个)?\s*(小时|钟头|hours?|hrs?|h|天|日|days?|周|星期|weeks?|个月|months?)"
                    rf"(?![a-z0-9])")
_HOUR_UNITS = {"天": 24, "日": 24, "day": 24, "days": 24, "周": 168, "星期": 168, "week": 168, "weeks": 168,
               "个月": 720, "month": 720, "months": 720}
_TOKENS = re.compile(rf"{_BEFORE}{_NUM}\s*(万亿|十亿|千万|百万|亿|万|k|m|b)?\s*tokens?{_AFTER}"
                     rf"|{_BEFORE}{_NUM}\s*(万亿|十亿|千万|百万|亿)")
_CARDS = re.compile(rf"{_BEFORE}(\d+)\s*(?:(?:张|片)\s*(?:显卡|gpu|卡)?|块\s*(?:显卡|gpus?|卡)|块(?=\s*[a-z0-9])|卡(?!时)|(?:x|×)(?=\s*[a-z{_CJK}])|"
                    rf"cards?{_AFTER}|gpus?{_AFTER})")
_CORES = re.compile(rf"{_BEFORE}(\d+)\s*(?:核|vcpus?{_AFTER}|cores?{_AFTER}|c{_AFTER})")
_MEMORY = re.compile(rf"{_BEFORE}(\d+)\s*g(?:b)?{_AFTER}")
# "RTX 4090 D" is the 4090D (as catalog.search_text reads it).
_TRAILING_LETTER = re.compile(r"(\d)[\s\-_]+([a-z])(?![a-z0-9])")
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:[.\-][a-z0-9]+)*")

# Words a question carries that say nothing about which offer: asked-for forms, pronouns,
# particles, "how much", "which one". Both languages; English as typed (before stemming).
_FILLER_LINES = """
我 我们 我想 我要 需要 想要 想 要 请问 请 帮我 帮忙 一下 有 有没有 没有 吗 呢 呀 啊 吧 了 的 地 得 是 在 用 跑 来 去 做
哪家 哪个 哪些 哪里 哪儿 什么 怎么 如何 多少 多少钱 钱 价格 价钱 报价 费用 成本 花费 便宜点 最 比较 更 一个 一台 一张
一卡时 卡时 每卡时 一小时 每小时 核时 每核时 单价 一共 总共 大概 大约 左右 可以 能 能够 租 租用 买 购买 推荐 找 给 个
每月 每个月 一个月 每天 每日 地区 区域 地域 附近 上 里 中 时 时候 训练用 及 以及 加上
i we me my need want wanna looking look for find please what which who where how much many is are the a an to of in on
at by with run running rent renting buy cost costs price prices pricing per does do can any some best offer offers
there one that this me show tell give get should would like has have had
vendor vendors provider providers supplier suppliers 厂商 供应商 商家 服务商
card-hour card-hours gpu-hour gpu-hours core-hour core-hours hour hourly 每卡 一卡
"""
FILLER = frozenset(_FILLER_LINES.split())
CHEAP_WORDS = frozenset({"便宜", "最便宜", "低价", "实惠", "划算", "cheap", "cheapest", "cheaper", "lowest"})
DEAR_WORDS = frozenset({"最贵", "贵", "priciest", "dearest"})
VALUE_WORDS = frozenset({"性价比", "value"})
# Joining words between two names: "A 和 B", "A vs B", "A or B" (、 and spaces are separators anyway).
JOINERS = frozenset({"和", "与", "跟", "或", "或者", "还是", "对比", "比较", "vs", "versus", "or", "and"})
# Suffixes people put after a place: "华东地区", "杭州市".
_PLACE_SUFFIX = re.compile(r"(地区|区域|地域|一带|市|省)$")
# The concept prefixes (catalog.search_text) of names a buyer can ask "either of".
_NAME_PREFIXES = ("g:", "m:")


@dataclass(frozen=True)
class Reading:
    """One thing read from the question: its kind, the text as typed, and what it was read as."""

    kind: str  # cards | hours | tokens | memory | cores | max_price | region | sort | either
    typed: str
    value: str


@dataclass(frozen=True)
class Question:
    words: tuple[str, ...]  # left to match as text, each on its own
    either: tuple[tuple[str, ...], ...]  # groups of names any one of which matches
    filters: dict = field(default_factory=dict)  # OfferQuerySchema keys -> values (Decimal numbers)
    planner: dict = field(default_factory=dict)  # /plan query parameters; empty when not a job
    read: tuple[Reading, ...] = ()
    ignored: tuple[str, ...] = ()  # filler left out

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def typed(self, key: str) -> str:
        """The typed text a filter was read from."""
        kinds = {"max_unit_price": ("max_price",), "min_gpu_memory_gb": ("memory",), "min_vcpus": ("cores",),
                 "min_gpu_count": ("cards",), "region": ("region",), "sort": ("sort",),
                 "kind": ("tokens", "cores")}.get(key, (key,))
        return next((r.typed for r in self.read if r.kind in kinds), key)

    def as_json(self) -> dict:
        """The question as the JSON API reports it (numbers as decimal strings)."""
        return {"words": list(self.words), "either": [list(g) for g in self.either],
                "filters": {k: v if isinstance(v, str) else _plain(v) for k, v in self.filters.items()},
                "planner": dict(self.planner),
                "read": [{"kind": r.kind, "typed": r.typed, "value": r.value} for r in self.read],
                "ignored": list(self.ignored)}


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    # Past any real price, count or size; also keeps "1e999999" out of the filters' integer maths.
    return value if value.is_finite() and 0 < value <= _LARGEST else None


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


caches.register(
    "question-words", __name__, holds="a question's words as typed (jieba segmentation), a pure function of the text",
    key="the folded text", bound="20,000 texts per process", invalidated_by=caches.Invalidation.NEVER,
    catalog_facts=False)


@lru_cache(maxsize=20_000)
def _split_words(text: str) -> tuple[str, ...]:
    """Words as typed (folded, not stemmed): ASCII runs whole, Chinese runs segmented by jieba."""
    out: list[str] = []
    for run in _RUN.findall(text):
        if run[0] >= "\u3400":
            out.extend(w for w in jieba.lcut(run) if w.strip())
        else:
            out.append(run)
    return tuple(out)


def _names(word: str, builder: TextBuilder) -> frozenset[str]:
    """The GPU and token-model concepts a word names ("qwen" -> every Qwen model)."""
    # "deepseek-v3" is two terms: the models both name.
    found: frozenset[str] | None = None
    for term in tokenize(word, for_query=True):
        named = frozenset(c for c in builder.concepts.get(term, ()) if c.startswith(_NAME_PREFIXES))
        found = named if found is None else found & named
    return found or frozenset()


def _region(word: str, builder: TextBuilder) -> str | None:
    """The region id, or the province or area, a word names; None when it names none."""
    if not word or word.isdigit():
        return None
    regions = builder.registries.regions
    for candidate in dict.fromkeys((word, _PLACE_SUFFIX.sub("", word))):
        if len(candidate) < 2:
            continue
        if regions.in_area(candidate):
            return candidate
        found = regions.find(candidate)
        if found:
            return found.id
    return None


def understand(text: str, builder: TextBuilder) -> Question:
    """Read a search box question: filters, either-of groups, planner inputs, and the words left."""
    folded = _TRAILING_LETTER.sub(r"\1\2", fold(text or ""))
    read: list[Reading] = []
    filters: dict = {}
    job: dict[str, Decimal] = {}

    def take(pattern: re.Pattern, handle) -> None:
        nonlocal folded

        def one(match: re.Match) -> str:
            return " " if handle(match) else match.group(0)

        folded = pattern.sub(one, folded)

    def price(m: re.Match) -> bool:
        value = _number(next(g for g in m.groups() if g))
        if value is None or "max_unit_price" in filters:
            return False
        if _TENTHS.search(m.group(0)):
            value = value / 10
        filters["max_unit_price"] = value
        read.append(Reading("max_price", m.group(0).strip(), _plain(value)))
        return True

    def hours(m: re.Match) -> bool:
        value = _number(m.group(1))
        if value is None or "hours" in job:
            return False
        job["hours"] = value * _HOUR_UNITS.get(m.group(2), 1)
        read.append(Reading("hours", m.group(0).strip(), _plain(job["hours"])))
        return True

    def tokens(m: re.Match) -> bool:
        number, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        value = _number(number)
        if value is None or "tokens" in job:
            return False
        job["tokens"] = (value * MULTIPLIERS.get(unit or "", Decimal(1))).quantize(Decimal(1))
        read.append(Reading("tokens", m.group(0).strip(), _plain(job["tokens"])))
        return True

    def counted(name: str):
        def handle(m: re.Match) -> bool:
            value = _number(m.group(1))
            if value is None or name in job:
                return False
            job[name] = value
            read.append(Reading(name, m.group(0).strip(), _plain(value)))
            return True
        return handle

    def memory(m: re.Match) -> bool:
        value = _number(m.group(1))
        if value is None or "min_gpu_memory_gb" in filters:
            return False
        filters["min_gpu_memory_gb"] = value
        read.append(Reading("memory", m.group(0).strip(), _plain(value)))
        return True

    take(_PRICE, price)
    take(_TOKENS, tokens)
    take(_HOURS, hours)
    take(_CARDS, counted("cards"))
    take(_CORES, counted("cores"))
    take(_MEMORY, memory)

    words: list[str] = []
    ignored: list[str] = []
    sort = None
    for word in _split_words(folded.strip()):
        if word in CHEAP_WORDS:
            sort = sort or ("unit_price", word)
        elif word in DEAR_WORDS:
            sort = ("-unit_price", word)
        elif word in VALUE_WORDS:
            sort = ("price_per_tflop_hour", word)
        elif word in FILLER:
            ignored.append(word)
        else:
            words.append(word)
    if sort:
        filters["sort"] = sort[0]
        read.append(Reading("sort", sort[1], sort[0]))

    # Places of two English words ("east china", "inner mongolia") are one word here.
    i = 0
    while i + 1 < len(words):
        pair = f"{words[i]} {words[i + 1]}"
        if words[i].isalpha() and words[i + 1].isalpha() and words[i].isascii() and _region(pair, builder):
            words[i:i + 2] = [pair]
        i += 1
    # One place named is the region filter; two or more are left to match either of them.
    places = [(i, _region(w, builder)) for i, w in enumerate(words) if w not in JOINERS]
    places = [(i, r) for i, r in places if r]
    if len(places) == 1:
        i, region = places[0]
        filters["region"] = region
        read.append(Reading("region", words[i], region))
        del words[i]

    either, words = _either_of(words, builder, {i for i, _ in places} if len(places) > 1 else set())
    for group in either:
        read.append(Reading("either", " / ".join(group), " | ".join(group)))
    # A joining word left over ("和" between a model and a place) says nothing to match.
    ignored.extend(w for w in words if w in JOINERS)
    words = [w for w in words if w not in JOINERS]

    if "tokens" in job:
        filters["kind"] = "token"  # a month's tokens asks about token offers
    elif "cores" in job and "cards" not in job:
        filters["kind"] = "cpu"
    if "cards" in job and "hours" not in job:
        filters["min_gpu_count"] = job["cards"]  # "8卡 H100" without a duration: an 8-card machine
    if "cores" in job and "hours" not in job:
        filters["min_vcpus"] = job["cores"]
    return Question(words=tuple(dict.fromkeys(words)), either=either, filters=filters,
                    planner=_planner(job, words, either, filters, builder), read=tuple(read),
                    ignored=tuple(ignored))


def _either_of(words: list[str], builder: TextBuilder,
               places: set[int]) -> tuple[tuple[tuple[str, ...], ...], list[str]]:
    """Runs of names ("deepseek 和 qwen", "h100 a100", "北京 上海") pulled out as either-of groups.

    Two names join when neither narrows the other: "ascend 910b" is one card (the 910B's
    concepts are inside Ascend's) and stays two words that must both match.
    """
    kinds: list[frozenset[str] | None] = []
    for i, word in enumerate(words):
        if i in places:
            kinds.append(frozenset({f"place:{word}"}))
        else:
            kinds.append(_names(word, builder) or None)
    groups: list[tuple[str, ...]] = []
    rest: list[str] = []
    i = 0
    while i < len(words):
        if kinds[i] is None:
            rest.append(words[i])
            i += 1
            continue
        run, seen = [words[i]], [kinds[i]]
        j = i + 1
        while j < len(words):
            k = j + 1 if words[j] in JOINERS and j + 1 < len(words) else j
            nxt = kinds[k]
            same_family = nxt is not None and all(
                (next(iter(nxt)).split(":")[0] == next(iter(s)).split(":")[0]) for s in seen)
            if not nxt or not same_family or any(nxt <= s or s <= nxt for s in seen):
                break
            run.append(words[k])
            seen.append(nxt)
            j = k + 1
        if len(run) > 1:
            groups.append(tuple(dict.fromkeys(run)))
        else:
            rest.append(words[i])
        i = j if len(run) > 1 else i + 1
    return tuple(groups), rest


def _planner(job: dict[str, Decimal], words: list[str], either, filters: dict, builder: TextBuilder) -> dict:
    """The /plan query parameters of a question that is a job, or {}: N cards × H hours of a GPU,
    N cores × H hours, or a month's tokens of a model."""
    registries = builder.registries
    regions = {"regions": filters["region"]} if "region" in filters else {}
    if "tokens" in job:
        models = [w for w in words if any(c.startswith("m:") for c in _names(w, builder))]
        models += [w for group in either for w in group if any(c.startswith("m:") for c in _names(w, builder))]
        out = {"kind": "token", "input_tokens": _plain(job["tokens"])}
        if models:
            out["models"] = ",".join(models)
        return out
    if "hours" not in job:
        return {}
    if "cores" in job and "cards" not in job:
        return {"kind": "cpu", "count": _plain(job["cores"]), "hours": _plain(job["hours"]), **regions}
    gpu = None
    memory = filters.get("min_gpu_memory_gb")
    for word in words:
        if any(c.startswith("g:") for c in _names(word, builder)):
            try:
                gpu = registries.gpus.resolve(word, memory).id
            except ValueError:
                continue
            break
    if gpu is None and memory is None and "cards" not in job:
        return {}
    out = {"kind": "gpu", "count": _plain(job.get("cards", Decimal(1))), "hours": _plain(job["hours"]), **regions}
    if gpu:
        out["gpu_model"] = gpu
    if memory is not None:
        out["min_memory_gb"] = _plain(memory)
    return out
