"""The planner's input, one schema for the /plan form (query string) and POST /api/v1/plan (JSON)."""

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from pricing.off_peak import ProfileError, parse_profile
from pricing.token_volume import VolumeError, parse_token_volume
from pricing.units import Kind

MAX_HOURS = Decimal(87_600)  # ten years
MAX_COUNT = Decimal(100_000)
MAX_TOKENS = Decimal(10) ** 15  # a month's input or output, however it is given
# Every number of the job keeps at most four places (0.0001 card, 0.36 s): with the maxima
# above, every product and quotient the planner forms stays inside Decimal's precision.
# 1e-30 cards passed as "positive" and overflowed the effective price per card-hour (a 500),
# and 1e-999999 tokens came back as a million-digit workload.
PLACES = 4
_CHECKBOX_TRUE = {"on", "1", "true", "yes", "y"}


def decimal_places(value: Decimal) -> int:
    """Places `value` needs (1.50 needs one), read from its digits: no arithmetic that could overflow."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing_zeros))


def _within_places(value: Decimal) -> None:
    if decimal_places(value) > PLACES:
        raise ValidationError(f"最多 {PLACES} 位小数 / at most {PLACES} decimal places")


def _bounded(minimum: Decimal, maximum: Decimal, min_inclusive: bool) -> list:
    # marshmallow runs every validator, so _within_places also sees 1e999999: hence no quantize there.
    return [validate.Range(min=minimum, max=maximum, min_inclusive=min_inclusive), _within_places]


def _positive(maximum: Decimal) -> fields.Decimal:
    return fields.Decimal(allow_nan=False, validate=_bounded(Decimal(0), maximum, min_inclusive=False))


def _amount(maximum: Decimal) -> fields.Decimal:
    return fields.Decimal(allow_nan=False, validate=_bounded(Decimal(0), maximum, min_inclusive=True))


class TokenVolume(fields.Field):
    """Tokens per month as a number or in shorthand: '5亿', '1.5M', '2000万' (pricing.token_volume)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float):
            value = Decimal(repr(value))
        try:
            return parse_token_volume(value)
        except VolumeError as exc:
            raise ValidationError(str(exc)) from None


class HourlyProfile(fields.Field):
    """24 weights, one per Beijing hour 0..23: a string '1,1,…,3' or a list (pricing.off_peak)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str | list):
            raise ValidationError("须为 24 个数字 / 24 numbers, one per hour from 0 to 23")
        try:
            return parse_profile(value)
        except ProfileError as exc:
            raise ValidationError(f"每小时用量须为 24 个非负数字 / {exc}") from None


def _volume() -> TokenVolume:
    return TokenVolume(validate=validate.Range(min=Decimal(0), max=MAX_TOKENS))


def _share() -> fields.Decimal:
    return fields.Decimal(load_default=Decimal(0), allow_nan=False,
                          validate=_bounded(Decimal(0), Decimal(1), min_inclusive=True))


MAX_MODELS = 8


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
    models = fields.List(fields.String(validate=validate.Length(min=1, max=120)),
                         validate=validate.Length(max=MAX_MODELS))
    input_tokens = _volume()
    output_tokens = _volume()
    daily_active_users = _positive(MAX_TOKENS)
    requests_per_user = _positive(Decimal(1_000_000))
    input_tokens_per_request = _amount(Decimal(10_000_000))
    output_tokens_per_request = _amount(Decimal(10_000_000))
    days_per_month = fields.Decimal(load_default=Decimal(30), allow_nan=False,
                                    validate=_bounded(Decimal(1), Decimal(31), min_inclusive=True))
    cache_hit_share = _share()
    cache_write_share = _share()
    long_context_share = _share()
    batch_share = _share()
    off_peak_share = _share()
    hourly_profile = HourlyProfile()

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
                if key in ("regions", "models"):
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
        if data.get("cache_hit_share", 0) + data.get("cache_write_share", 0) > 1:
            raise ValidationError(["缓存命中与写入缓存的占比之和不能超过 1 / cache hits and cache writes together "
                                   "cannot pass the whole input"], "cache_write_share")
        if data.get("batch_share", 0) + data.get("off_peak_share", 0) > 1:
            raise ValidationError(["批量与闲时占比之和不能超过 1（二者是不同的流量）/ the batch and off-peak shares "
                                   "are separate parts of the traffic and cannot add up past 1"], "off_peak_share")
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
            requests = data["daily_active_users"] * data["requests_per_user"] * data["days_per_month"]
            for side, zh in (("input", "输入"), ("output", "输出")):
                tokens = requests * data[f"{side}_tokens_per_request"]
                if tokens > MAX_TOKENS:
                    raise ValidationError([
                        f"每月{zh} tokens = 日活 × 次/人/天 × 天数 × 每次{zh} = {tokens:,f}，超过上限 {MAX_TOKENS:,f} / "
                        f"monthly {side} tokens = daily_active_users × requests_per_user × days_per_month × "
                        f"{side}_tokens_per_request = {tokens:,f}, more than the limit of {MAX_TOKENS:,f}"],
                        "daily_active_users")
        elif not direct:
            raise ValidationError(["请给出每月输入/输出 tokens，或日活用户数 / give monthly input and output tokens, "
                                   "or daily active users"], "input_tokens")
