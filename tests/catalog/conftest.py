"""Catalog fixtures: the seed catalog loaded through the real importer."""

import pytest

from extensions import db


@pytest.fixture()
def seeded(app):
    from offers.cli import seed_catalog

    totals = seed_catalog(echo=lambda *_: None)
    assert totals["created"] == 690
    db.session.commit()
    return totals
