"""Compute vouchers (算力券, spec §7): programmes, what an order would cost under one, and their pages.

An area: imports the catalog, the shell and pricing, no other area. Other areas use it only through
the names below (offers' `flask seed` loads the seed programmes; compare's planner prices its options
after a programme).
"""

from pathlib import Path

from flask import Flask

SEED_PROGRAMS = Path(__file__).resolve().parent.parent / "seed_data" / "voucher_programs"


def seed_programs(session) -> dict[str, list[str]]:
    """Load seed_data/voucher_programs/*.json (idempotent: a second run reports them unchanged)."""
    from vouchers.program_loader import load_program_files

    return load_program_files(session, sorted(SEED_PROGRAMS.glob("*.json")))


def after_voucher_totals(session, code: str, priced, registries, on=None):
    """Each (offer, total) option of a plan after the programme's shares, before any company cap
    (vouchers.plan_totals); None: no programme with this code."""
    from vouchers.plan_totals import after_voucher_totals as totals

    return totals(session, code, priced, registries, on)


def programs_in_force(session) -> list:
    """The programmes in force today (Beijing date), by code: what a programme select offers."""
    from vouchers.program_filter import programs_in_force as in_force

    return in_force(session)


__all__ = ["SEED_PROGRAMS", "after_voucher_totals", "init_app", "programs_in_force", "seed_programs"]


def init_app(app: Flask) -> None:
    from extensions import csrf
    from vouchers import api, api_openapi, cli, models, views  # noqa: F401 (models: registers the table)
    from web.openapi import add_paths

    cli.init_app(app)
    views.init_app(app)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # a cookie-less JSON API: CSRF guards forms, not it
    add_paths(app, api_openapi.PATHS, api_openapi.SCHEMAS)
