"""The micro-cache serves anonymous GETs again for a few seconds, and nothing that is personal."""

import pytest

from web.response_cache import ResponseCache


@pytest.fixture()
def cached_app(make_app):
    app = make_app(RESPONSE_CACHE_SECONDS=60)
    state = {"renders": 0}

    @app.get("/_test/page")
    def page():
        from flask import session

        state["renders"] += 1
        if "who" in session:
            return f"hello {session['who']} #{state['renders']}"
        return f"anonymous #{state['renders']}"

    @app.get("/_test/login")
    def login():
        from flask import session

        session["who"] = "alice"
        return "ok"

    return app, state


def test_anonymous_gets_are_served_from_the_cache(cached_app):
    app, state = cached_app
    client = app.test_client()
    first = client.get("/_test/page")
    second = client.get("/_test/page")
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert second.data == first.data == b"anonymous #1"
    assert state["renders"] == 1
    # A cached answer is still a full answer: security headers and its own request id.
    assert "Content-Security-Policy" in second.headers
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]


def test_query_and_language_are_part_of_the_key(cached_app):
    app, state = cached_app
    client = app.test_client()
    client.get("/_test/page?a=1")
    client.get("/_test/page?a=2")
    client.set_cookie("lang", "en")
    client.get("/_test/page?a=1")
    assert state["renders"] == 3


def test_a_visitor_with_a_session_is_never_served_from_the_cache(cached_app):
    app, state = cached_app
    anonymous = app.test_client()
    anonymous.get("/_test/page")
    user = app.test_client()
    user.get("/_test/login")
    answer = user.get("/_test/page")
    assert answer.data == b"hello alice #2"
    assert "X-Cache" not in answer.headers
    assert anonymous.get("/_test/page").data == b"anonymous #1"


def test_answers_that_set_a_cookie_or_fail_are_not_kept(cached_app):
    app, state = cached_app
    client = app.test_client()
    client.get("/_test/login")  # sets the session cookie: not kept
    other = app.test_client()
    assert other.get("/_test/login").headers.get("X-Cache") is None
    assert other.get("/no-such-page").status_code == 404
    assert "X-Cache" not in other.get("/no-such-page").headers


def test_off_by_default(client):
    assert "X-Cache" not in client.get("/api/v1/openapi.json").headers


def test_entries_expire_and_the_cache_is_bounded(monkeypatch):
    cache = ResponseCache(seconds=5, max_entries=2)
    now = [100.0]
    monkeypatch.setattr("web.response_cache.time.monotonic", lambda: now[0])
    for key in ("a", "b", "c"):
        cache.put((key,), 200, [], key.encode())
    assert cache.get(("a",)) is None  # pushed out by the bound
    assert cache.get(("c",)) == (200, [], b"c")
    now[0] += 6
    assert cache.get(("c",)) is None
