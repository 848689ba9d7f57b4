"""SQLite as the embedded default: a page still answers while a long write transaction is open."""

import io
import sqlite3
import threading

import pytest
from sqlalchemy import select

from catalog.models import Offer
from extensions import db
from offers.sheet_import import import_sheet
from tests.stall_support import STANDARD_HEADER


def test_an_offer_page_answers_while_another_connection_holds_the_write_lock(app, client, context):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL readers never wait for writers")
    sheet = f"{STANDARD_HEADER}\na,gpu,,cn-hangzhou,on_demand,RTX 4090,1,,,,,,,1.9,,,CNY,card_hour,,\n"
    import_sheet(db.session, io.BytesIO(sheet.encode()), "v", context, filename="s.csv")
    offer_id = db.session.scalar(select(Offer.id))
    writer = sqlite3.connect(db.engine.url.database, timeout=1)
    # A sheet import's big write transaction, at the moment it spills pages to the database file.
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("UPDATE offers SET title = title || ' (changing)'")
    answers: list[int] = []
    reader = threading.Thread(target=lambda: answers.append(client.get(f"/offers/{offer_id}").status_code))
    try:
        reader.start()
        reader.join(timeout=10)
        assert answers == [200], "the page waited for the writer"
    finally:
        writer.rollback()
        writer.close()
        reader.join()
