"""Checkout input: the one validation path for cart and checkout forms."""

from marshmallow import EXCLUDE, Schema, fields, validate

from web.converters import Id


class CartLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # whatever else the browser sends (a price, say) is never read

    offer_id = Id(required=True)
    quantity = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=1_000_000))


class OfferIdSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    offer_id = Id(required=True)


class CheckoutSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    checkout_token = fields.String(required=True, validate=validate.Length(min=16, max=64))
