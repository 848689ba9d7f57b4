"""What a public price feed (LiteLLM's price map, genai-prices) becomes: standard sheet rows per vendor.

A connector reads one feed and yields a `FeedRow` (one offer: a vendor slug and the standard
columns of spec section 4 and 4.1) or a `FeedSkip` (an entry that made no offer, and why) for
every entry; nothing is dropped silently. The rows then go through the sheets' import path.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pricing.text import squash

MILLION = Decimal(1_000_000)
# Feeds write prices as JSON floats (3.0000000000000004e-06): ten places per 1M tokens keeps every
# real price and drops the float's noise, and it is what the listed-price columns store.
PLACES = Decimal("1e-10")

# Skip reasons: the summary counts skips by these.
DOCUMENTATION = "documentation entry, not a model"
NOT_CHAT = "not a chat model"
UNKNOWN_MODEL = "model not in the token registry"
NO_TOKEN_PRICE = "no per-token input and output price"
DUPLICATE = "this vendor already has this model from another entry"
NO_PROVIDER = "no provider named"


@dataclass(frozen=True)
class FeedVendor:
    slug: str
    name_zh: str
    name_en: str


# Providers that are vendors the catalog already knows (seed_data/vendors.json, whose names they
# keep), under the ids each feed uses; any other provider becomes a vendor of its own.
SEED_VENDORS = Path(__file__).resolve().parent.parent / "seed_data" / "vendors.json"


def known_vendors() -> dict[str, FeedVendor]:
    """The seed's vendors by slug (read once per feed by its connector)."""
    profiles = json.loads(SEED_VENDORS.read_text(encoding="utf-8"))
    return {p["slug"]: FeedVendor(p["slug"], p.get("name_zh") or p["slug"], p.get("name_en") or p["slug"])
            for p in profiles}


PROVIDER_VENDOR = {
    "litellm": {
        "deepseek": "deepseek", "dashscope": "bailian", "zai": "zhipu", "bigmodel": "zhipu",
        "moonshot": "moonshot", "volcengine": "volc-ark", "minimax": "minimax", "openai": "openai",
        "anthropic": "anthropic", "gemini": "google-gemini", "azure": "azure", "bedrock": "aws",
        "bedrock_converse": "aws", "vertex_ai": "gcp", "vertex_ai-language-models": "gcp",
        "vertex_ai-anthropic_models": "gcp", "vertex_ai-llama_models": "gcp", "vertex_ai-deepseek_models": "gcp",
        "vertex_ai-qwen_models": "gcp", "vertex_ai-zai_models": "gcp", "vertex_ai-openai_models": "gcp",
        "vertex_ai-moonshot_models": "gcp", "vertex_ai-minimax_models": "gcp", "vertex_ai-mistral_models": "gcp",
        "vertex_ai-ai21_models": "gcp", "tencent": "tencent-cloud",
    },
    "genai-prices": {
        "deepseek": "deepseek", "zhipuai": "zhipu", "moonshotai": "moonshot", "minimax": "minimax",
        "openai": "openai", "anthropic": "anthropic", "google": "google-gemini", "azure": "azure", "aws": "aws",
    },
}


def vendor_for(source: str, provider: str, known: dict[str, FeedVendor], name: str | None = None) -> FeedVendor:
    """The vendor a feed's provider is: a known one, or a new one named as the feed names it."""
    slug = PROVIDER_VENDOR[source].get(provider)
    if slug:
        return known[slug]
    slug = provider.lower().replace("_", "-").replace(" ", "-")[:64]
    return FeedVendor(slug, name or provider, name or provider)


@dataclass(frozen=True)
class FeedRow:
    number: int  # the entry's place in the feed, 1-based
    entry: str  # the feed's name for the entry
    vendor: FeedVendor
    cells: dict[str, str]


@dataclass(frozen=True)
class FeedSkip:
    number: int
    entry: str
    reason: str
    detail: str = ""

    def as_json(self) -> dict:
        return {"entry": self.entry, "reason": self.reason, **({"detail": self.detail} if self.detail else {})}


@dataclass
class FeedSelection:
    """One row per (vendor, model): the entry whose own name is the model's wins, else the first."""

    rows: dict[tuple[str, str], FeedRow] = field(default_factory=dict)
    exact: set[tuple[str, str]] = field(default_factory=set)
    skips: list[FeedSkip] = field(default_factory=list)

    def offer(self, row: FeedRow, exact: bool) -> None:
        key = (row.vendor.slug, row.cells["model"])
        kept = self.rows.get(key)
        if kept is None or (exact and key not in self.exact):
            if kept is not None:
                self.skips.append(FeedSkip(kept.number, kept.entry, DUPLICATE, f"kept {row.entry!r}"))
            self.rows[key] = row
            if exact:
                self.exact.add(key)
            return
        self.skips.append(FeedSkip(row.number, row.entry, DUPLICATE, f"kept {kept.entry!r}"))

    def results(self) -> Iterator[FeedRow | FeedSkip]:
        yield from sorted(self.rows.values(), key=lambda r: r.number)
        yield from self.skips


def names_the_model(name: str, model_id: str, model_name: str) -> bool:
    tail = name.rsplit("/", 1)[-1]
    return squash(tail) in (squash(model_id), squash(model_name))


def decimal(value) -> Decimal | None:
    """A feed's number as an exact Decimal (through its shortest repr), None when absent or not a number."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def plain(value: Decimal) -> str:
    """A Decimal as sheet text: no exponent, no trailing zeros, at most ten places."""
    return format(value.quantize(PLACES).normalize(), "f")


def positive(value: Decimal | None) -> Decimal | None:
    """None for an absent price and for 0, which the feeds write for "not charged / not offered"."""
    return value if value is not None and value > 0 else None


def ratio(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part / whole to two places (a multiplier such as 0.5), or None."""
    if part is None or not whole:
        return None
    return (part / whole).quantize(Decimal("0.01"))


def agreed_ratio(pairs: Iterable[tuple[Decimal | None, Decimal | None]]) -> Decimal | None:
    """The one multiplier every (discounted, normal) price pair shares to two places, else None."""
    ratios = {ratio(part, whole) for part, whole in pairs if part is not None and whole}
    return next(iter(ratios)) if len(ratios) == 1 and None not in ratios else None
