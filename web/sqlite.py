"""SQLite as the embedded default: write-ahead logging, so pages never wait for a writer.

In SQLite's default rollback-journal mode a writer that spills a big transaction to the
file (a 50,000-row sheet import does) locks every reader out until it commits; readers
waited the 30 s busy timeout and the site answered 503. In WAL mode readers see the last
commit while a writer works; writers still take turns (sheet_import keeps its turn short).
"""

from flask import Flask
from sqlalchemy import event

from extensions import db


def _use_wal(dbapi_connection, _record) -> None:
    # Persistent in the database file; asking again on every connection costs nothing and
    # covers a file created or copied by another tool.
    dbapi_connection.execute("PRAGMA journal_mode=WAL")


def init_app(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        if db.engine.url.database in (None, "", ":memory:"):
            return  # an in-memory database has no journal to share
        event.listen(db.engine, "connect", _use_wal)
