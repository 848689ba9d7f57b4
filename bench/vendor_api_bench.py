"""Sustained PATCH price updates per second through the vendor API, and the time until a new price
shows in search.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_vendorapi \
        .venv/bin/python bench/vendor_api_bench.py [--offers 2000] [--seconds 20] [--clients 4]

The app runs in a child process (werkzeug, threaded, SEARCH_DRAIN=thread as in production) so the
clients' threads do not share its interpreter; each client PATCHes a random offer's price with its
own Idempotency-Key over HTTP for the given seconds. Then, one at a time, an offer is re-priced and
GET /api/v1/offers?q=<its sku>... is polled until the new price is what search shows. Writes (appends
to) bench/out/vendor-api.md. The database's tables are dropped and created: never point it at a
database you care about.
"""

import argparse
import io
import json
import multiprocessing
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.yardstick import Yardstick  # noqa: E402

OUT = ROOT / "bench" / "out" / "vendor-api.md"
GPUS = ["RTX 4090", "A100 80GB", "H100", "L40S", "A10"]
REGIONS = ["cn-hangzhou", "cn-beijing", "cn-shanghai", "cn-shenzhen"]


def _config(url: str, workdir: Path) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(workdir / "index"),
            "UPLOAD_DIR": str(workdir / "uploads"), "SEARCH_DRAIN": "thread",
            "VENDOR_API_RATE_LIMIT": "100000 per second"}


def _sheet(offers: int) -> bytes:
    header = "sku,kind,title,region,billing,gpu_model,gpu_count,price,currency,price_unit,stock\n"
    rows = [f"b{i},gpu,bench {i},{REGIONS[i % 4]},on_demand,{GPUS[i % 5]},1,{1 + i % 90 / 10:.2f},CNY,card_hour,5"
            for i in range(offers)]
    return (header + "\n".join(rows) + "\n").encode()


def prepare(url: str, workdir: Path, offers: int) -> str:
    """Fresh tables, a vendor with `offers` GPU offers and an API key; the key."""
    from accounts.api_keys import issue_key
    from accounts.models import User, VendorMember
    from app import create_app
    from catalog.context import SEED_FX, catalog_context, save_fx
    from catalog.models import Vendor
    from extensions import db
    from offers.sheet_import import import_sheet
    from pricing.currency import FxTable

    app = create_app(_config(url, workdir))
    with app.app_context():
        db.drop_all()
        db.create_all()
        save_fx(db.session, FxTable.load(SEED_FX))
        vendor, user = Vendor(slug="bench", name_en="Bench"), User(email="bench@example.com", password_hash="x")
        db.session.add_all([vendor, user])
        db.session.flush()
        db.session.add(VendorMember(user_id=user.id, vendor_id=vendor.id))
        db.session.commit()
        report = import_sheet(db.session, io.BytesIO(_sheet(offers)), "bench", catalog_context(db.session),
                              filename="bench.csv")
        assert report.landed, report.summary()
        secret = issue_key(db.session, vendor, user.id, "bench").secret
        db.session.commit()
        app.extensions["search"].drainer.drain()  # index the catalog before the server starts
        db.session.remove()
        db.engine.dispose()
    return secret


def serve(url: str, workdir: str, port_queue) -> None:
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from app import create_app

    app = create_app(_config(url, Path(workdir)))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port_queue.put(server.server_port)
    server.serve_forever()


def request(base: str, method: str, path: str, key: str | None = None, body: dict | None = None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if key:
        headers.update({"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid.uuid4())})
    req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                 method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def sustained(base: str, key: str, offers: int, seconds: float, clients: int) -> tuple[int, int, list[float]]:
    """(ok, failed, latencies) of PATCHes from `clients` threads for `seconds`."""
    stop = time.monotonic() + seconds
    ok, failed, latencies, lock = [0], [0], [], threading.Lock()

    def loop(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            sku, price = f"b{rng.randrange(offers)}", f"{rng.uniform(1, 30):.2f}"
            started = time.perf_counter()
            status, _ = request(base, "PATCH", f"/api/v1/vendor/offers/{sku}", key, {"price": price})
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                (ok if status == 200 else failed)[0] += 1

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ok[0], failed[0], latencies


def until_searchable(base: str, key: str, offers: int, rounds: int) -> list[float]:
    """Seconds from sending a PATCH until GET /api/v1/offers shows the new price, per round."""
    rng = random.Random(7)
    waits = []
    for n in range(rounds):
        index = rng.randrange(offers)
        gpu, region = GPUS[index % 5], REGIONS[index % 4]
        price = f"{40 + n}.{rng.randrange(10, 99)}"
        started = time.perf_counter()
        status, _ = request(base, "PATCH", f"/api/v1/vendor/offers/b{index}", key, {"price": price})
        assert status == 200
        query = urllib.parse.urlencode({"q": f"bench {index}", "region": region, "per_page": 100,
                                        "gpu_model": gpu})
        while True:
            _, page = request(base, "GET", f"/api/v1/offers?{query}")
            shown = {o["sku"]: o["unit_price"] for o in page["items"]}
            if shown.get(f"b{index}", "").startswith(price):
                break
            if time.perf_counter() - started > 30:
                raise RuntimeError(f"b{index} not repriced in search after 30 s: {shown.get(f'b{index}')}")
            time.sleep(0.005)
        waits.append(time.perf_counter() - started)
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        parser.error("set BENCH_DATABASE_URL to a PostgreSQL database it may empty")
    yardstick = Yardstick.start()
    workdir = Path(tempfile.mkdtemp(prefix="vendor-api-bench-"))
    key = prepare(url, workdir, args.offers)
    ports = multiprocessing.get_context("spawn").Queue()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(url, str(workdir), ports), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{ports.get(timeout=120)}"
        ok, failed, latencies = sustained(base, key, args.offers, args.seconds, args.clients)
        waits = until_searchable(base, key, args.offers, args.rounds)
    finally:
        server.terminate()
        server.join(10)
    yardstick.finish()
    rate = ok / args.seconds
    quantiles = statistics.quantiles(latencies, n=20)
    wait_q = statistics.quantiles(waits, n=20)
    lines = [
        f"\n## {url.split('+')[0].split(':')[0]}, {args.offers} offers, {args.clients} clients, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, {os.cpu_count()} CPUs\n",
        yardstick.line(),
        "",
        f"- sustained PATCH price updates: **{rate:.1f} per second** over {args.seconds:g} s ({ok} ok, {failed} "
        f"failed); latency p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {quantiles[18] * 1000:.1f} ms; "
        f"{yardstick.in_loop(rate):.1f} per loop",
        f"- PATCH sent → new price shown by GET /api/v1/offers: p50 {statistics.median(waits) * 1000:.1f} ms, "
        f"p95 {wait_q[18] * 1000:.1f} ms, max {max(waits) * 1000:.1f} ms over {len(waits)} re-prices",
        "",
    ]
    print("\n".join(lines))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    header = "" if out.exists() else ("# Vendor API: PATCH throughput and time to search\n\n"
                                      "`bench/vendor_api_bench.py`; see its docstring for the method.\n")
    with out.open("a", encoding="utf-8") as handle:
        handle.write(header + "\n".join(lines))


if __name__ == "__main__":
    main()
