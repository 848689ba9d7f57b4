"""Every cache kept across requests is listed in web.caches, and a change to what it holds shows on the next request.

The apps here run as in production: the page cache on (RESPONSE_CACHE_SECONDS=60) and every
other cache at its production setting, so a cache that lags behind the catalog shows as a
stale page. The scenarios are parametrized over the registry: a cache registered without
one fails here.
"""

import importlib
import os
import pkgutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from catalog.models import Offer, Vendor, utcnow
from extensions import db
from web import caches

ROOT = Path(__file__).resolve().parents[2]
AREAS = ("pricing", "web", "catalog", "offers", "accounts", "checkout", "compare")


def _import_every_module() -> None:
    """Caches register at import: import every module of every area so the registry is whole."""
    for area in AREAS:
        importlib.import_module(area)
        for info in pkgutil.walk_packages([str(ROOT / area)], prefix=f"{area}."):
            importlib.import_module(info.name)


_import_every_module()


def new_offer(vendor: Vendor, sku: str, title: str, price: str, **extra) -> Offer:
    return Offer(vendor=vendor, sku=sku, kind="gpu", title=title, billing="on_demand",
                 gpu_model=extra.pop("gpu_model", "h100-sxm"), gpu_count=Decimal(1), list_currency="CNY",
                 list_unit="card_hour", list_amount=Decimal(price), unit_price=Decimal(price), **extra)


def empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


@pytest.fixture()
def live_app(make_app):
    """An app configured as production caches it, with one vendor and one GPU offer (on TEST_DATABASE_URL
    when it is set, emptied afterwards; else its own SQLite file)."""
    url = os.environ.get("TEST_DATABASE_URL")
    # The retired time-based settings at their old production values: a cache that read them
    # again would show a stale home page or facet label here.
    app = make_app(RESPONSE_CACHE_SECONDS=60, HOME_SUMMARY_SECONDS=30, VENDOR_LABELS_SECONDS=60,
                   **({"SQLALCHEMY_DATABASE_URI": url} if url else {}))
    with app.app_context():
        db.create_all()
        empty_tables()
        vendor = Vendor(slug="acme", name_zh="阿克米", name_en="Acme")
        db.session.add(new_offer(vendor, "h1", "H100 Hopper", "9.5", stock=5,
                                 price_updated_at=utcnow() - timedelta(hours=3)))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.rollback()
        empty_tables()
        db.session.remove()
        db.engine.dispose()


def change(app, **values):
    """Commit new values on the first offer (names starting vendor_ on its vendor)."""
    with app.app_context():
        offer = db.session.scalar(select(Offer).order_by(Offer.id))
        for name, value in values.items():
            target = offer.vendor if name.startswith("vendor_") else offer
            setattr(target, name.removeprefix("vendor_"), value)
        db.session.commit()


def add(app, slug: str, sku: str, title: str, price: str) -> None:
    with app.app_context():
        vendor = db.session.scalar(select(Vendor).where(Vendor.slug == slug)) or Vendor(
            slug=slug, name_zh=slug, name_en=slug)
        db.session.add(new_offer(vendor, sku, title, price))
        db.session.commit()


