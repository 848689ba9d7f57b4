"""POST /api/v1/plan: JSON in, ranked JSON out with decimal strings; bad input is a 400, never a 500."""

import pytest


def test_plan_json(client, catalog):
    response = client.post("/api/v1/plan", json={"gpu_model": "H100", "count": 8, "hours": 72})
    assert response.status_code == 200
    body = response.get_json()
    first = body["items"][0]
    assert first["total"] == "9861.12" and isinstance(first["total"], str)
    assert first["arithmetic"] == {"zh": "8 卡 × 72 小时 × ¥17.12/卡时 = ¥9,861.12",
                                   "en": "8 cards × 72 h × ¥17.12/card-hour = ¥9,861.12"}
    assert first["per_pflops_hour"] == "17.3104" and first["precision"] == "bf16"
    assert first["stock_covers"] is True
    assert {e["offer_id"] for e in body["excluded"]} == {catalog["h100_node_year"].id, catalog["h100_spot"].id}
    assert any("730" in a["en"] for a in body["assumptions"])


def test_plan_json_speaks_both_languages_from_the_catalogs(client, catalog):
    # One card for 10 h on the single-card H100: 1 × 10 × ¥17.12 = ¥171.20
    body = client.post("/api/v1/plan?lang=en", json={"gpu_model": "H100", "count": 1, "hours": 10}).get_json()
    first = body["items"][0]
    assert first["arithmetic"] == {"zh": "1 卡 × 10 小时 × ¥17.12/卡时 = ¥171.20",
                                   "en": "1 card × 10 h × ¥17.12/card-hour = ¥171.20"}
    assert {"zh": "任务：1 卡 × 10 小时", "en": "job: 1 card × 10 h"} in body["assumptions"]
    reasons = [e["reason"] for e in body["excluded"]]
    assert {"zh": "竞价实例可能被中断，本次未允许竞价",
            "en": "spot capacity can be interrupted; spot was not allowed"} in reasons
    for pair in [first["arithmetic"], *first["assumptions"], *body["assumptions"], *reasons]:
        assert set(pair) == {"zh", "en"} and pair["zh"] != pair["en"], pair


def test_plan_json_tokens(client, catalog):
    body = client.post("/api/v1/plan", json={"kind": "token", "input_tokens": 1_000_000,
                                             "output_tokens": 1_000_000}).get_json()
    # ds: 1 × 2 + 1 × 3 = ¥5.00; 2M / 5 = 400,000 tokens per yuan
    assert body["items"][0]["total"] == "5.00" and body["items"][0]["tokens_per_yuan"] == "400000"
    assert body["period"] == "month"


@pytest.mark.parametrize("body,field", [
    ({"count": 8, "hours": 72}, "gpu_model"),
    ({"gpu_model": "H100", "count": "eight", "hours": 72}, "count"),
    ({"gpu_model": "H100", "count": 8, "hours": -1}, "hours"),
    ({"gpu_model": "H100", "count": 8, "hours": 72, "regions": ["Atlantis"]}, "regions"),
    ({"gpu_model": "Z9000", "count": 8, "hours": 72}, "gpu_model"),
    ({"kind": "token"}, "input_tokens"),
    ({"kind": "token", "input_tokens": 0, "output_tokens": 0}, "input_tokens"),
    ({"kind": "token", "input_tokens": 5, "cache_hit_share": 2}, "cache_hit_share"),
    ({"kind": "rocket", "count": 1, "hours": 1}, "kind"),
    ({"gpu_model": "H100", "count": 8, "hours": 72, "colour": "red"}, "colour"),
])
def test_bad_input_is_a_400_naming_the_field(client, catalog, body, field):
    response = client.post("/api/v1/plan", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_parameter" and field in error["details"]


def test_not_json_is_a_400(client):
    response = client.post("/api/v1/plan", data="count=8", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_json"


def test_plan_works_with_csrf_on(app, client, catalog):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/api/v1/plan", json={"gpu_model": "H100", "count": 1, "hours": 1})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 200


def test_openapi_documents_the_planner(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    post = doc["paths"]["/api/v1/plan"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/PlanRequest"
    assert set(post["responses"]) >= {"200", "400"}
    schemas = doc["components"]["schemas"]
    assert {"PlanRequest", "Plan", "PlanItem", "PlanError"} <= set(schemas)
    assert "hours" in schemas["PlanRequest"]["properties"]
    assert schemas["PlanItem"]["properties"]["total"]["type"] == "string"


@pytest.mark.parametrize("body,field", [
    # Each passed validation and ended in decimal.InvalidOperation: an internal_error 500.
    ({"gpu_model": "H100", "count": "1e-999999", "hours": 72}, "count"),
    ({"gpu_model": "H100", "count": 8, "hours": "1e-999999"}, "hours"),
    ({"gpu_model": "H100", "count": "1e-30", "hours": 1}, "count"),
    ({"kind": "cpu", "count": 4, "hours": "1e-30"}, "hours"),
    ({"kind": "token", "input_tokens": "1e-999999", "output_tokens": 1}, "input_tokens"),
    ({"kind": "token", "daily_active_users": 10**15, "requests_per_user": 10**6,
      "input_tokens_per_request": 10**7, "output_tokens_per_request": 10**7}, "daily_active_users"),
    ({"kind": "token", "daily_active_users": 10**9, "requests_per_user": 10**3,
      "input_tokens_per_request": 1, "output_tokens_per_request": 10**4}, "daily_active_users"),
])
def test_numbers_the_planner_cannot_compute_are_a_clear_400(client, catalog, body, field):
    response = client.post("/api/v1/plan?lang=en", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "bad_parameter" and field in error["details"]
    message = " ".join(error["details"][field])
    assert any(words in message for words in ("decimal places", "at most", "more than", "not a token count"))


def test_the_largest_accepted_token_workload_is_planned(client, catalog):
    body = {"kind": "token", "daily_active_users": 10**6, "requests_per_user": 1000,
            "input_tokens_per_request": "33333.3333", "output_tokens_per_request": 1, "days_per_month": 30}
    response = client.post("/api/v1/plan", json=body)
    assert response.status_code == 200 and response.get_json()["items"]


def test_the_finest_accepted_job_is_planned(client, catalog):
    response = client.post("/api/v1/plan", json={"gpu_model": "H100", "count": "0.0001", "hours": "0.0001"})
    assert response.status_code == 200 and response.get_json()["items"]


def test_deeply_nested_json_is_a_400_not_a_recursion_error(client):
    body = "[" * 5000 + "]" * 5000
    response = client.post("/api/v1/plan", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_json"
    nested = '{"kind": "token", "regions": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post("/api/v1/plan", data=nested, content_type="application/json")
    assert response.status_code == 400
