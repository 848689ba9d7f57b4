"""The compute supermarket (算力超市): app factory and CLI entry point (`flask --app app ...`)."""

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

import settings


def create_app(test_config: dict | None = None, environ: Mapping[str, str] | None = None) -> Flask:
    """The app, configured from `environ` (os.environ unless given) and then `test_config`.

    :raise settings.SettingsError: a bad variable, or production with unsafe settings.
    """
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings.load(app.instance_path, environ))
    if test_config:
        app.config.from_mapping(test_config)
    settings.finish(app.config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    from web import converters, db_errors, security, sqlite

    converters.configure(app)  # <int:id> routes only match ids a column can hold
    security.configure(app)  # cookie flags, stricter in production
    db_errors.configure(app)  # bounded connection waits

    from accounts.models import load_user
    from extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    sqlite.init_app(app)  # WAL before the first connection
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    import task_queue

    task_queue.init_app(app)  # before the areas, whose tasks.py enqueue on it; `flask worker`

    import accounts
    import checkout
    from catalog import api, index_cli
    from catalog import cli as catalog_cli
    from catalog import pages as catalog_pages
    from offers import cli as offers_cli
    from offers import stall_views
    from web import caches, errors, health, locale, nav, openapi, request_log, response_cache

    request_log.init_app(app)
    # After the request log (a cached answer is logged too); keyed by the catalog's version.
    response_cache.init_app(app, version=index_cli.catalog_version)
    security.init_app(app)
    locale.init_app(app)
    nav.init_app(app)
    errors.init_app(app)
    db_errors.init_app(app)
    health.init_app(app)
    openapi.init_app(app)
    caches.init_app(app)  # `flask caches`
    catalog_cli.init_app(app)
    index_cli.init_app(app)
    offers_cli.init_app(app)
    api.init_app(app)
    checkout.init_app(app)
    catalog_pages.init_app(app)
    accounts.init_app(app)
    stall_views.init_app(app)
    # The JSON API is read-only and cookie-less; CSRF guards forms, not it.
    csrf.exempt(api.bp)
    import compare

    compare.init_app(app)
    import vouchers

    vouchers.init_app(app)

    import alerts

    alerts.init_app(app)

    import bank

    bank.init_app(app)
    return app
