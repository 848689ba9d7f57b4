"""Catalog commands: init-db, fx-rates."""

import json
import sys
from pathlib import Path

import click
from flask import Flask

from catalog.context import load_fx, save_fx
from extensions import db
from pricing.currency import FxTable


@click.command("init-db")
def init_db_command() -> None:
    """Create the tables (on an empty database) and mark the schema as current."""
    from flask_migrate import stamp

    import catalog.models  # noqa: F401 - registers the tables

    db.create_all()
    if (Path(__file__).resolve().parent.parent / "migrations" / "env.py").exists():
        stamp()
    click.echo("database ready / 数据库已就绪")


@click.command("fx-rates")
@click.option("--load", "path", type=click.Path(exists=True, dir_okay=False), help="Replace the rates from a JSON file.")
def fx_rates_command(path: str | None) -> None:
    """Show the FX table, or load a new one from JSON in the spec's shape."""
    if path:
        try:
            table = FxTable.load(Path(path))
        except (ValueError, KeyError, json.JSONDecodeError) as exc:
            click.echo(f"bad rates file: {exc}", err=True)
            sys.exit(1)
        save_fx(db.session, table)
        db.session.commit()
    click.echo(json.dumps(load_fx(db.session).as_json(), ensure_ascii=False))


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(fx_rates_command)
