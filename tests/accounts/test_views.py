"""Sign-up, log-in, log-out, password change and vendor profile, through the real forms."""

import re

import pytest
from sqlalchemy import func, select

from accounts.models import User, VendorMember
from catalog.models import Vendor
from extensions import db, limiter
from tests.stall_support import PASSWORD, log_in, make_user


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def signup(client, email="buyer@example.com", password=PASSWORD, **extra):
    return client.post("/signup", data={"email": email, "password": password, "confirm": password, **extra})


def test_sign_up_hashes_the_password_and_leads_to_log_in(client):
    response = signup(client, email="Buyer@Example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/account"
    user = db.session.scalar(select(User))
    assert user.email == "buyer@example.com"
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2id$")
    response = client.post(response.headers["Location"], data={"email": "buyer@example.com", "password": PASSWORD})
    assert "buyer@example.com" in client.get(response.headers["Location"]).text


def test_sign_up_refuses_a_short_password(client):
    response = signup(client, email="new@example.com", password="short")
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "new@example.com")) is None


def test_sign_up_as_vendor_leads_to_the_profile_then_the_stall(client):
    response = signup(client, email="shop@example.com", as_vendor="y")
    assert response.headers["Location"] == "/login?next=/account/vendor"
    response = client.post(response.headers["Location"], data={"email": "shop@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/account/vendor"
    response = client.post("/account/vendor", data={"name_zh": "小算力", "name_en": "Tiny GPU Shop",
                                                    "contact": "ops@tiny.example", "website": "https://tiny.example"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/stall/")
    vendor = db.session.scalar(select(Vendor))
    assert (vendor.slug, vendor.name_zh, vendor.website) == ("tiny-gpu-shop", "小算力", "https://tiny.example")
    assert db.session.scalar(select(VendorMember)).vendor_id == vendor.id
    assert "小算力" in client.get("/stall/").text


def test_a_person_without_a_vendor_is_sent_to_create_one(client):
    log_in(client, make_user("buyer@example.com"))
    response = client.get("/stall/upload")
    assert response.status_code == 302 and "/account/vendor" in response.headers["Location"]


def test_log_in_wrong_password_then_right_then_log_out(client):
    make_user("me@example.com")
    response = client.post("/login", data={"email": "me@example.com", "password": "wrong password"})
    assert response.status_code == 400
    assert "邮箱或密码错误" in response.text
    response = client.post("/login?next=/stall/", data={"email": "ME@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/stall/"
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_log_in_never_redirects_off_site(client):
    make_user("me@example.com")
    response = client.post("/login?next=//evil.example/x", data={"email": "me@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/account"


def test_password_change_ends_other_sessions(app, client):
    user = make_user("me@example.com")
    other = app.test_client()
    for c in (client, other):
        c.post("/login", data={"email": "me@example.com", "password": PASSWORD})
    # Log-in rotates the session version: the first client's session ended when the second logged in.
    client.post("/login", data={"email": "me@example.com", "password": PASSWORD})
    response = client.post("/account/password", data={"current": PASSWORD, "password": "a brand new one",
                                                      "confirm": "a brand new one"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this session continues
    assert other.get("/account").status_code == 302  # the other one is logged out
    db.session.refresh(user)
    assert client.post("/login", data={"email": "me@example.com", "password": "a brand new one"}).status_code == 302


def test_password_change_needs_the_current_password(client):
    log_in(client, make_user("me@example.com"))
    response = client.post("/account/password", data={"current": "nope nope", "password": "a brand new one",
                                                      "confirm": "a brand new one"})
    assert response.status_code == 400 and "当前密码不正确" in response.text


def test_log_in_attempts_are_rate_limited(app, client):
    make_user("me@example.com")
    statuses = [client.post("/login", data={"email": "me@example.com", "password": "guess"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    response = client.post("/login", data={"email": "me@example.com", "password": PASSWORD})
    assert response.status_code == 429 and "尝试次数过多" in response.text
    assert client.get("/login").status_code == 200  # reading the form is not limited


def test_csrf_is_enforced_when_enabled(app, client):
    """The one place the suite runs with CSRF on: forms without the token are refused."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = signup(client, email="csrf@example.com")
        assert response.status_code == 400
        assert db.session.scalar(select(User)) is None
        page = client.get("/signup").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = signup(client, email="csrf@example.com", csrf_token=token)
        assert response.status_code == 302
        assert db.session.scalar(select(User)).email == "csrf@example.com"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("password", ["12345678", "password", "aaaaaaaa", "aaaaaaaaaa", "password123"])
def test_sign_up_refuses_common_and_trivial_passwords(client, password):
    response = signup(client, email="new@example.com", password=password)
    assert response.status_code == 400
    assert "密码" in response.text and ("至少 10 个字符" in response.text or "太容易被猜到" in response.text)
    assert db.session.scalar(select(User)) is None


def test_the_weak_password_message_is_in_english_beside_chinese(client):
    response = client.post("/signup?lang=en", data={"email": "new@example.com", "password": "aaaaaaaaaa",
                                                   "confirm": "aaaaaaaaaa"})
    assert response.status_code == 400 and "too easy to guess" in response.text


def test_password_change_refuses_a_weak_new_password(client):
    user = make_user("me@example.com")
    log_in(client, user)
    response = client.post("/account/password", data={"current": PASSWORD, "password": "1234567890",
                                                      "confirm": "1234567890"})
    assert response.status_code == 400 and "太容易被猜到" in response.text
    db.session.refresh(user)
    assert client.post("/login", data={"email": "me@example.com", "password": PASSWORD}).status_code == 302


def _vendor_signed_in(client, email="shop@example.com"):
    signup(client, email=email, as_vendor="y")  # sign-up does not log in (it answers a taken email alike)
    client.post("/login", data={"email": email, "password": PASSWORD})


def _profile(client, **fields):
    data = {"name_zh": "", "name_en": "", "contact": "ops@example.com", **fields}
    return client.post("/account/vendor", data=data)


@pytest.mark.parametrize(("name_zh", "name_en"), [
    ("", "ALPHA CLOUD"),  # case
    ("", "ａｌｐｈａ ｃｌｏｕｄ"),  # full width
    ("阿尔法云", "Someone Else"),  # the same Chinese name
    ("Alpha Cloud", "Someone Else"),  # another vendor's English name as this one's Chinese name
])
def test_a_vendor_cannot_take_another_vendors_display_name(client, name_zh, name_en):
    db.session.add(Vendor(slug="alpha", name_zh="阿尔法云", name_en="Alpha Cloud"))
    db.session.commit()
    _vendor_signed_in(client)
    response = _profile(client, name_zh=name_zh, name_en=name_en)
    assert response.status_code == 400
    assert "已被其他商家使用" in response.text
    assert db.session.scalar(select(func.count(Vendor.id))) == 1  # nothing half-written


def test_a_vendor_keeps_its_own_name_when_saving_again(client):
    _vendor_signed_in(client)
    assert _profile(client, name_zh="小算力", name_en="Tiny").status_code == 302
    assert _profile(client, name_zh="小算力", name_en="TINY").status_code == 302
    assert db.session.scalar(select(Vendor.name_en)) == "TINY"


def test_the_database_refuses_a_second_vendor_with_the_same_folded_name(app):
    from sqlalchemy.exc import IntegrityError

    db.session.add(Vendor(slug="a", name_zh="", name_en="Alpha"))
    db.session.commit()
    db.session.add(Vendor(slug="b", name_zh="", name_en="ＡＬＰＨＡ"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("field", ["name_zh", "name_en", "description_en"])
def test_invisible_characters_in_the_vendor_profile_are_refused(client, field):
    _vendor_signed_in(client)
    fields = {"name_zh": "小算力", "name_en": "Tiny", field: "Tiny\u202egnp.exe"}
    response = _profile(client, **fields)
    assert response.status_code == 400 and "U+202E" in response.text
    assert db.session.scalar(select(Vendor)) is None
