"""Import a price sheet into the catalog: every row through OfferSchema, upsert by (vendor, sku).

The import owns its transaction: it lands whole (or, in "good_rows" mode, with its good
rows) and is committed once, or it lands nothing. Rows are validated first, in chunks kept
in a temporary file so memory stays bounded whatever the sheet's length, and only then
written: the write transaction lasts as long as the writes, not as long as the reading and
checking of every row (on SQLite it holds the one database-wide write lock).
"""

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from marshmallow import ValidationError
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from catalog.models import ImportRun, Offer, PriceHistory, Vendor, utcnow
from offers.columns import ColumnMapping, MappingError, apply_mapping, plan_headers
from offers.schema import ALL_COLUMNS, CatalogContext, bilingual, sheet_schema
from offers.sheet_reader import Sheet, SheetError, open_sheet
from offers.transforms import RawRow, Skip, get_transform

CHUNK_ROWS = 1000
MODES = ("all_or_nothing", "good_rows")
# Columns whose change re-prices an offer (and so appends to its price history).
PRICE_COLUMNS = ("unit_price", "input_price", "output_price", "list_amount", "list_currency", "list_unit",
                 "list_input_amount", "list_output_amount", "cached_input_price")
COMPARED_COLUMNS = (
    "kind", "title", "description", "region", "billing", "stock", "list_amount", "list_input_amount",
    "list_output_amount", "list_cached_input_amount", "list_currency", "list_unit", "unit_price", "gpu_model",
    "gpu_count", "gpu_memory_gb", "vcpus", "ram_gb", "cpu_arch", "price_per_tflop_hour", "price_per_gb_hour",
    "model", "context_window", "input_price", "output_price", "cached_input_price",
    # Spec 4.1: a change updates the offer; the price history stays the history of the peak prices.
    "available_from", "available_to", "available_hours", "off_peak_hours", "off_peak_rate", "batch_rate",
    "long_context_threshold", "cache_write_price", "long_input_price", "long_output_price",
    "list_cache_write_amount", "list_long_input_amount", "list_long_output_amount",
)


