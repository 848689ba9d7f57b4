"""Pages: compare offers side by side, plan a job, see a model's market. Thin: parse, call, render."""

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from markupsafe import Markup
from marshmallow import ValidationError
from sqlalchemy import func, select

from catalog.context import load_fx
from catalog.csv_export import csv_text
from catalog.models import Offer, utcnow
from catalog.offer_query import offers_by_id
from catalog.registry import default_registries
from compare import charts, market
from compare.buy_links import buy_args
from compare.plan_schema import PlanSchema
from compare.planner import Plan, make_plan
from compare.side_by_side import MAX_OFFERS, cheapest_columns, compare_rows, ids_without, parse_ids
from compare.token_table import MAX_ROWS, SORT_KEYS, parse_sort, token_table
from compare.tray_views import tray_ids
from extensions import db
from pricing.period_change import model_changes
from vouchers import after_voucher_totals, programs_in_force
from web.format import listed_price
from web.locale import gettext as _
from web.locale import language
from web.validation import field_messages

bp = Blueprint("compare", __name__)


def _billing_labels() -> dict[str, str]:
    return {"on_demand": _("On demand"), "spot": _("Spot (interruptible)"), "monthly": _("Monthly"),
            "yearly": _("Yearly"), "input_price": _("Input"), "output_price": _("Output"),
            "cached_input_price": _("Cached input")}


def listed_offers(ids: list[int]) -> list[Offer]:
    """These offers, in this order, read-only (catalog.offer_query.offers_by_id)."""
    return offers_by_id(db.session, ids)


@bp.get("/compare")
def compare():
    asked = request.args.getlist("ids")
    ids = parse_ids(asked)
    if len(asked) > 1:
        # Checkboxes send ids=1&ids=2; one ids=1,2 keeps the list whole in every link built from the URL.
        extra = {k: v for k, v in request.args.items() if k != "ids"}
        return redirect(url_for("compare.compare", ids=",".join(map(str, ids)), **extra))
    too_many = len(parse_ids(asked, limit=None)) > MAX_OFFERS
    from_tray = not asked  # no ids in the URL: the visitor's own tray (a link with ids shows those)
    if from_tray:
        ids = tray_ids()
    offers = listed_offers(ids) if ids else []
    rows = compare_rows(offers, default_registries(), language(), utcnow(), listed=listed_price) if offers else []
    cheapest_unit, cheapest_perf = cheapest_columns(rows)
    ids_now = [o.id for o in offers]
    return render_template("compare/compare.html", offers=offers, rows=rows, cheapest_unit=cheapest_unit,
                           cheapest_perf=cheapest_perf, too_many=too_many, missing=len(ids) - len(offers),
                           ids=",".join(map(str, ids_now)), ids_list=ids_now, ids_without=ids_without,
                           max_offers=MAX_OFFERS, from_tray=from_tray)


MODEL_BOXES = 4  # model inputs on the token form; the JSON API takes up to MAX_MODELS


def _plan_request() -> tuple[str, dict, list[str], Plan | None, dict]:
    """(kind, the form's values, the models asked for, the plan or None, errors by field) from the query string."""
    kind = request.args.get("kind", "gpu")
    kind = kind if kind in ("gpu", "cpu", "token") else "gpu"
    args = request.args.to_dict()
    # Each model box sends models=…; one box may hold several, comma-separated.
    models = [m.strip() for value in request.args.getlist("models") for m in value.replace("，", ",").split(",")
              if m.strip()]
    if models:
        args["models"] = ",".join(models)
    result, errors = None, {}
    if any(k in args for k in ("count", "hours", "input_tokens", "daily_active_users")):
        try:
            params = PlanSchema().load({k: v for k, v in args.items() if k not in ("lang", "program")})
            result = make_plan(db.session, params, default_registries(), load_fx(db.session))
        except ValidationError as exc:
            errors = field_messages(exc)
    return kind, args, models, result, errors


