"""GET /healthz: 200 when the database, index and Redis answer, 503 naming the one that does not."""

import pytest

from catalog.search_service import service_for
from extensions import db
from web.health import add_check


@pytest.fixture()
def index_dir(app, monkeypatch):
    """The app's own search index, made to exist (opening an empty index creates it)."""
    service_for(db.engine).text.knows("anything")
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    return app.config["SEARCH_INDEX_DIR"]


def test_healthy_node_answers_200(app, client, index_dir, monkeypatch):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok",
                             "checks": {"database": "ok", "index": "ok", "redis": "not configured"}}


def test_missing_index_is_503(app, client, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(tmp_path / "nowhere"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["index"].startswith("error")
    assert response.json["status"] == "unavailable"


def test_redis_is_pinged_when_configured(app, client, index_dir, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/3")
    import redis

    try:
        redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    assert client.get("/healthz").json["checks"]["redis"] == "ok"


def test_unreachable_redis_is_503(app, client, index_dir, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == "error: ConnectionError"


def test_failing_database_is_503_without_details(app, client, index_dir, monkeypatch):
    def broken():
        raise RuntimeError("connection to server at 10.0.0.5 failed: password=hunter2")

    add_check(app, "database", broken)
    try:
        response = client.get("/healthz")
    finally:
        from web.health import check_database

        add_check(app, "database", check_database)
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "error: RuntimeError"
    assert "hunter2" not in response.get_data(as_text=True)


def test_changes_stuck_in_the_index_outbox_are_503(app, client, index_dir):
    from datetime import timedelta

    from sqlalchemy import insert

    from catalog.models import utcnow
    from catalog.outbox import IndexOutbox
    from extensions import db

    assert client.get("/healthz").status_code == 200
    db.session.execute(insert(IndexOutbox).values(offer_id=1, op="upsert",
                                                  created_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["index"] == "error: IndexLagging"


def test_a_node_missing_from_the_outbox_registry_is_503_until_it_rebuilt(app, client, runner, index_dir):
    from catalog import outbox

    node_a = app.extensions["search"]
    assert client.get("/healthz").status_code == 200
    db.session.execute(outbox.CONSUMERS.delete())
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["checks"]["index"] == "error: IndexRebuilding"
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0, result.output
    assert "rebuilt from the database" in result.output and node_a.drainer.name in result.output
    assert client.get("/healthz").status_code == 200


def test_the_shell_alone_checks_the_index_folder(make_app, tmp_path):
    from web.health import check_index_dir

    app = make_app(SEARCH_INDEX_DIR=str(tmp_path / "missing"))
    with app.test_request_context():
        with pytest.raises(RuntimeError, match="index folder missing"):
            check_index_dir()
        app.config["SEARCH_INDEX_DIR"] = str(tmp_path)
        assert check_index_dir() == "ok"


def test_another_area_can_replace_the_index_check(app, client, index_dir, monkeypatch):
    from catalog.index_cli import check_index

    add_check(app, "index", lambda: "ok")
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", "/nonexistent")
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        add_check(app, "index", check_index)


def test_liveness_answers_without_the_database_or_the_index(app, client, tmp_path, monkeypatch):
    # The load run's yardstick route: it must cost the same whatever the catalog and its services do.
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setitem(app.extensions["health_checks"], "database", lambda: 1 / 0)
    response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"
