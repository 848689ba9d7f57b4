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


def test_vendor_name_keys_are_filled_and_an_existing_clash_does_not_block_the_upgrade(tmp_path):
    from sqlalchemy import text

    app = _fresh_app(tmp_path)
    with app.app_context():
        upgrade(revision="3f7c2a9d4e61")  # the revision before the name keys
        with db.engine.begin() as connection:
            for slug, zh, en in (("a", "阿尔法云", "Alpha"), ("b", "", "ＡＬＰＨＡ"), ("c", "贝塔", "")):
                connection.execute(text("INSERT INTO vendors (slug, name_zh, name_en, created_at) "
                                        "VALUES (:s, :zh, :en, '2026-01-01')"), {"s": slug, "zh": zh, "en": en})
        upgrade()
        with db.engine.connect() as connection:
            keys = connection.execute(text("SELECT slug, name_zh_key, name_en_key FROM vendors ORDER BY slug")).all()
        # b's English name folds to a's: a keeps it, b waits for a name of its own.
        assert [tuple(k) for k in keys] == [("a", "阿尔法云", "alpha"), ("b", None, None), ("c", "贝塔", None)]
        db.engine.dispose()
