"""Log-in, sign-up and password change are rate-limited per address and, where there is one, per account."""

import pytest
from sqlalchemy import func, select

from accounts.models import User
from app import create_app
from extensions import db, limiter
from tests.stall_support import PASSWORD, log_in, make_user
from web.security import InsecureConfiguration

NEW_PASSWORD = "violet tractor umbrella"


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    limiter.reset()
    yield
    limiter.reset()


def _from(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


def _log_in(client, email, password, ip):
    return client.post("/login", data={"email": email, "password": password}, **_from(ip))


def test_guesses_at_one_account_from_many_addresses_are_limited(client):
    make_user("victim@example.com")
    # One guess from each of 10 addresses: the per-address limit never trips, the account's does.
    statuses = [_log_in(client, "victim@example.com", "guess number one", f"10.0.0.{n}").status_code
                for n in range(1, 12)]
    assert statuses == [400] * 10 + [429]
    response = _log_in(client, "VICTIM@example.com", PASSWORD, "10.0.1.1")  # the right password waits too
    assert response.status_code == 429 and "尝试次数过多" in response.text
    assert _log_in(client, "other@example.com", "guess number one", "10.0.0.1").status_code == 400


def test_an_unknown_email_is_limited_like_a_real_one(client):
    statuses = [_log_in(client, "nobody@example.com", "guess number one", f"10.0.0.{n}").status_code
                for n in range(1, 12)]
    assert statuses == [400] * 10 + [429]  # the same answer, so the limit tells nothing either


def test_successful_log_ins_do_not_use_up_the_accounts_limit(client):
    make_user("me@example.com")
    for n in range(12):
        assert _log_in(client, "me@example.com", PASSWORD, f"10.0.0.{n + 1}").status_code == 302


def _signup(client, email, ip):
    return client.post("/signup", data={"email": email, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, **_from(ip))


def test_sign_up_is_limited_per_address(client):
    statuses = [_signup(client, f"bot{n}@example.com", "10.0.0.9").status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]
    response = _signup(client, "bot-late@example.com", "10.0.0.9")
    assert response.status_code == 429 and "尝试次数过多" in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 5
    assert _signup(client, "person@example.com", "10.0.0.10").status_code == 302  # another address is not held up
    assert client.get("/signup", **_from("10.0.0.9")).status_code == 200  # reading the form is not limited


def _change(client, current, ip):
    return client.post("/account/password", data={"current": current, "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD}, **_from(ip))


def test_password_change_is_limited_per_account(app, client):
    log_in(client, make_user("me@example.com"))
    statuses = [_change(client, "a wrong guess", f"10.0.0.{n}").status_code for n in range(1, 7)]
    assert statuses == [400] * 5 + [429]
    response = _change(client, PASSWORD, "10.0.1.1")
    assert response.status_code == 429 and "尝试次数过多" in response.text
    assert client.get("/account/password").status_code == 200


def test_password_change_is_limited_per_address(app):
    clients = []
    for email in ("a@example.com", "b@example.com"):
        clients.append(app.test_client())
        log_in(clients[-1], make_user(email))
    statuses = [_change(c, "a wrong guess", "10.0.0.7").status_code for c in clients * 3]
    assert statuses == [400] * 5 + [429]


def test_production_refuses_per_worker_rate_limits(tmp_path):
    config = {"APP_ENV": "production", "SECRET_KEY": "k" * 48, "STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x",
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}", "RATELIMIT_STORAGE_URI": "memory://"}
    with pytest.raises(InsecureConfiguration, match="REDIS_URL"):
        create_app(config)
