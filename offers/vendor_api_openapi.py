"""The OpenAPI fragments of the vendor API (/api/v1/vendor/...): bearer key, idempotency, errors."""

from catalog.spec_schema import ALL_COLUMNS
from offers.vendor_offers import PATCHABLE

SECURITY_SCHEMES = {"vendorKey": {"type": "http", "scheme": "bearer",
                                  "description": "An API key created in the stall (/stall/keys), one vendor each."}}
SECURITY = [{"vendorKey": []}]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}}
COMMON = {
    "401": {**_error("No API key, an unknown one or a revoked one"),
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
    "429": {**_error("Over this key's rate limit"), "headers": RETRY_AFTER},
}
WRITE = {**COMMON, "409": _error("The Idempotency-Key was used with another request, or is still in progress")}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "description": "Any 1-255 visible ASCII characters (a UUID): the same key with the same request "
                              "within 24 h gets the first answer again (header Idempotent-Replayed: true).",
               "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}}
SKU = {"name": "sku", "in": "path", "required": True, "description": "Your own id of the offer.",
       "schema": {"type": "string", "minLength": 1, "maxLength": 200}}
UPLOAD = {"name": "upload_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _page(maximum: int, default: int) -> list[dict]:
    return [{"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
            {"name": "per_page", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": maximum, "default": default}}]


CELL = {"anyOf": [{"type": "string"}, {"type": "number"}], "nullable": True}
JOB = {"type": "object", "nullable": True, "required": ["id", "action", "status"], "properties": {
    "id": {"type": "integer"}, "action": {"type": "string", "enum": ["preview", "apply"]},
    "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
    "processed": {"type": "integer"}, "total": {"type": "integer"},
    "summary": {"type": "object", "nullable": True}, "message": {"type": "string", "nullable": True}}}
SCHEMAS = {
    "OfferColumns": {"type": "object", "description": "Standard price-sheet columns (spec section 4); numbers may be "
                                                      "sent as JSON numbers or strings; null or absent = blank.",
                     "properties": {c: CELL for c in ALL_COLUMNS}, "additionalProperties": False},
    "OfferPatch": {"type": "object", "properties": {c: CELL for c in PATCHABLE}, "additionalProperties": False},
    "OfferChange": {"type": "object", "required": ["change", "offer"], "properties": {
        "change": {"type": "string", "enum": ["created", "updated", "unchanged", "delisted"]},
        "offer": _ref("Offer")}},
    "VendorOfferList": {"type": "object", "required": ["total", "page", "per_page", "items"], "properties": {
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "items": {"type": "array", "items": _ref("Offer")}}},
    "Sheet": {"type": "object", "required": ["id", "filename", "expired"], "properties": {
        "id": {"type": "string"}, "filename": {"type": "string"}, "created_at": {"type": "string"},
        "expired": {"type": "boolean"}, "rows": {"type": "integer"}, "mapping": {"type": "object", "nullable": True},
        "preview": JOB, "apply": JOB}},
    "SheetApplied": {"type": "object", "required": ["id", "apply"], "properties": {"id": {"type": "string"},
                                                                                  "apply": JOB}},
    "SheetPreview": {"type": "object", "required": ["id", "counts", "rows"], "properties": {
        "id": {"type": "string"}, "counts": {"type": "object"}, "errors": {"type": "array"},
        "missing": {"type": "array"}, "ignored_headers": {"type": "array"}, "page": {"type": "integer"},
        "per_page": {"type": "integer"}, "total_rows": {"type": "integer"},
        "rows": {"type": "array", "items": {"type": "object"}}}},
    "VendorOrderLine": {"type": "object", "required": ["id", "order_id", "status", "sku", "quantity", "line_total"],
                        "properties": {"id": {"type": "integer"}, "order_id": {"type": "integer"},
                                       "status": {"type": "string"}, "offer_id": {"type": "integer", "nullable": True},
                                       "sku": {"type": "string"}, "title": {"type": "string"},
                                       "kind": {"type": "string"}, "billing": {"type": "string"},
                                       "purchase_unit": {"type": "string"}, "quantity": {"type": "integer"},
                                       "unit_amount": {"type": "string"}, "line_total": {"type": "string"},
                                       "currency": {"type": "string"}, "created_at": {"type": "string"},
                                       "paid_at": {"type": "string", "nullable": True},
                                       "delivery_state": {"type": "string", "nullable": True,
                                                          "enum": ["paid", "delivering", "delivered", None]}}},
    "DeliveryStep": {"type": "object", "required": ["state", "start"], "properties": {
        "state": {"type": "string", "enum": ["delivering", "delivered"]},
        "start": {"type": "string", "description": "Asia/Shanghai local time YYYY-MM-DDTHH:MM"},
        "end": {"type": "string", "nullable": True, "description": "required for delivered; after start"},
        "amount": {"anyOf": [{"type": "string"}, {"type": "number"}], "nullable": True,
                   "description": "card-hours, core-hours or tokens delivered; required for delivered"},
        "unit": {"type": "string", "nullable": True, "enum": ["card_hour", "core_hour", "token", None]},
        "notes": {"type": "string", "nullable": True, "description": "access notes shown once to the buyer"}}},
    "DeliveryRecorded": {"type": "object", "required": ["recorded", "delivery", "line"], "properties": {
        "recorded": {"type": "boolean"},
        "delivery": {"type": "object", "required": ["id", "state"], "properties": {
            "id": {"type": "integer"}, "state": {"type": "string"}, "start": {"type": "string"},
            "end": {"type": "string", "nullable": True}, "amount": {"type": "string", "nullable": True},
            "unit": {"type": "string", "nullable": True}}},
        "line": _ref("VendorOrderLine")}},
    "InvoiceNumber": {"type": "object", "required": ["invoice_number"], "properties": {
        "invoice_number": {"type": "string", "maxLength": 64, "description": "letters, digits and dashes, starting "
                           "with a letter or digit; Chinese invoice numbers (发票号码) are 8 or 20 digits"},
        "reason": {"type": "string", "nullable": True, "description": "required to correct a recorded number; "
                                                                     "kept in the audit log"}}},
    "InvoiceRecorded": {"type": "object", "required": ["recorded", "line"], "properties": {
        "recorded": {"type": "boolean", "description": "false: the same number was recorded already"},
        "line": {"allOf": [_ref("VendorOrderLine"), {"type": "object", "properties": {
            "invoice_number": {"type": "string", "nullable": True},
            "invoice_recorded_at": {"type": "string", "nullable": True},
            "claim_state": {"type": "string", "nullable": True,
                            "enum": ["awaiting_delivery", "awaiting_invoice", "claimable", None]}}}]}}},
    "VendorOrderList": {"type": "object", "required": ["total", "page", "per_page", "items"], "properties": {
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "items": {"type": "array", "items": _ref("VendorOrderLine")}}},
}


def _op(op_id: str, summary: str, responses: dict, parameters: list | None = None, body: dict | None = None,
        write: bool = False) -> dict:
    op = {"operationId": op_id, "summary": summary, "security": SECURITY, "tags": ["vendor"],
          "parameters": (parameters or []) + ([IDEMPOTENCY] if write else []),
          "responses": {**responses, **(WRITE if write else COMMON)}}
    if body is not None:
        op["requestBody"] = body
    return op


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


BAD = _error("Bad input; details name each field")
MISSING = _error("No such offer or sheet of yours")


def paths() -> dict:
    offer = {"200": _json(_ref("OfferChange"), "Replaced (or unchanged)")}
    return {
        "/api/v1/vendor/offers": {"get": _op(
            "listVendorOffers", "Your offers, by sku", {"200": _json(_ref("VendorOfferList"), "One page"), "400": BAD},
            _page(100, 50) + [{"name": "status", "in": "query", "required": False,
                               "schema": {"type": "string", "enum": ["active", "delisted"]}}])},
        "/api/v1/vendor/offers/{sku}": {
            "get": _op("getVendorOffer", "One of your offers", {"200": _json(_ref("Offer"), "The offer"),
                                                                 "404": MISSING}, [SKU]),
            "put": _op("putVendorOffer", "Create or replace one offer from standard columns (the sheet's validation)",
                       {**offer, "201": _json(_ref("OfferChange"), "Created"), "400": BAD,
                        "404": _error("No such URL: an sku with a line break cannot be sent in a path")}, [SKU],
                       _body(_ref("OfferColumns")), write=True),
            "patch": _op("patchVendorOffer", "Change price, stock, currency, unit or the spec 4.1 terms of one offer",
                         {**offer, "400": BAD, "404": MISSING}, [SKU], _body(_ref("OfferPatch")), write=True),
            "delete": _op("deleteVendorOffer", "Delist one offer (its page and history stay)",
                          {"200": _json(_ref("OfferChange"), "Delisted"), "404": MISSING}, [SKU], write=True),
        },
        "/api/v1/vendor/sheets": {"post": _op(
            "uploadVendorSheet", "Upload a price sheet; its preview starts at once",
            {"202": _json(_ref("Sheet"), "Staged; preview job queued"), "400": BAD,
             "413": _error("Larger than the upload limit")}, body={"required": True, "content": {
                 "multipart/form-data": {"schema": {"type": "object", "required": ["sheet"], "properties": {
                     "sheet": {"type": "string", "format": "binary"},
                     "mapping": {"type": "string", "description": 'JSON {"columns": {header: column}, '
                                                                 '"defaults": {column: value}}'}}}}}},
            write=True)},
        "/api/v1/vendor/sheets/{upload_id}": {"get": _op(
            "getVendorSheet", "A sheet's preview and apply jobs", {"200": _json(_ref("Sheet"), "The sheet"),
                                                                   "404": MISSING}, [UPLOAD])},
        "/api/v1/vendor/sheets/{upload_id}/preview": {"get": _op(
            "getVendorSheetPreview", "What applying the sheet would do, row by row",
            {"200": _json(_ref("SheetPreview"), "The preview"), "400": BAD, "404": MISSING,
             "409": _error("The preview is not ready yet")}, [UPLOAD] + _page(1000, 200))},
        "/api/v1/vendor/sheets/{upload_id}/apply": {"post": _op(
            "applyVendorSheet", "Apply the previewed sheet",
            {"202": _json(_ref("SheetApplied"), "Apply job queued"), "400": BAD, "404": MISSING,
             "410": _error("The upload expired")}, [UPLOAD],
            {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False, "properties": {
                    "mode": {"type": "string", "enum": ["all_or_nothing", "good_rows"]},
                    "delist_missing": {"type": "boolean"}}}}}}, write=True)},
        "/api/v1/vendor/orders": {"get": _op(
            "listVendorOrders", "Your order lines, newest first",
            {"200": _json(_ref("VendorOrderList"), "One page"), "400": BAD},
            _page(100, 50) + [{"name": "status", "in": "query", "required": False, "schema": {
                "type": "string", "enum": ["pending", "paid", "review", "failed", "expired"]}}])},
        "/api/v1/vendor/orders/{line_id}/deliver": {"post": _op(
            "deliverVendorOrderLine", "Record a delivery step of one of your paid order lines (the id of an item of "
                                      "GET /api/v1/vendor/orders)",
            {"201": _json(_ref("DeliveryRecorded"), "Step recorded"),
             "200": _json(_ref("DeliveryRecorded"), "This step was already recorded; nothing changed"),
             "400": BAD, "404": _error("No order line of yours by that id"),
             "409": _error("Not paid, already delivered, the step cannot follow, or an Idempotency-Key conflict")},
            [{"name": "line_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            _body(_ref("DeliveryStep")), write=True)},
        "/api/v1/vendor/orders/{line_id}/invoice": {"post": _op(
            "recordVendorOrderLineInvoice", "Record the invoice number of one of your voucher lines for write-off "
                                            "(核销); a recorded number is corrected only with a reason",
            {"200": _json(_ref("InvoiceRecorded"), "Recorded (or the same number again: nothing changed)"),
             "400": BAD, "404": _error("No order line of yours by that id"),
             "409": _error("Not a voucher line, not paid, changed meanwhile, or an Idempotency-Key conflict")},
            [{"name": "line_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            _body(_ref("InvoiceNumber")), write=True)},
    }
