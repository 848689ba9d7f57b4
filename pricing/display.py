"""How the market shows a value to a person: money, units, billing terms, vendor names, relative times. No Flask.

The one place for these rules: Python (pricing, the planner, views) calls these functions with
the page language, and web/format.py registers thin wrappers of them as the Jinja filters. The
words come from the same Flask-Babel message catalogs the templates use (i18n/<area>, English
msgids; these words in i18n/display), read here with Babel alone so domain code and CLI tools
can use them without an app.

Number formats (rounding is for display only; stored prices keep their scale):
- a unit price (per card-hour, core-hour, 1M tokens): grouped, two places; below ¥1 three
  significant digits so per-token prices keep what matters: ¥3.98, ¥0.022, ¥0.00035;
- a total (a cart, an order, a job's cost): grouped, to the fen: ¥92,268.00;
- a vendor's listed amount, in its own currency: as a unit price is, ¥92,268.00 / 月, $2.50, ¥0.0035
  (one format on every page; the exact listed figure is in the CSV export and the API).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from gettext import c2py
from pathlib import Path
from typing import NamedTuple

from babel import Locale
from babel.dates import TIMEDELTA_UNITS, format_timedelta
from babel.lists import format_list
from babel.messages.pofile import read_po

from pricing import availability

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
CENT = Decimal("0.01")
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "SGD": "S$", "JPY": "JP¥"}


def N_(msgid: str) -> str:
    """Mark a msgid for the catalog; translated when shown, by word()."""
    return msgid


UNIT_WORDS = {
    "minute": N_("minute"), "hour": N_("hour"), "day": N_("day"), "week": N_("week"), "month": N_("month"),
    "year": N_("year"), "card_hour": N_("card-hour"), "core_hour": N_("core-hour"), "token": N_("token"),
    "1k_tokens": N_("1K tokens"), "1m_tokens": N_("1M tokens"),
    # The stall's price preview words a token offer's two prices apart.
    "input": N_("1M input tokens"), "output": N_("1M output tokens"),
}
# The normalized unit of each kind (spec section 1).
NORMALIZED_UNITS = {"gpu": "card_hour", "cpu": "core_hour", "token": "1m_tokens"}
KIND_WORDS = {"gpu": N_("GPU"), "cpu": N_("CPU"), "token": N_("LLM tokens")}
BILLING_WORDS = {"on_demand": N_("On demand"), "spot": N_("Spot (interruptible)"), "monthly": N_("Monthly"),
                 "yearly": N_("Yearly")}


class _Catalog(NamedTuple):
    words: dict[str, str]
    plurals: dict[str, tuple[tuple[str, ...], Callable[[int], int]]]  # singular msgid -> (forms, form for n)


@cache
def _catalog(lang: str) -> _Catalog:
    """Every area's catalog for this language, merged as Flask-Babel merges them (English has none:
    the msgids are the words)."""
    merged = _Catalog({}, {})
    for po in sorted(I18N_DIR.glob(f"*/{lang}/LC_MESSAGES/messages.po")):
        with po.open("rb") as src:
            catalog = read_po(src)
        for m in catalog:
            if isinstance(m.id, str) and m.id and m.string:
                merged.words.setdefault(m.id, m.string)
            elif isinstance(m.id, tuple) and all(m.string):
                merged.plurals.setdefault(m.id[0], (tuple(m.string), c2py(catalog.plural_expr)))
    return merged


def word(msgid: str, lang: str, **variables) -> str:
    """A message in this language from the app's catalogs (English msgid when untranslated), for
    code that runs without a request; pages use gettext, which reads the same catalogs."""
    text = _catalog(lang).words.get(msgid, msgid)
    return text % variables if variables else text


def words(singular: str, plural: str, n: Decimal | int, lang: str, **variables) -> str:
    """word() for a count: the catalog's form for `n`, else English's (one is singular); `num` is n, grouped."""
    variables.setdefault("num", quantity(Decimal(n)))
    found = _catalog(lang).plurals.get(singular)
    if found is None:
        text = singular if n == 1 else plural
    else:
        forms, form_for = found
        # gettext's plural rules take whole numbers; a fraction (0.5 cards) takes the last form,
        # the one English and Chinese use for it.
        text = forms[min(form_for(int(n)), len(forms) - 1)] if n == int(n) else forms[-1]
    return text % variables


@dataclass(frozen=True)
class Phrase:
    """Words kept as an English msgid and its values until a language is chosen: pure code says
    what to show, a page picks its language and the plan JSON both.

    A value that is a Phrase is said in the same language; a tuple of strings is joined as the
    language joins a list ('浙江、北京和华东', '浙江, 北京, and 华东').
    """

    msgid: str
    values: tuple[tuple[str, object], ...] = ()
    plural: str | None = None
    n: Decimal | int | None = None

    def text(self, lang: str) -> str:
        values = {name: _said(value, lang) for name, value in self.values}
        if self.plural is None:
            return word(self.msgid, lang, **values)
        return words(self.msgid, self.plural, self.n, lang, **values)


def _said(value: object, lang: str) -> object:
    if isinstance(value, Phrase):
        return value.text(lang)
    if isinstance(value, tuple):
        return format_list(list(value), locale=babel_locale(lang))
    return value


def phrase(msgid: str, **values) -> Phrase:
    """Words to say later in either language (see Phrase); the msgid is marked for the catalog."""
    return Phrase(msgid, tuple(values.items()))


def phrase_n(singular: str, plural: str, n: Decimal | int, **values) -> Phrase:
    """A Phrase about a count: '%(num)s month' / '%(num)s months' (num is n, grouped)."""
    return Phrase(singular, tuple(values.items()), plural, n)


def _grouped(text: str) -> str:
    whole, dot, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}{dot}{frac}"


def amount(value: Decimal | None) -> str:
    """A unit price's number: '1,234.50', '3.98', '0.022', '0.00035' (see the module docstring)."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == 0 or abs(value) >= 1:
        return format(value.quantize(CENT, ROUND_HALF_UP), ",f")
    places = max(2, -value.adjusted() + 2)
    text = format(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), "f")
    whole, frac = text.split(".")
    return f"{whole}.{frac.rstrip('0').ljust(2, '0')}"


