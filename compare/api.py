"""POST /api/v1/plan (the cost planner) and GET /api/v1/token-models/suggest (its type-ahead) as JSON. Thin."""

from flask import Blueprint, jsonify, request
from marshmallow import ValidationError

from catalog.api import BadJson, api_error, bad_json, bad_parameters, json_object
from catalog.context import load_fx
from catalog.registry import default_registries
from compare.plan_json import plan_json
from compare.plan_schema import PlanSchema
from compare.planner import make_plan
from extensions import db

bp = Blueprint("compare_api", __name__, url_prefix="/api/v1")
bp.register_error_handler(ValidationError, bad_parameters)
bp.register_error_handler(BadJson, bad_json)


MAX_QUERY = 100


@bp.get("/token-models/suggest")
def token_model_suggestions():
    """Token models whose names, aliases or family words (both languages) hold `q`, best first."""
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY:
        return api_error(400, "bad_parameter", f"q 最长 {MAX_QUERY} 个字符 / q is at most {MAX_QUERY} characters",
                         {"q": [f"at most {MAX_QUERY} characters"]})
    found = default_registries().token_models.search(query)
    return jsonify({"query": query, "count": len(found), "items": [m.as_json() for m in found]})


@bp.post("/plan")
def plan():
    body = json_object()
    params = PlanSchema().load(body)
    result = make_plan(db.session, params, default_registries(), load_fx(db.session))
    return jsonify(plan_json(result))
