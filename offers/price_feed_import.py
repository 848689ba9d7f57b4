"""Import a public price feed: each provider's rows through the sheets' import path, one transaction.

The connectors (offers/litellm_prices.py, offers/genai_prices.py) turn the feed into standard
rows per vendor; here each vendor's rows go through `import_rows` (OfferSchema, upsert by sku,
price history on a re-price), exactly as a vendor's own sheet does. The feed lands whole with
its good rows, or not at all (a dry run, or an unreadable file).
"""

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from catalog.context import CatalogContext
from catalog.models import Vendor, vendor_name_key
from offers.genai_prices import genai_rows
from offers.litellm_prices import litellm_rows
from offers.price_feed import FeedRow, FeedSkip, FeedVendor
from offers.sheet_import import ImportReport, RowError, _run_record, _standard_rows, import_rows
from offers.transforms import RawRow

SOURCES = ("litellm", "genai-prices")


class FeedError(ValueError):
    """The file is not the feed it was said to be."""


@dataclass
class FeedReport:
    source: str
    filename: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    skips: list[FeedSkip] = field(default_factory=list)
    vendors: list[str] = field(default_factory=list)
    landed: bool = False

    def summary(self) -> dict:
        return {
            "source": self.source, "file": self.filename, "landed": self.landed,
            **({"dry_run": True} if self.dry_run else {}),
            "vendors": len(self.vendors), "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "rejected": len({(e["vendor"], e["entry"]) for e in self.errors}),
            "errors": self.errors, "skipped": len(self.skips),
            "skipped_by_reason": dict(Counter(s.reason for s in self.skips).most_common()),
            "skips": [s.as_json() for s in self.skips],
        }


def read_feed(source: str, path: str | Path):
    """:raise FeedError: unknown source, unreadable file, or JSON of the wrong shape."""
    if source not in SOURCES:
        raise FeedError(f"未知的价格来源 / unknown price source {source!r} (one of {', '.join(SOURCES)})")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"无法读取 {Path(path).name} / cannot read {Path(path).name}: {exc}") from None
    expected = dict if source == "litellm" else list
    if not isinstance(data, expected):
        raise FeedError(f"{Path(path).name} 不是 {source} 价格文件 / is not a {source} price file: "
                        f"the top level should be a JSON {'object' if expected is dict else 'array'}")
    return data


def feed_items(source: str, data, context: CatalogContext, as_of: date, release: str) -> Iterator[FeedRow | FeedSkip]:
    if source == "litellm":
        return litellm_rows(data, context.registries, as_of, release)
    return genai_rows(data, context.registries, as_of)


def _vendor(session: Session, wanted: FeedVendor) -> Vendor:
    """The catalog's vendor of this slug, or a new one (not yet added) whose names no other vendor shows."""
    vendor = session.scalar(select(Vendor).where(Vendor.slug == wanted.slug))
    if vendor is not None:
        return vendor
    names = []
    for name in (wanted.name_zh, wanted.name_en):
        taken = session.scalar(select(Vendor.id).where(or_(Vendor.name_zh_key == vendor_name_key(name),
                                                           Vendor.name_en_key == vendor_name_key(name))))
        names.append(f"{name} ({wanted.slug})" if taken else name)
    return Vendor(slug=wanted.slug, name_zh=names[0], name_en=names[1], vendor_type="llm_api")


def import_feed(session: Session, source: str, path: str | Path, context: CatalogContext, *, as_of: date,
                release: str = "", dry_run: bool = False) -> FeedReport:
    """Read a feed, import every vendor's rows in one transaction and record a run per vendor.

    :raise FeedError: the file cannot be read as this source (nothing is written).
    """
    name = Path(path).name
    data = read_feed(source, path)
    report = FeedReport(source=source, filename=name, dry_run=dry_run)
    groups: dict[str, list[FeedRow]] = {}
    wanted: dict[str, FeedVendor] = {}
    for item in feed_items(source, data, context, as_of, release or source):
        if isinstance(item, FeedSkip):
            report.skips.append(item)
            continue
        groups.setdefault(item.vendor.slug, []).append(item)
        wanted.setdefault(item.vendor.slug, item.vendor)
    runs = []
    for slug, rows in groups.items():
        vendor = _vendor(session, wanted[slug])
        part = ImportReport(mode="good_rows", dry_run=dry_run)
        entries = {r.number: r.entry for r in rows}
        raw = [RawRow(r.number, r.cells) for r in rows]
        import_rows(session, vendor, _standard_rows(raw, None, part), context, report=part, mode="good_rows")
        report.created += part.created
        report.updated += part.updated
        report.unchanged += part.unchanged
        report.errors += [_error(slug, entries, e) for e in part.errors]
        report.vendors.append(slug)
        runs.append((vendor, part))
    if dry_run or not groups:
        session.rollback()
        return report
    for vendor, part in runs:
        part.landed = True
        session.add(_run_record(vendor, name, source, part))
    session.commit()
    report.landed = True
    return report


def _error(slug: str, entries: dict[int, str], error: RowError) -> dict:
    return {"vendor": slug, "entry": entries.get(error.row, str(error.row)), "column": error.column,
            "message": error.message}
