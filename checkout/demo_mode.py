"""Demo mode: checkout on the app's own Stripe sandbox, said loudly, and never in production.

The sandbox's Pay button marks any order paid, so it is served only in demo mode:
DEMO_MODE=1, or in development when no STRIPE_SECRET_KEY is set (so `flask run` works end
to end). Production refuses demo mode and refuses to start without Stripe (settings.py's
production rules). In demo mode every page carries a banner and start-up logs a warning.

The sandbox's API key and webhook secret come from config (STRIPE_SANDBOX_API_KEY,
STRIPE_WEBHOOK_SECRET) or are made per app instance: the app's own sandbox client and its
in-process webhook delivery use the same instance, so nobody else needs to know them.
Set both when another process must call or sign for this sandbox.
"""

import secrets

from flask import Flask

from web.security import InsecureConfiguration


def _flag(value) -> bool | None:
    """DEMO_MODE as config or the environment gives it: None when unset."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def settle(app: Flask) -> bool:
    """Decide demo mode once, at start-up; make the sandbox's secrets. Returns whether it is on.

    :raise InsecureConfiguration: DEMO_MODE=1 beside a real STRIPE_SECRET_KEY, or DEMO_MODE=0
        without one.
    """
    asked = _flag(app.config.get("DEMO_MODE"))
    has_key = bool(app.config.get("STRIPE_SECRET_KEY"))
    if app.config.get("APP_ENV") == "production":
        demo = False  # settings.finish refused production with DEMO_MODE=1 or without Stripe keys
    elif asked and has_key:
        raise InsecureConfiguration("DEMO_MODE=1 serves the Stripe sandbox, but STRIPE_SECRET_KEY is set: "
                                    "unset one of them; refusing to start")
    else:
        demo = not has_key if asked is None else asked
        if not demo and not has_key:
            raise InsecureConfiguration("DEMO_MODE=0 without STRIPE_SECRET_KEY leaves nothing to take payments: "
                                        "set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET; refusing to start")
    app.config["DEMO_MODE"] = demo
    if demo:
        if not app.config.get("STRIPE_SANDBOX_API_KEY"):
            app.config["STRIPE_SANDBOX_API_KEY"] = "sk_test_sandbox_" + secrets.token_urlsafe(24)
        if not app.config.get("STRIPE_WEBHOOK_SECRET"):
            app.config["STRIPE_WEBHOOK_SECRET"] = "whsec_sandbox_" + secrets.token_urlsafe(24)
        app.logger.warning("DEMO MODE: checkout runs on the built-in Stripe sandbox; payments are not real and "
                           "anyone can mark an order paid. Never expose this to buyers.")

    @app.context_processor
    def demo_banner():
        return {"demo_mode": demo}

    return demo