@bp.get("/plan")
def plan():
    boxes_sent = request.args.getlist("models")
    if len(boxes_sent) > 1:
        # The model boxes send models=a&models=b&models=; one models=a,b keeps every model in each
        # link built from the URL (the language switch keeps one value per name).
        extra = {k: v for k, v in request.args.items() if k != "models"}
        return redirect(url_for("compare.plan", models=",".join(m.strip() for m in boxes_sent if m.strip()),
                                **extra))
    kind, args, models, result, errors = _plan_request()
    voucher = _after_voucher(args.get("program", "").strip(), result, errors)
    gpu_models = sorted(default_registries().gpus.models.values(), key=lambda m: (m.vendor, m.name))
    boxes = (models + [""] * MODEL_BOXES)[:max(MODEL_BOXES, len(models))]
    return render_template("compare/plan.html", kind=kind, args=args, result=result, errors=errors,
                           voucher=voucher, programs=programs_in_force(db.session),
                           gpu_models=gpu_models, billing_labels=_billing_labels(), lang=language(),
                           model_boxes=boxes, token_models=default_registries().token_models.models.values(),
                           segment_labels=_segment_labels(), csv_args=request.args.to_dict(flat=False),
                           buy_args=buy_args)


def _after_voucher(code: str, result: Plan | None, errors: dict):
    """Each option's total after the chosen programme (vouchers), or None; an unknown code is an error of `program`."""
    if not code:
        return None
    priced = [(i.offer, i.total) for i in result.items if i.total is not None] if result is not None else []
    voucher = after_voucher_totals(db.session, code, priced, default_registries())
    if voucher is None:
        errors["program"] = [_("No voucher programme has the code %(code)s.", code=code)]
    return voucher


def _segment_labels() -> dict[str, str]:
    return {"batch": _("Batch"), "off_peak": _("Off-peak hours"), "normal": _("The rest")}


