"""The body of POST /api/v1/quote (spec §7), one marshmallow schema."""

from decimal import Decimal, InvalidOperation

from marshmallow import RAISE, Schema, ValidationError, fields, validate

MAX_LINES = 50
MAX_QUANTITY = 10**9  # above every unit's limit (pricing.line_total.QUANTITY_LIMITS), which names the real one


class Quantity(fields.Field):
    """A whole number of purchase units, as a JSON number or a decimal string ("576", 576, "576.0")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | str | float):
            raise ValidationError("must be a whole number of the offer's purchase unit")
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError("not a number") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValidationError("must be a whole number of the offer's purchase unit")
        if number <= 0:
            raise ValidationError("must be greater than 0")
        if number > MAX_QUANTITY:
            raise ValidationError(f"must be at most {MAX_QUANTITY}")
        return int(number)


class LineSchema(Schema):
    class Meta:
        unknown = RAISE

    offer_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    quantity = Quantity(required=True)


class QuoteSchema(Schema):
    class Meta:
        unknown = RAISE

    lines = fields.List(fields.Nested(LineSchema), required=True,
                        validate=validate.Length(min=1, max=MAX_LINES,
                                                 error=f"between 1 and {MAX_LINES} lines"))
    program = fields.String(required=True, validate=validate.Length(min=1, max=64))
    subsidised_this_year = fields.Decimal(load_default=Decimal(0), allow_nan=False, validate=[validate.Range(
        min=Decimal(0), max=Decimal(10) ** 15), lambda v: _to_the_fen(v)])


def _to_the_fen(value: Decimal) -> None:
    # Read from the digits, not by quantize: that could overflow on a long number (a 500).
    _, digits, exponent = value.as_tuple()
    places = -exponent - (len(digits) - len("".join(map(str, digits)).rstrip("0"))) if isinstance(exponent, int) else 0
    if places > 2 and any(digits):
        raise ValidationError("at most 2 decimal places (yuan to the fen)")
