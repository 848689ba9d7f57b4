"""Type-ahead over the registries: Chinese or English, id, name or alias. No Flask."""

from catalog.registry import Registries
from pricing.text import squash

LIMIT = 15


def _entries(registries: Registries, registry: str, lang: str):
    if registry == "gpu-models":
        for m in registries.gpus.models.values():
            yield m.id, f"{m.name} · {m.memory_gb:f} GB", (m.id, m.name, m.family, *m.aliases)
    elif registry == "regions":
        for r in registries.regions.regions.values():
            label = f"{r.name_en} · {r.name_zh}" if lang == "en" else f"{r.name_zh} · {r.name_en}"
            yield r.id, label, (r.id, r.name_zh, r.name_en, r.province_zh or "", r.province_en or "", *r.aliases)
    else:
        for m in registries.token_models.models.values():
            yield m.id, m.name, (m.id, m.name, m.family, m.provider, *m.aliases)


def lookup(registries: Registries, registry: str, query: str, lang: str = "zh") -> list[dict]:
    """Entries whose id, names or aliases contain the query; prefix matches first."""
    key = squash(query)
    scored = []
    for value, label, words in _entries(registries, registry, lang):
        keys = [squash(w) for w in words if w]
        if not key:
            scored.append((1, label, value))
        elif any(k.startswith(key) for k in keys):
            scored.append((0, label, value))
        elif any(key in k for k in keys):
            scored.append((1, label, value))
    scored.sort()
    return [{"value": value, "label": label} for _, label, value in scored[:LIMIT]]
