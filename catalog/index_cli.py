"""Search index wiring and commands: `flask reindex`, `flask check-index`."""

import os
import sys

import click
from flask import Flask, current_app
from sqlalchemy import func, select
from tqdm import tqdm

from catalog.models import Offer
from catalog.registry import default_registries
from catalog.search_engine import make_engine
from catalog.search_service import SearchService, register
from extensions import db


def search_service() -> SearchService:
    return current_app.extensions["search"]


@click.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the database (into a new folder, swapped in when done)."""
    total = db.session.scalar(select(func.count()).select_from(Offer))
    db.session.rollback()
    with tqdm(total=total, desc="reindex", unit="offer", file=sys.stderr, disable=None, mininterval=0.5) as bar:
        count = search_service().reindex(progress=bar.update)
    click.echo(f"indexed {count} offers / 已索引 {count} 个报价")


@click.command("check-index")
def check_index_command() -> None:
    """Report offers whose indexed fields differ from the database; exit 1 if any do."""
    service = search_service()
    service.drainer.drain()
    problems = service.check()
    for p in problems[:200]:
        click.echo(f"offer {p.offer_id}: {p.problem}")
    if len(problems) > 200:
        click.echo(f"… and {len(problems) - 200} more")
    if problems:
        click.echo(f"{len(problems)} offers differ from the database / {len(problems)} 个报价与数据库不一致")
        sys.exit(1)
    click.echo("index matches the database / 索引与数据库一致")


def _in_a_command() -> bool:
    """A command (seed, import-sheet, reconcile-payments …) is running in this thread: its
    process exits when it returns, and a background drain would die with it, leaving the
    outbox pending (/healthz 503). Request threads, even under `flask run`, have no click context."""
    return click.get_current_context(silent=True) is not None


def init_app(app: Flask) -> None:
    import catalog.outbox  # noqa: F401 - registers the index_outbox table

    app.config.setdefault("SEARCH_ENGINE", os.environ.get("SEARCH_ENGINE", "whoosh"))  # or "tantivy"
    # Tests drain in the committing thread so they can look at the index right away.
    app.config.setdefault("SEARCH_DRAIN", "sync" if app.testing else "thread")
    with app.app_context():
        service = SearchService(db.engine, make_engine(app.config["SEARCH_ENGINE"], app.config["SEARCH_INDEX_DIR"]),
                                default_registries(), drain_mode=app.config["SEARCH_DRAIN"],
                                drain_before_return=_in_a_command)
    register(service, db.session)
    app.extensions["search"] = service
    app.cli.add_command(reindex_command)
    app.cli.add_command(check_index_command)
