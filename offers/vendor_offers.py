"""One vendor's offers by sku, for the vendor API: replace, patch, delist, list. No Flask.

Every write is a one-row sheet through sheet_import.import_rows, so the API, the form and a
sheet share one validation gate and one writer (whose statements the write path records).
Nothing here commits: the API's gate commits the change together with its idempotency record.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from catalog.models import Offer, Vendor, utcnow
from catalog.spec_schema import AVAILABILITY_COLUMNS, TOKEN_DETAIL_COLUMNS
from offers.offer_form import offer_to_form
from offers.schema import ALL_COLUMNS, CatalogContext, bilingual
from offers.sheet_import import ImportReport, import_rows
from pricing.text import first_hidden_character

# What PATCH may change: what moves daily (price, stock) and the spec 4.1 terms around the price
# (availability, off-peak, token detail); the offer's identity and shape are a PUT.
PATCHABLE = ("price", "input_price", "output_price", "cached_input_price", "currency", "price_unit", "stock",
             *AVAILABILITY_COLUMNS, *TOKEN_DETAIL_COLUMNS)
MAX_SKU_LENGTH = 200
NOT_TEXT = bilingual("须为字符串或数字", "must be a string or a number")


@dataclass
class OfferWrite:
    change: str | None = None  # created | updated | unchanged; None when refused
    offer: Offer | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def sku_problem(sku: str) -> str | None:
    """Why `sku` cannot be an sku (blank, too long, hidden characters), else None."""
    if not sku.strip():
        return bilingual("缺少必填字段", "missing required field")
    if len(sku) > MAX_SKU_LENGTH:
        return bilingual(f"最长 {MAX_SKU_LENGTH} 个字符", f"at most {MAX_SKU_LENGTH} characters")
    if sku != sku.strip() or first_hidden_character(sku, False):
        return bilingual("含有首尾空白或看不见的字符", "has surrounding spaces or invisible characters")
    return None


def own_offer(session: Session, vendor_id: int, sku: str) -> Offer | None:
    if sku_problem(sku):
        return None
    return session.scalar(select(Offer).where(Offer.vendor_id == vendor_id, Offer.sku == sku))


def cells(data: dict, allowed: tuple[str, ...]) -> tuple[dict, dict[str, list[str]]]:
    """A JSON object's values as sheet cells (numbers arrive as their JSON text), and errors by field."""
    row, errors = {}, {}
    for name, value in data.items():
        if name not in allowed:
            errors[name] = [bilingual("未知或不可修改的字段", "unknown field, or one this request cannot change")]
        elif value is None:
            row[name] = ""
        elif isinstance(value, str):
            row[name] = value
        else:
            errors[name] = [NOT_TEXT]
    return row, errors


def _write(session: Session, vendor: Vendor, context: CatalogContext, row: dict) -> OfferWrite:
    report = ImportReport()
    import_rows(session, vendor, [(1, row)], context, report=report)
    if report.errors:
        errors: dict[str, list[str]] = {}
        for error in report.errors:
            errors.setdefault(error.column or "_", []).append(error.message)
        return OfferWrite(errors=errors)
    change = "created" if report.created else "updated" if report.updated else "unchanged"
    session.expire_all()  # the importer wrote with statements: reload what the answer shows
    return OfferWrite(change, own_offer(session, vendor.id, row["sku"]))


def put_offer(session: Session, vendor: Vendor, context: CatalogContext, sku: str, data: dict) -> OfferWrite:
    """Create or wholly replace `vendor`'s offer `sku` from standard columns (absent = blank)."""
    row, errors = cells(data, ALL_COLUMNS)
    if problem := sku_problem(sku):
        errors["sku"] = [problem]
    elif row.get("sku", sku).strip() != sku:
        errors["sku"] = [bilingual("与地址中的 sku 不同", "differs from the sku in the URL")]
    if errors:
        return OfferWrite(errors=errors)
    return _write(session, vendor, context, {**row, "sku": sku})


def patch_offer(session: Session, offer: Offer, context: CatalogContext, data: dict) -> OfferWrite:
    """Change some of PATCHABLE on an existing offer; the rest stays as listed."""
    row, errors = cells(data, PATCHABLE)
    if errors:
        return OfferWrite(errors=errors)
    return _write(session, offer.vendor, context, {**offer_to_form(offer), **row})


def delist(session: Session, offer: Offer) -> None:
    if offer.status != "delisted":
        session.execute(update(Offer).where(Offer.id == offer.id).values(status="delisted", updated_at=utcnow()))
        session.expire_all()


def offer_page(session: Session, vendor_id: int, page: int, per_page: int, status: str | None) -> tuple[int, list]:
    """(total, offers of this page), by sku."""
    where = [Offer.vendor_id == vendor_id] + ([Offer.status == status] if status else [])
    total = session.scalar(select(func.count(Offer.id)).where(*where))
    offers = session.scalars(select(Offer).where(*where).order_by(Offer.sku)
                             .offset((page - 1) * per_page).limit(per_page)).all()
    return total, list(offers)
