"""Schedule benchmark: POST /api/v1/schedule over a 168-hour horizon with 2,000 and 20,000 candidate offers.

    .venv/bin/python bench/schedule_bench.py [--offers 2000 20000] [--requests 40]

Each size gets a fresh SQLite database in a temporary folder, filled straight through the
tables (the importer is not what is measured) with H100 offers of the model: 1-8 cards a
machine, prices 0.6-1.5 × ¥24, every region; 15% spot; 40% with an off-peak window and rate;
30% deposits (a span of 1-4 days inside the week, some with daily hours); 10% of those with
known stock have 1-3 live bookings over the week. The request: 8 cards for 72 hours in blocks
of at least 4 hours, splittable, anywhere, across the next 168 hours; a second request mix
varies cards (1, 8, 16), splittable and min_block_hours. Timed through the Flask test client
in one process (the app's own time per request). Figures go to bench/results/schedule.json
and bench/results/schedule.md. Never part of the test suite.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.yardstick import Yardstick  # noqa: E402

RESULTS = ROOT / "bench" / "results"
GOALS_MS = {2000: 200, 20000: 2000}
OFF_PEAK = ["22:00-08:00", "00:00-06:00", "23:00-07:00"]
RATES = [Decimal("0.5"), Decimal("0.6"), Decimal("0.7"), Decimal("0.8")]
DAILY = ["20:00-08:00", "00:00-08:00", "09:00-18:00"]


def fill(n: int, start, seed: int = 7) -> None:
    """n H100 offers (and their bookings) from `start` (UTC, on the hour) on."""
    from sqlalchemy import insert

    from catalog.bookings import Booking
    from catalog.models import Offer, Vendor, utcnow
    from catalog.registry import default_registries
    from extensions import db

    rng = random.Random(seed)
    regions = [r.id for r in default_registries().regions.regions.values()]
    db.session.execute(insert(Vendor), [{"slug": f"v{i}", "name_zh": f"算力商{i}号", "name_en": f"Vendor {i}",
                                         "created_at": utcnow()} for i in range(200)])
    vendor_ids = [v for (v,) in db.session.execute(db.select(Vendor.id))]
    rows = []
    for i in range(n):
        count = rng.choice([1, 2, 4, 8, 8])
        price = Decimal(str(round(24 * rng.uniform(0.6, 1.5), 4)))
        billing = "spot" if rng.random() < 0.15 else "on_demand"
        row = {"vendor_id": rng.choice(vendor_ids), "sku": f"h100-{i}", "kind": "gpu", "title": f"H100 x{count}",
               "region": rng.choice(regions), "billing": billing, "stock": rng.choice([None, 1, 2, 4, 8]),
               "status": "active", "list_amount": price * count, "list_currency": "CNY", "list_unit": "hour",
               "unit_price": price, "gpu_model": "h100-sxm", "gpu_count": Decimal(count),
               "gpu_memory_gb": Decimal(80), "available_from": None, "available_to": None,
               "available_hours": None, "off_peak_hours": None, "off_peak_rate": None}
        if rng.random() < 0.4:
            row["off_peak_hours"], row["off_peak_rate"] = rng.choice(OFF_PEAK), rng.choice(RATES)
        if rng.random() < 0.3:
            first = (start + timedelta(days=rng.randrange(0, 7))).replace(hour=16)  # local midnight
            row["available_from"] = first
            row["available_to"] = first + timedelta(days=rng.randint(1, 4))
            if rng.random() < 0.5:
                row["available_hours"] = rng.choice(DAILY)
        rows.append(row)
    db.session.execute(insert(Offer), rows)
    stocked = [(o, s) for o, s in db.session.execute(db.select(Offer.id, Offer.stock)) if s]
    bookings = []
    for offer_id, stock in rng.sample(stocked, len(stocked) // 10):
        for _ in range(rng.randint(1, 3)):
            at = start + timedelta(hours=rng.randrange(0, 160))
            bookings.append({"offer_id": offer_id, "instances": rng.randint(1, stock), "starts_at": at,
                             "ends_at": at + timedelta(hours=rng.randint(1, 24)), "state": "held",
                             "created_at": utcnow()})
    if bookings:
        db.session.execute(insert(Booking), bookings)
    db.session.commit()


def run(n: int, requests: int) -> dict:
    from app import create_app
    from catalog.models import utcnow
    from extensions import db
    from pricing.availability import local
    from pricing.capacity import whole_hour_at_or_after

    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite:///{work}/bench.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": f"{work}/index", "SEARCH_DRAIN": "off",
                          "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            start = whole_hour_at_or_after(utcnow()) + timedelta(hours=1)
            fill(n, start)
        client = app.test_client()
        begin, end = local(start).isoformat(), local(start + timedelta(hours=168)).isoformat()
        main = {"gpu_model": "h100-sxm", "cards": 8, "hours": 72, "earliest_start": begin, "deadline": end,
                "splittable": True, "min_block_hours": 4, "regions": [], "max_unit_price": None,
                "allow_spot": False, "same_machine": False}
        rng = random.Random(3)
        mix = [{**main, "cards": rng.choice([1, 8, 16]), "splittable": rng.random() < 0.7,
                "min_block_hours": rng.choice([1, 4, 12]), "hours": rng.choice([24, 72, 120]),
                "allow_spot": rng.random() < 0.3} for _ in range(requests)]
        client.post("/api/v1/schedule", json=main)  # warm: registries, imports

        def timed(bodies):
            out, last = [], None
            for body in bodies:
                t0 = time.perf_counter()
                response = client.post("/api/v1/schedule", json=body)
                out.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.get_data(as_text=True)
                last = response.get_json()
            return out, last

        main_ms, answer = timed([main] * requests)
        mix_ms, _ = timed(mix)

    def pct(values, q):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(q * len(values)))], 1)

    return {"offers": n, "requests": requests, "main_p50_ms": round(statistics.median(main_ms), 1),
            "main_p95_ms": pct(main_ms, 0.95), "mix_p50_ms": round(statistics.median(mix_ms), 1),
            "mix_p95_ms": pct(mix_ms, 0.95), "goal_p95_ms": GOALS_MS.get(n), "total": answer["total"],
            "blocks": len(answer["blocks"]), "baseline": answer["baseline"]["total"] if answer["baseline"] else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    stick = Yardstick.start()
    load_before = os.getloadavg()[0]
    runs = []
    for n in args.offers:
        result = run(n, args.requests)
        print(json.dumps(result), flush=True)
        runs.append(result)
    stick.finish()
    record = {"machine": platform.platform(), "python": platform.python_version(),
              "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
              "yardstick": stick.as_json(), "runs": runs}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "schedule.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    lines = ["# Schedule benchmark (bench/schedule_bench.py)", "",
             "POST /api/v1/schedule through the Flask test client in one process, SQLite, a 168-hour horizon. "
             "Main = 8 cards × 72 hours, splittable, blocks ≥ 4 h, anywhere (the same request repeated); "
             "mix = cards 1/8/16, 24/72/120 hours, splittable or not, blocks ≥ 1/4/12 h, spot allowed or not. "
             "Latency in ms per request. Offers: H100s with off-peak windows, deposits with spans and daily hours, "
             "and bookings (see the script's docstring).", "",
             f"Load average (1 min, 2 cores shared with other work): {record['load_before']} before, "
             f"{record['load_after']} after. " + stick.line(ratios=False), "",
             "| offers | requests | main p50 / p95 | mix p50 / p95 | goal p95 | met | schedule total (blocks) | baseline |",
             "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        met = "–" if r["goal_p95_ms"] is None else ("yes" if max(r["main_p95_ms"], r["mix_p95_ms"]) <= r["goal_p95_ms"]
                                                     else "no")
        lines.append(f"| {r['offers']:,} | {r['requests']} | {r['main_p50_ms']} / {r['main_p95_ms']} | "
                     f"{r['mix_p50_ms']} / {r['mix_p95_ms']} | {r['goal_p95_ms']} | {met} | "
                     f"¥{r['total']} ({r['blocks']}) | ¥{r['baseline']} |")
    lines += ["", "Raw figures: bench/results/schedule.json."]
    (RESULTS / "schedule.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
