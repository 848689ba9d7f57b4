"""Search index wiring and commands: `flask reindex`, `flask check-index`, `flask outbox`."""

import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from catalog import outbox
from catalog.models import Offer
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


class IndexRebuilding(RuntimeError):
    """This node's index is not registered in the outbox: it is rebuilt from the database at its next drain."""


def check_index() -> str:
    """/healthz: the search index opens and answers, and its writer keeps up with the outbox.

    Never creates an index: a node whose index is gone is unhealthy, and so is one that was away
    longer than the outbox's retention until its rebuild is done.
    """
    if not (Path(current_app.config["SEARCH_INDEX_DIR"]) / "current").exists():
        raise RuntimeError("no index: run flask reindex")
    service = search_service()
    service.text.knows("healthz")  # opens a reader on the current generation
    if not service.drainer.registered():
        raise IndexRebuilding(f"node {service.drainer.name} is not registered in the outbox: its index is rebuilt "
                              "from the database at its next drain")
    stuck = service.drainer.pending(older_than=INDEX_LAG_LIMIT)
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


@click.command("outbox")
@click.option("--prune", is_flag=True, help="prune now: drop nodes past the retention, delete rows all are past")
def outbox_command(prune: bool) -> None:
    """List the outbox's consumers (one per node's index): position, rows behind, last seen."""
    db.session.rollback()
    if prune:
        done = outbox.prune(db.engine, timedelta(seconds=current_app.config["OUTBOX_RETENTION_SECONDS"]),
                            timedelta(seconds=current_app.config["OUTBOX_KEEP_SECONDS"]))
        click.echo(f"pruned {done.rows} rows; dropped nodes: {', '.join(done.dropped) or 'none'}")
    with db.engine.connect() as conn:
        low, high = outbox.outbox_span(conn)
        click.echo(f"outbox ids {low}..{high}")
        for row in conn.execute(select(outbox.OutboxConsumer.__table__)).all():
            behind = outbox.pending(conn, row.name)
            click.echo(f"{row.name}\tposition {row.position}\tbehind {behind}\tseen {row.seen_at:%Y-%m-%d %H:%M:%S} UTC")


@click.command("check-index")
def check_index_command() -> None:
    """Report offers whose indexed fields differ from the database; exit 1 if any do."""
    service = search_service()
    service.drainer.drain(wait=True)
    if service.drainer.rebuilt:
        click.echo(f"node {service.drainer.name}: {service.drainer.rebuilt}; its index was rebuilt from the database "
                   f"/ 节点索引已从数据库重建")
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
                                drain_before_return=_in_a_command, node=app.config["NODE_NAME"],
                                retention=timedelta(seconds=app.config["OUTBOX_RETENTION_SECONDS"]),
                                keep=timedelta(seconds=app.config["OUTBOX_KEEP_SECONDS"]),
                                poll_seconds=float(app.config["SEARCH_POLL_SECONDS"]))
    register(service, db.session)
    # The app owns its service (search_service holds it weakly); find it through service_for(session).
    app.extensions["search"] = service
    add_check(app, "index", check_index)
    if app.config["SEARCH_DRAIN"] == "thread":
        # A serving process applies other nodes' changes too, not only after its own commits;
        # commands (no requests) never start the poll.
        app.before_request(service.start_polling)
    app.cli.add_command(outbox_command)
    app.cli.add_command(reindex_command)
    app.cli.add_command(check_index_command)
