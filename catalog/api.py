"""The read-only JSON API, /api/v1 (spec section 5). Thin: parse, call, render."""

from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from catalog import api_openapi
from catalog.bookings import timelines
from catalog.context import load_fx
from catalog.job_prices import job_prices
from catalog.models import Offer
from catalog.offer_query import QUERY_SCHEMA, search_offers
from catalog.program_scope import program_scope, rates_for
from catalog.registry import default_registries
from catalog.serialize import availability_json, history_json, job_json, offer_json, program_json, voucher_json
from catalog.spec_schema import spec_document
from extensions import db
from web import caches
from web.openapi import add_paths, document
from web.validation import field_messages, nul_at

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")


def api_error(status: int, code: str, message, details=None):
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


class BadJson(Exception):
    """The body of a JSON POST is not one JSON object (bad_json, 400)."""


def json_object() -> dict:
    """The request's body as a JSON object. :raise BadJson: not JSON, nested too deeply, or not an object."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # json's decoder recurses per bracket; silent=True only covers ValueError
        raise BadJson("JSON 嵌套过深 / the JSON is nested too deeply") from None
    if not isinstance(body, dict):
        raise BadJson("请求体须为 JSON 对象 / the body must be a JSON object")
    try:
        where = nul_at(body)
    except RecursionError:
        raise BadJson("JSON 嵌套过深 / the JSON is nested too deeply") from None
    if where is not None:
        # PostgreSQL text cannot hold U+0000: refused here, named, rather than failing in a query.
        raise BadJson(f"{where}: 不能含 NUL 字符 / must not contain a NUL character (U+0000)")
    return body




def bad_json(exc: BadJson):
    return api_error(400, "bad_json", str(exc))


@bp.errorhandler(ValidationError)
def bad_parameters(exc: ValidationError):
    messages = field_messages(exc, whole="_")
    text = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in messages.items())
    return api_error(400, "bad_parameter", text, messages)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return api_error(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description)


caches.register(
    "offer-json", __name__, holds="an offer's JSON (serialize.offer_json), on the kept offer object",
    key="offer object", bound="one dict on each offer of offer-records",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)


def kept_json(offer: Offer) -> dict:
    """offer_json(offer), made once per offer object (~20 µs an offer, 20-100 a page). Offers kept by
    catalog.offer_records are replaced by new objects when they change (as for pages.kept_macro),
    so what is kept on one is never stale. Read-only: callers copy before adding to it."""
    kept = offer.__dict__.get("_kept_json")
    if kept is None:
        kept = offer.__dict__["_kept_json"] = offer_json(offer)
    return kept


@bp.get("/offers")
def list_offers():
    params = QUERY_SCHEMA.load(request.args.to_dict())
    params, program = program_scope(db.session, params, default_registries())
    page = search_offers(db.session, params, default_registries())
    program = rates_for(db.session, program, [o.id for o in page.items])
    free = timelines(db.session, list(page.items))
    items = [{**kept_json(o), "availability": availability_json(free[o.id])} for o in page.items]
    if program is not None:
        for item, offer in zip(items, page.items, strict=True):
            item["voucher"] = voucher_json(program, offer)
    if "duration_hours" in params:
        jobs = job_prices(page.items, params["duration_hours"], load_fx(db.session))
        for item in items:
            item["job"] = job_json(jobs[item["id"]])
    body = {"total": page.total, "page": page.page, "per_page": page.per_page, "items": items,
            "facets": page.facets}
    if program is not None:
        body["program"] = program_json(program)
    if page.corrected:
        body["corrected"] = page.corrected
    # Extensions to spec §5 (q stays free text): how q was read, and what was left out when
    # nothing matched all of it.
    if page.understood is not None:
        body["understood"] = page.understood.as_json()
        if page.understood.planner:
            body["understood"]["planner_url"] = url_for("compare.plan", **page.understood.planner)
    if page.relaxed:
        body["relaxed"] = {"ignored": list(page.relaxed)}
    if page.similar_gpus:
        body["similar_gpus"] = list(page.similar_gpus)
    return _no_store(jsonify(body))


def _no_store(response):
    # Free capacity changes with every booking, which is not a catalog change: the page cache
    # (keyed by the catalog version) must never keep an answer that carries it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/offers/<int:offer_id>")
def get_offer(offer_id: int):
    offer = db.session.get(Offer, offer_id, options=[joinedload(Offer.vendor)])
    if offer is None:
        abort(404, description=f"no offer {offer_id}")
    return _no_store(jsonify({**offer_json(offer), "availability": availability_json(timelines(db.session, [offer])[offer.id]),
                              "price_history": [history_json(h) for h in offer.price_history]}))


@bp.get("/gpu-models")
def gpu_models():
    return jsonify(items=[m.as_json() for m in default_registries().gpus.models.values()])


@bp.get("/regions")
def regions():
    return jsonify(items=[r.as_json() for r in default_registries().regions.regions.values()])


@bp.get("/token-models")
def token_models():
    return jsonify(items=[m.as_json() for m in default_registries().token_models.models.values()])


@bp.get("/fx-rates")
def fx_rates():
    return jsonify(load_fx(db.session).as_json())


@bp.get("/spec")
def spec():
    return jsonify(spec_document())


@bp.get("/docs")
def docs():
    """The OpenAPI document as a plain page: operations, parameters, schemas (no scripts, no CDN)."""
    with current_app.app_context():
        doc = document()
    return render_template("api/docs.html", doc=doc)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_paths(app, api_openapi.paths(), api_openapi.SCHEMAS)
