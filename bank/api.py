"""POST /api/v1/schedule: the cheapest schedule for a job that can wait (spec §8), as JSON. Thin."""

from flask import Blueprint, jsonify
from marshmallow import ValidationError

from bank.schedule_schema import ScheduleSchema
from bank.scheduling import make_schedule, schedule_json
from catalog.api import BadJson, bad_json, bad_parameters, json_object
from catalog.registry import default_registries
from extensions import db

bp = Blueprint("bank_api", __name__, url_prefix="/api/v1")
bp.register_error_handler(ValidationError, bad_parameters)
bp.register_error_handler(BadJson, bad_json)


@bp.post("/schedule")
def schedule():
    body = json_object()
    params = ScheduleSchema().load(body)
    result = make_schedule(db.session, params, default_registries())
    response = jsonify(schedule_json(result))
    response.headers["Cache-Control"] = "no-store"  # free capacity changes with every booking
    return response
