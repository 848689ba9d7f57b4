"""Fault: kill -9 the task-queue worker in the middle of a vendor webhook POST; the event must still arrive.

    .venv/bin/python bench/faults/webhook_worker_kill.py [--trials 2] [--claim 10]

A vendor with a webhook URL on a local receiver, one `flask worker` (Huey on Redis) on
PostgreSQL (the private cluster). Each trial writes an `order.paid` event for a new order in
the order's transaction, as checkout does; the commit puts its delivery on the queue. The
receiver holds the first POST of each event open without answering, and while it does, the
worker that sent it is killed with SIGKILL. A fresh worker is started in its place, as a
supervisor would. Nothing else is done: the dead worker's claim on the row runs out
(WEBHOOK_CLAIM_SECONDS, --claim), the minute's periodic requeue puts the row on the queue
again, and the new worker delivers it. It checks that the row ends `delivered`, that every
POST the receiver got carried the same event id and a valid signature, and that exactly one
POST was answered 2xx. The receiver sees the event twice (the cut-off POST and the one that
was answered): delivery is at least once, and a receiver drops the repeat by the event's `id`
(docs/vendor-api.md). Writes bench/results/faults-webhook-worker.md.
"""

import argparse
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.faults.import_kill import write_sheet  # noqa: E402
from bench.faults.queue_kill import Workers  # noqa: E402
from bench.services import app_env, ensure_postgres, flask, machine_note  # noqa: E402
from bench.yardstick import Yardstick  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATABASE = "market_faults_hooks"
REDIS = os.environ.get("BENCH_HOOKS_REDIS_URL", "redis://127.0.0.1:6379/13")
VENDOR = "hook-fault"


class Receiver:
    """The vendor's endpoint: holds the first POST of each event open until released, answers 200 after."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.release = threading.Event()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                event_id = json.loads(body)["id"]
                with outer.lock:
                    first = not any(p["event"] == event_id for p in outer.posts)
                    post = {"event": event_id, "at": time.monotonic(), "signature": self.headers["X-Signature"],
                            "body": body, "answered": None}
                    outer.posts.append(post)
                if first:
                    outer.release.wait(timeout=120)  # the sender is killed meanwhile: nobody reads an answer
                    return
                try:
                    self.send_response(200)
                    self.end_headers()
                    post["answered"] = 200
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/market"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of(self, event_id: int) -> list[dict]:
        with self.lock:
            return [p for p in self.posts if p["event"] == event_id]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def verifies(secret: str, header: str, body: str) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.{body}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def write_paid_event(app, offer_id: int, k: int) -> int:
    """A pending order for one machine-hour (trial k's own hour), then its `order.paid` event, committed together; the row id."""
    from catalog.bookings import next_start
    from catalog.context import load_fx
    from checkout import vendor_webhooks
    from checkout.orders import Wanted, place_order
    from extensions import db

    with app.app_context():
        order = place_order(db.session, [Wanted(offer_id, instances=1, hours=1, start=next_start() + timedelta(hours=k))], email=f"buyer{k}@example.com",
                            user_id=None, checkout_token=f"hook-fault-{time.time_ns()}", fx=load_fx(db.session))
        vendor_webhooks.record_order_paid(db.session, order.id)
        (delivery_id,) = db.session.info[vendor_webhooks.PENDING_KEY]  # the commit's hook takes the list
        db.session.commit()  # the after-commit hook puts its delivery on the queue
        return delivery_id


def row_of(engine, delivery_id: int) -> dict:
    from sqlalchemy import text

    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT status, attempts, last_status, delivered_at FROM webhook_deliveries "
                                      "WHERE id = :d"), {"d": delivery_id}).mappings().one())


