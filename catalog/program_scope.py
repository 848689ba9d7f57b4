"""A voucher programme as the browse page and GET /api/v1/offers read it (`program=<code>`).

The catalog knows no programme: the vouchers area, which does, hands the app a ProgramSource
(app.extensions["offer_programs"]) at init_app, and the catalog asks it. Without the area every
programme code is unknown.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from catalog.registry import Registries
from pricing.voucher_split import after_voucher

EXTENSION = "offer_programs"


@dataclass(frozen=True)
class ProgramScope:
    """A programme's offers today: each eligible offer's government rate (none when not in force)."""

    code: str
    name_zh: str
    name_en: str
    in_force: bool
    platform_rate: Decimal
    rates: Mapping[int, Decimal]

    @property
    def ids(self) -> list[int]:
        return sorted(self.rates)

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


def program_scope(session: Session, params: dict, registries: Registries) -> tuple[dict, ProgramScope | None]:
    """The params with the programme's eligible offer ids (`program_ids`) when they ask `program`.

    :raise ValidationError: an unknown programme code (named `program`).
    """
    code = params.get("program")
    if not code:
        return params, None
    source: ProgramSource | None = current_app.extensions.get(EXTENSION)
    scope = source.scope(session, code, registries) if source is not None else None
    if scope is None:
        raise ValidationError({"program": [f"没有代码为 {code!r} 的算力券计划 / no voucher programme {code!r}"]})
    return {**params, "program_ids": scope.ids}, scope


def programs_in_force(session: Session) -> list[ProgramChoice]:
    source: ProgramSource | None = current_app.extensions.get(EXTENSION)
    return source.in_force(session) if source is not None else []
