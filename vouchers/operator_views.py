"""The operator's review of voucher applications (/operator/applications): the list, one application, its decision.

Operators only (accounts.operator_required). Each POST runs one action of vouchers/applications.py and
commits it with its audit row; a refused or invalid decision commits nothing.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select

from accounts import Company, operator_required
from extensions import db
from vouchers.application_schemas import DecisionSchema
from vouchers.applications import ApplicationProblem, approve, refuse, revoke
from vouchers.apply_panel import PROBLEMS, STATUS_WORDS
from vouchers.models import ApplicationStatus, VoucherApplication, VoucherProgram
from web.locale import gettext as _
from web.validation import field_messages

bp = Blueprint("voucher_operator", __name__, url_prefix="/operator/applications")
PER_PAGE = 50
STATUSES = (ApplicationStatus.PENDING, ApplicationStatus.APPROVED, ApplicationStatus.REFUSED, "all")
DONE = {"approve": "The application is approved.", "refuse": "The application is refused.",
        "revoke": "The approval is revoked."}


class ListQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    program = fields.String(load_default="", validate=validate.Length(max=64))
    status = fields.String(load_default=ApplicationStatus.PENDING, validate=validate.OneOf(STATUSES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


@bp.get("")
@operator_required
def applications():
    """Applications, newest first, filtered by programme (its code) and status (pending unless asked)."""
    try:
        params = ListQuery().load(request.args.to_dict())
    except ValidationError:
        abort(400)
    programs = list(db.session.scalars(select(VoucherProgram).order_by(VoucherProgram.valid_from.desc(),
                                                                       VoucherProgram.code)))
    query = (select(VoucherApplication).join(VoucherProgram)
             .order_by(VoucherApplication.updated_at.desc(), VoucherApplication.id.desc()))
    if params["program"]:
        query = query.where(VoucherProgram.code == params["program"])
    if params["status"] != "all":
        query = query.where(VoucherApplication.status == params["status"])
    page = db.paginate(query, page=params["page"], per_page=PER_PAGE, error_out=False)
    companies = {c.id: c for c in db.session.scalars(select(Company).where(
        Company.id.in_([a.company_id for a in page.items])))}
    return render_template("vouchers/operator_applications.html", page=page, programs=programs, params=params,
                           statuses=STATUSES, status_words=STATUS_WORDS, companies=companies)


def _detail(application: VoucherApplication, errors: dict | None = None, values: dict | None = None,
            status: int = 200):
    company = db.session.get(Company, application.company_id)
    return render_template("vouchers/operator_application.html", application=application, company=company,
                           program=application.program, status_words=STATUS_WORDS, errors=errors or {},
                           values=values or {}), status


@bp.get("/<int:application_id>")
@operator_required
def application(application_id: int):
    """:raise 404: no such application."""
    return _detail(db.session.get(VoucherApplication, application_id) or abort(404))


@bp.post("/<int:application_id>/decision")
@operator_required
def decide(application_id: int):
    """Approve (with a quota), refuse or revoke. :raise 404: no such application."""
    # Locked (PostgreSQL) until the commit: two operators deciding at once make one decision and one audit row.
    found = db.session.get(VoucherApplication, application_id, with_for_update=True) or abort(404)
    form = request.form.to_dict()
    try:
        data = DecisionSchema().load(form)
    except ValidationError as exc:
        db.session.rollback()
        return _detail(found, field_messages(exc), form, 400)
    try:
        if data["action"] == "approve":
            approve(db.session, found, current_user.id, data["quota"], data["reason"])
        elif data["action"] == "refuse":
            refuse(db.session, found, current_user.id, data["reason"])
        else:
            revoke(db.session, found, current_user.id, data["reason"])
        db.session.commit()
    except ApplicationProblem as exc:
        db.session.rollback()
        if exc.field is not None:
            return _detail(found, {exc.field: [_(PROBLEMS[exc.code])]}, form, 422)
        flash(_(PROBLEMS[exc.code]), "error")
        return _detail(found, values=form, status=409)
    flash(_(DONE[data["action"]]), "success")
    return redirect(url_for("voucher_operator.application", application_id=found.id))


def init_app(app) -> None:
    from accounts import add_operator_tab

    app.register_blueprint(bp)
    add_operator_tab(app, 20, "voucher_operator.applications", "Voucher applications")
