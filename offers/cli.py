"""Offer commands: import-sheet, import-prices and seed."""

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select
from tqdm import tqdm

from catalog.context import SEED_FX, catalog_context, save_fx
from catalog.models import Vendor
from extensions import db
from offers.columns import ColumnMapping, MappingError
from offers.deposits import save_deposit
from offers.price_feed_import import SOURCES, FeedError, import_feed
from offers.sheet_import import ImportReport, import_sheet
from pricing.currency import FxTable
from vouchers import seed_programs

SEED_DIR = Path(__file__).resolve().parent.parent / "seed_data"


def _progress_bar(label: str):
    bars = []

    def factory(total: int):
        bar = tqdm(total=total, desc=label, unit="row", file=sys.stderr, leave=False,
                   disable=None, mininterval=0.5)
        bars.append(bar)
        return bar.update

    return factory, bars


def _print_errors(report: ImportReport) -> None:
    for error in report.errors[:200]:
        where = f"row {error.row}" + (f", column {error.column}" if error.column else "")
        click.echo(f"  {where}: {error.message}", err=True)
    if len(report.errors) > 200:
        click.echo(f"  … and {len(report.errors) - 200} more errors", err=True)
    if report.ignored_headers:
        click.echo(f"  ignored columns / 未使用的列: {', '.join(report.ignored_headers)}", err=True)


@click.command("import-sheet")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--vendor", "vendor_slug", required=True, help="Vendor slug; an unknown one is created.")
@click.option("--mapping", "mapping_path", type=click.Path(exists=True, dir_okay=False), help="Column mapping JSON.")
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@click.option("--good-rows", is_flag=True, help="Land the good rows even if some rows are bad.")
def import_sheet_command(path: str, vendor_slug: str, mapping_path: str | None, dry_run: bool, good_rows: bool) -> None:
    """Import a price sheet (CSV or XLSX); the last stdout line is the JSON summary."""
    try:
        mapping = ColumnMapping.load(Path(mapping_path)) if mapping_path else None
    except MappingError as exc:
        click.echo(json.dumps({"created": 0, "updated": 0, "unchanged": 0, "rejected": 0,
                               "errors": [{"row": 1, "column": None, "message": str(exc)}]}, ensure_ascii=False))
        sys.exit(1)
    factory, bars = _progress_bar(Path(path).name)
    report = import_sheet(db.session, path, vendor_slug.strip().lower(), catalog_context(db.session),
                          mapping=mapping, dry_run=dry_run, mode="good_rows" if good_rows else "all_or_nothing",
                          progress_factory=factory)
    for bar in bars:
        bar.close()
    _print_errors(report)
    click.echo(json.dumps(report.summary(), ensure_ascii=False))
    if not (report.landed or (dry_run and report.would_land)):
        sys.exit(1)


@click.command("import-prices")
@click.argument("source", type=click.Choice(SOURCES))
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]),
              help="Date the feed's prices hold (default: the file's modification date).")
@click.option("--release", default="", help="The feed's version, said in each offer (e.g. 'litellm 1.110.2').")
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
def import_prices_command(source: str, path: str, as_of: datetime | None, release: str, dry_run: bool) -> None:
    """Import a public token price feed, a vendor per provider; the last stdout line is the JSON summary."""
    day: date = as_of.date() if as_of else datetime.fromtimestamp(Path(path).stat().st_mtime, UTC).date()
    try:
        report = import_feed(db.session, source, path, catalog_context(db.session), as_of=day, release=release,
                             dry_run=dry_run)
    except FeedError as exc:
        click.echo(json.dumps({"source": source, "landed": False, "error": str(exc)}, ensure_ascii=False))
        sys.exit(1)
    for error in report.errors[:200]:
        click.echo(f"  {error['vendor']} {error['entry']}, column {error['column']}: {error['message']}", err=True)
    click.echo(json.dumps(report.summary(), ensure_ascii=False))
    if not (report.landed or dry_run):
        sys.exit(1)


def seed_catalog(echo=click.echo) -> dict:
    """Load vendors, FX rates, every sheet in seed_data/offers through the importer, and the example
    deposits in seed_data/deposits.json through the deposit form's path (totals["deposits"])."""
    save_fx(db.session, FxTable.load(SEED_FX))
    for profile in json.loads((SEED_DIR / "vendors.json").read_text(encoding="utf-8")):
        vendor = db.session.scalar(select(Vendor).where(Vendor.slug == profile["slug"]))
        if vendor is None:
            vendor = Vendor(slug=profile["slug"])
            db.session.add(vendor)
        vendor.name_zh, vendor.name_en = profile.get("name_zh", ""), profile.get("name_en", "")
        vendor.website, vendor.contact = profile.get("website"), profile.get("contact")
        vendor.description_zh, vendor.description_en = profile.get("description_zh"), profile.get("description_en")
        vendor.vendor_type = profile.get("type")
    db.session.commit()
    totals = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0, "files": 0}
    context = catalog_context(db.session)
    for sheet in sorted((SEED_DIR / "offers").glob("*.csv")):
        report = import_sheet(db.session, sheet, sheet.stem, context, source_label="seed")
        summary = report.summary()
        for key in ("created", "updated", "unchanged", "rejected"):
            totals[key] += summary[key]
        totals["files"] += 1
        if not report.landed:
            for error in report.errors[:20]:
                echo(f"{sheet.name} row {error.row} {error.column}: {error.message}")
    totals["deposits"] = seed_deposits(context, echo)
    return totals


def seed_deposits(context, echo) -> dict:
    """Each example deposit of seed_data/deposits.json, saved (or found unchanged) as its vendor's deposit."""
    counts = {"saved": 0, "rejected": 0}
    path = SEED_DIR / "deposits.json"
    for entry in json.loads(path.read_text(encoding="utf-8")) if path.exists() else []:
        vendor = db.session.scalar(select(Vendor).where(Vendor.slug == entry["vendor"]))
        errors = (save_deposit(db.session, vendor, context, entry, sku=entry["sku"]) if vendor is not None
                  else {"vendor": [f"no vendor {entry['vendor']!r} in vendors.json"]})
        counts["rejected" if errors else "saved"] += 1
        for field, messages in errors.items():
            echo(f"deposits.json {entry['vendor']}/{entry['sku']} {field}: {'; '.join(messages)}")
    return counts


@click.command("seed")
def seed_command() -> None:
    """Load the seed catalog (idempotent: a second run changes nothing)."""
    totals = seed_catalog()
    totals["voucher_programs"] = {state: len(codes) for state, codes in seed_programs(db.session).items()}
    click.echo(json.dumps(totals))
    if totals["rejected"] or totals["deposits"]["rejected"]:
        sys.exit(1)


@click.command("clean-uploads")
def clean_uploads_command() -> None:
    """Remove staged uploads older than UPLOAD_TTL_SECONDS (a day); prints what it freed as JSON."""
    from offers.tasks import expire_old_uploads

    expired, freed = expire_old_uploads()
    click.echo(json.dumps({"expired": expired, "bytes_freed": freed}))


def init_app(app: Flask) -> None:
    app.cli.add_command(import_sheet_command)
    app.cli.add_command(import_prices_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(clean_uploads_command)
