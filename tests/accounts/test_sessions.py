"""What a log-out ends, and what logged-in pages let a browser or proxy keep."""

import pytest

from extensions import limiter
from tests.stall_support import PASSWORD, log_in, make_user


@pytest.fixture(autouse=True)
def _fresh_limits(app):
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


@pytest.mark.parametrize("path", ["/account", "/account/password", "/account/vendor", "/"])
def test_logged_in_pages_are_not_stored_by_browser_or_proxy(client, path):
    log_in(client, make_user("me@example.com"))
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_page_opened_by_the_remember_me_token_alone_is_not_stored(app, client):
    make_user("me@example.com")
    _, token = _log_in_remembered(client)
    token_only = app.test_client()
    token_only.set_cookie("remember_token", token)
    assert token_only.get("/account").headers["Cache-Control"] == "no-store"


def test_anonymous_pages_and_static_files_stay_cacheable(client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    log_in(client, make_user("me@example.com"))
    with client.get("/static/css/stall.css") as static:
        assert static.status_code == 200
        assert "no-store" not in static.headers.get("Cache-Control", "")
