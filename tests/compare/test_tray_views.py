"""The compare tray as a buyer uses it: add from every page that lists offers, see it in the header on
every page, a seventh refused with the limit said, remove and clear, the comparison read from it."""

import re

import pytest

from app import create_app
from tests.app_support import TEST_CONFIG

ADD = "/compare/tray/add"
HERE = {"Origin": "http://localhost"}


def post(client, url, data, headers=None):
    return client.post(url, data=data, headers={**HERE, **(headers or {})})


def header_count(html: str) -> int:
    return int(re.search(r'class="tray-count">\((\d+)\)<', html).group(1))


def add(client, *ids, **extra):
    return post(client, ADD, {"ids": [str(i) for i in ids], "next": "/offers", **extra})


def test_the_tray_survives_searches_and_pages(client, catalog):
    assert header_count(client.get("/").get_data(as_text=True)) == 0
    add(client, catalog["h100_card"].id)
    add(client, catalog["a100_40"].id)
    for url in ("/offers?q=H100", "/offers?page=2", f"/offers/{catalog['ds'].id}", "/plan", "/market"):
        html = client.get(url).get_data(as_text=True)
        assert header_count(html) == 2, url
        assert "H100 单卡 按量" in html and "A100 40G" in html, url  # the list in the header
    compare = client.get("/compare").get_data(as_text=True)
    assert compare.count('class="offer-col"') == 2


def test_a_seventh_is_refused_with_the_limit_and_nothing_dropped(client, catalog):
    ids = [o.id for o in catalog.values()][:7]
    for offer_id in ids[:6]:
        assert add(client, offer_id).status_code == 303
    answer = add(client, ids[6])
    assert answer.status_code == 303 and answer.headers["Location"] == "/offers"
    html = client.get("/offers").get_data(as_text=True)
    assert "最多可对比 6 个报价" in html  # the flash says the limit
    assert header_count(html) == 6
    compare = client.get("/compare").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<div class="offer-head">#(\d+) ', compare)] == ids[:6]


def test_ticking_more_than_fit_adds_none(client, catalog):
    ids = [o.id for o in catalog.values()]
    answer = post(client, ADD, {"ids": [str(i) for i in ids[:7]], "next": "/compare"},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "tray_full" and "6" in answer.json["error"]["message"]
    assert answer.json["count"] == 0


def test_remove_and_clear(client, catalog):
    add(client, catalog["h100_card"].id, catalog["a100_40"].id, catalog["cpu_small"].id)
    post(client, "/compare/tray/remove", {"ids": str(catalog["a100_40"].id), "next": "/compare"})
    compare = client.get("/compare").get_data(as_text=True)
    assert header_count(compare) == 2 and "A100 40G" not in compare
    assert 'action="/compare/tray/remove"' in compare  # the page's own Remove works on the tray
    post(client, "/compare/tray/clear", {"next": "/"})
    assert header_count(client.get("/").get_data(as_text=True)) == 0
    assert "还没有可对比的报价" in client.get("/compare").get_data(as_text=True)


def test_in_place_add_answers_the_new_header(client, catalog):
    answer = post(client, ADD, {"ids": str(catalog["ds"].id)}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.json["count"] == 1
    assert "(1)" in answer.json["html"] and "DeepSeek V3.2" in answer.json["html"]
    assert "已加入对比" in answer.json["message"]


@pytest.mark.parametrize("data", [{"ids": "abc"}, {"ids": "-1"}, {"ids": "9" * 40}, {}])
def test_bad_or_empty_input_is_a_4xx_not_a_500(client, catalog, data):
    assert post(client, ADD, data).status_code in (303, 400)
    assert post(client, ADD, data, headers={"Accept": "application/json"}).status_code == 400


def test_an_unknown_offer_is_said(client, catalog):
    answer = post(client, ADD, {"ids": "999999"}, headers={"Accept": "application/json"})
    assert answer.status_code == 404 and "999999" in answer.json["error"]["message"]


def _forms(html: str) -> list[str]:
    return re.findall(r'<form[^>]*action="/compare/tray/add".*?</form>', html, re.S)


def test_every_list_of_offers_can_add(client, catalog):
    """The offer page, market pages and the token table carry a form per offer; browse and the planner
    one form their ticked rows post to."""
    h100, ds = catalog["h100_card"].id, catalog["ds"].id
    for url, offer_id in ((f"/offers/{h100}", h100), ("/market/gpu/h100-sxm", h100),
                          ("/market/token/deepseek-v3.2", ds), ("/market/tokens/compare", ds)):
        forms = _forms(client.get(url).get_data(as_text=True))
        assert any(f'name="ids" value="{offer_id}"' in f for f in forms), url
    browse = client.get("/offers").get_data(as_text=True)
    assert _forms(browse) and f'name="ids" value="{h100}" form="compare-form"' in browse
    plan = client.get("/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72").get_data(as_text=True)
    assert _forms(plan) and 'name="ids" value=' in _forms(plan)[0]
    # What a ticked browse row posts lands in the tray and opens the comparison.
    answer = post(client, ADD, {"ids": [str(h100), str(ds)], "next": "/compare"})
    assert answer.headers["Location"] == "/compare"
    assert client.get("/compare").get_data(as_text=True).count('class="offer-col"') == 2


def test_price_rows_come_first(client, catalog):
    add(client, catalog["h100_card"].id, catalog["a100_40"].id)
    rows = re.findall(r'data-row="([a-z_0-9]+)"', client.get("/compare").get_data(as_text=True))
    assert rows.index("unit_price") < rows.index("gpu_model") and rows.index("list_price") < rows.index("region")


def test_a_form_from_another_site_is_refused(client, catalog):
    data = {"ids": str(catalog["ds"].id)}
    assert client.post(ADD, data=data).status_code == 400  # neither Origin nor Referer
    assert client.post(ADD, data=data, headers={"Origin": "https://evil.example"}).status_code == 400
    assert client.post(ADD, data=data, headers={"Referer": "https://evil.example/x"}).status_code == 400
    assert header_count(client.get("/").get_data(as_text=True)) == 0
    assert client.post(ADD, data=data, headers={"Referer": "http://localhost/offers"}).status_code == 303


def test_pages_with_add_buttons_stay_cacheable_with_csrf_on(tmp_path):
    """No session token in the forms: an anonymous visitor gets no cookie, so the page cache keeps the page."""
    app = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'csrf.db'}",
                      "SEARCH_INDEX_DIR": str(tmp_path / "index")})
    from extensions import db
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for url in ("/", "/offers", "/market/tokens/compare", "/compare"):
        answer = client.get(url)
        assert answer.status_code == 200 and "Set-Cookie" not in answer.headers, url
    assert client.post("/compare/tray/clear", data={"next": "/"}, headers=HERE).status_code == 303
