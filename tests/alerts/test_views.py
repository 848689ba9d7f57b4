"""My price alerts: add, list, delete, read what they found; the form's errors name the field."""

import re
from decimal import Decimal

from sqlalchemy import select

from alerts.models import AlertNotification, PriceAlert
from extensions import db
from tests.alerts.support import make_alert
from tests.catalog import factories
from tests.stall_support import log_in, make_user


def _buyer(client, email="buyer@example.com"):
    user = make_user(email)
    log_in(client, user)
    return user


def test_the_page_needs_a_signed_in_user(client):
    response = client.get("/alerts")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/alerts", data={"kind": "gpu"}).status_code == 302
    assert db.session.scalar(select(PriceAlert)) is None


def test_a_buyer_adds_an_alert_and_sees_it_listed_in_chinese_and_english(client):
    user = _buyer(client)
    response = client.post("/alerts", data={"kind": "gpu", "model": "H100", "region": "", "billing": "monthly",
                                            "threshold": "12.50"}, follow_redirects=True)
    assert response.status_code == 200
    alert = db.session.scalar(select(PriceAlert))
    assert (alert.user_id, alert.model, alert.billing, alert.threshold) == (user.id, "h100-sxm", "monthly",
                                                                            Decimal("12.5"))
    page = response.text
    assert "我的价格提醒" in page and "价格提醒已保存" in page and "¥12.50 / 卡时" in page and "包月" in page
    english = client.get("/alerts?lang=en").text
    assert "My price alerts" in english and "¥12.50 / card-hour" in english and "Monthly" in english


def test_a_bad_form_is_shown_again_with_the_field_named(client):
    _buyer(client)
    response = client.post("/alerts", data={"kind": "gpu", "model": "RTX 9999", "threshold": "-3"})
    assert response.status_code == 400
    assert re.search(r'data-error-for="model">未知的 GPU 型号', response.text)
    assert 'data-error-for="threshold"' in response.text
    assert 'value="RTX 9999"' in response.text  # what was typed stays in the form
    assert db.session.scalar(select(PriceAlert)) is None


def test_the_form_is_prefilled_from_the_link(client):
    _buyer(client)
    page = client.get("/alerts?kind=token&model=deepseek-v3&threshold=0.8").text
    assert 'value="deepseek-v3"' in page and 'value="0.8"' in page
    assert re.search(r'<option value="token" selected>', page)


def test_a_buyer_deletes_only_their_own_alerts(client):
    other = make_user("other@example.com")
    theirs = make_alert(other)
    mine = make_alert(_buyer(client))
    assert client.post(f"/alerts/{theirs.id}/delete").status_code == 404
    assert client.post(f"/alerts/{mine.id}/delete").status_code == 302
    assert [a.id for a in db.session.scalars(select(PriceAlert))] == [theirs.id]


def test_what_an_alert_found_is_listed_with_an_unread_badge_until_read(client):
    offer = factories.gpu_offer("1.50")
    db.session.commit()
    user = _buyer(client)
    make_alert(user, threshold="2.00")
    page = client.get("/alerts").text
    assert 'id="unread-count">1<' in page and 'nav-badge">1<' in page
    assert f'href="/offers/{offer.id}"' in page and "¥1.50 / 卡时" in page
    # On every page, the nav shows it.
    assert 'nav-badge">1<' in client.get("/market").text
    assert client.post("/alerts/read").status_code == 302
    assert "nav-badge" not in client.get("/alerts").text
    assert db.session.scalar(select(AlertNotification.read_at)) is not None


def test_someone_elses_notifications_are_not_shown(client):
    factories.gpu_offer("1.50")
    db.session.commit()
    make_alert(make_user("other@example.com"), threshold="2.00")
    _buyer(client)
    page = client.get("/alerts").text
    assert "nav-badge" not in page and "暂无" in page


def test_the_forms_need_their_csrf_token(app, client):
    user = _buyer(client)
    alert = make_alert(user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/alerts", data={"kind": "gpu", "model": "T4", "threshold": "1"}).status_code == 400
        assert client.post(f"/alerts/{alert.id}/delete").status_code == 400
        page = client.get("/alerts").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/alerts", data={"csrf_token": token, "kind": "gpu", "model": "T4", "threshold": "1"})
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert len(db.session.scalars(select(PriceAlert)).all()) == 2
