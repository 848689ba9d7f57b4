"""Cart, orders and payment through Stripe Checkout (or the local Stripe sandbox).

An area: imports the catalog, the shell and pricing, no other area.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from checkout import cli, views, webhooks
    from checkout.sandbox import init_app as sandbox_init_app

    views.init_app(app)
    webhooks.init_app(app)
    cli.init_app(app)
    sandbox_init_app(app)