def trial(app, engine, workers: Workers, receiver: Receiver, secret: str, offer_id: int, k: int, victim: str,
          timeout: float) -> dict:
    receiver.release.clear()
    delivery_id = write_paid_event(app, offer_id, k)
    written = time.monotonic()
    while not receiver.of(delivery_id):
        if time.monotonic() - written > timeout:
            raise SystemExit(f"event {delivery_id} never reached the receiver in {timeout:.0f} s")
        time.sleep(0.02)
    workers.kill(victim)  # mid-POST: the receiver holds the request, the worker waits for the answer
    killed = time.monotonic()
    receiver.release.set()
    replacement = f"{victim}-after-{k}"
    workers.start(replacement)
    while True:
        row = row_of(engine, delivery_id)
        if row["status"] != "pending" or time.monotonic() - killed > timeout:
            break
        time.sleep(0.2)
    posts = receiver.of(delivery_id)
    answered = [p for p in posts if p["answered"]]
    return {"event": delivery_id, "killed": victim, "replacement": replacement,
            "post_after_s": posts[0]["at"] - written, "recover_s": time.monotonic() - killed,
            "posts": len(posts), "answered": len(answered),
            "signatures_ok": all(verifies(secret, p["signature"], p["body"]) for p in posts),
            "same_body": len({p["body"] for p in posts}) == 1, **row}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2)
    parser.add_argument("--claim", type=float, default=10.0, help="WEBHOOK_CLAIM_SECONDS for this run")
    parser.add_argument("--out", default=str(RESULTS / "faults-webhook-worker.md"))
    args = parser.parse_args()

    from sqlalchemy import create_engine, select

    from app import create_app

    ensure_postgres(DATABASE, fresh=True)
    work = Path(tempfile.mkdtemp(prefix="market-fault-hooks-"))
    # Development mode: production refuses a webhook URL on 127.0.0.1 (no private addresses), and the
    # receiver has to be local. Everything the fault is about (queue, claim, requeue) is the same.
    env = app_env(DATABASE, APP_ENV="development", REDIS_URL=REDIS, TASK_QUEUE="redis", SEARCH_DRAIN="off",
                  WEBHOOK_CLAIM_SECONDS=str(args.claim), SEARCH_INDEX_DIR=str(work / "search-index"))
    flask("init-db", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    flask("import-sheet", str(write_sheet(2)), "--vendor", VENDOR, env=env, stdout=subprocess.DEVNULL)
    app = create_app(environ=env)
    receiver = Receiver()
    with app.app_context():
        from catalog.models import Offer, Vendor
        from checkout import vendor_webhooks
        from extensions import db

        app.extensions["task_queue"].storage.flush_all()  # messages of an earlier, interrupted run
        vendor_id = db.session.scalar(select(Vendor.id).where(Vendor.slug == VENDOR))
        offer_id = db.session.scalar(select(Offer.id).where(Offer.vendor_id == vendor_id, Offer.sku == "fault-1"))
        secret = vendor_webhooks.set_webhook(db.session, vendor_id, receiver.url)
        db.session.commit()
    engine = create_engine(env["DATABASE_URL"])
    note = machine_note()
    yardstick = Yardstick.start()
    workers = Workers(env, work)
    victim = "hook-worker"
    workers.start(victim)
    # The claim, then at most a minute until the periodic requeue, then the POST.
    timeout = args.claim + 60 + 60
    results, ok = [], True
    try:
        for k in range(args.trials):
            found = trial(app, engine, workers, receiver, secret, offer_id, k, victim, timeout)
            print(found)
            results.append(found)
            ok = ok and (found["status"] == "delivered" and found["answered"] == 1 and found["posts"] >= 2
                         and found["signatures_ok"] and found["same_body"])
            victim = found["replacement"]
    finally:
        workers.stop_all()
        receiver.close()
        engine.dispose()
    yardstick.finish()

    def fmt(value):
        return "—" if value is None else f"{value:.1f}"

    lines = [
        "# Fault: kill -9 the task-queue worker mid vendor-webhook POST",
        "",
        f"Written by `bench/faults/webhook_worker_kill.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {note}. "
        + yardstick.line(ratios=False),
        "One `flask worker` (Huey on Redis, one thread) on PostgreSQL 15 (the private bench cluster); a vendor whose "
        "webhook URL is a local receiver. Each trial: an order and its `order.paid` event committed together, its "
        "delivery queued by the commit; the receiver holds the first POST open, and meanwhile the worker that sent "
        "it is killed with SIGKILL and a fresh worker started in its place. Claim "
        f"{args.claim:g} s (`WEBHOOK_CLAIM_SECONDS`); the periodic requeue (every minute) queues the row again once "
        "the dead worker's claim has run out.",
        "",
        "| trial | event | killed | POST after (s) | delivered after kill (s) | POSTs received | answered 2xx | "
        "same body, signatures verify | status | attempts recorded |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *[f"| {i + 1} | {r['event']} | {r['killed']} | {fmt(r['post_after_s'])} | {fmt(r['recover_s'])} | "
          f"{r['posts']} | {r['answered']} | {'yes' if r['same_body'] and r['signatures_ok'] else 'NO'} | "
          f"{r['status']} | {r['attempts']} |" for i, r in enumerate(results)],
        "",
        "The killed attempt recorded nothing (it died before its outcome was written), so the row counts the one "
        "attempt that got an answer. The receiver got the event twice, the same body with a valid signature each "
        "time: delivery is at least once, and the event's `id` lets the vendor drop the repeat.",
        "",
        f"Result: **{'delivered after the kill, never lost, every time' if ok else 'FAILED: see the table'}**.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
