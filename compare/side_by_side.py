"""The comparison table: every normalized field of up to six offers, differences and cheapest marked. No Flask.

Row labels are English msgids (the template translates them); values are already worded
in the page language (`lang`), numbers as the spec stores them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from catalog.models import Offer
from catalog.registry import Registries
from pricing import display
from pricing.display import N_, word
from pricing.performance import perf_price
from web.converters import parse_id

MAX_OFFERS = 6


@dataclass
class Row:
    key: str
    label: str  # English msgid
    values: list[str | None]
    differs: bool = False
    best: set[int] = field(default_factory=set)  # column indexes of the cheapest figure
    note: str = ""  # English msgid shown under the label


def parse_ids(raw: list[str], limit: int | None = MAX_OFFERS) -> list[int]:
    """'1,2,3' (or several ids= values) -> unique ids, in order, at most `limit`.

    A part no offer can have ("abc", "²", 2**63) is left out, as an unknown id is: the page
    then shows what remains (or that nothing is chosen), as it did for "abc".
    """
    ids: list[int] = []
    for chunk in raw:
        for part in chunk.replace("，", ",").split(","):
            offer_id = parse_id(part.strip())
            if offer_id is not None and offer_id not in ids:
                ids.append(offer_id)
    return ids[:limit] if limit else ids


def _num(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def _cheapest(values: list[Decimal | None]) -> set[int]:
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return set()
    low = min(present)
    return {i for i, v in enumerate(values) if v == low}


def _age(at: datetime, now: datetime, lang: str) -> str:
    days = (now - at).days
    stamp = at.strftime("%Y-%m-%d")
    if days <= 0:
        return word(N_("%(date)s (today)"), lang, date=stamp)
    return word(N_("%(date)s (%(days)s days ago)"), lang, date=stamp, days=days)


def _raw_listed(o: Offer) -> str:
    if o.list_amount is not None:
        return f"{_num(o.list_amount)} {o.list_currency} / {o.list_unit}"
    return f"{_num(o.list_input_amount)} / {_num(o.list_output_amount)} {o.list_currency} / {o.list_unit}"


def compare_rows(offers: list[Offer], registries: Registries, lang: str, now: datetime,
                 listed: Callable[[Offer], str] = _raw_listed) -> list[Row]:
    """The table's rows; `listed` words the vendor's own price (the pages pass their display filter)."""
    zh = lang == "zh"
    rows: list[Row] = []

    def add(key: str, label: str, values: list, best: list[Decimal | None] | None = None, note: str = "") -> None:
        if all(v is None for v in values):
            return
        shown = [v if v is None or isinstance(v, str) else str(v) for v in values]
        rows.append(Row(key, label, shown, differs=len(set(shown)) > 1,
                        best=_cheapest(best) if best else set(), note=note))

    gpus = [registries.gpus.get(o.gpu_model) if o.gpu_model else None for o in offers]
    regions = [registries.regions.get(o.region) if o.region else None for o in offers]
    add("vendor", "Vendor", [display.vendor_name(o.vendor, lang) for o in offers])
    add("kind", "Kind", [display.kind_label(o.kind, lang) for o in offers])
    add("title", "Offer", [o.title for o in offers])
    add("gpu_model", "GPU model", [g.name if g else o.gpu_model for g, o in zip(gpus, offers, strict=True)])
    add("gpu_count", "Cards per instance", [_num(o.gpu_count) for o in offers])
    add("gpu_memory_gb", "Memory per card (GB)", [_num(o.gpu_memory_gb) for o in offers])
    add("interconnect", "Form factor / interconnect", [g.form_factor_in(lang) if g else None for g in gpus],
        note="From the GPU registry")
    add("tflops", "Dense TFLOPS", [f"{_num(g.bf16_tflops)} {g.precision.upper()}" if g and g.bf16_tflops else None
                                   for g in gpus])
    add("vcpus", "vCPUs", [_num(o.vcpus) for o in offers])
    add("ram_gb", "RAM (GB)", [_num(o.ram_gb) for o in offers])
    add("cpu_arch", "CPU architecture", [o.cpu_arch for o in offers])
    add("model", "Model", [o.model for o in offers])
    add("context_window", "Context window", [f"{o.context_window:,}" if o.context_window else None for o in offers])
    add("region", "Region", [
        (r.name_zh if zh else r.name_en) + (f" · {r.province_zh if zh else r.province_en}"
                                            if r.province_zh and r.province_zh != r.name_zh else "")
        if r else o.region for r, o in zip(regions, offers, strict=True)])
    add("billing", "Billing term", [display.billing_label(o.billing, lang) for o in offers])
    add("spot", "Interruption risk", [word(N_("can be reclaimed"), lang) if o.billing == "spot"
                                      else word(N_("none"), lang) for o in offers])
    add("stock", "Stock", [str(o.stock) if o.stock is not None else word(N_("not stated"), lang)
                           for o in offers])
    add("list_price", "Listed price", [listed(o) for o in offers])
    unit_prices = [o.unit_price for o in offers]
    same_kind = len({o.kind for o in offers}) == 1
    add("unit_price", "Normalized price", [display.price_per_unit(o.unit_price, o.kind, lang) for o in offers],
        best=unit_prices if same_kind else None)
    perfs = [perf_price(o.unit_price, g.bf16_tflops, g.precision, o.gpu_memory_gb or g.memory_gb)
             if o.kind == "gpu" and g else None for o, g in zip(offers, gpus, strict=True)]
    pflops = [p.per_pflops_hour if p else None for p in perfs]
    add("per_pflops_hour", "CNY per dense PFLOPS-hour",
        [f"{display.cny(p.per_pflops_hour)} ({p.precision.upper()})" if p and p.per_pflops_hour else None
         for p in perfs],
        best=pflops, note="Precision of the FLOPS figure in brackets")
    per_gb = [p.per_gb_hour if p else None for p in perfs]
    add("per_gb_hour", "CNY per GB of memory-hour", [display.cny(v) if v is not None else None for v in per_gb], best=per_gb)
    for key, label in (("input_price", "Input (CNY / 1M tokens)"), ("output_price", "Output (CNY / 1M tokens)"),
                       ("cached_input_price", "Cached input (CNY / 1M tokens)")):
        values = [getattr(o, key) for o in offers]
        add(key, label, [display.cny(v) if v is not None else None for v in values], best=values)
    add("price_updated_at", "Price as of", [_age(o.price_updated_at, now, lang) for o in offers],
        note="Price freshness")
    return _prices_first(rows)


# What a buyer compares first: who and what, then the prices, then the specification.
LEAD_ROWS = ("vendor", "title", "unit_price", "list_price", "input_price", "output_price", "cached_input_price",
             "per_pflops_hour", "per_gb_hour", "price_updated_at")


def _prices_first(rows: list[Row]) -> list[Row]:
    lead = {key: n for n, key in enumerate(LEAD_ROWS)}
    return sorted(rows, key=lambda r: lead.get(r.key, len(LEAD_ROWS)))


def cheapest_columns(rows: list[Row]) -> tuple[set[int], set[int]]:
    """Columns cheapest per unit and per performance, for the badges in the header."""
    by_key = {r.key: r for r in rows}
    unit = by_key["unit_price"].best if "unit_price" in by_key else set()
    perf = by_key["per_pflops_hour"].best if "per_pflops_hour" in by_key else set()
    return unit, perf


def ids_without(ids: list[int], drop: int) -> str:
    return ",".join(str(i) for i in ids if i != drop)
