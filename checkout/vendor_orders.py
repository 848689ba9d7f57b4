"""The vendor API's orders (spec section 9): GET /api/v1/vendor/orders lists the key's vendor's
order lines; POST /api/v1/vendor/orders/<line id>/deliver records a delivery step of one of them;
POST …/<line id>/invoice records the invoice number of a voucher line for write-off (核销).

Authenticated by accounts' bearer-key gate; only lines of the key's vendor are ever read or moved.
A delivery step goes through the stall's own schema and checkout.delivery.record_step.
"""

import json
from decimal import Decimal

from flask import Blueprint, request
from marshmallow import ValidationError
from sqlalchemy import func, select

from accounts import Answer, api_key_user_id, error_answer, vendor_key_required
from catalog.models import Vendor
from catalog.serialize import when
from checkout.delivery import Step, StepRefused, own_line, record_step
from checkout.models import Delivery, DeliveryState, Order, OrderLine, OrderStatus
from checkout.schemas import DeliveryStepSchema
from checkout.write_off import InvoiceRefused, claim_state, record_invoice
from extensions import db
from web.validation import nul_at

bp = Blueprint("vendor_orders", __name__, url_prefix="/api/v1/vendor")
STATUSES = (OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.REVIEW, OrderStatus.FAILED, OrderStatus.EXPIRED)
MAX_PER_PAGE = 100


def line_json(line: OrderLine, order: Order) -> dict:
    return {"id": line.id, "order_id": order.id, "status": order.status, "offer_id": line.offer_id,
            "sku": line.sku, "title": line.title, "kind": line.kind, "billing": line.billing,
            "purchase_unit": line.purchase_unit, "quantity": line.quantity,
            "unit_amount": format(line.unit_amount, "f"), "line_total": format(line.line_total, "f"),
            "currency": order.currency, "created_at": when(order.created_at), "paid_at": when(order.paid_at),
            "delivery_state": line.delivery_state}


