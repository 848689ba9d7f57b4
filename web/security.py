"""Security settings and headers: the same on every response, stricter in production.

APP_ENV=production turns on Secure cookies and HSTS (settings.py refuses to start it without a
real SECRET_KEY); development (the default) keeps plain-HTTP cookies so `flask run` works.
"""

from flask import Flask

from settings import InsecureConfiguration  # noqa: F401 - raised by settings.finish; named here for callers

# Scripts, styles, images and fetches from our own origin only: no inline script, no plugin,
# no <base> rewriting, no framing (click-jacking).
CONTENT_SECURITY_POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
HSTS = "max-age=31536000; includeSubDomains"


def is_production(app: Flask) -> bool:
    return app.config["APP_ENV"] == "production"


def configure(app: Flask) -> None:
    """Set the cookie flags; call after settings.finish() (which refuses unsafe production config)."""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    if is_production(app):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")


def init_app(app: Flask) -> None:
    production = is_production(app)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        # On every response, not only HTML: an SVG, a text error or a mislabelled upload
        # rendered by the browser gets the same policy.
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        if production:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
