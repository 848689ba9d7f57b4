"""Catalog fixtures: the seed catalog loaded through the real importer."""

import pytest

from extensions import db
from tests.conftest import seed_sheet_rows


@pytest.fixture()
def seeded(app):
    from offers.cli import seed_catalog

    totals = seed_catalog(echo=lambda *_: None)
    assert totals["created"] == seed_sheet_rows()
    db.session.commit()
    return totals
