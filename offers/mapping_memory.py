"""Remember a vendor's confirmed column mapping per header shape, and build the mapping step's proposal."""

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from offers.columns import ColumnMapping, suggest_column
from offers.stall_models import SheetMapping
from pricing.text import fold

# The column our error sheet adds; a fixed sheet comes back with it, and it changes nothing.
ERROR_COLUMN = "错误 / error"


def header_shape(header: list[str]) -> str:
    """A hash of the folded, non-empty headers in order (the error column left out)."""
    names = [fold(h) for h in header if h.strip() and fold(h) != fold(ERROR_COLUMN)]
    return hashlib.sha256(json.dumps(names, ensure_ascii=False).encode()).hexdigest()


def remembered(session: Session, vendor_id: int, header: list[str]) -> dict | None:
    row = session.scalar(select(SheetMapping).where(SheetMapping.vendor_id == vendor_id,
                                                    SheetMapping.header_hash == header_shape(header)))
    return row.mapping if row else None


def remember(session: Session, vendor_id: int, header: list[str], mapping: dict) -> None:
    """Store (or replace) the mapping for this header shape; the caller commits."""
    shape = header_shape(header)
    row = session.scalar(select(SheetMapping).where(SheetMapping.vendor_id == vendor_id,
                                                    SheetMapping.header_hash == shape))
    if row is None:
        session.add(SheetMapping(vendor_id=vendor_id, header_hash=shape, mapping=mapping))
    else:
        row.mapping = mapping


def proposal(header: list[str], saved: dict | None) -> tuple[dict, bool]:
    """The mapping to show: the remembered one, else the built-in aliases; and whether it is complete.

    Complete means every non-empty header is either recognized or remembered, so the
    vendor has nothing to decide and the mapping step can be skipped.
    """
    if saved is not None:
        return saved, True
    columns: dict[str, str | None] = {}
    complete = True
    for name in header:
        if not name.strip():
            continue
        target = suggest_column(name)
        if target is None and fold(name) != fold(ERROR_COLUMN):
            complete = False
        columns[name] = target
    return {"columns": columns, "defaults": {}}, complete


def as_column_mapping(mapping: dict | None) -> ColumnMapping | None:
    """:raise MappingError: the mapping names an unknown standard column."""
    return ColumnMapping.from_json(mapping) if mapping else None
