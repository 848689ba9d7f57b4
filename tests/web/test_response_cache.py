"""The page cache serves anonymous GETs again until the catalog changes, and nothing that is personal."""

import time
from decimal import Decimal

import pytest

from web.response_cache import ResponseCache


def with_tables(app):
    """The cache keys on the catalog's version, read from the database: give it one."""
    from extensions import db

    with app.app_context():
        db.create_all()
    return app


@pytest.fixture()
def cached_app(make_app):
    app = with_tables(make_app(RESPONSE_CACHE_SECONDS=60))
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


@pytest.fixture()
def catalog_app(make_app):
    """A cached app with its own database and one GPU offer."""
    from catalog.models import Offer, Vendor
    from extensions import db

    app = with_tables(make_app(RESPONSE_CACHE_SECONDS=60))
    with app.app_context():
        vendor = Vendor(slug="acme", name_zh="阿克米", name_en="Acme")
        db.session.add(vendor)
        db.session.flush()
        db.session.add(Offer(vendor_id=vendor.id, sku="h1", kind="gpu", title="H100 x1", billing="on_demand",
                             gpu_model="H100-SXM-80G", gpu_count=Decimal(1), list_currency="CNY",
                             list_unit="card_hour", list_amount=Decimal("9.5"), unit_price=Decimal("9.5")))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_price_change_is_never_served_from_the_cache(catalog_app):
    from sqlalchemy import select

    from catalog.models import Offer
    from extensions import db

    client = catalog_app.test_client()
    first = client.get("/offers?kind=gpu")
    again = client.get("/offers?kind=gpu")
    assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("miss", "hit")
    assert '<span class="price">¥9.50</span>' in first.get_data(as_text=True)
    with catalog_app.app_context():
        db.session.scalar(select(Offer)).unit_price = Decimal("7.25")
        db.session.commit()
    time.sleep(0.3)  # the snapshot's refresh interval: the same lag search itself has
    after = client.get("/offers?kind=gpu")
    assert after.headers["X-Cache"] == "miss"
    # The normalized price cell (the listed price, ¥9.50 / 卡时 as the vendor gave it, is not what changed).
    page = after.get_data(as_text=True)
    assert '<span class="price">¥7.25</span>' in page and '<span class="price">¥9.50</span>' not in page


def test_redis_shares_entries_between_workers(make_app):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/4"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    one = with_tables(make_app(RESPONSE_CACHE_SECONDS=60, RESPONSE_CACHE_REDIS_URL=url))
    two = make_app(RESPONSE_CACHE_SECONDS=60, RESPONSE_CACHE_REDIS_URL=url)  # another worker, same database
    one.extensions["response_cache"].clear()
    path = f"/api/v1/openapi.json?probe={time.time_ns()}"
    first = one.test_client().get(path)
    second = two.test_client().get(path)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert second.data == first.data and second.headers["Content-Type"] == first.headers["Content-Type"]


def test_redis_down_is_a_miss_not_an_error(make_app):
    app = with_tables(make_app(RESPONSE_CACHE_SECONDS=60, RESPONSE_CACHE_REDIS_URL="redis://127.0.0.1:1/0"))
    client = app.test_client()
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
