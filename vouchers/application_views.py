"""A company applies to a programme (POST /vouchers/<code>/apply), lists its applications on its company page,
and fetches the documents it sent. Thin: the rules are vouchers/applications.py's."""

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts import Company, company_of
from catalog.registry import default_registries
from extensions import db
from vouchers.application_schemas import DOCUMENT_MAX_BYTES, ApplicationSchema, Upload
from vouchers.applications import ApplicationProblem, submit
from vouchers.apply_panel import PROBLEMS, STATUS_WORDS, apply_panel
from vouchers.models import ApplicationDocument, VoucherApplication, VoucherProgram
from vouchers.order_quote import program_by_code
from vouchers.views import program_page
from web.locale import gettext as _
from web.validation import field_messages

bp = Blueprint("voucher_applications", __name__)


def uploads() -> list[Upload]:
    """The request's files (empty file inputs left out), each read to one byte past the limit: enough to refuse it."""
    return [Upload(f.filename, f.stream.read(DOCUMENT_MAX_BYTES + 1))
            for f in request.files.getlist("documents") if f.filename]


@bp.post("/vouchers/<code>/apply")
@login_required
def apply(code: str):
    """:raise 404: no such programme."""
    program = program_by_code(db.session, code) or abort(404)
    form = request.form.to_dict()
    try:
        data = ApplicationSchema().load({**form, "documents": uploads()})
    except ValidationError as exc:
        return program_page(program, apply_panel(program, field_messages(exc), form), 400)
    try:
        submit(db.session, program, current_user.id, data, default_registries().regions)
        db.session.commit()
    except ApplicationProblem as exc:
        db.session.rollback()
        if exc.field is not None:
            return program_page(program, apply_panel(program, {exc.field: [_(PROBLEMS[exc.code])]}, form), 422)
        flash(_(PROBLEMS[exc.code]), "error")
        return program_page(program, apply_panel(program, values=form), 409)
    except IntegrityError:  # another member of the company applied at the same moment: theirs stands
        db.session.rollback()
        flash(_(PROBLEMS["already_applied"]), "error")
        return program_page(program, apply_panel(program), 409)
    flash(_("Application sent. An operator will review it; its status is shown here and on your company's page."),
          "success")
    return redirect(url_for("vouchers.program", code=program.code, _anchor="apply"))


@bp.get("/vouchers/documents/<int:document_id>")
@login_required
def document(document_id: int):
    """A document of an application, to an operator or to a member of the company that sent it; 403 to anyone else.

    :raise 404: no such document (operators only: anyone else learns nothing).
    """
    found = db.session.get(ApplicationDocument, document_id)
    if not current_user.is_operator:
        company = company_of(db.session, current_user.id)
        if found is None or company is None or found.application.company_id != company.id:
            abort(403)
    if found is None:
        abort(404)
    return Response(found.data, content_type=found.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


def company_applications(company: Company) -> Markup:
    """The company page's list of the company's applications and where each stands."""
    applications = list(db.session.scalars(
        select(VoucherApplication).join(VoucherProgram).where(VoucherApplication.company_id == company.id)
        .order_by(VoucherApplication.created_at.desc(), VoucherApplication.id.desc())))
    return Markup(render_template("vouchers/_company_applications.html", applications=applications,
                                  status_words=STATUS_WORDS))


def init_app(app) -> None:
    from accounts import add_company_panel

    app.register_blueprint(bp)
    add_company_panel(app, company_applications)
