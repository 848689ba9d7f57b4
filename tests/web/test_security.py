"""Security headers, cookie flags and the production start-up rules."""

import pytest

from app import create_app
from web.security import CONTENT_SECURITY_POLICY, InsecureConfiguration

STRONG_KEY = "k" * 48


def _production_app(tmp_path, **config):
    return create_app({"APP_ENV": "production", "SECRET_KEY": STRONG_KEY, "TESTING": True,
                       "STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x",
                       # Not Redis here: the limiter is one object per process, and the suite keeps it in memory.
                       "ALLOW_MEMORY_RATE_LIMITS": "1",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
                       # Its database has no tables: no index of it, and none in the repo's instance folder.
                       "SEARCH_DRAIN": "off", "SEARCH_INDEX_DIR": str(tmp_path / "index"), **config})


def _with_session_route(app):
    @app.get("/_test/session")
    def set_session():
        from flask import session

        session["seen"] = True
        return "ok"

    return app


def test_every_html_page_carries_the_content_security_policy(client):
    response = client.get("/no-such-page")
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_json_answers_carry_nosniff_too(client):
    response = client.get("/api/v1/openapi.json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_no_hsts_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/no-such-page").headers


def test_production_sends_hsts_and_secure_cookies(tmp_path):
    app = _production_app(tmp_path)
    response = app.test_client().get("/no-such-page")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret", "short-key"])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, key):
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        _production_app(tmp_path, SECRET_KEY=key)


def test_unknown_app_env_is_refused(tmp_path):
    with pytest.raises(InsecureConfiguration, match="APP_ENV"):
        create_app({"APP_ENV": "prod", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_session_cookie_is_httponly_and_lax(make_app):
    cookie = _with_session_route(make_app()).test_client().get("/_test/session").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development serves plain HTTP


def test_production_session_cookie_is_secure(tmp_path):
    app = _with_session_route(_production_app(tmp_path))
    cookie = app.test_client().get("/_test/session").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_request_bodies_are_size_limited(make_app):
    app = make_app(UPLOAD_MAX_BYTES=1024)  # the vendor area sets MAX_CONTENT_LENGTH from it

    @app.post("/_test/upload")
    def upload():
        from flask import request

        return str(len(request.files["sheet"].read()))

    import io

    client = app.test_client()
    assert client.post("/_test/upload", data={"sheet": (io.BytesIO(b"x" * 100), "ok.csv")}).data == b"100"
    response = client.post("/_test/upload", data={"sheet": (io.BytesIO(b"x" * 4096), "big.csv")})
    assert response.status_code == 413
    assert "Traceback" not in response.get_data(as_text=True)


def test_request_bodies_have_a_limit_by_default(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 20 * 1024 * 1024


def test_production_refuses_the_stripe_sandbox_even_when_asked_for(tmp_path, monkeypatch):
    monkeypatch.delenv("ALLOW_STRIPE_SANDBOX", raising=False)
    with pytest.raises(InsecureConfiguration, match="STRIPE_SECRET_KEY"):
        _production_app(tmp_path, STRIPE_SECRET_KEY=None)
    # The sandbox is demo mode now, which production refuses (tests/checkout/test_demo_mode.py).
    with pytest.raises(InsecureConfiguration, match="STRIPE_SECRET_KEY"):
        _production_app(tmp_path, STRIPE_SECRET_KEY=None, ALLOW_STRIPE_SANDBOX="1")


def _form_action(app) -> str:
    policy = app.test_client().get("/no-such-page").headers["Content-Security-Policy"]
    return next(d.strip() for d in policy.split(";") if d.strip().startswith("form-action"))


@pytest.mark.parametrize(("config", "expected"), [
    # Real Stripe: the cart's checkout POST is answered with a 303 to Stripe's hosted page.
    ({"STRIPE_SECRET_KEY": "sk_test_x"}, "form-action 'self' https://checkout.stripe.com"),
    ({"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_API_BASE": "https://api.stripe.com"},
     "form-action 'self' https://checkout.stripe.com"),
    # A sandbox served by another process hosts its pay page beside its API.
    ({"STRIPE_API_BASE": "http://127.0.0.1:12111/stripe-sandbox"}, "form-action 'self' http://127.0.0.1:12111"),
    ({"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_CHECKOUT_ORIGIN": "https://pay.example.com:8443/"},
     "form-action 'self' https://pay.example.com:8443"),
    # The in-process sandbox lives under our own origin: nothing else may receive a form.
    ({}, "form-action 'self'"),
])
def test_forms_may_be_redirected_to_the_checkout_origin_only(make_app, config, expected):
    base = {"STRIPE_SECRET_KEY": None, "STRIPE_API_BASE": None}
    assert _form_action(make_app(**{**base, **config})) == expected


@pytest.mark.parametrize("origin", ["https://pay.example.com; script-src *", "javascript:alert(1)",
                                    "https://pay.example.com/path", "*"])
def test_a_checkout_origin_that_is_not_an_origin_is_refused_at_start(make_app, origin):
    with pytest.raises(InsecureConfiguration, match="STRIPE_CHECKOUT_ORIGIN"):
        make_app(STRIPE_CHECKOUT_ORIGIN=origin)
