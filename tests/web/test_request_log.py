"""One JSON log line per request, with a request id that is echoed back."""

import json
import logging

import pytest

from web.request_log import JsonFormatter, logger


@pytest.fixture(autouse=True)
def request_logger_enabled():
    """Alembic's env.py (`flask db upgrade` in a migration test) disables existing loggers; undo that here."""
    was = logger.disabled
    logger.disabled = False
    yield
    logger.disabled = was


def _request_lines(caplog):
    return [r for r in caplog.records if r.name == "market.request"]


def test_one_line_per_request_with_its_id(client, caplog):
    caplog.set_level(logging.INFO, logger="market.request")
    response = client.get("/api/v1/openapi.json", headers={"X-Request-ID": "lb-1234"})
    assert response.headers["X-Request-ID"] == "lb-1234"
    [record] = _request_lines(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "lb-1234"
    assert line["method"] == "GET" and line["path"] == "/api/v1/openapi.json" and line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["user_id"] is None


def test_an_id_is_made_when_none_or_a_bad_one_is_given(client, caplog):
    caplog.set_level(logging.INFO, logger="market.request")
    first = client.get("/no-such-page").headers["X-Request-ID"]
    second = client.get("/no-such-page", headers={"X-Request-ID": "bad id <script>" + "x" * 200}).headers["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second
    assert [r.fields["status"] for r in _request_lines(caplog)] == [404, 404]


def test_app_log_lines_inside_a_request_carry_its_id(make_app):
    app = make_app()
    client = app.test_client()
    formatted = []

    class Capture(logging.Handler):
        def emit(self, record):
            formatted.append(json.loads(JsonFormatter().format(record)))

    @app.get("/_test/log")
    def log_something():
        app.logger.warning("something odd")
        return "ok"

    handler = Capture()
    app.logger.addHandler(handler)
    try:
        client.get("/_test/log", headers={"X-Request-ID": "abc-1"})
    finally:
        app.logger.removeHandler(handler)
    assert formatted == [{"ts": formatted[0]["ts"], "level": "warning", "logger": app.logger.name,
                          "msg": "something odd", "request_id": "abc-1"}]
