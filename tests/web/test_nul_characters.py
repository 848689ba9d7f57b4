"""U+0000 in a request is refused with a 400 that names where it is, never a 500.

PostgreSQL text cannot hold it, so before this guard a NUL in a voucher programme's code (or any
parameter) failed in the first query that used it; the same requests are asserted on SQLite, where
the 400 comes from the same one check.
"""

import pytest
from sqlalchemy import select

from catalog.models import Offer
from extensions import db
from tests.vendor_api_support import GPU_COLUMNS, bearer, vendor_with_key


@pytest.mark.parametrize("path, name", [
    ("/offers?program=%00", "program"), ("/offers?q=4090%00", "q"), ("/plan?kind=gpu&program=hz%00", "program"),
    ("/vouchers/%00", "path"), ("/api/v1/offers?program=%00", "program"), ("/market/gpu/h100%00", "path"),
    ("/offers?%00=1", "\\0"),
])
def test_a_nul_in_a_page_or_api_parameter_is_a_400_naming_it(client, path, name):
    response = client.get(path)
    assert response.status_code == 400
    assert f"{name}: " in response.get_data(as_text=True)


def test_a_nul_in_a_posted_form_is_a_400(client):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400
    assert "email: " in response.get_data(as_text=True)


def test_a_nul_deep_in_a_json_body_is_named_by_its_path(client):
    response = client.post("/api/v1/quote", json={"lines": [{"offer_id": 1, "quantity": "1"}], "program": "hz\x00"})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("program: ")
    response = client.post("/api/v1/quote", json={"lines": [{"offer_id": 1, "quantity": "1\x00"}], "program": "x"})
    assert response.get_json()["error"]["message"].startswith("lines.0.quantity: ")


def test_a_vendor_offer_with_a_nul_is_refused_and_nothing_is_written(app, client):
    *_, secret = vendor_with_key("nul@example.com", "nulco")
    response = client.put("/api/v1/vendor/offers/g-nul", json={**GPU_COLUMNS, "title": "RTX\x00 4090"},
                          headers=bearer(secret))
    assert response.status_code == 400
    assert "title" in response.get_json()["error"]["details"]
    assert db.session.scalar(select(Offer).where(Offer.sku == "g-nul")) is None
