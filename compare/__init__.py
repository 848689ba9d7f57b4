"""Compare offers, plan a job's cost, and see a model's market (pages and POST /api/v1/plan).

An area: imports the catalog (offers through catalog.offer_query), the shell and pricing, no other area.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from compare import api, tray_views, views
    from compare.plan_json import OPENAPI_PATHS, OPENAPI_SCHEMAS
    from extensions import csrf
    from web.nav import add_nav
    from web.openapi import add_paths

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    tray_views.init_app(app)
    # A cookie-less JSON API: CSRF guards forms, not it.
    csrf.exempt(api.bp)
    add_nav(app, 40, "compare.plan", "Cost planner")
    add_nav(app, 50, "compare.market_index", "Market")
    add_paths(app, OPENAPI_PATHS, OPENAPI_SCHEMAS)
