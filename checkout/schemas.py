"""Checkout input: the one validation path for cart and checkout forms."""

import contextlib
from datetime import datetime, timedelta

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from web.converters import Id

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
