"""The OpenAPI fragments of the catalog's JSON API (/api/v1/offers, registries, FX, spec)."""

from marshmallow import fields

from catalog.offer_query import FACETS, OfferQuerySchema

DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "decimal as a string"}
NULLABLE_DECIMAL = {**DECIMAL, "nullable": True}
NULLABLE_STRING = {"type": "string", "nullable": True}

PARAM_DOCS = {
    "q": "Free text, Chinese and English ('4090 杭州', 'a100 80g 北京 包月'); typos in model names are forgiven. "
         "Read as a question: filler left out, numbers with units, places and 'cheapest' become filters, two "
         "names ('deepseek 和 qwen') match either; when nothing matches all of it, the closest search is answered "
         "(see the response's `understood` and `relaxed`).",
    "kind": "gpu, cpu or token.",
    "vendor": "Vendor slug.",
    "gpu_model": "Any name of a GPU model ('A100 80G', '昇腾910B'); unknown names are a 400.",
    "model": "Any name of a token model ('DeepSeek V3').",
    "region": "A region, or a province or area ('杭州', '浙江', '华东', 'East China').",
    "billing": "on_demand, spot, monthly or yearly.",
    "min_gpu_count": "At least this many cards.",
    "min_gpu_memory_gb": "At least this much memory per card (GB).",
    "min_vcpus": "At least this many vCPUs.",
    "min_unit_price": "Normalized price (CNY per card-hour / core-hour / 1M tokens) at least this.",
    "max_unit_price": "Normalized price at most this.",
    "in_stock": "Only offers with stock > 0 or stock unknown.",
    "available_from": "Extension: with available_to, the span an offer must be usable in. ISO date or date-time, "
                      "Beijing time unless it names an offset. An offer matches when at least one whole clock hour "
                      "of [available_from, available_to) lies inside its available_from/available_to and daily "
                      "available_hours (spec 4.1); a side left out is unbounded. Bookings are not looked at: "
                      "each item's `availability` says what is still free.",
    "available_to": "Extension: the end of that span (exclusive); a date alone is the end of that day.",
    "off_peak": "Extension: only offers with an off-peak price (off_peak_rate).",
    "program": "Extension (spec §7): a voucher programme's code ('hz-2026'); only the offers it pays for today "
               "(its vendor and offer-region lists and a rule matching the offer; none when the programme is not in "
               "force, Beijing date). Each item then carries `voucher`: {program, rate, platform_rate, "
               "unit_price_after} (the normalized price after the government's and the platform's shares), and the "
               "response `program`: {code, name, in_force, platform_rate, before_company_limits}. A company's cap, "
               "approval and registration are not applied: the government share is at most this. An unknown code "
               "is a 400 naming `program`.",
    "include_delisted": "Include delisted offers.",
    "sort": "unit_price, -unit_price, price_per_tflop_hour (nulls last), updated_at (newest first) or "
            "effective_price (needs duration_hours; the default when it is given).",
    "duration_hours": "Extension of spec §5: the job's length in whole hours (1-8760). Each item then carries "
                      "`job`: what that job costs on its listed instance(s) under its billing term (a monthly "
                      "offer pays whole months, a yearly one a year), and the default sort is effective_price.",
    "page": "Page number, from 1.",
    "per_page": "Offers per page, at most 100.",
}


def _param_schema(field: fields.Field) -> dict:
    schema: dict
    if isinstance(field, fields.Boolean):
        schema = {"type": "boolean"}
    elif isinstance(field, fields.Integer):
        schema = {"type": "integer"}
    elif isinstance(field, fields.Decimal):
        schema = {"type": "string", "pattern": r"^\d+(\.\d+)?$"}
    else:
        schema = {"type": "string"}
    for validator in field.validators:
        if hasattr(validator, "choices"):
            schema["enum"] = list(validator.choices)
        if hasattr(validator, "min") and isinstance(field, fields.Integer):
            if validator.min is not None:
                schema["minimum"] = validator.min
            if validator.max is not None:
                schema["maximum"] = validator.max
        if hasattr(validator, "max") and isinstance(field, fields.String) and validator.max is not None:
            schema["maxLength"] = validator.max
    if field.load_default is not None and not callable(field.load_default) and \
            field.load_default.__class__.__name__ != "_Missing":
        schema["default"] = field.load_default
    return schema


