"""My price alerts: add, list and delete them, and read what they found. Thin: parse, call, render."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select, update

from alerts.alert_schema import AlertSchema
from alerts.checker import check_new_alert
from alerts.models import AlertNotification, PriceAlert
from catalog.models import utcnow
from catalog.registry import default_registries
from extensions import db
from web.locale import gettext as _
from web.validation import field_messages

bp = Blueprint("alerts", __name__)
FORM_FIELDS = ("kind", "model", "region", "billing", "threshold")
SHOWN_NOTIFICATIONS = 50


def _page(form: dict, errors: dict, status: int = 200):
    user_id = current_user.id
    alerts = db.session.scalars(select(PriceAlert).where(PriceAlert.user_id == user_id)
                                .order_by(PriceAlert.created_at.desc(), PriceAlert.id.desc())).all()
    notes = db.session.scalars(select(AlertNotification).where(AlertNotification.user_id == user_id)
                               .order_by(AlertNotification.id.desc()).limit(SHOWN_NOTIFICATIONS)).all()
    registries = default_registries()
    return render_template("alerts/alerts.html", alerts=alerts, notes=notes, form=form, errors=errors,
                           gpus=sorted(registries.gpus.models.values(), key=lambda g: g.name)), status


@bp.get("/alerts")
@login_required
def alerts():
    """The list, and the form prefilled from the link that led here (an offer or a model page)."""
    return _page({k: request.args.get(k, "") for k in FORM_FIELDS}, {})


@bp.post("/alerts")
@login_required
def add_alert():
    form = {k: request.form.get(k, "") for k in FORM_FIELDS}
    try:
        data = AlertSchema(default_registries()).load(form)
    except ValidationError as exc:
        return _page(form, field_messages(exc), 400)
    alert = PriceAlert(user_id=current_user.id, **data)
    db.session.add(alert)
    db.session.flush()
    note = check_new_alert(db.session, alert)
    if note is not None and current_app.config.get("SMTP_URL"):
        from alerts.tasks import send_alert_email

        send_alert_email(note.id)
    flash(_("Price alert saved: we tell you when the price is at or below it."), "success")
    return redirect(url_for("alerts.alerts"))


@bp.post("/alerts/<int:alert_id>/delete")
@login_required
def delete_alert(alert_id: int):
    """:raise 404: no such alert of this user."""
    alert = db.session.get(PriceAlert, alert_id)
    if alert is None or alert.user_id != current_user.id:
        abort(404)
    db.session.delete(alert)
    db.session.commit()
    flash(_("Price alert deleted."), "success")
    return redirect(url_for("alerts.alerts"))


@bp.post("/alerts/read")
@login_required
def mark_read():
    db.session.execute(update(AlertNotification).where(AlertNotification.user_id == current_user.id,
                                                       AlertNotification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return redirect(url_for("alerts.alerts"))
