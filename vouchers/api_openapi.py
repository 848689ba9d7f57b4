"""The OpenAPI fragments of POST /api/v1/quote and GET /api/v1/voucher-programs (spec §7)."""

from vouchers.quote_schema import MAX_LINES, MAX_QUANTITY

MONEY = {"type": "string", "pattern": r"^\d+\.\d{2}$", "description": "CNY to the fen, as a string"}
RATE = {"type": "string", "pattern": r"^\d+(\.\d+)?$", "description": "a share of the amount: 0.30 = 30%"}
WORDS = {"type": "object", "required": ["zh", "en"], "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}
ERROR = {"description": "Bad input: the message and details name the field (lines.0.quantity, program, …)",
         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
SHARES = ("government", "platform", "company")


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS = {
    "QuoteRequest": {
        "type": "object", "required": ["lines", "program"], "additionalProperties": False,
        "properties": {
            "lines": {"type": "array", "minItems": 1, "maxItems": MAX_LINES, "items": {
                "type": "object", "required": ["offer_id", "quantity"], "additionalProperties": False,
                "properties": {
                    "offer_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                    "quantity": {"oneOf": [{"type": "string", "pattern": r"^[1-9]\d{0,8}$"},
                                           {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY}],
                                 "description": "whole units of the offer's purchase_unit (card_hour, core_hour, "
                                                "month, year or 1m_tokens), within that unit's limits"}}}},
            "program": {"type": "string", "minLength": 1, "maxLength": 64, "description": "a programme's code"},
            "subsidised_this_year": {"type": "string", "pattern": r"^\d{1,15}(\.\d{1,2})?$",
                                     "description": "what the company already received from the programme "
                                                    "this year (CNY); default 0"},
        },
    },
    "QuoteLine": {
        "type": "object",
        "required": ["offer_id", "quantity", "total", "eligible", "rate", *SHARES, "reason"],
        "properties": {
            "offer_id": {"type": "integer"}, "quantity": {"type": "string"},
            "purchase_unit": {"type": "string", "enum": ["card_hour", "core_hour", "month", "year", "1m_tokens"]},
            "total": MONEY, "eligible": MONEY, "rate": RATE, **{share: MONEY for share in SHARES},
            "reason": {"type": "string", "enum": ["rule", "no_rule", "vendor_not_covered", "region_not_covered",
                                                  "not_in_force"],
                       "description": "rule: the rule numbered `rule` gave the rate; otherwise why the line earns none"},
            "rule": {"type": "integer", "nullable": True, "description": "1-based number of the matching rule"},
        },
    },
    "Quote": {
        "type": "object", "required": ["currency", "total", *SHARES, "capped_by", "lines"],
        "properties": {
            "program": {"type": "string"}, "currency": {"type": "string", "enum": ["CNY"]}, "total": MONEY,
            **{share: MONEY for share in SHARES},
            "capped_by": {"type": "string", "nullable": True, "enum": ["company_cap", "program_budget", None],
                          "description": "what held the government share below Σ eligible × rate, if anything"},
            "lines": {"type": "array", "items": _ref("QuoteLine")},
        },
    },
    "VoucherRule": {
        "type": "object", "required": ["when", "rate"],
        "properties": {"rate": RATE, "when": {"type": "object", "properties": {
            "kind": {"type": "array", "items": {"type": "string"}},
            "domestic_chip": {"type": "boolean"}, "filed_model": {"type": "boolean"},
            "gpu_model": {"type": "array", "items": {"type": "string"}},
            "model": {"type": "array", "items": {"type": "string"}},
            "billing": {"type": "array", "items": {"type": "string"}}}}},
    },
    "VoucherProgram": {
        "type": "object",
        "required": ["code", "name", "issuer", "valid_from", "valid_to", "budget", "remaining_budget", "rules"],
        "properties": {
            "code": {"type": "string"}, "name": WORDS, "issuer": WORDS,
            "valid_from": {"type": "string", "format": "date"}, "valid_to": {"type": "string", "format": "date"},
            "budget": {**MONEY, "nullable": True}, "consumed": {**MONEY, "nullable": True},
            "remaining_budget": {**MONEY, "nullable": True, "description": "budget − government shares consumed"},
            "cap_per_company_per_year": {**MONEY, "nullable": True},
            "company_regions": {"type": "array", "items": {"type": "string"}},
            "vendors": {"type": "array", "items": {"type": "string"}},
            "offer_regions": {"type": "array", "items": {"type": "string"}},
            "platform_rate": RATE, "rules": {"type": "array", "items": _ref("VoucherRule")},
            "example": {"type": "boolean", "description": "an example programme (seed data), not official terms"},
            "how_to_apply": {**WORDS, "nullable": True}, "source": {"type": "string", "nullable": True},
        },
    },
}

PATHS = {
    "/api/v1/quote": {"post": {
        "operationId": "quoteOrder", "summary": "What an order would cost under a voucher programme, and who pays it",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": _ref("QuoteRequest"),
            "example": {"lines": [{"offer_id": 12, "quantity": "576"}], "program": "hz-2026",
                        "subsidised_this_year": "0"}}}},
        "responses": {"200": {"description": "the order's total and its government, platform and company shares",
                              "content": {"application/json": {"schema": _ref("Quote")}}},
                      "400": ERROR}}},
    "/api/v1/voucher-programs": {"get": {
        "operationId": "listVoucherPrograms", "summary": "The voucher programmes, their rules and remaining budget",
        "responses": {"200": {"description": "every programme", "content": {"application/json": {"schema": {
            "type": "object", "required": ["items"],
            "properties": {"items": {"type": "array", "items": _ref("VoucherProgram")}}}}}}}}},
}