def cny(value: Decimal | None) -> str:
    """A unit price in yuan: '¥3.98', '¥0.022'."""
    return "" if value is None else f"¥{amount(value)}"


def total(value: Decimal | None) -> str:
    """An amount charged, to the fen: '¥9,861.12'."""
    return "" if value is None else f"¥{Decimal(value).quantize(CENT, ROUND_HALF_UP):,.2f}"


def exact_price(value: Decimal) -> str:
    """A unit price as stored, for arithmetic a reader re-checks: grouped, at least two places: ¥17.12, ¥0.0252."""
    whole, _, frac = _grouped(format(Decimal(value).normalize(), "f")).partition(".")
    return f"¥{whole}.{frac.ljust(2, '0')}"


def listed_amount(value: Decimal | None, currency: str) -> str:
    """A listed amount with its currency's symbol, in the unit-price format: '¥92,268.00', '$0.0035'."""
    if value is None:
        return ""
    text = amount(value)
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{currency} {text}"


def quantity(value: Decimal | None) -> str:
    """A count or size without padding zeros, grouped: 8, 0.5, 1,000,000."""
    return "" if value is None else _grouped(format(Decimal(value).normalize(), "f"))


def context_window(tokens: int | None) -> str:
    """128000 -> '128K', 131072 -> '128K', 1047576 -> '1.05M'."""
    if not tokens:
        return ""
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:.3g}M"
    if tokens % 1000 and tokens % 1024 == 0:
        return f"{tokens // 1024}K"
    return f"{tokens / 1000:.4g}K"


