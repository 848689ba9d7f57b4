"""The webhook signing secret in force: STRIPE_WEBHOOK_SECRET, or the sandbox's fixed dev secret."""

from flask import Flask

from checkout.payments import SANDBOX_WEBHOOK_SECRET


def webhook_secret(app: Flask) -> str:
    secret = app.config.get("STRIPE_WEBHOOK_SECRET")
    if secret:
        return secret
    if app.config.get("STRIPE_SECRET_KEY"):
        raise RuntimeError("STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is (see README)")
    return SANDBOX_WEBHOOK_SECRET
