"""Fault: kill -9 the worker in the middle of a Stripe webhook; Stripe's retry must fulfil the order exactly once.

    .venv/bin/python bench/faults/webhook_kill.py [--trials 5]

For each trial: a pending order is created, and a second database connection locks its
row (SELECT … FOR UPDATE). A signed `checkout.session.completed` event for it is POSTed to
gunicorn (one worker); the webhook's transaction blocks on that lock, half done (its
payment row inserted, not committed). The worker is then killed with SIGKILL, the lock
released, and the same event delivered again, as Stripe retries, and once more. The order
must be paid, with exactly one payment and one recorded event. Signs with the webhook
secret bench/services.app_env gives the server (STRIPE_WEBHOOK_SECRET, made per run; the
sandbox is never served in production) and uses the private PostgreSQL cluster. Writes
bench/results/faults-webhook.md.
"""

import argparse
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.services import FAULTS_DB, Gunicorn, app_env, ensure_postgres, flask, get, machine_note  # noqa: E402
from bench.yardstick import Yardstick  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def signed(payload: bytes, secret: str) -> str:
    stamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def post_raw(port: int, payload: bytes, signature: str) -> socket.socket:
    """Send the request and return the open socket (its answer may never come: we kill the worker)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(b"POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 + f"Stripe-Signature: {signature}\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                 + payload)
    return sock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--out", default=str(RESULTS / "faults-webhook.md"))
    args = parser.parse_args()
    try:
        import accounts.models  # noqa: F401 - orders reference users: the mapper needs every table
        from checkout.models import Order, Payment, StripeEvent
    except ImportError:
        raise SystemExit("this build has no checkout package: merge main (the checkout branch brings it)") from None
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.orm import Session

    ensure_postgres(FAULTS_DB)
    env = app_env(FAULTS_DB)
    secret = env["STRIPE_WEBHOOK_SECRET"]  # the server's, as Stripe's endpoint secret would be
    flask("init-db", env=env)
    engine = create_engine(env["DATABASE_URL"])
    note = machine_note()
    yardstick = Yardstick.start()
    rows, ok = [], True
    with Gunicorn(env, port=8767, workers=1) as server:
        for k in range(args.trials):
            with Session(engine) as s:
                order = Order(checkout_token=secrets.token_hex(16), email=f"fault{k}@example.com",
                              currency="CNY", total=Decimal("123.45"), status="pending")
                s.add(order)
                s.commit()
                order_id = order.id
            session_id = f"cs_fault_{secrets.token_hex(8)}"
            event = {"id": f"evt_fault_{secrets.token_hex(8)}", "object": "event", "type": "checkout.session.completed",
                     "data": {"object": {"id": session_id, "object": "checkout.session", "payment_status": "paid",
                                         "status": "complete", "currency": "cny", "amount_total": 12345,
                                         "metadata": {"order_id": str(order_id)}}}}
            payload = json.dumps(event).encode()

            locker = engine.connect()
            locker.execute(text("SELECT id FROM orders WHERE id = :i FOR UPDATE"), {"i": order_id})
            [worker] = server.worker_pids()
            sock = post_raw(server.port, payload, signed(payload, secret))
            blocked = False
            for _ in range(100):  # until the webhook's transaction waits on our lock
                with engine.connect() as c:
                    blocked = bool(c.execute(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'")).scalar())
                if blocked:
                    break
                time.sleep(0.05)
            os.kill(worker, signal.SIGKILL)
            first_answer = sock.recv(100)[:12].decode(errors="replace") or "(connection closed)"
            sock.close()
            locker.rollback()
            locker.close()
            for _ in range(100):  # gunicorn replaces the worker
                if server.worker_pids() and server.worker_pids() != [worker] and get(server.url + "/healthz")[0]:
                    break
                time.sleep(0.1)
            retry = get(server.url + "/webhooks/stripe", method="POST", data=payload,
                        headers={"Stripe-Signature": signed(payload, secret),
                                 "Content-Type": "application/json"})
            again = get(server.url + "/webhooks/stripe", method="POST", data=payload,
                        headers={"Stripe-Signature": signed(payload, secret),
                                 "Content-Type": "application/json"})
            with Session(engine) as s:
                status = s.scalar(select(Order.status).where(Order.id == order_id))
                payments = s.scalar(select(func.count()).select_from(Payment).where(Payment.order_id == order_id))
                events = s.scalar(select(func.count()).select_from(StripeEvent)
                                  .where(StripeEvent.event_id == event["id"]))
            good = blocked and status == "paid" and payments == 1 and events == 1 and retry[0] == 200
            ok = ok and good
            rows.append(f"| {k + 1} | {'yes' if blocked else 'no'} | {first_answer} | {retry[0]} "
                        f"{json.loads(retry[1] or b'{}').get('result', '')} | {again[0]} "
                        f"{'duplicate' if json.loads(again[1] or b'{}').get('duplicate') else ''} | {status} | "
                        f"{payments} | {events} |")
            print(rows[-1])
    engine.dispose()
    yardstick.finish()
    lines = [
        "# Fault: kill -9 mid Stripe webhook, then Stripe's retry",
        "",
        f"Written by `bench/faults/webhook_kill.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {note}. " + yardstick.line(ratios=False),
        "gunicorn with one worker (production mode) on the private PostgreSQL 15 cluster; the run's webhook secret. "
        "In each trial the webhook's transaction is caught half done (blocked on a row lock we hold), the worker "
        "is killed with SIGKILL, then the same signed event is delivered twice more.",
        "",
        "| trial | killed mid-transaction | first delivery's answer | retry | second retry | order | payments | "
        "events recorded |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Result: **{'fulfilled exactly once every time' if ok else 'FAILED: see the table'}**.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
