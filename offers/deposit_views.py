"""The stall's deposits: the deposit form (存入闲置算力) and my deposits (我的存入). Thin: parse, call, render.

Routes join the stall blueprint; every query is scoped to the logged-in member's vendor.
"""

from decimal import Decimal

from flask import current_app, flash, redirect, render_template, request, url_for

from accounts import vendor_required
from catalog.context import catalog_context
from catalog.models import Vendor
from catalog.registry import default_registries
from extensions import db
from offers.deposits import FIELDS, my_deposits, save_deposit, split
from offers.stall_views import CsrfOnlyForm, bp
from pricing.money import AmountError, parse_amount
from web.locale import gettext as _
from web.validation import in_language

EXAMPLE_PRICE = Decimal("10.00")  # the commission line's example until the vendor types a price


def _rate() -> Decimal:
    return current_app.config["BANK_COMMISSION_RATE"]


def _typed_price(values: dict) -> Decimal:
    """The price as typed when it reads as a positive amount, else the example."""
    try:
        amount, _hint = parse_amount(values.get("price") or "")
    except AmountError:
        return EXAMPLE_PRICE
    return amount if amount > 0 else EXAMPLE_PRICE


def _render_form(vendor: Vendor, values: dict, errors: dict, status: int = 200):
    regs = default_registries()
    rate = _rate()
    return render_template(
        "stall/deposit_form.html", vendor=vendor, values=values, fields=FIELDS, form=CsrfOnlyForm(),
        errors={k: [in_language(m) for m in v] for k, v in errors.items()},
        share=split(_typed_price(values), rate), rate_percent=f"{(rate * 100).normalize():f}%",
        gpu_models=regs.gpus.models.values(), regions=regs.regions.regions.values()), status


@bp.route("/deposits/new", methods=["GET", "POST"])
@vendor_required
def new_deposit(vendor: Vendor):
    if request.method == "GET":
        return _render_form(vendor, {"gpu_count": "8", "stock": "1"}, {})
    posted = request.form.to_dict()
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        return _render_form(vendor, posted, {"_": form.errors.get("csrf_token", [])}, 400)
    if posted.get("action") == "preview":  # show the commission on the typed price; save nothing
        return _render_form(vendor, posted, {})
    errors = save_deposit(db.session, vendor, catalog_context(db.session), posted)
    if errors:
        return _render_form(vendor, posted, errors, 400)
    flash(_("Capacity deposited: buyers can find and book it now."), "success")
    return redirect(url_for("stall.deposits"))


@bp.get("/deposits")
@vendor_required
def deposits(vendor: Vendor):
    rate = _rate()
    return render_template("stall/deposits.html", vendor=vendor, deposits=my_deposits(db.session, vendor, rate),
                           rate_percent=f"{(rate * 100).normalize():f}%")
