"""Registries of GPU models, regions and token models, each resolving every common spelling to one id.

Loaded from JSON in seed_data/registry/; plain Python, no Flask.
"""

import difflib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from pricing.text import fold, squash
from web import caches

REGISTRY_DIR = Path(__file__).resolve().parent.parent / "seed_data" / "registry"

_VENDOR_WORDS = ("nvidia", "英伟达", "tesla", "geforce", "quadro", "huawei", "华为", "amd", "instinct")
_SXM = re.compile(r"sxm\d")
# Form-factor words a tool appends to a family name ('A100 SXM4', 'A100 PCIE' on Vast.ai): where
# the family's cards differ only by memory, the memory picks the card, not these words.
_FORM_FACTOR = re.compile(r"(sxm|pcie)$")


class UnknownName(ValueError):
    """A name that resolves to nothing, or to more than one entry (`candidates`)."""

    def __init__(self, message: str, candidates: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.candidates = candidates or []


def gpu_key(text: str) -> str:
    key = squash(text)
    stripped = True
    while stripped:
        stripped = False
        for word in _VENDOR_WORDS:
            if key.startswith(word) and len(key) > len(word):
                key, stripped = key[len(word):], True
    return _SXM.sub("sxm", key.replace("gb", "g"))


@dataclass(frozen=True)
class GpuModel:
    id: str
    vendor: str
    name: str
    family: str
    memory_gb: Decimal
    bf16_tflops: Decimal | None
    precision: str
    form_factor: str = ""
    architecture: str = ""
    note: str = ""
    aliases: tuple[str, ...] = ()
    family_default: bool = False  # what a bare family name means ('H100' is the SXM card)
    # Made by a Chinese chip vendor (spec §7, a voucher rule's `domestic_chip`): per vendor, see
    # seed_data/SOURCES.md. A model the registry does not carry is never taken as domestic.
    domestic_chip: bool = False
    note_zh: str = ""  # the note and form factor for Chinese pages (the English ones stay the API's)
    form_factor_zh: str = ""

    def note_in(self, lang: str) -> str:
        return (self.note_zh or self.note) if lang == "zh" else self.note

    def form_factor_in(self, lang: str) -> str:
        return (self.form_factor_zh or self.form_factor) if lang == "zh" else self.form_factor

    def as_json(self) -> dict:
        return {
            "id": self.id, "vendor": self.vendor, "name": self.name, "family": self.family,
            "memory_gb": str(self.memory_gb), "dense_tflops": str(self.bf16_tflops) if self.bf16_tflops else None,
            "precision": self.precision, "form_factor": self.form_factor, "architecture": self.architecture,
            "note": self.note, "domestic_chip": self.domestic_chip, "aliases": list(self.aliases),
        }


@dataclass(frozen=True)
class Region:
    id: str
    name_zh: str
    name_en: str
    country: str
    province_zh: str | None = None
    province_en: str | None = None
    area_zh: str | None = None
    area_en: str | None = None
    hub: str | None = None
    aliases: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            "id": self.id, "name_zh": self.name_zh, "name_en": self.name_en, "country": self.country,
            "province_zh": self.province_zh, "province_en": self.province_en,
            "area_zh": self.area_zh, "area_en": self.area_en, "hub": self.hub, "aliases": list(self.aliases),
        }


@dataclass(frozen=True)
class TokenModel:
    id: str
    provider: str
    family: str
    name: str
    context_window: int | None = None
    aliases: tuple[str, ...] = ()
    known: bool = True
    # Filed with the CAC for generative AI service in China (spec §7): per model family, see
    # seed_data/SOURCES.md. An unknown model is never taken as filed.
    filed_model: bool = False

    def as_json(self) -> dict:
        return {"id": self.id, "provider": self.provider, "family": self.family, "name": self.name,
                "context_window": self.context_window, "filed_model": self.filed_model,
                "aliases": list(self.aliases)}


@dataclass
class _Index:
    """Folded key -> id, refusing a key that would point at two ids."""

    keyfunc: object
    ids: dict[str, str] = field(default_factory=dict)

    def add(self, alias: str, ident: str) -> None:
        key = self.keyfunc(alias)
        if not key:
            return
        if self.ids.setdefault(key, ident) != ident:
            raise ValueError(f"alias {alias!r} names both {self.ids[key]} and {ident}")

    def get(self, text: str) -> str | None:
        return self.ids.get(self.keyfunc(text))

    def near(self, text: str, n: int = 3) -> list[str]:
        matches = difflib.get_close_matches(self.keyfunc(text), list(self.ids), n=n * 3, cutoff=0.75)
        out: list[str] = []
        for m in matches:
            if self.ids[m] not in out:
                out.append(self.ids[m])
        return out[:n]


