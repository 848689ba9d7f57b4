"""The Stripe sandbox is a loud demo mode: never in production, a banner on every page, its own secrets."""

import logging

import pytest

from app import create_app
from web.security import InsecureConfiguration

STRONG_KEY = "k" * 48
BANNERS = {"zh": "演示模式：付款不是真实的", "en": "Demo mode: payments are not real"}


@pytest.fixture()
def make_app(tmp_path):
    def make(**config):
        return create_app({"TESTING": True, "SECRET_KEY": STRONG_KEY, "WTF_CSRF_ENABLED": False,
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}",
                           "SEARCH_INDEX_DIR": str(tmp_path / "index"),
                           # One test process: production's shared-limits rule is tested in tests/accounts.
                           "ALLOW_MEMORY_RATE_LIMITS": "1", **config})

    return make


def _sandbox_routes(app) -> list[str]:
    return [r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/stripe-sandbox")]


@pytest.mark.parametrize("config", [
    {"STRIPE_SECRET_KEY": None, "ALLOW_STRIPE_SANDBOX": "1"},
    {"STRIPE_SECRET_KEY": None, "ALLOW_STRIPE_SANDBOX": "1", "DEMO_MODE": "1"},
    {"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x", "DEMO_MODE": "1"},
], ids=["allow-sandbox", "allow-and-demo", "demo-with-a-key"])
def test_production_never_serves_the_sandbox(make_app, config):
    with pytest.raises(InsecureConfiguration, match="DEMO_MODE|STRIPE_SECRET_KEY"):
        make_app(APP_ENV="production", **config)


def test_production_with_stripe_has_no_sandbox_and_no_banner(make_app):
    app = make_app(APP_ENV="production", STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x")
    assert _sandbox_routes(app) == []
    with app.app_context():
        from extensions import db
        db.create_all()
    response = app.test_client().get("/stripe-sandbox/v1/checkout/sessions",
                                     headers={"Authorization": "Bearer sk_test_x"})
    assert response.status_code == 404
    page = app.test_client().get("/no-such-page").get_data(as_text=True)
    assert not any(banner in page for banner in BANNERS.values())


def test_demo_mode_says_so_on_every_page_and_in_the_log(make_app, caplog):
    with caplog.at_level(logging.WARNING):
        app = make_app(DEMO_MODE="1")
    assert any("DEMO MODE" in r.getMessage() for r in caplog.records)
    assert _sandbox_routes(app)
    with app.app_context():
        from extensions import db
        db.create_all()
    client = app.test_client()
    for path in ("/", "/cart", "/no-such-page"):
        for lang, banner in BANNERS.items():
            client.set_cookie("lang", lang)
            assert banner in client.get(path).get_data(as_text=True), (lang, path)


def test_each_app_has_its_own_sandbox_secrets(make_app):
    first, second = make_app(), make_app()
    for name in ("STRIPE_SANDBOX_API_KEY", "STRIPE_WEBHOOK_SECRET"):
        assert first.config[name] and second.config[name] and first.config[name] != second.config[name], name
    assert "dev_only" not in first.config["STRIPE_WEBHOOK_SECRET"]


def test_configured_sandbox_secrets_are_kept(make_app):
    app = make_app(STRIPE_SANDBOX_API_KEY="sk_test_demo_shared", STRIPE_WEBHOOK_SECRET="whsec_demo_shared")
    assert app.config["STRIPE_SANDBOX_API_KEY"] == "sk_test_demo_shared"
    assert app.config["STRIPE_WEBHOOK_SECRET"] == "whsec_demo_shared"
