"""The compute bank (spec §8): the cheapest schedule of a job across vendors, regions and hours, and booking it.

An area: imports the catalog, the shell and pricing; checkout only through `from checkout import …`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from bank import api, openapi, views
    from extensions import csrf
    from web.openapi import add_paths

    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # a cookie-less JSON API: CSRF guards forms, not it
    add_paths(app, openapi.PATHS, openapi.SCHEMAS)
    views.init_app(app)