class GpuRegistry:
    def __init__(self, models: list[GpuModel]):
        self.models = {m.id: m for m in models}
        self._index = _Index(gpu_key)
        self._families: dict[str, list[GpuModel]] = {}
        for m in models:
            for alias in (m.id, m.name, *m.aliases):
                self._index.add(alias, m.id)
            self._families.setdefault(gpu_key(m.family), []).append(m)

    def get(self, ident: str) -> GpuModel | None:
        return self.models.get(ident)

    def resolve(self, text: str, memory_gb: Decimal | None = None) -> GpuModel:
        """Resolve a spelling; a bare family name ('A100') needs memory_gb to pick the variant.

        :raise UnknownName: nothing matches, or the family is ambiguous without memory.
        """
        ident = self._index.get(text)
        if ident:
            return self.models[ident]
        family = self._families.get(gpu_key(text)) or self._families.get(_FORM_FACTOR.sub("", gpu_key(text)))
        if family:
            if len(family) == 1:
                return family[0]
            if memory_gb is not None:
                fits = [m for m in family if m.memory_gb == memory_gb]
                if len(fits) == 1:
                    return fits[0]
            defaults = [m for m in family if m.family_default]
            if len(defaults) == 1 and memory_gb in (None, defaults[0].memory_gb):
                return defaults[0]
            names = [m.id for m in family]
            raise UnknownName(
                f"GPU 型号 {text!r} 不明确，请注明显存 / ambiguous GPU model {text!r}: "
                f"give the memory ({', '.join(names)})", names)
        near = self._index.near(text)
        hint = f"; 是否是 / did you mean: {', '.join(near)}" if near else ""
        raise UnknownName(f"未知的 GPU 型号 / unknown GPU model {text!r}{hint}", near)


class RegionRegistry:
    def __init__(self, regions: list[Region]):
        self.regions = {r.id: r for r in regions}
        self._index = _Index(squash)
        # Province or area word -> its regions: asked for every word of a search question.
        self._areas: dict[str, list[Region]] = {}
        for r in regions:
            for alias in (r.id, r.name_zh, r.name_en, *r.aliases):
                self._index.add(alias, r.id)
            for key in dict.fromkeys(squash(x) for x in (r.province_zh, r.province_en, r.area_zh, r.area_en) if x):
                self._areas.setdefault(key, []).append(r)

    def get(self, ident: str) -> Region | None:
        return self.regions.get(ident)

    def find(self, text: str) -> Region | None:
        """The region of this spelling, or None (no suggestions looked for: cheap enough for every word)."""
        ident = self._index.get(text)
        return self.regions[ident] if ident else None

    def resolve(self, text: str) -> Region:
        """:raise UnknownName: no region has this spelling."""
        ident = self._index.get(text)
        if ident:
            return self.regions[ident]
        near = self._index.near(text)
        hint = f"; 是否是 / did you mean: {', '.join(near)}" if near else ""
        raise UnknownName(f"未知的地域 / unknown region {text!r}{hint}", near)

    def in_area(self, text: str) -> list[Region]:
        """Regions whose province or area is this word ('华东', 'Zhejiang')."""
        return list(self._areas.get(squash(text), ()))


def slugify(text: str) -> str:
    """A lowercase slug of a model name: 'My Model 2 (preview)' -> 'my-model-2-preview'."""
    slug = re.sub(r"[^0-9a-z\u4e00-\u9fff.]+", "-", fold(text)).strip("-.")
    return slug[:80]


# What people call a family of models, in both languages: a type-ahead for '千问' or 'Kimi'
# finds every model of the family, whatever each one's own aliases say.
FAMILY_WORDS = {
    "deepseek": ("DeepSeek", "深度求索"), "qwen": ("Qwen", "千问", "通义千问", "通义", "QwQ"),
    "glm": ("GLM", "智谱", "智谱清言", "ChatGLM"), "kimi": ("Kimi", "月之暗面", "Moonshot"),
    "doubao": ("Doubao", "豆包"), "ernie": ("ERNIE", "文心", "文心一言"), "hunyuan": ("Hunyuan", "混元"),
    "minimax": ("MiniMax", "海螺"), "gpt": ("GPT", "OpenAI"), "claude": ("Claude", "Anthropic"),
    "gemini": ("Gemini", "谷歌"), "llama": ("Llama", "Meta", "羊驼"),
}
SEARCH_LIMIT = 20


