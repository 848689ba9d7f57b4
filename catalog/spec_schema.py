"""The spec's machine form: JSON Schema of an offer and of a standard sheet row."""

from pricing.units import Billing, Kind, PriceUnit

# The standard price-sheet columns (spec section 4), here with the rest of the spec's machine form;
# offers' schema validates rows with exactly these.
STANDARD_COLUMNS = (
    "sku", "kind", "title", "region", "billing", "gpu_model", "gpu_count", "gpu_memory_gb", "vcpus",
    "ram_gb", "cpu_arch", "model", "context_window", "price", "input_price", "output_price",
    "currency", "price_unit", "stock", "description",
)
# Our extension of the standard sheet (spec: extend, never rename).
# Spec v2 section 4.1: optional columns; an empty cell means "not offered" or "no limit".
AVAILABILITY_COLUMNS = ("available_from", "available_to", "available_hours", "off_peak_hours", "off_peak_rate")
TOKEN_DETAIL_COLUMNS = ("cache_write_price", "batch_rate", "long_context_threshold", "long_input_price",
                        "long_output_price")
EXTRA_COLUMNS = ("cached_input_price", *AVAILABILITY_COLUMNS, *TOKEN_DETAIL_COLUMNS)
ALL_COLUMNS = STANDARD_COLUMNS + EXTRA_COLUMNS

_DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "decimal as a string"}
_NULLABLE_DECIMAL = {"anyOf": [_DECIMAL, {"type": "null"}]}
_NULLABLE_TIME = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}],
                  "description": "ISO 8601 with its offset (+08:00, Asia/Shanghai)"}
_NULLABLE_WINDOW = {"anyOf": [{"type": "string", "pattern": r"^\d{2}:\d{2}-\d{2}:\d{2}$"}, {"type": "null"}],
                    "description": "daily window HH:MM-HH:MM in Asia/Shanghai; may wrap midnight"}
_NULLABLE_RATE = {"anyOf": [_DECIMAL, {"type": "null"}], "description": "multiplier above 0, at most 1"}


def spec_document() -> dict:
    offer = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Offer",
        "type": "object",
        "required": ["id", "vendor", "sku", "kind", "title", "billing", "list_price", "unit_price", "currency",
                     "updated_at"],
        "properties": {
            "id": {"type": "integer"},
            "vendor": {"type": "string"},
            "sku": {"type": "string"},
            "kind": {"enum": [k.value for k in Kind]},
            "title": {"type": "string"},
            "description": {"type": ["string", "null"]},
            "region": {"type": ["string", "null"]},
            "billing": {"enum": [b.value for b in Billing]},
            "stock": {"type": ["integer", "null"]},
            "status": {"enum": ["active", "delisted"]},
            "list_price": {"type": "object", "properties": {
                "amount": _NULLABLE_DECIMAL, "currency": {"type": "string"},
                "unit": {"enum": [u.value for u in PriceUnit]},
                "input_amount": _NULLABLE_DECIMAL, "output_amount": _NULLABLE_DECIMAL,
                "cached_input_amount": _NULLABLE_DECIMAL, "cache_write_amount": _NULLABLE_DECIMAL,
                "long_input_amount": _NULLABLE_DECIMAL, "long_output_amount": _NULLABLE_DECIMAL}},
            "unit_price": _DECIMAL,
            "currency": {"const": "CNY"},
            "updated_at": {"type": "string", "format": "date-time"},
            "gpu_model": {"type": "string"}, "gpu_count": _DECIMAL, "gpu_memory_gb": _NULLABLE_DECIMAL,
            "vcpus": _NULLABLE_DECIMAL, "ram_gb": _NULLABLE_DECIMAL,
            "price_per_tflop_hour": _NULLABLE_DECIMAL, "price_per_gb_hour": _NULLABLE_DECIMAL,
            "cpu_arch": {"enum": ["x86_64", "arm64"]},
            "model": {"type": "string"}, "context_window": {"type": ["integer", "null"]},
            "input_price": _DECIMAL, "output_price": _DECIMAL, "cached_input_price": _NULLABLE_DECIMAL,
            "available_from": _NULLABLE_TIME, "available_to": _NULLABLE_TIME,
            "available_hours": _NULLABLE_WINDOW, "off_peak_hours": _NULLABLE_WINDOW,
            "off_peak_rate": _NULLABLE_RATE, "batch_rate": _NULLABLE_RATE,
            "cache_write_price": _NULLABLE_DECIMAL, "long_input_price": _NULLABLE_DECIMAL,
            "long_output_price": _NULLABLE_DECIMAL,
            "long_context_threshold": {"type": ["integer", "null"]},
            "purchase_unit": {"enum": ["card_hour", "core_hour", "month", "year", "1m_tokens"]},
            "availability": {"type": "array", "items": {
                "type": "object", "required": ["from", "to", "free"],
                "properties": {"from": {"type": "string", "format": "date-time"},
                               "to": {"type": "string", "format": "date-time"},
                               "free": {"type": ["integer", "null"]}}}},
        },
    }
    row = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Standard price-sheet row",
        "type": "object",
        "required": ["sku", "kind"],
        "properties": {column: {"type": ["string", "number"]} for column in ALL_COLUMNS},
        "additionalProperties": False,
    }
    return {
        "version": "2",
        "units": {"gpu": "CNY per card-hour", "cpu": "CNY per core-hour", "token": "CNY per 1M tokens"},
        "hours": {"minute": "1/60", "hour": "1", "day": "24", "week": "168", "month": "730", "year": "8760"},
        "token_blend": {"input": 3, "output": 1},
        "offer": offer,
        "sheet_row": row,
    }
