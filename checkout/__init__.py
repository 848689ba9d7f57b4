"""Cart, orders and payment through Stripe Checkout (or, in demo mode, the local Stripe sandbox).

An area: imports the catalog, the shell and pricing; accounts only through `from accounts import …`.
"""

from flask import Flask

from checkout.models import OrderLine  # what a line bought and its total: the stall's deposits read them

# What another area (the compute bank) may use to place an order: the one way orders are made.
from checkout.orders import OfferUnavailable, OutOfStock, Wanted, place_order

__all__ = ["OfferUnavailable", "OrderLine", "OutOfStock", "Wanted", "init_app", "place_order"]


def init_app(app: Flask) -> None:
    from accounts import add_operator_tab
    from checkout import (  # noqa: F401 (tasks: registers the sweep)
        cli,
        demo_mode,
        settlement_views,
        tasks,
        vendor_orders,
        views,
        webhooks,
    )
    from checkout.sandbox import init_app as sandbox_init_app

    demo = demo_mode.settle(app)  # settings.py has refused production without Stripe; this decides dev
    views.init_app(app)
    webhooks.init_app(app)
    cli.init_app(app)
    vendor_orders.init_app(app)
    app.register_blueprint(settlement_views.bp)  # the operator's voucher settlement pages
    add_operator_tab(app, 30, "settlement.programmes", "Voucher settlement")
    if demo:
        sandbox_init_app(app)
