"""Price alerts' background work on the task queue: the check after offer changes, and the emails.

The check runs after every commit that changed offers (catalog.write_path's after-commit hook
enqueues it) and every minute (what a lost message or a stopped worker missed); it is safe to
run twice at once (alerts/checker.py). Each new notification's email is one task with retries;
`emailed_at` keeps a finished one from being sent again when the task runs twice.
"""

import logging

from flask import Flask, current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts import User
from alerts import alert_mail
from alerts.checker import check_alerts
from alerts.models import AlertNotification
from catalog import write_path
from catalog.models import utcnow
from extensions import db
from task_queue import crontab, periodic, task
from web.format import gpu_name, token_model_name

log = logging.getLogger(__name__)


def run_check() -> int:
    """Check the alerts the latest offer changes touch, then queue the new notifications' emails; how many."""
    checked = check_alerts(db.session)
    if current_app.config.get("SMTP_URL"):
        for note_id in checked.notifications:
            send_alert_email(note_id)
    if checked.notifications:
        log.info("price alerts: %d alerts checked, %d notifications", checked.alerts, len(checked.notifications))
    return len(checked.notifications)


@task(retries=3, retry_delay=5)
def check_alerts_task() -> None:
    run_check()


@periodic(crontab(minute="*"))
def check_alerts_every_minute() -> None:
    run_check()


def mail_for(session: Session, note: AlertNotification, site_url: str) -> alert_mail.AlertMail:
    alert = note.alert
    to = session.scalar(select(User.email).where(User.id == note.user_id))
    name = gpu_name(alert.model) if alert.kind == "gpu" else token_model_name(alert.model)
    offer = f"{site_url}/offers/{note.offer_id}" if note.offer_id else f"{site_url}/alerts"
    return alert_mail.AlertMail(to=to, model=name, kind=alert.kind, price=note.price, threshold=alert.threshold,
                                offer_url=offer, alerts_url=f"{site_url}/alerts")


# Back-off from 30 s: a mail server down for a while still gets the message (about 8 minutes in all).
@task(retries=5, retry_delay=30, retry_backoff=1.5)
def send_alert_email(note_id: int) -> None:
    """Email one notification once; raises when the server refuses, so Huey tries again."""
    config = current_app.config
    if not config.get("SMTP_URL"):
        return
    note = db.session.get(AlertNotification, note_id)
    if note is None or note.emailed_at is not None:
        return
    message = alert_mail.compose(mail_for(db.session, note, config["SITE_URL"]), config["MAIL_FROM"])
    alert_mail.send(config["SMTP_URL"], message)
    note.emailed_at = utcnow()
    db.session.commit()


def _nudge(_session: Session) -> None:
    # Immediate mode (tests) would run the check inside this commit hook; there the periodic task
    # (or the test) checks. A message lost here is harmless: the minute's check finds the change.
    if has_app_context() and not current_app.extensions["task_queue"].immediate:
        check_alerts_task()


def init_app(app: Flask) -> None:
    write_path.install(db.session, _nudge)


