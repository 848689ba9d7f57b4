"""A fresh app for tests that add their own routes (the shared app has served requests already)."""

import pytest

from app import create_app


@pytest.fixture()
def make_app(tmp_path):
    def make(**config):
        return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}",
                           "SEARCH_INDEX_DIR": str(tmp_path / "index"), **config})

    return make
