"""Load run: gunicorn + PostgreSQL with a 100,000-offer catalog, a realistic mix of pages, wrk.

    .venv/bin/python bench/load/run_load.py [--offers 100000] [--duration 60] [--connections 16]

Builds the catalog once in a private PostgreSQL cluster (bench/services.py) with the search
engineer's bench/catalog_generator.py, indexes it, starts gunicorn in production mode
(gunicorn.conf.py: cores + 1 sync workers), then drives it from wrk on 127.0.0.1 with
a weighted mix of home, browse with filters, offer pages, API search and compare. Writes
bench/results/load.md. Bounded: each wrk run stops after --duration seconds.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.services import PG_DATA, PG_DB, Gunicorn, app_env, ensure_postgres, flask, get, machine_note  # noqa: E402
from bench.yardstick import Yardstick  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LUA = Path(__file__).resolve().parent / "mix.lua"
TEXTS = ["4090", "a100 80g", "h100", "l40s 竞价", "昇腾910B", "deepseek", "qwen", "北京", "华东 a800", "裸金属",
         "training cluster", "推理专用", "h20", "arm64", "包月 4090"]
# The yardstick route: the app's request hooks and nothing else (web/health.py).
TRIVIAL = "/healthz/live"
# (label, weight): how often a visitor does each thing.
MIX = [("home", 10), ("browse", 30), ("offer_page", 25), ("api_search", 25), ("compare", 10)]


def prepare_catalog(env: dict, offers: int, rebuild: bool) -> None:
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.orm import Session

    flask("init-db", env=env, stdout=subprocess.DEVNULL)
    engine = create_engine(env["DATABASE_URL"])
    with Session(engine) as session:
        from catalog.models import Offer

        have = session.scalar(select(func.count()).select_from(Offer))
        if have == offers and not rebuild:
            print(f"catalog ready: {have} offers")
            return
        try:
            from bench.catalog_generator import build
        except ImportError:
            raise SystemExit("bench/catalog_generator.py is missing: merge main (the search branch brings it)") from None
        from catalog.registry import default_registries

        print(f"building a {offers}-offer catalog …")
        tables = [t for t in ("index_outbox", "price_history", "order_items", "orders", "offers", "vendor_members",
                              "vendors") if session.execute(text("SELECT to_regclass(:t)"), {"t": t}).scalar()]
        session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        session.commit()
        build(session, default_registries(), offers)
    engine.dispose()
    shutil.rmtree(env["SEARCH_INDEX_DIR"], ignore_errors=True)
    print("indexing (flask reindex) …")
    flask("reindex", env=env, stdout=subprocess.DEVNULL)


def sample_paths(env: dict, rng: random.Random) -> dict[str, list[str]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text(
            "SELECT id FROM offers WHERE status = 'active' ORDER BY random() LIMIT 20000"))]
        gpu_ids = [r[0] for r in conn.execute(text(
            "SELECT id FROM offers WHERE kind = 'gpu' AND status = 'active' ORDER BY random() LIMIT 600"))]
        gpus = [r[0] for r in conn.execute(text("SELECT DISTINCT gpu_model FROM offers WHERE gpu_model IS NOT NULL"))]
        regions = [r[0] for r in conn.execute(text("SELECT DISTINCT region FROM offers WHERE region IS NOT NULL"))]
    engine.dispose()

    def browse() -> str:
        args = {"kind": rng.choice(["gpu", "gpu", "cpu", "token", None])}
        if args["kind"] == "gpu" and rng.random() < 0.7:
            args["gpu_model"] = rng.choice(gpus)
        if rng.random() < 0.4:
            args["region"] = rng.choice(regions)
        if rng.random() < 0.3:
            args["q"] = rng.choice(TEXTS)
        args["sort"] = rng.choice(["unit_price", "unit_price", "-unit_price", "updated_at"])
        if rng.random() < 0.2:
            args["page"] = rng.randint(2, 5)
        return urlencode({k: v for k, v in args.items() if v is not None})

    paths = {
        "home": ["/"],
        "browse": [f"/offers?{browse()}" for _ in range(2000)],
        "offer_page": [f"/offers/{i}" for i in ids],
        "api_search": [f"/api/v1/offers?{browse()}&per_page=20" for _ in range(2000)],
        "compare": [f"/compare?ids={','.join(map(str, rng.sample(gpu_ids, rng.randint(2, 4))))}" for _ in range(2000)],
    }
    return paths


def probe(base: str, paths: dict[str, list[str]]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Keep the categories this build serves (some areas may not have landed); say why others were left out."""
    kept, dropped = {}, {}
    for label, items in paths.items():
        statuses = [get(base + p, timeout=30)[0] for p in items[:5]]
        if all(s == 200 for s in statuses):
            kept[label] = items
        else:
            dropped[label] = f"answers {statuses} (not in this build?)"
    return kept, dropped


