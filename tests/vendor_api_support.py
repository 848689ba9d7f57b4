"""Helpers for tests of the vendor API: a vendor member with a key, and the headers to send it."""

import json
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager

from werkzeug.serving import make_server

from accounts.api_keys import issue_key
from extensions import db
from tests.stall_support import make_vendor_member

GPU_COLUMNS = {"kind": "gpu", "gpu_model": "RTX 4090", "gpu_count": 1, "region": "杭州", "billing": "on_demand",
               "price": "1.90", "currency": "CNY", "price_unit": "card_hour", "stock": 5}


def vendor_with_key(email: str, slug: str, name: str = "sync"):
    """(user, vendor, secret): a vendor member and a live API key of that vendor."""
    user, vendor = make_vendor_member(email, slug)
    secret = issue_key(db.session, vendor, user.id, name).secret
    db.session.commit()
    return user, vendor, secret


def bearer(secret: str, **extra: str) -> dict:
    return {"Authorization": f"Bearer {secret}", **extra}


@contextmanager
def served(app):
    """The test app (same database as the test) on a free local port, in a thread: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def call(base: str, method: str, path: str, secret: str, body: dict | None = None, **headers: str):
    """(status, parsed JSON body, headers) of one request to a served app."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        **bearer(secret, **headers), **({"Content-Type": "application/json"} if data is not None else {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def paid_line_id(offer_id: int, checkout_token: str) -> int:
    """Place a one-line order for one card-hour of the offer and mark it paid as fulfilment does; the line's id."""
    from sqlalchemy import select, update

    from catalog.context import load_fx
    from catalog.models import utcnow
    from checkout.models import DeliveryState, Order, OrderLine, OrderStatus
    from checkout.orders import Wanted, confirm_paid, place_order

    order = place_order(db.session, [Wanted(offer_id, instances=1, hours=1)], email="paid@example.cn", user_id=None,
                        checkout_token=checkout_token, fx=load_fx(db.session))
    db.session.execute(update(Order).where(Order.id == order.id).values(status=OrderStatus.PAID, paid_at=utcnow()))
    confirm_paid(db.session, order.id)
    db.session.execute(update(OrderLine).where(OrderLine.order_id == order.id)
                       .values(delivery_state=DeliveryState.PAID))
    db.session.commit()
    return db.session.scalar(select(OrderLine.id).where(OrderLine.order_id == order.id))