def text(client, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_data(as_text=True)


def api(client, url: str) -> dict:
    answer = client.get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_json()


# -- one scenario per registered cache: (app, client) -> None, asserting before and after a change

SCENARIOS = {}


def scenario(func):
    """The scenario of the cache named like the function (underscores for dashes)."""
    SCENARIOS[func.__name__.replace("_", "-")] = func
    return func


@scenario
def page(app, client):
    url = "/offers?kind=gpu"
    assert [client.get(url).headers["X-Cache"] for _ in range(2)] == ["miss", "hit"]
    change(app, unit_price=Decimal("7.25"))
    after = client.get(url)
    assert after.headers["X-Cache"] == "miss" and "¥7.25" in after.get_data(as_text=True)


def test_free_capacity_is_never_served_from_the_page_cache(live_app):
    """A booking is not a catalog change: the answers that show free capacity are never kept."""
    from catalog.bookings import Booking, next_start

    client = live_app.test_client()
    with live_app.app_context():
        offer_id = db.session.scalar(select(Offer.id))
    urls = ["/api/v1/offers?kind=gpu", f"/api/v1/offers/{offer_id}", f"/cart/add/{offer_id}?lang=en"]
    for url in urls:
        assert [client.get(url).headers.get("X-Cache") for _ in range(2)] == [None, None]
    assert api(client, urls[1])["availability"][0]["free"] == 5
    with live_app.app_context():
        start = next_start()
        db.session.add(Booking(offer_id=offer_id, instances=3, starts_at=start, ends_at=start + timedelta(hours=200)))
        db.session.commit()
    assert {run["free"] for run in api(client, urls[0])["items"][0]["availability"]} <= {5, 2}
    assert 2 in {run["free"] for run in api(client, urls[1])["availability"]}
    assert "at least 2 machines" in text(client, urls[2])


@scenario
def home_summary(app, client):
    assert "¥9.50" in text(client, "/?lang=en")
    change(app, unit_price=Decimal("7.25"))
    home = text(client, "/?lang=en")
    assert "¥7.25" in home and "¥9.50" not in home
    assert client.get("/?lang=en").headers["X-Cache"] == "hit"


@scenario
def vendor_labels(app, client):
    assert "Acme" in text(client, "/offers?lang=en&vendor=acme")
    change(app, vendor_name_en="Apex Compute")
    browse = text(client, "/offers?lang=en&vendor=acme")
    assert "Apex Compute" in browse and "Acme" not in browse


@scenario
def facet_value_quoting(app, client):
    assert "vendor=acme" in text(client, "/offers?lang=en")
    change(app, vendor_slug="apex cloud")
    browse = text(client, "/offers?lang=en")
    assert "vendor=apex+cloud" in browse and "vendor=acme" not in browse


@scenario
def offer_records(app, client):
    url = "/api/v1/offers?kind=gpu"
    assert api(client, url)["items"][0]["title"] == "H100 Hopper"
    change(app, title="H100 Hopper, 2 TB NVMe")
    assert api(client, url)["items"][0]["title"] == "H100 Hopper, 2 TB NVMe"


@scenario
def offer_json(app, client):
    url = "/api/v1/offers?kind=gpu"
    assert api(client, url)["items"][0]["unit_price"] == "9.500000"
    change(app, unit_price=Decimal("7.25"), title="H100 Hopper, 2 TB NVMe")
    item = api(client, url)["items"][0]
    assert (item["unit_price"], item["title"]) == ("7.250000", "H100 Hopper, 2 TB NVMe")


@scenario
def offer_row_html(app, client):
    assert "H100 Hopper</a>" in text(client, "/offers?lang=en")
    change(app, title="H100 Hopper, 2 TB NVMe")
    browse = text(client, "/offers?lang=en")
    assert "H100 Hopper, 2 TB NVMe</a>" in browse and "H100 Hopper</a>" not in browse


@scenario
def catalog_snapshot(app, client):
    url = "/api/v1/offers?max_unit_price=8"
    assert api(client, url)["total"] == 0
    change(app, unit_price=Decimal("7.25"))
    assert api(client, url)["total"] == 1


@scenario
def search_answers(app, client):
    url = "/api/v1/offers?kind=gpu&in_stock=true"
    assert api(client, url)["total"] == 1
    assert api(client, url + "&per_page=20")["total"] == 1  # the same filters again: a kept answer
    change(app, stock=0)
    assert api(client, url)["total"] == 0


@scenario
def sort_orders(app, client):
    # Past 2,000 matches a page walks the kept order instead of sorting the matches.
    with app.app_context():
        vendor = db.session.scalar(select(Vendor))
        db.session.add_all(new_offer(vendor, f"f{i}", "filler", "5") for i in range(2_001))
        db.session.commit()
    url = "/api/v1/offers?sort=-unit_price&per_page=1"
    assert api(client, url)["items"][0]["title"] == "H100 Hopper"
    change(app, unit_price=Decimal("1.25"))
    assert api(client, url)["items"][0]["title"] == "filler"


@scenario
def facet_name_rank(app, client):
    add(app, "zeta", "z1", "H100 Zeta", "8.0")
    url = "/api/v1/offers?kind=gpu"
    assert list(api(client, url)["facets"]["vendor"]) == ["acme", "zeta"]  # one offer each: by name
    change(app, vendor_slug="zzz")
    assert list(api(client, url)["facets"]["vendor"]) == ["zeta", "zzz"]


@scenario
def text_query_ids(app, client):
    assert api(client, "/api/v1/offers?q=h100")["total"] == 1
    add(app, "acme", "h2", "H100 Blackwell bundle", "12")
    assert api(client, "/api/v1/offers?q=h100")["total"] == 2


@scenario
def index_segment_ids(app, client):
    first = api(client, "/api/v1/offers?q=hopper")["items"]
    add(app, "zeta", "z1", "H100 Hopper twin", "8.0")  # a new segment
    change(app, title="H100 Hopper renamed")  # the first offer's document moves to a newer segment
    found = api(client, "/api/v1/offers?q=hopper")["items"]
    assert {o["title"] for o in found} == {"H100 Hopper renamed", "H100 Hopper twin"}
    assert first[0]["id"] in {o["id"] for o in found}


@scenario
def text_tokens(app, client):
    assert api(client, "/api/v1/offers?q=hopper")["total"] == 1
    change(app, title="H100 Blackwell")
    assert api(client, "/api/v1/offers?q=hopper")["total"] == 0
    assert api(client, "/api/v1/offers?q=blackwell")["total"] == 1


@scenario
def question_words(app, client):
    found = api(client, "/api/v1/offers?q=" + "我要 hopper 最便宜的")
    assert found["total"] == 1 and found["understood"]["words"] == ["hopper"]
    change(app, title="H100 Blackwell")
    assert api(client, "/api/v1/offers?q=" + "我要 hopper 最便宜的")["total"] == 0
    assert api(client, "/api/v1/offers?q=" + "我要 blackwell 最便宜的")["total"] == 1


@scenario
def text_builders(app, client):
    from catalog.offer_query import OfferQuerySchema, search_offers
    from catalog.registry import default_registries

    def sql_answer(q: str):
        with app.app_context():  # the SQL path with no search service: the one user of this cache
            return search_offers(db.session, OfferQuerySchema().load({"q": q}), default_registries(), use_sql=True)

    first = sql_answer("8 张 hopper 跑 3 天")
    assert first.total == 1 and first.understood.planner["hours"] == "72"
    change(app, title="H100 Blackwell")
    assert sql_answer("8 张 hopper 跑 3 天").total == 0
    assert sql_answer("8 张 blackwell 跑 3 天").total == 1


@scenario
def registries(app, client):
    assert "H100 SXM 80GB" in text(client, "/offers?lang=en")
    change(app, gpu_model="a100-80gb")
    browse = text(client, "/offers?lang=en")
    assert "A100 80GB" in browse and "H100 SXM 80GB" not in browse


@scenario
def babel_locales(app, client):
    assert "3 hours ago" in text(client, "/offers?lang=en")
    assert "3小时前" in text(client, "/offers?lang=zh")


@scenario
def ago_words(app, client):
    assert "3 hours ago" in text(client, "/offers?lang=en")
    change(app, price_updated_at=utcnow() - timedelta(days=2))
    assert "2 days ago" in text(client, "/offers?lang=en")


@scenario
def query_schemas(app, client):
    assert client.get("/api/v1/offers?min_gpu_count=lots").status_code == 400
    assert api(client, "/api/v1/offers?min_gpu_count=1")["total"] == 1  # no state left by the bad one


@scenario
def translations(app, client):
    assert "Browse" in text(client, "/offers?lang=en")
    assert "找算力" in text(client, "/offers?lang=zh")


@scenario
def display_words(app, client):
    change(app, billing="spot")
    assert "竞价（可中断）" in text(client, "/offers?lang=zh")
    assert "Spot (interruptible)" in text(client, "/offers?lang=en")


@scenario
def program_offer_ids(app, client):
    from tests.vouchers.conftest import hangzhou, load

    with app.app_context():
        load(hangzhou(code="h100s", rules=[{"when": {"gpu_model": ["h100-sxm"]}, "rate": "0.2"}]))
    assert api(client, "/api/v1/offers?program=h100s")["total"] == 1
    change(app, gpu_model="a100-80gb")  # the catalog changes: the rule no longer matches
    assert api(client, "/api/v1/offers?program=h100s")["total"] == 0
    with app.app_context():  # the programme changes, the catalog does not
        load(hangzhou(code="h100s", rules=[{"when": {"gpu_model": ["a100-80gb"]}, "rate": "0.2"}]))
    assert api(client, "/api/v1/offers?program=h100s")["total"] == 1


@pytest.mark.parametrize("cache", [c.name for c in caches.registered()])
def test_a_change_to_what_a_cache_holds_shows_on_the_next_request(live_app, cache):
    scenario = SCENARIOS.get(cache)
    assert scenario is not None, f"cache {cache!r} is registered without a scenario in this file"
    scenario(live_app, live_app.test_client())


def test_every_scenario_is_for_a_registered_cache():
    assert set(SCENARIOS) <= {c.name for c in caches.registered()}


def test_a_clock_may_not_keep_catalog_facts():
    with pytest.raises(ValueError, match="catalog version"):
        caches.register("prices-for-a-minute", __name__, holds="prices", key="offer id", bound="1",
                        invalidated_by=caches.Invalidation.TIME, catalog_facts=True)
    assert "prices-for-a-minute" not in {c.name for c in caches.registered()}


def test_the_cli_lists_every_cache(live_app):
    out = live_app.test_cli_runner().invoke(args=["caches"]).output
    for cache in caches.registered():
        assert f"{cache.name}  [{cache.invalidated_by}]" in out
    assert "home-summary  [catalog version]" in out
