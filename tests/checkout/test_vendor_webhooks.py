"""Signed order webhooks: written with the order's change, delivered until a 2xx with growing delays, never lost."""

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import func, select, update

from catalog.models import Vendor, utcnow
from checkout import fulfilment, vendor_webhooks
from checkout.fulfilment import fulfil
from checkout.models import Order, WebhookDelivery
from checkout.sandbox import store
from checkout.tasks import deliver_webhook_task, requeue_webhooks_task
from extensions import db
from tests.checkout.conftest import event_payload, start_checkout


class Receiver:
    """A vendor's endpoint on 127.0.0.1 that answers 500 to the first `failures` POSTs, then 200."""

    def __init__(self, failures: int):
        self.failures, self.requests = failures, []
        self.during = None  # called while a POST is being answered
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                outer.requests.append((self.headers["X-Signature"], body))
                if outer.during:
                    outer.during()
                self.send_response(500 if len(outer.requests) <= outer.failures else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/market"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    made = []

    def make(failures=0):
        made.append(Receiver(failures))
        return made[-1]
    yield make
    for r in made:
        r.close()


def verifies(secret: str, header: str, body: str) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.{body}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def hook_vendor(url: str, slug: str = "testcloud") -> str:
    vendor_id = db.session.scalar(select(Vendor.id).where(Vendor.slug == slug))
    secret = vendor_webhooks.set_webhook(db.session, vendor_id, url)
    db.session.commit()
    return secret


def paid_checkout_session(client, offer_id: int) -> dict:
    session_id = start_checkout(client, offer_id, quantity=2)
    return json.loads(event_payload(store.pay(session_id)))["data"]["object"]


def rows() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_fails_three_times_then_delivered_once_signed_with_growing_delays(client, make_offer, receiver):
    offer_id = make_offer(stock=5)
    endpoint = receiver(failures=3)
    secret = hook_vendor(endpoint.url)
    assert fulfil(db.session, paid_checkout_session(client, offer_id)).value == "fulfilled"
    [row] = rows()
    assert row.event == "order.paid" and row.status == "pending"
    body = json.loads(row.body)
    assert body["type"] == "order.paid" and body["data"]["lines"][0]["quantity"] == 2 and body["id"] == row.id

    now, delays = row.next_at, []
    for _ in range(10):
        outcome = vendor_webhooks.deliver(db.session, row.id, now=now)
        [row] = rows()
        if outcome == "delivered":
            break
        assert row.last_status == 500
        delays.append(row.next_at - now)
        assert vendor_webhooks.deliver(db.session, row.id, now=now) == "busy"  # not due before its next_at
        now = row.next_at
    assert row.status == "delivered" and row.attempts == 4 and row.last_status == 200
    assert len(endpoint.requests) == 4
    assert delays == sorted(delays) and len(set(delays)) == 3, delays
    assert all(verifies(secret, header, sent) for header, sent in endpoint.requests)
    assert all(sent == row.body for _, sent in endpoint.requests)
    assert not verifies("whsec_wrong", *endpoint.requests[-1])
    # Delivered is final: nothing due, another attempt sends nothing.
    assert vendor_webhooks.due(db.session, now + timedelta(days=1)) == []
    assert vendor_webhooks.deliver(db.session, row.id, now=now + timedelta(hours=1)) == "busy"
    assert len(endpoint.requests) == 4


def test_gives_up_after_three_days(client, make_offer, receiver):
    offer_id = make_offer(stock=5)
    endpoint = receiver(failures=10_000)
    hook_vendor(endpoint.url)
    fulfil(db.session, paid_checkout_session(client, offer_id))
    [row] = rows()
    now = row.next_at
    while vendor_webhooks.deliver(db.session, row.id, now=now) == "pending":
        [row] = rows()
        now = row.next_at
    [row] = rows()
    assert row.status == "failed" and row.next_at is None
    assert row.attempts == len(endpoint.requests) and 10 < row.attempts < 40


def test_a_rolled_back_fulfil_leaves_no_event(client, make_offer, receiver, monkeypatch):
    offer_id = make_offer(stock=5)
    hook_vendor(receiver().url)
    real = fulfilment.record_order_paid

    def then_fail(session, order_id):
        real(session, order_id)
        assert session.scalar(select(func.count(WebhookDelivery.id))) == 1  # written, not yet committed
        raise RuntimeError("the database went away before the commit")

    monkeypatch.setattr(fulfilment, "record_order_paid", then_fail)
    with pytest.raises(RuntimeError):
        fulfil(db.session, paid_checkout_session(client, offer_id))
    db.session.rollback()
    assert rows() == []
    assert db.session.scalar(select(Order.status)) == "pending"


def test_no_webhook_no_event(client, make_offer):
    fulfil(db.session, paid_checkout_session(client, make_offer(stock=5)))
    assert db.session.scalar(select(Order.status)) == "paid"
    assert rows() == []


def test_a_row_held_by_a_dead_worker_is_delivered_by_the_periodic_requeue(client, make_offer, receiver):
    offer_id = make_offer(stock=5)
    endpoint = receiver()
    secret = hook_vendor(endpoint.url)
    fulfil(db.session, paid_checkout_session(client, offer_id))
    [row] = rows()
    now = utcnow()
    assert vendor_webhooks.claim(db.session, row.id, now)  # a worker took it, then was killed
    assert vendor_webhooks.due(db.session, now) == []  # its claim is live: nobody else sends meanwhile
    db.session.execute(update(WebhookDelivery).values(claimed_until=now - timedelta(seconds=1)))
    db.session.commit()
    assert vendor_webhooks.due(db.session, now) == [row.id]
    requeue_webhooks_task()  # TASK_QUEUE=immediate: enqueues and runs the delivery here
    [row] = rows()
    assert row.status == "delivered" and row.attempts == 1
    assert len(endpoint.requests) == 1 and verifies(secret, *endpoint.requests[0])


def test_the_delivery_task_claims_the_row_for_webhook_claim_seconds(app, client, make_offer, receiver):
    """While a POST is in flight the row is held for WEBHOOK_CLAIM_SECONDS: a killed worker's row waits that long."""
    offer_id = make_offer(stock=5)
    endpoint = receiver()
    hook_vendor(endpoint.url)
    fulfil(db.session, paid_checkout_session(client, offer_id))
    [row] = rows()
    engine, held = db.engine, []

    def read_claim():  # in the receiver's thread, on a connection of its own
        with engine.connect() as conn:
            held.append(conn.scalar(select(WebhookDelivery.claimed_until).where(WebhookDelivery.id == row.id)))
    endpoint.during = read_claim
    app.config["WEBHOOK_CLAIM_SECONDS"] = 300
    before = utcnow()
    deliver_webhook_task(row.id)  # TASK_QUEUE=immediate: runs here
    assert timedelta(seconds=299) <= held[0] - before <= timedelta(seconds=310)
    [row] = rows()
    assert row.status == "delivered" and row.claimed_until is None


def fake_resolver(address: str):
    def resolve(host, port, proto=0):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, proto, "", (address, port))]
    return resolve


