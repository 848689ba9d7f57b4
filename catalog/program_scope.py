"""A voucher programme as the browse page and GET /api/v1/offers read it (`program=<code>`).

The catalog knows no programme: the vouchers area, which does, hands the app a ProgramSource
(app.extensions["offer_programs"]) at init_app, and the catalog asks it. Without the area every
programme code is unknown. The area gives its eligibility rule as one SQL query (id, rate): the SQL
path filters by it as a subquery, the snapshot path by the ids it returns, kept per catalog version
(a programme pays for most of the catalog, and its query walks every offer: ~0.2 s at 20,000).
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import Select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from catalog.models import Offer
from catalog.registry import Registries
from catalog.search_service import service_for
from pricing.voucher_split import after_voucher
from web import caches

EXTENSION = "offer_programs"


@dataclass(frozen=True)
class ProgramScope:
    """A programme today. `query`: SELECT (id, rate) of the offers it pays for, None when not in force.

    `fingerprint` changes whenever the offers it pays for may change without a catalog change (its
    rules, lists and dates, and the Beijing date).
    """

    code: str
    name_zh: str
    name_en: str
    in_force: bool
    platform_rate: Decimal
    query: Select | None
    fingerprint: Hashable
    rates: dict[int, Decimal] = field(default_factory=dict)  # the shown offers' rates (rates_for)

    def id_select(self) -> Select | None:
        """The eligible offer ids as a subquery of the SQL path (not correlated with its Offer)."""
        return None if self.query is None else self.query.with_only_columns(Offer.id).correlate(None)

    def after(self, offer_id: int, unit_price: Decimal) -> Decimal | None:
        """The normalized price after the government's and the platform's shares; None: not eligible.

        Before any company-level limit (a company's cap, its approval, where it is registered): browsing
        knows no company, so a page says "up to".
        """
        rate = self.rates.get(offer_id)
        return None if rate is None else after_voucher(unit_price, rate, self.platform_rate)


@dataclass(frozen=True)
class ProgramChoice:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class ProgramSource:
    """What the vouchers area answers: one programme's scope (None: no such code), and the programmes in force."""

    scope: Callable[[Session, str, Registries], ProgramScope | None]
    in_force: Callable[[Session], list[ProgramChoice]]


caches.register(
    "program-offer-ids", __name__, holds="per voucher programme, the ids of the offers it pays for (browse and "
    "API filter program=, snapshot path)", key="the programme's fingerprint (rules, lists, dates, Beijing date) "
    "and the catalog version", bound="one id array per programme code (8 bytes an eligible offer)",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)


def _eligible_ids(session: Session, scope: ProgramScope) -> tuple[np.ndarray | None, int | None]:
    """The ids for the snapshot path and the catalog version they are of, kept until that version or the
    fingerprint changes; None without a search service (the SQL path filters by the subquery instead)."""
    service = service_for(session)
    if service is None or scope.query is None:
        return (None if service is None else np.zeros(0, dtype=np.int64)), None
    try:
        service.snapshot.refresh()
        version = service.snapshot.generation
    except SQLAlchemyError:
        version = None
    kept = current_app.extensions.setdefault("program_offer_ids", {})
    hit = kept.get(scope.code)
    # The version is read before the query, so what is kept is never older than its version.
    if version is not None and hit is not None and hit[0] == (scope.fingerprint, version):
        return hit[1], version
    ids = np.fromiter(session.scalars(scope.id_select()), dtype=np.int64)
    ids.sort()
    if version is not None:
        kept[scope.code] = ((scope.fingerprint, version), ids)
    return ids, version


def program_scope(session: Session, params: dict, registries: Registries) -> tuple[dict, ProgramScope | None]:
    """The params with what the query needs of the programme (`program_select`, `program_ids`) when they
    ask `program`.

    :raise ValidationError: an unknown programme code (named `program`).
    """
    code = params.get("program")
    if not code:
        return params, None
    source: ProgramSource | None = current_app.extensions.get(EXTENSION)
    scope = source.scope(session, code, registries) if source is not None else None
    if scope is None:
        raise ValidationError({"program": [f"没有代码为 {code!r} 的算力券计划 / no voucher programme {code!r}"]})
    ids, version = _eligible_ids(session, scope)
    # The snapshot keeps filter-only answers by params: the fingerprint and the version the ids are of
    # stand for them there (offer_query.PROGRAM_DERIVED), so a newer catalog is never answered with older ids.
    out = {**params, "program_select": scope.id_select(), "program_fingerprint": (scope.fingerprint, version)}
    if ids is not None:
        out["program_ids"] = ids
    return out, scope


def rates_for(session: Session, scope: ProgramScope | None, offer_ids: list[int]) -> ProgramScope | None:
    """The scope with the rates of these (shown) offers, from the programme's own query."""
    if scope is None or scope.query is None or not offer_ids:
        return scope
    rows = session.execute(scope.query.where(Offer.id.in_(offer_ids)))
    return ProgramScope(scope.code, scope.name_zh, scope.name_en, scope.in_force, scope.platform_rate, scope.query,
                        scope.fingerprint, {row.id: Decimal(str(row.rate)) for row in rows})


def programs_in_force(session: Session) -> list[ProgramChoice]:
    source: ProgramSource | None = current_app.extensions.get(EXTENSION)
    return source.in_force(session) if source is not None else []
