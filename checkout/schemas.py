"""Checkout input: the one validation path for cart and checkout forms."""

import contextlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from web.converters import Id
from web.format import LOCAL_ZONE

SHANGHAI = timedelta(hours=8)
START_FORMAT = "%Y-%m-%dT%H:%M"
COUNT = validate.Range(min=1, max=1_000_000)
CHOICES = ("instances", "hours", "terms", "packs", "start")


class LocalStart(fields.Field):
    """'2026-12-05T22:00' in Asia/Shanghai (an <input type=datetime-local>) -> naive UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            local = datetime.strptime(str(value).strip()[:16], START_FORMAT)
        except ValueError:
            raise ValidationError("Not a date and time (YYYY-MM-DDTHH:MM).") from None
        return local - SHANGHAI

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else (value + SHANGHAI).strftime(START_FORMAT)


class CartLineSchema(Schema):
    """Contract C1: the buy page's fields; those that do not fit the offer's unit are ignored."""

    class Meta:
        unknown = EXCLUDE  # whatever else the browser sends (a price, say) is never read

    offer_id = Id(required=True)
    instances = fields.Integer(load_default=None, strict=False, validate=COUNT)
    hours = fields.Integer(load_default=None, strict=False, validate=COUNT)
    terms = fields.Integer(load_default=None, strict=False, validate=COUNT)
    packs = fields.Integer(load_default=None, strict=False, validate=COUNT)
    start = LocalStart(load_default=None)


def filled(form: dict) -> dict:
    """The form without its empty fields (a hidden 'terms' box on an hourly offer sends '')."""
    return {k: v for k, v in form.items() if str(v).strip() != ""}


def prefill(args: dict) -> dict:
    """C1 query parameters for the buy page: each valid one, each invalid one ignored (never an error)."""
    schema, found = CartLineSchema(), {}
    for name in CHOICES:
        if str(args.get(name, "")).strip():
            with contextlib.suppress(ValidationError):
                found[name] = schema.load({"offer_id": 1, name: args[name]})[name]
    return found


class OfferIdSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    offer_id = Id(required=True)


class CheckoutSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    checkout_token = fields.String(required=True, validate=validate.Length(min=16, max=64))


LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
MAX_NOTES = 2000
MAX_DELIVERED = Decimal(10**15)


class LocalTime(fields.Field):
    """A local Asia/Shanghai 'YYYY-MM-DDTHH:MM' in, a naive UTC datetime out."""

    default_error_messages = {"invalid": "Enter a date and time as YYYY-MM-DDTHH:MM."}

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            local = datetime.strptime(str(value).strip()[:16], LOCAL_FORMAT)
        except ValueError:
            raise self.make_error("invalid") from None
        return local.replace(tzinfo=LOCAL_ZONE).astimezone(UTC).replace(tzinfo=None)


class DeliveryStepSchema(Schema):
    """A vendor's delivery step from the stall form; "delivered" needs start < end and an amount."""

    class Meta:
        unknown = EXCLUDE

    state = fields.String(required=True, validate=validate.OneOf(["delivering", "delivered"]))
    start = LocalTime(required=True)
    end = LocalTime(load_default=None)
    amount = fields.Decimal(load_default=None, allow_nan=False,
                            validate=validate.Range(min=0, min_inclusive=False, max=MAX_DELIVERED))
    unit = fields.String(load_default=None, validate=validate.OneOf(["card_hour", "core_hour", "token"]))
    notes = fields.String(load_default=None, validate=validate.Length(max=MAX_NOTES))

    @pre_load
    def blanks_are_absent(self, data, **kwargs):
        given = {k: v for k, v in data.items() if not (v is None or (isinstance(v, str) and not v.strip()))}
        self._given = set(given)  # a field given but refused has its own message; "required" would add a wrong one
        return given

    @validates_schema(skip_on_field_errors=False)
    def delivered_says_what_and_when(self, data, **kwargs):
        if data.get("state") != "delivered":
            return
        errors = {}
        for name in ("end", "amount", "unit"):
            if data.get(name) is None and name not in getattr(self, "_given", ()):
                errors[name] = ["Required to mark the line delivered."]
        if data.get("end") is not None and data.get("start") is not None and data["end"] <= data["start"]:
            errors["end"] = ["Must be after the start."]
        if errors:
            raise ValidationError(errors)