@pytest.mark.parametrize(("url", "address", "code"), [
    ("http://hooks.example.com/x", "93.184.216.34", "not_https"),
    ("https://127.0.0.1/x", "127.0.0.1", "private_address"),
    ("https://internal.example.com/x", "10.1.2.3", "private_address"),
    ("https://meta.example.com/x", "169.254.169.254", "private_address"),
    ("https://six.example.com/x", "::1", "private_address"),
    ("https://lan.example.com/x", "192.168.1.10", "private_address"),
    ("ftp://hooks.example.com/x", "93.184.216.34", "malformed"),
    ("not a url", "93.184.216.34", "malformed"),
])
def test_production_refuses_http_and_private_addresses(url, address, code):
    with pytest.raises(vendor_webhooks.BadWebhookUrl) as refused:
        vendor_webhooks.check_url(url, production=True, resolve=fake_resolver(address))
    assert refused.value.code == code


def test_production_accepts_a_public_https_url_and_development_allows_loopback():
    url = "https://hooks.example.com/market"
    assert vendor_webhooks.check_url(url, production=True, resolve=fake_resolver("93.184.216.34")) == url
    assert vendor_webhooks.check_url("http://127.0.0.1:9000/h", production=False) == "http://127.0.0.1:9000/h"


@pytest.fixture()
def vendor_client(app, client):
    from tests.stall_support import log_in, make_vendor_member

    user, vendor = make_vendor_member("hooks@example.com", "hooksco")
    log_in(client, user)
    return client, vendor


