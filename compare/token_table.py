"""Every token model × provider in one table (the OpenRouter manner): each price a model really has,
sortable by any column and filtered by model family, provider and "filed in China". No Flask."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from catalog.models import Offer, Vendor
from catalog.registry import Registries
from pricing.availability import discounted

# Sortable columns, in the table's order; the default puts the cheapest blended price first.
SORT_KEYS = ("model", "vendor", "input", "cached_input", "output", "cache_write", "long_input", "long_output",
             "batch_input", "batch_output", "off_peak_input", "off_peak_output", "context_window", "blended")
DEFAULT_SORT = "blended"
# A page of the whole market stays readable and light; filters narrow it.
MAX_ROWS = 500


@dataclass(frozen=True)
class TokenRow:
    offer_id: int
    title: str
    model: str
    model_name: str
    family: str
    filed: bool  # the registry's filed_model (spec §7); False for a model outside the registry
    vendor: Vendor
    input: Decimal
    cached_input: Decimal | None
    output: Decimal
    cache_write: Decimal | None
    long_threshold: int | None
    long_input: Decimal | None
    long_output: Decimal | None
    batch_rate: Decimal | None
    batch_input: Decimal | None
    batch_output: Decimal | None
    off_peak_hours: str | None
    off_peak_rate: Decimal | None
    off_peak_input: Decimal | None
    off_peak_output: Decimal | None
    context_window: int | None
    blended: Decimal

    def sort_value(self, key: str):
        if key == "vendor":
            return self.vendor.slug
        if key == "model":
            return self.model_name.lower()
        return getattr(self, key)


@dataclass(frozen=True)
class TokenTable:
    rows: list[TokenRow]
    total: int  # rows matching the filters, before the MAX_ROWS cut
    families: list[str]  # every family in the market, for the filter
    vendors: list[Vendor]  # every provider of token offers, for the filter


def parse_sort(text: str | None) -> tuple[str, bool]:
    """'-output' -> ('output', descending); anything unknown is the default, ascending."""
    text = (text or "").strip()
    descending = text.startswith("-")
    key = text.lstrip("-")
    return (key, descending) if key in SORT_KEYS else (DEFAULT_SORT, False)


def _row(offer: Offer, registries: Registries) -> TokenRow:
    known = registries.token_models.get(offer.model)
    rate, batch = offer.off_peak_rate if offer.off_peak_hours else None, offer.batch_rate
    return TokenRow(
        offer_id=offer.id, title=offer.title, model=offer.model, model_name=known.name if known else offer.model,
        family=known.family if known else "", filed=bool(known and known.filed_model), vendor=offer.vendor,
        input=offer.input_price,
        cached_input=offer.cached_input_price, output=offer.output_price, cache_write=offer.cache_write_price,
        long_threshold=offer.long_context_threshold, long_input=offer.long_input_price,
        long_output=offer.long_output_price, batch_rate=batch, batch_input=discounted(offer.input_price, batch),
        batch_output=discounted(offer.output_price, batch), off_peak_hours=offer.off_peak_hours,
        off_peak_rate=rate, off_peak_input=discounted(offer.input_price, rate),
        off_peak_output=discounted(offer.output_price, rate),
        context_window=offer.context_window or (known.context_window if known else None), blended=offer.unit_price)


def sort_rows(rows: list[TokenRow], key: str, descending: bool) -> list[TokenRow]:
    """By `key`, empty cells last whichever the direction; ties by blended price, then offer id."""
    present = [r for r in rows if r.sort_value(key) is not None]
    empty = [r for r in rows if r.sort_value(key) is None]
    present.sort(key=lambda r: (r.blended, r.offer_id))
    present.sort(key=lambda r: r.sort_value(key), reverse=descending)
    empty.sort(key=lambda r: (r.blended, r.offer_id))
    return present + empty


def token_table(session: Session, registries: Registries, *, family: str = "", vendor: str = "",
                filed_only: bool = False, sort: str | None = None) -> TokenTable:
    """The listed token offers as rows, filtered by model family, provider (vendor slug) and, with
    `filed_only`, to models filed in China; sorted."""
    offers = session.scalars(select(Offer).options(joinedload(Offer.vendor))
                             .where(Offer.kind == "token", Offer.status == "active")).all()
    rows = [_row(o, registries) for o in offers]
    families = sorted({r.family for r in rows if r.family}, key=str.lower)
    vendors = sorted({r.vendor.slug: r.vendor for r in rows}.values(), key=lambda v: v.slug)
    if family:
        rows = [r for r in rows if r.family.lower() == family.lower()]
    if vendor:
        rows = [r for r in rows if r.vendor.slug == vendor]
    if filed_only:
        rows = [r for r in rows if r.filed]
    key, descending = parse_sort(sort)
    rows = sort_rows(rows, key, descending)
    return TokenTable(rows=rows[:MAX_ROWS], total=len(rows), families=families, vendors=vendors)
