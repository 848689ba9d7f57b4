"""The words an offer is found by, and how a typed query becomes index terms. No Flask.

One tokenizer for both sides: NFKC-folded, lowercased; Chinese runs segmented by jieba;
English words Porter-stemmed, but never a word with a digit in it (the stemmer turns
"l40s" into "l40", and L40S must not match L40). An offer is indexed under every name of
its GPU model, region (with province and area) and token model, in both languages, so
"ascend 910b" finds an offer written "昇腾910B" and "华东" finds Hangzhou.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import jieba
from whoosh.lang.porter import stem

from catalog.registry import Registries
from pricing.text import fold
from web import caches

jieba.setLogLevel(logging.WARNING)

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:\.[0-9]+)*")
# "RTX 4090 D" is the 4090D, not the 4090: a lone letter after a number belongs to it.
_TRAILING_LETTER = re.compile(r"(\d)[\s\-_]+([a-z])(?![a-z0-9])")
_GB = re.compile(r"^(\d+)gb$")

KIND_WORDS = {
    "gpu": "gpu 显卡 算力 gpu服务器",
    "cpu": "cpu 云服务器 服务器 vm 虚拟机",
    "token": "token api 大模型 模型 llm",
}
BILLING_WORDS = {
    "on_demand": "按量 按需 on demand payg",
    "spot": "竞价 抢占式 spot preemptible",
    "monthly": "包月 月付 monthly",
    "yearly": "包年 年付 yearly annual",
}
# Words that say "show the cheapest", not what to match; the default sort already does.
PRICE_WORDS = frozenset({"便宜", "最便宜", "低价", "实惠", "cheap", "cheapest", "cheaper"})
# Filler words a query may carry that no offer is indexed under.
QUERY_STOPWORDS = frozenset({"的", "和", "在", "地区", "区域", "价格", "报价", "多少钱"})
# Common confusions when typing model names: letter o for zero, l/i for one.
_CONFUSABLE = str.maketrans({"o": "0", "l": "1", "i": "1"})


def _word(token: str) -> str:
    if _GB.match(token):
        return token[:-1]  # "80gb" and "80g" are one size
    if token.isascii() and token.isalpha() and len(token) > 3:
        return stem(token)
    return token


def tokenize(text: str | None, *, for_query: bool = False) -> list[str]:
    """Index terms of `text`, in order, duplicates kept."""
    if not text:
        return []
    return list(_tokenize(text, for_query))


caches.register(
    "text-tokens", __name__, holds="index terms of a text (jieba + stemming), a pure function of it",
    key="(text, for_query)", bound="200,000 texts per process", invalidated_by=caches.Invalidation.NEVER,
    catalog_facts=False)


@lru_cache(maxsize=200_000)
def _tokenize(text: str, for_query: bool) -> tuple[str, ...]:
    # Cached: catalogs repeat titles and descriptions a lot, and jieba is the slow part.
    folded = _TRAILING_LETTER.sub(r"\1\2", fold(text))
    out: list[str] = []
    for run in _RUN.findall(folded):
        if run[0] >= "\u3400":
            if len(run) <= 2:
                out.append(run)
                continue
            words = jieba.lcut(run) if for_query else [run, *jieba.lcut_for_search(run)]
            out.extend(w for w in words if w.strip())
        else:
            out.append(_word(run))
    return tuple(out)


@dataclass(frozen=True)
class OfferText:
    """What the index needs of an offer; plain values so rows from SQL fit as well as ORM objects."""

    id: int
    kind: str
    title: str
    description: str | None
    sku: str
    billing: str
    region: str | None
    gpu_model: str | None
    model: str | None
    cpu_arch: str | None
    vendor_slug: str
    vendor_name_zh: str
    vendor_name_en: str


class TextBuilder:
    """Expands an offer into its index terms, and query words into the registry entries they name.

    An offer carries one concept term per registry entry it refers to ("g:a100-80gb",
    "r:cn-hangzhou", "m:deepseek-v3") rather than every alias of it: fewer postings per
    offer (Whoosh writes ~1,000 postings a second per core), and a query word is expanded
    to the concepts whose names contain it ("华东" -> every region in East China).
    """

    def __init__(self, registries: Registries):
        self.registries = registries
        concepts: dict[str, set[str]] = {}

        def learn(prefix: str, ident: str, names) -> None:
            for name in names:
                for word in tokenize(name):
                    concepts.setdefault(word, set()).add(f"{prefix}:{ident}")

        for g in registries.gpus.models.values():
            extra = ["华为", "昇腾", "ascend"] if g.vendor.lower() == "huawei" else (
                ["英伟达"] if g.vendor.lower() == "nvidia" else [])
            learn("g", g.id, [g.id, g.name, g.family, g.vendor, *g.aliases, *extra])
        for r in registries.regions.regions.values():
            learn("r", r.id, [r.id, r.name_zh, r.name_en, r.province_zh, r.province_en, r.area_zh, r.area_en, r.hub,
                              *r.aliases])
        for m in registries.token_models.models.values():
            learn("m", m.id, [m.id, m.name, m.provider, m.family, *m.aliases])
        for kind, words in KIND_WORDS.items():
            learn("k", kind, [words])
        for billing, words in BILLING_WORDS.items():
            learn("b", billing, [words])
        self.concepts = {word: frozenset(ids) for word, ids in concepts.items()}
        self.vocabulary = frozenset(self.concepts)

    def terms(self, offer: OfferText) -> list[str]:
        """The sorted, de-duplicated index terms of one offer."""
        terms = set(tokenize(offer.title))
        terms.update(tokenize(offer.description))
        terms.update(tokenize(offer.sku))
        terms.add(f"k:{offer.kind}")
        terms.add(f"b:{offer.billing}")
        terms.update(tokenize(offer.vendor_slug))
        terms.update(tokenize(offer.vendor_name_zh))
        terms.update(tokenize(offer.vendor_name_en))
        terms.update(tokenize(offer.cpu_arch))
        if offer.region:
            terms.add(f"r:{offer.region}")
        if offer.gpu_model:
            terms.add(f"g:{offer.gpu_model}")
        if offer.model:
            terms.add(f"m:{offer.model}")
        return sorted(terms)

    def alternatives(self, word: str) -> tuple[str, ...]:
        """Index terms any of which satisfies a query word: itself and the concepts it names."""
        return (word, *sorted(self.concepts.get(word, ())))


def signature(terms: list[str]) -> str:
    """A short digest of an offer's terms: what check-index compares."""
    return hashlib.blake2b(" ".join(terms).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...]  # the words searched for, after corrections
    groups: tuple[tuple[str, ...], ...]  # per word, index terms any of which matches; every group must
    corrected: dict[str, str]  # typed word -> the registry word it was read as
    wants_cheap: bool


