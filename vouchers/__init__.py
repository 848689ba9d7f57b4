"""Compute vouchers (算力券, spec §7): programmes, what an order would cost under one, and their pages.

An area: imports the catalog, the shell, pricing and accounts (companies, operators, the audit log), no other
area. Other areas use it only through the names below (offers' `flask seed` loads the seed programmes).
"""

from pathlib import Path

from flask import Flask

from vouchers.models import VoucherProgram  # checkout's settlement export reads programmes

SEED_PROGRAMS = Path(__file__).resolve().parent.parent / "seed_data" / "voucher_programs"


def seed_programs(session) -> dict[str, list[str]]:
    """Load seed_data/voucher_programs/*.json (idempotent: a second run reports them unchanged)."""
    from vouchers.program_loader import load_program_files

    return load_program_files(session, sorted(SEED_PROGRAMS.glob("*.json")))


__all__ = ["SEED_PROGRAMS", "VoucherProgram", "init_app", "seed_programs"]


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
