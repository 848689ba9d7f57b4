"""POST /api/v1/quote and GET /api/v1/voucher-programs (spec §7). No login; thin: parse, call, render."""

from collections.abc import Mapping

from flask import Blueprint, jsonify
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from catalog.api import BadJson, api_error, bad_json, http_error, json_object
from catalog.context import load_fx
from catalog.registry import default_registries
from extensions import db
from vouchers.models import VoucherProgram
from vouchers.order_quote import QuoteProblem, quote_order
from vouchers.program_json import program_json, quote_json
from vouchers.quote_schema import QuoteSchema
from web.validation import in_language

bp = Blueprint("vouchers_api", __name__, url_prefix="/api/v1")
bp.register_error_handler(HTTPException, http_error)
bp.register_error_handler(BadJson, bad_json)


def _paths(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages keyed by their full path: lines.0.quantity."""
    if isinstance(messages, Mapping):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            for path, texts in _paths(value, f"{prefix}.{key}" if prefix else str(key)).items():
                out.setdefault(path, []).extend(texts)
        return out
    texts = messages if isinstance(messages, list | tuple) else [messages]
    if all(isinstance(t, str) for t in texts):
        return {prefix or "_": [in_language(t) for t in texts]}
    out = {}
    for item in texts:
        for path, more in _paths(item, prefix).items():
            out.setdefault(path, []).extend(more)
    return out


def _bad(details: dict[str, list[str]]):
    text = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in details.items())
    return api_error(400, "bad_parameter", text, details)


@bp.errorhandler(ValidationError)
def bad_body(exc: ValidationError):
    return _bad(_paths(exc.messages))


def _no_store(response):
    # Programmes are loaded and budgets spent without a catalog change: the page cache must not keep them.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/quote")
def quote():
    body = json_object()
    params = QuoteSchema().load(body)
    try:
        result = quote_order(db.session, params["program"],
                             [(line["offer_id"], line["quantity"]) for line in params["lines"]],
                             params["subsidised_this_year"], load_fx(db.session), default_registries())
    except QuoteProblem as exc:
        return _bad({exc.field: [exc.message]})
    return _no_store(jsonify(quote_json(result)))


@bp.get("/voucher-programs")
def voucher_programs():
    programs = db.session.scalars(select(VoucherProgram).order_by(VoucherProgram.valid_from.desc(),
                                                                  VoucherProgram.code))
    return _no_store(jsonify(items=[program_json(db.session, p) for p in programs]))
