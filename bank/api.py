"""POST /api/v1/schedule: the cheapest schedule for a job that can wait (spec §8), as JSON. Thin."""

from flask import Blueprint, jsonify, request
from marshmallow import ValidationError

from bank.schedule_schema import ScheduleSchema
from bank.scheduling import make_schedule, schedule_json
from catalog.api import api_error, bad_parameters
from catalog.registry import default_registries
from extensions import db

bp = Blueprint("bank_api", __name__, url_prefix="/api/v1")
bp.register_error_handler(ValidationError, bad_parameters)


@bp.post("/schedule")
def schedule():
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # json's decoder recurses per bracket; silent=True only covers ValueError
        return api_error(400, "bad_json", "JSON 嵌套过深 / the JSON is nested too deeply")
    if not isinstance(body, dict):
        return api_error(400, "bad_json", "请求体须为 JSON 对象 / the body must be a JSON object")
    params = ScheduleSchema().load(body)
    result = make_schedule(db.session, params, default_registries())
    response = jsonify(schedule_json(result))
    response.headers["Cache-Control"] = "no-store"  # free capacity changes with every booking
    return response