# Spec 4.1 values the upload preview shows beside the price.
PREVIEW_DETAIL_COLUMNS = ("available_from", "available_to", "available_hours", "off_peak_hours", "off_peak_rate",
                          "cache_write_price", "batch_rate", "long_context_threshold", "long_input_price",
                          "long_output_price")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str

    def as_json(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    landed: bool = False
    dry_run: bool = False
    rows_seen: int = 0
    mode: str = "all_or_nothing"
    changes: list[dict] = field(default_factory=list)  # per row, only when asked for (preview)
    sheet_skus: set[str] = field(default_factory=set)  # every sku cell the sheet has, good rows or bad
    missing: list[dict] = field(default_factory=list)  # the vendor's listed offers the sheet lacks
    delisted: int = 0
    run_id: int | None = None

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> dict:
        """The spec's summary object, extended with what was skipped on purpose.

        A dry run reports what would have landed, and says it was a dry run.
        """
        landed = self.landed or (self.dry_run and self.would_land)
        return {
            "created": self.created if landed else 0,
            "updated": self.updated if landed else 0,
            "unchanged": self.unchanged if landed else 0,
            "rejected": self.rejected,
            "errors": [e.as_json() for e in self.errors],
            "skipped": len(self.skipped),
            "skips": [{"row": s.number, "reason": s.reason} for s in self.skipped],
            # Headers that fed no standard column: named, never dropped unseen.
            "ignored_columns": list(self.ignored_headers),
            **({"dry_run": True} if self.dry_run else {}),
            **({"delisted": self.delisted if landed else 0} if self.delisted or self.missing else {}),
        }

    @property
    def would_land(self) -> bool:
        return self.rows_seen > 0 and (not self.errors or self.mode == "good_rows")


class ImportAborted(Exception):
    """Raised inside the transaction to undo it; the report says why."""


def _raw_rows(sheet: Sheet, report: ImportReport) -> Iterator[RawRow]:
    width = len(sheet.header)
    for row in sheet.rows:
        cells = row.cells
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            report.errors.append(RowError(row.number, None, bilingual(
                f"单元格比表头多（{len(cells)} > {width}）", f"more cells than headers ({len(cells)} > {width})")))
            continue
        yield RawRow(row.number, {sheet.header[i]: c for i, c in enumerate(cells[:width]) if sheet.header[i]})


def _standard_rows(rows: Iterable[RawRow | Skip], mapping: ColumnMapping | None,
                   report: ImportReport) -> Iterator[tuple[int, dict]]:
    """Rename each row's keys to standard columns through the built-in aliases and the mapping."""
    plans: dict[tuple, dict[str, str]] = {}
    for item in rows:
        if isinstance(item, Skip):
            report.skipped.append(item)
            continue
        shape = tuple(item.cells)
        if shape not in plans:
            plan = plan_headers(list(shape), mapping)
            plans[shape] = {shape[i]: target for i, target in plan.targets.items()}
        names = plans[shape]
        cells = {names[k]: v for k, v in item.cells.items() if k in names}
        yield item.number, apply_mapping(cells, mapping)


def _diff(existing, new: dict) -> dict:
    return {c: new[c] for c in COMPARED_COLUMNS if getattr(existing, c) != new[c]}


def _write_chunk(session: Session, vendor_id: int, chunk: list[tuple[int, dict]], report: ImportReport,
                 collect_changes: bool) -> None:
    skus = [offer["sku"] for _, offer in chunk]
    existing = {
        row.sku: row
        for row in session.execute(
            select(Offer.__table__).where(Offer.vendor_id == vendor_id, Offer.sku.in_(skus)))
    }
    now = utcnow()
    inserts, updates, history, reactivated = [], [], [], []
    for number, offer in chunk:
        old = existing.get(offer["sku"])
        if old is None:
            inserts.append({**offer, "vendor_id": vendor_id, "status": "active", "created_at": now,
                            "updated_at": now, "price_updated_at": now})
            report.created += 1
            if collect_changes:
                report.changes.append(_change(number, offer, "new"))
            continue
        changed = _diff(old, offer)
        if not changed and old.status == "active":
            report.unchanged += 1
            if collect_changes:
                report.changes.append(_change(number, offer, "unchanged"))
            continue
        values = {"id": old.id, **changed, "status": "active", "updated_at": now}
        if any(c in changed for c in PRICE_COLUMNS):
            values["price_updated_at"] = now
            history.append({"offer_id": old.id, "at": now, **_history_values(offer)})
        updates.append(values)
        report.updated += 1
        if collect_changes:
            report.changes.append({**_change(number, offer, "changed"), "old_unit_price": old.unit_price,
                                   "old_input_price": old.input_price, "old_output_price": old.output_price,
                                   "old_status": old.status})
        if old.status != "active":
            reactivated.append(old.id)
    # Core statements, not ORM bulk: the ORM groups rows by which values are None and
    # sends one statement per group, thousands of round trips on PostgreSQL. The session's
    # write path (catalog.write_path) records each written offer in the index outbox.
    ids: dict[str, int] = {}
    if inserts:
        # Plain executemany and a look-up: INSERT … RETURNING makes psycopg parse one huge
        # statement per chunk, five times slower on PostgreSQL (measured, 1,000-row chunks).
        session.execute(insert(Offer.__table__), inserts)
        ids = dict(session.execute(
            select(Offer.sku, Offer.id).where(Offer.vendor_id == vendor_id,
                                              Offer.sku.in_([i["sku"] for i in inserts]))).all())
        history.extend({"offer_id": ids[i["sku"]], "at": now, **_history_values(i)} for i in inserts)
    by_shape: dict[tuple, list[dict]] = {}
    for values in updates:
        row = {("_id" if k == "id" else k): v for k, v in values.items()}
        by_shape.setdefault(tuple(sorted(values)), []).append(row)
    for shape, rows in by_shape.items():
        columns = {c: bindparam(c) for c in shape if c != "id"}
        session.execute(update(Offer.__table__).where(Offer.__table__.c.id == bindparam("_id")).values(columns), rows)
    if history:
        session.execute(insert(PriceHistory.__table__), history)


def _change(number: int, offer: dict, change: str) -> dict:
    """One preview row: what the row would do and its normalized prices."""
    return {"row": number, "sku": offer["sku"], "change": change, "kind": offer["kind"], "title": offer["title"],
            "unit_price": offer["unit_price"], "input_price": offer["input_price"],
            "output_price": offer["output_price"],
            **{c: offer[c] for c in PREVIEW_DETAIL_COLUMNS if offer.get(c) is not None}}


def _history_values(offer: dict) -> dict:
    return {"unit_price": offer["unit_price"], "input_price": offer["input_price"],
            "output_price": offer["output_price"], "list_amount": offer["list_amount"]
            if offer["list_amount"] is not None else offer["list_input_amount"],
            "list_currency": offer["list_currency"], "list_unit": offer["list_unit"]}


class _StagedChunks:
    """Validated chunks of rows on disk until the write transaction opens."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(), in import_rows' finally
        self._count = 0

    def add(self, chunk: list[tuple[int, dict]]) -> None:
        pickle.dump(chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def __iter__(self) -> Iterator[list[tuple[int, dict]]]:
        self._file.seek(0)
        for _ in range(self._count):
            yield pickle.load(self._file)  # our own file, written just above

    def close(self) -> None:
        self._file.close()


def lock_vendor_offers(session: Session, vendor_id: int) -> None:
    """Make writers of one vendor's offers take turns, until the caller's transaction ends.

    Two sheets with the same new SKUs applied at once both looked the SKUs up before
    either committed, and the second failed on the unique index. An UPDATE of the vendor's
    row (changing nothing) is a row lock on PostgreSQL and the write lock on SQLite, taken
    before the look-ups, so the second sees the first's rows.
    """
    vendors = Vendor.__table__
    # On the session's connection, not through session.execute: the write path would take it for
    # a vendor rename and queue every offer of the vendor for re-indexing (a one-offer stall edit
    # or API PATCH re-indexed all of them). It changes nothing, so there is nothing to record.
    session.connection().execute(update(vendors).where(vendors.c.id == vendor_id).values(id=vendors.c.id))


def get_or_create_vendor(session: Session, slug: str) -> Vendor:
    vendor = session.scalar(select(Vendor).where(Vendor.slug == slug))
    if vendor is None:
        vendor = Vendor(slug=slug, name_en=slug)
        session.add(vendor)
        session.flush()
    return vendor


def import_rows(session: Session, vendor: Vendor, rows: Iterable[tuple[int, dict]], context: CatalogContext, *,
                report: ImportReport, mode: str = "all_or_nothing", progress: Callable[[int], None] | None = None,
                collect_changes: bool = False) -> None:
    """Validate and write standard rows inside the caller's transaction; fill `report`."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    schema = sheet_schema(context)
    if session.get_bind().dialect.name == "postgresql":
        # psycopg prepares the per-chunk `sku IN (…)` look-up after a few runs, and PostgreSQL's
        # generic plan for it (no statistics yet for rows this transaction inserted) filters every
        # offer of the vendor against the list unhashed: a 50,000-row sheet turned quadratic.
        # Custom plans see the values and probe the unique index. Scoped to this transaction.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    seen: dict[str, int] = {}
    chunk: list[tuple[int, dict]] = []
    writing = True
    staged = _StagedChunks()
    for number, cells in rows:
        report.rows_seen += 1
        raw_sku = str(cells.get("sku") or "").strip()
        if raw_sku:
            report.sheet_skus.add(raw_sku)
        errors_before = len(report.errors)
        try:
            offer = schema.load({k: v for k, v in cells.items() if k in ALL_COLUMNS})
        except ValidationError as exc:
            for column, messages in sorted(exc.messages.items()):
                for message in messages if isinstance(messages, list) else [messages]:
                    report.errors.append(RowError(number, column, str(message)))
            offer = None
        if offer is not None:
            first = seen.setdefault(offer["sku"], number)
            if first != number:
                report.errors.append(RowError(number, "sku", bilingual(
                    f"sku {offer['sku']!r} 与第 {first} 行重复", f"sku {offer['sku']!r} repeats row {first}")))
                offer = None
        if offer is None:
            writing = writing and mode == "good_rows"
            if collect_changes:
                report.changes.append({"row": number, "sku": raw_sku, "change": "error",
                                       "errors": [e.as_json() for e in report.errors[errors_before:]]})
        elif writing:
            chunk.append((number, offer))
        if len(chunk) >= CHUNK_ROWS:
            staged.add(chunk)
            chunk.clear()
        if progress:
            progress(1)
    try:
        if writing:
            if vendor.id is None:
                session.add(vendor)
                session.flush()
            lock_vendor_offers(session, vendor.id)
            for part in chain(staged, [chunk]):
                if part:
                    _write_chunk(session, vendor.id, part, report, collect_changes)
    finally:
        staged.close()


def import_sheet(session: Session, source: str | Path | BinaryIO, vendor_slug: str, context: CatalogContext, *,
                 filename: str | None = None, mapping: ColumnMapping | None = None, dry_run: bool = False,
                 mode: str = "all_or_nothing", progress_factory: Callable[[int], Callable[[int], None]] | None = None,
                 source_label: str = "cli", collect_changes: bool = False,
                 delist_missing: bool = False,
                 before_commit: Callable[[Session, ImportReport, ImportRun], None] | None = None) -> ImportReport:
    """Read, validate and apply a sheet in one transaction, and record the run.

    Whole-file problems (unreadable, bad mapping) come back as a report with one error on
    row 1 and nothing written. `progress_factory(total_rows)` returns a per-row callback.
    With `collect_changes` (the upload preview) or `delist_missing`, `report.missing` lists
    the vendor's listed offers whose sku the sheet lacks; `delist_missing` delists them in
    the same transaction when the sheet lands. `before_commit(session, report, run)` runs in
    the transaction that records the run (and lands the rows), so what it writes commits
    with them or not at all; it may raise to land nothing.
    """
    report = ImportReport(dry_run=dry_run, mode=mode)
    name = filename or (Path(source).name if isinstance(source, str | Path) else "upload")
    sheet = None
    try:
        sheet = open_sheet(source, filename=name)
        if mapping and mapping.transform:
            try:
                transform = get_transform(mapping.transform)
            except KeyError:
                raise MappingError(f"未知的转换 / unknown transform {mapping.transform!r}") from None
            rows: Iterable[RawRow | Skip] = transform(_raw_rows(sheet, report))
        else:
            plan = plan_headers(sheet.header, mapping)
            report.ignored_headers = plan.ignored
            rows = _raw_rows(sheet, report)
        progress = progress_factory(sheet.row_estimate) if progress_factory else None
        # A new vendor is added when the writes start (import_rows), not now: on SQLite its
        # INSERT would take the write lock for the whole reading of the sheet.
        vendor = session.scalar(select(Vendor).where(Vendor.slug == vendor_slug)) or Vendor(
            slug=vendor_slug, name_en=vendor_slug)
        import_rows(session, vendor, _standard_rows(rows, mapping, report), context, report=report, mode=mode,
                    progress=progress, collect_changes=collect_changes)
        if collect_changes or delist_missing:
            report.missing = missing_offers(session, vendor.id, report.sheet_skus)
        if delist_missing and not dry_run and report.would_land:
            report.delisted = delist_offers(session, [m["id"] for m in report.missing])
    except (SheetError, MappingError) as exc:
        session.rollback()
        report.errors.append(RowError(1, None, str(exc)))
        return report
    finally:
        if sheet is not None:
            sheet.close()
    if report.rows_seen == 0 and not report.errors:
        report.errors.append(RowError(1, None, bilingual("表中没有报价行", "the sheet has no offer rows")))
    report.landed = not dry_run and report.would_land
    if report.landed:
        _record_run(session, vendor, name, source_label, report, before_commit)
    else:
        session.rollback()
        if not dry_run:
            _record_run(session, get_or_create_vendor(session, vendor_slug), name, source_label, report,
                        before_commit)
    return report


def _record_run(session: Session, vendor: Vendor, name: str, source_label: str, report: ImportReport,
                before_commit) -> None:
    run = _run_record(vendor, name, source_label, report)
    session.add(run)
    if before_commit is not None:
        session.flush()
        report.run_id = run.id
        try:
            before_commit(session, report, run)
        except BaseException:
            session.rollback()
            report.landed, report.run_id = False, None
            raise
    session.commit()
    report.run_id = run.id


def missing_offers(session: Session, vendor_id: int, sheet_skus: set[str]) -> list[dict]:
    """The vendor's active offers whose sku is not in `sheet_skus` (compared in Python: no 50k-item IN).

    Deposits are not on the vendor's sheet (they are made and kept in My deposits): never missing from it.
    """
    rows = session.execute(select(Offer.id, Offer.sku, Offer.title).where(
        Offer.vendor_id == vendor_id, Offer.status == "active", Offer.deposit.is_(False)).order_by(Offer.sku))
    return [{"id": r.id, "sku": r.sku, "title": r.title} for r in rows if r.sku not in sheet_skus]


def delist_offers(session: Session, offer_ids: list[int]) -> int:
    """Mark offers delisted inside the caller's transaction; their pages and history stay."""
    now = utcnow()
    for start in range(0, len(offer_ids), CHUNK_ROWS):
        session.execute(update(Offer).where(Offer.id.in_(offer_ids[start:start + CHUNK_ROWS]))
                        .values(status="delisted", updated_at=now))
    return len(offer_ids)


def _run_record(vendor: Vendor, filename: str, source: str, report: ImportReport) -> ImportRun:
    summary = report.summary()
    return ImportRun(vendor_id=vendor.id, filename=filename[:300], source=source, landed=report.landed,
                     created=summary["created"], updated=summary["updated"], unchanged=summary["unchanged"],
                     rejected=summary["rejected"], errors=summary["errors"][:1000])

