"""When the database is unreachable: answer 503 "try again" at once, and recover by itself.

A lost connection (PostgreSQL restarting, a failover, a full pool) raises one of
SQLAlchemy's connection errors; we roll the session back and answer 503 with Retry-After,
as JSON under /api/ and as a small page elsewhere, never a stack trace. SQLAlchemy drops
the broken connection from the pool, and pool_pre_ping tests the others before use, so
the next request after the database is back succeeds without restarting the app.
"""

import contextlib

from flask import Flask, render_template, request
from sqlalchemy import exc as sa_exc

from extensions import db

RETRY_AFTER_SECONDS = 5
MESSAGE = "service temporarily unavailable"
# Errors that say "the database cannot be reached now", not "this request is wrong".
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
# How long a new connection may take before we give up on it (seconds; PostgreSQL only).
CONNECT_TIMEOUT = 3


def configure(app: Flask) -> None:
    """Bound the wait for a connection, so a down database costs seconds, not a worker timeout."""
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    pass
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options.setdefault("pool_timeout", 10)
        options.setdefault("connect_args", {}).setdefault("connect_timeout", CONNECT_TIMEOUT)


def _is_unavailable(exc: Exception) -> bool:
    return isinstance(exc, UNAVAILABLE) or (isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated)


def unavailable_response():
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        return {"error": {"code": "service_unavailable", "message": MESSAGE}}, 503, headers
    try:
        body = render_template("errors/unavailable.html")
    except Exception:  # the page itself may need the database (a user menu); fall back to plain text
        body = "服务暂时不可用，请稍后再试 / Service temporarily unavailable, please try again shortly."
        headers["Content-Type"] = "text/plain; charset=utf-8"
    return body, 503, headers


def init_app(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in reverse).
    @app.teardown_appcontext
    def release_session(exc):
        """Give the connection back; if the server killed it meanwhile, drop it instead of failing.

        Without this the rollback in session.remove() raises on a connection PostgreSQL
        terminated (a restart), after the answer was made: gunicorn then sends a bare 500.
        """
        try:
            db.session.remove()
        except sa_exc.DBAPIError as error:
            app.logger.warning("dropped a database connection lost at the end of a request: %s",
                               error.__class__.__name__)
            with contextlib.suppress(Exception):  # nothing more to release
                db.session.invalidate()
            db.session.registry.clear()

    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.TimeoutError)
    def database_unavailable(exc: Exception):
        try:
            db.session.rollback()
        except Exception:  # the connection is already gone; the pool has dropped it
            app.logger.debug("rollback after a lost connection failed", exc_info=True)
        if not _is_unavailable(exc):
            # Another database error (a bug, a constraint): the generic 500 page, logged in full.
            app.logger.exception("database error on %s %s", request.method, request.path)
            if app.config["PROPAGATE_EXCEPTIONS"]:
                raise exc
            return _internal_error(app)
        app.logger.warning("database unavailable on %s %s: %s", request.method, request.path,
                           exc.__class__.__name__)
        return unavailable_response()


def _internal_error(app: Flask):
    if request.path.startswith("/api/"):
        return {"error": {"code": "internal_error", "message": "internal error"}}, 500
    return render_template("errors/error.html", error=None), 500
