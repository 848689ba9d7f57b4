"""The stall's API keys page: a key is shown once, listed by name and prefix (never whole), works at
once, notes when it was last used, and stops working when revoked."""

import re

import pytest
from sqlalchemy import select

from accounts.models import ApiKey
from extensions import db
from tests.vendor_api_support import bearer
from tests.web.test_every_page_translated import problems


@pytest.fixture()
def member(client, acme_member):
    return acme_member


def new_key(client, name: str = "price sync") -> str:
    response = client.post("/stall/keys", data={"name": name})
    assert response.status_code == 200
    return re.search(r'id="new-key">([^<]+)<', response.text).group(1)


def test_a_new_key_is_shown_once_and_works(client, member):
    secret = new_key(client)
    assert client.get("/api/v1/vendor/offers", headers=bearer(secret)).status_code == 200
    page = client.get("/stall/keys").text
    assert secret not in page and "price sync" in page and secret[:12] in page
    stored = db.session.scalar(select(ApiKey))
    assert secret not in (stored.key_hash, stored.prefix)
    assert stored.last_used_at is not None and stored.vendor_id == member[1].id


def test_a_revoked_key_is_refused(client, member):
    secret = new_key(client)
    key_id = db.session.scalar(select(ApiKey.id))
    assert client.post(f"/stall/keys/{key_id}/revoke").status_code == 302
    response = client.get("/api/v1/vendor/offers", headers=bearer(secret))
    assert response.status_code == 401
    assert "已吊销" in client.get("/stall/keys").text
    assert client.post(f"/stall/keys/{key_id}/revoke").status_code == 404  # once


@pytest.mark.parametrize("name", ["", " ", "x" * 101])
def test_a_key_needs_a_name(client, member, name):
    response = client.post("/stall/keys", data={"name": name})
    assert response.status_code == 400
    assert db.session.scalar(select(ApiKey.id)) is None


def test_a_key_from_a_logged_out_browser_is_refused(client):
    assert client.post("/stall/keys", data={"name": "x"}).status_code == 302  # to log in
    assert db.session.scalar(select(ApiKey.id)) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_with_a_new_key_speaks_one_language(client, member, lang):
    client.set_cookie("lang", lang)
    response = client.post("/stall/keys", data={"name": "sync"})
    assert problems(response.text, lang, ("sync",)) == []
    assert problems(client.get("/stall/keys").text, lang, ("sync",)) == []
