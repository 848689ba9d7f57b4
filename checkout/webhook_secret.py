"""The webhook signing secret in force: STRIPE_WEBHOOK_SECRET (in demo mode, made at start-up if unset)."""

from flask import Flask


def webhook_secret(app: Flask) -> str:
    secret = app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        # checkout/demo_mode.py sets one in demo mode and refuses production without one.
        raise RuntimeError("STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is (see README)")
    return secret
