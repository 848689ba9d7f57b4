"""My company: register or ask to join a company, see its people, approve requests, link one's vendor. Thin views."""

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.companies import (
    CompanyRefused,
    company_by_code,
    company_of,
    decide_request,
    link_vendor,
    membership_of,
    register_company,
    request_to_join,
)
from accounts.company_models import Company, CompanyVendor
from accounts.company_schemas import CompanySchema, DecisionSchema, JoinSchema, company_regions
from accounts.membership import current_vendor
from accounts.views import bp
from extensions import db
from web.locale import gettext as _
from web.locale import language
from web.validation import field_messages

REFUSED = {
    "has_company": "You already act for a company, or have asked to join one.",
    "code_taken": "A company with this credit code is registered already: ask to join it below.",
    "no_company": "No company with this credit code is registered yet: register it above.",
    "not_owner": "Only the company's owner can do this.",
    "no_request": "There is no such request to join.",
    "vendor_linked": "This vendor already belongs to a company.",
}


def _render(errors: dict | None = None, values: dict | None = None, status: int = 200, join: dict | None = None):
    membership = membership_of(db.session, current_user.id)
    company = membership.company if membership is not None else None
    vendor = current_vendor()
    acting = company is not None and membership.role != "pending"
    panels = [panel(company) for panel in current_app.extensions.get("company_panels", [])] if acting else []
    return render_template(
        "accounts/company.html", membership=membership, company=company, regions=company_regions(), panels=panels,
        vendor=vendor, vendor_linked=vendor is not None and _vendor_linked(vendor.id),
        errors=errors or {}, values=values or {}, join=join or {}), status


def add_company_panel(app, panel: Callable[[Company], Markup]) -> None:
    """Another area's part of the company page (vouchers: the company's applications), for those acting for it."""
    app.extensions.setdefault("company_panels", []).append(panel)


def _vendor_linked(vendor_id: int) -> bool:
    return db.session.scalar(select(CompanyVendor.id).where(CompanyVendor.vendor_id == vendor_id)) is not None


def _refused(code: str, status: int = 409, **render):
    flash(_(REFUSED[code]), "error")
    return _render(status=status, **render)


@bp.get("/account/company")
@login_required
def company():
    return _render()


@bp.post("/account/company")
@login_required
def register():
    form = request.form.to_dict()
    try:
        data = CompanySchema(lang=language()).load(form)
    except ValidationError as exc:
        return _render(errors=field_messages(exc), values=form, status=400)
    if company_by_code(db.session, data["credit_code"]) is not None:
        # The code is right, the company is here already: offer the join form filled in.
        return _refused("code_taken", values=form, join={"credit_code": data["credit_code"]})
    try:
        register_company(db.session, current_user.id, data["name"], data["credit_code"], data["region_id"])
        db.session.commit()
    except CompanyRefused as exc:
        db.session.rollback()
        return _refused(exc.code, values=form)
    except IntegrityError:  # registered by someone else at the same moment
        db.session.rollback()
        return _refused("code_taken", values=form, join={"credit_code": data["credit_code"]})
    flash(_("Company registered. An operator will verify it against the business registry."), "success")
    return redirect(url_for("accounts.company"))


@bp.post("/account/company/join")
@login_required
def join():
    form = request.form.to_dict()
    try:
        data = JoinSchema(lang=language()).load(form)
    except ValidationError as exc:
        return _render(errors={"join_" + k: v for k, v in field_messages(exc).items()}, join=form, status=400)
    try:
        request_to_join(db.session, current_user.id, data["credit_code"])
        db.session.commit()
    except CompanyRefused as exc:
        db.session.rollback()
        return _refused(exc.code, join=form)
    except IntegrityError:  # a second request from this person at the same moment
        db.session.rollback()
        return _refused("has_company", join=form)
    flash(_("Request sent. You act for the company once its owner approves."), "success")
    return redirect(url_for("accounts.company"))


@bp.post("/account/company/requests/<int:member_id>")
@login_required
def decide(member_id: int):
    company = company_of(db.session, current_user.id) or abort(404)
    try:
        data = DecisionSchema().load(request.form.to_dict())
    except ValidationError:
        abort(400)
    try:
        decide_request(db.session, company, current_user.id, member_id, approve=data["decision"] == "approve")
        db.session.commit()
    except CompanyRefused as exc:
        db.session.rollback()
        return _refused(exc.code, status=403 if exc.code == "not_owner" else 404)
    flash(_("Request approved.") if data["decision"] == "approve" else _("Request declined."), "success")
    return redirect(url_for("accounts.company"))


@bp.post("/account/company/vendor")
@login_required
def link_my_vendor():
    """Link the vendor the user sells for to the company the user acts for."""
    company = company_of(db.session, current_user.id)
    vendor = current_vendor()
    if company is None or vendor is None:
        abort(404)
    try:
        link_vendor(db.session, company, vendor.id)
        db.session.commit()
    except CompanyRefused as exc:
        db.session.rollback()
        return _refused(exc.code)
    except IntegrityError:
        db.session.rollback()
        return _refused("vendor_linked")
    flash(_("Your vendor now belongs to this company."), "success")
    return redirect(url_for("accounts.company"))
