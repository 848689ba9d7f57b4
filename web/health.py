"""GET /healthz: whether this node can serve, for load balancers and monitors.

Each check returns "ok" (or "not configured", also fine) or raises; the answer is 200
when every check passes and 503 otherwise, with the failing check's short reason.
Another area replaces or adds a check with `add_check(app, name, fn)`.
"""

import os
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import text

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
    """The search index folder exists and can be read (until the catalog adds its own index check)."""
    folder = Path(current_app.config["SEARCH_INDEX_DIR"])
    if not folder.is_dir():
        raise RuntimeError("index folder missing")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise RuntimeError("index folder not readable")
    next(folder.iterdir(), None)
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
    # The catalog replaces this with its own check of the search service (catalog/index_cli.py).
    app.extensions["health_checks"].setdefault("index", check_index_dir)
    add_check(app, "redis", check_redis)

    from extensions import limiter

    @app.get("/healthz")
    @limiter.exempt
    def healthz():
        results = run_checks(app.extensions["health_checks"])
        healthy = all(r in HEALTHY for r in results.values())
        body = {"status": "ok" if healthy else "unavailable", "checks": results}
        return body, 200 if healthy else 503, {"Cache-Control": "no-store"}

    @app.get("/healthz/live")
    @limiter.exempt
    def live():
        """The process answers: no check, no database. Also the load run's yardstick route
        (bench/load/run_load.py): the req/s of a page that costs nothing but the app's own hooks."""
        return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
