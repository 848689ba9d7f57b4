"""A price alert's email, through a real SMTP server on this machine (aiosmtpd): sent once per crossing."""

import email
import email.policy
import os
import socket
import threading
from decimal import Decimal

import pytest
from aiosmtpd.controller import Controller

from alerts import alert_mail, checker
from alerts.models import AlertNotification
from alerts.tasks import run_check, send_alert_email
from extensions import db
from tests.alerts.support import make_alert
from tests.catalog import factories
from tests.stall_support import make_user


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content,
                                                                          policy=email.policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def inbox(app):
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    previous = (app.config["SMTP_URL"], app.config["MAIL_FROM"], app.config["SITE_URL"])
    app.config.update(SMTP_URL=f"smtp://127.0.0.1:{controller.port}", MAIL_FROM="算力超市 <alerts@market.example>",
                      SITE_URL="https://market.example")
    yield box
    app.config["SMTP_URL"], app.config["MAIL_FROM"], app.config["SITE_URL"] = previous
    controller.stop()


def test_a_crossing_sends_one_email_with_the_price_and_a_link(app, inbox):
    offer = factories.gpu_offer("3.00", gpu_model="h100-sxm")
    db.session.commit()
    make_alert(make_user("buyer@example.com"), model="h100-sxm", threshold="2.50")
    offer.unit_price = Decimal("2.45")
    db.session.commit()
    assert run_check() == 1
    assert len(inbox.messages) == 1
    to, message = inbox.messages[0]
    assert to == ["buyer@example.com"] and message["To"] == "buyer@example.com"
    assert message["From"] == "算力超市 <alerts@market.example>"
    assert message["Subject"] == ("价格提醒：H100 SXM 80GB 已降至 ¥2.45 / 卡时 · "
                                  "Price alert: H100 SXM 80GB is at ¥2.45 / card-hour")
    body = message.get_content()
    assert "¥2.45 / 卡时" in body and "¥2.50 / card-hour" in body
    assert f"https://market.example/offers/{offer.id}" in body and "https://market.example/alerts" in body
    # Sent once: the task run again (a retry, a duplicate message) sends nothing more.
    note = db.session.query(AlertNotification).one()
    assert note.emailed_at is not None
    send_alert_email(note.id)
    assert run_check() == 0
    assert len(inbox.messages) == 1


def test_a_token_alert_email_is_per_million_tokens(app, inbox):
    factories.token_offer("0.1", "0.1", model="deepseek-v3")
    db.session.commit()
    make_alert(make_user("t@example.com"), kind="token", model="deepseek-v3", threshold="1")
    note = db.session.query(AlertNotification).one()
    send_alert_email(note.id)
    _, message = inbox.messages[0]
    assert "/ 百万 tokens" in message["Subject"] and "/ 1M tokens" in message["Subject"]


def test_without_smtp_url_alerts_are_in_the_app_only(app):
    assert not app.config["SMTP_URL"]
    factories.gpu_offer("1.00")
    db.session.commit()
    make_alert(threshold="2.00")
    note = db.session.query(AlertNotification).one()
    send_alert_email(note.id)
    assert note.emailed_at is None


def test_a_refusing_server_raises_so_the_task_is_retried(app):
    message = alert_mail.compose(alert_mail.AlertMail("a@example.com", "T4", "gpu", Decimal(1), Decimal(2),
                                                      "http://x/offers/1", "http://x/alerts"), "m@example.com")
    with pytest.raises(OSError):
        alert_mail.send(f"smtp://127.0.0.1:{_free_port()}", message)


def test_subscribing_below_the_price_now_emails_at_once(app, client, inbox):
    from tests.stall_support import log_in

    offer = factories.gpu_offer("1.20", gpu_model="t4")
    db.session.commit()
    log_in(client, make_user("now@example.com"))
    assert client.post("/alerts", data={"kind": "gpu", "model": "T4", "threshold": "1.5"}).status_code == 302
    [(to, message)] = inbox.messages
    assert to == ["now@example.com"] and "¥1.20 / 卡时" in message["Subject"]
    assert f"https://market.example/offers/{offer.id}" in message.get_content()


@pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
                    reason="PostgreSQL only: SQLite lets one writer in at a time, so two checks never cross at once")
def test_two_checks_crossing_one_alert_at_once_notify_and_email_once(app, inbox, monkeypatch):
    offer = factories.gpu_offer("3.00", gpu_model="h100-sxm")
    db.session.commit()
    alert = make_alert(make_user("race@example.com"), model="h100-sxm", threshold="2.50")
    assert run_check() == 0  # the check has its place in the outbox
    offer.unit_price = Decimal("2.45")
    db.session.commit()

    # Both checks have read the alert as above its threshold before either writes: the same crossing.
    barrier, real_cheapest, waited = threading.Barrier(2), checker.cheapest, threading.local()

    def cheapest_then_meet(session, watched):
        found = real_cheapest(session, watched)
        if not getattr(waited, "once", False):
            waited.once = True
            barrier.wait(timeout=30)
        return found

    monkeypatch.setattr(checker, "cheapest", cheapest_then_meet)
    made, failures, lock = [], [], threading.Lock()
    real_check_once = checker._check_once

    def check_once_or_say_why(session, result):
        try:
            return real_check_once(session, result)
        except Exception as exc:  # a writer's transaction failed (and would be rolled back and run again)
            with lock:
                failures.append(repr(exc))
            raise

    monkeypatch.setattr(checker, "_check_once", check_once_or_say_why)

    def check() -> None:
        with app.app_context():
            try:
                count = run_check()
                with lock:
                    made.append(count)
            except Exception as exc:  # the test reports what a writer raised
                with lock:
                    failures.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=check) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # Neither writer's transaction failed; one of them made the notification.
    assert failures == [] and sorted(made) == [0, 1]
    db.session.expire_all()
    note = db.session.query(AlertNotification).filter_by(alert_id=alert.id).one()
    assert note.crossing == 1 and note.emailed_at is not None
    assert [to for to, _ in inbox.messages] == [["race@example.com"]]  # one email
