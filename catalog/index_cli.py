"""Search index wiring and commands: `flask reindex`, `flask check-index`."""

import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from catalog.models import Offer, utcnow
from catalog.outbox import IndexOutbox
from catalog.registry import default_registries
from catalog.search_engine import make_engine
from catalog.search_service import SearchService, register, service_for
from extensions import db
from web.health import OK, add_check

# An outbox row still pending after this long means the index writer is stuck or dead.
INDEX_LAG_LIMIT = timedelta(minutes=5)


class IndexLagging(RuntimeError):
    """Offer changes wait in the index outbox longer than INDEX_LAG_LIMIT."""


def search_service() -> SearchService:
    service = service_for(db.session)
    if service is None:
        raise RuntimeError("no search service: catalog.index_cli.init_app sets it up")
    return service


def catalog_version() -> int | None:
    """The newest outbox id this worker's snapshot has seen, the page cache's key (web/response_cache.py);
    None when the database cannot say (then nothing is cached or served from the cache)."""
    try:
        return search_service().version()
    except SQLAlchemyError:  # the page itself will report the database; the cache stays out of it
        return None


def check_index() -> str:
    """/healthz: the search index opens and answers, and its writer keeps up with the outbox.

    Never creates an index: a node whose index is gone is unhealthy.
    """
    if not (Path(current_app.config["SEARCH_INDEX_DIR"]) / "current").exists():
        raise RuntimeError("no index: run flask reindex")
    search_service().text.knows("healthz")  # opens a reader on the current generation
    stuck = db.session.scalar(select(func.count()).select_from(IndexOutbox).where(
        IndexOutbox.indexed.is_(False), IndexOutbox.created_at < utcnow() - INDEX_LAG_LIMIT))
    if stuck:
        raise IndexLagging(f"{stuck} changes pending for more than {INDEX_LAG_LIMIT}")
    return OK


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
    with app.app_context():
        service = SearchService(db.engine, make_engine(app.config["SEARCH_ENGINE"], app.config["SEARCH_INDEX_DIR"]),
                                default_registries(), drain_mode=app.config["SEARCH_DRAIN"],
                                drain_before_return=_in_a_command)
    register(service, db.session)
    # The app owns its service (search_service holds it weakly); find it through service_for(session).
    app.extensions["search"] = service
    add_check(app, "index", check_index)
    app.cli.add_command(reindex_command)
    app.cli.add_command(check_index_command)
