"""From every place that names an offer: one click to the offer, one to buy it with the plan's numbers (C1)."""

import re
from decimal import Decimal as D
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from catalog.models import Offer, Vendor
from extensions import db


def _offer(sku, *, gpu_count="1", billing="on_demand", price="10", list_amount=None, list_unit="hour", stock=None,
           kind="gpu", **extra):
    vendor = db.session.scalar(db.select(Vendor).where(Vendor.slug == "linkcloud"))
    if vendor is None:
        vendor = Vendor(slug="linkcloud", name_zh="链接云", name_en="Link Cloud")
        db.session.add(vendor)
        db.session.flush()
    offer = Offer(vendor_id=vendor.id, sku=sku, kind=kind, title=f"offer {sku}", billing=billing, stock=stock,
                  list_amount=D(list_amount or price), list_currency="CNY", list_unit=list_unit, unit_price=D(price),
                  gpu_model="h100-sxm" if kind == "gpu" else None, gpu_count=D(gpu_count) if kind == "gpu" else None,
                  gpu_memory_gb=D(80) if kind == "gpu" else None, region="cn-hangzhou", **extra)
    db.session.add(offer)
    db.session.commit()
    return offer.id


def _buy_links(page: str) -> dict[int, dict[str, list[str]]]:
    links = {}
    for href in re.findall(r'href="(/cart/add/\d+[^"]*)"', page):
        url = urlsplit(unescape(href))
        links[int(url.path.rsplit("/", 1)[1])] = parse_qs(url.query)
    return links


def test_planner_rows_link_to_the_offer_and_to_buy_it_with_instances_and_hours(client):
    one_card = _offer("h100-1")
    eight_cards = _offer("h100-8", gpu_count="8", price="12")
    monthly = _offer("h100-8-month", gpu_count="8", billing="monthly", price="15", list_amount="87600",
                     list_unit="month")
    page = client.get("/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72").get_data(as_text=True)
    links = _buy_links(page)
    assert links[one_card] == {"instances": ["8"], "hours": ["72"]}  # 8 cards on a 1-card offer
    assert links[eight_cards] == {"instances": ["1"], "hours": ["72"]}  # on an 8-card offer
    assert links[monthly] == {"instances": ["1"], "terms": ["1"]}  # 72 h on a monthly machine pays a month
    for offer_id in (one_card, eight_cards, monthly):
        assert f'href="/offers/{offer_id}"' in page


def test_fractional_hours_and_cards_round_up_to_whole_ones(client):
    half_card = _offer("h100-half", gpu_count="0.5")
    links = _buy_links(client.get("/plan?kind=gpu&gpu_model=h100-sxm&count=3&hours=10.5").get_data(as_text=True))
    assert links[half_card] == {"instances": ["6"], "hours": ["11"]}


def test_cpu_rows_buy_whole_instances_of_cores(client):
    four_cores = _offer("c4", kind="cpu", price="0.2", vcpus=D(4), ram_gb=D(16))
    links = _buy_links(client.get("/plan?kind=cpu&count=10&hours=24").get_data(as_text=True))
    assert links[four_cores] == {"instances": ["3"], "hours": ["24"]}  # ⌈10 cores ÷ 4 per instance⌉


def test_token_rows_buy_a_months_tokens_in_packs(client):
    tok = _offer("tok", kind="token", price="3", list_unit="1m_tokens", model="deepseek-v3.2",
                 input_price=D(2), output_price=D(8))
    page = client.get("/plan?kind=token&input_tokens=2500000&output_tokens=600000").get_data(as_text=True)
    assert _buy_links(page)[tok] == {"packs": ["4"]}  # 3.1M tokens a month → 4 packs of 1M


def test_compare_columns_market_tables_and_home_link_to_offer_and_buy(client):
    a, b = _offer("h100-a", billing="spot"), _offer("h100-b", price="9")  # the market keeps one per billing term
    compare = client.get(f"/compare?ids={a},{b}").get_data(as_text=True)
    market = client.get("/market/gpu/h100-sxm").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    for page in (compare, market):
        assert set(_buy_links(page)) == {a, b}
        assert f'href="/offers/{a}"' in page and f'href="/offers/{b}"' in page
    assert b in _buy_links(home) and f'href="/offers/{b}"' in home


def test_a_delisted_offer_in_a_comparison_has_no_buy_link(client):
    gone = _offer("h100-gone", status="delisted")
    live = _offer("h100-live")
    links = _buy_links(client.get(f"/compare?ids={gone},{live}").get_data(as_text=True))
    assert gone not in links and live in links


@pytest.mark.parametrize("lang,word", [("zh", "购买"), ("en", "Buy")])
def test_the_buy_button_speaks_the_page_language(client, lang, word):
    _offer("h100-w")
    page = client.get(f"/plan?kind=gpu&gpu_model=h100-sxm&count=1&hours=1&lang={lang}").get_data(as_text=True)
    assert re.search(rf'class="btn buy"[^>]*>{word}</a>', page)
