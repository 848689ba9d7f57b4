"""The stall's orders to deliver: a vendor's paid lines and the form that records each delivery step.

Routes on the checkout blueprint (orders are checkout's); pages wear the stall's tabs. A line
is found only among the lines of the vendors the user is a member of: any other is a 404.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from accounts import vendor_required
from checkout.delivery import DELIVERED_UNITS, STATES, Step, StepRefused, own_line, record_step, vendor_lines
from checkout.models import DeliveryState
from checkout.schemas import DeliveryStepSchema
from checkout.views import _shapes, bp
from checkout.write_off import claim_state
from extensions import db
from web.locale import gettext as _
from web.validation import field_messages

REFUSED = {
    "not_paid": "Only lines of paid orders can be delivered.",
    "already_delivered": "This line is already delivered; its delivery record cannot change.",
    "not_allowed": "This step cannot follow the line's current state.",
}


def _labels() -> dict[str, str]:
    return {"state": _("Step"), "start": _("Start"), "end": _("End"), "amount": _("Delivered amount"),
            "unit": _("Unit"), "notes": _("Access notes for the buyer")}


def _problems(exc: ValidationError) -> list[str]:
    """One line per field, named as the form names it: '结束时间：须晚于开始时间。'."""
    labels = _labels()
    return [_("%(field)s: %(problem)s", field=labels.get(field, field), problem="; ".join(messages))
            for field, messages in field_messages(exc).items()]


def _member_vendor_ids() -> list[int]:
    return [v.id for v in current_user.vendors]


def _render(vendor, state: str | None, errors: dict | None = None, values: dict | None = None, status: int = 200,
            invoice_errors: dict | None = None):
    lines = vendor_lines(db.session, _member_vendor_ids(), state)
    return render_template("checkout/deliveries.html", vendor=vendor, lines=lines, state=state, states=STATES,
                           errors=errors or {}, values=values or {}, units=DELIVERED_UNITS,
                           shapes=_shapes(lines), claim_states={line.id: claim_state(line) for line in lines},
                           invoice_errors=invoice_errors or {}), status


def _refused(vendor, code: str):
    flash(_(REFUSED[code]), "error")
    return _render(vendor, None, status=409)


@bp.get("/stall/orders")
@vendor_required
def deliveries(vendor):
    state = request.args.get("state")
    return _render(vendor, state if state in STATES else None)


@bp.post("/stall/orders/<int:line_id>/deliver")
@vendor_required
def deliver_line(vendor, line_id: int):
    line = own_line(db.session, line_id, _member_vendor_ids()) or abort(404)
    form = request.form.to_dict()
    if line.delivery_state is None:  # not paid: say so before any complaint about the form
        return _refused(vendor, "not_paid")
    try:
        data = DeliveryStepSchema().load(form)
    except ValidationError as exc:
        return _render(vendor, None, errors={line.id: _problems(exc)}, values={line.id: form},
                       status=400)
    # What was delivered is said when it is delivered: a "delivering" step keeps only its start and notes.
    done = data["state"] == DeliveryState.DELIVERED
    step = Step(state=data["state"], started_at=data["start"], ended_at=data["end"] if done else None,
                amount=data["amount"] if done else None, unit=data["unit"] if done else None, notes=data["notes"])
    try:
        _record, new = record_step(db.session, line, step, by_user_id=current_user.id)
    except StepRefused as exc:
        return _refused(vendor, exc.code)
    if not new:
        flash(_("This step was already recorded; nothing changed."), "info")
    elif step.state == DeliveryState.DELIVERED:
        flash(_("Order #%(order)s: marked delivered.", order=line.order_id), "success")
    else:
        flash(_("Order #%(order)s: marked delivering.", order=line.order_id), "success")
    return redirect(url_for("checkout.deliveries"))
