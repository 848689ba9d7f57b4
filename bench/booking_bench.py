"""Bookings per second: 16 buyers at once booking one offer's hours on PostgreSQL, through place_order.

    .venv/bin/python bench/booking_bench.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test_bookings
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/booking_bench.py [--buyers 16] [--seconds 20]

Each buyer (a thread with its own session and connection) places orders of 1–2 machines for
1–6 hours at a random start in the next 168 hours of one offer with 16 machines, through
checkout.orders.place_order (the offer row locked FOR UPDATE, every hour checked, order +
lines + booking committed together). Refusals (an hour already full) are counted apart.
At the end every hour is checked: no hour may hold more than the stock. Figures go to
bench/out/booking-bench.json and stdout. The database's tables are dropped and created:
never point it at a database you care about.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out" / "booking-bench.json"
STOCK = 16


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    if not args.url or not args.url.startswith("postgresql"):
        raise SystemExit("give a PostgreSQL URL: --url or DATABASE_URL")

    from app import create_app
    from catalog.bookings import LIVE, Booking
    from catalog.context import load_fx
    from catalog.models import Offer, Vendor
    from checkout.orders import OutOfStock, Wanted, place_order
    from extensions import db

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": args.url, "SEARCH_DRAIN": "sync",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": args.buyers + 2, "max_overflow": 0}})
    with app.app_context():
        db.drop_all()
        db.create_all()
        vendor = Vendor(slug="bench", name_zh="压测云", name_en="Bench Cloud")
        db.session.add(vendor)
        db.session.flush()
        offer = Offer(vendor_id=vendor.id, sku="h100x8", kind="gpu", title="H100 ×8", billing="on_demand",
                      stock=STOCK, list_amount=Decimal("136.96"), list_currency="CNY", list_unit="hour",
                      unit_price=Decimal("17.12"), gpu_model="h100-sxm", gpu_count=Decimal(8))
        db.session.add(offer)
        db.session.commit()
        offer_id = offer.id
        fx = load_fx(db.session)
        first_hour = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0) + timedelta(hours=1)

    counts = {"booked": 0, "refused": 0, "errors": 0}
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(args.buyers)
    stop_at = [0.0]

    def buyer(n: int) -> None:
        rng = random.Random(n)
        with app.app_context():
            barrier.wait()
            seq = 0
            while time.monotonic() < stop_at[0]:
                seq += 1
                start = first_hour + timedelta(hours=rng.randrange(0, 162))
                wanted = Wanted(offer_id, instances=rng.choice((1, 1, 2)), hours=rng.randint(1, 6), start=start)
                began = time.perf_counter()
                try:
                    place_order(db.session, [wanted], email=f"b{n}@bench.cn", user_id=None,
                                checkout_token=f"bench-{n}-{seq}-{os.getpid()}-0000", fx=fx)
                    outcome = "booked"
                except OutOfStock:
                    outcome = "refused"
                except Exception as exc:  # counted, and the run goes on: a figure must say what failed
                    print(f"buyer {n}: {exc.__class__.__name__}: {exc}", file=sys.stderr)
                    outcome = "errors"
                    db.session.rollback()
                took = time.perf_counter() - began
                with lock:
                    counts[outcome] += 1
                    latencies.append(took)
            db.session.remove()

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(args.buyers)]
    stop_at[0] = time.monotonic() + args.seconds + 1
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    with app.app_context():
        bookings = db.session.scalars(db.select(Booking).where(Booking.state.in_(LIVE))).all()
        worst = 0
        for i in range(170):
            hour = first_hour + timedelta(hours=i)
            worst = max(worst, sum(b.instances for b in bookings if b.starts_at <= hour < b.ends_at))
        db.engine.dispose()

    latencies.sort()
    figures = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": args.url.rsplit("@", 1)[-1],
        "buyers": args.buyers, "seconds": round(elapsed, 2), "stock": STOCK,
        **counts,
        "bookings_per_second": round(counts["booked"] / elapsed, 1),
        "attempts_per_second": round(sum(counts.values()) / elapsed, 1),
        "latency_ms": {"p50": round(latencies[len(latencies) // 2] * 1000, 1),
                       "p95": round(latencies[int(len(latencies) * 0.95)] * 1000, 1)} if latencies else {},
        "most_machines_held_in_any_hour": worst,
        "never_over_stock": worst <= STOCK,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    if worst > STOCK:
        raise SystemExit("an hour holds more machines than the stock")


if __name__ == "__main__":
    main()
