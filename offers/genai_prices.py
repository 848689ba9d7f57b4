"""pydantic/genai-prices' data.json as standard token rows.

The file is a list of providers, each with models priced in USD per 1M tokens (`input_mtok`…).
A model's `prices` is one price set or a list of conditional ones: `start_date` constraints
are price changes (the latest started by the as-of date holds) and `start_time`/`end_time`
ones time-of-day prices (DeepSeek's off-peak hours). A price may be a tier object
`{"base", "tiers": [{"start", "price"}]}`: the first tier is the long-context price.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from catalog.registry import Registries, TokenModel
from offers.price_feed import (
    NO_PROVIDER,
    NO_TOKEN_PRICE,
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

SOURCE = "genai-prices"
LABEL = "genai-prices (pydantic/genai-prices data.json)"
MARKET_TZ_OFFSET_MINUTES = 8 * 60  # Asia/Shanghai, no daylight saving
COMPONENTS = ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok")


def _base(value) -> Decimal | None:
    if isinstance(value, dict):
        return positive(decimal(value.get("base")))
    return positive(decimal(value))


def _first_tier(value) -> tuple[int, Decimal] | None:
    if not isinstance(value, dict) or not isinstance(value.get("tiers"), list) or not value["tiers"]:
        return None
    tier = value["tiers"][0]
    start, price = decimal(tier.get("start")), positive(decimal(tier.get("price")))
    if start is None or price is None or start < 1 or start != start.to_integral_value():
        return None
    return int(start), price


def _clock(text: str) -> int | None:
    """Minutes after midnight UTC of 'HH:MM:SSZ', or None."""
    try:
        hours, minutes = int(text[0:2]), int(text[3:5])
    except (TypeError, ValueError):
        return None
    return hours * 60 + minutes if 0 <= hours < 24 and 0 <= minutes < 60 else None


def _local(minutes: int) -> str:
    minutes = (minutes + MARKET_TZ_OFFSET_MINUTES) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def price_sets(prices, as_of: date) -> tuple[dict, dict | None, tuple[int, int] | None]:
    """(the price set in force, the other time-of-day set or None, that set's UTC window in minutes or None)."""
    if isinstance(prices, dict):
        return prices, None, None
    if not isinstance(prices, list):
        return {}, None, None
    current: dict = {}
    timed: list[tuple[dict, tuple[int, int]]] = []
    latest_start = ""
    for item in prices:
        if not isinstance(item, dict) or not isinstance(item.get("prices"), dict):
            continue
        constraint = item.get("constraint") or {}
        if "start_time" in constraint or "end_time" in constraint:
            start, end = _clock(str(constraint.get("start_time"))), _clock(str(constraint.get("end_time")))
            if start is not None and end is not None:
                timed.append((item["prices"], (start, end)))
            continue
        started = str(constraint.get("start_date") or "")
        if started <= as_of.isoformat() and started >= latest_start:
            current, latest_start = item["prices"], started
    if not timed:
        return current, None, None
    other, window = timed[0]
    return current, other, window


def _off_peak(current: dict, other: dict, window: tuple[int, int]) -> tuple[dict, dict[str, str]]:
    """The normal price set, and the off-peak hours (Asia/Shanghai) and rate where every price agrees."""
    now_in, other_in = _base(current.get("input_mtok")), _base(other.get("input_mtok"))
    if now_in is None or other_in is None or now_in == other_in:
        return current, {}
    if other_in < now_in:  # the constrained set is the cheap one: it holds inside its window
        normal, cheap, (start, end) = current, other, window
    else:  # the constrained set is the normal price: the cheap one holds outside its window
        normal, cheap, (end, start) = other, current, window
    rate = agreed_ratio((_base(cheap.get(c)), _base(normal.get(c))) for c in COMPONENTS
                        if _base(normal.get(c)) is not None)
    if rate is None:
        return normal, {}
    return normal, {"off_peak_hours": f"{_local(start)}-{_local(end)}", "off_peak_rate": plain(rate)}


def model_cells(model: TokenModel, entry: dict, as_of: date) -> dict[str, str] | None:
    """The standard row of one model entry, or None when it has no input and output price per token."""
    current, other, window = price_sets(entry.get("prices"), as_of)
    timed: dict[str, str] = {}
    if other is not None and window is not None:
        current, timed = _off_peak(current, other, window)
    input_price, output_price = _base(current.get("input_mtok")), _base(current.get("output_mtok"))
    if input_price is None or output_price is None:
        return None
    cells = {
        "sku": f"{SOURCE}:{model.id}", "kind": "token", "model": model.id,
        "input_price": plain(input_price), "output_price": plain(output_price),
        "currency": "USD", "price_unit": "1m_tokens",
    }
    window_tokens = decimal(entry.get("context_window"))
    if window_tokens is not None and window_tokens >= 1 and window_tokens == window_tokens.to_integral_value():
        cells["context_window"] = str(int(window_tokens))
    for column, component in (("cached_input_price", "cache_read_mtok"), ("cache_write_price", "cache_write_mtok")):
        value = _base(current.get(component))
        if value is not None:
            cells[column] = plain(value)
    long_in, long_out = _first_tier(current.get("input_mtok")), _first_tier(current.get("output_mtok"))
    if long_in and long_out and long_in[0] == long_out[0]:
        cells.update(long_context_threshold=str(long_in[0]), long_input_price=plain(long_in[1]),
                     long_output_price=plain(long_out[1]))
    cells.update(timed)
    return cells


def _model_names(entry: dict) -> Iterator[str]:
    """The entry's id and name, then the exact names its match rules list."""
    for key in ("id", "name"):
        if isinstance(entry.get(key), str):
            yield entry[key]
    stack = [entry.get("match")]
    while stack:
        rule = stack.pop()
        if isinstance(rule, dict):
            for kind, value in rule.items():
                # Only exact names: a prefix rule ('gpt-4o') also covers other models ('gpt-4o-audio').
                if kind == "equals" and isinstance(value, str):
                    yield value
                elif isinstance(value, dict | list):
                    stack.append(value)
        elif isinstance(rule, list):
            stack.extend(rule)


def _known_model(entry: dict, registries: Registries) -> TokenModel | None:
    for name in _model_names(entry):
        model = registries.token_models.resolve(name) if name.strip() else None
        if model is not None and model.known:
            return model
    return None


def genai_rows(data: list, registries: Registries, as_of: date) -> Iterator[FeedRow | FeedSkip]:
    """A row per mappable (provider, model), then a skip with its reason for every other model entry."""
    chosen = FeedSelection()
    skips: list[FeedSkip] = []
    known = known_vendors()
    number = 0
    for provider in data if isinstance(data, list) else []:
        if not isinstance(provider, dict):
            continue
        provider_id = provider.get("id")
        for entry in provider.get("models") or []:
            number += 1
            name = f"{provider_id}/{entry.get('id')}" if isinstance(entry, dict) else f"{provider_id}/?"
            if not isinstance(provider_id, str) or not provider_id.strip():
                skips.append(FeedSkip(number, name, NO_PROVIDER))
                continue
            model = _known_model(entry, registries) if isinstance(entry, dict) else None
            if model is None:
                skips.append(FeedSkip(number, name, UNKNOWN_MODEL))
                continue
            cells = model_cells(model, entry, as_of)
            if cells is None:
                skips.append(FeedSkip(number, name, NO_TOKEN_PRICE))
                continue
            pages = provider.get("pricing_urls")
            page = f" Provider's price page: {pages[0]}." if isinstance(pages, list) and pages else ""
            cells["description"] = (f"{LABEL}, provider {provider_id!r}, model {entry.get('id')!r}, "
                                    f"as of {as_of.isoformat()}.{page} Listed in USD; CNY at the FX table.")
            vendor = vendor_for(SOURCE, provider_id, known, provider.get("name") if isinstance(provider.get("name"), str)
                                else None)
            chosen.offer(FeedRow(number, name, vendor, cells), names_the_model(str(entry.get("id")), model.id,
                                                                               model.name))
    yield from chosen.results()
    yield from skips