@bp.get("/plan.csv")
def plan_csv():
    """The plan as CSV, in the page's language; bad input goes back to the form, which says what is wrong."""
    kind, args, _models, result, errors = _plan_request()
    if result is None or errors:
        return redirect(url_for("compare.plan", **request.args.to_dict(flat=False)))
    lang = language()
    if result.kind == "token":
        header = [_("Rank"), _("Model"), _("Vendor"), _("Offer"), _("Offer ID"), _("Total per month (CNY)"),
                  _("Input"), _("Cached input"), _("Cache writes"), _("Output"), _("Discount"), _("Arithmetic")]
        rows = [[rank, i.offer.model, i.offer.vendor.display_name, i.offer.title, i.offer.id, i.total,
                 i.tokens.input_cost, i.tokens.cached_cost, i.tokens.cache_write_cost, i.tokens.output_cost,
                 i.tokens.discount, i.tokens.arithmetic.text(lang)] for rank, i in enumerate(result.items, 1)]
    else:
        header = [_("Rank"), _("Vendor"), _("Offer"), _("Offer ID"), _("Region"), _("Billing term"),
                  _("Total (CNY)"), _("Arithmetic")]
        rows = [[rank, i.offer.vendor.display_name, i.offer.title, i.offer.id, i.offer.region, i.offer.billing,
                 i.total, i.job.arithmetic.text(lang)] for rank, i in enumerate(result.items, 1)]
    return Response(csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="plan-{kind}.csv"'})


@bp.get("/market")
def market_index():
    gpu_counts = db.session.execute(
        select(Offer.gpu_model, func.count(), func.min(Offer.unit_price))
        .where(Offer.kind == "gpu", Offer.status == "active").group_by(Offer.gpu_model)
        .order_by(func.count().desc())).all()
    token_counts = db.session.execute(
        select(Offer.model, func.count(), func.min(Offer.input_price))
        .where(Offer.kind == "token", Offer.status == "active").group_by(Offer.model)
        .order_by(func.count().desc(), Offer.model)).all()
    registries = default_registries()
    return render_template("compare/market_index.html", gpu_counts=gpu_counts, token_counts=token_counts,
                           gpus=registries.gpus, tokens=registries.token_models)


def _changes(offers: list[Offer]) -> dict:
    """The cheapest price's 7- and 30-day change, and that price as the alert link's threshold."""
    cheapest = offers[0].unit_price if offers else None  # the offers come cheapest first
    histories = market.price_histories(db.session, [o.id for o in offers])
    return {"changes": model_changes(histories, cheapest, utcnow()),
            "alert_threshold": format(cheapest.normalize(), "f") if cheapest is not None else None}


@bp.get("/market/gpu/<model_id>")
def market_gpu(model_id: str):
    gpu = default_registries().gpus.get(model_id)
    if gpu is None:
        abort(404)
    offers = market.gpu_offers(db.session, gpu.id)
    spreads = market.spread_by_billing(offers)
    labels = _billing_labels()
    range_svg = charts.range_chart(
        spreads, labels, _("%(model)s: card-hour prices today", model=gpu.name),
        _("CNY per card-hour (min · median · max)"), _("offers")) if spreads else ""
    trend = market.daily_medians(db.session, [o.id for o in offers], "unit_price", group_by_billing=True)
    trend_svg = charts.trend_chart(trend, labels, _("%(model)s: median card-hour price over time", model=gpu.name),
                                   _("CNY per card-hour")) if trend else ""
    return render_template("compare/market_gpu.html", gpu=gpu, offers=offers, spreads=spreads, **_changes(offers),
                           by_vendor=market.cheapest_by_vendor(offers), labels=labels,
                           range_svg=Markup(range_svg), trend_svg=Markup(trend_svg),
                           trend_days=len({d for pts in trend.values() for d, _ in pts}))


@bp.get("/market/token/<model_id>")
def market_token(model_id: str):
    model = default_registries().token_models.get(model_id)
    offers = market.token_offers(db.session, model_id)
    if model is None and not offers:
        abort(404)
    name = model.name if model else model_id
    spreads = market.spread_by_side(offers)
    labels = _billing_labels()
    range_svg = charts.range_chart(
        spreads, labels, _("%(model)s: token prices today", model=name),
        _("CNY per 1M tokens (min · median · max)"), _("offers")) if spreads else ""
    trend = {}
    for side in ("input_price", "output_price"):
        trend.update(market.daily_medians(db.session, [o.id for o in offers], side, group_by_billing=False))
    trend_svg = charts.trend_chart(trend, labels, _("%(model)s: median price over time", model=name),
                                   _("CNY per 1M tokens")) if trend else ""
    return render_template("compare/market_token.html", name=name, model_id=model_id, offers=offers, **_changes(offers),
                           family=model.family if model else "",
                           spreads=spreads, labels=labels, range_svg=Markup(range_svg), trend_svg=Markup(trend_svg),
                           trend_days=len({d for pts in trend.values() for d, _ in pts}))


@bp.get("/market/tokens/compare")
def token_compare():
    """Every token model × provider, sortable by any column (?sort=output, ?sort=-context_window);
    ?filed=1 keeps only models filed in China."""
    family, vendor = request.args.get("family", "").strip(), request.args.get("vendor", "").strip()
    filed = request.args.get("filed", "").strip().lower() in ("1", "true", "on", "yes")
    sort_key, descending = parse_sort(request.args.get("sort"))
    table = token_table(db.session, default_registries(), family=family, vendor=vendor, filed_only=filed,
                        sort=("-" if descending else "") + sort_key)
    return render_template("compare/token_table.html", table=table, family=family, vendor=vendor, filed=filed,
                           sort_key=sort_key, descending=descending, sort_keys=SORT_KEYS, max_rows=MAX_ROWS)
