"""The read-only JSON API of spec section 5: shapes, filters, decimals as strings, 4xx for bad input."""

import pytest

from offers.cli import seed_catalog


@pytest.fixture()
def seeded(app):
    seed_catalog()


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
