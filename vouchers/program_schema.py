"""The voucher programme file of spec §7, checked by one marshmallow schema (the CLI loader's gate).

Beyond the spec's keys a file may say `example` (true for the seed programmes: figures of a real
programme, rules simplified), `how_to_apply` ({"zh", "en"}) and `source` (the issuer's notice).
"""

from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

from catalog.registry import default_registries
from pricing.units import Billing, Kind
from pricing.voucher_split import FLAG_KEYS, LIST_KEYS, WHEN_KEYS

CODE = r"^[a-z0-9][a-z0-9-]{0,63}$"


def _rate() -> fields.Decimal:
    return fields.Decimal(required=True, allow_nan=False, as_string=True,
                          validate=[validate.Range(min=Decimal(0), max=Decimal(1)), _places(4)])


def _yuan(**kw) -> fields.Decimal:
    return fields.Decimal(allow_nan=False, as_string=True, validate=[
        validate.Range(min=Decimal(0), max=Decimal(10) ** 15), _places(2)], **kw)


def _places(n: int):
    def check(value: Decimal) -> None:
        # Read from the digits, not by quantize: that could overflow on a long number.
        _, digits, exponent = value.as_tuple()
        trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
        if isinstance(exponent, int) and any(digits) and -exponent - trailing > n:
            raise ValidationError(f"at most {n} decimal places")
    return check


class Words(Schema):
    """A text in both languages."""

    class Meta:
        unknown = RAISE

    zh = fields.String(required=True, validate=validate.Length(min=1, max=200))
    en = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LongWords(Words):
    zh = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    en = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class RuleSchema(Schema):
    class Meta:
        unknown = RAISE

    when = fields.Dict(keys=fields.String(), load_default=dict)
    rate = _rate()

    @validates("when")
    def check_when(self, when: dict, **_) -> None:
        regs = default_registries()
        allowed = {"kind": {k.value for k in Kind}, "billing": {b.value for b in Billing},
                   "gpu_model": set(regs.gpus.models), "model": set(regs.token_models.models)}
        for key, value in when.items():
            if key not in WHEN_KEYS:
                raise ValidationError(f"unknown key {key!r} (one of {', '.join(WHEN_KEYS)})")
            if key in FLAG_KEYS:
                if not isinstance(value, bool):
                    raise ValidationError(f"{key} must be true or false")
                continue
            assert key in LIST_KEYS
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                raise ValidationError(f"{key} must be a non-empty list of ids")
            unknown = sorted(set(value) - allowed[key])
            if unknown:
                raise ValidationError(f"{key}: unknown {', '.join(map(repr, unknown))}")


def _region_ids(value: list[str]) -> None:
    unknown = sorted(set(value) - set(default_registries().regions.regions))
    if unknown:
        raise ValidationError(f"unknown region ids {', '.join(map(repr, unknown))} (the ids of /api/v1/regions)")


class ProgramSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=validate.Regexp(CODE, error="lowercase letters, digits and -"))
    name = fields.Nested(Words, required=True)
    issuer = fields.Nested(Words, required=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    budget = _yuan(load_default=None)
    cap_per_company_per_year = _yuan(load_default=None)
    company_regions = fields.List(fields.String(), load_default=list, validate=_region_ids)
    vendors = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=list)
    offer_regions = fields.List(fields.String(), load_default=list, validate=_region_ids)
    platform_rate = fields.Decimal(load_default=Decimal(0), allow_nan=False, as_string=True,
                                   validate=[validate.Range(min=Decimal(0), max=Decimal(1)), _places(4)])
    rules = fields.List(fields.Nested(RuleSchema), required=True, validate=validate.Length(min=1, max=50))
    example = fields.Boolean(load_default=False)
    how_to_apply = fields.Nested(LongWords, load_default=None)
    source = fields.Url(load_default=None, schemes={"https", "http"})

    @validates_schema
    def check_whole(self, data: dict, **_) -> None:
        if data["valid_to"] < data["valid_from"]:
            raise ValidationError("must not be before valid_from", "valid_to")
        for number, rule in enumerate(data["rules"], start=1):
            if Decimal(rule["rate"]) + Decimal(data["platform_rate"]) > 1:
                raise ValidationError(f"rule {number}: rate + platform_rate must be at most 1", "rules")


def program_from_file(data: dict) -> dict:
    """The checked programme, as the model's columns.

    :raise ValidationError: messages keyed by the bad key (nested keys as name.zh, rules.0.rate).
    """
    loaded = ProgramSchema().load(data)
    how = loaded["how_to_apply"] or {}
    return {
        "code": loaded["code"], "name_zh": loaded["name"]["zh"], "name_en": loaded["name"]["en"],
        "issuer_zh": loaded["issuer"]["zh"], "issuer_en": loaded["issuer"]["en"],
        "valid_from": loaded["valid_from"], "valid_to": loaded["valid_to"],
        "budget": Decimal(loaded["budget"]) if loaded["budget"] is not None else None,
        "cap_per_company_per_year": (Decimal(loaded["cap_per_company_per_year"])
                                     if loaded["cap_per_company_per_year"] is not None else None),
        "company_regions": loaded["company_regions"], "vendors": loaded["vendors"],
        "offer_regions": loaded["offer_regions"], "platform_rate": Decimal(loaded["platform_rate"]),
        "rules": [{"when": rule["when"], "rate": str(rule["rate"])} for rule in loaded["rules"]],
        "example": loaded["example"], "how_to_apply_zh": how.get("zh"), "how_to_apply_en": how.get("en"),
        "source_url": loaded["source"],
    }
