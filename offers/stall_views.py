"""The vendor's stall: their offers, the listing form, its live price preview and registry look-ups.

Every query here is scoped to the logged-in member's vendor: another vendor's offer is a 404.
"""

from types import SimpleNamespace

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from sqlalchemy import func, select

from accounts import vendor_required
from catalog.context import catalog_context
from catalog.models import ImportRun, Offer, Vendor, utcnow
from catalog.registry import default_registries
from extensions import db
from offers.offer_form import FIELDS, offer_to_form, preview_offer, save_offer
from offers.registry_lookup import lookup
from pricing import display
from pricing.display import normalized_text
from pricing.units import Billing, Kind, PriceUnit
from web.locale import gettext as _
from web.locale import language
from web.validation import field_messages, in_language  # in_language: upload_views imports it from here

bp = Blueprint("stall", __name__, url_prefix="/stall")


class CsrfOnlyForm(FlaskForm):
    """A form whose fields OfferSchema checks; Flask-WTF checks only the CSRF token."""


def own_offer(vendor: Vendor, offer_id: int) -> Offer:
    """:raise 404: no such offer, or it belongs to another vendor."""
    offer = db.session.scalar(select(Offer).where(Offer.id == offer_id, Offer.vendor_id == vendor.id))
    if offer is None:
        abort(404)
    return offer


def _choices() -> dict:
    fx, lang = catalog_context(db.session).fx, language()
    return {
        "kind": [(k.value, display.kind_label(k.value, lang)) for k in Kind],
        "billing": [(b.value, display.billing_label(b.value, lang)) for b in Billing],
        "price_unit": [(u.value, display.unit_label(u.value, lang)) for u in PriceUnit],
        "currency": [(c, c) for c in sorted({"CNY", *fx.rates})],
        "cpu_arch": [("", "—"), ("x86_64", "x86_64"), ("arm64", "arm64")],
    }


def _render_form(vendor: Vendor, values: dict, errors: dict, offer: Offer | None, status: int = 200):
    regs = default_registries()
    shown = {k: [in_language(m) for m in v] for k, v in errors.items()}
    return render_template(
        "stall/offer_form.html", vendor=vendor, offer=offer, values=values, errors=shown, fields=FIELDS,
        choices=_choices(), form=CsrfOnlyForm(), gpu_models=regs.gpus.models.values(),
        regions=regs.regions.regions.values(), token_models=regs.token_models.models.values()), status


@bp.get("/")
@vendor_required
def dashboard(vendor: Vendor):
    offers = db.session.scalars(select(Offer).where(Offer.vendor_id == vendor.id)
                                .order_by(Offer.status, Offer.kind, Offer.sku)).all()
    runs = db.session.scalar(select(func.count(ImportRun.id)).where(ImportRun.vendor_id == vendor.id))
    lang = language()
    return render_template("stall/dashboard.html", vendor=vendor, offers=offers, runs=runs, form=CsrfOnlyForm(),
                           prices={o.id: normalized_text(_offer_prices(o), lang) for o in offers})


def _offer_prices(offer: Offer) -> dict:
    return {"kind": offer.kind, "unit_price": offer.unit_price, "input_price": offer.input_price,
            "output_price": offer.output_price}


@bp.route("/offers/new", methods=["GET", "POST"])
@vendor_required
def new_offer(vendor: Vendor):
    if request.method == "GET":
        return _render_form(vendor, {"kind": request.args.get("kind", "gpu"), "currency": "CNY",
                                     "billing": "on_demand", "price_unit": "card_hour"}, {}, None)
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        return _render_form(vendor, request.form.to_dict(), {"_": form.errors.get("csrf_token", [])}, None, 400)
    errors = save_offer(db.session, vendor, catalog_context(db.session), request.form.to_dict())
    if errors:
        return _render_form(vendor, request.form.to_dict(), errors, None, 400)
    flash(_("Offer listed."), "success")
    return redirect(url_for("stall.dashboard"))


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@vendor_required
def edit_offer(vendor: Vendor, offer_id: int):
    offer = own_offer(vendor, offer_id)
    if request.method == "GET":
        return _render_form(vendor, offer_to_form(offer), {}, offer)
    form = CsrfOnlyForm()
    posted = {**request.form.to_dict(), "kind": offer.kind}  # an offer keeps its kind (its unit depends on it)
    if not form.validate_on_submit():
        return _render_form(vendor, posted, {"_": form.errors.get("csrf_token", [])}, offer, 400)
    errors = save_offer(db.session, vendor, catalog_context(db.session), posted, existing=offer)
    if errors:
        return _render_form(vendor, posted, errors, offer, 400)
    flash(_("Offer saved."), "success")
    return redirect(url_for("stall.dashboard"))


def _set_status(vendor: Vendor, offer_id: int, status: str, done: str):
    offer = own_offer(vendor, offer_id)
    if CsrfOnlyForm().validate_on_submit() and offer.status != status:
        offer.status, offer.updated_at = status, utcnow()
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("stall.dashboard"))


@bp.post("/offers/<int:offer_id>/delist")
@vendor_required
def delist_offer(vendor: Vendor, offer_id: int):
    return _set_status(vendor, offer_id, "delisted",
                       _("Offer delisted: its page and price history stay visible as no longer offered."))


@bp.post("/offers/<int:offer_id>/relist")
@vendor_required
def relist_offer(vendor: Vendor, offer_id: int):
    return _set_status(vendor, offer_id, "active", _("Offer listed again."))


@bp.post("/offers/preview")
@vendor_required
def price_preview(vendor: Vendor):
    """The normalized price of the form as typed, by the same schema and pricing code as saving."""
    try:
        offer = preview_offer(catalog_context(db.session), request.form.to_dict())
    except ValidationError as exc:
            return jsonify(ok=False, errors=field_messages(exc, whole="_"))
    lang = language()
    # The off-peak price and the other spec 4.1 facts read back beside the price, as the offer page will show them.
    text = " · ".join([normalized_text(offer, lang), *display.detail_lines(SimpleNamespace(**offer), lang)])
    return jsonify(ok=True, text=text, unit_price=format(offer["unit_price"], "f"))


@bp.get("/lookup/<any('gpu-models', 'regions', 'token-models'):registry>")
@vendor_required
def registry_lookup(vendor: Vendor, registry: str):
    return jsonify(items=lookup(default_registries(), registry, request.args.get("q", ""),
                                language()))


def init_app(app) -> None:
    from werkzeug.exceptions import RequestEntityTooLarge

    from offers import (
        deposit_views,  # noqa: F401 - adds the deposit form and my deposits to bp
        key_views,  # noqa: F401 - adds the API keys page to bp
        stall_models,  # noqa: F401 - the stall's tables
        upload_views,  # adds the upload routes to bp
        vendor_api,
    )
    from web.nav import add_nav

    # UPLOAD_* and the request size limit (MAX_CONTENT_LENGTH) come from settings.py.
    app.register_error_handler(RequestEntityTooLarge, upload_views.too_large)
    app.register_blueprint(bp)
    vendor_api.init_app(app)
    add_nav(app, 80, "stall.dashboard", "My stall")
