"""Display formatting for the buyer's pages, as Jinja filters: money, units, names, freshness.

Everything here turns stored values (Decimal prices, registry ids, UTC times) into text for
one language; nothing computes a price. The pure functions take the language explicitly so
they can be tested without a request; the filters pick it from Flask-Babel.
"""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import NamedTuple

from babel import Locale
from babel.dates import TIMEDELTA_UNITS, format_date, format_timedelta
from flask import Flask, current_app

from web.locale import gettext, language, lazy_gettext

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "SGD": "S$", "JPY": "JP¥"}

UNIT_LABELS = {
    "minute": lazy_gettext("minute"),
    "hour": lazy_gettext("hour"),
    "day": lazy_gettext("day"),
    "week": lazy_gettext("week"),
    "month": lazy_gettext("month"),
    "year": lazy_gettext("year"),
    "card_hour": lazy_gettext("card-hour"),
    "core_hour": lazy_gettext("core-hour"),
    "token": lazy_gettext("token"),
    "1k_tokens": lazy_gettext("1K tokens"),
    "1m_tokens": lazy_gettext("1M tokens"),
}
# The normalized unit of each kind (spec section 1).
NORMALIZED_UNITS = {"gpu": "card_hour", "cpu": "core_hour", "token": "1m_tokens"}
KIND_LABELS = {"gpu": lazy_gettext("GPU"), "cpu": lazy_gettext("CPU"), "token": lazy_gettext("LLM tokens")}
BILLING_LABELS = {
    "on_demand": lazy_gettext("On demand"),
    "spot": lazy_gettext("Spot"),
    "monthly": lazy_gettext("Monthly"),
    "yearly": lazy_gettext("Yearly"),
}


def amount(value: Decimal | None) -> str:
    """A CNY amount for display: two places, more for small numbers so 0.022 does not show as 0.02."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == 0 or abs(value) >= 1:
        return format(value.quantize(Decimal("0.01"), ROUND_HALF_UP), ",f")
    # Three significant digits below 1, never fewer than two places: 0.55, 0.022, 0.00035.
    places = max(2, -value.adjusted() + 2)
    text = format(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), "f")
    whole, frac = text.split(".")
    frac = frac.rstrip("0").ljust(2, "0")
    return f"{whole}.{frac}"


def cny(value: Decimal | None) -> str:
    return "" if value is None else f"¥{amount(value)}"


def listed_amount(value: Decimal | None, currency: str) -> str:
    """A listed amount as the vendor wrote it (no padding zeros), with its currency's symbol."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{currency} {text}"


def unit_label(unit: str) -> str:
    label = UNIT_LABELS.get(unit)
    return str(label) if label is not None else unit


def normalized_unit(kind: str) -> str:
    """'卡时' / 'card-hour' for a GPU offer, and so on."""
    return unit_label(NORMALIZED_UNITS.get(kind, ""))


def price_per_unit(value: Decimal | None, kind: str) -> str:
    """'¥1.90 / 卡时'."""
    return "" if value is None else f"{cny(value)} / {normalized_unit(kind)}"


def listed_price(offer) -> str:
    """The vendor's own price: '¥10312 / 月', '$2.5 / 1M tokens in, $10 out'."""
    unit = unit_label(offer.list_unit)
    if offer.kind == "token" and offer.list_input_amount is not None and offer.list_amount is None:
        given_in = listed_amount(offer.list_input_amount, offer.list_currency)
        given_out = listed_amount(offer.list_output_amount, offer.list_currency)
        if offer.list_output_amount is None or offer.list_output_amount == offer.list_input_amount:
            return f"{given_in} / {unit}"
        return gettext("%(given_in)s / %(unit)s in, %(given_out)s out",
                       given_in=given_in, unit=unit, given_out=given_out)
    return f"{listed_amount(offer.list_amount, offer.list_currency)} / {unit}"


def quantity(value: Decimal | None) -> str:
    """A count or size without padding zeros: 8, 0.5, 80."""
    return "" if value is None else format(Decimal(value).normalize(), "f")


@cache
def _babel_locale(lang: str) -> Locale:
    # Babel parses a locale name on every call; a parsed Locale halves format_timedelta's time.
    return Locale.parse(lang)


# format_timedelta's own defaults: the first unit (largest first) reaching 0.85 of one is used.
_AGO_THRESHOLD = 0.85
_ago_words: dict[tuple[str, int, str], str] = {}


def ago(then: datetime | None, lang: str, now: datetime | None = None) -> str:
    """How long ago a naive-UTC time was, in words: '3小时前', '3 hours ago'.

    Babel's words depend only on the unit it picks and the rounded count (the same loop as
    format_timedelta's, below), so each (unit, count, language) is formatted once: a browse
    page asks 20 times, and Babel took ~12 µs each.
    """
    if then is None:
        return ""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    seconds = max(now - then, timedelta(0)).total_seconds()
    if seconds < 60:
        return ""
    unit, per_unit = next((u for u in TIMEDELTA_UNITS if seconds / u[1] >= _AGO_THRESHOLD), TIMEDELTA_UNITS[-1])
    key = (unit, int(round(seconds / per_unit)), lang)
    words = _ago_words.get(key)
    if words is None:
        words = _ago_words[key] = format_timedelta(-timedelta(seconds=seconds), add_direction=True,
                                                   threshold=_AGO_THRESHOLD, locale=_babel_locale(lang))
    return words


def freshness(then: datetime | None, now: datetime | None = None) -> str:
    """'3小时前更新' / 'updated 3 hours ago'."""
    if then is None:
        return gettext("update time unknown")
    words = ago(then, language(), now)
    return gettext("updated %(ago)s", ago=words) if words else gettext("updated just now")


def day(at: datetime | None) -> str:
    """A date in the page's language: '2026年11月27日', 'Nov 27, 2026'."""
    return "" if at is None else format_date(at.date(), "medium", locale=_babel_locale(language()))


def context_window(tokens: int | None) -> str:
    """128000 -> '128K', 131072 -> '128K', 1047576 -> '1.05M'."""
    if not tokens:
        return ""
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:.3g}M"
    if tokens % 1000 and tokens % 1024 == 0:
        return f"{tokens // 1024}K"
    return f"{tokens / 1000:.4g}K"


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
    if language() == "zh":
        return vendor.name_zh or vendor.name_en or vendor.slug
    return vendor.name_en or vendor.name_zh or vendor.slug


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def billing_label(billing: str) -> str:
    return str(BILLING_LABELS.get(billing, billing))


def init_app(app: Flask, registries) -> None:
    """Add the filters; `registries` (catalog.registry.Registries) name the GPU, region and model ids."""
    app.extensions["registries"] = registries
    for name, func in (("cny", cny), ("price_per_unit", price_per_unit), ("listed_price", listed_price),
                       ("listed_amount", listed_amount), ("unit_label", unit_label),
                       ("normalized_unit", normalized_unit), ("quantity", quantity), ("freshness", freshness),
                       ("day", day), ("context_window", context_window),
                       ("region_name", region_name), ("gpu_name", gpu_name), ("token_model_name", token_model_name),
                       ("vendor_name", vendor_name), ("spec_parts", spec_parts), ("kind_label", kind_label),
                       ("billing_label", billing_label)):
        app.add_template_filter(func, name)
