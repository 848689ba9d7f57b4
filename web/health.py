"""GET /healthz: whether this node can serve, for load balancers and monitors.

Each check returns "ok" (or "not configured", also fine) or raises; the answer is 200
when every check passes and 503 otherwise, with the failing check's short reason.
Another area replaces or adds a check with `add_check(app, name, fn)`.
"""

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import func, select, text

from extensions import db

OK = "ok"
NOT_CONFIGURED = "not configured"
HEALTHY = (OK, NOT_CONFIGURED)


def add_check(app: Flask, name: str, check: Callable[[], str]) -> None:
    app.extensions.setdefault("health_checks", {})[name] = check


def check_database() -> str:
    db.session.execute(text("SELECT 1"))
    return OK


def check_index_dir() -> str:
    """The search index folder exists and can be read (the fallback when no search service is set up)."""
    folder = Path(current_app.config["SEARCH_INDEX_DIR"])
    if not folder.is_dir():
        raise RuntimeError("index folder missing")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise RuntimeError("index folder not readable")
    next(folder.iterdir(), None)
    return OK


# An outbox row still pending after this long means the index writer is stuck or dead.
INDEX_LAG_LIMIT = timedelta(minutes=5)


class IndexLagging(RuntimeError):
    """Offer changes wait in the index outbox longer than INDEX_LAG_LIMIT."""


def check_index() -> str:
    """The search index opens and answers, and its writer keeps up with the outbox.

    Built on the search service (catalog.search_service) when the app has one; the folder
    check otherwise. Never creates an index: a node whose index is gone is unhealthy.
    """
    service = current_app.extensions.get("search")
    if service is None:
        return check_index_dir()
    if not (Path(current_app.config["SEARCH_INDEX_DIR"]) / "current").exists():
        raise RuntimeError("no index: run flask reindex")
    service.text.knows("healthz")  # opens a reader on the current generation
    from catalog.models import utcnow
    from catalog.outbox import IndexOutbox

    stuck = db.session.scalar(select(func.count()).select_from(IndexOutbox).where(
        IndexOutbox.indexed.is_(False), IndexOutbox.created_at < utcnow() - INDEX_LAG_LIMIT))
    if stuck:
        raise IndexLagging(f"{stuck} changes pending for more than {INDEX_LAG_LIMIT}")
    return OK


def check_redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return NOT_CONFIGURED
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return OK


def run_checks(checks: dict[str, Callable[[], str]]) -> dict[str, str]:
    results = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports every failure, it never raises
            # The class only: the message may carry host names or SQL. The log has it whole.
            results[name] = f"error: {exc.__class__.__name__}"
            current_app.logger.warning("health check %s failed: %s", name, exc)
            if name == "database":
                db.session.rollback()
    return results


def init_app(app: Flask) -> None:
    add_check(app, "database", check_database)
    app.extensions["health_checks"].setdefault("index", check_index)
    add_check(app, "redis", check_redis)

    from extensions import limiter

    @app.get("/healthz")
    @limiter.exempt
    def healthz():
        results = run_checks(app.extensions["health_checks"])
        healthy = all(r in HEALTHY for r in results.values())
        body = {"status": "ok" if healthy else "unavailable", "checks": results}
        return body, 200 if healthy else 503, {"Cache-Control": "no-store"}
