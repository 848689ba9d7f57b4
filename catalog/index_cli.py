"""Search index wiring and commands: `flask reindex`, `flask check-index`."""

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


def init_app(app: Flask) -> None:
    import catalog.outbox  # noqa: F401 - registers the index_outbox table

    with app.app_context():
        service = SearchService(db.engine, make_engine(app.config["SEARCH_ENGINE"], app.config["SEARCH_INDEX_DIR"]),
                                default_registries(), drain_mode=app.config["SEARCH_DRAIN"])
    register(service)
    app.extensions["search"] = service
    app.cli.add_command(reindex_command)
    app.cli.add_command(check_index_command)
