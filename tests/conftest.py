"""Shared fixtures: a fresh app and an empty database for every test.

The database is SQLite in a temp folder unless TEST_DATABASE_URL (or DATABASE_URL) names
PostgreSQL; CI runs the suite both ways. Tables are created once per session and emptied
after each test, so tests that commit from several threads see real commits.
"""

import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete

from app import create_app
from catalog.search_service import service_for
from extensions import db
from tests.app_support import TEST_CONFIG

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
REAL_DATA = SHARED / "data" / "real"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class RequestContextClient(FlaskClient):
    """Each request in its own app context, as in production.

    The `app` fixture keeps a context pushed for the test's own database work; without this,
    requests would share its `g` (the logged-in user, the page language) and its session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        **TEST_CONFIG,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "SEARCH_INDEX_DIR": str(instance / "search-index"),
    })
    with app.app_context():
        db.drop_all()
        db.create_all()
        service_for(db.engine).reset()  # registers this node's index in the outbox at its (empty) start
    app.test_client_class = RequestContextClient
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture()
def app(_app):
    with _app.app_context():
        yield _app
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()
        # The search index and snapshot outlive the emptied tables; start the next test clean.
        service_for(db.engine).reset()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


@pytest.fixture()
def context(app):
    from catalog.context import catalog_context

    return catalog_context(db.session)


def real_file(name: str) -> Path:
    """A file from ../shared/data/real, or a skip that says why it is missing."""
    path = REAL_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the real public price data lives in ../shared, not in this repo")
    return path


def seed_sheet_rows() -> int:
    """How many offer rows the shipped seed sheets hold, counted by reading them."""
    from offers.cli import SEED_DIR
    from offers.sheet_reader import open_sheet

    total = 0
    for path in (SEED_DIR / "offers").glob("*.csv"):
        with open_sheet(path) as sheet:
            total += sum(1 for row in sheet.rows if any(c.strip() for c in row.cells))
    return total
