"""A database that cannot be reached gives 503 "try again", never a 500 or a stack trace; and it recovers."""

import os

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from extensions import db

DOWN_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"  # nothing listens on port 1


def test_api_answers_503_json_when_the_database_is_down(make_app):
    client = make_app(SQLALCHEMY_DATABASE_URI=DOWN_DATABASE).test_client()
    response = client.get("/api/v1/offers")
    assert response.status_code == 503
    assert response.json == {"error": {"code": "service_unavailable", "message": "service temporarily unavailable"}}
    assert response.headers["Retry-After"] == "5"


def test_pages_answer_503_without_internals_when_the_database_is_down(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI=DOWN_DATABASE)

    @app.get("/_test/page")
    def page():
        db.session.execute(text("SELECT 1"))
        return "never"

    response = app.test_client().get("/_test/page?lang=en")
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Service temporarily unavailable" in body
    assert "127.0.0.1" not in body and "SELECT" not in body and "Traceback" not in body


def test_other_database_errors_are_a_plain_500_page(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_test/broken")
    def broken():
        raise sa_exc.IntegrityError("INSERT INTO offers (sku) VALUES ('x')", {}, Exception("duplicate key"))

    response = app.test_client().get("/_test/broken")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "INSERT" not in body and "duplicate" not in body and "Traceback" not in body


def test_unexpected_errors_never_show_a_stack_trace(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_test/bug")
    def bug():
        raise KeyError("secret_internal_name")

    response = app.test_client().get("/_test/bug")
    assert response.status_code == 500
    assert "secret_internal_name" not in response.get_data(as_text=True)


@pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
                    reason="needs PostgreSQL (TEST_DATABASE_URL) to cut a live connection")
def test_the_pool_recovers_after_its_connection_is_killed(app, client):
    """The server drops our pooled connection (as a restart does); the next request still works."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    assert client.get("/api/v1/offers").status_code == 200
    victim = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    db.session.remove()  # the connection goes back to the pool, alive as far as the pool knows
    killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim}).scalar_one()
    killer.dispose()
    assert client.get("/api/v1/offers").status_code == 200
    assert db.session.execute(text("SELECT pg_backend_pid()")).scalar_one() != victim


@pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
                    reason="needs PostgreSQL (TEST_DATABASE_URL) to cut a live connection")
def test_a_connection_killed_during_the_request_does_not_fail_the_answer(make_app):
    """PostgreSQL terminates the connection (a restart) after the view ran: the answer still goes out."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    url = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    app = make_app(SQLALCHEMY_DATABASE_URI=url)

    @app.get("/_test/killed")
    def killed():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()  # a transaction is open
        killer = create_engine(url, poolclass=NullPool)
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        return "answered"

    client = app.test_client()
    response = client.get("/_test/killed")
    assert response.status_code == 200 and response.data == b"answered"
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar_one() == 1  # the pool recovered
        db.session.remove()
        db.engine.dispose()
