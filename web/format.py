"""The display rules as Jinja filters, in the page's language: registered here, in one place.

The rules themselves (number formats, unit and billing words, vendor names, relative times)
live in pricing/display.py and take the language as an argument; the wrappers here pass the
request's. Only what needs the registries or a request (region and model names, spec lines,
dates) is written here.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import Flask, current_app

from pricing import display, period_change
from pricing.display import amount, cny, context_window, listed_amount, quantity, total  # noqa: F401 - filters
from pricing.duration_price import min_term as shortest_term
from web import caches
from web.locale import gettext, language

# pricing/display.py keeps these; it sits below web and cannot import the registry, so they are listed here.
caches.register(
    "babel-locales", "pricing.display", holds="parsed Babel locales", key="language", bound="one per language (2)",
    invalidated_by=caches.Invalidation.NEVER, catalog_facts=False)
caches.register(
    "ago-words", "pricing.display", holds="Babel's 'N units ago' words", key="(unit, rounded count, language)",
    bound="~400 strings: the counts below each unit's next step, per language",
    invalidated_by=caches.Invalidation.NEVER, catalog_facts=False)
caches.register(
    "display-words", "pricing.display", holds="every area's Chinese catalog, merged, for display words",
    key="language", bound="one per language (2)", invalidated_by=caches.Invalidation.NEVER, catalog_facts=False)


def unit_label(unit: str) -> str:
    return display.unit_label(unit, language())


def normalized_unit(kind: str) -> str:
    """'卡时' / 'card-hour' for a GPU offer, and so on."""
    return display.normalized_unit(kind, language())


def price_per_unit(value: Decimal | None, kind: str) -> str:
    """'¥1.90 / 卡时'."""
    return display.price_per_unit(value, kind, language())


def listed_price(offer) -> str:
    """The vendor's own price: '¥10,312 / 月', '$2.5 / 1M tokens in, $10 out'."""
    unit = unit_label(offer.list_unit)
    if offer.kind == "token" and offer.list_input_amount is not None and offer.list_amount is None:
        given_in = listed_amount(offer.list_input_amount, offer.list_currency)
        given_out = listed_amount(offer.list_output_amount, offer.list_currency)
        if offer.list_output_amount is None or offer.list_output_amount == offer.list_input_amount:
            return f"{given_in} / {unit}"
        return gettext("%(given_in)s / %(unit)s in, %(given_out)s out",
                       given_in=given_in, unit=unit, given_out=given_out)
    return f"{listed_amount(offer.list_amount, offer.list_currency)} / {unit}"


def min_term(offer) -> str:
    """The shortest time an offer sells: '1 个月' / '1 month'; '' for token offers."""
    if offer.kind == "token":
        return ""
    term = shortest_term(offer.billing, offer.list_unit)
    words = {"month": gettext("1 month"), "year": gettext("1 year"), "minute": gettext("1 minute")}
    return words.get(term.value) or gettext("1 hour")


def ago(then: datetime | None, lang: str, now: datetime | None = None) -> str:
    """How long ago a naive-UTC time was, in words: '3小时前', '3 hours ago'."""
    return display.ago(then, lang, now or datetime.now(UTC).replace(tzinfo=None))


def freshness(then: datetime | None, now: datetime | None = None) -> str:
    """'3小时前更新' / 'updated 3 hours ago'."""
    if then is None:
        return gettext("update time unknown")
    words = ago(then, language(), now)
    return gettext("updated %(ago)s", ago=words) if words else gettext("updated just now")


def day(at: datetime | None) -> str:
    """A date in the page's language: '2026年11月27日', 'Nov 27, 2026'."""
    return "" if at is None else format_date(at.date(), "medium", locale=display.babel_locale(language()))


# Times are stored in naive UTC; people here read them on China's wall clock.
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
LOCAL_MINUTE = "%Y-%m-%d %H:%M"


def local_time(at: datetime | None, fmt: str = LOCAL_MINUTE) -> str:
    """A naive-UTC time on the Asia/Shanghai clock: '2026-12-03 21:15' (the same in both languages)."""
    return "" if at is None else at.replace(tzinfo=UTC).astimezone(LOCAL_ZONE).strftime(fmt)


