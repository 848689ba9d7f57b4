"""POST /api/v1/schedule in the OpenAPI document (spec §8)."""

_DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
_NULLABLE_DECIMAL = {**_DECIMAL, "nullable": True}
_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, Asia/Shanghai (+08:00)"}
_COUNT = {"oneOf": [{"type": "integer"}, _DECIMAL]}

SCHEMAS = {
    "ScheduleRequest": {
        "type": "object", "required": ["cards", "hours", "deadline"],
        "properties": {
            "gpu_model": {"type": "string", "nullable": True, "maxLength": 100,
                          "description": "a GPU model id or spelling; or give min_gpu_memory_gb"},
            "min_gpu_memory_gb": {"type": "number", "nullable": True, "minimum": 0, "exclusiveMinimum": True, "maximum": 10000},
            "cards": {"type": "integer", "minimum": 1, "maximum": 10000},
            "hours": {"type": "integer", "minimum": 1, "maximum": 744},
            "earliest_start": {**_TIME, "nullable": True,
                               "description": "moved up to the next whole hour (and never before now)"},
            "deadline": _TIME,
            "splittable": {"type": "boolean", "default": True},
            "min_block_hours": {"type": "integer", "minimum": 1, "maximum": 744, "default": 1},
            "regions": {"type": "array", "maxItems": 50, "items": {"type": "string", "maxLength": 100},
                        "description": "region, province or area ids (西部 = 西南 + 西北); empty = anywhere"},
            "max_unit_price": {"type": "number", "nullable": True, "minimum": 0,
                               "description": "CNY per card-hour; an hour priced above it is not used"},
            "allow_spot": {"type": "boolean", "default": False},
            "same_machine": {"type": "boolean", "default": False},
        },
    },
    "ScheduleError": {
        "type": "object",
        "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}},
    },
    "ScheduleBlock": {
        "type": "object", "required": ["offer_id", "vendor", "region", "start", "end", "cards", "cost"],
        "properties": {"offer_id": {"type": "integer"}, "vendor": {"type": "string"},
                       "region": {"type": "string", "nullable": True}, "start": _TIME, "end": _TIME,
                       "cards": {**_COUNT, "description": "cards paid for: instances × cards per instance"},
                       "cost": _DECIMAL},
    },
    "Schedule": {
        "type": "object", "required": ["feasible", "total", "card_hours", "blocks", "baseline", "savings"],
        "properties": {
            "feasible": {"type": "boolean"}, "total": _NULLABLE_DECIMAL, "card_hours": _COUNT,
            "blocks": {"type": "array", "items": {"$ref": "#/components/schemas/ScheduleBlock"}},
            "baseline": {"type": "object", "nullable": True, "required": ["total", "blocks"], "properties": {
                "total": _DECIMAL, "blocks": {"type": "array", "items": {"$ref": "#/components/schemas/ScheduleBlock"}}}},
            "savings": _NULLABLE_DECIMAL,
        },
    },
}

PATHS = {
    "/api/v1/schedule": {
        "post": {
            "summary": "The cheapest schedule of a job across vendors, regions and hours (the compute bank)",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ScheduleRequest"},
                "example": {"gpu_model": "h100-sxm", "cards": 8, "hours": 72,
                            "earliest_start": "2026-12-01T00:00:00+08:00", "deadline": "2026-12-08T00:00:00+08:00",
                            "splittable": True, "min_block_hours": 4, "regions": [], "max_unit_price": None,
                            "allow_spot": False, "same_machine": False}}}},
            "responses": {
                "200": {"description": "the schedule (feasible false when none fits), the baseline and the saving",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Schedule"}}}},
                "400": {"description": "bad input, naming the field",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduleError"}}}},
            },
        }
    }
}
