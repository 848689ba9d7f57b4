"""The browse and API filter `program=<code>` (catalog.program_scope): which offers a programme pays
for today, by the programme list's own rule (vouchers.eligible_offers.rate_query). No Flask."""

import json
from datetime import date

from sqlalchemy.orm import Session

from catalog.program_scope import ProgramScope, ProgramSource
from catalog.registry import Registries
from vouchers.applications import in_force as program_in_force
from vouchers.eligible_offers import rate_query
from vouchers.ledger import programs_in_force
from vouchers.order_quote import program_by_code, today_in_china


def program_scope(session: Session, code: str, registries: Registries, on: date | None = None) -> ProgramScope | None:
    """The programme's eligible offers on `on` (default: today in Beijing); none when it is not in force."""
    program = program_by_code(session, code)
    if program is None:
        return None
    today = on or today_in_china()
    in_force = program_in_force(program, today)
    fingerprint = (program.code, json.dumps(program.rules, sort_keys=True), tuple(program.vendors),
                   tuple(program.offer_regions), in_force)
    return ProgramScope(program.code, program.name_zh, program.name_en, in_force, program.platform_rate,
                        rate_query(program, registries) if in_force else None, fingerprint)


SOURCE = ProgramSource(scope=program_scope, in_force=programs_in_force)