class SpecParts(NamedTuple):
    main: str  # '昇腾910B', '8 vCPU · 32 GB RAM', 'DeepSeek-V3'
    times: str  # the card count after the GPU name ('8'), or ''
    sub: str  # the line under it: memory, CPUs, RAM; the CPU arch; the context window


def spec_parts(offer) -> SpecParts:
    """An offer's configuration in two short lines (built here, not in a macro: a browse page
    shows it 20 times and the template version cost ~75 µs a row)."""
    if offer.kind == "gpu":
        sub = [gettext("%(gb)s GB per card", gb=quantity(offer.gpu_memory_gb)) if offer.gpu_memory_gb else "",
               gettext("%(n)s vCPU", n=quantity(offer.vcpus)) if offer.vcpus else "",
               gettext("%(gb)s GB RAM", gb=quantity(offer.ram_gb)) if offer.ram_gb else ""]
        return SpecParts(gpu_name(offer.gpu_model), quantity(offer.gpu_count) if offer.gpu_count else "",
                         " · ".join(filter(None, sub)))
    if offer.kind == "cpu":
        main = gettext("%(n)s vCPU", n=quantity(offer.vcpus))
        if offer.ram_gb:
            main += " · " + gettext("%(gb)s GB RAM", gb=quantity(offer.ram_gb))
        return SpecParts(main, "", offer.cpu_arch or "")
    context = gettext("context %(size)s", size=context_window(offer.context_window)) if offer.context_window else ""
    return SpecParts(token_model_name(offer.model), "", context)


def _registries():
    # The catalog's registries, handed over in init_app: the shell imports no area.
    return current_app.extensions["registries"]


def region_name(region_id: str | None) -> str:
    if not region_id:
        return ""
    region = _registries().regions.get(region_id)
    if region is None:
        return region_id
    return region.name_zh if language() == "zh" else region.name_en


def gpu_name(gpu_id: str | None) -> str:
    if not gpu_id:
        return ""
    model = _registries().gpus.get(gpu_id)
    return model.name if model else gpu_id


def token_model_name(model_id: str | None) -> str:
    if not model_id:
        return ""
    model = _registries().token_models.get(model_id)
    return model.name if model else model_id


def vendor_name(vendor) -> str:
    return display.vendor_name(vendor, language())


def kind_label(kind: str) -> str:
    return display.kind_label(kind, language())


def billing_label(billing: str) -> str:
    return display.billing_label(billing, language())


def rate_text(rate: Decimal | None) -> str:
    """'五折' / '50%'."""
    return display.rate_text(rate, language())


def span_text(offer) -> str:
    """When the offer can be used, in Beijing time."""
    return display.span_text(offer.available_from, offer.available_to, language())


def window_text(window: str | None) -> str:
    return display.window_text(window, language())


def off_peak_text(offer) -> str:
    """'闲时 00:30–08:30 五折 ¥0.95 / 卡时'."""
    return display.off_peak_text(offer, language())


def price_changes(changes: dict) -> str:
    """'7 天 −5.2% · 30 天 +1.0%' from pricing.period_change's {days: percent or None}."""
    return period_change.changes_text(changes, language())


def init_app(app: Flask, registries) -> None:
    """Add the filters; `registries` (catalog.registry.Registries) name the GPU, region and model ids."""
    app.extensions["registries"] = registries
    for name, func in (("cny", cny), ("total", total), ("price_per_unit", price_per_unit), ("listed_price", listed_price),
                       ("listed_amount", listed_amount), ("unit_label", unit_label),
                       ("normalized_unit", normalized_unit), ("quantity", quantity), ("freshness", freshness),
                       ("day", day), ("local_time", local_time), ("context_window", context_window),
                       ("region_name", region_name), ("gpu_name", gpu_name), ("token_model_name", token_model_name),
                       ("vendor_name", vendor_name), ("spec_parts", spec_parts), ("kind_label", kind_label),
                       ("billing_label", billing_label), ("rate_text", rate_text), ("span_text", span_text),
                       ("window_text", window_text), ("off_peak_text", off_peak_text),
                       ("price_changes", price_changes), ("min_term", min_term)):
        app.add_template_filter(func, name)
