"""An id too large for the database is a 404, not a 500 (on PostgreSQL ids are 32-bit INTEGER)."""

import pytest


@pytest.mark.parametrize("path", ["/api/v1/offers/2147483648", "/api/v1/offers/9223372036854775808", "/api/v1/offers/" + "9" * 40])
def test_an_id_past_bigint_is_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_the_largest_integer_id_still_reaches_the_view(client):
    response = client.get("/api/v1/offers/2147483647")
    assert response.status_code == 404
    assert "2147483647" in response.json["error"]["message"]  # the view's own "no offer" answer


@pytest.mark.parametrize("text, expected", [
    ("1", 1), ("2147483647", 2147483647), ("0007", 7),
    ("0", None), ("-1", None), ("2147483648", None), ("9223372036854775808", None), ("9" * 5000, None),
    ("²", None), ("١", None), (" 1", None), ("1.0", None), ("", None), (None, None), (True, None), (12, 12),
])
def test_one_rule_for_ids_from_forms_queries_and_webhooks(text, expected):
    from web.converters import parse_id

    assert parse_id(text) == expected
