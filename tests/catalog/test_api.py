"""GET /api/v1/offers, /offers/<id> and the OpenAPI document, as a client sees them."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from catalog.models import Offer
from catalog.registry import default_registries
from extensions import db


def all_ids(client, **params) -> tuple[int, set[int]]:
    body = client.get("/api/v1/offers", query_string={**params, "per_page": 100}).get_json()
    ids = {i["id"] for i in body["items"]}
    page = 2
    while len(ids) < body["total"]:
        more = client.get("/api/v1/offers", query_string={**params, "per_page": 100, "page": page}).get_json()
        ids |= {i["id"] for i in more["items"]}
        page += 1
    return body["total"], ids


def test_list_has_items_total_and_facets_that_add_up(client, seeded):
    body = client.get("/api/v1/offers", query_string={"kind": "gpu"}).get_json()
    assert body["total"] > 100 and len(body["items"]) == 20
    assert sum(body["facets"]["kind"].values()) == body["total"] == body["facets"]["kind"]["gpu"]
    assert sum(body["facets"]["vendor"].values()) == body["total"]
    prices = [float(i["unit_price"]) for i in body["items"]]
    assert prices == sorted(prices)


def test_ascend_finds_offers_written_in_chinese(client, seeded):
    _, found = all_ids(client, q="ascend 910b")
    ascend = set(db.session.scalars(select(Offer.id).where(Offer.gpu_model == "ascend-910b",
                                                           Offer.status == "active")))
    assert ascend and ascend <= found
    titles = [db.session.get(Offer, i).title for i in found]
    assert any("昇腾" in t and "ascend" not in t.lower() for t in titles)


def test_east_china_finds_hangzhou_and_shanghai(client, seeded):
    body = client.get("/api/v1/offers", query_string={"q": "华东"}).get_json()
    assert {"cn-hangzhou", "cn-shanghai"} <= set(body["facets"]["region"])
    assert "cn-beijing" not in body["facets"]["region"]


@pytest.mark.parametrize("typo, model", [("h10o", "h100"), ("a1oo", "a100")])
def test_typos_find_the_model(client, seeded, typo, model):
    typed = client.get("/api/v1/offers", query_string={"q": typo}).get_json()
    right = client.get("/api/v1/offers", query_string={"q": model}).get_json()
    assert typed["total"] == right["total"] > 0


def test_mixed_language_query_with_filters(client, seeded):
    body = client.get("/api/v1/offers", query_string={"q": "a100 80g 北京 包月"}).get_json()
    assert body["total"] >= 1
    for item in body["items"]:
        assert item["gpu_model"] == "a100-80gb" and item["region"] == "cn-beijing" and item["billing"] == "monthly"


def test_4090_does_not_match_4090d(client, seeded):
    _, found = all_ids(client, q="4090")
    models = {db.session.get(Offer, i).gpu_model for i in found}
    assert "rtx-4090" in models and "rtx-4090d" not in models


def test_l40s_does_not_match_l40(client, seeded):
    _, found = all_ids(client, q="l40s")
    assert {db.session.get(Offer, i).gpu_model for i in found} == {"l40s"}


def test_deepseek_cheap_sorts_by_price(client, seeded):
    body = client.get("/api/v1/offers", query_string={"q": "deepseek 便宜"}).get_json()
    assert body["total"] > 0
    assert all("deepseek" in i["model"] for i in body["items"])


@pytest.mark.parametrize("sort", ["unit_price", "-unit_price", "price_per_tflop_hour", "updated_at"])
def test_sorts(client, seeded, sort):
    items = client.get("/api/v1/offers", query_string={"kind": "gpu", "sort": sort, "per_page": 100}).get_json()["items"]
    if sort in ("unit_price", "-unit_price"):
        prices = [float(i["unit_price"]) for i in items]
        assert prices == sorted(prices, reverse=sort.startswith("-"))
    elif sort == "price_per_tflop_hour":
        values = [float(i["price_per_tflop_hour"]) for i in items if i["price_per_tflop_hour"]]
        assert values == sorted(values)
    else:
        stamps = [i["updated_at"] for i in items]
        assert stamps == sorted(stamps, reverse=True)


def test_filters(client, seeded):
    body = client.get("/api/v1/offers", query_string={
        "kind": "gpu", "region": "华东", "min_gpu_count": "8", "max_unit_price": "30", "min_unit_price": "1",
        "in_stock": "true", "per_page": 100}).get_json()
    assert body["total"] > 0
    for item in body["items"]:
        assert float(item["gpu_count"]) >= 8 and 1 <= float(item["unit_price"]) <= 30
        assert item["stock"] is None or item["stock"] > 0


@pytest.mark.parametrize("params", [
    {"kind": "tpu"}, {"per_page": "1000"}, {"page": "0"}, {"page": "x"}, {"sort": "price"},
    {"min_gpu_count": "-1"}, {"max_unit_price": "abc"}, {"max_unit_price": "NaN"}, {"gpu_model": "zz9999"},
    {"region": "atlantis"}, {"in_stock": "maybe"}, {"q": "x" * 300}, {"min_vcpus": "1e999999"},
])
def test_bad_parameters_are_400_json(client, params):
    response = client.get("/api/v1/offers", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_parameter"


@pytest.mark.parametrize("params", [{"duration_hours": "0"}, {"duration_hours": "8761"}, {"duration_hours": "a week"},
                                    {"sort": "effective_price"}, {"sort": "-effective_price"}])
def test_a_bad_duration_is_a_400_naming_duration_hours(client, params):
    response = client.get("/api/v1/offers", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_parameter" and "duration_hours" in error["message"]
    assert "duration_hours" in error["details"]


def test_duration_hours_prices_each_job_and_ranks_by_what_it_pays(client, seeded):
    body = client.get("/api/v1/offers", query_string={"kind": "gpu", "duration_hours": "72",
                                                      "per_page": 100}).get_json()
    jobs = [(i["billing"], i["job"]) for i in body["items"]]
    effective = [Decimal(job["effective_price"]) for _, job in jobs]
    assert effective == sorted(effective)
    for billing, job in jobs:
        assert job["hours"] == 72
        assert job["billed_hours"] == {"monthly": 730, "yearly": 8760}.get(billing, 72)
    reverse = client.get("/api/v1/offers", query_string={"kind": "gpu", "duration_hours": "72",
                                                         "sort": "-effective_price"}).get_json()["items"]
    assert Decimal(reverse[0]["job"]["effective_price"]) >= effective[-1]
    # Without it, no job is priced and the spec's default sort holds.
    plain = client.get("/api/v1/offers", query_string={"kind": "gpu"}).get_json()["items"]
    assert "job" not in plain[0]
    token = client.get("/api/v1/offers", query_string={"kind": "token", "duration_hours": "5"}).get_json()["items"]
    assert token and all(i["job"] is None for i in token)


def test_one_offer_with_history_and_404(client, seeded):
    oid = db.session.scalar(select(Offer.id).limit(1))
    body = client.get(f"/api/v1/offers/{oid}").get_json()
    assert body["id"] == oid and body["price_history"][0]["unit_price"]
    missing = client.get("/api/v1/offers/999999999")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_openapi_documents_every_api_path_and_parameter(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/offers", "/api/v1/offers/{offer_id}", "/api/v1/gpu-models", "/api/v1/regions",
                 "/api/v1/token-models", "/api/v1/fx-rates", "/api/v1/spec"):
        assert "get" in doc["paths"][path], path
    names = {p["name"] for p in doc["paths"]["/api/v1/offers"]["get"]["parameters"]}
    from catalog.offer_query import OfferQuerySchema

    assert names == set(OfferQuerySchema().fields)
    assert "OfferList" in doc["components"]["schemas"] and "Error" in doc["components"]["schemas"]


def test_docs_page_lists_operations(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "/api/v1/offers" in text and "max_unit_price" in text
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)  # no inline script (the shell's own file only)


def test_offers_filter_by_kind_and_gpu_model_sorted_by_price(client, seeded):
    body = client.get("/api/v1/offers?kind=gpu&gpu_model=A100 80G&sort=unit_price&per_page=100").get_json()
    assert body["total"] > 0 and body["page"] == 1 and body["per_page"] == 100
    prices = [float(o["unit_price"]) for o in body["items"]]
    assert prices == sorted(prices)
    assert {o["gpu_model"] for o in body["items"]} == {"a100-80gb"}
    offer = body["items"][0]
    assert isinstance(offer["unit_price"], str) and offer["currency"] == "CNY"
    assert set(offer["list_price"]) >= {"amount", "currency", "unit"}
    assert set(body["facets"]) >= {"kind", "gpu_model", "region", "vendor"}


def test_region_filter_takes_a_province_or_area(client, seeded):
    body = client.get("/api/v1/offers?region=浙江&per_page=100").get_json()
    assert body["total"] > 0
    assert {o["region"] for o in body["items"]} <= {"cn-zhejiang", "cn-hangzhou", "cn-jiaxing"}


def test_pagination_walks_the_whole_result(client, seeded):
    first = client.get("/api/v1/offers?kind=token&per_page=7").get_json()
    second = client.get("/api/v1/offers?kind=token&per_page=7&page=2").get_json()
    assert first["total"] == second["total"] > 14
    assert not {o["id"] for o in first["items"]} & {o["id"] for o in second["items"]}


def test_one_offer_with_its_price_history(client, seeded):
    some = client.get("/api/v1/offers?kind=token&per_page=1").get_json()["items"][0]
    body = client.get(f"/api/v1/offers/{some['id']}").get_json()
    assert body["id"] == some["id"] and body["input_price"] and body["output_price"]
    assert body["price_history"] and set(body["price_history"][0]) >= {"at", "unit_price"}


def test_registries_and_fx_rates(client):
    gpus = client.get("/api/v1/gpu-models").get_json()["items"]
    assert any(g["id"] == "h100-sxm" for g in gpus)
    regions = client.get("/api/v1/regions").get_json()["items"]
    assert any(r["id"] == "cn-hangzhou" and r["name_zh"] == "杭州" for r in regions)
    fx = client.get("/api/v1/fx-rates").get_json()
    assert fx["base"] == "CNY" and len(fx["as_of"]) == 10 and float(fx["rates"]["USD"]) > 1
    assert client.get("/api/v1/spec").get_json()["offer"]["properties"]["unit_price"]["type"] == "string"


def test_token_models_say_whether_each_is_filed_in_china(client):
    models = {m["id"]: m for m in client.get("/api/v1/token-models").get_json()["items"]}
    assert models["deepseek-v3"]["filed_model"] is True and models["qwen-max"]["filed_model"] is True
    assert models["gpt-4o"]["filed_model"] is False and models["claude-opus-4"]["filed_model"] is False
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["TokenModel"]
    assert schema["properties"]["filed_model"]["type"] == "boolean" and "filed_model" in schema["required"]


def test_token_list_facets_count_offers_per_model(client, seeded):
    body = client.get("/api/v1/offers", query_string={"kind": "token"}).get_json()
    models = body["facets"]["model"]
    assert {"kind", "gpu_model", "region", "vendor"} <= set(body["facets"])
    assert len(models) > 5 and sum(models.values()) == body["total"]
    one = next(iter(models))
    assert client.get("/api/v1/offers", query_string={"kind": "token", "model": one}).get_json()["total"] == models[one]
    # A GPU list has no token models to count.
    assert client.get("/api/v1/offers", query_string={"kind": "gpu"}).get_json()["facets"]["model"] == {}


def test_the_token_browse_page_shows_the_model_facet(client, seeded):
    counts = client.get("/api/v1/offers", query_string={"kind": "token"}).get_json()["facets"]["model"]
    top = next(iter(counts))
    name = default_registries().token_models.get(top).name
    for lang, title in (("zh", "模型"), ("en", "Model")):
        page = client.get(f"/offers?kind=token&lang={lang}").text
        facet = page[page.index(f'<section class="facet" aria-label="{title}">'):]
        facet = facet[:facet.index("</section>")]
        assert f"model={top}" in facet and name in facet and f'<span class="count">{counts[top]}</span>' in facet
    gpu_page = client.get("/offers?kind=gpu&lang=en").text
    assert '<section class="facet" aria-label="Model">' not in gpu_page


@pytest.mark.parametrize("query", [
    "kind=fpga", "sort=cheapest", "page=0", "page=abc", "per_page=101", "per_page=-1", "max_unit_price=abc",
    "max_unit_price=NaN", "min_gpu_count=-2", "gpu_model=A1000", "region=火星", "billing=按揭",
])
def test_bad_parameters_get_a_json_400(client, query):
    response = client.get(f"/api/v1/offers?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] and error["message"]


def test_a_missing_offer_is_a_json_404(client):
    response = client.get("/api/v1/offers/999999")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_4090_hangzhou_finds_the_hangzhou_4090s(client, seeded):
    body = client.get("/api/v1/offers?q=4090 杭州&per_page=100").get_json()
    assert body["total"] >= 3
    assert {(o["gpu_model"], o["region"]) for o in body["items"]} == {("rtx-4090", "cn-hangzhou")}


def test_gpu_models_say_whether_each_is_a_domestic_chip(client):
    models = {m["id"]: m for m in client.get("/api/v1/gpu-models").get_json()["items"]}
    assert models["ascend-910b"]["domestic_chip"] is True and models["mlu370-x8"]["domestic_chip"] is True
    assert models["h100-sxm"]["domestic_chip"] is False and models["mi300x"]["domestic_chip"] is False
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["GpuModel"]
    assert schema["properties"]["domestic_chip"]["type"] == "boolean"