def _edits1(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters}
            | {a + c + b for a, b in splits for c in letters})


def correct(word: str, vocabulary: frozenset[str]) -> str | None:
    """The one registry word `word` is a typo of, or None when none or several fit."""
    if word.isascii() and len(word) >= 3 and any(ch.isdigit() for ch in word):
        fixed = word.translate(_CONFUSABLE)
        if fixed in vocabulary:
            return fixed
    if not word.isascii() or len(word) < 4:
        return None
    near = _edits1(word) & vocabulary
    return next(iter(near)) if len(near) == 1 else None


def parse_query(text: str, builder: TextBuilder, known) -> ParsedQuery:
    """Words to match; a word the index has never seen is read as the registry word it is a typo of.

    `known(term)` says whether the index holds the term at all.
    """
    vocabulary = builder.vocabulary
    words: list[str] = []
    for word in tokenize(text, for_query=True):
        # A long Chinese word the index lacks ("华东地区") is looked up by its parts.
        if len(word) > 2 and word[0] >= "\u3400" and word not in vocabulary and not known(word):
            words.extend(w for w in jieba.lcut_for_search(word) if len(w) >= 2 and w != word)
        else:
            words.append(word)
    kept: list[str] = []
    corrected: dict[str, str] = {}
    cheap = False
    for term in words:
        if term in PRICE_WORDS:
            cheap = True
            continue
        if term in QUERY_STOPWORDS:
            continue
        if term not in vocabulary and not known(term):
            fixed = correct(term, vocabulary)
            if fixed:
                corrected[term] = fixed
                term = fixed
        kept.append(term)
    kept = list(dict.fromkeys(kept))
    return ParsedQuery(tuple(kept), tuple(builder.alternatives(w) for w in kept), corrected, cheap)