def unit_label(unit: str, lang: str) -> str:
    """'卡时' / 'card-hour'; an unknown unit as stored."""
    msgid = UNIT_WORDS.get(unit)
    return word(msgid, lang) if msgid else unit


def normalized_unit(kind: str, lang: str) -> str:
    return unit_label(NORMALIZED_UNITS.get(kind, ""), lang)


def per_unit(value: Decimal, unit: str, lang: str) -> str:
    """'¥3.98 / 卡时'; `unit` a price unit, 'input'/'output', or 'gpu'/'cpu' for that kind's normalized unit."""
    if unit in ("gpu", "cpu"):
        unit = NORMALIZED_UNITS[unit]
    return f"{cny(value)} / {unit_label(unit, lang)}"


def price_per_unit(value: Decimal | None, kind: str, lang: str) -> str:
    """An offer's normalized price: '¥1.90 / 卡时' for a GPU offer."""
    return "" if value is None else per_unit(value, NORMALIZED_UNITS.get(kind, ""), lang)


def billing_label(billing: str, lang: str) -> str:
    msgid = BILLING_WORDS.get(billing)
    return word(msgid, lang) if msgid else billing


def kind_label(kind: str, lang: str) -> str:
    msgid = KIND_WORDS.get(kind)
    return word(msgid, lang) if msgid else kind


def vendor_name(vendor, lang: str) -> str:
    """The vendor's name in this language, else the other one, else its slug."""
    if lang == "zh":
        return vendor.name_zh or vendor.name_en or vendor.slug
    return vendor.name_en or vendor.name_zh or vendor.slug


def normalized_text(offer: dict, lang: str = "zh") -> str:
    """The normalized price(s) of a validated offer dict (OfferSchema output or an Offer's columns)."""
    if offer["kind"] == "token":
        parts = [per_unit(offer["input_price"], "input", lang)]
        if offer.get("output_price") is not None and offer["output_price"] != offer["input_price"]:
            parts.append(per_unit(offer["output_price"], "output", lang))
        return "= " + " · ".join(parts)
    return "= " + per_unit(offer["unit_price"], NORMALIZED_UNITS[offer["kind"]], lang)


@cache
def babel_locale(lang: str) -> Locale:
    # Babel parses a locale name on every call; a parsed Locale halves format_timedelta's time.
    return Locale.parse(lang)


# format_timedelta's own defaults: the first unit (largest first) reaching 0.85 of one is used.
_AGO_THRESHOLD = 0.85
_ago_words: dict[tuple[str, int, str], str] = {}


def ago(then: datetime | None, lang: str, now: datetime) -> str:
    """How long before `now` a naive-UTC time was, in words: '3小时前', '3 hours ago'; '' under a minute.

    Babel's words depend only on the unit it picks and the rounded count (the same loop as
    format_timedelta's, below), so each (unit, count, language) is formatted once: a browse
    page asks 20 times.
    """
    if then is None:
        return ""
    seconds = max(now - then, timedelta(0)).total_seconds()
    if seconds < 60:
        return ""
    unit, per = next((u for u in TIMEDELTA_UNITS if seconds / u[1] >= _AGO_THRESHOLD), TIMEDELTA_UNITS[-1])
    key = (unit, int(round(seconds / per)), lang)
    words = _ago_words.get(key)
    if words is None:
        words = _ago_words[key] = format_timedelta(-timedelta(seconds=seconds), add_direction=True,
                                                   threshold=_AGO_THRESHOLD, locale=babel_locale(lang))
    return words


# Spec 4.1: availability spans, daily windows and price multipliers, as people read them.
_CN_NUMERALS = "〇一二三四五六七八九"


