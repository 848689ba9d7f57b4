"""LiteLLM's model price map (model_prices_and_context_window.json) as standard token rows.

One entry is one model at one provider (`litellm_provider`), priced in USD per single token;
rows say USD per 1M tokens and the import converts at the FX table. Tiers are separate keys:
`*_above_200k_tokens` is the long-context price (a request past the threshold is billed whole
at it), `*_batches` the batch price. SOURCES.md (shared/data/real) lists the file's quirks.
"""

import re
from collections.abc import Iterator
from datetime import date

from catalog.registry import Registries
from offers.price_feed import (
    DOCUMENTATION,
    MILLION,
    NO_PROVIDER,
    NO_TOKEN_PRICE,
    NOT_CHAT,
    UNKNOWN_MODEL,
    FeedRow,
    FeedSelection,
    FeedSkip,
    agreed_ratio,
    decimal,
    known_vendors,
    names_the_model,
    plain,
    positive,
    vendor_for,
)

SOURCE = "litellm"
LABEL = "LiteLLM model price map"
_LONG_INPUT = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")


def _per_million(entry: dict, key: str):
    value = positive(decimal(entry.get(key)))
    return value * MILLION if value is not None else None


def _long_context(entry: dict) -> dict[str, str]:
    """The lowest `above_Nk` tier with both an input and an output price."""
    for n in sorted(int(m.group(1)) for m in map(_LONG_INPUT.match, entry) if m):
        long_in = _per_million(entry, f"input_cost_per_token_above_{n}k_tokens")
        long_out = _per_million(entry, f"output_cost_per_token_above_{n}k_tokens")
        if long_in is not None and long_out is not None:
            return {"long_context_threshold": str(n * 1000), "long_input_price": plain(long_in),
                    "long_output_price": plain(long_out)}
    return {}


def entry_cells(key: str, entry: dict, model_id: str, as_of: date, release: str) -> dict[str, str] | None:
    """The standard row of one entry, or None when it has no per-token input and output price."""
    input_price = _per_million(entry, "input_cost_per_token")
    output_price = _per_million(entry, "output_cost_per_token")
    if input_price is None or output_price is None:
        return None
    cells = {
        "sku": f"{SOURCE}:{model_id}", "kind": "token", "model": model_id,
        "input_price": plain(input_price), "output_price": plain(output_price),
        "currency": "USD", "price_unit": "1m_tokens",
    }
    window = decimal(entry.get("max_input_tokens"))
    if window is not None and window >= 1 and window == window.to_integral_value():
        cells["context_window"] = str(int(window))
    cached = _per_million(entry, "cache_read_input_token_cost")
    if cached is not None:
        cells["cached_input_price"] = plain(cached)
    write = _per_million(entry, "cache_creation_input_token_cost")
    if write is not None:
        cells["cache_write_price"] = plain(write)
    cells.update(_long_context(entry))
    batch = agreed_ratio([(_per_million(entry, "input_cost_per_token_batches"), input_price),
                          (_per_million(entry, "output_cost_per_token_batches"), output_price)])
    if batch is not None:
        cells["batch_rate"] = plain(batch)
    where = f" Provider's price page: {entry['source']}." if isinstance(entry.get("source"), str) else ""
    cells["description"] = (f"{LABEL} ({release}), entry {key!r}, as of {as_of.isoformat()}.{where} "
                            "Listed in USD; CNY at the FX table.")
    return cells


def litellm_rows(data: dict, registries: Registries, as_of: date, release: str) -> Iterator[FeedRow | FeedSkip]:
    """A row per mappable (provider, model), then a skip with its reason for every other entry."""
    chosen = FeedSelection()
    skips: list[FeedSkip] = []
    known = known_vendors()
    for number, (key, entry) in enumerate(data.items(), 1):
        if key == "sample_spec":
            skips.append(FeedSkip(number, key, DOCUMENTATION))
            continue
        if not isinstance(entry, dict) or entry.get("mode") != "chat":
            skips.append(FeedSkip(number, key, NOT_CHAT))
            continue
        provider = entry.get("litellm_provider")
        if not isinstance(provider, str) or not provider.strip():
            skips.append(FeedSkip(number, key, NO_PROVIDER))
            continue
        model = registries.token_models.resolve(key)
        if not model.known:
            skips.append(FeedSkip(number, key, UNKNOWN_MODEL))
            continue
        cells = entry_cells(key, entry, model.id, as_of, release)
        if cells is None:
            skips.append(FeedSkip(number, key, NO_TOKEN_PRICE))
            continue
        row = FeedRow(number, key, vendor_for(SOURCE, provider, known), cells)
        chosen.offer(row, names_the_model(key, model.id, model.name))
    yield from chosen.results()
    yield from skips
