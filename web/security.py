"""Security settings and headers: the same on every response, stricter in production.

APP_ENV=production turns on Secure cookies and HSTS (settings.py refuses to start it without a
real SECRET_KEY); development (the default) keeps plain-HTTP cookies so `flask run` works.
"""

import re
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session

from settings import InsecureConfiguration  # noqa: F401 - raised by settings.finish; named here for callers

# Scripts, styles, images and fetches from our own origin only: no inline script, no plugin,
# no <base> rewriting, no framing (click-jacking), and forms sent only to us ...
CONTENT_SECURITY_POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
# ... and to the payment page: Chromium applies form-action to the redirects that answer a form
# POST, and checkout answers its POST with a 303 to Stripe's hosted page.
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
STRIPE_API_ORIGIN = "https://api.stripe.com"
_ORIGIN = re.compile(r"(https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:]+\])(?::[0-9]{1,5})?)/?")
HSTS = "max-age=31536000; includeSubDomains"


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
    """Set the cookie flags; call after settings.finish() (which refuses unsafe production config).

    :raise InsecureConfiguration: a checkout origin that is not an origin (any APP_ENV).
    """
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    content_security_policy(app.config)  # a malformed checkout origin stops the start, not every page
    if is_production(app):
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
