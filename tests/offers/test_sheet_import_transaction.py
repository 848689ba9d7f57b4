"""The importer's write transaction on SQLite: rows are validated before it opens, so it is short."""

import io
import sqlite3

import pytest
from sqlalchemy import func, select

from catalog.models import Offer
from extensions import db
from offers.sheet_import import CHUNK_ROWS, import_sheet
from tests.stall_support import STANDARD_HEADER

ROWS = CHUNK_ROWS * 2 + 500


def sheet(rows: int) -> io.BytesIO:
    lines = [f"s{i},gpu,,cn-hangzhou,on_demand,RTX 4090,1,,,,,,,{1 + i / 1000:.3f},,,CNY,card_hour,,"
             for i in range(rows)]
    return io.BytesIO(("\n".join([STANDARD_HEADER, *lines]) + "\n").encode())


@pytest.fixture()
def sqlite_file(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one database-wide write lock; PostgreSQL locks rows")
    return db.engine.url.database


def test_other_writers_are_not_locked_out_while_a_long_sheet_is_validated(sqlite_file, context):
    outcome: list[str] = []

    def progress_factory(total: int):
        seen = 0

        def step(n: int) -> None:
            nonlocal seen
            seen += n
            if seen == ROWS - 100:  # two chunks' worth of rows read and checked
                other = sqlite3.connect(sqlite_file, timeout=0.2)
                try:
                    other.execute("BEGIN IMMEDIATE")  # what any other writer (a checkout, a log-in) needs
                    other.execute("ROLLBACK")
                    outcome.append("written")
                except sqlite3.OperationalError as exc:
                    outcome.append(str(exc))
                finally:
                    other.close()

        return step

    report = import_sheet(db.session, sheet(ROWS), "v", context, filename="big.csv", progress_factory=progress_factory)
    assert outcome == ["written"]
    assert report.landed and report.created == ROWS
    assert db.session.scalar(select(func.count(Offer.id))) == ROWS


def test_a_sheet_with_a_bad_row_writes_nothing_all_or_nothing(context):
    data = sheet(ROWS).getvalue().decode().splitlines()
    data[ROWS - 10] = data[ROWS - 10].replace("RTX 4090", "RTX 9999")
    report = import_sheet(db.session, io.BytesIO("\n".join(data).encode()), "v", context, filename="bad.csv")
    assert not report.landed and report.rejected == 1
    assert db.session.scalar(select(func.count(Offer.id))) == 0
