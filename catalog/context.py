"""What validation needs to know: the registries and the FX table in force."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import FxRate
from catalog.registry import Registries, default_registries
from pricing.currency import FxTable

SEED_FX = Path(__file__).resolve().parent.parent / "seed_data" / "fx_rates.json"


@dataclass(frozen=True)
class CatalogContext:
    """The registries and FX table an offer is validated against (offers.schema.OfferSchema)."""

    registries: Registries
    fx: FxTable


def load_fx(session: Session) -> FxTable:
    """The rates in the database, or the shipped table where none are stored yet."""
    rows = session.scalars(select(FxRate)).all()
    if not rows:
        return FxTable.load(SEED_FX)
    return FxTable(as_of=max(r.as_of for r in rows), rates={r.currency: r.cny_per_unit for r in rows})


def save_fx(session: Session, table: FxTable) -> None:
    """Replace the stored rates with `table` (the caller commits)."""
    for currency, rate in table.rates.items():
        row = session.get(FxRate, currency)
        if row is None:
            session.add(FxRate(currency=currency, cny_per_unit=rate, as_of=table.as_of))
        else:
            row.cny_per_unit, row.as_of = rate, table.as_of


def catalog_context(session: Session) -> CatalogContext:
    return CatalogContext(registries=default_registries(), fx=load_fx(session))