def test_the_stall_page_sets_the_url_shows_the_secret_once_and_resends(app, vendor_client, receiver):
    client, vendor = vendor_client
    endpoint = receiver()
    page = client.post("/stall/webhooks", data={"url": endpoint.url})
    assert page.status_code == 200
    secret = vendor_webhooks.webhook_of(db.session, vendor.id).secret
    assert secret in page.text
    assert secret not in client.get("/stall/webhooks").text  # shown once
    app.config["APP_ENV"] = "production"
    try:
        refused = client.post("/stall/webhooks", data={"url": "http://127.0.0.1:9/x"})
    finally:
        app.config["APP_ENV"] = "development"
    assert refused.status_code == 400 and "https://" in refused.text
    db.session.expire_all()
    assert vendor_webhooks.webhook_of(db.session, vendor.id).url == endpoint.url  # unchanged
    # A delivered event, resent from the page: due again, sent again, signed with the current secret.
    db.session.add(WebhookDelivery(vendor_id=vendor.id, event="order.paid", body='{"type":"order.paid"}',
                                   status="delivered", attempts=1, last_status=200, created_at=utcnow()))
    db.session.commit()
    [row] = rows()
    listing = client.get("/stall/webhooks").text
    assert "order.paid" in listing and "HTTP 200" in listing
    assert client.post(f"/stall/webhooks/{row.id}/resend").status_code == 302
    assert vendor_webhooks.due(db.session, utcnow()) == [row.id]
    requeue_webhooks_task()
    [row] = rows()
    assert row.status == "delivered" and row.attempts == 2
    assert verifies(secret, *endpoint.requests[0])


def test_a_delivered_step_writes_order_line_delivered_with_the_step(client, make_offer, receiver):
    from decimal import Decimal

    from checkout.delivery import Step, record_step
    from checkout.models import OrderLine
    from tests.stall_support import make_vendor_member

    member, _ = make_vendor_member("deliverer@example.com", "deliverer")
    offer_id = make_offer(stock=5)
    hook_vendor(receiver().url)
    fulfil(db.session, paid_checkout_session(client, offer_id))
    line = db.session.scalar(select(OrderLine))
    start = utcnow().replace(microsecond=0)
    record_step(db.session, line, Step(state="delivered", started_at=start, ended_at=start + timedelta(hours=2),
                                       amount=Decimal(2), unit="card_hour"), by_user_id=member.id)
    events = [(r.event, json.loads(r.body)["data"].get("line", {}).get("delivery_state")) for r in rows()]
    assert events == [("order.paid", None), ("order_line.delivered", "delivered")]
    # The same step again records nothing new, so no second event.
    record_step(db.session, db.session.scalar(select(OrderLine)), Step(state="delivered", started_at=start),
                by_user_id=member.id)
    assert len(rows()) == 2


def test_production_checks_the_address_again_when_sending(client, make_offer, receiver):
    """A host saved while public that now resolves inside is not POSTed to; the attempt says why."""
    offer_id = make_offer(stock=5)
    endpoint = receiver()
    hook_vendor(endpoint.url.replace("http://", "https://"))
    fulfil(db.session, paid_checkout_session(client, offer_id))
    [row] = rows()
    assert vendor_webhooks.deliver(db.session, row.id, now=row.next_at, production=True,
                                   resolve=fake_resolver("127.0.0.1")) == "pending"
    [row] = rows()
    assert row.attempts == 1 and row.last_status is None and "private_address" in row.last_error
    assert endpoint.requests == []


def test_a_redirect_is_an_answer_not_followed():
    """A vendor URL answering 302 to an internal address must not lead the server there."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "/internal")
            self.end_headers()

        do_GET = do_POST

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, _ = vendor_webhooks.post(f"http://127.0.0.1:{server.server_port}/hook", "{}", "t=1,v1=x")
    finally:
        server.shutdown()
        server.server_close()
    assert status == 302 and hits == ["/hook"]


def test_a_real_queue_gets_a_message_per_new_event_once_committed(app, client, make_offer, receiver):
    """Outside immediate mode the commit that writes the rows enqueues their delivery; a rollback enqueues nothing."""
    from huey.storage import MemoryStorage

    from task_queue import Binding

    offer_id = make_offer(stock=5)
    hook_vendor(receiver().url)
    checkout_session = paid_checkout_session(client, offer_id)
    previous = app.extensions["task_queue"]
    app.extensions["task_queue"] = binding = Binding(app, False, lambda: MemoryStorage("webhook-test"))
    try:
        fulfil(db.session, checkout_session)
        assert binding.storage.queue_size() == 1
    finally:
        app.extensions["task_queue"] = previous
    [row] = rows()
    assert row.status == "pending" and row.attempts == 0
