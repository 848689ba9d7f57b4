"""Structured logs: one JSON line per request, and every app log line in JSON too.

The request id comes from the X-Request-ID header (as a load balancer sets it) when it
looks like an id, else it is made here; it goes back in the response's X-Request-ID and
into every log line written while the request runs, so one id finds a request's story.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

HEADER = "X-Request-ID"
_ID_SHAPE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
logger = logging.getLogger("market.request")


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            line["request_id"] = rid
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send every logger's lines to stderr as JSON (gunicorn and `flask run` both collect stderr)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _user_id():
    # Only a user Flask-Login already loaded: logging must not cost a query (or fail with the database).
    user = g.get("_login_user")
    return getattr(user, "id", None) if user is not None and getattr(user, "is_authenticated", False) else None


def init_app(app: Flask) -> None:
    if app.config.get("APP_ENV") == "production" or app.config.get("JSON_LOGS"):
        configure_logging(app.config.get("LOG_LEVEL", "INFO"))
        app.logger.handlers.clear()  # Flask's default handler would print a second, plain line

    @app.before_request
    def start_request():
        given = request.headers.get(HEADER, "")
        g.request_id = given if _ID_SHAPE.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        rid = g.get("request_id") or uuid.uuid4().hex
        response.headers[HEADER] = rid
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "user_id": _user_id(),
            "remote_addr": request.remote_addr,
        }
        logger.info("request", extra={"fields": fields, "request_id": rid})
        return response