def offer_parameters() -> list[dict]:
    return [{"name": name, "in": "query", "required": False, "description": PARAM_DOCS.get(name, ""),
             "schema": _param_schema(field)} for name, field in OfferQuerySchema().fields.items()]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_RESPONSE = _json(_ref("Error"), "Bad request: a parameter is malformed or names nothing known")

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "details": {"type": "object", "additionalProperties": True}}}},
    },
    "ListPrice": {
        "type": "object", "required": ["amount", "currency", "unit"],
        "properties": {"amount": NULLABLE_DECIMAL, "currency": {"type": "string"}, "unit": {"type": "string"},
                       "input_amount": NULLABLE_DECIMAL, "output_amount": NULLABLE_DECIMAL,
                       "cached_input_amount": NULLABLE_DECIMAL, "cache_write_amount": NULLABLE_DECIMAL,
                       "long_input_amount": NULLABLE_DECIMAL, "long_output_amount": NULLABLE_DECIMAL},
    },
    "Offer": {
        "type": "object",
        "required": ["id", "vendor", "sku", "kind", "title", "billing", "list_price", "unit_price", "currency",
                     "updated_at"],
        "properties": {
            "id": {"type": "integer"}, "vendor": {"type": "string"}, "sku": {"type": "string"},
            "kind": {"type": "string", "enum": ["gpu", "cpu", "token"]}, "title": {"type": "string"},
            "description": NULLABLE_STRING, "region": NULLABLE_STRING,
            "billing": {"type": "string", "enum": ["on_demand", "spot", "monthly", "yearly"]},
            "stock": {"type": "integer", "nullable": True}, "status": {"type": "string"},
            "list_price": _ref("ListPrice"), "unit_price": DECIMAL, "currency": {"type": "string", "enum": ["CNY"]},
            "updated_at": {"type": "string", "format": "date-time"},
            "price_updated_at": {"type": "string", "format": "date-time"},
            "gpu_model": NULLABLE_STRING, "gpu_count": NULLABLE_DECIMAL, "gpu_memory_gb": NULLABLE_DECIMAL,
            "vcpus": NULLABLE_DECIMAL, "ram_gb": NULLABLE_DECIMAL, "cpu_arch": NULLABLE_STRING,
            "price_per_tflop_hour": NULLABLE_DECIMAL, "price_per_gb_hour": NULLABLE_DECIMAL,
            "model": NULLABLE_STRING, "context_window": {"type": "integer", "nullable": True},
            "input_price": NULLABLE_DECIMAL, "output_price": NULLABLE_DECIMAL,
            "cached_input_price": NULLABLE_DECIMAL,
            "available_from": {**NULLABLE_STRING, "format": "date-time",
                               "description": "usable from (ISO 8601, +08:00); null = no limit"},
            "available_to": {**NULLABLE_STRING, "format": "date-time",
                             "description": "usable until (ISO 8601, +08:00); null = no limit"},
            "available_hours": {**NULLABLE_STRING, "pattern": r"^\d{2}:\d{2}-\d{2}:\d{2}$",
                                "description": "daily window in Asia/Shanghai, may wrap midnight; null = all day"},
            "off_peak_hours": {**NULLABLE_STRING, "pattern": r"^\d{2}:\d{2}-\d{2}:\d{2}$",
                               "description": "daily window in Asia/Shanghai when off_peak_rate applies"},
            "off_peak_rate": {**NULLABLE_DECIMAL, "description": "multiplier of every price off-peak (0.5 = half)"},
            "batch_rate": {**NULLABLE_DECIMAL, "description": "token offers: multiplier for batch requests"},
            "long_context_threshold": {"type": "integer", "nullable": True,
                                       "description": "input tokens above which a request bills at long_* prices"},
            "cache_write_price": NULLABLE_DECIMAL, "long_input_price": NULLABLE_DECIMAL,
            "long_output_price": NULLABLE_DECIMAL,
            "purchase_unit": {"type": "string", "enum": ["card_hour", "core_hour", "month", "year", "1m_tokens"],
                              "description": "What a line's quantity counts when this offer is bought (spec §7)"},
            "voucher": {"allOf": [_ref("OfferVoucher")], "nullable": True,
                        "description": "Only with program: this offer under the programme"},
            "job": {"allOf": [_ref("Job")], "nullable": True,
                    "description": "Only with duration_hours: the job on this offer; null for token offers"},
            "availability": {"type": "array", "items": _ref("FreeRun"),
                             "description": "Free instances for the next 168 hours from the current hour (UTC), "
                                            "run-length encoded; never cached"},
        },
    },
    "Job": {
        "type": "object", "required": ["hours", "billed_hours", "terms", "effective_price", "total"],
        "properties": {
            "hours": {"type": "integer", "minimum": 1, "maximum": 8760},
            "billed_hours": {"type": "integer", "description": "Hours paid: the job's, or its whole months/years"},
            "terms": {"type": "integer", "nullable": True, "description": "Months or years paid; null when hourly"},
            "effective_price": {**DECIMAL, "description": "CNY per card-hour (core-hour) the job uses, 10 places"},
            "total": {**DECIMAL, "description": "CNY for the listed instance(s) for the job, to the fen"}},
    },
    "OfferVoucher": {
        "type": "object", "required": ["program", "rate", "platform_rate", "unit_price_after"],
        "properties": {
            "program": {"type": "string"},
            "rate": {**DECIMAL, "description": "the government's share of the line (the first matching rule's rate): "
                                               "at most this, a company's cap may lower it"},
            "platform_rate": {**DECIMAL, "description": "the platform's share"},
            "unit_price_after": {**DECIMAL, "description": "CNY per normalized unit after both shares, unrounded "
                                                           "(an order rounds once, spec §7)"}},
    },
    "ProgramFilter": {
        "type": "object", "required": ["code", "name", "in_force", "platform_rate", "before_company_limits"],
        "description": "Extension: the programme of `program`",
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}},
            "in_force": {"type": "boolean", "description": "false: not in force today (Beijing date), no items"},
            "platform_rate": DECIMAL,
            "before_company_limits": {"type": "boolean", "description": "always true: a company's cap, approval "
                                                                        "and registration are not applied"}},
    },
    "FreeRun": {
        "type": "object", "required": ["from", "to", "free"],
        "properties": {"from": {"type": "string", "format": "date-time"},
                       "to": {"type": "string", "format": "date-time"},
                       "free": {"type": "integer", "nullable": True,
                                "description": "Free instances at every hour of [from, to): stock minus bookings; "
                                               "null = stock unknown (bookable); 0 outside the offer's availability"}},
    },
    "PricePoint": {
        "type": "object", "required": ["at", "unit_price"],
        "properties": {"at": {"type": "string", "format": "date-time"}, "unit_price": DECIMAL,
                       "input_price": NULLABLE_DECIMAL, "output_price": NULLABLE_DECIMAL},
    },
    "OfferDetail": {"allOf": [_ref("Offer"), {"type": "object", "required": ["price_history"], "properties": {
        "price_history": {"type": "array", "items": _ref("PricePoint")}}}]},
    "OfferList": {
        "type": "object", "required": ["total", "page", "per_page", "items", "facets"],
        "properties": {
            "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "items": {"type": "array", "items": _ref("Offer")},
            "facets": {"type": "object", "required": list(FACETS), "properties": {
                name: {"type": "object", "additionalProperties": {"type": "integer"},
                       "description": f"offers per {name} among all matches (sums to total)"}
                for name in FACETS}},
            "corrected": {"type": "object", "additionalProperties": {"type": "string"},
                          "description": "typed word -> the model name it was read as"},
            "understood": _ref("Understood"),
            "relaxed": {"type": "object", "required": ["ignored"],
                        "description": "Extension: nothing matched all of q, so this page answers q without these "
                                       "parts (as typed): the closest search that finds something",
                        "properties": {"ignored": {"type": "array", "items": {"type": "string"}}}},
            "similar_gpus": {"type": "array", "items": {"type": "string"},
                             "description": "Extension: GPU model ids like a word of q, when nothing matched"},
            "program": _ref("ProgramFilter"),
        },
    },
    "Understood": {
        "type": "object", "required": ["words", "either", "filters", "planner", "read", "ignored"],
        "description": "Extension: how q was read as a question (only when q is given). q itself stays free text.",
        "properties": {
            "words": {"type": "array", "items": {"type": "string"}, "description": "words matched as text, all of them"},
            "either": {"type": "array", "items": {"type": "array", "items": {"type": "string"}},
                       "description": "groups of names (models, GPUs, places) any one of which matches"},
            "filters": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "query parameters read from q (region, min_gpu_count, min_gpu_memory_gb, "
                                       "min_vcpus, max_unit_price, kind, sort); a parameter given in the URL wins"},
            "planner": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "GET /plan parameters when q describes a job (cards x hours, core-hours, "
                                       "tokens a month); empty otherwise"},
            "planner_url": {"type": "string", "description": "the planner with those values filled in"},
            "read": {"type": "array", "items": {"type": "object", "required": ["kind", "typed", "value"],
                     "properties": {"kind": {"type": "string", "enum": [
                         "cards", "hours", "tokens", "memory", "cores", "max_price", "region", "sort", "either"]},
                         "typed": {"type": "string"}, "value": {"type": "string"}}}},
            "ignored": {"type": "array", "items": {"type": "string"}, "description": "filler words left out"},
        },
    },
    "GpuModel": {"type": "object", "required": ["id", "name"], "properties": {
        "id": {"type": "string"}, "vendor": {"type": "string"}, "name": {"type": "string"},
        "family": {"type": "string"}, "memory_gb": DECIMAL, "dense_tflops": NULLABLE_DECIMAL,
        "precision": {"type": "string"}, "form_factor": {"type": "string"}, "architecture": {"type": "string"},
        "note": {"type": "string"},
        "domestic_chip": {"type": "boolean",
                          "description": "Made by a Chinese chip vendor (Huawei Ascend, Hygon, Cambricon, …): spec §7"},
        "aliases": {"type": "array", "items": {"type": "string"}}}},
    "Region": {"type": "object", "required": ["id", "name_zh", "name_en"], "properties": {
        "id": {"type": "string"}, "name_zh": {"type": "string"}, "name_en": {"type": "string"},
        "country": {"type": "string"}, "province_zh": NULLABLE_STRING, "province_en": NULLABLE_STRING,
        "area_zh": NULLABLE_STRING, "area_en": NULLABLE_STRING, "hub": NULLABLE_STRING,
        "aliases": {"type": "array", "items": {"type": "string"}}}},
    "TokenModel": {"type": "object", "required": ["id", "name", "filed_model"], "properties": {
        "id": {"type": "string"}, "provider": {"type": "string"}, "family": {"type": "string"},
        "name": {"type": "string"}, "context_window": {"type": "integer", "nullable": True},
        "filed_model": {"type": "boolean",
                        "description": "Filed with the CAC for generative AI service in China (per model family)"},
        "aliases": {"type": "array", "items": {"type": "string"}}}},
    "FxRates": {"type": "object", "required": ["base", "as_of", "rates"], "properties": {
        "base": {"type": "string", "enum": ["CNY"]}, "as_of": {"type": "string", "format": "date"},
        "rates": {"type": "object", "additionalProperties": DECIMAL}}},
    "Spec": {"type": "object", "required": ["version", "offer", "sheet_row"], "properties": {
        "version": {"type": "string"}, "units": {"type": "object"}, "hours": {"type": "object"},
        "token_blend": {"type": "object"}, "offer": {"type": "object"}, "sheet_row": {"type": "object"}}},
}


