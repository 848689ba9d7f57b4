"""The public programme pages (/vouchers, /vouchers/<code> with its "Apply" section) and the offer page's
"after voucher" panel. Thin."""

from dataclasses import dataclass
from decimal import Decimal

from flask import Blueprint, abort, render_template, request
from markupsafe import Markup
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select

from catalog.models import Offer, Vendor
from catalog.program_scope import EXTENSION as PROGRAM_EXTENSION
from catalog.registry import default_registries
from extensions import db
from pricing.voucher_split import Reason, after_voucher, line_rate
from vouchers import program_filter
from vouchers.application_schemas import DOCUMENT_MAX_BYTES, MAX_DOCUMENTS
from vouchers.apply_panel import PROBLEMS, STATUS_WORDS, ApplyPanel, apply_panel
from vouchers.budget import consumed, remaining_budget
from vouchers.budget_chart import budget_bar
from vouchers.eligible_offers import PER_PAGE, eligible_offers
from vouchers.models import VoucherProgram
from vouchers.order_quote import program_by_code, today_in_china
from vouchers.program_terms import terms_of, voucher_line
from vouchers.program_words import (
    headline_rate,
    percent,
    reason_words,
    regions_in_words,
    rules_in_words,
    vendors_in_words,
)
from web.format import total, vendor_name
from web.locale import gettext as _

bp = Blueprint("vouchers", __name__)


@dataclass(frozen=True)
class Budget:
    budget: Decimal | None
    used: Decimal
    left: Decimal | None
    chart: Markup | None


def _programs() -> list[VoucherProgram]:
    return list(db.session.scalars(select(VoucherProgram).order_by(VoucherProgram.valid_from.desc(),
                                                                   VoucherProgram.code)))


def _budget(program: VoucherProgram) -> Budget:
    used, left = consumed(db.session, program), remaining_budget(db.session, program)
    chart = None
    if program.budget is not None:
        chart = Markup(budget_bar(program.budget, used, _("Used %(used)s, left %(left)s", used=total(used),
                                                            left=total(left))))
    return Budget(program.budget, used, left, chart)


def _no_store(html: str):
    # Programmes are loaded and budgets spent without a catalog change: the page cache must not keep them.
    return html, 200, {"Cache-Control": "no-store"}


@bp.get("/vouchers")
def index():
    programs = _programs()
    return _no_store(render_template(
        "vouchers/index.html", programs=programs, budgets={p.code: _budget(p) for p in programs},
        headline={p.code: percent(headline_rate(p)) for p in programs},
        company_regions={p.code: regions_in_words(p.company_regions) for p in programs}))


@bp.get("/vouchers/<code>")
def program(code: str):
    """:raise 404: no programme with this code."""
    found = program_by_code(db.session, code)
    if found is None:
        abort(404)
    return program_page(found, apply_panel(found))


def program_page(found: VoucherProgram, panel: ApplyPanel, status: int = 200):
    """The programme page with its "Apply" section as `panel` says (a refused form comes back with its errors)."""
    names = {v.slug: vendor_name(v) for v in db.session.scalars(select(Vendor).where(Vendor.slug.in_(found.vendors)))}
    html = render_template(
        "vouchers/program.html", program=found, budget=_budget(found), rules=rules_in_words(found), percent=percent,
        company_regions=regions_in_words(found.company_regions), offer_regions=regions_in_words(found.offer_regions),
        vendors=vendors_in_words(found.vendors, names), today=today_in_china(), apply=panel, problems=PROBLEMS,
        status_words=STATUS_WORDS, max_documents=MAX_DOCUMENTS, max_mb=DOCUMENT_MAX_BYTES // (1024 * 1024))
    return html, status, {"Cache-Control": "no-store"}


class EligibleQuery(Schema):
    kind = fields.String(load_default="gpu", validate=validate.OneOf(["gpu", "cpu", "token"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))


@bp.get("/vouchers/<code>/offers")
def offers(code: str):
    """The offers the programme pays for, cheapest after the voucher first. :raise 404: no such programme."""
    found = program_by_code(db.session, code)
    if found is None:
        abort(404)
    try:
        params = EligibleQuery().load(request.args.to_dict(), unknown=EXCLUDE)
    except ValidationError:
        abort(400)
    count, page = eligible_offers(db.session, found, default_registries(), params["kind"], params["page"])
    last = max(1, -(-count // PER_PAGE))
    return _no_store(render_template("vouchers/offers.html", program=found, kind=params["kind"], count=count,
                                     items=page, page=params["page"], last=last, percent=percent))


@dataclass(frozen=True)
class AfterVoucher:
    program: VoucherProgram
    eligible: bool
    reason: str
    rate: str
    platform_rate: str
    unit_price: Decimal | None


def offer_panel(offer: Offer) -> Markup:
    """The offer page's programme selector and, for the chosen one (?program=code), the price after it."""
    programs = _programs()
    if not programs:
        return Markup("")
    chosen = program_by_code(db.session, request.args.get("program", "")) if request.args.get("program") else None
    after = None
    if chosen is not None:
        registries = default_registries()
        rate, reason, _rule = line_rate(voucher_line(offer, Decimal(0), registries),
                                        terms_of(chosen, registries.regions), today_in_china())
        eligible = reason is Reason.RULE and rate > 0
        after = AfterVoucher(chosen, eligible, reason_words(reason.value), percent(rate),
                             percent(chosen.platform_rate),
                             after_voucher(offer.unit_price, rate, chosen.platform_rate) if eligible else None)
    return Markup(render_template("vouchers/_offer_panel.html", offer=offer, programs=programs,
                                  chosen=chosen, after=after))


def init_app(app) -> None:
    from web.nav import add_nav

    app.register_blueprint(bp)
    add_nav(app, 55, "vouchers.index", "Compute vouchers")
    app.extensions.setdefault("offer_panels", []).append(offer_panel)
    app.extensions[PROGRAM_EXTENSION] = program_filter.SOURCE

    @app.after_request
    def offer_page_with_a_programme_is_not_cached(response):
        # The page cache keys by catalog version; a programme (and the date it is in force) changes without one.
        if request.endpoint in ("catalog_pages.offer", "catalog_pages.browse", "compare.plan") \
                and request.args.get("program"):
            response.headers["Cache-Control"] = "no-store"
        return response
