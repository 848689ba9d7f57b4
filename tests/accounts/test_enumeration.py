"""Nobody learns whether an email has an account: not from sign-up's answer, not from log-in's time."""

import statistics
import time

import pytest
from sqlalchemy import select

from accounts.models import User
from extensions import db, limiter
from tests.stall_support import make_user

NEW_PASSWORD = "violet tractor umbrella"


@pytest.fixture(autouse=True)
def _no_limits(app):
    # The timing tests make more attempts than the limits allow; the limits have their own tests.
    saved = {name: app.config.get(name) for name in ("LOGIN_RATE_LIMIT", "LOGIN_ACCOUNT_RATE_LIMIT",
                                                      "SIGNUP_RATE_LIMIT")}
    app.config.update(LOGIN_RATE_LIMIT="1000 per minute", LOGIN_ACCOUNT_RATE_LIMIT="1000 per minute",
                      SIGNUP_RATE_LIMIT="1000 per minute")
    limiter.reset()
    yield
    app.config.update(saved)
    limiter.reset()


def _signup(client, email, password=NEW_PASSWORD, **extra):
    return client.post("/signup", data={"email": email, "password": password, "confirm": password,
                                        "display_name": "Mallory", **extra})


def _answer(client, response):
    """What the person signing up sees: the status, where it leads, and the page there."""
    page = client.get(response.headers["Location"]).text
    return response.status_code, response.headers["Location"], page


def test_sign_up_answers_a_taken_email_exactly_as_a_new_one(app, client):
    owner = make_user("taken@example.com")
    before = (owner.password_hash, owner.display_name, owner.session_version)

    taken = _answer(client, _signup(client, "TAKEN@example.com"))
    other = app.test_client()
    fresh = _answer(other, _signup(other, "fresh@example.com"))

    assert taken == fresh
    status, location, page = taken
    assert status == 302 and location.startswith("/login")
    assert "如该邮箱尚未注册" in page  # the page says both cases, so it tells neither
    db.session.refresh(owner)
    assert (owner.password_hash, owner.display_name, owner.session_version) == before
    assert client.get("/account").status_code == 302  # signing up with someone's email opens nothing


def test_the_new_account_from_sign_up_logs_in(client):
    _signup(client, "fresh@example.com", as_vendor="y")
    assert db.session.scalar(select(User)).email == "fresh@example.com"
    response = client.post("/login?next=/account/vendor", data={"email": "fresh@example.com",
                                                                "password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/vendor"


def _median_seconds(client, email, tries=3):
    times = []
    for _ in range(tries):
        started = time.perf_counter()
        response = client.post("/login", data={"email": email, "password": "not the password"})
        times.append(time.perf_counter() - started)
        assert response.status_code == 400 and "邮箱或密码错误" in response.text
    return statistics.median(times)


def test_a_wrong_password_takes_as_long_for_an_unknown_email_as_for_a_real_one(client):
    make_user("real@example.com")
    _median_seconds(client, "warm-up@example.com", tries=1)
    real = _median_seconds(client, "real@example.com")
    unknown = _median_seconds(client, "nobody@example.com")
    # Before: ~334 ms against ~16 ms. Both now verify one argon2 hash; a factor of 2 leaves room for a busy machine.
    assert unknown > real / 2, (real, unknown)
