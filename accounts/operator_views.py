"""The operator area (/operator): companies to verify, affiliations to declare, the audit log. Operators only.

Other areas add their own operator pages as tabs (add_operator_tab: vouchers' applications). Each POST runs one action of accounts/operators.py and
commits it with its audit row; a refused or failed action commits nothing.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.audit import AuditLog
from accounts.companies import company_by_code
from accounts.company_models import Company, CompanyMember
from accounts.company_schemas import AffiliationSchema, ReviewSchema
from accounts.membership import operator_required
from accounts.operators import OperatorRefused, declare_affiliated, unverify, verify
from extensions import db
from web.locale import gettext as _
from web.locale import language
from web.validation import field_messages

bp = Blueprint("operator", __name__, url_prefix="/operator")
PER_PAGE = 50
SHOWN = ("unverified", "verified", "all")
REFUSED = {
    "already_verified": "This company is verified already.",
    "not_verified": "This company is not verified.",
    "same_company": "A company cannot be affiliated with itself.",
    "already_affiliated": "These companies are declared affiliated already.",
    "no_company": "No company with this credit code is registered yet: register it above.",
}


def _companies(show: str):
    query = select(Company).order_by(Company.created_at.desc(), Company.id.desc())
    if show == "unverified":
        query = query.where(Company.verified_at.is_(None))
    elif show == "verified":
        query = query.where(Company.verified_at.is_not(None))
    return db.paginate(query, per_page=PER_PAGE, error_out=False)


def _render(errors: dict | None = None, values: dict | None = None, status: int = 200):
    show = request.args.get("show")
    show = show if show in SHOWN else "unverified"
    page = _companies(show)
    ids = [c.id for c in page.items]
    members = dict(db.session.execute(select(CompanyMember.company_id, func.count()).where(
        CompanyMember.company_id.in_(ids), CompanyMember.role != "pending").group_by(CompanyMember.company_id)).all())
    return render_template("accounts/operator_companies.html", page=page, show=show, shown=SHOWN, members=members,
                           errors=errors or {}, values=values or {}), status


@bp.get("")
@operator_required
def companies():
    return _render()


def _refused(code: str):
    db.session.rollback()
    flash(_(REFUSED[code]), "error")
    return _render(status=409)


@bp.post("/companies/<int:company_id>/review")
@operator_required
def review(company_id: int):
    # Locked (PostgreSQL) until the commit: two operators verifying at once write one action and one row, not two.
    company = db.session.get(Company, company_id, with_for_update=True) or abort(404)
    form = request.form.to_dict()
    try:
        data = ReviewSchema().load(form)
    except ValidationError as exc:
        return _render(errors={company.id: field_messages(exc)}, values={company.id: form}, status=400)
    try:
        (verify if data["action"] == "verify" else unverify)(db.session, company, current_user.id, data["reason"])
        db.session.commit()
    except OperatorRefused as exc:
        return _refused(exc.code)
    flash(_("%(name)s is verified.", name=company.name) if data["action"] == "verify"
          else _("%(name)s is no longer verified.", name=company.name), "success")
    return redirect(url_for("operator.companies", show=request.args.get("show")))


@bp.post("/companies/<int:company_id>/affiliates")
@operator_required
def affiliate(company_id: int):
    company = db.session.get(Company, company_id) or abort(404)
    form = request.form.to_dict()
    try:
        data = AffiliationSchema(lang=language()).load(form)
    except ValidationError as exc:
        errors = {"affiliate_" + k: v for k, v in field_messages(exc).items()}
        return _render(errors={company.id: errors}, values={company.id: form}, status=400)
    other = company_by_code(db.session, data["credit_code"])
    if other is None:
        return _refused("no_company")
    try:
        declare_affiliated(db.session, company, other, current_user.id, data["reason"])
        db.session.commit()
    except OperatorRefused as exc:
        return _refused(exc.code)
    except IntegrityError:  # the same pair declared at the same moment: that declaration and its row stand
        return _refused("already_affiliated")
    flash(_("%(name)s and %(other)s are declared affiliated.", name=company.name, other=other.name), "success")
    return redirect(url_for("operator.companies", show=request.args.get("show")))


ACTIONS = {
    "operator.grant": "Granted the operator role",
    "operator.revoke": "Revoked the operator role",
    "company.verify": "Verified a company",
    "company.unverify": "Withdrew a company's verification",
    "company.affiliate": "Declared companies affiliated",
    "voucher.approve": "Approved a voucher application",
    "voucher.refuse": "Refused a voucher application",
    "voucher.revoke": "Revoked a voucher approval",
    "invoice.correct": "Corrected a voucher line's invoice number",  # by a vendor member (checkout/write_off.py)
}


@bp.get("/audit")
@operator_required
def audit():
    page = db.paginate(select(AuditLog).order_by(AuditLog.id.desc()), per_page=PER_PAGE, error_out=False)
    companies = {c.id: c for c in db.session.scalars(select(Company).where(Company.id.in_(
        [row.subject_id for row in page.items if row.subject_type == "company"])))}
    return render_template("accounts/operator_audit.html", page=page, actions=ACTIONS, companies=companies)


def add_operator_tab(app, order: int, endpoint: str, label: str) -> None:
    """Another area's operator page, as a tab of the operator area (its label an English msgid)."""
    app.extensions.setdefault("operator_tabs", []).append((order, endpoint, label))


def init_app(app) -> None:
    app.register_blueprint(bp)
    add_operator_tab(app, 10, "operator.companies", "Companies")
    add_operator_tab(app, 90, "operator.audit", "Audit log")

    @app.context_processor
    def operator_tabs():
        return {"operator_tabs": sorted(app.extensions.get("operator_tabs", []))}
