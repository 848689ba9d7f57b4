"""Browse and GET /api/v1/offers with `program=<code>`: only the offers a programme pays for today, each
with its price after the voucher; the snapshot path and the SQL path agree."""

import html
import re

import pytest

from catalog.offer_query import OfferQuerySchema, search_offers, sql_search
from catalog.program_scope import program_scope
from catalog.registry import default_registries
from extensions import db
from tests.catalog.factories import gpu_offer, token_offer
from tests.vouchers.conftest import hangzhou, load

BEIJING = {"code": "bj", "vendors": ["aliyun"], "name": {"zh": "北京算力券", "en": "Beijing vouchers"},
           "platform_rate": "0", "rules": [{"when": {"kind": ["gpu", "token"]}, "rate": "0.20"}]}
ZHEJIANG = {"code": "zj", "offer_regions": ["cn-zhejiang"], "name": {"zh": "浙江算力券", "en": "Zhejiang vouchers"},
            "platform_rate": "0", "rules": [{"when": {"kind": ["gpu"]}, "rate": "0.25"}]}
EXPIRED = {"code": "old", "valid_from": "2020-01-01", "valid_to": "2020-12-31",
           "name": {"zh": "旧算力券", "en": "Old vouchers"}}


@pytest.fixture()
def offers(app):
    made = {
        "ascend": gpu_offer("9.50", "ascend-910b", vendor_slug="autodl", region="cn-hangzhou"),
        "h100": gpu_offer("21.33", "h100-sxm", vendor_slug="autodl", region="cn-hangzhou"),
        "h100-bj": gpu_offer("20.00", "h100-sxm", vendor_slug="aliyun", region="cn-beijing"),
        "4090-jx": gpu_offer("1.90", "rtx-4090", vendor_slug="aliyun", region="cn-jiaxing"),
        "gone": gpu_offer("5.00", "ascend-910b", vendor_slug="autodl", status="delisted"),
        "gpt": token_offer(),
    }
    db.session.commit()
    load(hangzhou(), hangzhou(**BEIJING), hangzhou(**ZHEJIANG), hangzhou(**EXPIRED))
    return {name: o.id for name, o in made.items()}


def names(offers: dict, ids) -> list[str]:
    by_id = {i: name for name, i in offers.items()}
    return sorted(by_id[i] for i in ids)


def both_paths(params: dict) -> list[int]:
    loaded, _program = program_scope(db.session, OfferQuerySchema().load(params), default_registries())
    fast = search_offers(db.session, loaded, default_registries())
    slow = sql_search(db.session, loaded, default_registries())
    assert [o.id for o in fast.items] == [o.id for o in slow.items] and fast.facets == slow.facets
    assert fast.total == slow.total == len(fast.items)
    return [o.id for o in fast.items]


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def test_both_paths_keep_exactly_the_offers_each_programme_pays_for(offers):
    assert names(offers, both_paths({"program": "hz-2026"})) == ["4090-jx", "ascend", "gpt", "h100", "h100-bj"]
    assert names(offers, both_paths({"program": "bj"})) == ["4090-jx", "h100-bj"]  # its vendor list
    assert names(offers, both_paths({"program": "zj"})) == ["4090-jx", "ascend", "h100"]  # Zhejiang's regions, GPUs
    assert names(offers, both_paths({"program": "zj", "vendor": "aliyun"})) == ["4090-jx"]  # with another filter
    assert both_paths({"program": "old"}) == []  # not in force today


def test_the_api_gives_each_offer_its_rate_and_price_after_the_voucher(client, offers):
    body = client.get("/api/v1/offers", query_string={"program": "hz-2026", "kind": "gpu"}).get_json()
    vouchers = {names(offers, [i["id"]])[0]: i["voucher"] for i in body["items"]}
    # Hangzhou: a domestic chip 30%, any other GPU 20%, the platform 5% on top.
    # ¥9.50 × (1 − 0.30 − 0.05) = ¥6.175; ¥21.33 × (1 − 0.20 − 0.05) = ¥15.9975
    assert vouchers["ascend"] == {"program": "hz-2026", "rate": "0.3", "platform_rate": "0.05",
                                  "unit_price_after": "6.175"}
    assert vouchers["h100"]["rate"] == "0.2" and vouchers["h100"]["unit_price_after"] == "15.9975"
    assert body["program"]["in_force"] is True and body["program"]["before_company_limits"] is True
    bj = client.get("/api/v1/offers?program=bj").get_json()
    assert names(offers, [i["id"] for i in bj["items"]]) == ["4090-jx", "h100-bj"]
    assert {i["voucher"]["unit_price_after"] for i in bj["items"]} == {"1.52", "16"}  # 1.90 × 0.8, 20.00 × 0.8
    plain = client.get("/api/v1/offers").get_json()
    assert "program" not in plain and all("voucher" not in i for i in plain["items"])


def test_an_expired_programme_finds_nothing_and_says_so(client, offers):
    body = client.get("/api/v1/offers?program=old").get_json()
    assert body["total"] == 0 and body["items"] == [] and body["program"]["in_force"] is False
    zh = client.get("/offers?program=old&lang=zh")
    assert zh.status_code == 200 and "「旧算力券」今天不在有效期内，没有符合条件的报价。" in text(zh)
    assert "Old vouchers is not in force today: no offer qualifies." in text(client.get("/offers?program=old&lang=en"))