def rate_text(rate: Decimal | None, lang: str) -> str:
    """A price multiplier: 0.5 is '五折' / '50%', 0.75 '七五折' / '75%', 0.333 '3.33折' / '33.3%'."""
    if rate is None:
        return ""
    percent = Decimal(rate) * 100
    if percent == percent.to_integral_value() and 0 < percent < 100:
        digits = f"{int(percent):02d}".rstrip("0")
        tenths = "".join(_CN_NUMERALS[int(d)] for d in digits)
    else:
        tenths = quantity(Decimal(rate) * 10)
    return word("%(percent)s%%", lang, percent=quantity(percent), tenths=tenths)


def _local_minute(moment: datetime, end: bool) -> str:
    """'2026-12-01 08:00'; an end at local midnight is that day's 24:00, as vendors write it."""
    shown = availability.local(moment)
    if end and (shown.hour, shown.minute) == (0, 0):
        return f"{(shown - timedelta(days=1)):%Y-%m-%d} 24:00"
    return f"{shown:%Y-%m-%d %H:%M}"


def span_text(start: datetime | None, end: datetime | None, lang: str) -> str:
    """An availability span in Beijing time: '2026-12-01 00:00 to 2026-12-31 24:00 (Beijing time)'."""
    if start is None and end is None:
        return ""
    if start is not None and end is not None:
        span = word("%(start)s to %(end)s", lang, start=_local_minute(start, False), end=_local_minute(end, True))
    elif start is not None:
        span = word("from %(start)s", lang, start=_local_minute(start, False))
    else:
        span = word("until %(end)s", lang, end=_local_minute(end, True))
    return word("%(span)s (Beijing time)", lang, span=span)


def window_text(window: str | None, lang: str) -> str:
    """A daily window in Beijing time: '22:00–08:00 (Beijing time)'."""
    if not window:
        return ""
    return word("%(span)s (Beijing time)", lang, span=availability.window_text(window))


def off_peak_text(offer, lang: str) -> str:
    """The off-peak price beside the peak one: '闲时 00:30–08:30 五折 ¥0.95 / 卡时'."""
    if offer.off_peak_rate is None or not offer.off_peak_hours:
        return ""
    hours, rate = availability.window_text(offer.off_peak_hours), rate_text(offer.off_peak_rate, lang)
    if offer.kind == "token":
        return word("Off-peak %(hours)s at %(rate)s: input %(input)s, output %(output)s per 1M tokens", lang,
                    hours=hours, rate=rate, input=cny(availability.discounted(offer.input_price, offer.off_peak_rate)),
                    output=cny(availability.discounted(offer.output_price, offer.off_peak_rate)))
    price = per_unit(availability.discounted(offer.unit_price, offer.off_peak_rate), offer.kind, lang)
    return word("Off-peak %(hours)s at %(rate)s: %(price)s", lang, hours=hours, rate=rate, price=price)


def detail_lines(offer, lang: str) -> list[str]:
    """The spec 4.1 facts of an offer (an Offer, or a namespace of a validated row) in short lines,
    for a list where each offer has one cell: the upload preview."""
    lines = []
    if offer.available_from or offer.available_to:
        lines.append(word("Available: %(text)s", lang, text=span_text(offer.available_from, offer.available_to, lang)))
    if offer.available_hours:
        lines.append(word("Daily hours: %(text)s", lang, text=window_text(offer.available_hours, lang)))
    if offer.off_peak_rate is not None:
        lines.append(off_peak_text(offer, lang))
    if offer.kind == "token":
        if offer.cache_write_price is not None:
            lines.append(word("Cache write %(price)s", lang, price=per_unit(offer.cache_write_price, "input", lang)))
        if offer.long_context_threshold:
            lines.append(word("Long context over %(n)s tokens: input %(input)s, output %(output)s", lang,
                              n=quantity(Decimal(offer.long_context_threshold)),
                              input=cny(offer.long_input_price) or "—", output=cny(offer.long_output_price) or "—"))
        if offer.batch_rate is not None:
            lines.append(word("Batch requests %(rate)s", lang, rate=rate_text(offer.batch_rate, lang)))
    return lines