def _items(name: str) -> dict:
    return {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": _ref(name)}}}


def paths() -> dict:
    return {
        "/api/v1/offers": {"get": {
            "operationId": "listOffers", "summary": "Search and filter offers, with facet counts",
            "parameters": offer_parameters(),
            "responses": {"200": _json(_ref("OfferList"), "One page of offers"), "400": ERROR_RESPONSE}}},
        "/api/v1/offers/{offer_id}": {"get": {
            "operationId": "getOffer", "summary": "One offer with its price history",
            "parameters": [{"name": "offer_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0}}],
            "responses": {"200": _json(_ref("OfferDetail"), "The offer"),
                          "404": _json(_ref("Error"), "No such offer")}}},
        "/api/v1/gpu-models": {"get": {"operationId": "listGpuModels", "summary": "The GPU model registry",
                                       "responses": {"200": _json(_items("GpuModel"), "Every GPU model")}}},
        "/api/v1/regions": {"get": {"operationId": "listRegions", "summary": "The region registry",
                                    "responses": {"200": _json(_items("Region"), "Every region")}}},
        "/api/v1/token-models": {"get": {"operationId": "listTokenModels", "summary": "The token model registry",
                                         "responses": {"200": _json(_items("TokenModel"), "Every token model")}}},
        "/api/v1/fx-rates": {"get": {"operationId": "getFxRates", "summary": "CNY per one unit of each currency",
                                     "responses": {"200": _json(_ref("FxRates"), "The rates in force")}}},
        "/api/v1/spec": {"get": {"operationId": "getSpec", "summary": "The unified offer spec, machine form",
                                 "responses": {"200": _json(_ref("Spec"), "JSON Schemas of an offer and a row")}}},
    }
