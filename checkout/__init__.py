"""Cart, orders and payment through Stripe Checkout (or, in demo mode, the local Stripe sandbox)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from checkout import cli, demo_mode, views, webhooks
    from checkout.sandbox import init_app as sandbox_init_app

    app.config.setdefault("STRIPE_SECRET_KEY", None)
    app.config.setdefault("STRIPE_API_BASE", None)
    app.config.setdefault("STRIPE_WEBHOOK_SECRET", None)
    demo = demo_mode.settle(app)  # refuses production without Stripe, whatever else is set
    views.init_app(app)
    webhooks.init_app(app)
    cli.init_app(app)
    if demo:
        sandbox_init_app(app)
