"""The compute supermarket (算力超市): app factory and CLI entry point (`flask --app app ...`)."""

import os
from pathlib import Path

from flask import Flask


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'market.db'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY", "dev-only-not-secret"),
        SQLALCHEMY_DATABASE_URI=database_url(app.instance_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SEARCH_INDEX_DIR=os.environ.get("SEARCH_INDEX_DIR", str(Path(app.instance_path) / "search-index")),
        JSON_SORT_KEYS=False,
    )
    for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"):
        app.config[name] = os.environ.get(name) or None
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Concurrent writers (webhook and success page at once) wait for the lock instead of failing.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                                                   "connect_args": {"timeout": 30}}
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    redis_url = os.environ.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")

    from web import converters, db_errors, security, sqlite

    converters.configure(app)  # <int:id> routes only match ids a column can hold
    security.configure(app)  # APP_ENV, cookies; refuses production without a SECRET_KEY
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

    import accounts
    import checkout
    from catalog import api, index_cli
    from catalog import cli as catalog_cli
    from catalog import pages as catalog_pages
    from offers import cli as offers_cli
    from offers import stall_views
    from web import caches, errors, health, locale, nav, openapi, request_log, response_cache

    request_log.init_app(app)
    response_cache.init_app(app)  # after the request log: a cached answer is logged too
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
    return app
