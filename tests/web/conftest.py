"""A fresh app for tests that add their own routes (the shared app has served requests already)."""

import pytest

from app import create_app
from tests.app_support import TEST_CONFIG


@pytest.fixture()
def make_app(tmp_path):
    def make(**config):
        return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}",
                           "SEARCH_INDEX_DIR": str(tmp_path / "index"), **config})

    return make
