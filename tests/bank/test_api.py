"""POST /api/v1/schedule (spec §8): the cheapest schedule, its baseline and saving; bad input named."""

import pytest

from tests.bank.conftest import job


def test_the_west_at_night_beats_the_east_at_once(client, bank, day):
    first, second = day
    body = client.post("/api/v1/schedule", json=job(day)).get_json()
    # west, 22:00-04:00 at the half price: 8 cards × 6 h × ¥6 = ¥288
    assert body["feasible"] is True
    assert body["blocks"] == [{"offer_id": bank["west"].id, "vendor": "西部算力", "region": "cn-chengdu",
                               "start": f"{first}T22:00:00+08:00", "end": f"{second}T04:00:00+08:00",
                               "cards": 8, "cost": "288.00"}]
    assert (body["total"], body["card_hours"]) == ("288.00", 48)
    # baseline: at 08:00 the east is cheapest, 8 × 6 × ¥10 = ¥480
    assert body["baseline"]["total"] == "480.00"
    assert body["baseline"]["blocks"][0]["offer_id"] == bank["east"].id
    assert body["baseline"]["blocks"][0]["start"] == f"{first}T08:00:00+08:00"
    assert body["savings"] == "192.00"


def test_regions_take_areas_and_the_west(client, bank, day):
    east = client.post("/api/v1/schedule", json=job(day, regions=["华东"])).get_json()
    assert [b["offer_id"] for b in east["blocks"]] == [bank["east"].id] and east["total"] == "480.00"
    west = client.post("/api/v1/schedule", json=job(day, regions=["西部"])).get_json()
    assert [b["offer_id"] for b in west["blocks"]] == [bank["west"].id]


def test_a_price_cap_and_a_split_job(client, bank, day):
    capped = client.post("/api/v1/schedule", json=job(day, max_unit_price="5")).get_json()
    assert capped == {"feasible": False, "total": None, "card_hours": 0, "blocks": [],
                      "baseline": None, "savings": None}
    # 10 hours in blocks of at least 4: the 8 night hours on the west (8 × ¥6 = ¥48 an hour) leave 2 hours,
    # too short for a block; one west block 20:00-06:00 (2 × ¥96 + 8 × ¥48 = ¥576) beats the west night
    # 6 h + 4 h east (¥288 + ¥320 = ¥608) and 10 h east (¥800); 22:00-08:00 costs the same but ends later.
    first, second = day
    split = client.post("/api/v1/schedule", json=job(day, hours=10, splittable=True, min_block_hours=4)).get_json()
    assert split["total"] == "576.00"
    assert [(b["start"], b["end"]) for b in split["blocks"]] == [(f"{first}T20:00:00+08:00",
                                                                  f"{second}T06:00:00+08:00")]


def test_unknown_stock_of_no_machines_left_is_not_scheduled(client, bank, day):
    bank["west"].stock = 0
    from extensions import db

    db.session.commit()
    body = client.post("/api/v1/schedule", json=job(day)).get_json()
    assert [b["offer_id"] for b in body["blocks"]] == [bank["east"].id]


def _deep(n):
    return "[" * n + "]" * n


@pytest.mark.parametrize("change, field", [
    ({"deadline": "2020-01-01T00:00:00+08:00"}, "deadline"),
    ({"hours": 0}, "hours"),
    ({"hours": 25}, "hours"),
    ({"gpu_model": "zz-9000"}, "gpu_model"),
    ({"gpu_model": None}, "gpu_model"),
    ({"regions": ["atlantis"]}, "regions"),
    ({"regions": "华东"}, "regions"),
    ({"cards": 10**9}, "cards"),
    ({"cards": "8"}, "cards"),
    ({"cards": 8.5}, "cards"),
    ({"splittable": "maybe"}, "splittable"),
    ({"min_block_hours": 7}, "min_block_hours"),
    ({"earliest_start": "tomorrow"}, "earliest_start"),
    ({"max_unit_price": "cheap"}, "max_unit_price"),
])
def test_bad_input_is_a_400_naming_the_field(client, bank, day, change, field):
    response = client.post("/api/v1/schedule", json=job(day, **change))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_parameter" and field in error["details"]


@pytest.mark.parametrize("body", ["not json", _deep(100_000), "[1, 2]"])
def test_a_body_that_is_not_a_json_object_is_a_400(client, body):
    response = client.post("/api/v1/schedule", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_json"


def test_the_operation_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "post" in doc["paths"]["/api/v1/schedule"]
    assert "ScheduleRequest" in doc["components"]["schemas"]


def test_a_minimum_memory_instead_of_a_model(client, bank, day):
    found = client.post("/api/v1/schedule", json=job(day, gpu_model=None, min_gpu_memory_gb=80)).get_json()
    assert found["total"] == "288.00"
    none = client.post("/api/v1/schedule", json=job(day, gpu_model=None, min_gpu_memory_gb=141)).get_json()
    assert none["feasible"] is False
