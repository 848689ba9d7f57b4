"""Compute vouchers (算力券, spec §7): programmes, what an order would cost under one, and their pages.

An area: imports the catalog, the shell and pricing, and accounts (companies, operators, the audit log)
through its package. Other areas use it only through the names below (offers' `flask seed` loads the
seed programmes; checkout places voucher orders through the ledger and reads programmes for settlement;
compare's planner prices its options after a programme).
"""

from pathlib import Path

from flask import Flask

# What checkout uses to place a voucher order: split it under the programme's lock, move the ledger.
from vouchers.ledger import (
    Entitlement,
    NotEntitled,
    ShareChanged,
    claim,
    consume,
    entitlement,
    preview,
    programs_in_force,
    release,
    reserve,
    voucher_lines,
)
from vouchers.models import VoucherProgram
from vouchers.order_quote import program_by_code, today_in_china
from vouchers.plan_totals import after_voucher_totals  # compare's planner: each option after a programme
from vouchers.program_words import reason_words

SEED_PROGRAMS = Path(__file__).resolve().parent.parent / "seed_data" / "voucher_programs"


def seed_programs(session) -> dict[str, list[str]]:
    """Load seed_data/voucher_programs/*.json (idempotent: a second run reports them unchanged)."""
    from vouchers.program_loader import load_program_files

    return load_program_files(session, sorted(SEED_PROGRAMS.glob("*.json")))


__all__ = ["SEED_PROGRAMS", "after_voucher_totals", "Entitlement", "NotEntitled", "ShareChanged", "VoucherProgram", "claim", "consume", "entitlement",
           "init_app", "preview", "program_by_code", "programs_in_force", "reason_words", "release", "reserve",
           "seed_programs", "today_in_china", "voucher_lines"]


def init_app(app: Flask) -> None:
    from extensions import csrf
    from vouchers import (  # noqa: F401 (models: registers the table)
        api,
        api_openapi,
        application_views,
        cli,
        models,
        operator_views,
        views,
    )
    from web.openapi import add_paths

    cli.init_app(app)
    views.init_app(app)
    application_views.init_app(app)
    operator_views.init_app(app)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # a cookie-less JSON API: CSRF guards forms, not it
    add_paths(app, api_openapi.PATHS, api_openapi.SCHEMAS)
