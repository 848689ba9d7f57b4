"""One way to find the search service, and nothing keeps it after its app is gone."""

import gc

from app import create_app
from catalog import search_service
from catalog.search_service import service_for
from extensions import db
from tests.app_support import TEST_CONFIG


def test_session_connection_and_engine_find_the_same_service(app):
    service = service_for(db.session)
    assert service is not None
    with db.engine.connect() as connection:
        assert service_for(connection) is service is service_for(db.engine)


def test_a_discarded_apps_search_service_is_let_go(tmp_path):
    other = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}",
                        "SEARCH_INDEX_DIR": str(tmp_path / "index")})
    with other.app_context():
        key = id(db.engine)
        assert service_for(db.engine) is not None
        db.engine.dispose()
    del other
    gc.collect()
    assert key not in search_service._services
