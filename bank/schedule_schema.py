"""A schedule request (spec §8): one schema for POST /api/v1/schedule and the /schedule form."""

from datetime import datetime
from decimal import Decimal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from pricing.availability import AvailabilityError, parse_local_time

MAX_CARDS = 10_000
MAX_SPAN_HOURS = 31 * 24  # how far apart earliest_start and deadline may be
MAX_REGIONS = 50
MAX_PRICE = Decimal(1_000_000)
_CHECKBOX_TRUE = {"on", "1", "true", "yes"}


class Moment(fields.Field):
    """An ISO date-time (Asia/Shanghai when it names no offset) as naive UTC."""

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        if not isinstance(value, str) or len(value) > 40:
            raise ValidationError("须为 ISO 日期时间，如 2026-12-01T00:00:00+08:00 / "
                                  "an ISO date-time, e.g. 2026-12-01T00:00:00+08:00")
        try:
            return parse_local_time(value)
        except AvailabilityError as exc:
            raise ValidationError(str(exc)) from None


class ScheduleSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    gpu_model = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    min_gpu_memory_gb = fields.Decimal(load_default=None, allow_none=True, allow_nan=False,
                                       validate=validate.Range(min=0, max=10_000, min_inclusive=False))
    cards = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CARDS))
    hours = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_SPAN_HOURS))
    earliest_start = Moment(load_default=None, allow_none=True)
    deadline = Moment(required=True)
    splittable = fields.Boolean(load_default=True)
    min_block_hours = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=MAX_SPAN_HOURS))
    regions = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list,
                          validate=validate.Length(max=MAX_REGIONS))
    max_unit_price = fields.Decimal(load_default=None, allow_none=True, allow_nan=False,
                                    validate=validate.Range(min=0, max=MAX_PRICE))
    allow_spot = fields.Boolean(load_default=False)
    same_machine = fields.Boolean(load_default=False)

    @validates_schema
    def _consistent(self, data, **kwargs):
        if data.get("gpu_model") is None and data.get("min_gpu_memory_gb") is None:
            raise ValidationError("须给出 GPU 型号或最小显存 / give gpu_model or min_gpu_memory_gb", "gpu_model")
        hours, shortest = data.get("hours"), data.get("min_block_hours")
        if hours is not None and shortest is not None and shortest > hours:
            raise ValidationError("最短块不能长于总时长 / min_block_hours cannot exceed hours", "min_block_hours")


class ScheduleFormSchema(ScheduleSchema):
    """The /schedule page's query string: the same fields, as a form sends them."""

    cards = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_CARDS))
    hours = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_SPAN_HOURS))
    min_block_hours = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_SPAN_HOURS))

    @pre_load
    def _form(self, data, **kwargs):
        data = {k: v for k, v in dict(data).items() if v not in ("", None)}
        for name in ("splittable", "allow_spot", "same_machine"):
            data[name] = str(data.get(name, "")).lower() in _CHECKBOX_TRUE
        if isinstance(data.get("regions"), str):
            data["regions"] = [w for w in data["regions"].replace("，", ",").split(",") if w.strip()]
        return data


class BookSchema(Schema):
    """Booking a shown schedule: where the receipt goes, the form's token, and the blocks shown."""

    class Meta:
        unknown = EXCLUDE

    email = fields.Email(required=True, validate=validate.Length(max=254))
    checkout_token = fields.String(required=True, validate=validate.Length(min=16, max=64))
    blocks = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
