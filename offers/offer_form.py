"""The listing form's fields, which kinds each belongs to, and its one path into the catalog.

No Flask: the view hands in the posted strings; validation is OfferSchema's, writing is
sheet_import.import_rows' (one row), so the form, the sheet and the API share every rule.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Offer, Vendor
from offers.schema import CatalogContext, OfferSchema, bilingual
from offers.sheet_import import ImportReport, import_rows
from pricing.availability import local_text


@dataclass(frozen=True)
class FormField:
    name: str  # a standard column (spec section 4)
    label: str  # English msgid
    kinds: tuple[str, ...]
    widget: str = "text"  # text | number | select | textarea | datalist


ALL_KINDS = ("gpu", "cpu", "token")
FIELDS: tuple[FormField, ...] = (
    FormField("kind", "Kind", ALL_KINDS, "select"),
    FormField("sku", "SKU (your own id)", ALL_KINDS),
    FormField("title", "Title", ALL_KINDS),
    FormField("gpu_model", "GPU model", ("gpu",), "datalist"),
    FormField("gpu_count", "GPU count", ("gpu",), "number"),
    FormField("gpu_memory_gb", "GPU memory per card (GB)", ("gpu",), "number"),
    FormField("model", "Model", ("token",), "datalist"),
    FormField("context_window", "Context window (tokens)", ("token",), "number"),
    FormField("vcpus", "vCPUs", ("gpu", "cpu"), "number"),
    FormField("ram_gb", "Memory (GB)", ("gpu", "cpu"), "number"),
    FormField("cpu_arch", "CPU architecture", ("cpu",), "select"),
    FormField("region", "Region", ALL_KINDS, "datalist"),
    FormField("billing", "Billing", ALL_KINDS, "select"),
    FormField("price", "Price", ALL_KINDS, "number"),
    FormField("input_price", "Input price", ("token",), "number"),
    FormField("output_price", "Output price", ("token",), "number"),
    FormField("cached_input_price", "Cached input price", ("token",), "number"),
    FormField("currency", "Currency", ALL_KINDS, "select"),
    FormField("price_unit", "Price unit", ALL_KINDS, "select"),
    FormField("stock", "Stock (units available, blank = unknown)", ALL_KINDS, "number"),
    FormField("cache_write_price", "Cache write price", ("token",), "number"),
    FormField("long_context_threshold", "Long-context threshold (input tokens)", ("token",), "number"),
    FormField("long_input_price", "Long-context input price", ("token",), "number"),
    FormField("long_output_price", "Long-context output price", ("token",), "number"),
    FormField("batch_rate", "Batch rate (0.5 = half price)", ("token",)),
    FormField("available_from", "Available from (Beijing time, blank = now)", ALL_KINDS),
    FormField("available_to", "Available until (a date alone = to the end of that day)", ALL_KINDS),
    FormField("available_hours", "Daily hours (HH:MM-HH:MM, blank = all day)", ALL_KINDS),
    FormField("off_peak_hours", "Off-peak hours (HH:MM-HH:MM)", ALL_KINDS),
    FormField("off_peak_rate", "Off-peak rate (0.5 = half price)", ALL_KINDS),
    FormField("description", "Description", ALL_KINDS, "textarea"),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
PREVIEW_SKU = "preview"


def row_for_kind(posted: dict) -> dict:
    """Only the posted fields that belong to the chosen kind: a hidden GPU field never fails a CPU offer."""
    kind = (posted.get("kind") or "").strip().lower()
    wanted = {f.name for f in FIELDS if kind not in ALL_KINDS or kind in f.kinds}
    return {name: str(posted.get(name) or "") for name in FIELD_NAMES if name in wanted}


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def offer_to_form(offer: Offer) -> dict:
    """An offer's listed values, as the form shows them for editing."""
    data = {name: "" for name in FIELD_NAMES}
    data.update(sku=offer.sku, kind=offer.kind, title=offer.title, description=offer.description or "",
                region=offer.region or "", billing=offer.billing, stock="" if offer.stock is None else str(offer.stock),
                gpu_model=offer.gpu_model or "", gpu_count=_plain(offer.gpu_count),
                gpu_memory_gb=_plain(offer.gpu_memory_gb), vcpus=_plain(offer.vcpus), ram_gb=_plain(offer.ram_gb),
                cpu_arch=offer.cpu_arch or "", model=offer.model or "",
                context_window="" if offer.context_window is None else str(offer.context_window),
                currency=offer.list_currency, price_unit=offer.list_unit,
                available_from=local_text(offer.available_from), available_to=local_text(offer.available_to),
                available_hours=offer.available_hours or "", off_peak_hours=offer.off_peak_hours or "",
                off_peak_rate=_plain(offer.off_peak_rate), batch_rate=_plain(offer.batch_rate),
                long_context_threshold="" if offer.long_context_threshold is None else str(offer.long_context_threshold),
                cache_write_price=_plain(offer.list_cache_write_amount),
                long_input_price=_plain(offer.list_long_input_amount),
                long_output_price=_plain(offer.list_long_output_amount))
    if offer.kind == "token" and offer.list_amount is None:
        data.update(input_price=_plain(offer.list_input_amount), output_price=_plain(offer.list_output_amount),
                    cached_input_price=_plain(offer.list_cached_input_amount))
    else:
        data.update(price=_plain(offer.list_amount), cached_input_price=_plain(offer.list_cached_input_amount))
    return data


def preview_offer(context: CatalogContext, posted: dict) -> dict:
    """Validate the form as typed so far; a blank sku does not stop the price preview.

    :raise ValidationError: messages keyed by field.
    """
    row = row_for_kind(posted)
    row["sku"] = row.get("sku") or PREVIEW_SKU
    return OfferSchema(context).load({k: v for k, v in row.items() if v.strip()})


def save_offer(session: Session, vendor: Vendor, context: CatalogContext, posted: dict,
               existing: Offer | None = None, *, deposit: bool = False) -> dict[str, list[str]]:
    """Create (existing None) or edit one offer of `vendor`; returns errors by field, {} when saved.

    The vendor is always the caller's: nothing posted can choose it. An edit keeps the sku.
    `deposit`: the offer is idle capacity deposited (offers/deposits.py), marked in the same commit.
    Commits on success, rolls back on failure.
    """
    row = row_for_kind(posted)
    if existing is not None:
        row["sku"] = existing.sku
    elif row.get("sku", "").strip():
        taken = session.scalar(select(Offer.id).where(Offer.vendor_id == vendor.id, Offer.sku == row["sku"].strip()))
        if taken is not None:
            return {"sku": [bilingual("你已有这个 sku 的报价，请编辑它", "you already list this sku: edit that offer")]}
    report = ImportReport()
    import_rows(session, vendor, [(2, row)], context, report=report)
    if report.errors:
        session.rollback()
        errors: dict[str, list[str]] = {}
        for error in report.errors:
            errors.setdefault(error.column or "_", []).append(error.message)
        return errors
    if deposit:
        offer = session.scalar(select(Offer).where(Offer.vendor_id == vendor.id, Offer.sku == row["sku"].strip()))
        offer.deposit = True
    session.commit()
    return {}