def test_an_unknown_programme_is_a_400_naming_program(client, offers):
    response = client.get("/api/v1/offers?program=nope")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_parameter" and "program" in error["details"] and "nope" in error["message"]
    page = client.get("/offers?program=nope&lang=en")
    assert page.status_code == 400 and "Compute voucher" in text(page) and "no voucher programme 'nope'" in text(page)


def test_the_openapi_document_names_the_filter(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/offers"]["get"]["parameters"]}
    assert "voucher programme" in params["program"]["description"]
    assert "voucher" in spec["components"]["schemas"]["Offer"]["properties"]


def test_the_browse_page_shows_the_price_after_the_voucher_and_lets_the_filter_go(client, offers):
    zh = client.get("/offers?program=hz-2026&kind=gpu&lang=zh")
    assert zh.status_code == 200 and zh.headers["Cache-Control"] == "no-store"
    page = text(zh)
    # ¥9.50 × 0.65 = ¥6.175, shown to the fen; the subsidy is "up to": a company's cap may lower it.
    assert "券后 ¥6.18 / 卡时 · 最高补贴 30%" in page and "券后 ¥16.00 / 卡时 · 最高补贴 20%" in page
    assert "贵公司的年度上限" in page and "算力券: 杭州市算力券（2026，示例）" in page
    assert '<option value="hz-2026" selected>' in zh.text and '<option value="old"' not in zh.text  # only in force
    assert 'href="/offers?kind=gpu"' in zh.text  # the chip that removes it
    en = text(client.get("/offers?program=hz-2026&kind=gpu&lang=en"))
    assert "After voucher ¥6.18 / card-hour · up to 30% subsidy" in en
    plain = client.get("/offers?kind=gpu&lang=en")
    assert "After voucher" not in text(plain) and 'name="program"' in plain.text
    exported = client.get("/offers.csv?program=bj").get_data(as_text=True).splitlines()
    assert len(exported) == 3  # the header and the two offers of the programme's vendor
    assert client.get("/offers.csv?program=nope").status_code == 400


def plan_rows(response) -> dict[int, str]:
    """Each planner row's text, by offer id."""
    rows = re.findall(r'<tr[^>]*data-offer-id="(\d+)"[^>]*>(.*?)</tr>', response.get_data(as_text=True), re.S)
    return {int(i): re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", row))) for i, row in rows}


def test_the_planner_shows_each_total_after_the_voucher_before_the_company_cap(client, offers):
    # A programme whose company cap (¥100) the job would pass: the planner does not apply it.
    load(hangzhou(code="hz-small-cap", cap_per_company_per_year="100"))
    job = "/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72"
    for code in ("hz-2026", "hz-small-cap"):
        response = client.get(f"{job}&program={code}&lang=en")
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        rows = plan_rows(response)
        # 8 cards × 72 h × ¥21.33 = ¥12,286.08; not a domestic chip: government 20% = ¥2,457.216,
        # rounded down to ¥2,457.21; platform 5% = ¥614.304 → ¥614.30;
        # company ¥12,286.08 − ¥2,457.21 − ¥614.30 = ¥9,214.57.
        assert "¥12,286.08" in rows[offers["h100"]]
        assert "¥9,214.57 ¥12,286.08 − government 20% ¥2,457.21 − platform ¥614.30" in rows[offers["h100"]]
        # 8 × 72 × ¥20.00 = ¥11,520.00 − 20% ¥2,304.00 − 5% ¥576.00 = ¥8,640.00
        assert "¥8,640.00" in rows[offers["h100-bj"]]
        assert "before your company's cap" in text(response)
    zh = client.get("/plan?kind=gpu&gpu_model=ascend-910b&count=8&hours=72&program=hz-2026&lang=zh")
    # A domestic chip: 8 × 72 × ¥9.50 = ¥5,472.00 − 30% ¥1,641.60 − 5% ¥273.60 = ¥3,556.80
    assert "¥3,556.80 ¥5,472.00 − 政府补贴 30% ¥1,641.60 − 平台让利 ¥273.60" in plan_rows(zh)[offers["ascend"]]
    assert "未计入贵公司的年度上限" in text(zh)


def test_the_planner_says_which_options_a_programme_leaves_out_and_names_a_bad_code(client, offers):
    rows = plan_rows(client.get("/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72&program=bj&lang=en"))
    assert "not covered" in rows[offers["h100"]] and "¥9,216.00" in rows[offers["h100-bj"]]  # 11,520 × 0.8
    old = text(client.get("/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72&program=old&lang=en"))
    assert "Old vouchers is not in force today: no option qualifies." in old
    bad = client.get("/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72&program=nope&lang=en")
    assert bad.status_code == 200 and "No voucher programme has the code nope." in text(bad)
    plain = client.get("/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=72&lang=en")
    assert "After voucher" not in text(plain) and 'name="program"' in plain.text


def test_the_kept_offer_ids_follow_the_catalog_and_the_programme(client, offers):
    def bj() -> list[str]:
        body = client.get("/api/v1/offers?program=bj").get_json()
        return sorted(names({**offers, "new": new_id}, [i["id"] for i in body["items"]]))

    new_id = -1
    assert bj() == ["4090-jx", "h100-bj"]
    new = gpu_offer("3.00", "rtx-4090", vendor_slug="aliyun", region="cn-shanghai")
    db.session.commit()
    new_id = new.id
    assert bj() == ["4090-jx", "h100-bj", "new"]  # a catalog change
    load(hangzhou(**{**BEIJING, "vendors": ["autodl"]}))  # a programme change, the catalog as it was
    assert bj() == ["ascend", "h100"]