def write_paths(paths: dict[str, list[str]], weights: dict[str, int], rng: random.Random) -> Path:
    total = sum(weights[k] for k in paths)
    lines = []
    for label, items in paths.items():
        for _ in range(round(20_000 * weights[label] / total)):
            lines.append(f"{label}\t{rng.choice(items)}")
    rng.shuffle(lines)
    out = Path(tempfile.mkdtemp(prefix="market-load-")) / "paths.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def wrk(base: str, paths_file: Path, duration: int, connections: int, threads: int = 2) -> dict:
    env = {"MIX_PATHS": str(paths_file), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                          "-s", str(LUA), base], capture_output=True, text=True, env=env,
                         timeout=duration + 60).stdout
    match = re.search(r"^RESULT (.*)$", out, re.M)
    if not match:
        raise SystemExit(f"wrk gave no result:\n{out}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    ok = sum(n for code, n in result["statuses"].items() if code.startswith(("2", "3")))
    result["errors"] = result["requests"] - ok + sum(result["socket_errors"].values())
    return result


def trivial_rps(base: str, seconds: int, connections: int) -> dict:
    """The yardstick run: wrk on TRIVIAL alone, against the same workers as the figures beside it."""
    paths = Path(tempfile.mkdtemp(prefix="market-load-")) / "trivial.txt"
    paths.write_text(f"trivial\t{TRIVIAL}\n", encoding="utf-8")
    return wrk(base, paths, seconds, connections)


def row(label: str, r: dict, trivial: dict | None = None) -> str:
    hits = r.get("cache_hits", 0) / max(1, r["requests"])
    cpu, own = r.get("cpu_ms"), r.get("own_cpu_ms")
    cpu_text = f"{cpu['python']:.1f} + {cpu['postgres']:.1f}" if cpu else "–"
    own_text = f"{own['app']:.1f} + {own['postgres']:.1f}" if own else "–"
    ratio = f"{r['rps'] / trivial['rps']:.3f}" if trivial and trivial["rps"] else "–"
    return (f"| {label} | {r['requests']:,} | {r['rps']:.0f} | {ratio} | {r['p50_us'] / 1000:.1f} | "
            f"{r['p95_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {r['errors']} | {hits:.0%} | {own_text} | "
            f"{cpu_text} | {json.dumps(r['statuses'])} |")


TABLE_HEAD = ("| {first} | requests | req/s | ÷ trivial req/s | p50 | p95 | p99 | errors | cache hits "
              "| CPU ms/req: workers + own PostgreSQL | machine-wide python + postgres "
              "| statuses |\n|---|---|---|---|---|---|---|---|---|---|---|---|")


class Repricer:
    """Re-price one random active offer every `every` seconds while the load runs, through the
    app's own ORM path (so each change writes its index_outbox row, as a vendor's edit does).
    With the page cache on, each change moves the catalog version and so retires every page
    kept so far: a load run without writes would flatter the cache."""

    def __init__(self, env: dict, every: float):
        self.env, self.every, self.changes = env, every, 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self):
        if self.every > 0:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        from decimal import Decimal

        from sqlalchemy import func, select

        # The same NODE_NAME as the index it drains into: another name would rebuild that index as a new node.
        os.environ.update({k: v for k, v in self.env.items()
                           if k in ("DATABASE_URL", "SEARCH_INDEX_DIR", "NODE_NAME", "REDIS_URL")})
        from app import create_app
        from catalog.models import Offer
        from extensions import db

        app = create_app({"SECRET_KEY": self.env["SECRET_KEY"]})
        rng = random.Random(7)
        with app.app_context():
            top = db.session.scalar(select(func.max(Offer.id)))
            while not self._stop.wait(self.every):
                offer = db.session.get(Offer, rng.randint(1, top))
                if offer is None or offer.status != "active":
                    continue
                offer.unit_price = (offer.unit_price * Decimal(rng.choice(["0.95", "1.05"]))).quantize(
                    Decimal("0.000001"))
                db.session.commit()
                self.changes += 1

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread:
            self._thread.join(30)


def cpu_ticks(prefixes: tuple[str, ...] = ("python", "postgres")) -> dict[str, int]:
    """CPU time (clock ticks) used so far by every process whose name starts with each prefix."""
    ticks = dict.fromkeys(prefixes, 0)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        for prefix in prefixes:
            if name.startswith(prefix):
                ticks[prefix] += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


