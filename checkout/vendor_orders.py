"""GET /api/v1/vendor/orders: a vendor's order lines, for the vendor API (spec section 9).

Authenticated by accounts' bearer-key gate; only lines of the key's vendor are ever read.
"""

from flask import Blueprint, request
from sqlalchemy import func, select

from accounts import Answer, error_answer, vendor_key_required
from catalog.models import Vendor
from catalog.serialize import when
from checkout.models import Order, OrderLine, OrderStatus
from extensions import db

bp = Blueprint("vendor_orders", __name__, url_prefix="/api/v1/vendor")
STATUSES = (OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.REVIEW, OrderStatus.FAILED, OrderStatus.EXPIRED)
MAX_PER_PAGE = 100


def line_json(line: OrderLine, order: Order) -> dict:
    return {"id": line.id, "order_id": order.id, "status": order.status, "offer_id": line.offer_id,
            "sku": line.sku, "title": line.title, "kind": line.kind, "billing": line.billing,
            "purchase_unit": line.purchase_unit, "quantity": line.quantity,
            "unit_amount": format(line.unit_amount, "f"), "line_total": format(line.line_total, "f"),
            "currency": order.currency, "created_at": when(order.created_at), "paid_at": when(order.paid_at)}


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


def init_app(app) -> None:
    from extensions import csrf

    app.register_blueprint(bp)
    csrf.exempt(bp)  # read-only, bearer key only
