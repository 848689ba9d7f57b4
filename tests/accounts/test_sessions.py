"""What a log-out ends, and what logged-in pages let a browser or proxy keep."""

import pytest

from extensions import limiter
from tests.stall_support import PASSWORD, make_user


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def _log_in_remembered(client):
    response = client.post("/login", data={"email": "me@example.com", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    return client.get_cookie("session").value, client.get_cookie("remember_token").value


def test_a_copied_session_cookie_stops_working_at_log_out(app, client):
    make_user("me@example.com")
    session_cookie, _ = _log_in_remembered(client)
    copy = app.test_client()
    copy.set_cookie("session", session_cookie)
    assert copy.get("/account").status_code == 200  # the copy works while the session lives
    client.post("/logout")
    assert client.get("/account").status_code == 302
    assert copy.get("/account").status_code == 302


def test_a_saved_remember_me_token_stops_working_at_log_out(app, client):
    make_user("me@example.com")
    _, token = _log_in_remembered(client)
    saved = app.test_client()
    saved.set_cookie("remember_token", token)
    assert saved.get("/account").status_code == 200  # the token alone logs in, as "keep me logged in" should
    client.post("/logout")
    token_only = app.test_client()
    token_only.set_cookie("remember_token", token)
    assert token_only.get("/account").status_code == 302