def _page_arg(name: str, default: int, maximum: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    ok = raw.isascii() and raw.isdigit() and len(raw) <= 9 and 1 <= int(raw) <= maximum
    return int(raw) if ok else None


@bp.get("/orders")
@vendor_key_required
def list_orders(vendor: Vendor) -> Answer:
    status = request.args.get("status") or None
    page, per_page = _page_arg("page", 1, 1_000_000), _page_arg("per_page", 50, MAX_PER_PAGE)
    if status is not None and status not in STATUSES:
        return error_answer(400, "bad_parameter", f"status: one of {', '.join(STATUSES)}", {"status": ["unknown"]})
    if page is None or per_page is None:
        return error_answer(400, "bad_parameter", f"page and per_page: whole numbers (per_page at most "
                                                  f"{MAX_PER_PAGE})", {"page": ["out of range"]})
    where = [OrderLine.vendor_id == vendor.id] + ([Order.status == status] if status else [])
    total = db.session.scalar(select(func.count(OrderLine.id)).join(Order).where(*where))
    rows = db.session.execute(select(OrderLine, Order).join(Order).where(*where)
                              .order_by(Order.created_at.desc(), OrderLine.id.desc())
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return Answer(200, {"total": total, "page": page, "per_page": per_page,
                        "items": [line_json(line, order) for line, order in rows]})


REFUSED = {
    "not_paid": "this line's order is not paid: only a paid line is delivered",
    "already_delivered": "this line is already delivered",
    "not_allowed": "this step cannot follow the line's state (delivering after delivered)",
}


def _step_body() -> dict | None:
    """The JSON object sent, numbers as Decimal (an amount never goes through a float); None if not one."""
    try:
        data = json.loads(request.get_data(cache=True) or b"null", parse_float=Decimal, parse_int=Decimal,
                          parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _nul_answer(data: dict) -> Answer | None:
    """A 400 naming the field that holds U+0000 (PostgreSQL text cannot), else None."""
    where = nul_at(data)
    return None if where is None else error_answer(400, "bad_request", f"{where}: must not contain a NUL character",
                                                   {where: ["NUL character"]})


def _no_constant(name: str):
    raise ValueError(name)


def _delivery_json(record: Delivery) -> dict:
    return {"id": record.id, "state": record.state, "start": when(record.started_at), "end": when(record.ended_at),
            "amount": None if record.amount is None else format(record.amount.normalize(), "f"), "unit": record.unit}


def _line_and_body(vendor: Vendor, line_id: int) -> tuple[OrderLine, dict] | Answer:
    """One of the vendor's order lines and the request's JSON object, or the 404/400 that says which is missing."""
    line = own_line(db.session, line_id, [vendor.id])
    if line is None:
        return error_answer(404, "not_found", "no order line of yours by that id (the id of GET /api/v1/vendor/orders)")
    data = _step_body()
    if data is None:
        return error_answer(400, "bad_request", "the body must be a JSON object", {"_": ["not a JSON object"]})
    return _nul_answer(data) or (line, data)


@bp.post("/orders/<int:line_id>/deliver")
@vendor_key_required
def deliver_line(vendor: Vendor, line_id: int) -> Answer:
    """Record a delivery step (delivering or delivered) of one of the vendor's paid order lines."""
    found = _line_and_body(vendor, line_id)
    if isinstance(found, Answer):
        return found
    line, data = found
    if line.delivery_state is None:  # not paid: say so before any complaint about the body
        return error_answer(409, "not_paid", REFUSED["not_paid"])
    try:
        step_data = DeliveryStepSchema().load(data)
    except ValidationError as exc:
        details = {name: [str(m) for m in (messages if isinstance(messages, list) else [messages])]
                   for name, messages in exc.normalized_messages().items()}
        text = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in details.items())
        return error_answer(400, "invalid_delivery", text, details)
    # As the stall: what was delivered is said when it is delivered; "delivering" keeps its start and notes.
    done = step_data["state"] == DeliveryState.DELIVERED
    step = Step(state=step_data["state"], started_at=step_data["start"],
                ended_at=step_data["end"] if done else None, amount=step_data["amount"] if done else None,
                unit=step_data["unit"] if done else None, notes=step_data["notes"])
    line_id = line.id
    try:
        record, new = record_step(db.session, line, step, by_user_id=api_key_user_id())
    except StepRefused as exc:
        return error_answer(409, exc.code, REFUSED[exc.code])
    line = db.session.get(OrderLine, line_id)
    return Answer(201 if new else 200, {"recorded": new, "delivery": _delivery_json(record),
                                        "line": line_json(line, line.order)})


# The stall's refusals (checkout/invoice_views.py) for a program: (status, field or None, message).
INVOICE_REFUSED = {
    "empty": (400, "invoice_number", "enter the number printed on the invoice"),
    "too_long": (400, "invoice_number", "at most 64 characters"),
    "bad_characters": (400, "invoice_number", "letters, digits and dashes only, starting with a letter or digit "
                                              "(Chinese invoice numbers are 8 or 20 digits)"),
    "reason_needed": (400, "reason", "an invoice number already recorded is corrected only with a reason"),
    "not_voucher": (409, None, "only a voucher line (with a government share) carries an invoice for write-off"),
    "not_paid": (409, None, "this line's order is not paid"),
    "changed": (409, None, "the invoice number was changed meanwhile: read the line again"),
}


def _invoice_json(line: OrderLine) -> dict:
    return {**line_json(line, line.order), "invoice_number": line.invoice_number,
            "invoice_recorded_at": when(line.invoice_recorded_at), "claim_state": claim_state(line)}


@bp.post("/orders/<int:line_id>/invoice")
@vendor_key_required
def record_line_invoice(vendor: Vendor, line_id: int) -> Answer:
    """Record, or with a reason correct, the invoice number of one of the vendor's voucher lines."""
    found = _line_and_body(vendor, line_id)
    if isinstance(found, Answer):
        return found
    line, data = found
    number, reason = data.get("invoice_number"), data.get("reason")
    # A number sent as a JSON number would lose its leading zeros: only a string is an invoice number.
    for name, value, required in (("invoice_number", number, True), ("reason", reason, False)):
        if not isinstance(value, str) and (required or value is not None):
            return error_answer(400, "invalid_invoice", f"{name}: a string", {name: ["a string"]})
    try:
        changed = record_invoice(db.session, line, number, by_user_id=api_key_user_id(), reason=reason)
    except InvoiceRefused as exc:
        status, field, message = INVOICE_REFUSED[exc.code]
        if status == 400:
            return error_answer(400, "invalid_invoice", f"{field}: {message}", {field: [message]})
        return error_answer(409, exc.code, message)
    line = db.session.get(OrderLine, line_id)
    return Answer(200, {"recorded": changed, "line": _invoice_json(line)})


def init_app(app) -> None:
    from extensions import csrf

    app.register_blueprint(bp)
    csrf.exempt(bp)  # bearer key only, never the session cookie: nothing for CSRF to guard
