"""The planner's input, one schema for the /plan form (query string) and POST /api/v1/plan (JSON)."""

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from pricing.units import Kind

MAX_HOURS = Decimal(87_600)  # ten years
MAX_COUNT = Decimal(100_000)
MAX_TOKENS = Decimal(10) ** 15
_POSITIVE = {"allow_nan": False, "validate": validate.Range(min=0, min_inclusive=False)}
_CHECKBOX_TRUE = {"on", "1", "true", "yes", "y"}


def _positive(maximum: Decimal) -> fields.Decimal:
    return fields.Decimal(allow_nan=False, validate=validate.Range(min=0, max=maximum, min_inclusive=False))


def _amount(maximum: Decimal) -> fields.Decimal:
    return fields.Decimal(allow_nan=False, validate=validate.Range(min=0, max=maximum))


class PlanSchema(Schema):
    """What the buyer's job is. GPU: count × (gpu_model | min_memory_gb) × hours; CPU: cores × hours;
    token: tokens per month, directly or from daily users × requests × tokens per request."""

    kind = fields.String(load_default=Kind.GPU.value, validate=validate.OneOf([k.value for k in Kind]))
    # gpu
    gpu_model = fields.String(validate=validate.Length(max=120))
    min_memory_gb = _positive(Decimal(10_000))
    count = _positive(MAX_COUNT)
    hours = _positive(MAX_HOURS)
    regions = fields.List(fields.String(validate=validate.Length(min=1, max=120)), validate=validate.Length(max=20))
    allow_spot = fields.Boolean(load_default=False)
    allow_commitment = fields.Boolean(load_default=False)
    # cpu
    min_memory_per_core_gb = _positive(Decimal(1_000))
    cpu_arch = fields.String(validate=validate.OneOf(["x86_64", "arm64"]))
    # token
    model = fields.String(validate=validate.Length(max=120))
    input_tokens = _amount(MAX_TOKENS)
    output_tokens = _amount(MAX_TOKENS)
    daily_active_users = _positive(MAX_TOKENS)
    requests_per_user = _positive(Decimal(1_000_000))
    input_tokens_per_request = _amount(Decimal(10_000_000))
    output_tokens_per_request = _amount(Decimal(10_000_000))
    days_per_month = fields.Decimal(load_default=Decimal(30), allow_nan=False,
                                    validate=validate.Range(min=1, max=31))
    cache_hit_share = fields.Decimal(load_default=Decimal(0), allow_nan=False, validate=validate.Range(min=0, max=1))

    @pre_load
    def from_form(self, data, **kwargs):
        """A query string arrives as strings: drop blanks, split 'regions=浙江,cn-beijing', read checkboxes."""
        if not isinstance(data, dict):
            return data
        out = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
                if key == "regions":
                    value = [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]
                elif key in ("allow_spot", "allow_commitment"):
                    value = value.lower() in _CHECKBOX_TRUE
            out[key] = value
        return out

    @validates_schema
    def job_is_complete(self, data, **kwargs):
        kind = data.get("kind", Kind.GPU.value)
        if kind in (Kind.GPU.value, Kind.CPU.value):
            missing = [name for name in ("count", "hours") if name not in data]
            if missing:
                raise ValidationError({name: ["缺少必填字段 / missing required field"] for name in missing})
            if kind == Kind.GPU.value and "gpu_model" not in data and "min_memory_gb" not in data:
                raise ValidationError(["请给出 GPU 型号或每卡最低显存 / give a GPU model or a minimum memory per card"],
                                      "gpu_model")
            return
        direct = "input_tokens" in data or "output_tokens" in data
        by_users = "daily_active_users" in data
        if direct and by_users:
            raise ValidationError(["请只用一种方式给出用量 / give tokens per month or daily users, not both"],
                                  "input_tokens")
        if by_users:
            missing = [n for n in ("requests_per_user", "input_tokens_per_request", "output_tokens_per_request")
                       if n not in data]
            if missing:
                raise ValidationError({name: ["缺少必填字段 / missing required field"] for name in missing})
        elif not direct:
            raise ValidationError(["请给出每月输入/输出 tokens，或日活用户数 / give monthly input and output tokens, "
                                   "or daily active users"], "input_tokens")
