"""Alembic migrations build exactly the schema the models describe, and init-db marks it current."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from app import create_app
from extensions import db, migrate
from tests.app_support import TEST_CONFIG


def _fresh_app(tmp_path):
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}",
                       "SEARCH_INDEX_DIR": str(tmp_path / "index")})


def _head(app) -> str:
    config = migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def test_upgrade_from_empty_matches_the_models(tmp_path):
    app = _fresh_app(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert compare_metadata(context, db.metadata) == []
            assert context.get_current_revision() == _head(app)
        db.engine.dispose()


def test_init_db_stamps_the_head_revision(tmp_path):
    app = _fresh_app(tmp_path)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == _head(app)
        db.engine.dispose()
