"""The price-alert form's one gate (marshmallow): what a buyer may subscribe to. No Flask.

The registries come in the schema's context, so GPU, token-model and region names are checked the
same way the offer schema checks them (an id, or a spelling the registry resolves).
"""

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from catalog.registry import Registries, UnknownName
from pricing.display import BILLING_WORDS

KINDS = ("gpu", "token")
# A threshold above this is no alert at all (more than any card-hour or 1M tokens is listed at).
MAX_THRESHOLD = Decimal("1000000")


class AlertSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    model = fields.String(required=True, validate=validate.Length(min=1, max=120))
    region = fields.String(load_default=None, validate=validate.Length(max=64))
    billing = fields.String(load_default=None, validate=validate.OneOf(tuple(BILLING_WORDS)))
    threshold = fields.Decimal(required=True, places=None, allow_nan=False,
                               validate=validate.Range(min=Decimal(0), max=MAX_THRESHOLD, min_inclusive=False))

    def __init__(self, registries: Registries, **kwargs):
        super().__init__(**kwargs)
        self.registries = registries

    @pre_load
    def _blank_is_none(self, data, **_kwargs):
        """A form sends '' for a field left empty: that is 'any region' / 'any billing', not a value."""
        return {k: (v.strip() or None) if isinstance(v, str) else v for k, v in data.items()}

    @validates_schema(skip_on_field_errors=False)
    def _known_names(self, data, **_kwargs):
        errors: dict[str, list[str]] = {}
        threshold = data.get("threshold")
        if threshold is not None and threshold != threshold.quantize(Decimal("0.000001")):
            errors["threshold"] = ["At most 6 decimal places."]
        if data.get("kind") == "token" and (data.get("region") or data.get("billing")):
            errors["kind"] = ["Region and billing apply to GPU alerts only."]
        try:
            self._resolve(data)
        except UnknownName as exc:
            errors["model"] = [exc.message]
        except _BadRegion as exc:
            errors["region"] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    def _resolve(self, data: dict) -> None:
        kind, model = data.get("kind"), data.get("model")
        if kind == "gpu" and model:
            data["model"] = (self.registries.gpus.get(model) or self.registries.gpus.resolve(model)).id
        elif kind == "token" and model:
            data["model"] = (self.registries.token_models.get(model) or self.registries.token_models.resolve(model)).id
        if data.get("region"):
            try:
                data["region"] = (self.registries.regions.get(data["region"])
                                  or self.registries.regions.resolve(data["region"])).id
            except UnknownName as exc:
                raise _BadRegion(exc.message) from None

    @post_load
    def _named(self, data, **_kwargs):
        self._resolve(data)  # validates_schema's resolution does not reach the loaded data
        return data


class _BadRegion(ValueError):
    pass
