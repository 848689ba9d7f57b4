"""Browse page benchmark: GET /offers (the HTML page) over search_bench's query mix.

    .venv/bin/python bench/browse_bench.py --label before|after [--offers 20000] [--passes 2]
        [--database-url postgresql+psycopg://…] [--durations]

Measured through the Flask test client in one process, like bench/search_bench.py: the app's own
time per page (parse, search, render). --durations adds, to every query, a job length
(`duration_hours`, 24 / 72 / 720 h) where the code has it. Each run is stored in
bench/results/browse.json (one per label, offers and database) and bench/results/browse.md is
rewritten from all stored runs. Never part of the test suite.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.catalog_generator import build  # noqa: E402
from bench.search_bench import pct, query_mix  # noqa: E402
from bench.yardstick import Yardstick  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DURATIONS = ["24", "72", "720"]


def run(label: str, offers: int, database_url: str | None, passes: int, durations: bool) -> dict:
    from sqlalchemy import func, select

    from app import create_app
    from catalog.models import Offer
    from catalog.registry import default_registries
    from catalog.search_service import service_for
    from extensions import db

    yardstick = Yardstick.start()
    work = Path(tempfile.mkdtemp(prefix="browse-bench-"))
    url = database_url or f"sqlite:///{work / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(work / "index"),
                      "SEARCH_DRAIN": "thread"})
    with app.app_context():
        service = service_for(db.engine)
        db.create_all()
        if db.session.scalar(select(func.count()).select_from(Offer)) != offers:
            db.session.rollback()
            db.drop_all()
            db.create_all()
            build(db.session, default_registries(), offers)
        service.reindex()
        service.snapshot.load()
    client = app.test_client()
    rng = random.Random(5)
    mix = [(shape, {**params, "duration_hours": rng.choice(DURATIONS)} if durations else params)
           for shape, params in query_mix()]
    for _shape, params in mix[:20]:  # warm-up
        client.get("/offers", query_string=params)
    times: dict[str, list[float]] = {}
    for _ in range(passes):
        for shape, params in mix:
            t = time.perf_counter()
            r = client.get("/offers", query_string=params)
            elapsed = (time.perf_counter() - t) * 1000
            assert r.status_code == 200, (params, r.status_code)
            times.setdefault(shape, []).append(elapsed)
            times.setdefault("all", []).append(elapsed)
    return {"label": label, "offers": offers, "database": url.split(":", 1)[0].split("+")[0],
            "durations": durations, "passes": passes, "load_avg_1m": round(os.getloadavg()[0], 2),
            "latency_ms": {s: {"p50": round(pct(v, 50), 1), "p95": round(pct(v, 95), 1)} for s, v in times.items()},
            "yardstick": yardstick.finish().as_json()}


def render(runs: list[dict]) -> str:
    lines = ["# Browse page benchmark (bench/browse_bench.py)", "",
             "GET /offers (HTML) through the Flask test client in one process on this shared 2-core machine; "
             "ms per page, over bench/search_bench.py's query mix (200 queries × passes). 'durations': every query "
             "also carries duration_hours (24/72/720). Load = 1-minute load average at the end (other engineers' "
             "work was running). Yardstick = seconds of bench/yardstick.py's 10-million-addition loop in the same run; "
             "'all p95 in loops' = all p95 ÷ yardstick, the figure to compare across runs on a busy machine.", "",
             "| label | offers | database | durations | load | text p50/p95 | filter p50/p95 | "
             "text+filter+sort p50/p95 | facet p50/p95 | all p50/p95 | yardstick s | all p95 in loops |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lat = r["latency_ms"]
        cells = [f"{lat[s]['p50']} / {lat[s]['p95']}" for s in ("text", "filter", "text+filter+sort", "facet", "all")]
        loop = r["yardstick"]["mean_s"]
        lines.append(f"| {r['label']} | {r['offers']:,} | {r['database']} | {'yes' if r['durations'] else 'no'} | "
                     f"{r['load_avg_1m']} | " + " | ".join(cells)
                     + f" | {loop} | {lat['all']['p95'] / 1000 / loop:.4f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--label", required=True, help="what code ran: 'before', 'after'")
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp folder")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--durations", action="store_true")
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args()
    result = run(args.label, args.offers, args.database_url, args.passes, args.durations)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    store = results / "browse.json"
    runs = json.loads(store.read_text()) if store.exists() else []

    def key(r):
        return r["label"], r["offers"], r["database"], r["durations"]

    runs = sorted([r for r in runs if key(r) != key(result)] + [result], key=key)
    store.write_text(json.dumps(runs, indent=1, ensure_ascii=False) + "\n")
    (results / "browse.md").write_text(render(runs), encoding="utf-8")


if __name__ == "__main__":
    main()