class TokenModelRegistry:
    def __init__(self, models: list[TokenModel]):
        self.models = {m.id: m for m in models}
        self._index = _Index(squash)
        self._words: dict[str, tuple[str, ...]] = {}
        for m in models:
            for alias in (m.id, m.name, *m.aliases):
                self._index.add(alias, m.id)
            words = (m.id, m.name, *m.aliases, m.provider, *FAMILY_WORDS.get(m.family, ()))
            self._words[m.id] = tuple(dict.fromkeys(k for k in map(squash, words) if k))

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[TokenModel]:
        """Models whose id, name, alias, provider or family word holds `text`, best match first.

        An exact name comes first, then names that start with the text, then names that hold it.
        """
        key = squash(text or "")
        if not key:
            return []
        scored = []
        for order, (ident, words) in enumerate(self._words.items()):
            if key in words:
                rank = 0
            elif any(w.startswith(key) for w in words):
                rank = 1
            elif any(key in w for w in words):
                rank = 2
            else:
                continue
            scored.append((rank, order, ident))
        return [self.models[ident] for _, _, ident in sorted(scored)[:limit]]

    def get(self, ident: str) -> TokenModel | None:
        return self.models.get(ident)

    def resolve(self, text: str) -> TokenModel:
        """Known models resolve to their id; an unknown one is accepted under a slug of its name.

        :raise UnknownName: the name has nothing to make a slug of.
        """
        ident = self._index.get(text)
        if ident:
            return self.models[ident]
        # A provider prefix ('dashscope/qwen-max') names a known model once stripped.
        if "/" in text:
            ident = self._index.get(text.rsplit("/", 1)[1])
            if ident:
                return self.models[ident]
        slug = slugify(text)
        if not slug:
            raise UnknownName(f"模型名称为空 / model name {text!r} is empty")
        return TokenModel(id=slug, provider="", family="", name=text.strip(), known=False)


@dataclass(frozen=True)
class Registries:
    gpus: GpuRegistry
    regions: RegionRegistry
    token_models: TokenModelRegistry


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def load_registries(directory: Path = REGISTRY_DIR) -> Registries:
    def read(name: str) -> list[dict]:
        return json.loads((directory / name).read_text(encoding="utf-8"))

    gpus = [
        GpuModel(id=g["id"], vendor=g["vendor"], name=g["name"], family=g.get("family") or g["id"],
                 memory_gb=_dec(g["memory_gb"]), bf16_tflops=_dec(g.get("bf16_tflops")),
                 precision=g.get("precision", "bf16"), form_factor=g.get("form_factor", ""),
                 architecture=g.get("architecture", ""), note=g.get("note", ""),
                 aliases=tuple(g.get("aliases", [])), family_default=bool(g.get("family_default")),
                 domestic_chip=bool(g.get("domestic_chip", False)),
                 note_zh=g.get("note_zh", ""), form_factor_zh=g.get("form_factor_zh", ""))
        for g in read("gpu_models.json")
    ]
    regions = [
        Region(id=r["id"], name_zh=r["name_zh"], name_en=r["name_en"], country=r["country"],
               province_zh=r.get("province_zh"), province_en=r.get("province_en"),
               area_zh=r.get("area_zh"), area_en=r.get("area_en"), hub=r.get("hub"),
               aliases=tuple(r.get("aliases", [])))
        for r in read("regions.json")
    ]
    tokens = [
        TokenModel(id=t["id"], provider=t.get("provider", ""), family=t.get("family", ""), name=t["name"],
                   context_window=t.get("context_window"), aliases=tuple(t.get("aliases", [])),
                   filed_model=bool(t.get("filed_model", False)))
        for t in read("token_models.json")
    ]
    return Registries(GpuRegistry(gpus), RegionRegistry(regions), TokenModelRegistry(tokens))


caches.register(
    "registries", __name__, holds="the GPU model, region and token model registries of seed_data/",
    key="none (one value)", bound="one set, read once per process",
    invalidated_by=caches.Invalidation.NEVER, catalog_facts=False)


@cache
def default_registries() -> Registries:
    return load_registries()
