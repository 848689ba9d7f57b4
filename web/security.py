"""Security settings and headers: the same on every response, stricter in production.

APP_ENV=production turns on Secure cookies and HSTS, and refuses to start without a real
SECRET_KEY; development (the default) keeps plain-HTTP cookies so `flask run` works.
"""

import os
import re
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session

DEV_SECRET_KEY = "dev-only-not-secret"  # app.py's fallback; never acceptable in production
MIN_SECRET_KEY_LENGTH = 32
# Scripts, styles, images and fetches from our own origin only: no inline script, no plugin,
# no <base> rewriting, no framing (click-jacking), and forms sent only to us ...
CONTENT_SECURITY_POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
# ... and to the payment page: Chromium applies form-action to the redirects that answer a form
# POST, and checkout answers its POST with a 303 to Stripe's hosted page.
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
STRIPE_API_ORIGIN = "https://api.stripe.com"
_ORIGIN = re.compile(r"(https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:]+\])(?::[0-9]{1,5})?)/?")
HSTS = "max-age=31536000; includeSubDomains"
# Sheets and uploads: the whole request body, form fields included.
DEFAULT_MAX_CONTENT_LENGTH = 20 * 1024 * 1024


class InsecureConfiguration(RuntimeError):
    """Production was asked for with a configuration that is not safe to serve."""


@lru_cache(maxsize=8)
def checkout_origin(explicit: str | None, api_base: str | None, has_key: bool) -> str | None:
    """The one other origin a form may be sent to: where checkout sends the buyer to pay.

    STRIPE_CHECKOUT_ORIGIN when set; else the origin of STRIPE_API_BASE (a sandbox in another
    process serves its pay page beside its API; Stripe's own API base means Stripe Checkout);
    else Stripe Checkout when a key is set; else None (the in-process sandbox is our own origin).

    :raise InsecureConfiguration: a value that is not a plain http(s) origin.
    """
    if explicit:
        match = _ORIGIN.fullmatch(explicit.strip().lower())
        if match is None:
            raise InsecureConfiguration(
                f"STRIPE_CHECKOUT_ORIGIN must be an origin like {STRIPE_CHECKOUT_ORIGIN} (scheme, host, "
                f"optional port; no path), not {explicit!r}; refusing to start")
        return match.group(1)
    if api_base:
        parts = urlsplit(api_base.strip().lower())
        match = _ORIGIN.fullmatch(f"{parts.scheme}://{parts.netloc}")
        if match is None:
            raise InsecureConfiguration(f"STRIPE_API_BASE must be an http(s) URL, not {api_base!r}; refusing to start")
        return STRIPE_CHECKOUT_ORIGIN if match.group(1) == STRIPE_API_ORIGIN else match.group(1)
    return STRIPE_CHECKOUT_ORIGIN if has_key else None


def content_security_policy(config) -> str:
    """CONTENT_SECURITY_POLICY with the checkout origin (see checkout_origin) added to form-action."""
    origin = checkout_origin(config.get("STRIPE_CHECKOUT_ORIGIN"), config.get("STRIPE_API_BASE"),
                             bool(config.get("STRIPE_SECRET_KEY")))
    return f"{CONTENT_SECURITY_POLICY} {origin}" if origin else CONTENT_SECURITY_POLICY


def is_production(app: Flask) -> bool:
    return app.config["APP_ENV"] == "production"


def configure(app: Flask) -> None:
    """Settle APP_ENV and the cookie settings; call after test_config is applied.

    :raise InsecureConfiguration: production without a SECRET_KEY of at least 32 characters,
        without STRIPE_SECRET_KEY (unless ALLOW_STRIPE_SANDBOX=1), or with rate limits kept in
        memory (unless ALLOW_MEMORY_RATE_LIMITS=1); a checkout origin that is
        not an origin (any APP_ENV).
    """
    app.config.setdefault("APP_ENV", os.environ.get("APP_ENV", "development"))
    if app.config["APP_ENV"] not in ("production", "development"):
        raise InsecureConfiguration(f"APP_ENV must be 'production' or 'development', not {app.config['APP_ENV']!r}")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    content_security_policy(app.config)  # a malformed checkout origin stops the start, not every page
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's own default is None: unlimited
        app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_CONTENT_LENGTH
    if is_production(app):
        key = app.config.get("SECRET_KEY") or ""
        if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
            raise InsecureConfiguration(
                "APP_ENV=production needs SECRET_KEY set to a random string of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters, e.g. "
                "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))'); refusing to start")
        sandbox_allowed = str(app.config.get("ALLOW_STRIPE_SANDBOX", os.environ.get("ALLOW_STRIPE_SANDBOX", ""))) == "1"
        if not app.config.get("STRIPE_SECRET_KEY") and not sandbox_allowed:
            # Without a key the app serves its own Stripe sandbox, whose "Pay" button marks any order paid.
            raise InsecureConfiguration(
                "APP_ENV=production needs STRIPE_SECRET_KEY (and STRIPE_WEBHOOK_SECRET): without it, checkout runs "
                "on the built-in Stripe sandbox, where anyone can mark an order paid. For a demo or a benchmark "
                "set ALLOW_STRIPE_SANDBOX=1; refusing to start")
        storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
        if storage.startswith("memory://") and str(app.config.get("ALLOW_MEMORY_RATE_LIMITS", "")) != "1":
            # In memory, each gunicorn worker counts alone: N workers allow N times each limit
            # (26 log-in tries were accepted in 1.1 s against a limit of 10 per minute).
            raise InsecureConfiguration(
                "APP_ENV=production needs REDIS_URL (RATELIMIT_STORAGE_URI) so that every worker shares one "
                "count of log-in, sign-up and password-change attempts; with exactly one worker process, set "
                "ALLOW_MEMORY_RATE_LIMITS=1; refusing to start")
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")


def _logged_in() -> bool:
    """This request is someone's: Flask-Login loaded a user (from the session or a remember-me
    token), or the session cookie names one. Never loads a user itself (that would cost a query)."""
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        return True
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies and "_user_id" in session


def init_app(app: Flask) -> None:
    production = is_production(app)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        # On every response, not only HTML: an SVG, a text error or a mislabelled upload
        # rendered by the browser gets the same policy.
        headers.setdefault("Content-Security-Policy", content_security_policy(app.config))
        headers.setdefault("X-Frame-Options", "DENY")
        if production:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static" and _logged_in():
            # A logged-in page shows one person's data: no browser history, back button or shared
            # proxy may keep it for the next person at the same computer or behind the same proxy.
            headers["Cache-Control"] = "no-store"
        return response
