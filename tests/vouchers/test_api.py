"""POST /api/v1/quote and GET /api/v1/voucher-programs (spec §7), as an outside tool calls them."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions import db
from tests.catalog.factories import gpu_offer, token_offer
from tests.vouchers.conftest import hangzhou, load


def post(client, body):
    return client.post("/api/v1/quote", json=body)


def test_a_quote_splits_the_order_between_government_platform_and_company(client, hz, order):
    ascend, h100 = order
    response = post(client, {"lines": [{"offer_id": ascend.id, "quantity": "576"},
                                       {"offer_id": h100.id, "quantity": 100}], "program": hz})
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert {k: body[k] for k in ("currency", "total", "government", "platform", "company", "capped_by")} == {
        "currency": "CNY", "total": "7605.00", "government": "2068.20", "platform": "380.25", "company": "5156.55",
        "capped_by": None}
    first, second = body["lines"]
    assert first == {"offer_id": ascend.id, "quantity": "576", "purchase_unit": "card_hour", "total": "5472.00",
                     "eligible": "5472.00", "rate": "0.30", "government": "1641.60", "platform": "273.60",
                     "company": "3556.80", "reason": "rule", "rule": 1}
    assert (second["rate"], second["government"], second["rule"]) == ("0.20", "426.60", 3)
    assert response.headers["Cache-Control"] == "no-store"


def test_what_the_company_already_received_counts_against_its_cap(client, hz, order):
    ascend, h100 = order
    body = post(client, {"lines": [{"offer_id": ascend.id, "quantity": "576"}, {"offer_id": h100.id, "quantity": "100"}],
                         "program": hz, "subsidised_this_year": "7999000"}).get_json()
    assert (body["government"], body["capped_by"]) == ("1000.00", "company_cap")
    assert [line["government"] for line in body["lines"]] == ["793.73", "206.27"]


def test_a_token_line_of_a_filed_model_and_a_vendor_outside_the_whitelist(client, order):
    ascend, _ = order
    deepseek = token_offer("0.27", "1.10", vendor_slug="deepseek", model="deepseek-v3")
    db.session.commit()
    load(hangzhou(), hangzhou(code="only-aliyun", vendors=["aliyun"]))
    filed = post(client, {"lines": [{"offer_id": deepseek.id, "quantity": "10"}], "program": "hz-2026"}).get_json()
    assert filed["lines"][0]["rate"] == "0.30" and filed["lines"][0]["rule"] == 2
    other = post(client, {"lines": [{"offer_id": ascend.id, "quantity": "1"}], "program": "only-aliyun"}).get_json()
    assert other["lines"][0]["reason"] == "vendor_not_covered" and other["government"] == "0.00"
    assert other["company"] == "9.50" and other["platform"] == "0.00"  # not eligible: the company pays it all


@pytest.mark.parametrize(("body", "field"), [
    ({"lines": [{"offer_id": 999999, "quantity": "1"}], "program": "hz-2026"}, "lines.0.offer_id"),
    ({"lines": [{"offer_id": "OFFER", "quantity": "1"}], "program": "hz-2026"}, "lines.0.offer_id"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "1"}], "program": "nope"}, "program"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "0"}], "program": "hz-2026"}, "lines.0.quantity"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "-3"}], "program": "hz-2026"}, "lines.0.quantity"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "many"}], "program": "hz-2026"}, "lines.0.quantity"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "1.5"}], "program": "hz-2026"}, "lines.0.quantity"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": True}], "program": "hz-2026"}, "lines.0.quantity"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "100001"}], "program": "hz-2026"}, "lines.0.quantity"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "1"}] * 51, "program": "hz-2026"}, "lines"),
    ({"lines": [], "program": "hz-2026"}, "lines"),
    ({"program": "hz-2026"}, "lines"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "1"}]}, "program"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "1"}], "program": "hz-2026", "subsidised_this_year": "-1"},
     "subsidised_this_year"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "1"}], "program": "hz-2026", "subsidised_this_year": "1e-999999"},
     "subsidised_this_year"),
    ({"lines": [{"offer_id": "ASCEND", "quantity": "1"}], "program": "hz-2026", "coupon": "x"}, "coupon"),
])
def test_bad_input_is_a_400_naming_the_field(client, hz, order, body, field):
    ascend, _ = order
    for line in body.get("lines", []):
        if line["offer_id"] == "ASCEND":
            line["offer_id"] = ascend.id
    response = post(client, body)
    assert response.status_code == 400, response.text
    error = response.get_json()["error"]
    assert error["code"] == "bad_parameter" and field in error["details"], error
    assert error["message"].startswith(field)


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'"quote"', b"[" * 100_000])
def test_a_body_that_is_not_a_json_object_is_a_400(client, hz, raw):
    response = client.post("/api/v1/quote", data=raw, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_json"


def test_a_delisted_offer_cannot_be_quoted(client, hz):
    gone = gpu_offer("9.50", "ascend-910b", status="delisted")
    db.session.commit()
    response = post(client, {"lines": [{"offer_id": gone.id, "quantity": "1"}], "program": hz})
    assert response.status_code == 400 and "lines.0.offer_id" in response.get_json()["error"]["details"]


def test_voucher_programs_list_their_rules_and_remaining_budget(client, hz):
    response = client.get("/api/v1/voucher-programs")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    (program,) = response.get_json()["items"]
    assert program["code"] == "hz-2026" and program["name"]["en"].startswith("Hangzhou")
    assert (program["budget"], program["consumed"], program["remaining_budget"]) == (
        "250000000.00", "0.00", "250000000.00")
    assert program["cap_per_company_per_year"] == "8000000.00" and program["platform_rate"] == "0.05"
    assert program["rules"][0] == {"when": {"kind": ["gpu"], "domestic_chip": True}, "rate": "0.30"}
    assert program["company_regions"] == ["cn-zhejiang"] and program["example"] is True


def test_the_openapi_document_describes_both_operations(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["paths"]["/api/v1/quote"]["post"]["operationId"] == "quoteOrder"
    assert "/api/v1/voucher-programs" in doc["paths"]
    assert {"QuoteRequest", "Quote", "QuoteLine", "VoucherProgram"} <= set(doc["components"]["schemas"])


SCALARS = st.none() | st.booleans() | st.integers(min_value=-10**20, max_value=10**20) | st.floats() | st.text(max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quantity=SCALARS | st.sampled_from(["1", "576", "1e3", "1e999999", "0.5", " 7 ", "-0", "NaN", "Infinity"]),
       offer=SCALARS, program=SCALARS | st.just("hz-2026"), received=SCALARS | st.just("12.345"))
def test_whatever_the_body_holds_the_answer_is_a_quote_or_a_400(client, hz, order, quantity, offer, program, received):
    ascend, _ = order
    body = {"lines": [{"offer_id": ascend.id if offer is None else offer, "quantity": quantity}], "program": program,
            "subsidised_this_year": received}
    response = client.post("/api/v1/quote", json=body)
    assert response.status_code in (200, 400), (body, response.text)
    if response.status_code == 200:
        data = response.get_json()
        assert Decimal(data["government"]) + Decimal(data["platform"]) + Decimal(data["company"]) == Decimal(
            data["total"])
    else:
        assert set(response.get_json()["error"]) >= {"code", "message"}