def ticks_of(pids: list[int]) -> int:
    """CPU time (clock ticks) used so far by these processes, the first with its reaped children's:
    a gunicorn worker recycled or a PostgreSQL backend closed during a run is counted by its parent."""
    total = 0
    for n, pid in enumerate(pids):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
        if n == 0:
            total += int(fields[13]) + int(fields[14])  # cutime + cstime: its children that have exited
    return total


def private_postgres_pids() -> list[int]:
    """The private cluster's postmaster and its backends (not the machine's shared PostgreSQL)."""
    try:
        master = int((PG_DATA / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [master, *map(int, out.split())]


def measured(server: Gunicorn, run, *args) -> dict:
    """wrk's result plus the CPU milliseconds per request of this server's gunicorn processes and the
    private PostgreSQL alone ("own_cpu_ms": on a shared machine the one to read), and of every python
    and postgres process of the machine ("cpu_ms": other people's test runs included)."""
    app_pids, pg_pids = [server.proc.pid, *server.worker_pids()], private_postgres_pids()
    own_before = {"app": ticks_of(app_pids), "postgres": ticks_of(pg_pids)}
    before = cpu_ticks()
    result = run(*args)
    after = cpu_ticks()
    # The parent first (ticks_of counts its exited children); workers or backends that came and went
    # during the run are counted through it, those alive at the end by their own ticks.
    app_pids = [server.proc.pid, *server.worker_pids()]
    pg_pids = private_postgres_pids()
    own_after = {"app": ticks_of(app_pids), "postgres": ticks_of(pg_pids)}
    per_tick = 1000 / os.sysconf("SC_CLK_TCK")
    requests = max(1, result["requests"])
    result["cpu_ms"] = {k: (after[k] - before[k]) * per_tick / requests for k in before}
    result["own_cpu_ms"] = {k: (own_after[k] - own_before[k]) * per_tick / requests for k in own_before}
    return result


def clear_page_cache(env: dict) -> None:
    """Start a cached run with an empty shared page cache (entries of an earlier run would count as hits)."""
    import redis

    from web.response_cache import REDIS_PREFIX

    client = redis.Redis.from_url(env["REDIS_URL"])
    for name in client.scan_iter(REDIS_PREFIX + "*", count=1000):
        client.delete(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the mixed run")
    parser.add_argument("--each", type=int, default=15, help="seconds of each single-page run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py (cores + 1)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--cache-seconds", type=float, default=0,
                        help="RESPONSE_CACHE_SECONDS for the app (the page cache, shared in Redis, keyed by "
                             "catalog version); 0 = off")
    parser.add_argument("--reprice-every", type=float, default=5.0,
                        help="seconds between re-prices of a random offer during the runs (0 = read-only load)")
    parser.add_argument("--sweep-workers", type=lambda text: [int(n) for n in text.split(",") if n], default=[],
                        help="also run the mix on these worker counts, e.g. 2,3,4,5")
    parser.add_argument("--sweep-seconds", type=int, default=40)
    parser.add_argument("--trivial-seconds", type=int, default=10,
                        help=f"seconds of the yardstick run on {TRIVIAL} (same workers), per server")
    parser.add_argument("--database", default=PG_DB, help="database in the private cluster (a tiny check: another)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", default=str(RESULTS / "load.md"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    ensure_postgres(args.database)
    env = app_env(args.database, RESPONSE_CACHE_SECONDS=str(args.cache_seconds))
    prepare_catalog(env, args.offers, args.rebuild)
    rng = random.Random(42)
    note = machine_note()
    yardstick = Yardstick.start()
    if args.cache_seconds:
        clear_page_cache(env)
    with Gunicorn(env, port=args.port, workers=args.workers) as server:
        workers = len(server.worker_pids())
        paths, dropped = probe(server.url, sample_paths(env, rng))
        weights = dict(MIX)
        mixed_file = write_paths(paths, weights, rng)
        print("warming up …")
        wrk(server.url, mixed_file, 10, args.connections)
        print(f"yardstick: {TRIVIAL}, {args.trivial_seconds}s …")
        trivial = trivial_rps(server.url, args.trivial_seconds, args.connections)
        print(f"mixed run, {args.duration}s, {args.connections} connections …")
        with Repricer(env, args.reprice_every) as repricer:
            mixed = measured(server, wrk, server.url, mixed_file, args.duration, args.connections)
            singles = {}
            for label, items in paths.items():
                print(f"{label}, {args.each}s …")
                if args.cache_seconds:
                    clear_page_cache(env)
                singles[label] = measured(server, wrk, server.url, write_paths({label: items}, weights, rng),
                                          args.each, args.connections)
        health = get(server.url + "/healthz")[1].decode()
    sweep = {}
    for count in args.sweep_workers:
        print(f"{count} workers, {args.sweep_seconds}s …")
        if args.cache_seconds:
            clear_page_cache(env)
        with Gunicorn(env, port=args.port, workers=count) as server, Repricer(env, args.reprice_every):
            wrk(server.url, mixed_file, 10, args.connections)
            sweep[count] = (measured(server, wrk, server.url, mixed_file, args.sweep_seconds, args.connections),
                            trivial_rps(server.url, args.trivial_seconds, args.connections))
    yardstick.finish()
    met = mixed["rps"] >= 300 and mixed["p95_us"] < 200_000 and mixed["errors"] == 0

    lines = [
        f"# Load run: gunicorn + PostgreSQL, {args.offers:,}-offer catalog",
        "",
        f"Written by `bench/load/run_load.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {note}.",
        f"Catalog: {args.offers:,} offers (bench/catalog_generator.py), PostgreSQL 15 on 127.0.0.1, "
        f"gunicorn {workers} sync workers (APP_ENV=production, page cache "
        f"{f'on: RESPONSE_CACHE_SECONDS={args.cache_seconds:g}, shared in Redis, keyed by catalog version, emptied before each run' if args.cache_seconds else 'off'}), "
        f"wrk 2 threads × {args.connections} connections on the same machine, after a 10 s warm-up on the same paths. "
        "Latencies in milliseconds, as wrk measures them (connection to last byte); "
        "'cache hits' is the share of answers served from the page cache (X-Cache: hit); "
        "'CPU ms/req: workers + own PostgreSQL' is the CPU time (from /proc) this run's gunicorn processes and the "
        "private PostgreSQL cluster used per answer; 'machine-wide' counts every python and postgres process of the "
        "machine (other people's test runs included).",
        "",
        "Mix (weights): " + ", ".join(f"{k} {weights[k]}" for k in paths) + "; 20,000 requests' worth of "
        "paths drawn at random: up to 20,000 distinct offer pages, 2,000 filter combinations each for pages and "
        "API, 2,000 compare sets. "
        + (f"Writes: one random offer re-priced every {args.reprice_every:g} s through the app's ORM path "
           f"({repricer.changes} changes during the runs), as vendors' edits would."
           if args.reprice_every else "No writes during the runs."),
        "",
        yardstick.line() + f" Trivial route: `{TRIVIAL}` alone (no database, only the app's request hooks) on "
        f"the same workers for {args.trivial_seconds} s after the warm-up: {trivial['rps']:.0f} req/s, "
        f"p95 {trivial['p95_us'] / 1000:.1f} ms; '÷ trivial req/s' is each run's req/s over that.",
        "",
        TABLE_HEAD.format(first="run"),
        row(f"**mixed, {args.duration}s**", mixed, trivial),
        *[row(f"{label} only, {args.each}s", r, trivial) for label, r in singles.items()],
        row(f"{TRIVIAL} only, {args.trivial_seconds}s (yardstick)", trivial, trivial),
        "",
        f"Goal: ≥ 300 req/s at p95 < 200 ms with 0 errors (mixed run): **{'met' if met else 'not met'}** — "
        f"{mixed['rps']:.0f} req/s = {mixed['rps'] / trivial['rps']:.3f} × the trivial route's "
        f"{trivial['rps']:.0f} req/s = {yardstick.in_loop(mixed['rps']):.0f} requests per yardstick loop; "
        f"p95 {mixed['p95_us'] / 1000:.1f} ms = {yardstick.per_loop(mixed['p95_us'] / 1e6):.3f} yardstick loops; "
        f"{mixed['errors']} errors.",
        "",
        f"/healthz after the run: `{health.strip()}`",
    ]
    if sweep:
        lines += ["", f"Worker count (gunicorn sync workers; the mix for {args.sweep_seconds} s after a 10 s warm-up, "
                  "same writes):", "",
                  "(each server's own trivial-route run in the ratio column)", "",
                  TABLE_HEAD.format(first="workers"),
                  *[row(str(count), r, t) for count, (r, t) in sweep.items()]]
    if dropped:
        lines += ["", "Left out of the mix (this build does not serve them yet):", ""]
        lines += [f"- {label}: {why}" for label, why in dropped.items()]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
